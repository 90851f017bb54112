//! The operator side under attack (issue 22): sessions stay with the applications of the
//! connection they were made on, the console cannot be widened or locked through the Management API,
//! and administrators' brute-force blocks are outside the tenant API.

use edge::api::{Request, Response};
use edge::core::directory::admins::{ADMIN_CONNECTION_ID, ALL_SCOPES, CONSOLE_CLIENT_ID};
use edge::core::platform::db::Stmt;
use edge::testkit::{TestEnv, DB_CONNECTION, DB_CONNECTION_ID, ISSUER, MANAGEMENT_SCOPES, SPA_CLIENT};
use serde_json::{json, Value};

const CHALLENGE: &str = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";
const OWNER: &str = "owner@example.com";
const OWNER_PW: &str = "Console-owner-pass-1";
const USER_PW: &str = "Analytical1!";
const SPA_CALLBACK: &str = "http://localhost:3000/callback";

fn console_callback() -> String {
    format!("{ISSUER}admin/")
}

fn authorize_url(client: &str, redirect: &str, extra: &[(&str, &str)]) -> String {
    let mut q = url::form_urlencoded::Serializer::new(String::new());
    q.append_pair("client_id", client)
        .append_pair("redirect_uri", redirect)
        .append_pair("response_type", "code")
        .append_pair("state", "st4te")
        .append_pair("code_challenge", CHALLENGE)
        .append_pair("code_challenge_method", "S256");
    if client == CONSOLE_CLIENT_ID {
        q.append_pair("scope", &format!("openid profile email {}", ALL_SCOPES.join(" ")))
            .append_pair("audience", &format!("{ISSUER}api/v2/"));
    } else {
        q.append_pair("scope", "openid profile email");
    }
    for (k, v) in extra {
        q.append_pair(k, v);
    }
    format!("/authorize?{}", q.finish())
}

async fn get(env: &TestEnv, path: &str, cookie: Option<&str>) -> Response {
    let mut req = Request::new("GET", path);
    if let Some(c) = cookie {
        req = req.with_header("cookie", c);
    }
    env.send(req).await
}

fn tx_of(page: Response) -> String {
    assert_eq!(page.status, 200, "{}", String::from_utf8_lossy(&page.body));
    let html = String::from_utf8(page.body).unwrap();
    assert!(
        html.contains("data-tollgate-authorize-tx=\""),
        "not the login page: {html}"
    );
    edge::testkit::authorize_tx(&html)
}

fn is_login_page(r: &Response) -> bool {
    r.status == 200 && String::from_utf8_lossy(&r.body).contains("data-tollgate-authorize-tx=")
}

/// Logs in on the hosted page of `authorize` (optionally naming the connection); returns the
/// session cookie and where `/authorize/resume` sent the browser.
async fn hosted_login(
    env: &TestEnv,
    authorize: &str,
    email: &str,
    password: &str,
    connection: Option<&str>,
) -> (String, Response) {
    let tx = tx_of(get(env, authorize, None).await);
    let mut body = json!({"tx": tx, "username": email, "password": password});
    if let Some(c) = connection {
        body["connection"] = json!(c);
    }
    let mut login = Request::new("POST", "/u/login").with_json(&body);
    login.ip = Some("198.51.100.9".into());
    let login = env.send(login).await;
    assert_eq!(login.status, 200, "{}", String::from_utf8_lossy(&login.body));
    let cookie = login
        .header("set-cookie")
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_owned();
    let next = login.json_body()["redirect"]
        .as_str()
        .unwrap()
        .replace(ISSUER.trim_end_matches('/'), "");
    let done = get(env, &next, Some(&cookie)).await;
    (cookie, done)
}

fn location_param(r: &Response, key: &str) -> Option<String> {
    let loc = url::Url::parse(r.header("location")?).ok()?;
    loc.query_pairs().find(|(k, _)| k == key).map(|(_, v)| v.into_owned())
}

