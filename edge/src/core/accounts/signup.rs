//! Sign-up on a database connection (`POST /dbconnections/signup`).
//!
//! Order of checks: connection and client → `disable_signup` → identifiers (email syntax, username
//! rules) → profile and `user_metadata` limits → password (length cap, strength policy, dictionary,
//! personal info) → hash → insert. The hash is computed before the insert whether or not the
//! identifier is taken, so an existing user's sign-up costs the same time as a new one, and the
//! unique indexes make concurrent sign-ups of one identifier produce exactly one user.

use serde_json::{Map, Value};
use shared::email;
use shared::management::hooks::HookUser;
use shared::personal_info::PersonalInfo;
use shared::username::UsernameRules;
use shared::wire::{SignupRequest, SignupResponse};

use crate::core::accounts::lifecycle;
use crate::core::directory::tenant;
use crate::core::directory::users::{self, NewUser, User};
use crate::core::error::{CoreError, CoreResult};
use crate::core::hooks;
use crate::core::logs::Event;
use crate::core::migration::lazy::{self, NewLegacyUser};
use crate::core::migration::UserSource;
use crate::core::platform::db::DbError;
use crate::core::protection::attack;
use crate::core::Core;

/// `user_metadata` may hold at most this many properties.
pub const METADATA_MAX_PROPERTIES: usize = 10;
/// Longest `user_metadata` property name.
pub const METADATA_MAX_NAME: usize = 100;
/// Longest `user_metadata` string value.
pub const METADATA_MAX_VALUE: usize = 500;
/// Longest root profile attribute (`name`, `given_name`, ...), in characters.
pub const PROFILE_MAX: usize = 300;
/// Longest `picture` URL.
pub const PICTURE_MAX: usize = 2000;

fn invalid(msg: impl Into<String>) -> CoreError {
    CoreError::InvalidRequest(msg.into())
}

fn required<'a>(v: &'a Option<String>, field: &str) -> CoreResult<&'a str> {
    match v.as_deref() {
        Some(s) if !s.trim().is_empty() => Ok(s),
        _ => Err(invalid(format!("Missing {field}"))),
    }
}

fn check_metadata(meta: &Map<String, Value>) -> CoreResult<()> {
    if meta.len() > METADATA_MAX_PROPERTIES {
        return Err(invalid(format!(
            "user_metadata can have at most {METADATA_MAX_PROPERTIES} properties"
        )));
    }
    for (k, v) in meta {
        if k.chars().count() > METADATA_MAX_NAME {
            return Err(invalid(format!(
                "user_metadata property names can have at most {METADATA_MAX_NAME} characters"
            )));
        }
        match v {
            Value::String(s) if s.chars().count() <= METADATA_MAX_VALUE => {}
            Value::String(_) => {
                return Err(invalid(format!(
                    "user_metadata values can have at most {METADATA_MAX_VALUE} characters"
                )))
            }
            _ => return Err(invalid("user_metadata values must be strings")),
        }
    }
    Ok(())
}

fn check_profile(req: &SignupRequest) -> CoreResult<()> {
    let fields = [
        ("given_name", &req.given_name),
        ("family_name", &req.family_name),
        ("name", &req.name),
        ("nickname", &req.nickname),
        ("phone_number", &req.phone_number),
    ];
    for (field, v) in fields {
        if v.as_deref().is_some_and(|s| s.chars().count() > PROFILE_MAX) {
            return Err(invalid(format!("{field} can have at most {PROFILE_MAX} characters")));
        }
    }
    if let Some(p) = req.picture.as_deref() {
        let ok =
            p.len() <= PICTURE_MAX && url::Url::parse(p).is_ok_and(|u| u.scheme() == "https" || u.scheme() == "http");
        if !ok {
            return Err(invalid("picture must be an http(s) URL"));
        }
    }
    Ok(())
}

fn metadata_strings(meta: &Map<String, Value>) -> Vec<&str> {
    ["name", "first", "last"]
        .iter()
        .filter_map(|k| meta.get(*k).and_then(Value::as_str))
        .collect()
}

/// Creates a user on a database connection. `ip` is counted for suspicious-IP throttling (50
/// sign-up attempts per minute), after the request is known to be well-formed.
pub async fn signup(core: &Core<'_>, req: SignupRequest, ip: &str) -> CoreResult<SignupResponse> {
    let (connection, email) = (req.connection.clone(), req.email.clone());
    let outcome = signup_checked(core, req, ip).await;
    let event = match &outcome {
        Ok(u) => Event::new("ss", "Successful signup").user_id(&u.id).user_name(&u.email),
        Err(e) => Event::new("fs", crate::core::logs::failure(e)).user_name(email.as_deref().unwrap_or_default()),
    };
    core.record(Event { connection, ..event });
    outcome
}

