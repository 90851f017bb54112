//! The passwordless flows: `start` (a code or link by mail), `verify` (a code or link proves the
//! mailbox: the user, made on first use), and the ways in that end there — the `otp` grant, the
//! embedded login's ticket, the hosted page, and magic links.

use serde_json::{Map, Value};
use shared::management::hooks::HookUser;
use shared::wire::{PasswordlessSend, PasswordlessStartResponse, TokenRequest, TokenResponse};

use crate::core::directory::stats;
use crate::core::directory::tenant::{self, Client, Connection, GrantType};
use crate::core::directory::users::{self, Email, NewUser, Profile, User};
use crate::core::error::{CoreError, CoreResult};
use crate::core::hooks::{self, call::Registration};
use crate::core::oauth::grants::{self, Origin, UserGrant};
use crate::core::oauth::tokens::Signer;
use crate::core::passwordless::codes::{self, Consumed, Target};
use crate::core::platform::mail::Mail;
use crate::core::protection::attack::{self, AttemptKey, Bucket};
use crate::core::Core;

/// What a wrong, used or expired code or link is answered with (Auth0's words).
pub const WRONG_CODE: &str = "Wrong email or verification code.";

/// The `email` connection called `name`, enabled for `client_id`.
pub async fn connection(core: &Core<'_>, client_id: &str, name: &str) -> CoreResult<Connection> {
    let conn = tenant::connection_by_name(core.db, name)
        .await?
        .filter(|c| c.strategy.is_passwordless())
        .ok_or_else(|| CoreError::ConnectionNotFound(name.to_owned()))?;
    if !tenant::connection_enabled(core.db, client_id, &conn.id).await? {
        return Err(CoreError::ConnectionNotFound(name.to_owned()));
    }
    Ok(conn)
}

/// The first `email` connection enabled for a client, if any (the hosted page's passwordless mode).
pub async fn client_connection(core: &Core<'_>, client_id: &str) -> CoreResult<Option<Connection>> {
    Ok(tenant::client_connections(core.db, client_id)
        .await?
        .into_iter()
        .find(|c| c.strategy.is_passwordless()))
}

fn address(raw: Option<&str>) -> CoreResult<Email> {
    let email = Email::new(
        raw.filter(|e| !e.trim().is_empty())
            .ok_or_else(|| CoreError::InvalidRequest("Missing email".into()))?,
    );
    if !email.is_valid() {
        return Err(CoreError::InvalidRequest("Invalid email address".into()));
    }
    Ok(email)
}

/// What a start asks for.
#[derive(Debug, Clone)]
pub struct Start<'a> {
    /// The application (already authenticated by the caller: a confidential client's secret, a
    /// public client's web origin, or the hosted page's transaction).
    pub client: &'a Client,
    /// The `email` connection's name.
    pub connection: &'a str,
    /// The address as typed.
    pub email: Option<&'a str>,
    /// Code or link.
    pub send: PasswordlessSend,
    /// For links: the authorization request the link completes.
    pub auth_params: Option<Map<String, Value>>,
    /// The caller's IP.
    pub ip: &'a str,
}

/// `POST /passwordless/start`: mails a code or a link. Every well-formed request for an enabled
/// connection runs the same statements and gets the same answer, whether the address has an
/// account, may sign up, or neither (then no mail goes out); the mail leaves after the answer.
pub async fn start(core: &Core<'_>, s: Start<'_>) -> CoreResult<PasswordlessStartResponse> {
    let conn = connection(core, &s.client.client_id, s.connection).await?;
    let email = address(s.email)?;
    if s.send == PasswordlessSend::Link {
        let redirect = s
            .auth_params
            .as_ref()
            .and_then(|p| p.get("redirect_uri"))
            .and_then(Value::as_str);
        if !redirect.is_some_and(|r| s.client.callbacks.iter().any(|c| c == r)) {
            return Err(CoreError::InvalidRequest(
                "authParams.redirect_uri must be one of the application's Allowed Callback URLs".into(),
            ));
        }
    }
    let now = core.clock.now_ms();
    for (key, bucket) in [
        (format!("pwdless-ip:{}", s.ip), Bucket::PASSWORDLESS_PER_IP),
        (
            format!("pwdless-to:{}", email.as_str()),
            Bucket::PASSWORDLESS_PER_ADDRESS,
        ),
    ] {
        let quota = attack::take(core.db, &key, core.settings.limit(bucket), 1.0, now).await?;
        if !quota.granted {
            return Err(CoreError::TooManyRequests(quota));
        }
    }
    let known = users::by_email(core.db, &conn.id, &email).await?.is_some();
    let target = Target {
        connection_id: &conn.id,
        client_id: &s.client.client_id,
        email: email.as_str(),
    };
    let ttl_ms = i64::from(conn.options.totp.time_step) * 1000;
    let issued = codes::issue(
        core,
        target,
        s.send,
        conn.options.totp.length,
        ttl_ms,
        s.auth_params.as_ref(),
    )
    .await?;
    if known || !conn.options.disable_signup {
        let link = (s.send == PasswordlessSend::Link).then(|| {
            let q = url::form_urlencoded::Serializer::new(String::new())
                .append_pair("client_id", &s.client.client_id)
                .append_pair("connection", &conn.name)
                .append_pair("email", email.as_str())
                .append_pair("verification_code", &issued.secret)
                .finish();
            format!("{}passwordless/verify_redirect?{q}", core.settings.issuer)
        });
        core.mailer
            .send(&mail(&conn, s.client, email.as_str(), &issued.secret, link))
            .await?;
        core.record(
            crate::core::logs::Event::new(
                "cls",
                if s.send == PasswordlessSend::Link {
                    "Link sent by email"
                } else {
                    "Code sent by email"
                },
            )
            .user_name(email.as_str())
            .connection(&conn)
            .client(&s.client.client_id, &s.client.name),
        );
    }
    Ok(PasswordlessStartResponse {
        id: hex::encode(core.random_bytes::<12>()?),
        email: email.as_str().to_owned(),
        email_verified: false,
    })
}

