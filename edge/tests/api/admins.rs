//! Tenant administrators: the console (code + PKCE, the admins' own connection) is the one
//! user-facing path to Management API scopes, by role, checked at every call; administrators are
//! invisible to the Management API; no ordinary user reaches a Management API scope.

use edge::api::{Request, Response};
use edge::core::directory::admins::{ADMIN_CONNECTION_ID, ALL_SCOPES, CONSOLE_CLIENT_ID};
use edge::core::platform::db::Stmt;
use edge::testkit::{TestEnv, DB_CONNECTION, ISSUER, MANAGEMENT_SCOPES, SPA_CLIENT};
use serde_json::{json, Value};

const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
const CHALLENGE: &str = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";
const PW: &str = "Console-owner-pass-1";

pub(crate) fn callback() -> String {
    format!("{ISSUER}admin/")
}

fn authorize_url(client: &str, redirect: &str) -> String {
    let mut q = url::form_urlencoded::Serializer::new(String::new());
    q.append_pair("client_id", client)
        .append_pair("redirect_uri", redirect)
        .append_pair("response_type", "code")
        .append_pair(
            "scope",
            &format!(
                "openid profile email {} {}",
                ALL_SCOPES.join(" "),
                edge::core::directory::admins::OWNER_SCOPES.join(" ")
            ),
        )
        .append_pair("audience", &format!("{ISSUER}api/v2/"))
        .append_pair("state", "st4te")
        .append_pair("code_challenge", CHALLENGE)
        .append_pair("code_challenge_method", "S256");
    format!("/authorize?{}", q.finish())
}

/// Signs in through the hosted page and exchanges the code: the token response.
pub(crate) async fn console_login(
    env: &TestEnv,
    client: &str,
    redirect: &str,
    email: &str,
    password: &str,
) -> Response {
    let page = env.send(Request::new("GET", &authorize_url(client, redirect))).await;
    assert_eq!(page.status, 200, "{}", String::from_utf8_lossy(&page.body));
    let html = String::from_utf8(page.body).unwrap();
    let tx = edge::testkit::authorize_tx(&html);
    let mut login =
        Request::new("POST", "/u/login").with_json(&json!({"tx": tx, "username": email, "password": password}));
    login.ip = Some("198.51.100.9".into());
    let login = env.send(login).await;
    if login.status != 200 {
        return login;
    }
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
    let done = env
        .send(Request::new("GET", &next).with_header("cookie", &cookie))
        .await;
    assert_eq!(done.status, 302);
    let loc = url::Url::parse(done.header("location").unwrap()).unwrap();
    let code = loc
        .query_pairs()
        .find(|(k, _)| k == "code")
        .map(|(_, v)| v.into_owned());
    let Some(code) = code else {
        return Response::json(400, &json!({"redirect": loc.as_str()}));
    };
    env.post_json(
        "/oauth/token",
        json!({"grant_type": "authorization_code", "client_id": client, "code": code, "code_verifier": VERIFIER, "redirect_uri": redirect}),
    )
    .await
}

async fn api(env: &TestEnv, token: &str, method: &str, path: &str, body: Option<Value>) -> Response {
    env.api(token, method, path, body).await
}

#[tokio::test]
async fn the_edge_and_the_seed_name_the_same_scopes() {
    let mut edge: Vec<&str> = ALL_SCOPES.to_vec();
    let mut testkit: Vec<&str> = MANAGEMENT_SCOPES.split_whitespace().collect();
    let js = include_str!("../../../scripts/management-scopes.mjs");
    let list = js
        .split("managementScopes = [")
        .nth(1)
        .unwrap()
        .split(']')
        .next()
        .unwrap();
    let mut seed: Vec<&str> = list.split('\'').skip(1).step_by(2).collect();
    edge.sort();
    testkit.sort();
    seed.sort();
    assert_eq!(edge, testkit);
    assert_eq!(edge, seed);
}

