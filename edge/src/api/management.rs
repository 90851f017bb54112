//! The Management API (`/api/v2/...`): a bearer token for `{issuer}api/v2/` whose scopes are
//! checked on every call; errors in the Management API's shape `{statusCode, error, message,
//! errorCode}`. Export files are downloaded from a signed URL valid for 60 seconds.

use hmac::{Hmac, Mac};
use percent_encoding::percent_decode_str;
use serde_json::Value;
use sha2::{Digest, Sha256};

use super::errors::WebError;
use super::http::{Request, Response};
use super::{parse_json, query_param, App};
use crate::core::error::CoreError;
use crate::core::jobs::{self, ExportRequest, ImportOptions};
use crate::core::management;
use crate::core::secrets::ct_eq;

/// How long an export download link works.
pub const DOWNLOAD_TTL_S: i64 = 60;

fn bearer(req: &Request) -> Option<&str> {
    let v = req.header("authorization")?;
    v.strip_prefix("Bearer ")
        .or_else(|| v.strip_prefix("bearer "))
        .map(str::trim)
}

fn created(v: &Value) -> Response {
    Response::json(201, v)
}

fn no_content() -> Response {
    Response::new(204, "text/plain", Vec::new())
}

impl App<'_> {
    async fn allow(&self, req: &Request, scopes: &[&str]) -> Result<(), WebError> {
        management::authorize(&self.core, bearer(req), scopes)
            .await
            .map_err(WebError::from)
    }

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

    /// Routes `/api/v2/*`; `None` when the path is not a Management API route.
    pub(super) async fn management(&self, req: &Request) -> Option<Response> {
        let rest = req.path.strip_prefix("/api/v2/")?;
        let parts: Vec<&str> = rest.split('/').collect();
        let result = match (req.method.as_str(), parts.as_slice()) {
            ("GET", ["users"]) => self.m_list_users(req).await,
            ("POST", ["users"]) => self.m_create_user(req).await,
            ("GET", ["users", id]) => self.m_get_user(req, id).await,
            ("PATCH", ["users", id]) => self.m_update_user(req, id).await,
            ("DELETE", ["users", id]) => self.m_delete_user(req, id).await,
            ("GET", ["users-by-email"]) => self.m_users_by_email(req).await,
            ("DELETE", ["user-blocks"]) => self.m_unblock(req, None).await,
            ("DELETE", ["user-blocks", id]) => self.m_unblock(req, Some(id)).await,
            ("GET", ["connections"]) => self.m_connections(req).await,
            ("POST", ["connections"]) => self.m_create_connection(req).await,
            ("PATCH", ["connections", id]) => self.m_update_connection(req, id).await,
            ("POST", ["jobs", "users-imports"]) => self.m_import(req).await,
            ("POST", ["jobs", "users-exports"]) => self.m_export(req).await,
            ("GET", ["jobs", id]) => self.m_job(req, id).await,
            ("GET", ["jobs", id, "errors"]) => self.m_job_errors(req, id).await,
            ("GET", ["jobs", id, "download"]) => self.m_download(req, id).await,
            _ => Err(WebError::NotFound),
        };
        Some(result.unwrap_or_else(WebError::into_management_response))
    }

    async fn m_list_users(&self, req: &Request) -> Result<Response, WebError> {
        self.allow(req, &["read:users"]).await?;
        let q: Vec<(String, String)> = url::form_urlencoded::parse(req.query.as_bytes()).into_owned().collect();
        Ok(Response::json(200, &management::list_users(&self.core, &q).await?))
    }

    async fn m_create_user(&self, req: &Request) -> Result<Response, WebError> {
        self.allow(req, &["create:users"]).await?;
        let body: Value = parse_json(req)?;
        Ok(created(&management::create_user(&self.core, &body).await?))
    }

    async fn m_get_user(&self, req: &Request, id: &str) -> Result<Response, WebError> {
        self.allow(req, &["read:users"]).await?;
        let id = percent_decode_str(id).decode_utf8_lossy();
        Ok(Response::json(200, &management::get_user(&self.core, &id).await?))
    }

    async fn m_update_user(&self, req: &Request, id: &str) -> Result<Response, WebError> {
        self.allow(req, &["update:users"]).await?;
        let id = percent_decode_str(id).decode_utf8_lossy();
        let body: Value = parse_json(req)?;
        Ok(Response::json(
            200,
            &management::update_user(&self.core, &id, &body).await?,
        ))
    }

    async fn m_delete_user(&self, req: &Request, id: &str) -> Result<Response, WebError> {
        self.allow(req, &["delete:users"]).await?;
        let id = percent_decode_str(id).decode_utf8_lossy();
        management::delete_user(&self.core, &id).await?;
        Ok(no_content())
    }

    async fn m_users_by_email(&self, req: &Request) -> Result<Response, WebError> {
        self.allow(req, &["read:users"]).await?;
        let email = query_param(req, "email").ok_or_else(|| CoreError::InvalidRequest("Missing email".into()))?;
        Ok(Response::json(
            200,
            &management::users_by_email(&self.core, &email).await?,
        ))
    }

    async fn m_unblock(&self, req: &Request, id: Option<&str>) -> Result<Response, WebError> {
        self.allow(req, &["update:users"]).await?;
        match id {
            Some(id) => management::unblock_user(&self.core, &percent_decode_str(id).decode_utf8_lossy()).await?,
            None => {
                let identifier = query_param(req, "identifier")
                    .ok_or_else(|| CoreError::InvalidRequest("Missing identifier".into()))?;
                management::unblock_identifier(&self.core, &identifier).await?;
            }
        }
        Ok(no_content())
    }

    async fn m_create_connection(&self, req: &Request) -> Result<Response, WebError> {
        self.allow(req, &["create:connections"]).await?;
        let body: Value = parse_json(req)?;
        Ok(created(&management::create_connection(&self.core, &body).await?))
    }

    async fn m_update_connection(&self, req: &Request, id: &str) -> Result<Response, WebError> {
        self.allow(req, &["update:connections"]).await?;
        let body: Value = parse_json(req)?;
        Ok(Response::json(
            200,
            &management::update_connection(&self.core, id, &body).await?,
        ))
    }

    async fn m_connections(&self, req: &Request) -> Result<Response, WebError> {
        self.allow(req, &["read:connections", "read:users"]).await?;
        let (name, strategy) = (query_param(req, "name"), query_param(req, "strategy"));
        let list = management::connections(&self.core, name.as_deref(), strategy.as_deref()).await?;
        // Checkpoint pagination (`take`, `from`) or `include_totals` answer with an object, as Auth0.
        let paged = ["take", "from"].iter().any(|k| query_param(req, k).is_some())
            || query_param(req, "include_totals").as_deref() == Some("true");
        if paged {
            let n = list.as_array().map_or(0, Vec::len);
            let page = serde_json::json!({"connections": list, "total": n, "start": 0, "limit": n});
            return Ok(Response::json(200, &page));
        }
        Ok(Response::json(200, &list))
    }

    /// `POST /api/v2/jobs/users-imports` (multipart: users, connection_id, upsert, external_id,
    /// send_completion_email).
    async fn m_import(&self, req: &Request) -> Result<Response, WebError> {
        self.allow(req, &["create:users"]).await?;
        if req.body.len() > super::http::MAX_IMPORT_BYTES {
            return Err(WebError::PayloadTooLarge);
        }
        let content_type = req.header("content-type").unwrap_or_default();
        let boundary =
            multer::parse_boundary(content_type).map_err(|_| WebError::UnsupportedMediaType("multipart/form-data"))?;
        let body = bytes::Bytes::copy_from_slice(&req.body);
        let stream = futures_util::stream::once(async move { Ok::<_, std::convert::Infallible>(body) });
        let mut form = multer::Multipart::new(stream, boundary);
        let mut file = None;
        let mut opts = ImportOptions::default();
        let bad = |e: multer::Error| WebError::InvalidBody(format!("Invalid multipart body: {e}"));
        while let Some(field) = form.next_field().await.map_err(bad)? {
            match field.name().unwrap_or_default().to_owned().as_str() {
                "users" => file = Some(field.bytes().await.map_err(bad)?),
                "connection_id" => opts.connection_id = field.text().await.map_err(bad)?,
                "upsert" => opts.upsert = field.text().await.map_err(bad)? == "true",
                "external_id" => opts.external_id = Some(field.text().await.map_err(bad)?).filter(|s| !s.is_empty()),
                "send_completion_email" => opts.send_completion_email = field.text().await.map_err(bad)? == "true",
                _ => {}
            }
        }
        let file = file.ok_or_else(|| CoreError::InvalidRequest("Missing users file".into()))?;
        if opts.connection_id.is_empty() {
            return Err(CoreError::InvalidRequest("Missing connection_id".into()).into());
        }
        Ok(created(&jobs::create_import(&self.core, self.jobs, &file, opts).await?))
    }

    async fn m_export(&self, req: &Request) -> Result<Response, WebError> {
        self.allow(req, &["read:users"]).await?;
        let body: ExportRequest = parse_json(req)?;
        Ok(created(&jobs::create_export(&self.core, self.jobs, body).await?))
    }

    async fn m_job(&self, req: &Request, id: &str) -> Result<Response, WebError> {
        self.allow(req, &["create:users", "read:users"]).await?;
        let key = self.link_key()?;
        let expires = self.core.clock.now_ms() / 1000 + DOWNLOAD_TTL_S;
        let issuer = self.core.settings.issuer.clone();
        let make = move |job: &str| {
            format!(
                "{issuer}api/v2/jobs/{job}/download?expires={expires}&sig={}",
                Self::link_sig(&key, job, expires)
            )
        };
        Ok(Response::json(
            200,
            &jobs::job_status(&self.core, id, Some(&make)).await?,
        ))
    }

    async fn m_job_errors(&self, req: &Request, id: &str) -> Result<Response, WebError> {
        self.allow(req, &["create:users", "read:users"]).await?;
        Ok(Response::json(200, &jobs::job_errors(&self.core, id).await?))
    }

    /// The signed link is the credential: no bearer token (like a pre-signed storage URL).
    async fn m_download(&self, req: &Request, id: &str) -> Result<Response, WebError> {
        let expires: i64 = query_param(req, "expires").and_then(|e| e.parse().ok()).unwrap_or(0);
        let sig = query_param(req, "sig").unwrap_or_default();
        let expected = Self::link_sig(&self.link_key()?, id, expires);
        if expires < self.core.clock.now_ms() / 1000 || !ct_eq(sig.as_bytes(), expected.as_bytes()) {
            return Err(CoreError::Unauthorized("The download link is invalid or expired".into()).into());
        }
        let (file, name) = jobs::export_file(&self.core, id).await?;
        Ok(Response::new(200, "application/gzip", file)
            .with_header("content-disposition", &format!("attachment; filename=\"{name}\""))
            .with_header("cache-control", "no-store"))
    }
}