/// The mail: the connection's template (`{{code}}`, `{{link}}`, `{{application}}`) or ours.
fn mail(conn: &Connection, client: &Client, to: &str, secret: &str, link: Option<String>) -> Mail {
    let minutes = conn.options.totp.time_step.div_ceil(60);
    let template = conn.options.email.clone().unwrap_or_default();
    let fill = |t: &str| {
        t.replace("{{code}}", if link.is_some() { "" } else { secret })
            .replace("{{link}}", link.as_deref().unwrap_or_default())
            .replace("{{application}}", &client.name)
    };
    let (subject, text) = match &link {
        Some(url) => (
            template.subject.map_or_else(|| format!("Log in to {}", client.name), |t| fill(&t)),
            template.body.map_or_else(
                || format!("Open this link to log in to {}:\n\n{url}\n\nIt works once, for {minutes} minutes. If you did not ask for it, ignore this message.", client.name),
                |t| fill(&t),
            ),
        ),
        None => (
            template.subject.map_or_else(|| format!("Your code for {}", client.name), |t| fill(&t)),
            template.body.map_or_else(
                || format!("Your verification code for {} is:\n\n{secret}\n\nIt works once, for {minutes} minutes. If you did not ask for it, ignore this message.", client.name),
                |t| fill(&t),
            ),
        ),
    };
    Mail {
        to: to.to_owned(),
        subject,
        text,
        link,
        kind: "passwordless",
    }
}

/// A proven mailbox: the user, whether they were made now, and what the code carried.
#[derive(Debug)]
pub struct Verified {
    /// The user (new or existing).
    pub user: User,
    /// Link codes: the authorization request the link completes.
    pub consumed: Consumed,
}

