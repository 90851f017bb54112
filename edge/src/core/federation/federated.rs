//! Sign-up and login with accounts people already have: `google-oauth2`, `facebook`, `oidc` (any
//! OpenID Connect provider, found by discovery) and `oauth2` (any OAuth 2.0 provider: authorization,
//! token and profile URLs plus an attribute mapping).
//!
//! ```text
//! /authorize?connection=NAME ──► start(): state, nonce, PKCE verifier stored (10 min, single use),
//!        bound to the browser's `tg_browser` cookie (the callback must come from that browser)
//!        └─► provider /authorize?response_type=code&state&nonce&code_challenge(S256)&redirect_uri={issuer}login/callback
//! /login/callback?code&state ──► callback(): state consumed → code exchanged (client secret from a
//!        Worker secret, code_verifier) → OIDC: ID token verified against the provider's JWKS
//!        (signature, iss, aud, exp, nonce) | OAuth 2.0: profile URL with the access token
//!        → profile mapped → identity found, linked or signed up → session → /authorize/resume
//! ```
//! Users get `sub` = `{strategy}|{connection}|{provider user id}` (`{strategy}|{provider user id}`
//! for a social connection named after its strategy, as Auth0) and a normalized profile; the raw provider
//! profile stays in `identities.profile_data`. Linking by email is off unless the connection sets
//! `link_by_email`, and then only links when the provider *and* the existing account have a
//! verified email. Provider errors go back to the application as Auth0-shaped `/authorize` errors.

use jsonwebtoken::jwk::JwkSet;
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde::Deserialize;
use serde_json::{json, Map, Value};
use sha2::{Digest, Sha256};

use crate::core::directory::users::{self, NewUser, User};
use crate::core::error::{CoreError, CoreResult};
use crate::core::federation::provider_http::{self, fetch_json, get, PROVIDER_TIMEOUT_MS};
use crate::core::oauth::authorize::{self, Outcome};
use crate::core::platform::db::{decode, query_one, Stmt};
use crate::core::platform::outbound::OutboundRequest;
use crate::core::platform::secrets::{b64url, sha256_hex};
use crate::core::protection::attack;
use crate::core::Core;

/// The federated strategies.
pub const STRATEGIES: [&str; 4] = ["google-oauth2", "facebook", "oidc", "oauth2"];

/// Whether `strategy` is a federated one.
pub fn is_federated(strategy: &str) -> bool {
    STRATEGIES.contains(&strategy)
}

const STATE_TTL_MS: i64 = 10 * 60 * 1000;

/// `scope` as a string or a list.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(untagged)]
pub enum Scope {
    /// `"openid email"`.
    Text(String),
    /// `["openid", "email"]`.
    List(Vec<String>),
}

/// A federated connection's options (Auth0-like names). The client secret is never stored here:
/// `client_secret_env` names the Worker secret that holds it.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub struct FederatedOptions {
    /// Our client id at the provider.
    #[serde(default)]
    pub client_id: String,
    /// Name of the Worker secret with the client secret.
    #[serde(default)]
    pub client_secret_env: Option<String>,
    /// Scopes to ask for (a per-strategy default otherwise).
    #[serde(default)]
    pub scope: Option<Scope>,
    /// OIDC issuer (`https://accounts.google.com` for `google-oauth2`).
    #[serde(default)]
    pub issuer: Option<String>,
    /// Discovery document URL (default `{issuer}/.well-known/openid-configuration`).
    #[serde(default)]
    pub discovery_url: Option<String>,
    /// Overrides (or, for `oauth2`, the configuration).
    #[serde(default)]
    pub authorization_endpoint: Option<String>,
    /// Token endpoint.
    #[serde(default)]
    pub token_endpoint: Option<String>,
    /// OIDC key set.
    #[serde(default)]
    pub jwks_uri: Option<String>,
    /// OAuth 2.0 profile URL, called with the access token.
    #[serde(default)]
    pub profile_url: Option<String>,
    /// OAuth 2.0 attribute mapping: our attribute → dotted path in the profile (or a constant
    /// boolean for `email_verified`).
    #[serde(default)]
    pub attribute_map: Map<String, Value>,
    /// Link a new provider account to an existing user with the same verified email.
    #[serde(default)]
    pub link_by_email: bool,
    /// Refuse new users (existing ones still log in).
    #[serde(default)]
    pub disable_signup: bool,
}

/// How a provider is spoken to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// OpenID Connect: ID token verified against the provider's keys.
    Oidc,
    /// Plain OAuth 2.0: profile fetched with the access token.
    OAuth2,
}

/// A federated connection.
#[derive(Debug, Clone, PartialEq)]
pub struct FederatedConnection {
    /// `con_…` id.
    pub id: String,
    /// Name (the `connection` parameter).
    pub name: String,
    /// Strategy.
    pub strategy: String,
    /// Options.
    pub options: FederatedOptions,
}

impl FederatedConnection {
    /// OIDC or OAuth 2.0.
    pub fn kind(&self) -> Kind {
        match self.strategy.as_str() {
            "google-oauth2" | "oidc" => Kind::Oidc,
            _ => Kind::OAuth2,
        }
    }

    fn scope(&self) -> String {
        match &self.options.scope {
            Some(Scope::Text(s)) => s.clone(),
            Some(Scope::List(l)) => l.join(" "),
            None => match self.strategy.as_str() {
                "facebook" => "email public_profile".into(),
                "oauth2" => String::new(),
                _ => "openid profile email".into(),
            },
        }
    }

