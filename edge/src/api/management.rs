//! The Management API (`/api/v2/...`): a bearer token for `{issuer}api/v2/` whose scopes are
//! checked on every call; errors in the Management API's shape `{statusCode, error, message,
//! errorCode}`. Bodies and answers are the types of `shared::management`: a body is parsed in one
//! place ([`body`]), so one that does not fit its type gets one precise 400 naming the property.
//! The operations are in `management/ops.rs`; jobs (the streamed import upload, the signed export
//! links, valid for 60 seconds) in `management/jobs.rs`.

pub(crate) mod jobs;
mod ops;

use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::Value;

use super::errors::WebError;
use super::http::{Request, Response};
use super::{parse_json, App};

pub use jobs::DOWNLOAD_TTL_S;

pub(super) fn bearer(req: &Request) -> Option<&str> {
    let v = req.header("authorization")?;
    v.strip_prefix("Bearer ")
        .or_else(|| v.strip_prefix("bearer "))
        .map(str::trim)
}

/// A request body as its `shared::management` type. A body that is not JSON keeps the HTTP
/// layer's answer (413, 415, `Invalid JSON body`); one that does not fit the type gets
/// `Payload validation error: '…' on property …` (Auth0's words), with the property's path.
pub(crate) fn body<T: DeserializeOwned>(req: &Request) -> Result<T, WebError> {
    let json: Value = parse_json(req)?;
    serde_path_to_error::deserialize(json).map_err(|e| {
        let path = e.path().to_string();
        WebError::InvalidBody(shared::management::errors::payload_error(
            &path,
            &e.into_inner().to_string(),
        ))
    })
}

/// `200` with the answer.
fn ok<T: Serialize>(v: &T) -> Response {
    Response::json(200, v)
}

/// `201` with what was created.
fn created<T: Serialize>(v: &T) -> Response {
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
    /// Such a token holding every one of these scopes.
    AllScopes(&'static [&'static str]),
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
    ListFactors,
    SetFactor,
    GetPolicies,
    SetPolicies,
    ResetAuthenticators,
    GetRememberBrowser,
    SetRememberBrowser,
    InvalidateRememberBrowser,
    ListLogs,
    GetLog,
    UserLogs,
    ListLogStreams,
    CreateLogStream,
    GetLogStream,
    UpdateLogStream,
    DeleteLogStream,
    ListHooks,
    CreateHook,
    GetHook,
    UpdateHook,
    DeleteHook,
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
const READ_LOGS: Access = Access::Scopes(&["read:logs"]);
const READ_LOG_STREAMS: Access = Access::Scopes(&["read:log_streams"]);
const READ_HOOKS: Access = Access::Scopes(&["read:hooks"]);

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
    route(
        "GET",
        "guardian/factors",
        Access::Scopes(&["read:guardian_factors"]),
        Op::ListFactors,
    ),
    route(
        "PUT",
        "guardian/factors/{id}",
        Access::Scopes(&["update:guardian_factors"]),
        Op::SetFactor,
    ),
    route(
        "GET",
        "guardian/policies",
        Access::Scopes(&["read:mfa_policies"]),
        Op::GetPolicies,
    ),
    route(
        "PUT",
        "guardian/policies",
        Access::Scopes(&["update:mfa_policies"]),
        Op::SetPolicies,
    ),
    route(
        "GET",
        "guardian/remember-browser",
        Access::Scopes(&["read:mfa_policies"]),
        Op::GetRememberBrowser,
    ),
    route(
        "PUT",
        "guardian/remember-browser",
        Access::Scopes(&["update:mfa_policies"]),
        Op::SetRememberBrowser,
    ),
    route(
        "POST",
        "users/{id}/multifactor/actions/invalidate-remember-browser",
        UPDATE_USERS,
        Op::InvalidateRememberBrowser,
    ),
    route(
        "DELETE",
        "users/{id}/authenticators",
        Access::Scopes(&["delete:guardian_enrollments"]),
        Op::ResetAuthenticators,
    ),
    route("GET", "logs", READ_LOGS, Op::ListLogs),
    route("GET", "logs/{id}", READ_LOGS, Op::GetLog),
    route(
        "GET",
        "users/{id}/logs",
        Access::AllScopes(&["read:logs", "read:users"]),
        Op::UserLogs,
    ),
    route("GET", "log-streams", READ_LOG_STREAMS, Op::ListLogStreams),
    route(
        "POST",
        "log-streams",
        Access::Scopes(&["create:log_streams"]),
        Op::CreateLogStream,
    ),
    route("GET", "log-streams/{id}", READ_LOG_STREAMS, Op::GetLogStream),
    route(
        "PATCH",
        "log-streams/{id}",
        Access::Scopes(&["update:log_streams"]),
        Op::UpdateLogStream,
    ),
    route(
        "DELETE",
        "log-streams/{id}",
        Access::Scopes(&["delete:log_streams"]),
        Op::DeleteLogStream,
    ),
    route("GET", "hooks", READ_HOOKS, Op::ListHooks),
    route("POST", "hooks", Access::Scopes(&["create:hooks"]), Op::CreateHook),
    route("GET", "hooks/{id}", READ_HOOKS, Op::GetHook),
    route("PATCH", "hooks/{id}", Access::Scopes(&["update:hooks"]), Op::UpdateHook),
    route(
        "DELETE",
        "hooks/{id}",
        Access::Scopes(&["delete:hooks"]),
        Op::DeleteHook,
    ),
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
    /// Routes `/api/v2/*`; `None` when the path is not a Management API route. The caller is
    /// authenticated and authorized by the route's [`Access`] before anything else is read.
    pub(super) async fn management(&self, req: &Request) -> Option<Response> {
        let rest = req.path.strip_prefix("/api/v2/")?;
        let res = self.management_answer(req, rest).await;
        super::logs::record_api_write(&self.core, req, &res);
        Some(res)
    }

    async fn management_answer(&self, req: &Request, rest: &str) -> Response {
        if let Some(res) = self.members(req, rest).await {
            return res;
        }
        if let Some(res) = self.user_methods(req, rest).await {
            return res;
        }
        let result = match find(&req.method, rest) {
            Found::Route(route, id) => self.management_route(req, route, id).await,
            Found::WrongMethod(allow) => {
                return WebError::MethodNotAllowed
                    .into_management_response()
                    .with_header("allow", &allow)
            }
            Found::Nothing => Err(WebError::NotFound),
        };
        result.unwrap_or_else(WebError::into_management_response)
    }
}