/// Checks a code (or link token) for `email` on `conn` for `client_id`, with brute-force
/// protection per connection, address and IP, as for passwords. Right: the address's user (made
/// now, `email_verified`, unless sign-up is disabled), with the login counted.
pub async fn verify(
    core: &Core<'_>,
    conn: &Connection,
    client_id: &str,
    email: Option<&str>,
    send: PasswordlessSend,
    secret: &str,
    origin: Origin<'_>,
) -> CoreResult<Verified> {
    let email = address(email)?;
    let now = core.clock.now_ms();
    let ip_key = format!("login-fail:{}", origin.ip);
    if !attack::peek(core.db, &ip_key, Bucket::LOGIN_FAILURES_PER_IP, 1.0, now)
        .await?
        .granted
    {
        return Err(CoreError::TooManyAttempts(
            "We have detected suspicious login behavior and further attempts will be blocked. Please contact the administrator.".into(),
        ));
    }
    let key = AttemptKey {
        connection_id: &conn.id,
        identifier: email.as_str(),
        ip: origin.ip,
    };
    let attempt = match conn.options.brute_force_protection {
        true => Some(grants::reserve(core, key).await?),
        false => None,
    };
    let target = Target {
        connection_id: &conn.id,
        client_id,
        email: email.as_str(),
    };
    let secret = secret.trim();
    let consumed = match secret.len() {
        1..=128 => codes::consume(core, target, send, secret).await?,
        _ => None,
    };
    let Some(consumed) = consumed else {
        let failed = vec![attack::take_stmt(&ip_key, Bucket::LOGIN_FAILURES_PER_IP, 1.0, now)];
        match &attempt {
            Some(id) => attack::finish_attempt(core.db, key, id, Some(false), now, failed).await?,
            None => {
                core.db.batch(failed).await?;
            }
        }
        return Err(CoreError::InvalidGrant(WRONG_CODE.into()));
    };
    let found = users::by_email(core.db, &conn.id, &email).await?;
    let (user, signed_up) = match found {
        Some(u) => (u, false),
        None if conn.options.disable_signup => {
            if let Some(id) = &attempt {
                attack::finish_attempt(core.db, key, id, None, now, Vec::new()).await?;
            }
            return Err(CoreError::SignupDisabled);
        }
        None => {
            let hook_user = HookUser {
                email: email.as_str().to_owned(),
                email_verified: true,
                ..HookUser::default()
            };
            let added = match hooks::call::pre_registration(core, Some(client_id), conn, hook_user).await {
                Ok(added) => added,
                Err(e) => {
                    if let Some(id) = &attempt {
                        attack::finish_attempt(core.db, key, id, None, now, Vec::new()).await?;
                    }
                    return Err(e);
                }
            };
            let user = create_user(core, conn, &email, added).await?;
            hooks::call::post_registration(core, Some(client_id), conn, &user).await;
            (user, true)
        }
    };
    let mut then = Vec::new();
    if !user.blocked {
        then.push(users::record_login(&user.user_id, now));
        then.push(stats::login_stmt(now));
        if signed_up {
            then.push(stats::signup_stmt(now));
        }
    }
    match &attempt {
        Some(id) => attack::finish_attempt(core.db, key, id, Some(true), now, then).await?,
        None => {
            core.db.batch(then).await?;
        }
    }
    if user.blocked {
        return Err(CoreError::UserBlocked);
    }
    Ok(Verified { user, consumed })
}

/// The address's new user: `email|…`, verified by the code it just used. Two first logins at once
/// make one user (the address is unique per connection).
async fn create_user(core: &Core<'_>, conn: &Connection, email: &Email, added: Registration) -> CoreResult<User> {
    let now = core.clock.now_ms();
    let (mut user_metadata, mut app_metadata) = (Map::new(), Map::new());
    added.apply(&mut user_metadata, &mut app_metadata);
    let new = NewUser {
        user_id: format!("email|{}", core.new_id()?),
        connection_id: conn.id.clone(),
        email: email.as_str().to_owned(),
        email_verified: true,
        username: None,
        password_hash: None,
        profile: Profile::default(),
        user_metadata,
        app_metadata,
        migrated_from: None,
        password_reset_required: false,
        now,
    };
    match users::insert(core.db, &new).await {
        Ok(()) | Err(crate::core::platform::db::DbError::Conflict(_)) => {}
        Err(e) => return Err(e.into()),
    }
    users::by_email(core.db, &conn.id, email)
        .await?
        .ok_or_else(|| CoreError::Internal("passwordless user vanished after insert".into()))
}

/// The `http://auth0.com/oauth/grant-type/passwordless/otp` grant: `realm` (the `email`
/// connection), `username` (the address), `otp`.
pub async fn otp_grant(
    core: &Core<'_>,
    signer: &dyn Signer,
    client: &Client,
    req: &TokenRequest,
    origin: Origin<'_>,
) -> CoreResult<TokenResponse> {
    client.require_grant(GrantType::PasswordlessOtp)?;
    let missing = |p: &str| CoreError::InvalidRequest(format!("Missing required parameter: {p}"));
    let realm = req
        .realm
        .as_deref()
        .filter(|r| !r.is_empty())
        .ok_or_else(|| missing("realm"))?;
    let otp = req
        .otp
        .as_deref()
        .filter(|o| !o.is_empty())
        .ok_or_else(|| missing("otp"))?;
    let conn = connection(core, &client.client_id, realm).await?;
    let api = grants::user_api(core, req.audience.as_deref()).await?;
    let verified = verify(
        core,
        &conn,
        &client.client_id,
        req.username.as_deref(),
        PasswordlessSend::Code,
        otp,
        origin,
    )
    .await?;
    let scopes = grants::granted_scopes(req.scope.as_deref(), api.as_ref(), false);
    crate::core::mfa::gate::require(
        core,
        client,
        &verified.user,
        crate::core::mfa::gate::Asked {
            scope: &scopes.join(" "),
            audience: api.as_ref().map(|a| a.identifier.as_str()),
            gty: Some("passwordless"),
            tx: None,
            remembered: None,
        },
    )
    .await?;
    grants::issue_user_tokens(
        core,
        signer,
        &UserGrant {
            client,
            user: &verified.user,
            scopes: &scopes,
            api: api.as_ref(),
            gty: Some("passwordless"),
            nonce: None,
            auth_time: None,
            amr: &[],
        },
    )
    .await
}
