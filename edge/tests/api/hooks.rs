//! Hooks (issue 27): `/api/v2/hooks` with its scopes and checks, and the three triggers against a
//! fake hook server that checks signatures — a pre-registration hook that blocks a domain and
//! adds metadata, a post-login hook that denies or adds claims, failing open and closed, and the
//! circuit breaker.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use edge::core::platform::db::{Database, Stmt};
use edge::testkit::{HookReply, TestEnv, DB_CONNECTION, MANAGEMENT_SCOPES, SPA_CLIENT};
use serde_json::{json, Value};

const PASSWORD: &str = "Analytical1!";

async fn call(env: &TestEnv, method: &str, path: &str, body: Option<Value>) -> edge::api::Response {
    env.management_call(MANAGEMENT_SCOPES, method, path, body).await
}

/// Creates an enabled hook of `trigger` at `https://hooks.example{path}`; returns its id.
async fn hook(env: &TestEnv, trigger: &str, path: &str, failure_mode: &str) -> String {
    let r = call(
        env,
        "POST",
        "hooks",
        Some(
            json!({"name": trigger, "triggerId": trigger, "url": format!("https://hooks.example{path}"),
            "secret": "CONNECTION_SECRET_HOOKS", "enabled": true, "failureMode": failure_mode, "timeoutMs": 1000}),
        ),
    )
    .await;
    assert_eq!(r.status, 201, "{}", String::from_utf8_lossy(&r.body));
    r.json_body()["id"].as_str().unwrap().to_owned()
}

async fn signup(env: &TestEnv, email: &str) -> edge::api::Response {
    env.post_json(
        "/dbconnections/signup",
        json!({"client_id": SPA_CLIENT, "connection": DB_CONNECTION, "email": email, "password": PASSWORD,
            "user_metadata": {"plan": "free"}}),
    )
    .await
}

async fn login(env: &TestEnv, email: &str) -> edge::api::Response {
    env.post_json(
        "/oauth/token",
        json!({"grant_type": "http://auth0.com/oauth/grant-type/password-realm", "client_id": SPA_CLIENT,
            "username": email, "password": PASSWORD, "realm": DB_CONNECTION, "scope": "openid email"}),
    )
    .await
}

fn claims(jwt: &str) -> Value {
    let part = jwt.split('.').nth(1).unwrap();
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(part).unwrap()).unwrap()
}

async fn users(env: &TestEnv) -> Vec<Value> {
    let db: &dyn Database = &env.db;
    let rows = db
        .query(Stmt::new(
            "SELECT email, user_metadata, app_metadata FROM users ORDER BY email",
        ))
        .await
        .unwrap();
    serde_json::from_value(serde_json::to_value(rows).unwrap()).unwrap()
}

#[tokio::test]
async fn hooks_are_managed_with_their_scopes_and_refuse_what_would_break_logins() {
    let env = TestEnv::new().await;
    let base = json!({"name": "h", "triggerId": "post-login", "url": "https://hooks.example/p",
        "secret": "CONNECTION_SECRET_HOOKS"});
    let with = |k: &str, v: Value| {
        let mut b = base.clone();
        b[k] = v;
        b
    };
    for (body, words) in [
        (with("triggerId", json!("pre-login")), "triggerId"),
        (with("url", json!("http://hooks.example/p")), "url"),
        (with("url", json!("https://127.0.0.1/p")), "url"),
        (with("secret", json!("KEY_ENCRYPTION_KEY")), "secret"),
        (with("secret", json!("CONNECTION_SECRET_UNSET")), "not set"),
        (with("timeoutMs", json!(60_000)), "timeoutMs"),
        (with("script", json!("module.exports = () => {}")), "script"),
    ] {
        let r = call(&env, "POST", "hooks", Some(body.clone())).await;
        assert_eq!(r.status, 400, "{body}");
        assert!(
            String::from_utf8_lossy(&r.body).contains(words),
            "{body}: {}",
            String::from_utf8_lossy(&r.body)
        );
    }
    let read_only = env
        .management_call("read:hooks", "POST", "hooks", Some(base.clone()))
        .await;
    assert_eq!(read_only.status, 403);

    let id = hook(&env, "post-login", "/login", "closed").await;
    assert!(id.starts_with("hk_"));
    let shown = env
        .management_call("read:hooks", "GET", &format!("hooks/{id}"), None)
        .await
        .json_body();
    assert_eq!(shown["triggerId"], "post-login");
    assert_eq!(
        shown["secret"], "CONNECTION_SECRET_HOOKS",
        "the secret's name, never its value"
    );
    assert!(!shown.to_string().contains(edge::testkit::HOOK_SECRET));
    // One enabled hook per trigger.
    let second = call(&env, "POST", "hooks", Some(with("enabled", json!(true)))).await;
    assert_eq!(second.status, 409);
    let off = call(&env, "POST", "hooks", Some(base.clone())).await;
    assert_eq!(off.status, 201, "a disabled second hook is fine");
    let off_id = off.json_body()["id"].as_str().unwrap().to_owned();
    let on = call(
        &env,
        "PATCH",
        &format!("hooks/{off_id}"),
        Some(json!({"enabled": true})),
    )
    .await;
    assert_eq!(on.status, 409);
    let trigger = call(
        &env,
        "PATCH",
        &format!("hooks/{id}"),
        Some(json!({"triggerId": "pre-user-registration"})),
    )
    .await;
    assert_eq!(trigger.status, 400, "the trigger never changes");
    let list = call(&env, "GET", "hooks", None).await.json_body();
    assert_eq!(list.as_array().unwrap().len(), 2);
    assert_eq!(call(&env, "DELETE", &format!("hooks/{id}"), None).await.status, 204);
    assert_eq!(call(&env, "GET", &format!("hooks/{id}"), None).await.status, 404);
    assert_eq!(call(&env, "DELETE", &format!("hooks/{id}"), None).await.status, 404);
}

