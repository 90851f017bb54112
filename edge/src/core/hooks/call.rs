//! Running the triggers: one signed `POST` to the enabled hook of a trigger (the legacy
//! contract's client, `migration::signed`: request id, HMAC, timeout, retry budget, circuit
//! breaker), its answer read strictly ([`HookAnswer`]), and what it asks for bounded.
//!
//! - `pre-user-registration` runs after a sign-up's input is valid and before anything is stored or
//!   hashed — the same for an address that has an account and one that has not, so the call says
//!   nothing about who exists. A `deny` refuses with the hook's message (`hook_error`).
//! - `post-user-registration` is told about a new user; its answer and failures change nothing.
//! - `post-login` runs where a user's tokens are minted (`oauth::grants::issue_user_tokens`, every
//!   grant, refresh included): `deny` refuses with `access_denied`, claims are added to the tokens,
//!   `app_metadata` is stored.
//!
//! A failed call (unreachable, timed out, not `200`, an answer outside the contract, breaker open)
//! refuses with a "try again later" message when the hook is `closed`, and goes on unchanged when
//! it is `open`. The console's sign-in (its client, `tollgate-console`) never calls a hook: a
//! Management API token with `create:hooks` must not be able to lock the administrators out.

use serde_json::{Map, Value};
use shared::management::hooks::{
    FailureMode, HookAnswer, HookClient, HookConnection, HookEvent, HookUser, HookVerdict, POST_LOGIN,
    POST_USER_REGISTRATION, PRE_USER_REGISTRATION,
};
use shared::management::Metadata;

use super::{enabled_for, HookRow};
use crate::core::directory::admins::CONSOLE_CLIENT_ID;
use crate::core::directory::tenant::{Client, Connection};
use crate::core::directory::users::User;
use crate::core::error::{CoreError, CoreResult};
use crate::core::migration::signed::SignedEndpoint;
use crate::core::Core;

/// The largest object (metadata, claims) an answer may set, serialised.
pub const MAX_OBJECT_BYTES: usize = 8 * 1024;
/// The longest custom claim name.
pub const MAX_CLAIM_NAME: usize = 256;
/// Claim namespaces a hook may not use (Auth0's restricted ones).
const RESTRICTED_NAMESPACES: [&str; 3] = ["auth0.com", "webtask.io", "webtask.run"];

/// What the person sees when a sign-up is refused without a message of the hook's own.
pub const DENIED_SIGNUP: &str = "Sign-up is not allowed.";
/// What the person sees when a login is refused without a message of the hook's own.
pub const DENIED_LOGIN: &str = "Access denied.";
/// A closed hook that failed: sign-up.
pub const UNAVAILABLE_SIGNUP: &str = "We could not complete your sign-up right now. Please try again later.";
/// A closed hook that failed: login.
pub const UNAVAILABLE_LOGIN: &str = "We could not complete your login right now. Please try again later.";

/// The breaker key of a hook (in `legacy_breakers`, next to the connections' ones).
pub fn breaker_key(id: &str) -> String {
    format!("hook:{id}")
}

/// What a pre-registration hook adds to the new user.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Registration {
    /// Merged into `user_metadata`.
    pub user_metadata: Option<Metadata>,
    /// Merged into `app_metadata`.
    pub app_metadata: Option<Metadata>,
}

impl Registration {
    /// The hook's metadata merged into the new user's.
    pub fn apply(&self, user_metadata: &mut Map<String, Value>, app_metadata: &mut Map<String, Value>) {
        if let Some(m) = &self.user_metadata {
            merge(user_metadata, m);
        }
        if let Some(m) = &self.app_metadata {
            merge(app_metadata, m);
        }
    }
}

/// What a post-login hook adds to the tokens.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Login {
    /// Claims for the ID token.
    pub id_token_claims: Metadata,
    /// Claims for the access token.
    pub access_token_claims: Metadata,
}

/// `src` merged into `dst`: a `null` removes the key (as Auth0's metadata updates).
pub fn merge(dst: &mut Map<String, Value>, src: &Metadata) {
    for (k, v) in src {
        if v.is_null() {
            dst.remove(k);
        } else {
            dst.insert(k.clone(), v.clone());
        }
    }
}

