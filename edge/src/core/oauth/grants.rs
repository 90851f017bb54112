//! `/oauth/token` grants for database connections and machine-to-machine clients, and `/userinfo`.
//!
//! - `password` (the tenant's default directory) and
//!   `http://auth0.com/oauth/grant-type/password-realm` (`realm` = connection name);
//! - `client_credentials` for confidential clients with a client grant for the audience.
//!
//! A login attempt goes: client authentication → grant allowed → suspicious-IP check → brute-force
//! counter taken → user looked up (unknown users verify a dummy hash, same time) → password verified
//! → on failure the IP's failure bucket is charged and `Wrong email or password.` returned; on
//! success the counter is cleared, the login recorded and tokens issued.

use serde::Deserialize;
use serde_json::{json, Map, Value};
use shared::username::UsernameRules;

use crate::core::credentials::legacy_hash::LegacyHash;
use crate::core::credentials::stored::StoredPassword;
use crate::core::directory::tenant::GrantType;
use crate::core::directory::tenant::SourceMode;
use crate::core::directory::tenant::{self, Client, Connection};
use crate::core::directory::users::{self, User};
use crate::core::error::{CoreError, CoreResult};
use crate::core::hooks;
use crate::core::logs::Event;
use crate::core::mfa::gate::mfa_audience;
use crate::core::migration::lazy;
use crate::core::migration::UserSource;
use crate::core::oauth::tokens::{profile_claims, split_scope, Signer, TokenResponse};
use crate::core::platform::db::{columns, query_one, Stmt};
use crate::core::platform::secrets::{ct_eq, sha256_hex};
use crate::core::protection::attack::{self, AttemptKey, Bucket};
use crate::core::Core;

/// The password-realm grant type.
pub use shared::wire::PASSWORD_REALM;
/// Scopes granted when a login asks for none.
pub const DEFAULT_SCOPE: &str = "openid profile email";
const OIDC_SCOPES: [&str; 4] = ["openid", "profile", "email", "offline_access"];

/// The fields of a token request (JSON or form-encoded): the wire type shared with the widget.
pub use shared::wire::TokenRequest;

/// An API that access tokens can be issued for.
#[derive(Debug, Clone, Deserialize)]
pub struct ResourceServer {
    /// The audience value.
    pub identifier: String,
    /// Scopes the API defines.
    #[serde(deserialize_with = "columns::json_text")]
    pub scopes: Vec<String>,
    /// Access token lifetime in seconds.
    #[serde(deserialize_with = "columns::int")]
    pub token_lifetime: i64,
}

/// The API with this identifier, if registered.
pub async fn find_resource_server(core: &Core<'_>, identifier: &str) -> CoreResult<Option<ResourceServer>> {
    if identifier == crate::core::oauth::audiences::my_account_audience(core) {
        return Ok(Some(crate::core::oauth::audiences::my_account_api(core)));
    }
    Ok(query_one(
        core.db,
        Stmt::new("SELECT identifier, scopes, token_lifetime FROM resource_servers WHERE identifier = ?1")
            .bind(identifier),
    )
    .await?)
}

async fn resource_server(core: &Core<'_>, identifier: &str) -> CoreResult<ResourceServer> {
    find_resource_server(core, identifier)
        .await?
        .ok_or_else(|| CoreError::AccessDenied(format!("Service not found: {identifier}")))
}

/// The API a *user* flow asks for (password grants, codes, implicit, refresh): any registered API
/// except the Management API, which only machine-to-machine clients reach (`access`).
pub async fn user_api(core: &Core<'_>, audience: Option<&str>) -> CoreResult<Option<ResourceServer>> {
    match audience.filter(|a| !a.is_empty()) {
        // The MFA API (`/mfa/authenticators`) is an audience of its own, always there.
        Some(a) if a == crate::core::mfa::gate::mfa_audience(core) => Ok(Some(mfa_api(core))),
        Some(a) => {
            crate::core::oauth::audiences::refuse_management_audience(core, Some(a))?;
            Ok(Some(resource_server(core, a).await?))
        }
        None => Ok(None),
    }
}