    fn issuer(&self) -> Option<String> {
        self.options
            .issuer
            .clone()
            .or_else(|| (self.strategy == "google-oauth2").then(|| "https://accounts.google.com".to_owned()))
    }

    /// Facebook's endpoints and profile mapping, unless overridden.
    fn defaults(&self) -> (Option<&'static str>, Option<&'static str>, Option<&'static str>) {
        if self.strategy == "facebook" {
            (
                Some("https://www.facebook.com/v19.0/dialog/oauth"),
                Some("https://graph.facebook.com/v19.0/oauth/access_token"),
                Some("https://graph.facebook.com/v19.0/me?fields=id,name,email,first_name,last_name,picture"),
            )
        } else {
            (None, None, None)
        }
    }

    /// The attribute mapping of an OAuth 2.0 provider (Facebook's by default).
    fn mapping(&self) -> Map<String, Value> {
        let mut m: Map<String, Value> = match self.strategy.as_str() {
            "facebook" => json!({
                "user_id": "id", "email": "email", "name": "name", "given_name": "first_name",
                "family_name": "last_name", "picture": "picture.data.url",
                // Facebook only returns confirmed addresses.
                "email_verified": true,
            }),
            _ => json!({
                "user_id": "id", "email": "email", "email_verified": "email_verified", "name": "name",
                "given_name": "given_name", "family_name": "family_name", "picture": "picture",
            }),
        }
        .as_object()
        .cloned()
        .unwrap_or_default();
        m.extend(self.options.attribute_map.clone());
        m
    }
}

/// Resolved provider endpoints.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoints {
    /// Where the browser goes.
    pub authorization: String,
    /// Code exchange.
    pub token: String,
    /// OIDC: issuer and key set.
    pub issuer: Option<String>,
    /// OIDC key set.
    pub jwks_uri: Option<String>,
    /// OAuth 2.0 profile.
    pub profile: Option<String>,
}

/// A provider profile, normalized.
#[derive(Debug, Clone, PartialEq)]
pub struct Profile {
    /// The provider's user id.
    pub provider_user_id: String,
    /// Normalized email, if shared.
    pub email: Option<String>,
    /// Whether the provider vouches for the email.
    pub email_verified: bool,
    /// Full name.
    pub name: Option<String>,
    /// Given name.
    pub given_name: Option<String>,
    /// Family name.
    pub family_name: Option<String>,
    /// Picture URL.
    pub picture: Option<String>,
    /// The provider's profile as received (token bookkeeping claims removed).
    pub raw: Map<String, Value>,
}

fn lookup<'a>(v: &'a Value, path: &str) -> Option<&'a Value> {
    path.split('.').try_fold(v, |v, k| v.get(k))
}