#[tokio::test]
async fn an_owner_signs_in_to_the_console_and_manages_the_tenant() {
    let env = TestEnv::new().await;
    let owner = env.add_member("owner@example.com", PW, "owner").await;
    let t = console_login(&env, CONSOLE_CLIENT_ID, &callback(), "owner@example.com", PW).await;
    assert_eq!(t.status, 200, "{}", String::from_utf8_lossy(&t.body));
    let token = t.json_body()["access_token"].as_str().unwrap().to_owned();
    assert_eq!(api(&env, &token, "GET", "users", None).await.status, 200);
    let created = api(
        &env,
        &token,
        "POST",
        "users",
        Some(json!({"connection": DB_CONNECTION, "email": "made@example.com", "password": "Analytical1!x"})),
    )
    .await;
    assert_eq!(created.status, 201, "{}", String::from_utf8_lossy(&created.body));

    // Administrators are invisible to the Management API, whoever calls it.
    let users = api(&env, &token, "GET", "users", None).await.json_body();
    assert!(users
        .as_array()
        .unwrap()
        .iter()
        .all(|u| u["email"] != "owner@example.com"));
    let m2m = env.management_token(MANAGEMENT_SCOPES).await;
    for (method, path, body) in [
        ("GET", format!("users/auth0|{owner}"), None),
        (
            "PATCH",
            format!("users/auth0|{owner}"),
            Some(json!({"password": "Taken-over-pass-1"})),
        ),
        ("DELETE", format!("users/auth0|{owner}"), None),
        (
            "POST",
            "tickets/password-change".to_owned(),
            Some(json!({"user_id": format!("auth0|{owner}")})),
        ),
        ("GET", format!("connections/{ADMIN_CONNECTION_ID}"), None),
        (
            "PATCH",
            format!("connections/{ADMIN_CONNECTION_ID}"),
            Some(json!({"options": {"disable_signup": false}})),
        ),
        ("DELETE", format!("connections/{ADMIN_CONNECTION_ID}"), None),
        ("GET", format!("clients/{CONSOLE_CLIENT_ID}"), None),
        (
            "PATCH",
            format!("clients/{CONSOLE_CLIENT_ID}"),
            Some(json!({"callbacks": ["https://evil.example/cb"]})),
        ),
        ("POST", format!("clients/{CONSOLE_CLIENT_ID}/rotate-secret"), None),
    ] {
        let r = api(&env, &m2m, method, &path, body).await;
        assert_eq!(r.status, 404, "{method} {path}: {}", String::from_utf8_lossy(&r.body));
    }
    let r = api(&env, &m2m, "DELETE", &format!("users/auth0|{owner}"), None).await;
    assert_eq!(r.status, 404);
    let r = api(
        &env,
        &m2m,
        "POST",
        "users",
        Some(json!({"connection": "tollgate-admins", "email": "intruder@example.com", "password": "Analytical1!x"})),
    )
    .await;
    assert_eq!(r.status, 400);
    let by_email = api(&env, &m2m, "GET", "users-by-email?email=owner@example.com", None)
        .await
        .json_body();
    assert_eq!(by_email, json!([]));
    let conns = api(&env, &m2m, "GET", "connections", None).await.json_body();
    assert!(conns.as_array().unwrap().iter().all(|c| c["name"] != "tollgate-admins"));
    let clients = api(&env, &m2m, "GET", "clients", None).await.json_body();
    assert!(clients
        .as_array()
        .unwrap()
        .iter()
        .all(|c| c["client_id"] != CONSOLE_CLIENT_ID));
    let q = api(&env, &m2m, "GET", "users?q=email:owner*", None).await.json_body();
    assert_eq!(q, json!([]));
    // Still a member after all that.
    assert_eq!(api(&env, &token, "GET", "users", None).await.status, 200);
}

