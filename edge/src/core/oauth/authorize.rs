//! `/authorize`: Universal Login, sessions, authorization codes and implicit responses.
//!
//! ```text
//! GET /authorize ──validate──▶ client + redirect_uri exact match? ──no──▶ error page (never redirect)
//!      │ yes (later errors go back to redirect_uri with `state`)
//!      ├─ login_ticket (embedded login) ─▶ consume ticket (only in the browser it was issued to:
//!      │                                     `tg_browser` cookie) ─▶ new session ─▶ complete
//!      ├─ valid session, no prompt=login, max_age ok ─▶ complete
//!      ├─ prompt=none ─▶ error login_required
//!      └─ else ─▶ transaction stored ─▶ hosted page (the widget)
//!                      POST /u/login {tx, username, password} ─▶ new session (cookie)
//!                      GET /authorize/resume?tx= ─▶ complete (only with a login newer than the tx)
//! complete: code ─▶ single-use code (2 min) bound to client, redirect_uri, PKCE challenge
//!           token / id_token ─▶ tokens in the fragment
//! delivered by response_mode: query | fragment | form_post | web_message
//! ```
//! Sessions are a random cookie value whose SHA-256 is stored; they last 30 days at most and 3 days
//! idle. Public clients must use PKCE with `S256` for the code flow (`plain` is refused for them).

use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::core::directory::tenant::GrantType;
use crate::core::directory::tenant::{self, Client};
use crate::core::directory::users::{self};
use crate::core::error::{CoreError, CoreResult};
use crate::core::oauth::delivery::{
    error_delivery, page_error, AuthorizeResult, Delivery, Outcome, ResponseMode, ResponseType,
};
use crate::core::oauth::grants::{issue_user_tokens, UserGrant};
use crate::core::oauth::sessions::{consume_login_ticket, create_session, serves, session, Browser, Fit, Session};
use crate::core::oauth::tokens::Signer;
use crate::core::platform::db::{columns, query_one, Stmt};
use crate::core::platform::secrets::sha256_hex;
use crate::core::Core;

/// How long a login transaction waits on the hosted page.
pub const TX_TTL_MS: i64 = 60 * 60 * 1000;
/// Authorization code lifetime.
pub const CODE_TTL_MS: i64 = 2 * 60 * 1000;
/// A validated authorization request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuthorizeRequest {
    /// Client id.
    pub client_id: String,
    /// Exactly one of the client's callbacks.
    pub redirect_uri: String,
    /// What to return.
    pub response_type: ResponseType,
    /// How to return it.
    pub response_mode: ResponseMode,
    /// Echoed back.
    pub state: Option<String>,
    /// Echoed in the ID token.
    pub nonce: Option<String>,
    /// Granted scopes (requested ∩ supported).
    pub scope: Vec<String>,
    /// API identifier.
    pub audience: Option<String>,
    /// PKCE challenge.
    pub code_challenge: Option<String>,
    /// `S256` or `plain`.
    pub code_challenge_method: Option<String>,
    /// `none` or `login` (others are treated as absent).
    pub prompt: Option<String>,
    /// Maximum authentication age in seconds.
    pub max_age: Option<i64>,
    /// Connection to use.
    pub connection: Option<String>,
    /// Preferred languages for the page.
    pub ui_locales: Option<String>,
    /// `signup` opens the sign-up screen.
    pub screen_hint: Option<String>,
    /// Prefilled identifier.
    pub login_hint: Option<String>,
}

fn param<'a>(q: &'a [(String, String)], k: &str) -> Option<&'a str> {
    q.iter()
        .find(|(key, _)| key == k)
        .map(|(_, v)| v.as_str())
        .filter(|v| !v.is_empty())
}