/// Authenticates the client of a token request. Confidential clients must present their secret
/// (compared in constant time against its SHA-256); public clients have none. Returns the client
/// and whether it proved its identity.
pub async fn authenticate_client(
    core: &Core<'_>,
    client_id: Option<&str>,
    secret: Option<&str>,
) -> CoreResult<(Client, bool)> {
    let id = client_id
        .filter(|s| !s.is_empty())
        .ok_or_else(|| CoreError::InvalidClient("Missing client_id".into()))?;
    let client = tenant::client(core.db, id)
        .await?
        .ok_or_else(|| CoreError::InvalidClient("Unknown client.".into()))?;
    if client.is_public {
        return Ok((client, false));
    }
    let ok = match (secret, client.client_secret_hash.as_deref()) {
        (Some(s), Some(stored)) => ct_eq(sha256_hex(s.as_bytes()).as_bytes(), stored.as_bytes()),
        _ => false,
    };
    if !ok {
        return Err(CoreError::InvalidClient("Unauthorized".into()));
    }
    Ok((client, true))
}

/// Where a login attempt comes from, for attack protection.
#[derive(Debug, Clone, Copy)]
pub struct Origin<'a> {
    /// Client IP.
    pub ip: &'a str,
}

/// Finds the user an identifier names: by username when the connection has usernames and the
/// identifier is not an email, by email otherwise.
pub async fn find_by_identifier(core: &Core<'_>, conn: &Connection, identifier: &str) -> CoreResult<Option<User>> {
    if conn.options.requires_username && !identifier.contains('@') {
        Ok(users::by_username(core.db, &conn.id, &UsernameRules::normalize(identifier)).await?)
    } else {
        Ok(users::by_email(core.db, &conn.id, &users::Email::new(identifier)).await?)
    }
}

