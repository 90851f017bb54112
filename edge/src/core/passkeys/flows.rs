//! The passkey flows: sign-up with a passkey, login with a passkey, adding one to a signed-in
//! account, and whether to offer that after a password login.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde::Deserialize;
use serde_json::{json, Map, Value};
use shared::management::hooks::HookUser;

use crate::core::directory::stats;
use crate::core::directory::tenant::{self, Client, Connection};
use crate::core::directory::users::{self, Email, NewUser, Profile, User};
use crate::core::error::{CoreError, CoreResult};
use crate::core::hooks;
use crate::core::platform::db::{query_one, Stmt};
use crate::core::protection::attack::{self, Bucket};
use crate::core::webauthn::ceremony::{self, AssertionResponse, AttestationResponse, RelyingParty};
use crate::core::webauthn::credentials::{self, Purpose};
use crate::core::Core;

/// How long a skipped enrolment stays skipped.
pub const ENROLL_SNOOZE_MS: i64 = 30 * 24 * 3600 * 1000;

/// The answer to every failed passkey ceremony (why stays in the logs).
pub const REFUSED: &str = "The passkey could not be verified.";

pub(crate) fn refused(why: impl std::fmt::Display, core: &Core<'_>) -> CoreError {
    core.log(&format!("passkey refused: {why}"));
    CoreError::InvalidGrant(REFUSED.into())
}

/// The RP id and the origins a ceremony may come from: the issuer's origin (with the RP id as its
/// host when `PASSKEY_RP_ID` names another), and the applications' web origins (Related Origin
/// Requests; `/.well-known/webauthn` lists them).
pub async fn relying_party(core: &Core<'_>) -> CoreResult<(String, Vec<String>)> {
    let issuer = url::Url::parse(&core.settings.issuer).map_err(|e| CoreError::Internal(format!("issuer: {e}")))?;
    let host = issuer.host_str().unwrap_or_default().to_owned();
    let rp_id = core.settings.passkey_rp_id.clone().unwrap_or_else(|| host.clone());
    let mut origins = vec![issuer.origin().ascii_serialization()];
    if rp_id != host {
        let mut own = issuer.clone();
        if own.set_host(Some(&rp_id)).is_ok() {
            origins.push(own.origin().ascii_serialization());
        }
    }
    origins.extend(web_origins(core).await?);
    origins.dedup();
    Ok((rp_id, origins))
}

/// Every application's web origins.
pub async fn web_origins(core: &Core<'_>) -> CoreResult<Vec<String>> {
    #[derive(Deserialize)]
    struct Row {
        #[serde(deserialize_with = "crate::core::platform::db::columns::json_text")]
        web_origins: Vec<String>,
    }
    let rows: Vec<Row> = crate::core::platform::db::decode(
        core.db
            .query(Stmt::new(
                "SELECT web_origins FROM clients WHERE web_origins IS NOT NULL",
            ))
            .await?,
    )?;
    let mut all: Vec<String> = rows.into_iter().flat_map(|r| r.web_origins).collect();
    all.sort();
    all.dedup();
    Ok(all)
}

/// A database connection of `client` with passkeys on, by name (or the client's default).
pub async fn connection(core: &Core<'_>, client: &Client, realm: Option<&str>) -> CoreResult<Connection> {
    let conn = match realm.filter(|r| !r.is_empty()) {
        Some(name) => tenant::resolve_connection(core.db, Some(&client.client_id), name).await?,
        None => tenant::client_connections(core.db, &client.client_id)
            .await?
            .into_iter()
            .find(|c| c.strategy == tenant::Strategy::Auth0 && c.options.authentication_methods.passkey.enabled)
            .ok_or_else(|| {
                CoreError::InvalidRequest("No connection with passkeys is enabled for this application.".into())
            })?,
    };
    if !conn.options.authentication_methods.passkey.enabled {
        return Err(CoreError::InvalidRequest(format!(
            "Passkeys are not enabled on {}.",
            conn.name
        )));
    }
    Ok(conn)
}