#[tokio::test]
async fn a_viewer_reads_and_roles_are_checked_at_every_call() {
    let env = TestEnv::new().await;
    let viewer = env.add_member("viewer@example.com", PW, "viewer").await;
    let t = console_login(&env, CONSOLE_CLIENT_ID, &callback(), "viewer@example.com", PW).await;
    assert_eq!(t.status, 200, "{}", String::from_utf8_lossy(&t.body));
    let body = t.json_body();
    let token = body["access_token"].as_str().unwrap().to_owned();
    assert!(body["scope"]
        .as_str()
        .unwrap()
        .split(' ')
        .all(|s| !s.contains(':') || s.starts_with("read:")));
    assert_eq!(api(&env, &token, "GET", "users", None).await.status, 200);
    assert_eq!(api(&env, &token, "GET", "stats/daily", None).await.status, 200);
    let write = api(
        &env,
        &token,
        "POST",
        "users",
        Some(json!({"connection": DB_CONNECTION, "email": "v@example.com", "password": "Analytical1!x"})),
    )
    .await;
    assert_eq!(write.status, 403, "{}", String::from_utf8_lossy(&write.body));
    let write = api(
        &env,
        &token,
        "PATCH",
        "connections/con_test00000000001",
        Some(json!({"options": {}})),
    )
    .await;
    assert_eq!(write.status, 403);

    // Promoted: the same token may now write only what it asked for (the token's scopes are the
    // viewer's); a token issued after the promotion writes.
    env.exec(Stmt::new("UPDATE tenant_members SET role = 'admin' WHERE user_id = ?1").bind(&viewer))
        .await;
    let t = console_login(&env, CONSOLE_CLIENT_ID, &callback(), "viewer@example.com", PW).await;
    let admin_token = t.json_body()["access_token"].as_str().unwrap().to_owned();
    let made = api(
        &env,
        &admin_token,
        "POST",
        "users",
        Some(json!({"connection": DB_CONNECTION, "email": "v@example.com", "password": "Analytical1!x"})),
    )
    .await;
    assert_eq!(made.status, 201);
    // Demoted again: the admin token stops writing at once; removed: it stops working at all.
    env.exec(Stmt::new("UPDATE tenant_members SET role = 'viewer' WHERE user_id = ?1").bind(&viewer))
        .await;
    let r = api(&env, &admin_token, "DELETE", "users/auth0|whoever", None).await;
    assert_eq!(r.status, 403);
    env.exec(Stmt::new("DELETE FROM tenant_members WHERE user_id = ?1").bind(&viewer))
        .await;
    assert_eq!(api(&env, &admin_token, "GET", "users", None).await.status, 401);
}

#[tokio::test]
async fn no_ordinary_user_reaches_a_management_scope_through_the_console() {
    let env = TestEnv::new().await;
    env.add_member("owner@example.com", PW, "owner").await;
    let signup = env.post_json("/dbconnections/signup",
        json!({"client_id": SPA_CLIENT, "connection": DB_CONNECTION, "email": "joe@example.com", "password": "Analytical1!"})).await;
    assert_eq!(signup.status, 200);
    // The console's login knows only administrators.
    let r = console_login(&env, CONSOLE_CLIENT_ID, &callback(), "joe@example.com", "Analytical1!").await;
    assert_ne!(r.status, 200);
    // Nobody signs up as an administrator.
    let r = env.post_json("/dbconnections/signup",
        json!({"client_id": CONSOLE_CLIENT_ID, "connection": "tollgate-admins", "email": "me@example.com", "password": "Analytical1!-long"})).await;
    assert_ne!(r.status, 200);
    // The console cannot be enabled on the users' connection (and where a row says so anyway, its
    // login still knows only administrators: `console_trust`).
    let m2m = env.management_token(MANAGEMENT_SCOPES).await;
    let patched = api(
        &env,
        &m2m,
        "PATCH",
        "connections/con_test00000000001",
        Some(json!({"enabled_clients": [SPA_CLIENT, CONSOLE_CLIENT_ID]})),
    )
    .await;
    assert_eq!(patched.status, 400, "{}", String::from_utf8_lossy(&patched.body));
    // And the console client cannot be talked into other redirects or response types.
    let r = env
        .send(Request::new(
            "GET",
            &authorize_url(CONSOLE_CLIENT_ID, "https://evil.example/admin/"),
        ))
        .await;
    assert_ne!(r.status, 302, "no redirect to an unregistered URL");
    let implicit = authorize_url(CONSOLE_CLIENT_ID, &callback()).replace("response_type=code", "response_type=token");
    let r = env.send(Request::new("GET", &implicit)).await;
    assert_eq!(r.status, 302, "{}", String::from_utf8_lossy(&r.body));
    assert!(
        r.header("location").unwrap().contains("error=unauthorized_client"),
        "{:?}",
        r.header("location")
    );
}