/// Checks a username and password on a connection with brute-force protection and IP throttling.
/// Returns the user on success. Every failure looks the same from outside.
pub async fn check_credentials(
    core: &Core<'_>,
    conn: &Connection,
    identifier: &str,
    password: &str,
    origin: Origin<'_>,
) -> CoreResult<User> {
    // Admitted before anything is read or written: past the per-isolate bound, `503` at once.
    let _permit = crate::core::credentials::hashing::admit(core).await?;
    let now = core.clock.now_ms();
    let ip_key = format!("login-fail:{}", origin.ip);
    if !attack::peek(core.db, &ip_key, Bucket::LOGIN_FAILURES_PER_IP, 1.0, now)
        .await?
        .granted
    {
        core.record(
            Event::new(
                "limit_mu",
                "An IP address is blocked because it attempted too many failed logins",
            )
            .user_name(identifier)
            .connection(conn),
        );
        return Err(CoreError::TooManyAttempts(
            "We have detected suspicious login behavior and further attempts will be blocked. Please contact the administrator.".into(),
        ));
    }
    let normalized = users::Identifier::new(identifier);
    let key = AttemptKey {
        connection_id: &conn.id,
        identifier: normalized.as_str(),
        ip: origin.ip,
    };
    let protect = conn.options.brute_force_protection;
    let attempt = if protect {
        Some(reserve(core, key).await.inspect_err(|e| {
            if matches!(e, CoreError::TooManyAttempts(_)) {
                core.record(
                    Event::new("limit_wc", "The account is blocked after too many failed logins")
                        .user_name(identifier)
                        .connection(conn),
                );
            }
        })?)
    } else {
        None
    };
    let too_long = password.len() > shared::password::MAX_PASSWORD_BYTES;
    let checked = verify_password(core, conn, identifier, password, too_long).await;
    if let Ok(c) = &checked {
        // Half the connection's foreign work or more counts as spent (one class, other costs).
        if !c.verified && c.foreign_spent * 2.0 < conn.foreign_hash_work as f64 {
            equalise_failure(core, conn, password).await?;
        }
        // A migrated user of an import-mode connection is checked locally; an unknown identifier
        // costs a round trip to the legacy store: wait as long.
        if !c.verified && !c.asked_legacy && conn.source_mode() == SourceMode::Import {
            if let Some(ms) = crate::core::migration::legacy::typical_login_ms(&conn.id) {
                core.http.pause(ms).await;
            }
        }
    }
    // What follows the verdict, in one batch with the attempt's own bookkeeping: a login counted
    // (last login, logins, daily stats) or a failure counted against the IP.
    let then: Vec<Stmt> = match &checked {
        Ok(c) if c.verified && c.user.as_ref().is_some_and(|u| !u.blocked) => {
            let user_id = c.user.as_ref().map(|u| u.user_id.as_str()).unwrap_or_default();
            vec![
                users::record_login(user_id, now),
                crate::core::directory::stats::login_stmt(now),
            ]
        }
        Ok(c) if c.verified && c.user.is_some() => Vec::new(),
        Ok(_) => vec![attack::take_stmt(&ip_key, Bucket::LOGIN_FAILURES_PER_IP, 1.0, now)],
        Err(_) => Vec::new(),
    };
    match &attempt {
        Some(id) => {
            let verified = match &checked {
                Ok(c) => Some(c.verified && c.user.is_some()),
                Err(_) => None,
            };
            attack::finish_attempt(core.db, key, id, verified, core.clock.now_ms(), then).await?;
        }
        None if !then.is_empty() => {
            core.db.batch(then).await?;
        }
        None => {}
    }
    let checked = checked?;
    // The log tells a wrong password from an unknown user; the answer and the work do not.
    let event = match (&checked.user, checked.verified) {
        (Some(u), true) if u.blocked => Event::new("f", "user is blocked").user(u),
        (Some(u), true) => Event::new("s", "Successful login").user(u),
        (Some(u), false) => Event::new("fp", "Wrong email or password.").user(u),
        (None, _) => Event::new("fu", "Wrong email or password.").user_name(identifier),
    };
    core.record(event.connection(conn));
    match (checked.user, checked.verified) {
        (Some(u), true) if u.blocked => Err(CoreError::UserBlocked),
        (Some(u), true) => Ok(u),
        _ => Err(CoreError::WrongCredentials),
    }
}

/// How often, and how many times, an attempt asks again for a slot held by attempts in flight.
const RESERVE_PAUSE_MS: u64 = 50;
const RESERVE_TRIES: u32 = 200;

/// A brute-force slot for one attempt on `key`: granted, or `too_many_attempts` when the account
/// is blocked; waits while the slots are held by attempts still in flight. Report the outcome with
/// `attack::finish_attempt`.
pub async fn reserve(core: &Core<'_>, key: AttemptKey<'_>) -> CoreResult<String> {
    let id = core.random_token()?;
    for _ in 0..RESERVE_TRIES {
        match attack::reserve_attempt(core.db, key, attack::DEFAULT_MAX_ATTEMPTS, &id, core.clock.now_ms()).await? {
            attack::Reservation::Granted(id) => return Ok(id),
            attack::Reservation::Blocked => {
                return Err(CoreError::TooManyAttempts(
                    "Your account has been blocked after multiple consecutive login attempts.".into(),
                ))
            }
            attack::Reservation::Busy => core.http.pause(RESERVE_PAUSE_MS).await,
        }
    }
    Err(CoreError::TooManyAttempts(
        "Too many login attempts are in progress for this account. Please try again in a moment.".into(),
    ))
}

/// The outcome of one password check, the foreign-hash work it already spent (argon2
/// KiB·passes; see [`equalise_failure`]) and whether it asked a legacy store.
struct Checked {
    user: Option<User>,
    verified: bool,
    foreign_spent: f64,
    asked_legacy: bool,
}

