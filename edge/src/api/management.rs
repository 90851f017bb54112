//! The Management API (`/api/v2/...`): a bearer token for `{issuer}api/v2/` whose scopes are
//! checked on every call; errors in the Management API's shape `{statusCode, error, message,
//! errorCode}`. Export files are downloaded from a signed URL valid for 60 seconds.

use hmac::{Hmac, Mac};
use percent_encoding::percent_decode_str;
use serde_json::Value;
use sha2::{Digest, Sha256};

use super::errors::WebError;
use futures_util::StreamExt;

use super::http::{Request, Response, MAX_IMPORT_BYTES};
use super::{parse_json, query_param, App};
use crate::core::directory::stats;
use crate::core::error::CoreError;
use crate::core::management::jobs::{self, ExportRequest, ImportOptions};
use crate::core::management::{self, access, applications};
use crate::core::platform::secrets::ct_eq;

/// How long an export download link works.
pub const DOWNLOAD_TTL_S: i64 = 60;

pub(super) fn bearer(req: &Request) -> Option<&str> {
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

/// What a Management API route asks of its caller.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// A client-credentials token of a client with a grant for the Management API, holding one of
    /// these scopes (`core::access`).
    Scopes(&'static [&'static str]),
    /// The signed, expiring link is the credential (export downloads, like a pre-signed URL).
    SignedLink,
}

/// The operation behind a route.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
    ListUsers,
    CreateUser,
    GetUser,
    UpdateUser,
    DeleteUser,
    UsersByEmail,
    UnblockIdentifier,
    UnblockUser,
    ListConnections,
    CreateConnection,
    GetConnection,
    UpdateConnection,
    DeleteConnection,
    ListClients,
    CreateClient,
    GetClient,
    UpdateClient,
    DeleteClient,
    RotateSecret,
    ListGrants,
    CreateGrant,
    UpdateGrant,
    DeleteGrant,
    ListResourceServers,
    CreateResourceServer,
    GetResourceServer,
    UpdateResourceServer,
    Blocks,
    IpBlocked,
    UnblockIp,
    LegacyTest,
    PasswordChangeTicket,
    EmailVerificationTicket,
    VerificationEmail,
    DailyStats,
    ActiveUsers,
    Provisioning,
    Import,
    Export,
    Job,
    JobErrors,
    Download,
}

/// One Management API route: method, path under `/api/v2/` (`{id}` is one path segment), and
/// what the caller needs.
#[derive(Debug, Clone, Copy)]
pub struct Route {
    /// HTTP method.
    pub method: &'static str,
    /// Path pattern under `/api/v2/`.
    pub path: &'static str,
    /// Who may call it.
    pub access: Access,
    op: Op,
}

const fn route(method: &'static str, path: &'static str, access: Access, op: Op) -> Route {
    Route {
        method,
        path,
        access,
        op,
    }
}

const READ_USERS: Access = Access::Scopes(&["read:users"]);
const CREATE_USERS: Access = Access::Scopes(&["create:users"]);
const UPDATE_USERS: Access = Access::Scopes(&["update:users"]);
const DELETE_USERS: Access = Access::Scopes(&["delete:users"]);
const READ_STATS: Access = Access::Scopes(&["read:stats"]);
const JOBS: Access = Access::Scopes(&["create:users", "read:users"]);