/// The hook event's view of a client.
pub fn hook_client(c: &Client) -> HookClient {
    HookClient {
        client_id: c.client_id.clone(),
        name: c.name.clone(),
    }
}

/// The hook event's view of a connection.
pub fn hook_connection(c: &Connection) -> HookConnection {
    HookConnection {
        id: c.id.clone(),
        name: c.name.clone(),
        strategy: c.strategy.as_str().to_owned(),
    }
}

/// The hook event's view of a stored user.
pub fn hook_user(u: &User) -> HookUser {
    HookUser {
        user_id: Some(crate::core::directory::users::sub(&u.user_id)),
        email: u.email.clone(),
        email_verified: u.email_verified,
        username: u.username.clone(),
        user_metadata: u.user_metadata.clone(),
        app_metadata: u.app_metadata.clone(),
        logins_count: Some(u.logins_count),
    }
}

fn object_ok(field: &str, m: &Metadata) -> Result<(), String> {
    if serde_json::to_string(m).map_or(usize::MAX, |s| s.len()) > MAX_OBJECT_BYTES {
        return Err(format!("{field} is larger than {MAX_OBJECT_BYTES} bytes"));
    }
    Ok(())
}

fn claims_ok(field: &str, m: &Metadata) -> Result<(), String> {
    object_ok(field, m)?;
    for name in m.keys() {
        let host = name
            .strip_prefix("https://")
            .or_else(|| name.strip_prefix("http://"))
            .and_then(|rest| url::Url::parse(&format!("https://{rest}")).ok())
            .and_then(|u| u.host_str().map(str::to_owned));
        let Some(host) = host.filter(|_| name.len() <= MAX_CLAIM_NAME) else {
            return Err(format!(
                "{field}: {name:?} is not a namespaced claim (an http(s) URL of at most {MAX_CLAIM_NAME} characters)"
            ));
        };
        if RESTRICTED_NAMESPACES
            .iter()
            .any(|r| host == *r || host.ends_with(&format!(".{r}")))
        {
            return Err(format!("{field}: the namespace of {name:?} is restricted"));
        }
    }
    Ok(())
}

/// The answer's fields that `trigger` takes, checked; the others refused.
fn check_answer(trigger: &str, a: &HookAnswer) -> Result<(), String> {
    let allowed: &[&str] = match trigger {
        PRE_USER_REGISTRATION => &["user_metadata", "app_metadata"],
        POST_LOGIN => &["app_metadata", "id_token_claims", "access_token_claims"],
        _ => &[],
    };
    let given = [
        ("user_metadata", a.user_metadata.as_ref()),
        ("app_metadata", a.app_metadata.as_ref()),
        ("id_token_claims", a.id_token_claims.as_ref()),
        ("access_token_claims", a.access_token_claims.as_ref()),
    ];
    for (field, m) in given {
        let Some(m) = m else { continue };
        if !allowed.contains(&field) {
            return Err(format!("{field} is not taken by {trigger}"));
        }
        if field.ends_with("claims") {
            claims_ok(field, m)?;
        } else {
            object_ok(field, m)?;
        }
    }
    for (field, text) in [("reason", &a.reason), ("user_message", &a.user_message)] {
        if text.as_deref().is_some_and(|t| t.chars().count() > 500) {
            return Err(format!("{field} is longer than 500 characters"));
        }
    }
    Ok(())
}

/// One call of `hook`: its answer, or why there is none (never a secret or the body).
async fn invoke(core: &Core<'_>, hook: &HookRow, event: &HookEvent) -> Result<HookAnswer, String> {
    let secret = core
        .secrets
        .get(&hook.secret)
        .ok_or_else(|| format!("the Worker secret {} is not set", hook.secret))?;
    let url = url::Url::parse(&hook.url).map_err(|e| format!("url: {e}"))?;
    let body = serde_json::to_string(event).map_err(|e| e.to_string())?;
    let key = breaker_key(&hook.id);
    let timeout_ms = hook.timeout_ms.clamp(1, 10_000) as u64;
    let endpoint = SignedEndpoint {
        core,
        breaker_key: &key,
        secret: &secret,
        timeout_ms,
        // One retry of a connection failure fits; a timeout is never retried.
        budget_ms: timeout_ms + timeout_ms / 2,
    };
    let answer = endpoint.post(&url, &body).await.map_err(|e| match e {
        CoreError::LegacyUnavailable(why) | CoreError::LegacyProtocol(why) => why,
        other => other.to_string(),
    })?;
    let answer: HookAnswer =
        serde_json::from_slice(&answer).map_err(|e| format!("an answer outside the contract: {e}"))?;
    check_answer(&event.trigger, &answer)?;
    Ok(answer)
}