/// Finds and verifies the user: locally, or through the connection's legacy backend (own-store
/// mode always; import mode for users not yet migrated — see `migration`). Every failure spends
/// one argon2id verification, whoever the identifier names.
async fn verify_password(
    core: &Core<'_>,
    conn: &Connection,
    identifier: &str,
    password: &str,
    too_long: bool,
) -> CoreResult<Checked> {
    let local = find_by_identifier(core, conn, identifier).await?;
    let source = if too_long {
        UserSource::Local
    } else {
        UserSource::of(core, conn)?
    };
    // Import mode asks the legacy store only for users it has not handed over yet.
    let not_migrated = || match &local {
        None => true,
        Some(u) => u.password_hash.is_none() && u.migrated_from.as_deref() == Some(lazy::origin(conn).as_str()),
    };
    match &source {
        UserSource::OwnStore(legacy) => {
            // Legacy is the source of truth and spends the work; nothing to equalise here.
            let user = lazy::own_store_login(core, conn, legacy, identifier, password).await?;
            let verified = user.is_some();
            return Ok(Checked {
                user,
                verified,
                foreign_spent: f64::INFINITY,
                asked_legacy: true,
            });
        }
        UserSource::Import(legacy) if not_migrated() => {
            let (user, foreign_spent) = lazy::import_login(core, conn, legacy, identifier, password).await?;
            let verified = user.is_some();
            return Ok(Checked {
                user,
                verified,
                foreign_spent,
                asked_legacy: true,
            });
        }
        _ => {}
    }
    let (verified, foreign_spent) = match (&local, too_long) {
        (Some(u), false) => match u.password_hash.as_deref() {
            Some(stored) => verify_stored(core, u, stored, password).await?,
            None => {
                core.hasher.verify_dummy(password).await?;
                (false, 0.0)
            }
        },
        _ => {
            core.hasher.verify_dummy(if too_long { "" } else { password }).await?;
            (false, 0.0)
        }
    };
    Ok(Checked {
        user: local,
        verified,
        foreign_spent,
        asked_legacy: false,
    })
}

/// A failed login on a connection that holds imported (foreign) hashes also spends the work of
/// its heaviest foreign hash class, unless this attempt already verified a hash of about that
/// cost: a wrong password for a user with an imported bcrypt hash (bcrypt + argon2id dummy) then
/// takes as long as one for an unknown identifier (argon2id dummy + bcrypt dummy), a migrated user
/// (argon2id + bcrypt dummy) or a user with a cheap imported digest (md5 + argon2id dummy + bcrypt
/// dummy). Successful logins skip it.
async fn equalise_failure(core: &Core<'_>, conn: &Connection, password: &str) -> CoreResult<()> {
    if let Some(dummy) = conn.foreign_hash_dummy.as_deref() {
        match LegacyHash::from_stored(dummy) {
            Ok(h) => {
                h.verify(password);
            }
            Err(e) => core.log(&format!("connection {}: unusable foreign-hash dummy: {e}", conn.id)),
        }
    }
    Ok(())
}

/// Verifies a stored hash: our argon2id, or one brought by a bulk import (a bcrypt string, an
/// LDAP string, or Auth0's `custom_password_hash` as JSON), within the work budget (4× our own
/// argon2id). An imported hash that matches is replaced by argon2id right away (only if nobody
/// replaced it meanwhile); one that does not match is followed by an argon2id dummy, so every
/// outcome spends the same argon2id work. Returns (verified, the foreign-hash work spent).
async fn verify_stored(core: &Core<'_>, user: &User, stored: &str, password: &str) -> CoreResult<(bool, f64)> {
    let parsed = StoredPassword::parse(stored, core.hasher.verification_budget());
    if let StoredPassword::Unusable(why) = &parsed {
        core.log(&format!("user {} has an unusable password hash: {why}", user.user_id));
    }
    let verified = parsed.verify(core.hasher, password).await?;
    if verified.matches && parsed.needs_upgrade(core.hasher) {
        let salt = core.random_bytes::<16>()?;
        let upgraded = core.hasher.hash(password, &salt).await?;
        core.db
            .execute(users::replace_hash(
                &user.user_id,
                &upgraded,
                stored,
                core.clock.now_ms(),
            ))
            .await?;
    }
    Ok((verified.matches, verified.foreign_work))
}

