//! Jobs over HTTP: the import upload, streamed into chunk objects as it arrives (never held
//! whole), and export downloads by a signed link — the link is the credential, valid for
//! [`DOWNLOAD_TTL_S`] seconds, like a pre-signed storage URL.

use futures_util::StreamExt;
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

use super::{body, created, ok};
use crate::api::errors::WebError;
use crate::api::http::{Request, Response, MAX_IMPORT_BYTES};
use crate::api::{query_param, App};
use crate::core::error::CoreError;
use crate::core::management::jobs::{self, ExportRequest, ImportOptions};
use crate::core::platform::secrets::ct_eq;

/// How long an export download link works.
pub const DOWNLOAD_TTL_S: i64 = 60;

/// A text part of a multipart form, as UTF-8 (invalid bytes become U+FFFD). multer's own `text()`
/// honours a part's `charset` through encoding_rs, whose legacy-encoding tables alone would be
/// ~150 KB of the Worker; the form's text parts are identifiers and flags, which Auth0 reads as UTF-8.
pub(crate) async fn form_text(field: multer::Field<'_>) -> Result<String, multer::Error> {
    Ok(String::from_utf8_lossy(&field.bytes().await?).into_owned())
}

impl App<'_> {
    /// The key of export links, derived from the key-encryption key.
    fn link_key(&self) -> Result<Vec<u8>, WebError> {
        let kek = self
            .config
            .kek
            .as_ref()
            .ok_or_else(|| CoreError::Internal("KEY_ENCRYPTION_KEY is not configured".into()))?;
        Ok(Sha256::new()
            .chain_update(b"tollgate export links")
            .chain_update(kek)
            .finalize()
            .to_vec())
    }

    fn link_sig(key: &[u8], job: &str, expires: i64) -> String {
        match Hmac::<Sha256>::new_from_slice(key) {
            Ok(mut m) => {
                m.update(format!("{job}.{expires}").as_bytes());
                hex::encode(m.finalize().into_bytes())
            }
            Err(_) => String::new(),
        }
    }

    /// `POST /api/v2/jobs/users-imports` (multipart: users, connection_id, upsert, external_id,
    /// send_completion_email). The users file is split into stored chunks as it arrives (the
    /// Worker streams the body), so no copy of the whole file is ever held; up to
    /// [`MAX_IMPORT_BYTES`] per request.
    pub(super) async fn m_import(&self, req: &Request) -> Result<Response, WebError> {
        let content_type = req.header("content-type").unwrap_or_default();
        let boundary =
            multer::parse_boundary(content_type).map_err(|_| WebError::UnsupportedMediaType("multipart/form-data"))?;
        let chunks = req
            .stream
            .take()
            .unwrap_or_else(|| futures_util::stream::once(std::future::ready(Ok(req.body.clone()))).boxed());
        let too_large = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let flag = too_large.clone();
        let mut read = 0usize;
        let limited = chunks.map(move |piece| {
            let piece = piece.map_err(UploadError)?;
            read += piece.len();
            if read > MAX_IMPORT_BYTES {
                flag.store(true, std::sync::atomic::Ordering::Relaxed);
                return Err(UploadError(format!("the body is larger than {MAX_IMPORT_BYTES} bytes")));
            }
            Ok(bytes::Bytes::from(piece))
        });
        let mut form = multer::Multipart::new(limited, boundary);
        let mut upload: Option<jobs::Upload> = None;
        let mut opts = ImportOptions::default();
        let read_form = async {
            let bad = |e: multer::Error| CoreError::InvalidRequest(format!("Invalid multipart body: {e}"));
            while let Some(mut field) = form.next_field().await.map_err(bad)? {
                match field.name().unwrap_or_default().to_owned().as_str() {
                    "users" if upload.is_some() => {
                        return Err(CoreError::InvalidRequest("Only one users file per job".into()));
                    }
                    "users" => {
                        if !opts.connection_id.is_empty() {
                            // Known before the file: refuse a wrong connection before storing anything.
                            jobs::import::import_connection(&self.core, &opts.connection_id).await?;
                        }
                        let up = upload.insert(jobs::Upload::start(&self.core, self.jobs)?);
                        while let Some(piece) = field.chunk().await.map_err(bad)? {
                            up.push(&piece).await?;
                        }
                    }
                    // The form's text parts, read into their wire type; other parts are ignored.
                    name @ ("connection_id" | "upsert" | "external_id" | "send_completion_email") => {
                        let name = name.to_owned();
                        opts.set_field(&name, form_text(field).await.map_err(bad)?);
                    }
                    _ => {}
                }
            }
            if opts.connection_id.is_empty() {
                return Err(CoreError::InvalidRequest("Missing connection_id".into()));
            }
            Ok(())
        }
        .await;
        let upload = match (read_form, upload) {
            (Ok(()), Some(up)) => up,
            (Ok(()), None) => return Err(CoreError::InvalidRequest("Missing users file".into()).into()),
            (Err(e), up) => {
                if let Some(up) = up {
                    up.abort().await;
                }
                return Err(if too_large.load(std::sync::atomic::Ordering::Relaxed) {
                    WebError::PayloadTooLarge
                } else {
                    e.into()
                });
            }
        };
        let job = upload.finish(opts).await?;
        crate::api::logs::job_started(&self.core, &job);
        Ok(created(&job))
    }

    pub(super) async fn m_export(&self, req: &Request) -> Result<Response, WebError> {
        let request: ExportRequest = body(req)?;
        let job = jobs::create_export(&self.core, self.jobs.queue, request).await?;
        crate::api::logs::job_started(&self.core, &job);
        Ok(created(&job))
    }

    pub(super) async fn m_job(&self, id: &str) -> Result<Response, WebError> {
        let key = self.link_key()?;
        let expires = self.core.clock.now_ms() / 1000 + DOWNLOAD_TTL_S;
        let issuer = self.core.settings.issuer.clone();
        let make = move |job: &str| {
            format!(
                "{issuer}api/v2/jobs/{job}/download?expires={expires}&sig={}",
                Self::link_sig(&key, job, expires)
            )
        };
        Ok(ok(&jobs::job_status(&self.core, id, Some(&make)).await?))
    }

    /// The signed link is the credential: no bearer token (like a pre-signed storage URL).
    pub(super) fn check_link(&self, req: &Request, id: &str) -> Result<(), WebError> {
        let expires: i64 = query_param(req, "expires").and_then(|e| e.parse().ok()).unwrap_or(0);
        let sig = query_param(req, "sig").unwrap_or_default();
        let expected = Self::link_sig(&self.link_key()?, id, expires);
        if expires < self.core.clock.now_ms() / 1000 || !ct_eq(sig.as_bytes(), expected.as_bytes()) {
            return Err(CoreError::Unauthorized("The download link is invalid or expired".into()).into());
        }
        Ok(())
    }

    pub(super) async fn m_download(&self, id: &str) -> Result<Response, WebError> {
        let (parts, name) = jobs::export::export_parts(&self.core, id).await?;
        let mut res = Response::new(200, "application/gzip", Vec::new());
        res.objects = parts;
        Ok(res
            .with_header("content-disposition", &format!("attachment; filename=\"{name}\""))
            .with_header("cache-control", "no-store"))
    }
}

/// Why an upload's body stopped (read error, or over the size limit).
#[derive(Debug)]
struct UploadError(String);

impl std::fmt::Display for UploadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for UploadError {}