#[tokio::test]
async fn a_pre_registration_hook_blocks_a_domain_and_adds_metadata_without_telling_who_exists() {
    let env = TestEnv::new().await;
    assert_eq!(signup(&env, "old@blocked.example").await.status, 200, "before the hook");
    hook(&env, "pre-user-registration", "/pre", "closed").await;
    hook(&env, "post-user-registration", "/post", "closed").await;
    let hooks = &env.legacy.hooks;
    hooks.reply(
        "/pre",
        HookReply::Json(json!({"verdict": "deny", "reason": "domain blocked.example is blocked",
            "user_message": "Sign-ups from blocked.example are not accepted."})),
    );
    let new = signup(&env, "new@blocked.example").await;
    let known = signup(&env, "old@blocked.example").await;
    assert_eq!(new.status, 400);
    assert_eq!(
        (new.status, &new.body),
        (known.status, &known.body),
        "an existing account answers alike"
    );
    let body = new.json_body();
    assert_eq!(body["code"], "hook_error");
    assert_eq!(body["description"], "Sign-ups from blocked.example are not accepted.");
    let calls = hooks.calls_to("/pre");
    assert_eq!(calls.len(), 2, "called for both addresses");
    assert!(calls.iter().all(|c| c.signed));
    let sent = &calls[0].body;
    assert_eq!(sent["trigger"], "pre-user-registration");
    assert_eq!(sent["user"]["email"], "new@blocked.example");
    assert_eq!(sent["user"]["user_metadata"]["plan"], "free");
    assert_eq!(sent["client"]["client_id"], SPA_CLIENT);
    assert_eq!(sent["connection"]["name"], DB_CONNECTION);
    assert!(!sent.to_string().contains(PASSWORD), "never the password");
    assert!(sent["user"].get("user_id").is_none());
    assert_eq!(users(&env).await.len(), 1, "nothing stored");
    assert!(hooks.calls_to("/post").is_empty());

    hooks.reply(
        "/pre",
        HookReply::Json(
            json!({"verdict": "allow", "user_metadata": {"plan": null, "source": "hook"},
            "app_metadata": {"tier": "gold"}}),
        ),
    );
    let ok = signup(&env, "ada@example.com").await;
    assert_eq!(ok.status, 200, "{}", String::from_utf8_lossy(&ok.body));
    let stored = users(&env).await;
    let ada = stored.iter().find(|u| u["email"] == "ada@example.com").unwrap();
    let meta: Value = serde_json::from_str(ada["user_metadata"].as_str().unwrap()).unwrap();
    let app: Value = serde_json::from_str(ada["app_metadata"].as_str().unwrap()).unwrap();
    assert_eq!(meta, json!({"source": "hook"}), "null removed plan");
    assert_eq!(app, json!({"tier": "gold"}));
    let post = hooks.calls_to("/post");
    assert_eq!(post.len(), 1);
    assert!(post[0].body["user"]["user_id"].as_str().unwrap().starts_with("auth0|"));

    // The tenant log says why the sign-up was refused.
    let logs = env
        .management_call("read:logs", "GET", "logs?q=type:fs", None)
        .await
        .json_body();
    assert!(
        logs.to_string()
            .contains("Denied by the pre-user-registration hook: domain blocked.example is blocked"),
        "{logs}"
    );
}