fn text(v: Option<&Value>) -> Option<String> {
    match v? {
        Value::String(s) if !s.trim().is_empty() => Some(s.trim().chars().take(300).collect()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

fn truthy(v: Option<&Value>) -> bool {
    matches!(v, Some(Value::Bool(true))) || matches!(v, Some(Value::String(s)) if s == "true")
}

/// Maps an OIDC ID token's claims to a profile.
pub fn profile_from_claims(claims: &Map<String, Value>) -> Result<Profile, String> {
    let v = Value::Object(claims.clone());
    let provider_user_id = text(v.get("sub")).ok_or("the ID token has no sub")?;
    let mut raw = claims.clone();
    for k in [
        "iss",
        "aud",
        "exp",
        "iat",
        "nbf",
        "nonce",
        "at_hash",
        "c_hash",
        "azp",
        "auth_time",
        "jti",
        "sid",
    ] {
        raw.remove(k);
    }
    Ok(Profile {
        provider_user_id,
        email: text(v.get("email")).map(|e| shared::email::normalize(&e)),
        email_verified: truthy(v.get("email_verified")),
        name: text(v.get("name")),
        given_name: text(v.get("given_name")),
        family_name: text(v.get("family_name")),
        picture: text(v.get("picture")),
        raw,
    })
}

/// Maps an OAuth 2.0 profile with `mapping` (attribute → dotted path, or `true`/`false` for
/// `email_verified`).
pub fn profile_from_mapping(profile: &Value, mapping: &Map<String, Value>) -> Result<Profile, String> {
    let get = |attr: &str| match mapping.get(attr) {
        Some(Value::String(path)) => text(lookup(profile, path)),
        _ => None,
    };
    let provider_user_id = get("user_id").ok_or("the profile has no user id")?;
    let email_verified = match mapping.get("email_verified") {
        Some(Value::Bool(b)) => *b,
        Some(Value::String(path)) => truthy(lookup(profile, path)),
        _ => false,
    };
    let email = get("email").map(|e| shared::email::normalize(&e));
    Ok(Profile {
        provider_user_id,
        email_verified: email_verified && email.is_some(),
        email,
        name: get("name"),
        given_name: get("given_name"),
        family_name: get("family_name"),
        picture: get("picture"),
        raw: profile.as_object().cloned().unwrap_or_default(),
    })
}

/// The existing user a new provider account links to, if any: only with linking enabled, only
/// when the provider vouches for the email, and only to exactly one account whose own email is
/// verified too (an unverified local account could have been registered by anyone).
pub fn link_target<'a>(profile: &Profile, candidates: &'a [User], enabled: bool) -> Option<&'a User> {
    let email = profile.email.as_deref().filter(|_| enabled && profile.email_verified)?;
    let mut verified = candidates
        .iter()
        .filter(|u| u.email_verified && !u.email.is_empty() && u.email == email);
    match (verified.next(), verified.next()) {
        (Some(u), None) => Some(u),
        _ => None,
    }
}

/// The federated connection called `name`, if it is one and enabled for `client_id`.
pub async fn connection(core: &Core<'_>, client_id: &str, name: &str) -> CoreResult<Option<FederatedConnection>> {
    let sql = "SELECT c.id, c.name, c.strategy, c.options FROM connections c WHERE c.name = ?1 AND EXISTS \
               (SELECT 1 FROM client_connections cc WHERE cc.connection_id = c.id AND cc.client_id = ?2)";
    connection_where(core, Stmt::new(sql).bind(name).bind(client_id)).await
}

async fn connection_by_id(core: &Core<'_>, id: &str) -> CoreResult<Option<FederatedConnection>> {
    let sql = "SELECT c.id, c.name, c.strategy, c.options FROM connections c WHERE c.id = ?1";
    connection_where(core, Stmt::new(sql).bind(id)).await
}

async fn connection_where(core: &Core<'_>, stmt: Stmt) -> CoreResult<Option<FederatedConnection>> {
    #[derive(Deserialize)]
    struct Row {
        id: String,
        name: String,
        strategy: String,
        options: String,
    }
    let row: Option<Row> = query_one(core.db, stmt).await?;
    let Some(row) = row.filter(|r| is_federated(&r.strategy)) else {
        return Ok(None);
    };
    let options = serde_json::from_str(&row.options)
        .map_err(|e| CoreError::Internal(format!("connection {}: bad options: {e}", row.name)))?;
    Ok(Some(FederatedConnection {
        id: row.id,
        name: row.name,
        strategy: row.strategy,
        options,
    }))
}

/// The provider's endpoints: configured ones win; OIDC providers fill the rest by discovery.
pub async fn endpoints(core: &Core<'_>, conn: &FederatedConnection) -> Result<Endpoints, Failure> {
    let o = &conn.options;
    let (d_auth, d_token, d_profile) = conn.defaults();
    let mut e = Endpoints {
        authorization: o
            .authorization_endpoint
            .clone()
            .or(d_auth.map(str::to_owned))
            .unwrap_or_default(),
        token: o
            .token_endpoint
            .clone()
            .or(d_token.map(str::to_owned))
            .unwrap_or_default(),
        issuer: conn.issuer(),
        jwks_uri: o.jwks_uri.clone(),
        profile: o.profile_url.clone().or(d_profile.map(str::to_owned)),
    };
    if conn.kind() == Kind::Oidc && (e.authorization.is_empty() || e.token.is_empty() || e.jwks_uri.is_none()) {
        let url = o.discovery_url.clone().or_else(|| {
            e.issuer
                .as_ref()
                .map(|i| format!("{}/.well-known/openid-configuration", i.trim_end_matches('/')))
        });
        let url = url.ok_or_else(|| misconfigured(conn, "needs an issuer or discovery_url"))?;
        let doc = provider_http::cached(core, &url, provider_http::CACHE_MS)
            .await
            .map_err(Failure::Provider)?
            .0;
        let field = |k: &str| doc.get(k).and_then(Value::as_str).map(str::to_owned);
        if e.authorization.is_empty() {
            e.authorization = field("authorization_endpoint").unwrap_or_default();
        }
        if e.token.is_empty() {
            e.token = field("token_endpoint").unwrap_or_default();
        }
        e.jwks_uri = e.jwks_uri.or_else(|| field("jwks_uri"));
        e.issuer = e.issuer.or_else(|| field("issuer"));
    }
    if e.authorization.is_empty() || e.token.is_empty() {
        return Err(misconfigured(conn, "has no authorization or token endpoint").into());
    }
    match conn.kind() {
        Kind::Oidc if e.jwks_uri.is_none() || e.issuer.is_none() => {
            Err(misconfigured(conn, "has no issuer or jwks_uri").into())
        }
        Kind::OAuth2 if e.profile.is_none() => Err(misconfigured(conn, "has no profile_url").into()),
        _ => Ok(e),
    }
}

fn misconfigured(conn: &FederatedConnection, what: &str) -> CoreError {
    CoreError::Internal(format!("connection {} {what}", conn.name))
}

/// Our callback URL, registered at every provider.
pub fn callback_url(core: &Core<'_>) -> String {
    format!("{}login/callback", core.settings.issuer)
}

/// Starts a round trip to the provider for authorization transaction `tx`, bound to the
/// browser's binding cookie value; returns the URL to send the browser to.
pub async fn start(core: &Core<'_>, conn: &FederatedConnection, tx: &str, binding: &str) -> Result<String, Failure> {
    let e = endpoints(core, conn).await?;
    let (state, nonce, verifier) = (core.random_token()?, core.random_token()?, core.random_token()?);
    core.db
        .execute(
            Stmt::new(
                "INSERT INTO federated_states (state_hash, tx, connection_id, nonce, code_verifier, expires_at, browser_hash) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            )
            .bind(sha256_hex(state.as_bytes()))
            .bind(tx)
            .bind(&conn.id)
            .bind(&nonce)
            .bind(&verifier)
            .bind(core.clock.now_ms() + STATE_TTL_MS)
            .bind(sha256_hex(binding.as_bytes())),
        )
        .await?;
    let challenge = b64url(&Sha256::digest(verifier.as_bytes()));
    let mut url = crate::core::platform::outbound::check_url(&e.authorization, core.settings.allow_private_urls)
        .map_err(|why| misconfigured(conn, &format!("has an unusable authorization endpoint: {why}")))?;
    url.query_pairs_mut()
        .append_pair("response_type", "code")
        .append_pair("client_id", &conn.options.client_id)
        .append_pair("redirect_uri", &callback_url(core))
        .append_pair("scope", &conn.scope())
        .append_pair("state", &state)
        .append_pair("nonce", &nonce)
        .append_pair("code_challenge", &challenge)
        .append_pair("code_challenge_method", "S256");
    Ok(url.into())
}

/// `/authorize` with `connection=` naming a federated connection of the client: transaction `tx`
/// goes straight to the provider instead of the login page.
pub async fn direct(
    core: &Core<'_>,
    tx: &str,
    req: &authorize::AuthorizeRequest,
    binding: &str,
) -> CoreResult<Option<Outcome>> {
    let Some(name) = req.connection.as_deref() else {
        return Ok(None);
    };
    match connection(core, &req.client_id, name).await? {
        Some(conn) => Ok(Some(to_provider(core, &conn, tx, req, binding).await?)),
        None => Ok(None),
    }
}

async fn to_provider(
    core: &Core<'_>,
    conn: &crate::core::federation::federated::FederatedConnection,
    tx: &str,
    req: &authorize::AuthorizeRequest,
    binding: &str,
) -> CoreResult<Outcome> {
    match crate::core::federation::federated::start(core, conn, tx, binding).await {
        Ok(url) => Ok(Outcome::Redirect(url)),
        Err(crate::core::federation::federated::Failure::Provider(d)) => Ok(authorize::error_delivery(
            req,
            "temporarily_unavailable",
            &format!("The identity provider is unavailable: {d}"),
        )),
        Err(crate::core::federation::federated::Failure::Core(e)) => Err(e),
    }
}

/// `GET /u/social?tx=&connection=`: the hosted page's social buttons continue transaction `tx`
/// at the provider of `connection`, bound to the browser's `binding` cookie.
pub async fn social(core: &Core<'_>, tx: &str, connection: &str, binding: &str) -> CoreResult<Outcome> {
    let authorize::Transaction {
        client, request: req, ..
    } = match authorize::transaction(core, tx).await {
        Ok(v) => v,
        Err(CoreError::InvalidRequest(msg)) => return Ok(authorize::page_error("invalid_request", &msg)),
        Err(e) => return Err(e),
    };
    match crate::core::federation::federated::connection(core, &client.client_id, connection).await? {
        Some(conn) => to_provider(core, &conn, tx, &req, binding).await,
        None => Ok(authorize::error_delivery(
            &req,
            "invalid_request",
            &format!("The connection {connection} is not enabled for this application"),
        )),
    }
}

/// What the callback leads to.
#[derive(Debug, Clone, PartialEq)]
pub enum Callback {
    /// Logged in: set the session cookie and continue at `resume_url`.
    Session {
        /// Session cookie value.
        token: String,
        /// `/authorize/resume?tx=…`.
        resume_url: String,
    },
    /// An error for the application (or an error page when the request cannot be trusted).
    Outcome(Outcome),
}

#[derive(Debug, Deserialize)]
struct StateRow {
    tx: String,
    connection_id: String,
    nonce: String,
    code_verifier: String,
}

/// Errors a provider may send that the application can act on; anything else is `access_denied`.
fn app_error(provider_error: &str) -> &'static str {
    match provider_error {
        "access_denied" => "access_denied",
        "temporarily_unavailable" => "temporarily_unavailable",
        "login_required" => "login_required",
        "consent_required" => "consent_required",
        "interaction_required" => "interaction_required",
        _ => "access_denied",
    }
}

/// `GET /login/callback`: the provider's answer, accepted only from the browser that started the
/// round trip (its binding cookie value, `binding`).
pub async fn callback(
    core: &Core<'_>,
    q: &[(String, String)],
    ip: &str,
    binding: Option<&str>,
) -> CoreResult<Callback> {
    let param = |k: &str| {
        q.iter()
            .find(|(key, _)| key == k)
            .map(|(_, v)| v.as_str())
            .filter(|v| !v.is_empty())
    };
    let page = |d: &str| Ok(Callback::Outcome(authorize::page_error("invalid_request", d)));
    let Some(state) = param("state") else {
        return page("Missing state");
    };
    let Some(binding) = binding else {
        return page(
            "This login was started in another browser (or cookies are blocked). Please start the login again.",
        );
    };
    let row: Option<StateRow> = query_one(
        core.db,
        Stmt::new(
            "DELETE FROM federated_states WHERE state_hash = ?1 AND expires_at > ?2 AND browser_hash = ?3 \
             RETURNING tx, connection_id, nonce, code_verifier",
        )
        .bind(sha256_hex(state.as_bytes()))
        .bind(core.clock.now_ms())
        .bind(sha256_hex(binding.as_bytes())),
    )
    .await?;
    // Unknown, reused, expired or another browser's state: we cannot tell whose request this is,
    // so no redirect.
    let Some(row) = row else {
        return page(
            "Invalid or expired state, or the login was started in another browser. Please start the login again.",
        );
    };
    let req = match authorize::transaction(core, &row.tx).await {
        Ok(t) => t.request,
        Err(CoreError::InvalidRequest(msg)) => return page(&msg),
        Err(e) => return Err(e),
    };
    let deny =
        |error: &str, description: &str| Ok(Callback::Outcome(authorize::error_delivery(&req, error, description)));
    if let Some(err) = param("error") {
        let description = param("error_description").unwrap_or("The provider did not authorize the request");
        return deny(app_error(err), description);
    }
    let Some(code) = param("code") else {
        return deny("access_denied", "The provider sent no authorization code");
    };
    let Some(conn) = connection_by_id(core, &row.connection_id).await? else {
        return deny("access_denied", "The connection no longer exists");
    };
    let profile = match exchange(core, &conn, code, &row).await {
        Ok(p) => p,
        Err(Failure::Provider(d)) => return deny("access_denied", &d),
        Err(Failure::Core(e)) => return Err(e),
    };
    let user = match find_or_create(core, &conn, &profile, ip).await {
        Ok(u) => u,
        Err(CoreError::SignupDisabled) => return deny("access_denied", "Signups are disabled for this connection"),
        Err(CoreError::TooManyRequests(_)) => {
            return deny(
                "access_denied",
                "Too many sign-ups from this address. Please try again later.",
            )
        }
        Err(e) => return Err(e),
    };
    if user.blocked {
        return deny("unauthorized", "user is blocked");
    }
    let token = authorize::create_session(core, &user.user_id, core.clock.now_ms() / 1000).await?;
    Ok(Callback::Session {
        token,
        resume_url: format!("{}authorize/resume?tx={}", core.settings.issuer, row.tx),
    })
}

/// Why a round trip failed.
#[derive(Debug)]
pub enum Failure {
    /// The provider refused, was unreachable or answered wrongly: the application is told.
    Provider(String),
    /// Our own failure (storage, configuration).
    Core(CoreError),
}

impl From<CoreError> for Failure {
    fn from(e: CoreError) -> Self {
        Failure::Core(e)
    }
}

impl From<crate::core::platform::db::DbError> for Failure {
    fn from(e: crate::core::platform::db::DbError) -> Self {
        Failure::Core(e.into())
    }
}

async fn exchange(core: &Core<'_>, conn: &FederatedConnection, code: &str, row: &StateRow) -> Result<Profile, Failure> {
    let e = endpoints(core, conn).await?;
    let secret_name = conn
        .options
        .client_secret_env
        .as_deref()
        .ok_or_else(|| misconfigured(conn, "has no client_secret_env"))?;
    // Never logged: only its name appears in errors.
    let secret = crate::core::platform::outbound::connection_secret(core, secret_name)?;
    let form = serde_urlencoded::to_string([
        ("grant_type", "authorization_code"),
        ("code", code),
        ("redirect_uri", &callback_url(core)),
        ("client_id", &conn.options.client_id),
        ("client_secret", &secret),
        ("code_verifier", &row.code_verifier),
    ])
    .map_err(|e| CoreError::Internal(e.to_string()))?;
    let tokens = fetch_json(
        core,
        OutboundRequest {
            method: "POST".into(),
            url: e.token.clone(),
            headers: vec![
                ("content-type".into(), "application/x-www-form-urlencoded".into()),
                ("accept".into(), "application/json".into()),
            ],
            body: form.into_bytes(),
            timeout_ms: Some(PROVIDER_TIMEOUT_MS),
            ..OutboundRequest::default()
        },
    )
    .await
    .map_err(|d| Failure::Provider(format!("The provider refused the authorization code ({d})")))?;
    match conn.kind() {
        Kind::Oidc => {
            let id_token = tokens
                .get("id_token")
                .and_then(Value::as_str)
                .ok_or_else(|| Failure::Provider("The provider sent no ID token".into()))?;
            let keys = key_set(core, e.jwks_uri.as_deref().unwrap_or_default(), id_token).await?;
            let claims = verify_id_token(
                id_token,
                &keys,
                e.issuer.as_deref().unwrap_or_default(),
                &conn.options.client_id,
                &row.nonce,
                core.clock.now_ms() / 1000,
            )
            .map_err(|d| Failure::Provider(format!("Invalid ID token from the provider: {d}")))?;
            profile_from_claims(&claims).map_err(Failure::Provider)
        }
        Kind::OAuth2 => {
            let access = tokens
                .get("access_token")
                .and_then(Value::as_str)
                .ok_or_else(|| Failure::Provider("The provider sent no access token".into()))?;
            let profile = fetch_json(core, get(e.profile.as_deref().unwrap_or_default(), Some(access)))
                .await
                .map_err(Failure::Provider)?;
            profile_from_mapping(&profile, &conn.mapping()).map_err(Failure::Provider)
        }
    }
}

/// The provider's key set, from the cache. A token signed with a key we have not seen (the
/// provider rotated its keys) refetches the set, at most once per [`provider_http::REFRESH_COOLDOWN_MS`]
/// so forged `kid`s cannot drive traffic to the provider.
async fn key_set(core: &Core<'_>, jwks_uri: &str, id_token: &str) -> Result<JwkSet, Failure> {
    let parse = |v: Value| {
        serde_json::from_value::<JwkSet>(v).map_err(|_| Failure::Provider("The provider's key set is malformed".into()))
    };
    let (doc, fetched_at) = provider_http::cached(core, jwks_uri, provider_http::CACHE_MS)
        .await
        .map_err(Failure::Provider)?;
    let keys = parse(doc)?;
    let kid = jsonwebtoken::decode_header(id_token).ok().and_then(|h| h.kid);
    let unknown = kid.is_some_and(|k| keys.find(&k).is_none());
    if unknown && core.clock.now_ms() - fetched_at >= provider_http::REFRESH_COOLDOWN_MS {
        let fresh = provider_http::cached(core, jwks_uri, 0)
            .await
            .map_err(Failure::Provider)?
            .0;
        return parse(fresh);
    }
    Ok(keys)
}

/// Verifies a provider's ID token: signature by a key of `keys` (RS256/ES256), `iss`, `aud`
/// (must contain our client id), `exp` against our clock, and the `nonce` we sent.
pub fn verify_id_token(
    token: &str,
    keys: &JwkSet,
    issuer: &str,
    client_id: &str,
    nonce: &str,
    now_s: i64,
) -> Result<Map<String, Value>, String> {
    crate::core::platform::jwt_crypto::install();
    let header = jsonwebtoken::decode_header(token).map_err(|e| e.to_string())?;
    if !matches!(header.alg, Algorithm::RS256 | Algorithm::ES256 | Algorithm::PS256) {
        return Err(format!("unsupported algorithm {:?}", header.alg));
    }
    let jwk = match &header.kid {
        Some(kid) => keys.find(kid),
        None => keys.keys.first(),
    }
    .ok_or("no matching key")?;
    let key = DecodingKey::from_jwk(jwk).map_err(|e| e.to_string())?;
    let mut v = Validation::new(header.alg);
    v.validate_exp = false; // against the injected clock below
    v.validate_nbf = false;
    v.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
    v.set_issuer(&[issuer, issuer.trim_end_matches('/')]);
    v.set_audience(&[client_id]);
    let data = jsonwebtoken::decode::<Map<String, Value>>(token, &key, &v).map_err(|e| e.to_string())?;
    let exp = data.claims.get("exp").and_then(Value::as_i64).ok_or("no exp")?;
    if exp + 60 <= now_s {
        return Err("expired".into());
    }
    if data.claims.get("nonce").and_then(Value::as_str) != Some(nonce) {
        return Err("nonce mismatch".into());
    }
    Ok(data.claims)
}

/// The user behind a provider account: known identity, linked account, or a new user.
pub async fn find_or_create(core: &Core<'_>, conn: &FederatedConnection, p: &Profile, ip: &str) -> CoreResult<User> {
    #[derive(Deserialize)]
    struct IdRow {
        user_id: String,
    }
    let now = core.clock.now_ms();
    let raw = Value::Object(p.raw.clone()).to_string();
    let known: Option<IdRow> = query_one(
        core.db,
        Stmt::new("SELECT user_id FROM identities WHERE connection_id = ?1 AND provider_user_id = ?2")
            .bind(&conn.id)
            .bind(&p.provider_user_id),
    )
    .await?;
    let user_id = if let Some(k) = known {
        // A returning user: refresh what the provider says about them.
        core.db
            .batch(vec![
                Stmt::new("UPDATE identities SET profile_data = ?1, updated_at = ?2 WHERE connection_id = ?3 AND provider_user_id = ?4")
                    .bind(&raw)
                    .bind(now)
                    .bind(&conn.id)
                    .bind(&p.provider_user_id),
                Stmt::new(
                    "UPDATE users SET name = COALESCE(?1, name), given_name = COALESCE(?2, given_name), \
                     family_name = COALESCE(?3, family_name), picture = COALESCE(?4, picture), updated_at = ?5 \
                     WHERE user_id = ?6 AND connection_id = ?7",
                )
                .bind(p.name.clone())
                .bind(p.given_name.clone())
                .bind(p.family_name.clone())
                .bind(p.picture.clone())
                .bind(now)
                .bind(&k.user_id)
                .bind(&conn.id),
            ])
            .await?;
        k.user_id
    } else {
        let candidates = match &p.email {
            // Administrator accounts are never a link target: a provider's say-so about an
            // address must not open the console.
            Some(e) if conn.options.link_by_email && p.email_verified => users::by_email_any(core.db, e)
                .await?
                .into_iter()
                .filter(|u| !crate::core::directory::admins::is_admin_account(u))
                .collect(),
            _ => Vec::new(),
        };
        if let Some(target) = link_target(p, &candidates, conn.options.link_by_email) {
            insert_identity(core, conn, p, &target.user_id, &raw).await?;
            target.user_id.clone()
        } else {
            if conn.options.disable_signup {
                return Err(CoreError::SignupDisabled);
            }
            // A sign-up like any other: the same per-IP throttle.
            let quota = attack::take(
                core.db,
                &format!("signup:{ip}"),
                attack::Bucket::SIGNUPS_PER_IP,
                1.0,
                now,
            )
            .await?;
            if !quota.granted {
                return Err(CoreError::TooManyRequests(quota));
            }
            let user_id = federated_user_id(conn, &p.provider_user_id);
            let new = NewUser {
                user_id: user_id.clone(),
                connection_id: conn.id.clone(),
                email: p.email.clone().unwrap_or_default(),
                email_verified: p.email_verified,
                name: p.name.clone(),
                given_name: p.given_name.clone(),
                family_name: p.family_name.clone(),
                picture: p.picture.clone(),
                now,
                ..NewUser::default()
            };
            core.db
                .batch(vec![
                    users::insert_stmt(&new),
                    identity_stmt(conn, p, &user_id, &raw, now),
                    crate::core::directory::stats::signup_stmt(now),
                ])
                .await?;
            user_id
        }
    };
    core.db
        .batch(vec![
            Stmt::new("UPDATE users SET last_login = ?1, logins_count = logins_count + 1 WHERE user_id = ?2")
                .bind(now)
                .bind(&user_id),
            crate::core::directory::stats::login_stmt(now),
        ])
        .await?;
    users::by_id(core.db, &user_id)
        .await?
        .ok_or_else(|| CoreError::Internal("federated user vanished".into()))
}

/// The user id of a new federated user. It names the connection, so two connections of one
/// strategy whose providers hand out the same subject make two users: `{strategy}|{connection}|{id}`
/// (Auth0's form for `oidc` and `oauth2`). A social connection named after its strategy (the usual
/// `google-oauth2`, `facebook`) keeps Auth0's short form `{strategy}|{id}` — only for ids without a
/// `|`, so a short id never equals a long one (connection names cannot contain `|`).
pub fn federated_user_id(conn: &FederatedConnection, provider_user_id: &str) -> String {
    let social = matches!(conn.strategy.as_str(), "google-oauth2" | "facebook");
    if social && conn.name == conn.strategy && !provider_user_id.contains('|') {
        format!("{}|{provider_user_id}", conn.strategy)
    } else {
        format!("{}|{}|{provider_user_id}", conn.strategy, conn.name)
    }
}

fn identity_stmt(conn: &FederatedConnection, p: &Profile, user_id: &str, raw: &str, now: i64) -> Stmt {
    Stmt::new(
        "INSERT INTO identities (connection_id, provider_user_id, user_id, profile_data, created_at, updated_at) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?5)",
    )
    .bind(&conn.id)
    .bind(&p.provider_user_id)
    .bind(user_id)
    .bind(raw)
    .bind(now)
}

async fn insert_identity(
    core: &Core<'_>,
    conn: &FederatedConnection,
    p: &Profile,
    user_id: &str,
    raw: &str,
) -> CoreResult<()> {
    core.db
        .execute(identity_stmt(conn, p, user_id, raw, core.clock.now_ms()))
        .await?;
    Ok(())
}

/// The Management API's `identities` of a user: its own, then the provider accounts linked to it,
/// each with the raw provider profile.
pub async fn identities_json(core: &Core<'_>, u: &User, connection: &str) -> CoreResult<Value> {
    #[derive(Deserialize)]
    struct Row {
        provider_user_id: String,
        strategy: String,
        name: String,
        profile_data: String,
    }
    let rows: Vec<Row> = decode(
        core.db
            .query(
                Stmt::new(
                    "SELECT i.provider_user_id, c.strategy, c.name, i.profile_data FROM identities i \
                     JOIN connections c ON c.id = i.connection_id WHERE i.user_id = ?1 ORDER BY i.created_at",
                )
                .bind(&u.user_id),
            )
            .await?,
    )?;
    let mut out = Vec::new();
    if !u.user_id.contains('|') {
        out.push(json!({"connection": connection, "user_id": u.user_id, "provider": "auth0", "isSocial": false}));
    }
    for r in rows {
        let profile: Value = serde_json::from_str(&r.profile_data).unwrap_or_else(|_| json!({}));
        out.push(json!({
            "connection": r.name, "user_id": r.provider_user_id, "provider": r.strategy,
            "isSocial": r.strategy != "oidc", "profileData": profile,
        }));
    }
    Ok(Value::Array(out))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testkit::test_rsa_key;
    use jsonwebtoken::{encode, EncodingKey, Header};

    fn user(id: &str, email: &str, verified: bool) -> User {
        serde_json::from_value(json!({
            "user_id": id, "connection_id": "con_db", "email": email, "email_verified": i64::from(verified),
            "username": null, "password_hash": null, "given_name": null, "family_name": null, "name": null,
            "nickname": null, "picture": null, "phone_number": null, "user_metadata": "{}", "app_metadata": "{}",
            "blocked": 0, "created_at": 1, "updated_at": 1, "migrated_from": null, "migrated_at": null,
            "last_login": null, "logins_count": 0, "password_reset_required": 0,
        }))
        .unwrap()
    }

    fn google_claims() -> Map<String, Value> {
        json!({
            "iss": "https://accounts.google.com", "aud": "client-1", "sub": "1098", "exp": 2_000, "iat": 1_000,
            "nonce": "n-1", "email": "Ada@Example.COM", "email_verified": true, "name": "Ada Lovelace",
            "given_name": "Ada", "family_name": "Lovelace", "picture": "https://pics/ada.png", "locale": "en",
        })
        .as_object()
        .cloned()
        .unwrap()
    }

    #[test]
    fn oidc_claims_become_a_normalized_profile_and_keep_the_raw_one() {
        let p = profile_from_claims(&google_claims()).unwrap();
        assert_eq!(p.provider_user_id, "1098");
        assert_eq!(p.email.as_deref(), Some("ada@example.com"));
        assert!(p.email_verified);
        assert_eq!(
            (p.given_name.as_deref(), p.family_name.as_deref()),
            (Some("Ada"), Some("Lovelace"))
        );
        assert_eq!(p.raw.get("locale"), Some(&json!("en")), "provider attributes are kept");
        assert!(
            p.raw.get("nonce").is_none() && p.raw.get("aud").is_none(),
            "token bookkeeping is not profile"
        );
        // A string "true" counts (some providers send it), anything else does not.
        let mut c = google_claims();
        c.insert("email_verified".into(), json!("true"));
        assert!(profile_from_claims(&c).unwrap().email_verified);
        c.insert("email_verified".into(), json!("yes"));
        assert!(!profile_from_claims(&c).unwrap().email_verified);
        c.remove("sub");
        assert!(profile_from_claims(&c).is_err(), "no sub, no user");
    }

    fn facebook() -> FederatedConnection {
        FederatedConnection {
            id: "con_fb".into(),
            name: "facebook".into(),
            strategy: "facebook".into(),
            options: FederatedOptions {
                client_id: "fb".into(),
                ..FederatedOptions::default()
            },
        }
    }

    #[test]
    fn oauth2_profiles_are_mapped_by_dotted_paths() {
        let fb = json!({"id": 4242, "name": "Grace Hopper", "first_name": "Grace", "last_name": "Hopper",
            "email": "GRACE@navy.mil", "picture": {"data": {"url": "https://fb/pic.jpg"}}});
        let p = profile_from_mapping(&fb, &facebook().mapping()).unwrap();
        assert_eq!(p.provider_user_id, "4242", "numeric ids become text");
        assert_eq!(p.email.as_deref(), Some("grace@navy.mil"));
        assert!(p.email_verified, "Facebook only shares confirmed emails");
        assert_eq!(p.picture.as_deref(), Some("https://fb/pic.jpg"));
        assert_eq!(p.given_name.as_deref(), Some("Grace"));
        // No email permission: no email, so nothing is verified either.
        let p = profile_from_mapping(&json!({"id": "7", "name": "No Mail"}), &facebook().mapping()).unwrap();
        assert_eq!((p.email, p.email_verified), (None, false));
        // A generic provider with its own mapping; the page's mapping wins over the defaults.
        let mut generic = facebook();
        generic.strategy = "oauth2".into();
        generic.options.attribute_map =
            json!({"user_id": "account.uid", "email": "account.mail", "email_verified": "account.confirmed"})
                .as_object()
                .cloned()
                .unwrap();
        let p = profile_from_mapping(
            &json!({"account": {"uid": "u-1", "mail": "x@y.z", "confirmed": false}}),
            &generic.mapping(),
        )
        .unwrap();
        assert_eq!(
            (p.provider_user_id.as_str(), p.email.as_deref(), p.email_verified),
            ("u-1", Some("x@y.z"), false)
        );
        assert!(
            profile_from_mapping(&json!({"name": "x"}), &generic.mapping()).is_err(),
            "no id, no user"
        );
    }

    #[test]
    fn linking_needs_the_switch_and_verified_emails_on_both_sides() {
        let mut p = profile_from_claims(&google_claims()).unwrap();
        let verified = [user("u1", "ada@example.com", true)];
        let unverified = [user("u2", "ada@example.com", false)];
        assert!(link_target(&p, &verified, false).is_none(), "off by default");
        assert_eq!(link_target(&p, &verified, true).map(|u| u.user_id.as_str()), Some("u1"));
        assert!(
            link_target(&p, &unverified, true).is_none(),
            "an unverified local account could be anyone's"
        );
        let two = [user("u1", "ada@example.com", true), user("u3", "ada@example.com", true)];
        assert!(link_target(&p, &two, true).is_none(), "ambiguous: no link");
        p.email_verified = false;
        assert!(
            link_target(&p, &verified, true).is_none(),
            "the provider must vouch for the email"
        );
    }

    fn key_set() -> JwkSet {
        let (_, n, e) = test_rsa_key();
        serde_json::from_value(
            json!({"keys": [{"kty": "RSA", "kid": "idp-1", "alg": "RS256", "use": "sig", "n": n, "e": e}]}),
        )
        .unwrap()
    }

    fn id_token(claims: &Map<String, Value>, kid: &str) -> String {
        let mut h = Header::new(Algorithm::RS256);
        h.kid = Some(kid.into());
        encode(
            &h,
            claims,
            &EncodingKey::from_rsa_pem(test_rsa_key().0.as_bytes()).unwrap(),
        )
        .unwrap()
    }

    #[test]
    fn id_tokens_are_checked_for_signature_issuer_audience_expiry_and_nonce() {
        let keys = key_set();
        let iss = "https://accounts.google.com";
        let ok = id_token(&google_claims(), "idp-1");
        assert!(verify_id_token(&ok, &keys, iss, "client-1", "n-1", 1_500).is_ok());
        let err =
            |t: &str, aud: &str, nonce: &str, now: i64| verify_id_token(t, &keys, iss, aud, nonce, now).unwrap_err();
        assert!(
            err(&ok, "other-client", "n-1", 1_500).contains("InvalidAudience"),
            "wrong audience"
        );
        assert_eq!(err(&ok, "client-1", "n-2", 1_500), "nonce mismatch");
        assert_eq!(err(&ok, "client-1", "n-1", 2_100), "expired");
        assert!(
            verify_id_token(&ok, &keys, "https://evil.example", "client-1", "n-1", 1_500)
                .unwrap_err()
                .contains("InvalidIssuer")
        );
        assert_eq!(
            err(&id_token(&google_claims(), "unknown-kid"), "client-1", "n-1", 1_500),
            "no matching key"
        );
        let mut forged = ok.clone();
        forged.replace_range(forged.len() - 6.., "AAAAAA");
        assert!(
            verify_id_token(&forged, &keys, iss, "client-1", "n-1", 1_500).is_err(),
            "bad signature"
        );
        let unsigned = format!(
            "{}.{}.",
            b64url(br#"{"alg":"none"}"#),
            b64url(Value::Object(google_claims()).to_string().as_bytes())
        );
        assert!(
            verify_id_token(&unsigned, &keys, iss, "client-1", "n-1", 1_500).is_err(),
            "alg none"
        );
    }
}