async fn signup(env: &TestEnv, email: &str) {
    let r = env
        .post_json(
            "/dbconnections/signup",
            json!({"client_id": SPA_CLIENT, "connection": DB_CONNECTION, "email": email, "password": USER_PW}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
}

#[tokio::test]
async fn an_administrator_session_never_completes_authorize_for_an_application() {
    let env = TestEnv::new().await;
    env.add_member(OWNER, OWNER_PW, "owner").await;
    let (cookie, done) = hosted_login(
        &env,
        &authorize_url(CONSOLE_CLIENT_ID, &console_callback(), &[]),
        OWNER,
        OWNER_PW,
        None,
    )
    .await;
    assert!(location_param(&done, "code").is_some(), "the console gets its code");

    // Silent authentication for an application: no ID token of the administrator, ever.
    let silent = get(
        &env,
        &authorize_url(SPA_CLIENT, SPA_CALLBACK, &[("prompt", "none")]),
        Some(&cookie),
    )
    .await;
    assert_eq!(silent.status, 302, "{}", String::from_utf8_lossy(&silent.body));
    assert_eq!(location_param(&silent, "error").as_deref(), Some("login_required"));
    assert_eq!(location_param(&silent, "code"), None);
    // Interactive: the application's login page, not a code for the administrator.
    let page = get(&env, &authorize_url(SPA_CLIENT, SPA_CALLBACK, &[]), Some(&cookie)).await;
    assert!(is_login_page(&page), "{} {:?}", page.status, page.header("location"));
}

#[tokio::test]
async fn an_application_session_never_reaches_the_console() {
    let env = TestEnv::new().await;
    env.add_member(OWNER, OWNER_PW, "owner").await;
    signup(&env, "joe@example.com").await;
    let (cookie, done) = hosted_login(
        &env,
        &authorize_url(SPA_CLIENT, SPA_CALLBACK, &[]),
        "joe@example.com",
        USER_PW,
        None,
    )
    .await;
    assert!(location_param(&done, "code").is_some());
    let silent = get(
        &env,
        &authorize_url(CONSOLE_CLIENT_ID, &console_callback(), &[("prompt", "none")]),
        Some(&cookie),
    )
    .await;
    assert_eq!(location_param(&silent, "error").as_deref(), Some("login_required"));
    let page = get(
        &env,
        &authorize_url(CONSOLE_CLIENT_ID, &console_callback(), &[]),
        Some(&cookie),
    )
    .await;
    assert!(is_login_page(&page));
}

#[tokio::test]
async fn a_session_completes_authorize_only_for_clients_with_its_connection_enabled() {
    let env = TestEnv::new().await;
    signup(&env, "joe@example.com").await;
    // A second application on a second database connection only.
    let m2m = env.management_token(MANAGEMENT_SCOPES).await;
    let app = env
        .api(
            &m2m,
            "POST",
            "clients",
            Some(
                json!({"name": "Other app", "app_type": "spa", "callbacks": ["http://localhost:4000/cb"],
                "grant_types": ["authorization_code"]}),
            ),
        )
        .await;
    assert_eq!(app.status, 201, "{}", String::from_utf8_lossy(&app.body));
    let other = app.json_body()["client_id"].as_str().unwrap().to_owned();
    let conn = env
        .api(
            &m2m,
            "POST",
            "connections",
            Some(json!({"name": "Other-DB", "strategy": "auth0", "enabled_clients": [other]})),
        )
        .await;
    assert_eq!(conn.status, 201, "{}", String::from_utf8_lossy(&conn.body));

    let (cookie, _) = hosted_login(
        &env,
        &authorize_url(SPA_CLIENT, SPA_CALLBACK, &[]),
        "joe@example.com",
        USER_PW,
        None,
    )
    .await;
    let silent = get(
        &env,
        &authorize_url(&other, "http://localhost:4000/cb", &[("prompt", "none")]),
        Some(&cookie),
    )
    .await;
    assert_eq!(location_param(&silent, "error").as_deref(), Some("login_required"));
    // Enabling the session's connection for that application makes the session good there (SSO).
    let enabled = env
        .api(
            &m2m,
            "PATCH",
            &format!("connections/{DB_CONNECTION_ID}"),
            Some(json!({"enabled_clients": [SPA_CLIENT, other]})),
        )
        .await;
    assert_eq!(enabled.status, 200, "{}", String::from_utf8_lossy(&enabled.body));
    let silent = get(
        &env,
        &authorize_url(&other, "http://localhost:4000/cb", &[("prompt", "none")]),
        Some(&cookie),
    )
    .await;
    assert!(
        location_param(&silent, "code").is_some(),
        "{:?}",
        silent.header("location")
    );
}

#[tokio::test]
async fn the_console_client_cannot_be_given_another_connection() {
    let env = TestEnv::new().await;
    let m2m = env.management_token(MANAGEMENT_SCOPES).await;
    let created = env
        .api(
            &m2m,
            "POST",
            "connections",
            Some(json!({"name": "Lockout", "strategy": "auth0", "enabled_clients": [CONSOLE_CLIENT_ID]})),
        )
        .await;
    assert_eq!(created.status, 400, "{}", String::from_utf8_lossy(&created.body));
    assert!(created.json_body()["message"]
        .as_str()
        .unwrap()
        .contains(CONSOLE_CLIENT_ID));
    let listed = env.api(&m2m, "GET", "connections", None).await.json_body();
    assert!(
        listed.as_array().unwrap().iter().all(|c| c["name"] != "Lockout"),
        "nothing half-made"
    );
    let patched = env
        .api(
            &m2m,
            "PATCH",
            &format!("connections/{DB_CONNECTION_ID}"),
            Some(json!({"enabled_clients": [SPA_CLIENT, CONSOLE_CLIENT_ID]})),
        )
        .await;
    assert_eq!(patched.status, 400, "{}", String::from_utf8_lossy(&patched.body));
    let conn = env
        .api(&m2m, "GET", &format!("connections/{DB_CONNECTION_ID}"), None)
        .await
        .json_body();
    assert_eq!(conn["enabled_clients"], json!([SPA_CLIENT]), "unchanged");
    // The administrators' connection is not reachable at all.
    let r = env
        .api(
            &m2m,
            "PATCH",
            &format!("connections/{ADMIN_CONNECTION_ID}"),
            Some(json!({"enabled_clients": [SPA_CLIENT, CONSOLE_CLIENT_ID]})),
        )
        .await;
    assert_eq!(r.status, 404);
}

#[tokio::test]
async fn the_console_login_offers_only_the_administrators_connection() {
    let env = TestEnv::new().await;
    env.add_member(OWNER, OWNER_PW, "owner").await;
    signup(&env, "joe@example.com").await;
    // Even where the database says otherwise (a store changed by hand), the console's hosted login
    // knows only the administrators' connection.
    env.exec(
        Stmt::new("INSERT INTO client_connections (client_id, connection_id) VALUES (?1, ?2)")
            .bind(CONSOLE_CLIENT_ID)
            .bind(DB_CONNECTION_ID),
    )
    .await;
    let config = get(&env, &format!("/client/{CONSOLE_CLIENT_ID}.json"), None).await;
    let text = String::from_utf8_lossy(&config.body).to_string();
    assert!(!text.contains(DB_CONNECTION), "{text}");
    for connection in [Some(DB_CONNECTION), None] {
        let tx = tx_of(get(&env, &authorize_url(CONSOLE_CLIENT_ID, &console_callback(), &[]), None).await);
        let mut body = json!({"tx": tx, "username": "joe@example.com", "password": USER_PW});
        if let Some(c) = connection {
            body["connection"] = json!(c);
        }
        let login = env.post_json("/u/login", body).await;
        assert_ne!(
            login.status,
            200,
            "{connection:?}: {}",
            String::from_utf8_lossy(&login.body)
        );
    }
    // The owner still gets in.
    let (_, done) = hosted_login(
        &env,
        &authorize_url(CONSOLE_CLIENT_ID, &console_callback(), &[]),
        OWNER,
        OWNER_PW,
        None,
    )
    .await;
    assert!(location_param(&done, "code").is_some());
}

async fn fail_console_logins(env: &TestEnv, email: &str, n: usize) {
    for _ in 0..n {
        let tx = tx_of(get(env, &authorize_url(CONSOLE_CLIENT_ID, &console_callback(), &[]), None).await);
        let mut login = Request::new("POST", "/u/login")
            .with_json(&json!({"tx": tx, "username": email, "password": "wrong-password-123"}));
        login.ip = Some("198.51.100.9".into());
        let r = env.send(login).await;
        assert_ne!(r.status, 200);
    }
}

fn lists(blocks: &Value, identifier: &str) -> bool {
    blocks.to_string().contains(identifier)
}

#[tokio::test]
async fn administrator_blocks_are_outside_the_tenant_api() {
    let env = TestEnv::new().await;
    env.add_member(OWNER, OWNER_PW, "owner").await;
    signup(&env, "joe@example.com").await;
    fail_console_logins(&env, OWNER, 10).await;
    // An ordinary user's block, to show the list works.
    for _ in 0..10 {
        let mut req = Request::new("POST", "/oauth/token").with_json(&json!({
            "grant_type": "http://auth0.com/oauth/grant-type/password-realm", "client_id": SPA_CLIENT,
            "username": "joe@example.com", "password": "wrong-password-123", "realm": DB_CONNECTION}));
        req.ip = Some("198.51.100.9".into());
        env.send(req).await;
    }
    let m2m = env.management_token(MANAGEMENT_SCOPES).await;
    let blocks = env.api(&m2m, "GET", "attack-protection/blocks", None).await;
    assert_eq!(blocks.status, 200);
    let blocks = blocks.json_body();
    assert!(lists(&blocks, "joe@example.com"), "{blocks}");
    assert!(!lists(&blocks, OWNER), "{blocks}");
    // Lifting by identifier through the tenant API does not touch the administrator's block.
    let r = env
        .api(&m2m, "DELETE", &format!("user-blocks?identifier={OWNER}"), None)
        .await;
    assert_eq!(r.status, 204, "{}", String::from_utf8_lossy(&r.body));
    let tx = tx_of(get(&env, &authorize_url(CONSOLE_CLIENT_ID, &console_callback(), &[]), None).await);
    let mut login =
        Request::new("POST", "/u/login").with_json(&json!({"tx": tx, "username": OWNER, "password": OWNER_PW}));
    login.ip = Some("198.51.100.9".into());
    let still = env.send(login).await;
    assert_eq!(still.status, 429, "{}", String::from_utf8_lossy(&still.body));
}