/// A started ceremony: the handle and the options for `PublicKeyCredential.parse…FromJSON`.
#[derive(Debug, Clone)]
pub struct Started {
    /// The handle to finish it with (`auth_session`).
    pub auth_session: String,
    /// `PublicKeyCredentialCreationOptionsJSON` or `…RequestOptionsJSON`.
    pub options: Value,
}

pub(crate) fn creation_options(
    rp_id: &str,
    rp_name: &str,
    challenge: &str,
    handle: &str,
    email: &str,
    exclude: &[String],
) -> Value {
    json!({
        "rp": {"id": rp_id, "name": rp_name},
        "user": {"id": URL_SAFE_NO_PAD.encode(handle), "name": email, "displayName": email},
        "challenge": challenge,
        "pubKeyCredParams": [{"type": "public-key", "alg": ceremony::ES256}, {"type": "public-key", "alg": ceremony::RS256}],
        "timeout": credentials::CHALLENGE_TTL_MS,
        "excludeCredentials": exclude.iter().map(|id| json!({"type": "public-key", "id": id})).collect::<Vec<_>>(),
        "authenticatorSelection": {"residentKey": "required", "requireResidentKey": true, "userVerification": "required"},
        "attestation": "none",
    })
}

/// Starts a sign-up with a passkey for `email` (and `username` where the connection needs one).
/// Nothing is looked up: the answer is the same for every address; a taken one is refused at the
/// end as a password sign-up is (`invalid_signup`).
pub async fn start_registration(
    core: &Core<'_>,
    client: &Client,
    conn: &Connection,
    email: Option<&str>,
    username: Option<&str>,
    browser: Option<&str>,
) -> CoreResult<Started> {
    if conn.options.disable_signup {
        return Err(CoreError::SignupDisabled);
    }
    let email = Email::new(
        email
            .filter(|e| !e.trim().is_empty())
            .ok_or_else(|| CoreError::InvalidRequest("Missing email".into()))?,
    );
    if !email.is_valid() {
        return Err(CoreError::InvalidRequest("Invalid email address".into()));
    }
    let username = match (conn.options.requires_username, username) {
        (true, Some(u)) if conn.username_rules().is_valid(u) => Some(shared::username::UsernameRules::normalize(u)),
        (true, _) => return Err(CoreError::InvalidRequest("Invalid or missing username".into())),
        (false, _) => None,
    };
    let user_id = core.new_id()?;
    let payload = json!({"email": email.as_str(), "username": username, "user_id": user_id});
    let (auth_session, challenge) = credentials::issue(
        core,
        Purpose::Register,
        &client.client_id,
        &conn.id,
        browser,
        None,
        Some(&payload),
    )
    .await?;
    let (rp_id, _) = relying_party(core).await?;
    let name = tenant::tenant(core.db).await?.name;
    Ok(Started {
        auth_session,
        options: creation_options(&rp_id, &name, &challenge, &user_id, email.as_str(), &[]),
    })
}

/// Starts a login with a passkey: discoverable credentials, so nothing names an account.
pub async fn start_login(
    core: &Core<'_>,
    client: &Client,
    conn: &Connection,
    browser: Option<&str>,
) -> CoreResult<Started> {
    let (auth_session, challenge) =
        credentials::issue(core, Purpose::Login, &client.client_id, &conn.id, browser, None, None).await?;
    let (rp_id, _) = relying_party(core).await?;
    Ok(Started {
        auth_session,
        options: json!({"challenge": challenge, "rpId": rp_id, "timeout": credentials::CHALLENGE_TTL_MS,
            "userVerification": "required", "allowCredentials": []}),
    })
}

/// Starts adding a passkey to signed-in `user` (their existing ones excluded).
pub async fn start_enrollment(
    core: &Core<'_>,
    client: &Client,
    user: &User,
    browser: Option<&str>,
) -> CoreResult<Started> {
    let conn = connection(core, client, None).await?;
    if user.connection_id != conn.id {
        return Err(CoreError::InvalidRequest(
            "Passkeys are not enabled for this account's connection.".into(),
        ));
    }
    enrollment(core, &client.client_id, &conn.id, user, browser).await
}