/// The connection a password grant logs into: `realm`, or the tenant's default directory.
async fn login_connection(core: &Core<'_>, client: &Client, realm: Option<&str>) -> CoreResult<Connection> {
    let name = match realm {
        Some(r) => r.to_owned(),
        None => tenant::tenant(core.db).await?.flags.default_directory.ok_or_else(|| {
            CoreError::InvalidRequest("Authorization server not configured with default connection.".into())
        })?,
    };
    let conn = tenant::database_by_name(core.db, &name)
        .await?
        .ok_or_else(|| CoreError::InvalidRequest(format!("Unknown realm {name}.")))?;
    if !tenant::connection_enabled(core.db, &client.client_id, &conn.id).await? {
        return Err(CoreError::UnauthorizedClient(format!(
            "The connection {name} is not enabled for the client."
        )));
    }
    Ok(conn)
}

/// Scopes to grant: the requested ones (default [`DEFAULT_SCOPE`]) that are OIDC scopes or defined
/// by the API. `offline_access` is kept only where refresh tokens are issued (`allow_offline`).
pub fn granted_scopes(requested: Option<&str>, api: Option<&ResourceServer>, allow_offline: bool) -> Vec<String> {
    split_scope(requested.unwrap_or(DEFAULT_SCOPE))
        .into_iter()
        .filter(|s| allow_offline || s != "offline_access")
        .filter(|s| OIDC_SCOPES.contains(&s.as_str()) || api.is_some_and(|a| a.scopes.contains(s)))
        .collect()
}

/// What a user's tokens are issued for.
#[derive(Debug, Clone, Copy)]
pub struct UserGrant<'a> {
    /// The application.
    pub client: &'a Client,
    /// The user.
    pub user: &'a User,
    /// Granted scopes.
    pub scopes: &'a [String],
    /// The API, when an audience was requested.
    pub api: Option<&'a ResourceServer>,
    /// The `gty` claim (`password`, `refresh_token`); none for the code flow, as Auth0.
    pub gty: Option<&'a str>,
    /// The `nonce` of the authorization request.
    pub nonce: Option<&'a str>,
    /// When the user authenticated (epoch seconds), for `auth_time`.
    pub auth_time: Option<i64>,
    /// Authentication methods beyond the first factor (`["mfa"]` after a second factor).
    pub amr: &'a [&'a str],
}