/// Validates an authorization request. `Err` carries the outcome to show instead.
pub async fn validate(
    core: &Core<'_>,
    q: &[(String, String)],
) -> CoreResult<Result<(Client, AuthorizeRequest), Outcome>> {
    let Some(client_id) = param(q, "client_id") else {
        return Ok(Err(page_error(
            "invalid_request",
            "Missing required parameter: client_id",
        )));
    };
    let Some(client) = tenant::client(core.db, client_id).await? else {
        return Ok(Err(page_error("invalid_client", "Unknown client")));
    };
    let Some(redirect_uri) = param(q, "redirect_uri") else {
        return Ok(Err(page_error(
            "invalid_request",
            "Missing required parameter: redirect_uri",
        )));
    };
    if !client.callbacks.iter().any(|c| c == redirect_uri) {
        return Ok(Err(page_error(
            "invalid_request",
            "The redirect_uri is not in the application's Allowed Callback URLs",
        )));
    }
    let response_type = param(q, "response_type").and_then(ResponseType::parse);
    let mode_param = param(q, "response_mode");
    let mut req = AuthorizeRequest {
        client_id: client.client_id.clone(),
        redirect_uri: redirect_uri.to_owned(),
        response_type: response_type.unwrap_or(ResponseType::Code),
        response_mode: mode_param.and_then(ResponseMode::parse).unwrap_or(ResponseMode::Query),
        state: param(q, "state").map(str::to_owned),
        nonce: param(q, "nonce").map(str::to_owned),
        scope: Vec::new(),
        audience: param(q, "audience").map(str::to_owned),
        code_challenge: param(q, "code_challenge").map(str::to_owned),
        code_challenge_method: param(q, "code_challenge_method").map(str::to_owned),
        prompt: param(q, "prompt").map(str::to_owned),
        max_age: param(q, "max_age")
            .and_then(|m| m.parse().ok())
            .filter(|m: &i64| *m >= 0),
        connection: param(q, "connection").map(str::to_owned),
        ui_locales: param(q, "ui_locales").map(str::to_owned),
        screen_hint: param(q, "screen_hint").map(str::to_owned),
        login_hint: param(q, "login_hint").map(str::to_owned),
    };
    if mode_param.is_none() && req.response_type != ResponseType::Code {
        req.response_mode = ResponseMode::Fragment;
    }
    // From here on the redirect URI is trusted: errors go back to it.
    if response_type.is_none() {
        return Ok(Err(error_delivery(
            &req,
            "unsupported_response_type",
            "Unsupported response type",
        )));
    }
    if mode_param.is_some_and(|m| ResponseMode::parse(m).is_none()) {
        return Ok(Err(error_delivery(
            &req,
            "invalid_request",
            "Unsupported response_mode",
        )));
    }
    // Tokens never travel in a query string (logs, Referer, history): the error itself goes back
    // in the fragment.
    if req.response_type != ResponseType::Code && req.response_mode == ResponseMode::Query {
        req.response_mode = ResponseMode::Fragment;
        return Ok(Err(error_delivery(
            &req,
            "invalid_request",
            "response_mode=query is not allowed with token or id_token responses",
        )));
    }
    let grant = match req.response_type {
        ResponseType::Code => "authorization_code",
        _ => "implicit",
    };
    if !client.grant_types.iter().any(|g| g == grant) {
        return Ok(Err(error_delivery(
            &req,
            "unauthorized_client",
            &format!("Grant type '{grant}' not allowed for the client."),
        )));
    }
    if req.response_type == ResponseType::Code {
        match (
            req.code_challenge.as_deref(),
            req.code_challenge_method.as_deref().unwrap_or("plain"),
        ) {
            (None, _) if client.is_public => {
                return Ok(Err(error_delivery(
                    &req,
                    "invalid_request",
                    "Public clients must use PKCE (code_challenge)",
                )))
            }
            (Some(_), "plain") if client.is_public => {
                return Ok(Err(error_delivery(
                    &req,
                    "invalid_request",
                    "code_challenge_method plain is not allowed for public clients",
                )))
            }
            (Some(c), m) if !matches!(m, "S256" | "plain") || c.len() < 43 || c.len() > 128 => {
                return Ok(Err(error_delivery(
                    &req,
                    "invalid_request",
                    "Invalid code_challenge or code_challenge_method",
                )))
            }
            _ => {}
        }
    } else if matches!(req.response_type, ResponseType::IdToken | ResponseType::IdTokenToken) && req.nonce.is_none() {
        return Ok(Err(error_delivery(
            &req,
            "invalid_request",
            "nonce is required for id_token responses",
        )));
    }
    // The console (a public client: code + PKCE, checked above) is the one user-facing path to
    // the Management API; whether the user who signs in is a member is decided at the code
    // exchange (`codes`).
    let console_code =
        req.client_id == crate::core::directory::admins::CONSOLE_CLIENT_ID && req.response_type == ResponseType::Code;
    if !console_code {
        if let Err(CoreError::AccessDenied(d)) =
            crate::core::oauth::audiences::refuse_management_audience(core, req.audience.as_deref())
        {
            return Ok(Err(error_delivery(&req, "access_denied", &d)));
        }
    }
    let api = match req.audience.as_deref() {
        Some(a) => match crate::core::oauth::grants::find_resource_server(core, a).await? {
            Some(api) => Some(api),
            None => {
                return Ok(Err(error_delivery(
                    &req,
                    "access_denied",
                    &format!("Service not found: {a}"),
                )))
            }
        },
        None => None,
    };
    let requested = param(q, "scope").unwrap_or("openid");
    req.scope = crate::core::oauth::grants::granted_scopes(Some(requested), api.as_ref(), true)
        .into_iter()
        .filter(|s| s != "offline_access" || client.allows(GrantType::RefreshToken))
        .collect();
    if console_code {
        // The owner-only scopes (members) are no resource server's: the console may ask for them,
        // and the code exchange keeps them only for an owner (`admins::token_scopes`).
        let owner_only = crate::core::oauth::tokens::split_scope(requested)
            .into_iter()
            .filter(|s| crate::core::directory::admins::OWNER_SCOPES.contains(&s.as_str()));
        req.scope.extend(owner_only);
    }
    Ok(Ok((client, req)))
}