async fn signup_checked(core: &Core<'_>, req: SignupRequest, ip: &str) -> CoreResult<SignupResponse> {
    let conn_name = required(&req.connection, "connection")?;
    let raw_email = required(&req.email, "email")?;
    let password = req.password.as_deref().ok_or_else(|| invalid("Missing password"))?;

    let conn = tenant::resolve_connection(core.db, req.client_id.as_deref(), conn_name).await?;
    if conn.options.disable_signup {
        return Err(CoreError::SignupDisabled);
    }

    let email = email::normalize(raw_email);
    if !email::is_valid(&email) {
        return Err(invalid("Invalid email address"));
    }
    let username = if conn.options.requires_username {
        let raw = required(&req.username, "username")?;
        let rules = conn.username_rules();
        if !rules.is_valid(raw) {
            return Err(invalid(format!(
                "Invalid username: use {}-{} letters, numbers and the characters _ + - . ! # $ ^ ` ~ @ ' (not an email address)",
                rules.min, rules.max
            )));
        }
        Some(UsernameRules::normalize(raw))
    } else {
        None
    };
    let meta = req.user_metadata.clone().unwrap_or_default();
    check_metadata(&meta)?;
    check_profile(&req)?;

    let info = PersonalInfo {
        email: Some(&email),
        username: username.as_deref(),
        name: req.name.as_deref(),
        nickname: req.nickname.as_deref(),
        metadata: metadata_strings(&meta),
    };
    conn.check_password(password, &info)?;

    // Admitted before the first write (the sign-up bucket): past the per-isolate bound, `503`.
    let _permit = crate::core::credentials::hashing::admit(core).await?;
    let quota = attack::take(
        core.db,
        &format!("signup:{ip}"),
        attack::Bucket::SIGNUPS_PER_IP,
        1.0,
        core.clock.now_ms(),
    )
    .await?;
    if !quota.granted {
        return Err(CoreError::TooManyRequests(quota));
    }
    // The tenant's pre-registration hook, before anything is looked up, hashed or stored: the
    // same call for an address that has an account and one that has not.
    let client_id = req.client_id.as_deref();
    let hook_user = HookUser {
        email: email.clone(),
        username: username.clone(),
        user_metadata: meta.clone(),
        ..HookUser::default()
    };
    let added = hooks::call::pre_registration(core, client_id, &conn, hook_user).await?;
    let (mut meta, mut app_metadata) = (meta, Map::new());
    added.apply(&mut meta, &mut app_metadata);
    match UserSource::of(core, &conn)? {
        UserSource::Local => {}
        UserSource::Import(legacy) => {
            // Nobody may claim an identifier that still lives in the legacy store.
            let ids: Vec<&str> = std::iter::once(email.as_str()).chain(username.as_deref()).collect();
            if lazy::taken_in_legacy(&legacy, &ids).await? {
                return Err(exists_error(core, "email").await?);
            }
        }
        UserSource::OwnStore(legacy) => {
            let profile: Map<String, Value> = [
                ("given_name", &req.given_name),
                ("family_name", &req.family_name),
                ("name", &req.name),
                ("nickname", &req.nickname),
                ("picture", &req.picture),
            ]
            .into_iter()
            .filter_map(|(k, v)| v.clone().map(|v| (k.to_owned(), Value::String(v))))
            .collect();
            let new = NewLegacyUser {
                email: &email,
                username: username.as_deref(),
                password,
                profile,
                user_metadata: &meta,
            };
            let Some(user) = lazy::own_store_signup(core, &conn, &legacy, new).await? else {
                return Err(exists_error(core, "email").await?);
            };
            hooks::call::post_registration(core, client_id, &conn, &user).await;
            return Ok(finish_signup(core, &user, req.client_id.as_deref()).await);
        }
    }
    let salt = core.random_bytes::<16>()?;
    let hash = core.hasher.hash(password, &salt).await?;
    let user = NewUser {
        user_id: core.new_id()?,
        connection_id: conn.id.clone(),
        email: email.clone(),
        email_verified: false,
        username: username.clone(),
        password_hash: Some(hash),
        profile: crate::core::directory::users::Profile {
            given_name: req.given_name.clone(),
            family_name: req.family_name.clone(),
            name: req.name.clone(),
            nickname: req.nickname.clone(),
            picture: req.picture.clone(),
            phone_number: req.phone_number.clone(),
        },
        user_metadata: meta,
        app_metadata,
        now: core.clock.now_ms(),
        ..NewUser::default()
    };
    match core
        .db
        .batch(vec![
            users::insert_stmt(&user),
            crate::core::directory::stats::signup_stmt(user.now),
        ])
        .await
    {
        Ok(_) => {}
        Err(DbError::Conflict(msg)) => return Err(exists_error(core, &msg).await?),
        Err(e) => return Err(e.into()),
    }
    let stored = users::by_id(core.db, &user.user_id)
        .await?
        .ok_or_else(|| CoreError::Internal("new user vanished".into()))?;
    hooks::call::post_registration(core, client_id, &conn, &stored).await;
    Ok(finish_signup(core, &stored, req.client_id.as_deref()).await)
}

/// Mails the verification link and builds the answer. The account exists already: a mail
/// failure must not turn the sign-up into an error (the user can ask for another link; the
/// failure is logged).
async fn finish_signup(core: &Core<'_>, user: &User, client_id: Option<&str>) -> SignupResponse {
    if let Err(e) = lifecycle::send_verification(core, user, client_id).await {
        core.log(&format!("verification mail for {} not sent: {e}", user.user_id));
    }
    SignupResponse {
        id: user.user_id.clone(),
        email: user.email.clone(),
        email_verified: user.email_verified,
        username: user.username.clone(),
        given_name: user.profile.given_name.clone(),
        family_name: user.profile.family_name.clone(),
        name: user.profile.name.clone(),
        nickname: user.profile.nickname.clone(),
        picture: user.profile.picture.clone(),
        // Sign-up metadata holds strings only (checked above).
        user_metadata: (!user.user_metadata.is_empty()).then(|| {
            user.user_metadata
                .iter()
                .filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_owned())))
                .collect()
        }),
    }
}

/// The answer for a taken identifier: the generic `invalid_signup` unless the tenant opted into
/// `user_exists` / `username_exists`.
async fn exists_error(core: &Core<'_>, constraint: &str) -> CoreResult<CoreError> {
    let flags = tenant::tenant(core.db).await?.flags;
    Ok(if !flags.enable_public_signup_user_exists_error {
        CoreError::InvalidSignup
    } else if constraint.contains("username") {
        CoreError::UsernameExists
    } else {
        CoreError::UserExists
    })
}