/// Issues an access token (and an ID token when `openid` is granted) for a user.
pub async fn issue_user_tokens(core: &Core<'_>, signer: &dyn Signer, g: &UserGrant<'_>) -> CoreResult<TokenResponse> {
    let UserGrant {
        client,
        user,
        scopes,
        api,
        gty,
        nonce,
        auth_time,
        amr,
    } = *g;
    let iss = core.settings.issuer.clone();
    let now_s = core.clock.now_ms() / 1000;
    let userinfo = format!("{iss}userinfo");
    let has_openid = scopes.iter().any(|s| s == "openid");
    let aud = match (api, has_openid) {
        (Some(a), true) => json!([a.identifier, userinfo]),
        (Some(a), false) => json!(a.identifier),
        (None, _) => json!(userinfo),
    };
    let lifetime = api.map_or(client.access_token_lifetime, |a| a.token_lifetime);
    let scope = scopes.join(" ");
    // The tenant's post-login hook, for tokens of applications and their APIs (not for Tollgate's
    // own audiences: the My Account and MFA APIs serve a login that already passed it).
    let my_account = crate::core::oauth::audiences::my_account_audience(core);
    let own_api = api.is_some_and(|a| a.identifier == my_account || a.identifier == mfa_audience(core));
    let hooked = if own_api {
        hooks::call::Login::default()
    } else {
        let cx = hooks::call::LoginContext {
            client,
            user,
            protocol: gty.unwrap_or("authorization_code"),
            scope: &scope,
            audience: api.map(|a| a.identifier.as_str()),
        };
        hooks::call::post_login(core, cx).await?
    };
    let sub = users::sub(&user.user_id);
    let mut access = json!({
        "iss": iss, "sub": sub, "aud": aud, "azp": client.client_id,
        "iat": now_s, "exp": now_s + lifetime, "scope": scope,
    });
    if let Some(g) = gty {
        access["gty"] = json!(g);
    }
    if !amr.is_empty() {
        access["amr"] = json!(amr);
    }
    // The My Account API decides on recent logins (adding or removing a passkey): its tokens say
    // when the user logged in (a grant without a session is a login now).
    if api.is_some_and(|a| a.identifier == my_account) {
        access["auth_time"] = json!(auth_time.unwrap_or(now_s));
    }
    // Namespaced (URL) names only (`hooks::call`): they cannot replace a registered claim.
    if let Some(obj) = access.as_object_mut() {
        obj.extend(hooked.access_token_claims);
    }
    let access_token = signer.sign(&access).await?;
    let id_token = if has_openid {
        let mut claims: Map<String, Value> = profile_claims(user, scopes);
        for (k, v) in [
            ("iss", json!(iss)),
            ("aud", json!(client.client_id)),
            ("iat", json!(now_s)),
            ("exp", json!(now_s + client.id_token_lifetime)),
        ] {
            claims.insert(k.into(), v);
        }
        if let Some(n) = nonce {
            claims.insert("nonce".into(), json!(n));
        }
        if let Some(t) = auth_time {
            claims.insert("auth_time".into(), json!(t));
        }
        if !amr.is_empty() {
            claims.insert("amr".into(), json!(amr));
        }
        claims.extend(hooked.id_token_claims);
        Some(signer.sign(&Value::Object(claims)).await?)
    } else {
        None
    };
    Ok(TokenResponse {
        access_token,
        id_token,
        refresh_token: None,
        scope: Some(scope),
        expires_in: lifetime,
        token_type: "Bearer".into(),
        recovery_code: None,
        passkey_enrollment: None,
    })
}

/// `password` and `password-realm` grants.
pub async fn password_grant(
    core: &Core<'_>,
    signer: &dyn Signer,
    client: &Client,
    req: &TokenRequest,
    origin: Origin<'_>,
) -> CoreResult<TokenResponse> {
    let grant = req
        .grant_type
        .as_deref()
        .and_then(GrantType::parse)
        .unwrap_or(GrantType::Password);
    client.require_grant(grant)?;
    let username = req
        .username
        .as_deref()
        .filter(|s| !s.is_empty())
        .ok_or_else(|| CoreError::InvalidRequest("Missing required parameter: username".into()))?;
    let password = req
        .password
        .as_deref()
        .ok_or_else(|| CoreError::InvalidRequest("Missing required parameter: password".into()))?;
    let realm = if grant == GrantType::PasswordRealm {
        Some(
            req.realm
                .as_deref()
                .ok_or_else(|| CoreError::InvalidRequest("Missing required parameter: realm".into()))?,
        )
    } else {
        None
    };
    let conn = login_connection(core, client, realm).await?;
    let api = user_api(core, req.audience.as_deref()).await?;
    let user = check_credentials(core, &conn, username, password, origin).await?;
    let scopes = granted_scopes(req.scope.as_deref(), api.as_ref(), false);
    crate::core::mfa::gate::require(
        core,
        client,
        &user,
        crate::core::mfa::gate::Asked {
            scope: &scopes.join(" "),
            audience: api.as_ref().map(|a| a.identifier.as_str()),
            gty: Some("password"),
            tx: None,
            remembered: None,
        },
    )
    .await?;
    let grant = UserGrant {
        client,
        user: &user,
        scopes: &scopes,
        api: api.as_ref(),
        gty: Some("password"),
        nonce: None,
        auth_time: None,
        amr: &[],
    };
    issue_user_tokens(core, signer, &grant).await
}