/// Starts adding a passkey to `user` on their connection `connection_id` for application
/// `client_id` (their existing passkeys excluded); the ceremony is bound to `browser` when given,
/// else to the user alone (the My Account API).
pub async fn enrollment(
    core: &Core<'_>,
    client_id: &str,
    connection_id: &str,
    user: &User,
    browser: Option<&str>,
) -> CoreResult<Started> {
    let exclude: Vec<String> = credentials::of_user(core.db, &user.user_id)
        .await?
        .into_iter()
        .map(|c| c.credential_id)
        .collect();
    let (auth_session, challenge) = credentials::issue(
        core,
        Purpose::Enroll,
        client_id,
        connection_id,
        browser,
        Some(&user.user_id),
        None,
    )
    .await?;
    let (rp_id, _) = relying_party(core).await?;
    let name = tenant::tenant(core.db).await?.name;
    Ok(Started {
        auth_session,
        options: creation_options(&rp_id, &name, &challenge, &user.user_id, user.email.as_str(), &exclude),
    })
}

/// The browser's JSON of a credential (`PublicKeyCredential.toJSON()`).
#[derive(Debug, Clone, Deserialize)]
pub struct CredentialJson {
    /// base64url credential id.
    pub id: String,
    /// The ceremony's response.
    pub response: Value,
    /// `platform` or `cross-platform`.
    #[serde(default, rename = "authenticatorAttachment")]
    pub attachment: Option<String>,
}

impl CredentialJson {
    /// Reads an `authn_response` (an object, or JSON text in a form field).
    pub fn parse(v: &Value) -> CoreResult<Self> {
        let v = match v {
            Value::String(s) => serde_json::from_str(s),
            other => serde_json::from_value(other.clone()),
        };
        v.map_err(|e| CoreError::InvalidRequest(format!("authn_response: {e}")))
    }

    pub(crate) fn name(&self) -> &'static str {
        match self.attachment.as_deref() {
            Some("cross-platform") => "Security key",
            _ => "Passkey",
        }
    }
}

/// How a ceremony ended.
#[derive(Debug)]
pub struct Finished {
    /// The user (new, enrolled or logged in).
    pub user: User,
    /// The connection it happened on.
    pub connection_id: String,
    /// Whether the user was created now.
    pub signed_up: bool,
}

/// Finishes a registration or a login started with `auth_session` for `client_id` (whichever it
/// was). `ip` is counted against on failure, as a failed password login is.
pub async fn finish(
    core: &Core<'_>,
    client_id: &str,
    auth_session: &str,
    credential: &CredentialJson,
    browser: Option<&str>,
    ip: &str,
) -> CoreResult<Finished> {
    let now = core.clock.now_ms();
    let ip_key = format!("login-fail:{ip}");
    if !attack::peek(core.db, &ip_key, Bucket::LOGIN_FAILURES_PER_IP, 1.0, now)
        .await?
        .granted
    {
        return Err(CoreError::TooManyAttempts(
            "We have detected suspicious login behavior and further attempts will be blocked. Please contact the administrator.".into(),
        ));
    }
    let result = match credentials::take(core, auth_session, Purpose::Login, client_id, browser).await? {
        Some(c) => finish_login(core, client_id, &c, credential).await,
        None => match credentials::take(core, auth_session, Purpose::Register, client_id, browser).await? {
            Some(c) => finish_registration(core, client_id, &c, credential).await,
            None => Err(refused("unknown, used or expired auth_session", core)),
        },
    };
    if matches!(result, Err(CoreError::InvalidGrant(_))) {
        core.db
            .batch(vec![attack::take_stmt(
                &ip_key,
                Bucket::LOGIN_FAILURES_PER_IP,
                1.0,
                now,
            )])
            .await?;
    }
    result
}