/// The Management API's authorization in one table: every route and what its caller needs.
pub const ROUTES: &[Route] = &[
    route("GET", "users", READ_USERS, Op::ListUsers),
    route("POST", "users", CREATE_USERS, Op::CreateUser),
    route("GET", "users/{id}", READ_USERS, Op::GetUser),
    route("PATCH", "users/{id}", UPDATE_USERS, Op::UpdateUser),
    route("DELETE", "users/{id}", DELETE_USERS, Op::DeleteUser),
    route("GET", "users-by-email", READ_USERS, Op::UsersByEmail),
    route("DELETE", "user-blocks", UPDATE_USERS, Op::UnblockIdentifier),
    route("DELETE", "user-blocks/{id}", UPDATE_USERS, Op::UnblockUser),
    route(
        "GET",
        "connections",
        Access::Scopes(&["read:connections", "read:users"]),
        Op::ListConnections,
    ),
    route(
        "POST",
        "connections",
        Access::Scopes(&["create:connections"]),
        Op::CreateConnection,
    ),
    route(
        "GET",
        "connections/{id}",
        Access::Scopes(&["read:connections"]),
        Op::GetConnection,
    ),
    route(
        "PATCH",
        "connections/{id}",
        Access::Scopes(&["update:connections"]),
        Op::UpdateConnection,
    ),
    route(
        "DELETE",
        "connections/{id}",
        Access::Scopes(&["delete:connections"]),
        Op::DeleteConnection,
    ),
    route("GET", "clients", Access::Scopes(&["read:clients"]), Op::ListClients),
    route("POST", "clients", Access::Scopes(&["create:clients"]), Op::CreateClient),
    route("GET", "clients/{id}", Access::Scopes(&["read:clients"]), Op::GetClient),
    route(
        "PATCH",
        "clients/{id}",
        Access::Scopes(&["update:clients"]),
        Op::UpdateClient,
    ),
    route(
        "DELETE",
        "clients/{id}",
        Access::Scopes(&["delete:clients"]),
        Op::DeleteClient,
    ),
    route(
        "POST",
        "clients/{id}/rotate-secret",
        Access::Scopes(&["update:client_keys"]),
        Op::RotateSecret,
    ),
    route(
        "GET",
        "client-grants",
        Access::Scopes(&["read:client_grants"]),
        Op::ListGrants,
    ),
    route(
        "POST",
        "client-grants",
        Access::Scopes(&["create:client_grants"]),
        Op::CreateGrant,
    ),
    route(
        "PATCH",
        "client-grants/{id}",
        Access::Scopes(&["update:client_grants"]),
        Op::UpdateGrant,
    ),
    route(
        "DELETE",
        "client-grants/{id}",
        Access::Scopes(&["delete:client_grants"]),
        Op::DeleteGrant,
    ),
    route(
        "GET",
        "resource-servers",
        Access::Scopes(&["read:resource_servers"]),
        Op::ListResourceServers,
    ),
    route(
        "POST",
        "resource-servers",
        Access::Scopes(&["create:resource_servers"]),
        Op::CreateResourceServer,
    ),
    route(
        "GET",
        "resource-servers/{id}",
        Access::Scopes(&["read:resource_servers"]),
        Op::GetResourceServer,
    ),
    route(
        "PATCH",
        "resource-servers/{id}",
        Access::Scopes(&["update:resource_servers"]),
        Op::UpdateResourceServer,
    ),
    route("GET", "attack-protection/blocks", READ_USERS, Op::Blocks),
    route(
        "GET",
        "anomaly/blocks/ips/{id}",
        Access::Scopes(&["read:anomaly_blocks"]),
        Op::IpBlocked,
    ),
    route(
        "DELETE",
        "anomaly/blocks/ips/{id}",
        Access::Scopes(&["delete:anomaly_blocks"]),
        Op::UnblockIp,
    ),
    route(
        "POST",
        "connections/{id}/legacy-test",
        Access::Scopes(&["update:connections"]),
        Op::LegacyTest,
    ),
    route(
        "POST",
        "tickets/password-change",
        Access::Scopes(&["create:user_tickets"]),
        Op::PasswordChangeTicket,
    ),
    route(
        "POST",
        "tickets/email-verification",
        Access::Scopes(&["create:user_tickets"]),
        Op::EmailVerificationTicket,
    ),
    route("POST", "jobs/verification-email", UPDATE_USERS, Op::VerificationEmail),
    route("GET", "stats/daily", READ_STATS, Op::DailyStats),
    route("GET", "stats/active-users", READ_STATS, Op::ActiveUsers),
    route("GET", "stats/provisioning", READ_STATS, Op::Provisioning),
    route("POST", "jobs/users-imports", CREATE_USERS, Op::Import),
    route("POST", "jobs/users-exports", READ_USERS, Op::Export),
    route("GET", "jobs/{id}", JOBS, Op::Job),
    route("GET", "jobs/{id}/errors", JOBS, Op::JobErrors),
    route("GET", "jobs/{id}/download", Access::SignedLink, Op::Download),
];

