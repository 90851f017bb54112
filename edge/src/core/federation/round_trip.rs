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
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

use super::connections::{
    callback_url, connection, connection_by_id, endpoints, misconfigured, Failure, FederatedConnection, Kind,
};
use super::linking::find_or_create;
use super::profile::{profile_from_claims, profile_from_mapping, ProviderProfile};
use crate::core::error::{CoreError, CoreResult};
use crate::core::federation::provider_http::{self, fetch_json, get, PROVIDER_TIMEOUT_MS};
use crate::core::oauth::authorize;
use crate::core::oauth::delivery::Outcome;
use crate::core::platform::db::{query_one, Stmt};
use crate::core::platform::outbound::OutboundRequest;
use crate::core::platform::secrets::{b64url, sha256_hex};
use crate::core::Core;

pub(super) const STATE_TTL_MS: i64 = 10 * 60 * 1000;

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

pub(super) async fn to_provider(
    core: &Core<'_>,
    conn: &FederatedConnection,
    tx: &str,
    req: &authorize::AuthorizeRequest,
    binding: &str,
) -> CoreResult<Outcome> {
    match start(core, conn, tx, binding).await {
        Ok(url) => Ok(Outcome::Redirect(url)),
        Err(Failure::Provider(d)) => Ok(crate::core::oauth::delivery::error_delivery(
            req,
            "temporarily_unavailable",
            &format!("The identity provider is unavailable: {d}"),
        )),
        Err(Failure::Core(e)) => Err(e),
    }
}

/// `GET /u/social?tx=&connection=`: the hosted page's social buttons continue transaction `tx`
/// at the provider of `connection`, bound to the browser's `binding` cookie.
pub async fn social(core: &Core<'_>, tx: &str, connection: &str, binding: &str) -> CoreResult<Outcome> {
    let authorize::Transaction {
        client, request: req, ..
    } = match authorize::transaction(core, tx).await {
        Ok(v) => v,
        Err(CoreError::InvalidRequest(msg)) => {
            return Ok(crate::core::oauth::delivery::page_error("invalid_request", &msg))
        }
        Err(e) => return Err(e),
    };
    match super::connections::connection(core, &client.client_id, connection).await? {
        Some(conn) => to_provider(core, &conn, tx, &req, binding).await,
        None => Ok(crate::core::oauth::delivery::error_delivery(
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
pub(super) struct StateRow {
    tx: String,
    connection_id: String,
    nonce: String,
    code_verifier: String,
}

/// Errors a provider may send that the application can act on; anything else is `access_denied`.
pub(super) fn app_error(provider_error: &str) -> &'static str {
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
    let page = |d: &str| {
        Ok(Callback::Outcome(crate::core::oauth::delivery::page_error(
            "invalid_request",
            d,
        )))
    };
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
    let deny = |error: &str, description: &str| {
        Ok(Callback::Outcome(crate::core::oauth::delivery::error_delivery(
            &req,
            error,
            description,
        )))
    };
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
    let token =
        crate::core::oauth::sessions::create_session(core, &user.user_id, &conn.id, core.clock.now_ms() / 1000).await?;
    Ok(Callback::Session {
        token,
        resume_url: format!("{}authorize/resume?tx={}", core.settings.issuer, row.tx),
    })
}

pub(super) async fn exchange(
    core: &Core<'_>,
    conn: &FederatedConnection,
    code: &str,
    row: &StateRow,
) -> Result<ProviderProfile, Failure> {
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
pub(super) async fn key_set(core: &Core<'_>, jwks_uri: &str, id_token: &str) -> Result<JwkSet, Failure> {
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
    if exp.saturating_add(60) <= now_s {
        return Err("expired".into());
    }
    if data.claims.get("nonce").and_then(Value::as_str) != Some(nonce) {
        return Err("nonce mismatch".into());
    }
    Ok(data.claims)
}