async fn finish_registration(
    core: &Core<'_>,
    client_id: &str,
    c: &credentials::Challenge,
    credential: &CredentialJson,
) -> CoreResult<Finished> {
    let response: AttestationResponse =
        serde_json::from_value(credential.response.clone()).map_err(|e| refused(format!("response: {e}"), core))?;
    let (rp_id, origins) = relying_party(core).await?;
    let rp = RelyingParty {
        id: &rp_id,
        origins: &origins,
    };
    let new = ceremony::verify_registration(&rp, &c.challenge, &response).map_err(|r| refused(r, core))?;
    let payload: Map<String, Value> = c
        .payload
        .as_deref()
        .and_then(|p| serde_json::from_str(p).ok())
        .unwrap_or_default();
    let text = |k: &str| payload.get(k).and_then(Value::as_str).map(str::to_owned);
    let (Some(email), Some(user_id)) = (text("email"), text("user_id")) else {
        return Err(CoreError::Internal("registration payload lost".into()));
    };
    // The tenant's pre-registration hook, once the passkey is proven and before the user is stored.
    let conn = tenant::connection_by_id(core.db, &c.connection_id)
        .await?
        .ok_or_else(|| CoreError::Internal("the sign-up's connection is gone".into()))?;
    let hook_user = HookUser {
        email: email.clone(),
        username: text("username"),
        ..HookUser::default()
    };
    let added = hooks::call::pre_registration(core, Some(client_id), &conn, hook_user).await?;
    let (mut user_metadata, mut app_metadata) = (Map::new(), Map::new());
    added.apply(&mut user_metadata, &mut app_metadata);
    let now = core.clock.now_ms();
    let user = NewUser {
        user_id: user_id.clone(),
        connection_id: c.connection_id.clone(),
        email,
        email_verified: false,
        username: text("username"),
        password_hash: None,
        profile: Profile::default(),
        user_metadata,
        app_metadata,
        migrated_from: None,
        password_reset_required: false,
        now,
    };
    let transports = credential.response.get("transports");
    let made = core
        .db
        .batch(vec![
            users::insert_stmt(&user),
            credentials::insert_stmt(&user_id, &new, credential.name(), transports, now),
            users::record_login(&user_id, now),
            stats::signup_stmt(now),
            stats::login_stmt(now),
        ])
        .await;
    match made {
        Err(crate::core::platform::db::DbError::Conflict(_)) => return Err(CoreError::InvalidSignup),
        other => other?,
    };
    let user = users::by_id(core.db, &user_id)
        .await?
        .ok_or_else(|| CoreError::Internal("passkey user vanished".into()))?;
    hooks::call::post_registration(core, Some(client_id), &conn, &user).await;
    crate::core::accounts::lifecycle::send_verification(core, &user, Some(client_id)).await?;
    Ok(Finished {
        user,
        connection_id: c.connection_id.clone(),
        signed_up: true,
    })
}

async fn finish_login(
    core: &Core<'_>,
    client_id: &str,
    c: &credentials::Challenge,
    credential: &CredentialJson,
) -> CoreResult<Finished> {
    let response: AssertionResponse =
        serde_json::from_value(credential.response.clone()).map_err(|e| refused(format!("response: {e}"), core))?;
    let Some(stored) = credentials::by_id(core.db, &credential.id).await? else {
        return Err(refused("unknown credential", core));
    };
    let user = users::by_id(core.db, &stored.user_id)
        .await?
        .ok_or_else(|| refused("credential without a user", core))?;
    // The credential's account must be on a connection this application may use, with passkeys on.
    let conn = tenant::connection_by_id(core.db, &user.connection_id)
        .await?
        .filter(|c| c.options.authentication_methods.passkey.enabled)
        .ok_or_else(|| refused("passkeys off on the account's connection", core))?;
    if !tenant::connection_enabled(core.db, client_id, &conn.id).await? {
        return Err(refused("connection not enabled for the client", core));
    }
    let (rp_id, origins) = relying_party(core).await?;
    let rp = RelyingParty {
        id: &rp_id,
        origins: &origins,
    };
    let stored_count = u32::try_from(stored.sign_count).unwrap_or(u32::MAX);
    let key = stored.key().ok_or_else(|| refused("stored key unreadable", core))?;
    let count =
        ceremony::verify_assertion(&rp, &c.challenge, &key, stored_count, &response).map_err(|r| refused(r, core))?;
    if user.blocked {
        return Err(CoreError::UserBlocked);
    }
    let now = core.clock.now_ms();
    let done = core
        .db
        .batch(vec![
            credentials::used_stmt(&stored.credential_id, stored.sign_count, count, now),
            users::record_login(&user.user_id, now),
            stats::login_stmt(now),
        ])
        .await?;
    if done.first().is_none_or(Vec::is_empty) {
        return Err(refused("the counter moved meanwhile (a replay)", core));
    }
    Ok(Finished {
        user,
        connection_id: conn.id,
        signed_up: false,
    })
}