/// `rest` (the path under `/api/v2/`) against a pattern: the `{id}` segment (`""` for a pattern
/// without one), or `None`.
pub(super) fn matches<'p>(pattern: &str, rest: &'p str) -> Option<&'p str> {
    let (mut pat, mut got) = (pattern.split('/'), rest.split('/'));
    let mut id = "";
    loop {
        match (pat.next(), got.next()) {
            (None, None) => return Some(id),
            (Some("{id}"), Some(seg)) if !seg.is_empty() => id = seg,
            (Some(p), Some(seg)) if p == seg => {}
            _ => return None,
        }
    }
}

/// What the route table says about a request.
pub(crate) enum Found<'r> {
    Route(&'static Route, &'r str),
    /// The path exists with other methods (the `Allow` header's value).
    WrongMethod(String),
    Nothing,
}

pub(crate) fn find<'r>(method: &str, rest: &'r str) -> Found<'r> {
    let mut allow: Vec<&str> = Vec::new();
    for r in ROUTES {
        if let Some(id) = matches(r.path, rest) {
            if r.method == method {
                return Found::Route(r, id);
            }
            allow.push(r.method);
        }
    }
    if allow.is_empty() {
        Found::Nothing
    } else {
        Found::WrongMethod(allow.join(", "))
    }
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

    /// Routes `/api/v2/*`; `None` when the path is not a Management API route. The caller is
    /// authenticated and authorized by the route's [`Access`] before anything else is read.
    pub(super) async fn management(&self, req: &Request) -> Option<Response> {
        let rest = req.path.strip_prefix("/api/v2/")?;
        if let Some(res) = self.members(req, rest).await {
            return Some(res);
        }
        let result = match find(&req.method, rest) {
            Found::Route(route, id) => self.management_route(req, route, id).await,
            Found::WrongMethod(allow) => {
                return Some(
                    WebError::MethodNotAllowed
                        .into_management_response()
                        .with_header("allow", &allow),
                )
            }
            Found::Nothing => Err(WebError::NotFound),
        };
        Some(result.unwrap_or_else(WebError::into_management_response))
    }

    async fn management_route(&self, req: &Request, route: &Route, id: &str) -> Result<Response, WebError> {
        match route.access {
            Access::Scopes(scopes) => access::authenticate(&self.core, bearer(req)).await?.require(scopes)?,
            Access::SignedLink => self.check_link(req, id)?,
        }
        let id = &percent_decode_str(id).decode_utf8_lossy();
        match route.op {
            Op::ListUsers => self.m_list_users(req).await,
            Op::CreateUser => self.m_create_user(req).await,
            Op::GetUser => self.m_get_user(id).await,
            Op::UpdateUser => self.m_update_user(req, id).await,
            Op::DeleteUser => self.m_delete_user(id).await,
            Op::UsersByEmail => self.m_users_by_email(req).await,
            Op::UnblockIdentifier => self.m_unblock(req, None).await,
            Op::UnblockUser => self.m_unblock(req, Some(id)).await,
            Op::ListConnections => self.m_connections(req).await,
            Op::CreateConnection => self.m_create_connection(req).await,
            Op::GetConnection => Ok(Response::json(
                200,
                &management::connections::get_connection(&self.core, id).await?,
            )),
            Op::UpdateConnection => self.m_update_connection(req, id).await,
            Op::DeleteConnection => {
                management::connections::delete_connection(&self.core, id).await?;
                Ok(no_content())
            }
            Op::ListClients => Ok(Response::json(200, &applications::list_clients(&self.core).await?)),
            Op::CreateClient => Ok(created(
                &applications::create_client(&self.core, &parse_json(req)?).await?,
            )),
            Op::GetClient => Ok(Response::json(200, &applications::get_client(&self.core, id).await?)),
            Op::UpdateClient => Ok(Response::json(
                200,
                &applications::update_client(&self.core, id, &parse_json(req)?).await?,
            )),
            Op::DeleteClient => {
                applications::delete_client(&self.core, id).await?;
                Ok(no_content())
            }
            Op::RotateSecret => Ok(Response::json(200, &applications::rotate_secret(&self.core, id).await?)),
            Op::ListGrants => {
                let (client, audience) = (query_param(req, "client_id"), query_param(req, "audience"));
                let list = applications::list_grants(&self.core, client.as_deref(), audience.as_deref()).await?;
                Ok(Response::json(200, &list))
            }
            Op::CreateGrant => Ok(created(
                &applications::create_grant(&self.core, &parse_json(req)?).await?,
            )),
            Op::UpdateGrant => Ok(Response::json(
                200,
                &applications::update_grant(&self.core, id, &parse_json(req)?).await?,
            )),
            Op::DeleteGrant => {
                applications::delete_grant(&self.core, id).await?;
                Ok(no_content())
            }
            Op::ListResourceServers => Ok(Response::json(
                200,
                &applications::list_resource_servers(&self.core).await?,
            )),
            Op::CreateResourceServer => Ok(created(
                &applications::write_resource_server(&self.core, None, &parse_json(req)?).await?,
            )),
            Op::GetResourceServer => Ok(Response::json(
                200,
                &applications::get_resource_server(&self.core, id).await?,
            )),
            Op::UpdateResourceServer => Ok(Response::json(
                200,
                &applications::write_resource_server(&self.core, Some(id), &parse_json(req)?).await?,
            )),
            Op::Blocks => {
                let list = crate::core::protection::attack::blocks(
                    self.core.db,
                    self.core.clock.now_ms(),
                    crate::core::directory::admins::ADMIN_CONNECTION_ID,
                )
                .await?;
                Ok(Response::json(200, &serde_json::json!({ "blocks": list })))
            }
            Op::IpBlocked => {
                if crate::core::protection::attack::ip_blocked(self.core.db, id, self.core.clock.now_ms()).await? {
                    Ok(no_content())
                } else {
                    Err(CoreError::NotFound("The IP is not blocked.".into()).into())
                }
            }
            Op::UnblockIp => {
                crate::core::protection::attack::unblock_ip(self.core.db, id).await?;
                Ok(no_content())
            }
            Op::LegacyTest => Ok(Response::json(
                200,
                &management::connections::legacy_test(&self.core, id, &parse_json(req)?).await?,
            )),
            Op::PasswordChangeTicket => Ok(created(
                &management::users::password_change_ticket(&self.core, &parse_json(req)?).await?,
            )),
            Op::EmailVerificationTicket => Ok(created(
                &management::users::email_verification_ticket(&self.core, &parse_json(req)?).await?,
            )),
            Op::VerificationEmail => Ok(created(
                &management::users::verification_email_job(&self.core, &parse_json(req)?).await?,
            )),
            Op::DailyStats => {
                let (from, to) = (query_param(req, "from"), query_param(req, "to"));
                Ok(Response::json(
                    200,
                    &stats::daily(&self.core, from.as_deref(), to.as_deref()).await?,
                ))
            }
            Op::ActiveUsers => Ok(Response::json(200, &stats::active_users(&self.core).await?)),
            Op::Provisioning => {
                let (from, to) = (query_param(req, "from"), query_param(req, "to"));
                Ok(Response::json(
                    200,
                    &stats::provisioning(&self.core, from.as_deref(), to.as_deref()).await?,
                ))
            }
            Op::Import => self.m_import(req).await,
            Op::Export => self.m_export(req).await,
            Op::Job => self.m_job(id).await,
            Op::JobErrors => self.m_job_errors(id).await,
            Op::Download => self.m_download(id).await,
        }
    }

    async fn m_list_users(&self, req: &Request) -> Result<Response, WebError> {
        let q: Vec<(String, String)> = url::form_urlencoded::parse(req.query.as_bytes()).into_owned().collect();
        Ok(Response::json(
            200,
            &management::users::list_users(&self.core, &q).await?,
        ))
    }

    async fn m_create_user(&self, req: &Request) -> Result<Response, WebError> {
        let body: Value = parse_json(req)?;
        Ok(created(&management::users::create_user(&self.core, &body).await?))
    }

    async fn m_get_user(&self, id: &str) -> Result<Response, WebError> {
        Ok(Response::json(200, &management::users::get_user(&self.core, id).await?))
    }

    async fn m_update_user(&self, req: &Request, id: &str) -> Result<Response, WebError> {
        let body: Value = parse_json(req)?;
        Ok(Response::json(
            200,
            &management::users::update_user(&self.core, id, &body).await?,
        ))
    }

    async fn m_delete_user(&self, id: &str) -> Result<Response, WebError> {
        management::users::delete_user(&self.core, id).await?;
        Ok(no_content())
    }

    async fn m_users_by_email(&self, req: &Request) -> Result<Response, WebError> {
        let email = query_param(req, "email").ok_or_else(|| CoreError::InvalidRequest("Missing email".into()))?;
        Ok(Response::json(
            200,
            &management::users::users_by_email(&self.core, &email).await?,
        ))
    }

    async fn m_unblock(&self, req: &Request, id: Option<&str>) -> Result<Response, WebError> {
        match id {
            Some(id) => management::users::unblock_user(&self.core, id).await?,
            None => {
                let identifier = query_param(req, "identifier")
                    .ok_or_else(|| CoreError::InvalidRequest("Missing identifier".into()))?;
                management::users::unblock_identifier(&self.core, &identifier).await?;
            }
        }
        Ok(no_content())
    }

    async fn m_create_connection(&self, req: &Request) -> Result<Response, WebError> {
        let body: Value = parse_json(req)?;
        Ok(created(
            &management::connections::create_connection(&self.core, &body).await?,
        ))
    }

    async fn m_update_connection(&self, req: &Request, id: &str) -> Result<Response, WebError> {
        let body: Value = parse_json(req)?;
        Ok(Response::json(
            200,
            &management::connections::update_connection(&self.core, id, &body).await?,
        ))
    }

    async fn m_connections(&self, req: &Request) -> Result<Response, WebError> {
        let (name, strategy) = (query_param(req, "name"), query_param(req, "strategy"));
        let list = management::connections::connections(&self.core, name.as_deref(), strategy.as_deref()).await?;
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
    /// send_completion_email). The users file is split into stored chunks as it arrives (the
    /// Worker streams the body), so no copy of the whole file is ever held; up to
    /// [`MAX_IMPORT_BYTES`] per request.
    async fn m_import(&self, req: &Request) -> Result<Response, WebError> {
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
                    "connection_id" => opts.connection_id = field.text().await.map_err(bad)?,
                    "upsert" => opts.upsert = field.text().await.map_err(bad)? == "true",
                    "external_id" => {
                        opts.external_id = Some(field.text().await.map_err(bad)?).filter(|s| !s.is_empty())
                    }
                    "send_completion_email" => opts.send_completion_email = field.text().await.map_err(bad)? == "true",
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
        Ok(created(&upload.finish(opts).await?))
    }

    async fn m_export(&self, req: &Request) -> Result<Response, WebError> {
        let body: ExportRequest = parse_json(req)?;
        Ok(created(&jobs::create_export(&self.core, self.jobs.queue, body).await?))
    }

    async fn m_job(&self, id: &str) -> Result<Response, WebError> {
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

    async fn m_job_errors(&self, id: &str) -> Result<Response, WebError> {
        Ok(Response::json(200, &jobs::job_errors(&self.core, id).await?))
    }

    /// The signed link is the credential: no bearer token (like a pre-signed storage URL).
    fn check_link(&self, req: &Request, id: &str) -> Result<(), WebError> {
        let expires: i64 = query_param(req, "expires").and_then(|e| e.parse().ok()).unwrap_or(0);
        let sig = query_param(req, "sig").unwrap_or_default();
        let expected = Self::link_sig(&self.link_key()?, id, expires);
        if expires < self.core.clock.now_ms() / 1000 || !ct_eq(sig.as_bytes(), expected.as_bytes()) {
            return Err(CoreError::Unauthorized("The download link is invalid or expired".into()).into());
        }
        Ok(())
    }

    async fn m_download(&self, id: &str) -> Result<Response, WebError> {
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