/// What an authorization code or refresh token grants.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StoredGrant {
    /// Scopes.
    pub scope: Vec<String>,
    /// API identifier.
    pub audience: Option<String>,
    /// ID token nonce.
    pub nonce: Option<String>,
    /// Authentication time (epoch seconds).
    pub auth_time: i64,
    /// PKCE challenge.
    pub code_challenge: Option<String>,
    /// PKCE method.
    pub code_challenge_method: Option<String>,
    /// The session's `amr` (`["mfa"]` after a second factor).
    #[serde(default)]
    pub amr: Vec<String>,
}

/// Completes an authorization for a logged-in user: a code, or tokens in the fragment.
pub async fn complete(
    core: &Core<'_>,
    signer: &dyn Signer,
    client: &Client,
    req: &AuthorizeRequest,
    session: &Session,
) -> CoreResult<Outcome> {
    let Some(user) = users::by_id(core.db, &session.user_id).await? else {
        return Ok(error_delivery(req, "login_required", "Login required"));
    };
    if user.blocked {
        return Ok(error_delivery(req, "unauthorized", "user is blocked"));
    }
    let mut params: Vec<(String, String)> = Vec::new();
    match req.response_type {
        ResponseType::Code => {
            let code = core.random_token()?;
            let grant = StoredGrant {
                scope: req.scope.clone(),
                audience: req.audience.clone(),
                nonce: req.nonce.clone(),
                auth_time: session.auth_time,
                code_challenge: req.code_challenge.clone(),
                code_challenge_method: req.code_challenge_method.clone(),
                amr: session.amr.clone(),
            };
            core.db
                .execute(
                    Stmt::new(
                        "INSERT INTO auth_codes (code_hash, client_id, user_id, redirect_uri, grant, expires_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                    )
                    .bind(sha256_hex(code.as_bytes()))
                    .bind(&client.client_id)
                    .bind(&user.user_id)
                    .bind(&req.redirect_uri)
                    .bind(json!(grant).to_string())
                    .bind(core.clock.now_ms() + CODE_TTL_MS),
                )
                .await?;
            params.push(("code".into(), code));
        }
        rt => {
            let api = crate::core::oauth::grants::user_api(core, req.audience.as_deref()).await?;
            let amr: Vec<&str> = session.amr.iter().map(String::as_str).collect();
            let tokens = issue_user_tokens(
                core,
                signer,
                &UserGrant {
                    client,
                    user: &user,
                    scopes: &req.scope,
                    api: api.as_ref(),
                    gty: None,
                    nonce: req.nonce.as_deref(),
                    auth_time: Some(session.auth_time),
                    amr: &amr,
                },
            )
            .await?;
            if matches!(rt, ResponseType::Token | ResponseType::IdTokenToken) {
                params.push(("access_token".into(), tokens.access_token));
                params.push(("token_type".into(), "Bearer".into()));
                params.push(("expires_in".into(), tokens.expires_in.to_string()));
                if let Some(s) = tokens.scope {
                    params.push(("scope".into(), s));
                }
            }
            if matches!(rt, ResponseType::IdToken | ResponseType::IdTokenToken) {
                if let Some(id) = tokens.id_token {
                    params.push(("id_token".into(), id));
                }
            }
        }
    }
    if let Some(s) = &req.state {
        params.push(("state".into(), s.clone()));
    }
    Ok(Outcome::Deliver(Delivery {
        redirect_uri: req.redirect_uri.clone(),
        mode: req.response_mode,
        params,
    }))
}

fn session_fits(req: &AuthorizeRequest, s: &Session, now_s: i64) -> bool {
    req.prompt.as_deref() != Some("login") && req.max_age.is_none_or(|max| now_s - s.auth_time <= max)
}

/// `GET /authorize`.
pub async fn authorize(
    core: &Core<'_>,
    signer: &dyn Signer,
    q: &[(String, String)],
    browser: Browser<'_>,
) -> CoreResult<AuthorizeResult> {
    let cookie = browser.session;
    let (client, req) = match validate(core, q).await? {
        Ok(v) => v,
        Err(outcome) => {
            return Ok(AuthorizeResult {
                outcome,
                new_session: None,
            })
        }
    };
    let now_s = core.clock.now_ms() / 1000;
    if let Some(ticket) = param(q, "login_ticket") {
        let consumed = consume_login_ticket(core, &client.client_id, ticket, browser.sent_binding()).await?;
        let Some(t) = consumed else {
            return Ok(AuthorizeResult {
                outcome: error_delivery(&req, "access_denied", "Invalid or expired login_ticket"),
                new_session: None,
            });
        };
        let token = create_session(core, &t.user_id, &t.connection_id, t.auth_time).await?;
        let session = Session {
            id_hash: sha256_hex(token.as_bytes()),
            user_id: t.user_id,
            connection_id: t.connection_id,
            auth_time: t.auth_time,
            amr: Vec::new(),
        };
        let outcome = complete(core, signer, &client, &req, &session).await?;
        return Ok(AuthorizeResult {
            outcome,
            new_session: Some(token),
        });
    }
    let mut needs_mfa = None;
    if let Some(mut s) = session(core, cookie).await? {
        if session_fits(&req, &s, now_s) {
            match serves(core, &mut s, &client.client_id, browser.remembered).await? {
                Fit::Serves => {
                    return Ok(AuthorizeResult {
                        outcome: complete(core, signer, &client, &req, &s).await?,
                        new_session: None,
                    })
                }
                Fit::NeedsMfa => needs_mfa = Some(s),
                Fit::No => {}
            }
        }
    }
    if req.prompt.as_deref() == Some("none") {
        let description = if needs_mfa.is_some() {
            "Multifactor authentication required"
        } else {
            "Login required"
        };
        return Ok(AuthorizeResult {
            outcome: error_delivery(&req, "login_required", description),
            new_session: None,
        });
    }
    let tx = core.random_token()?;
    let now = core.clock.now_ms();
    core.db
        .execute(
            Stmt::new(
                "INSERT INTO authorize_tx (id, client_id, request, created_at, expires_at) VALUES (?1, ?2, ?3, ?4, ?5)",
            )
            .bind(&tx)
            .bind(&client.client_id)
            .bind(json!(req).to_string())
            .bind(now)
            .bind(now + TX_TTL_MS),
        )
        .await?;
    // `connection=` naming a federated connection skips this page (`federation::round_trip::direct`).
    let mfa = match needs_mfa {
        Some(s) => second_factor(core, &client, &tx, &s).await?,
        None => None,
    };
    Ok(AuthorizeResult {
        outcome: Outcome::LoginPage {
            tx,
            request: Box::new(req),
            mfa,
        },
        new_session: None,
    })
}

/// The second factor a session that passed only the first must add before transaction `tx`
/// completes: the login page opens at it, for the session's user.
async fn second_factor(
    core: &Core<'_>,
    client: &Client,
    tx: &str,
    s: &Session,
) -> CoreResult<Option<Box<shared::wire::MfaStep>>> {
    let Some(user) = users::by_id(core.db, &s.user_id).await? else {
        return Ok(None);
    };
    Ok(crate::core::mfa::gate::hosted_step(core, client, &user, tx, None)
        .await?
        .map(Box::new))
}

/// A stored login transaction.
#[derive(Debug, Clone)]
pub struct Transaction {
    /// The application.
    pub client: Client,
    /// The validated request.
    pub request: AuthorizeRequest,
    /// When `/authorize` stored it (ms).
    pub created_at: i64,
}

/// A stored transaction.
pub async fn transaction(core: &Core<'_>, tx: &str) -> CoreResult<Transaction> {
    #[derive(Deserialize)]
    struct Row {
        request: String,
        #[serde(deserialize_with = "columns::int")]
        created_at: i64,
    }
    let row: Option<Row> = query_one(
        core.db,
        Stmt::new("SELECT request, created_at FROM authorize_tx WHERE id = ?1 AND expires_at > ?2")
            .bind(tx)
            .bind(core.clock.now_ms()),
    )
    .await?;
    let expired = || CoreError::InvalidRequest("The login transaction expired. Please start again.".into());
    let row = row.ok_or_else(expired)?;
    let request: AuthorizeRequest = serde_json::from_str(&row.request).map_err(|_| expired())?;
    let client = tenant::client(core.db, &request.client_id)
        .await?
        .ok_or(CoreError::UnknownClient)?;
    Ok(Transaction {
        client,
        request,
        created_at: row.created_at,
    })
}

/// A hosted-page login: the session cookie's value, the URL that finishes the authorization, and
/// who logged in where.
#[derive(Debug)]
pub struct LoggedIn {
    /// The new session's cookie value.
    pub token: String,
    /// `/authorize/resume?tx=`.
    pub redirect: String,
    /// The user.
    pub user: crate::core::directory::users::User,
    /// The connection.
    pub connection: crate::core::directory::tenant::Connection,
}

/// What a hosted password login leads to.
#[derive(Debug)]
pub enum Login {
    /// A session.
    Done(Box<LoggedIn>),
    /// The tenant asks for a second factor first.
    Mfa(shared::wire::MfaStep),
}

/// `POST /u/login`: checks credentials for a transaction and opens a session (or asks for a
/// second factor first).
pub async fn login(
    core: &Core<'_>,
    tx: &str,
    username: &str,
    password: &str,
    realm: Option<&str>,
    ip: &str,
    remembered: Option<&str>,
) -> CoreResult<Login> {
    let Transaction {
        client, request: req, ..
    } = transaction(core, tx).await?;
    core.events.note_client(&client.client_id, &client.name);
    let name = match realm.or(req.connection.as_deref()) {
        Some(n) => n.to_owned(),
        None => tenant::client_connections(core.db, &client.client_id)
            .await?
            .into_iter()
            .find(|c| c.strategy == crate::core::directory::tenant::Strategy::Auth0)
            .map(|c| c.name)
            .ok_or_else(|| {
                CoreError::InvalidRequest("No database connection is enabled for this application.".into())
            })?,
    };
    let conn = crate::core::directory::tenant::resolve_connection(core.db, Some(&client.client_id), &name).await?;
    let user = crate::core::oauth::grants::check_credentials(
        core,
        &conn,
        username,
        password,
        crate::core::oauth::grants::Origin { ip },
    )
    .await?;
    if let Some(step) = crate::core::mfa::gate::hosted_step(core, &client, &user, tx, remembered).await? {
        return Ok(Login::Mfa(step));
    }
    let token = create_session(core, &user.user_id, &conn.id, core.clock.now_ms() / 1000).await?;
    Ok(Login::Done(Box::new(LoggedIn {
        token,
        redirect: format!("{}authorize/resume?tx={tx}", core.settings.issuer),
        user,
        connection: conn,
    })))
}

/// A session for `user` on the transaction `tx` after its second factor; the cookie value and
/// the way back (`/authorize/resume`).
pub async fn logged_in(
    core: &Core<'_>,
    tx: &str,
    user: &crate::core::directory::users::User,
) -> CoreResult<(String, String)> {
    transaction(core, tx).await?;
    let now_s = core.clock.now_ms() / 1000;
    let token =
        crate::core::oauth::sessions::create_mfa_session(core, &user.user_id, &user.connection_id, now_s).await?;
    Ok((token, format!("{}authorize/resume?tx={tx}", core.settings.issuer)))
}

/// `GET /authorize/resume?tx=`: finishes a transaction with a session that logged in *after* the
/// transaction began — an older session cannot satisfy `prompt=login` or `max_age` (it would have
/// finished at `/authorize` otherwise).
pub async fn resume(
    core: &Core<'_>,
    signer: &dyn Signer,
    tx: &str,
    cookie: Option<&str>,
    remembered: Option<&str>,
) -> CoreResult<Outcome> {
    let t = match transaction(core, tx).await {
        Ok(v) => v,
        Err(CoreError::InvalidRequest(msg)) => return Ok(page_error("invalid_request", &msg)),
        Err(e) => return Err(e),
    };
    let mut session = session(core, cookie)
        .await?
        .filter(|s| s.auth_time >= t.created_at / 1000);
    let fit = match &mut session {
        Some(s) => serves(core, s, &t.client.client_id, remembered).await?,
        None => Fit::No,
    };
    let s = match (fit, session) {
        (Fit::Serves, Some(s)) => s,
        // A provider's login (or one before the policy) still owes its second factor.
        (Fit::NeedsMfa, Some(s)) => {
            let mfa = second_factor(core, &t.client, tx, &s).await?;
            return Ok(Outcome::LoginPage {
                tx: tx.to_owned(),
                request: Box::new(t.request),
                mfa,
            });
        }
        _ => return Ok(error_delivery(&t.request, "login_required", "Login required")),
    };
    core.db
        .execute(Stmt::new("DELETE FROM authorize_tx WHERE id = ?1").bind(tx))
        .await?;
    complete(core, signer, &t.client, &t.request, &s).await
}

#[cfg(test)]
mod tests {
    use crate::core::oauth::delivery::ResponseType;
    use crate::core::oauth::pkce::pkce_ok;

    #[test]
    fn pkce_s256_matches_rfc7636_example() {
        let verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
        let challenge = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";
        assert!(pkce_ok(challenge, Some("S256"), verifier));
        assert!(!pkce_ok(
            challenge,
            Some("S256"),
            "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXX"
        ));
        assert!(!pkce_ok(challenge, Some("plain"), verifier));
        assert!(!pkce_ok("short", Some("plain"), "short"), "verifier too short");
    }

    #[test]
    fn response_types() {
        assert_eq!(ResponseType::parse("token id_token"), Some(ResponseType::IdTokenToken));
        assert_eq!(ResponseType::parse("code"), Some(ResponseType::Code));
        assert_eq!(ResponseType::parse("code id_token"), None);
    }
}