/// Finishes adding a passkey for the user who started it (and is still the one signed in:
/// `user_id`; `None`: whoever the enrolment was started for, the holder of `auth_session` being
/// the one who just logged in); the new credential's id.
pub async fn finish_enrollment(
    core: &Core<'_>,
    client_id: &str,
    auth_session: &str,
    user_id: Option<&str>,
    credential: &CredentialJson,
    browser: Option<&str>,
) -> CoreResult<String> {
    let c = credentials::take(core, auth_session, Purpose::Enroll, client_id, browser)
        .await?
        .filter(|c| c.user_id.is_some() && user_id.is_none_or(|u| c.user_id.as_deref() == Some(u)))
        .ok_or_else(|| refused("unknown, used or expired enrolment", core))?;
    let user_id = c.user_id.clone().unwrap_or_default();
    let user_id = user_id.as_str();
    let response: AttestationResponse =
        serde_json::from_value(credential.response.clone()).map_err(|e| refused(format!("response: {e}"), core))?;
    let (rp_id, origins) = relying_party(core).await?;
    let rp = RelyingParty {
        id: &rp_id,
        origins: &origins,
    };
    let new = ceremony::verify_registration(&rp, &c.challenge, &response).map_err(|r| refused(r, core))?;
    let now = core.clock.now_ms();
    match core
        .db
        .execute(credentials::insert_stmt(
            user_id,
            &new,
            credential.name(),
            credential.response.get("transports"),
            now,
        ))
        .await
    {
        Err(crate::core::platform::db::DbError::Conflict(_)) => Err(refused("credential id already registered", core)),
        other => other.map(|_| new.id).map_err(Into::into),
    }
}

/// Whether a password login of `user` on `conn` should offer to add a passkey: passkeys and
/// progressive enrolment on, none yet, not skipped in the last 30 days.
pub async fn offer_enrollment(core: &Core<'_>, conn: &Connection, user: &User) -> CoreResult<bool> {
    let o = &conn.options;
    if !o.authentication_methods.passkey.enabled || !o.passkey_options.progressive_enrollment_enabled {
        return Ok(false);
    }
    #[derive(Deserialize)]
    struct Row {
        passkey_prompt_after: Option<i64>,
        #[serde(deserialize_with = "crate::core::platform::db::columns::int")]
        passkeys: i64,
    }
    let row: Option<Row> = query_one(
        core.db,
        Stmt::new(
            "SELECT passkey_prompt_after, (SELECT COUNT(*) FROM passkey_credentials WHERE user_id = ?1) AS passkeys \
             FROM users WHERE user_id = ?1",
        )
        .bind(&user.user_id),
    )
    .await?;
    Ok(row.is_some_and(|r| r.passkeys == 0 && r.passkey_prompt_after.is_none_or(|t| t <= core.clock.now_ms())))
}

/// "Not now": the offer comes back in 30 days.
pub async fn skip_enrollment(core: &Core<'_>, user_id: &str) -> CoreResult<()> {
    core.db
        .execute(users::postpone_passkey_prompt(
            user_id,
            core.clock.now_ms() + ENROLL_SNOOZE_MS,
        ))
        .await?;
    Ok(())
}