#[tokio::test]
async fn a_failing_hook_fails_closed_or_open_as_set_and_its_breaker_opens() {
    let env = TestEnv::new().await;
    let id = hook(&env, "pre-user-registration", "/pre", "closed").await;
    let hooks = &env.legacy.hooks;
    // Answers outside the contract: refused (closed), the receiver is up.
    let outside = [
        HookReply::Status(404),
        HookReply::Json(json!({"verdict": "allow", "id_token_claims": {"https://x.example/a": 1}})),
        HookReply::Json(json!({"verdict": "allow", "extra": true})),
    ];
    // Unreachable, slow, failing: refused, and five in a row open the breaker.
    let down = [
        HookReply::Down,
        HookReply::Timeout,
        HookReply::Status(500),
        HookReply::Down,
        HookReply::Timeout,
    ];
    for (i, reply) in outside.into_iter().chain(down).enumerate() {
        hooks.reply("/pre", reply.clone());
        let r = signup(&env, &format!("p{i}@example.com")).await;
        assert_eq!(r.status, 400, "{reply:?}");
        assert_eq!(r.json_body()["code"], "hook_error");
        assert!(r.json_body()["description"]
            .as_str()
            .unwrap()
            .contains("try again later"));
    }
    assert!(users(&env).await.is_empty());
    // Five failed calls opened the breaker: the next sign-up does not reach the hook.
    hooks.reply("/pre", HookReply::Json(json!({"verdict": "allow"})));
    let before = hooks.calls_to("/pre").len();
    assert_eq!(signup(&env, "later@example.com").await.status, 400);
    assert_eq!(hooks.calls_to("/pre").len(), before, "the breaker is open");
    env.clock.advance_ms(31_000);
    assert_eq!(
        signup(&env, "later@example.com").await.status,
        200,
        "half-open: one call goes through"
    );

    // Open: a failure lets the sign-up through unchanged.
    let r = call(
        &env,
        "PATCH",
        &format!("hooks/{id}"),
        Some(json!({"failureMode": "open"})),
    )
    .await;
    assert_eq!(r.status, 200);
    hooks.reply("/pre", HookReply::Status(503));
    assert_eq!(signup(&env, "open@example.com").await.status, 200);
}

#[tokio::test]
async fn a_post_login_hook_adds_namespaced_claims_sets_app_metadata_or_denies() {
    let env = TestEnv::new().await;
    assert_eq!(signup(&env, "ada@example.com").await.status, 200);
    let plain = login(&env, "ada@example.com").await.json_body();
    hook(&env, "post-login", "/login", "closed").await;
    let hooks = &env.legacy.hooks;
    hooks.reply(
        "/login",
        HookReply::Json(json!({"verdict": "allow",
            "id_token_claims": {"https://app.example/roles": ["editor"]},
            "access_token_claims": {"https://app.example/plan": "gold"},
            "app_metadata": {"last_hook": "seen"}})),
    );
    let r = login(&env, "ada@example.com").await;
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    let t = r.json_body();
    let id = claims(t["id_token"].as_str().unwrap());
    let at = claims(t["access_token"].as_str().unwrap());
    assert_eq!(id["https://app.example/roles"], json!(["editor"]));
    assert_eq!(at["https://app.example/plan"], "gold");
    assert!(claims(plain["id_token"].as_str().unwrap())
        .get("https://app.example/roles")
        .is_none());
    assert_eq!(id["email"], "ada@example.com", "the registered claims stay");
    let sent = &hooks.calls_to("/login")[0];
    assert!(sent.signed);
    assert_eq!(sent.body["user"]["email"], "ada@example.com");
    assert_eq!(sent.body["protocol"], "password");
    let stored = users(&env).await;
    let app: Value = serde_json::from_str(stored[0]["app_metadata"].as_str().unwrap()).unwrap();
    assert_eq!(app["last_hook"], "seen");

    // A claim without a namespace is outside the contract: closed, the login fails.
    hooks.reply(
        "/login",
        HookReply::Json(json!({"verdict": "allow", "id_token_claims": {"sub": "someone-else"}})),
    );
    let r = login(&env, "ada@example.com").await;
    assert_eq!(r.status, 403);
    assert_eq!(r.json_body()["error"], "access_denied");

    hooks.reply(
        "/login",
        HookReply::Json(
            json!({"verdict": "deny", "reason": "suspended account", "user_message": "Your account is on hold."}),
        ),
    );
    let r = login(&env, "ada@example.com").await;
    assert_eq!(r.status, 403);
    assert_eq!(
        r.json_body(),
        json!({"error": "access_denied", "error_description": "Your account is on hold."})
    );
    let failed = env
        .management_call("read:logs", "GET", "logs?q=type:f", None)
        .await
        .json_body();
    assert!(
        failed
            .to_string()
            .contains("Denied by the post-login hook: suspended account"),
        "{failed}"
    );
}

#[tokio::test]
async fn the_console_sign_in_never_calls_a_hook() {
    let env = TestEnv::new().await;
    env.add_member("owner@example.com", PASSWORD, "owner").await;
    hook(&env, "post-login", "/login", "closed").await;
    let hooks = &env.legacy.hooks;
    hooks.reply(
        "/login",
        HookReply::Json(json!({"verdict": "deny", "reason": "lock everyone out"})),
    );
    assert_eq!(signup(&env, "ada@example.com").await.status, 200);
    assert_eq!(
        login(&env, "ada@example.com").await.status,
        403,
        "applications' logins are denied"
    );
    let t = crate::admins::console_login(
        &env,
        edge::core::directory::admins::CONSOLE_CLIENT_ID,
        &crate::admins::callback(),
        "owner@example.com",
        PASSWORD,
    )
    .await;
    assert_eq!(t.status, 200, "{}", String::from_utf8_lossy(&t.body));
    let token = claims(t.json_body()["access_token"].as_str().unwrap());
    assert!(
        token.as_object().unwrap().keys().all(|k| !k.starts_with("https://")),
        "no hook claims"
    );
    assert_eq!(
        hooks.calls_to("/login").len(),
        1,
        "only the application's login called it"
    );
}