/// `client_credentials` grant: machine-to-machine access tokens for an API.
pub async fn client_credentials_grant(
    core: &Core<'_>,
    signer: &dyn Signer,
    client: &Client,
    authenticated: bool,
    req: &TokenRequest,
) -> CoreResult<TokenResponse> {
    if !authenticated {
        return Err(CoreError::UnauthorizedClient(
            "Grant type 'client_credentials' not allowed for the client.".into(),
        ));
    }
    client.require_grant(GrantType::ClientCredentials)?;
    let audience = req.audience.as_deref().filter(|a| !a.is_empty()).ok_or_else(|| {
        CoreError::AccessDenied(
            "No audience parameter was provided, and no default audience has been configured".into(),
        )
    })?;
    let api = resource_server(core, audience).await?;
    let granted = tenant::client_grant(core.db, &client.client_id, audience)
        .await?
        .ok_or_else(|| crate::core::oauth::audiences::not_authorized(audience))?;
    let scopes: Vec<String> = match req.scope.as_deref() {
        Some(s) if !s.trim().is_empty() => split_scope(s).into_iter().filter(|s| granted.contains(s)).collect(),
        _ => granted,
    };
    let iss = core.settings.issuer.clone();
    let now_s = core.clock.now_ms() / 1000;
    let scope = scopes.join(" ");
    let claims = json!({
        "iss": iss, "sub": format!("{}@clients", client.client_id), "aud": api.identifier,
        "azp": client.client_id, "iat": now_s, "exp": now_s + api.token_lifetime,
        "scope": scope, "gty": crate::core::oauth::audiences::CLIENT_CREDENTIALS_GTY,
    });
    Ok(TokenResponse {
        access_token: signer.sign(&claims).await?,
        id_token: None,
        refresh_token: None,
        scope: Some(scope),
        expires_in: api.token_lifetime,
        token_type: "Bearer".into(),
        recovery_code: None,
        passkey_enrollment: None,
    })
}

/// `/userinfo`: the claims a valid access token's scopes allow, read fresh from the store.
pub async fn userinfo(core: &Core<'_>, bearer: &str) -> CoreResult<Map<String, Value>> {
    let keys = crate::core::oauth::keys::verifying_keys(core.db).await?;
    let audience = format!("{}userinfo", core.settings.issuer);
    let claims = crate::core::oauth::tokens::verify(
        bearer,
        &keys,
        &core.settings.issuer,
        &audience,
        core.clock.now_ms() / 1000,
    )
    .map_err(|e| CoreError::InvalidToken(e.to_string()))?;
    let sub = claims.get("sub").and_then(Value::as_str).unwrap_or_default();
    let user_id = users::id_from_sub(sub).ok_or_else(|| CoreError::InvalidToken("not a user token".into()))?;
    let user = users::by_id(core.db, user_id)
        .await?
        .ok_or_else(|| CoreError::InvalidToken("user not found".into()))?;
    let scopes = split_scope(claims.get("scope").and_then(Value::as_str).unwrap_or_default());
    Ok(profile_claims(&user, &scopes))
}

/// The MFA API as an audience: its scopes, and Auth0's fixed 600 s lifetime.
pub fn mfa_api(core: &Core<'_>) -> ResourceServer {
    ResourceServer {
        identifier: crate::core::mfa::gate::mfa_audience(core),
        scopes: crate::core::mfa::gate::MFA_API_SCOPES.map(String::from).to_vec(),
        token_lifetime: 600,
    }
}