enum Ran {
    /// No hook for the trigger, or it failed open.
    Nothing,
    /// The hook allowed, with these changes.
    Allowed(HookAnswer),
}

/// The enabled hook of `trigger` for a request of `client_id` (never the console's), if any: the
/// one configuration read a request without hooks pays — no event is built, no client read.
async fn hook_for(core: &Core<'_>, trigger: &str, client_id: Option<&str>) -> CoreResult<Option<HookRow>> {
    if client_id == Some(CONSOLE_CLIENT_ID) {
        return Ok(None);
    }
    enabled_for(core.db, trigger).await
}

/// The application named by `client_id`, as a hook event shows it.
async fn client_of(core: &Core<'_>, client_id: Option<&str>) -> CoreResult<Option<Client>> {
    match client_id {
        Some(id) => crate::core::directory::tenant::client(core.db, id).await,
        None => Ok(None),
    }
}

/// Calls `hook` (the enabled one of `trigger`) with `event` and applies the verdict and the
/// failure mode.
async fn run(core: &Core<'_>, trigger: &'static str, hook: &HookRow, event: HookEvent) -> CoreResult<Ran> {
    let (denied, unavailable) = if trigger == PRE_USER_REGISTRATION {
        (DENIED_SIGNUP, UNAVAILABLE_SIGNUP)
    } else {
        (DENIED_LOGIN, UNAVAILABLE_LOGIN)
    };
    match invoke(core, hook, &event).await {
        Ok(a) if a.verdict == HookVerdict::Deny => Err(CoreError::HookDenied {
            trigger,
            message: a
                .user_message
                .filter(|m| !m.trim().is_empty())
                .unwrap_or_else(|| denied.to_owned()),
            reason: a.reason.unwrap_or_else(|| "no reason given".into()),
        }),
        Ok(a) => Ok(Ran::Allowed(a)),
        Err(why) => {
            core.log(&format!("{trigger} hook {} failed: {why}", hook.id));
            match FailureMode::parse(&hook.failure_mode) {
                FailureMode::Open => Ok(Ran::Nothing),
                FailureMode::Closed => Err(CoreError::HookDenied {
                    trigger,
                    message: unavailable.to_owned(),
                    reason: format!("the call failed ({why}); the hook fails closed"),
                }),
            }
        }
    }
}

fn event(trigger: &str, core: &Core<'_>, client: Option<&Client>, conn: &Connection, user: HookUser) -> HookEvent {
    HookEvent {
        trigger: trigger.to_owned(),
        tenant: core.settings.issuer.clone(),
        client: client.map(hook_client),
        connection: Some(hook_connection(conn)),
        user,
        ..HookEvent::default()
    }
}

/// `pre-user-registration`: may refuse the sign-up of `user` (not stored yet) for `client_id` or
/// add metadata.
pub async fn pre_registration(
    core: &Core<'_>,
    client_id: Option<&str>,
    conn: &Connection,
    user: HookUser,
) -> CoreResult<Registration> {
    let Some(hook) = hook_for(core, PRE_USER_REGISTRATION, client_id).await? else {
        return Ok(Registration::default());
    };
    let client = client_of(core, client_id).await?;
    let e = event(PRE_USER_REGISTRATION, core, client.as_ref(), conn, user);
    match run(core, PRE_USER_REGISTRATION, &hook, e).await? {
        Ran::Nothing => Ok(Registration::default()),
        Ran::Allowed(a) => Ok(Registration {
            user_metadata: a.user_metadata,
            app_metadata: a.app_metadata,
        }),
    }
}

/// `post-user-registration`: tells the hook about a new user. Nothing it answers or fails with
/// changes the sign-up (it is logged).
pub async fn post_registration(core: &Core<'_>, client_id: Option<&str>, conn: &Connection, user: &User) {
    let told = async {
        let Some(hook) = hook_for(core, POST_USER_REGISTRATION, client_id).await? else {
            return Ok(());
        };
        let client = client_of(core, client_id).await?;
        let e = event(POST_USER_REGISTRATION, core, client.as_ref(), conn, hook_user(user));
        run(core, POST_USER_REGISTRATION, &hook, e).await.map(|_| ())
    };
    if let Err(e) = told.await {
        core.log(&format!("post-user-registration hook: {e}"));
    }
}

/// What a post-login call is about.
#[derive(Debug, Clone, Copy)]
pub struct LoginContext<'a> {
    /// The application.
    pub client: &'a Client,
    /// The user.
    pub user: &'a User,
    /// The grant (`authorization_code`, `refresh_token`, …).
    pub protocol: &'a str,
    /// Granted scopes.
    pub scope: &'a str,
    /// The API, when an audience was requested.
    pub audience: Option<&'a str>,
}

/// `post-login`: may refuse the tokens, add claims to them and set `app_metadata` (stored now).
pub async fn post_login(core: &Core<'_>, cx: LoginContext<'_>) -> CoreResult<Login> {
    let Some(hook) = hook_for(core, POST_LOGIN, Some(&cx.client.client_id)).await? else {
        return Ok(Login::default());
    };
    let event = HookEvent {
        trigger: POST_LOGIN.to_owned(),
        tenant: core.settings.issuer.clone(),
        client: Some(hook_client(cx.client)),
        connection: None,
        user: hook_user(cx.user),
        protocol: Some(cx.protocol.to_owned()),
        scope: Some(cx.scope.to_owned()),
        audience: cx.audience.map(str::to_owned),
    };
    let ran = match run(core, POST_LOGIN, &hook, event).await {
        Ok(ran) => ran,
        Err(e) => {
            // A login recorded as successful (`s`) was refused after all.
            core.events.retype("s", "f", &crate::core::logs::failure(&e));
            return Err(e);
        }
    };
    let Ran::Allowed(a) = ran else {
        return Ok(Login::default());
    };
    if let Some(changes) = &a.app_metadata {
        let mut app = cx.user.app_metadata.clone();
        merge(&mut app, changes);
        let patch = crate::core::directory::users::Patch {
            app_metadata: Some(app),
            ..Default::default()
        };
        core.db
            .execute(crate::core::directory::users::patch(
                &cx.user.user_id,
                patch,
                core.clock.now_ms(),
            ))
            .await?;
    }
    Ok(Login {
        id_token_claims: a.id_token_claims.unwrap_or_default(),
        access_token_claims: a.access_token_claims.unwrap_or_default(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn answer(v: Value) -> HookAnswer {
        serde_json::from_value(v).unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn claims_must_be_namespaced_and_fields_fit_the_trigger() {
        let ok = answer(json!({"verdict": "allow", "id_token_claims": {"https://example.com/roles": ["a"]}}));
        assert_eq!(check_answer(POST_LOGIN, &ok), Ok(()));
        assert!(check_answer(PRE_USER_REGISTRATION, &ok).is_err());
        for bad in [
            "roles",
            "sub",
            "https://auth0.com/x",
            "https://x.webtask.io/y",
            "https://",
        ] {
            let a = answer(json!({"verdict": "allow", "access_token_claims": {bad: 1}}));
            assert!(check_answer(POST_LOGIN, &a).is_err(), "{bad} was taken");
        }
        let big = answer(json!({"verdict": "allow", "user_metadata": {"x": "y".repeat(MAX_OBJECT_BYTES)}}));
        assert!(check_answer(PRE_USER_REGISTRATION, &big).is_err());
        let notify = answer(json!({"verdict": "allow", "app_metadata": {}}));
        assert!(check_answer(POST_USER_REGISTRATION, &notify).is_err());
    }

    #[test]
    fn null_removes_a_key() {
        let mut m = Map::new();
        m.insert("a".into(), json!(1));
        m.insert("b".into(), json!(2));
        let changes = json!({"a": null, "c": 3});
        merge(&mut m, changes.as_object().unwrap_or(&Map::new()));
        assert_eq!(Value::Object(m), json!({"b": 2, "c": 3}));
    }
}
