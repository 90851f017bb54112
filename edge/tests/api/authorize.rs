use edge::api::{Request, Response};
use edge::core::platform::db::Stmt;
use edge::testkit::{TestEnv, DB_CONNECTION, SPA_CLIENT};
use serde_json::{json, Value};

const CALLBACK: &str = "http://localhost:3000/callback";
const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
const CHALLENGE: &str = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";
const PW: &str = "Analytical1!";

async fn env_with_user() -> TestEnv {
    let env = TestEnv::new().await;
    let r = env
        .post_json(
            "/dbconnections/signup",
            json!({"client_id": SPA_CLIENT, "connection": DB_CONNECTION, "email": "ada@example.com", "password": PW}),
        )
        .await;
    assert_eq!(r.status, 200);
    env
}

fn authorize_url(extra: &[(&str, &str)]) -> String {
    let mut q = url::form_urlencoded::Serializer::new(String::new());
    q.append_pair("client_id", SPA_CLIENT)
        .append_pair("redirect_uri", CALLBACK)
        .append_pair("response_type", "code")
        .append_pair("scope", "openid profile email offline_access")
        .append_pair("state", "st4te")
        .append_pair("nonce", "n0nce")
        .append_pair("code_challenge", CHALLENGE)
        .append_pair("code_challenge_method", "S256");
    for (k, v) in extra {
        q.append_pair(k, v);
    }
    format!("/authorize?{}", q.finish())
}

fn location(r: &Response) -> url::Url {
    url::Url::parse(r.header("location").expect("location")).unwrap()
}

fn query(u: &url::Url, k: &str) -> Option<String> {
    u.query_pairs().find(|(n, _)| n == k).map(|(_, v)| v.into_owned())
}

fn cookie_of(r: &Response) -> String {
    r.header("set-cookie").unwrap().split(';').next().unwrap().to_owned()
}

async fn get(env: &TestEnv, path: &str, cookie: Option<&str>) -> Response {
    let mut req = Request::new("GET", path);
    if let Some(c) = cookie {
        req = req.with_header("cookie", c);
    }
    env.send(req).await
}

/// Runs the hosted-page login for `path`; returns (final response, session cookie).
async fn login_through_page(env: &TestEnv, path: &str) -> (Response, String) {
    let page = get(env, path, None).await;
    assert_eq!(page.status, 200, "{}", String::from_utf8_lossy(&page.body));
    let html = String::from_utf8(page.body).unwrap();
    let tx = edge::testkit::authorize_tx(&html);
    let login = env
        .post_json(
            "/u/login",
            json!({"tx": tx, "username": "ada@example.com", "password": PW}),
        )
        .await;
    assert_eq!(login.status, 200, "{}", String::from_utf8_lossy(&login.body));
    assert!(login.header("set-cookie").unwrap().contains("HttpOnly"));
    let cookie = cookie_of(&login);
    let redirect = login.json_body()["redirect"]
        .as_str()
        .unwrap()
        .replace("https://tollgate.test", "");
    (get(env, &redirect, Some(&cookie)).await, cookie)
}

async fn exchange(env: &TestEnv, code: &str, verifier: &str, redirect: &str) -> Response {
    env.post_json(
        "/oauth/token",
        json!({"grant_type": "authorization_code", "client_id": SPA_CLIENT, "code": code, "code_verifier": verifier, "redirect_uri": redirect}),
    )
    .await
}

async fn refresh(env: &TestEnv, token: &str) -> Response {
    env.post_json(
        "/oauth/token",
        json!({"grant_type": "refresh_token", "client_id": SPA_CLIENT, "refresh_token": token}),
    )
    .await
}

fn claims(jwt: &str) -> Value {
    use base64::Engine;
    let part = jwt.split('.').nth(1).unwrap();
    serde_json::from_slice(&base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(part).unwrap()).unwrap()
}

#[tokio::test]
async fn code_flow_with_pkce_refresh_rotation_and_reuse_detection() {
    let env = env_with_user().await;
    let (done, _) = login_through_page(&env, &authorize_url(&[])).await;
    assert_eq!(done.status, 302);
    let loc = location(&done);
    assert_eq!(&loc[..url::Position::AfterPath], CALLBACK);
    assert_eq!(query(&loc, "state").as_deref(), Some("st4te"));
    let code = query(&loc, "code").unwrap();

    let t = exchange(&env, &code, VERIFIER, CALLBACK).await;
    assert_eq!(t.status, 200, "{}", String::from_utf8_lossy(&t.body));
    let tokens = t.json_body();
    let id = claims(tokens["id_token"].as_str().unwrap());
    assert_eq!(id["nonce"], "n0nce");
    assert!(id["auth_time"].is_i64());
    assert_eq!(id["aud"], SPA_CLIENT);
    let rt1 = tokens["refresh_token"].as_str().unwrap().to_owned();

    assert_eq!(
        exchange(&env, &code, VERIFIER, CALLBACK).await.json_body()["error"],
        "invalid_grant",
        "codes are single use"
    );

    let r2 = refresh(&env, &rt1).await;
    assert_eq!(r2.status, 200);
    let rt2 = r2.json_body()["refresh_token"].as_str().unwrap().to_owned();
    assert_ne!(rt1, rt2, "rotated");
    assert!(r2.json_body()["id_token"].is_string());

    // Replaying the rotated token revokes the family: rt2 dies too.
    let replay = refresh(&env, &rt1).await;
    assert_eq!(
        (replay.status, replay.json_body()),
        (
            403,
            json!({"error": "invalid_grant", "error_description": "Unknown or invalid refresh token."})
        )
    );
    assert_eq!(refresh(&env, &rt2).await.status, 403, "family revoked");
}

#[tokio::test]
async fn code_is_bound_to_verifier_redirect_and_client() {
    let env = env_with_user().await;
    let (done, cookie) = login_through_page(&env, &authorize_url(&[])).await;
    let code = query(&location(&done), "code").unwrap();
    assert_eq!(
        exchange(&env, &code, "x".repeat(43).as_str(), CALLBACK)
            .await
            .json_body()["error_description"],
        "Failed to verify code verifier"
    );
    // The failed attempt consumed the code (single use even on failure).
    assert_eq!(exchange(&env, &code, VERIFIER, CALLBACK).await.status, 403);

    let again = get(&env, &authorize_url(&[]), Some(&cookie)).await;
    let code = query(&location(&again), "code").unwrap();
    assert_eq!(
        exchange(&env, &code, VERIFIER, "http://localhost:3000/other")
            .await
            .status,
        403
    );

    // Codes expire after two minutes.
    let again = get(&env, &authorize_url(&[]), Some(&cookie)).await;
    let code = query(&location(&again), "code").unwrap();
    env.clock.advance_ms(121_000);
    assert_eq!(exchange(&env, &code, VERIFIER, CALLBACK).await.status, 403);
}

#[tokio::test]
async fn redirect_uri_must_match_exactly_or_no_redirect_happens() {
    let env = env_with_user().await;
    let bad = authorize_url(&[]).replace("localhost%3A3000%2Fcallback", "localhost%3A3000%2Fcallback%2Fevil");
    let r = get(&env, &bad, None).await;
    assert_eq!(r.status, 400);
    assert!(r.header("location").is_none());
    let r = get(&env, &authorize_url(&[]).replace(SPA_CLIENT, "nope"), None).await;
    assert_eq!((r.status, r.header("location")), (400, None));
}

#[tokio::test]
async fn errors_after_validation_go_back_with_state() {
    let env = env_with_user().await;
    let r = get(&env, &authorize_url(&[("prompt", "none")]), None).await;
    let loc = location(&r);
    assert_eq!(query(&loc, "error").as_deref(), Some("login_required"));
    assert_eq!(query(&loc, "state").as_deref(), Some("st4te"));

    let plain = authorize_url(&[]).replace("S256", "plain");
    assert_eq!(
        query(&location(&get(&env, &plain, None).await), "error").as_deref(),
        Some("invalid_request")
    );
    let no_pkce = authorize_url(&[]).replace("code_challenge", "x_challenge");
    assert_eq!(
        query(&location(&get(&env, &no_pkce, None).await), "error").as_deref(),
        Some("invalid_request")
    );
    let hybrid = authorize_url(&[]).replace("response_type=code", "response_type=code+id_token");
    assert_eq!(
        query(&location(&get(&env, &hybrid, None).await), "error").as_deref(),
        Some("unsupported_response_type")
    );
}

#[tokio::test]
async fn silent_auth_with_web_message() {
    let env = env_with_user().await;
    let (_, cookie) = login_through_page(&env, &authorize_url(&[])).await;
    let r = get(
        &env,
        &authorize_url(&[("prompt", "none"), ("response_mode", "web_message")]),
        Some(&cookie),
    )
    .await;
    assert_eq!(r.status, 200);
    let html = String::from_utf8(r.body.clone()).unwrap();
    assert!(
        html.contains(r#"{"response":{"code":""#) || html.contains(r#""type":"authorization_response""#),
        "{html}"
    );
    assert!(
        html.contains(r#""http://localhost:3000""#),
        "posts to the redirect URI's origin only"
    );
    let csp = r.header("content-security-policy").unwrap();
    let nonce = csp.split("'nonce-").nth(1).unwrap().split('\'').next().unwrap();
    assert!(html.contains(&format!("<script nonce=\"{nonce}\">")));
    assert!(!csp.contains("unsafe-inline"));

    // An authentication older than max_age needs a fresh login; prompt=login always does.
    env.clock.advance_ms(1000);
    let r = get(
        &env,
        &authorize_url(&[("max_age", "0"), ("prompt", "none")]),
        Some(&cookie),
    )
    .await;
    assert_eq!(query(&location(&r), "error").as_deref(), Some("login_required"));
    let r = get(&env, &authorize_url(&[("prompt", "login")]), Some(&cookie)).await;
    assert_eq!(r.status, 200, "the login page again");
}

#[tokio::test]
async fn implicit_and_form_post() {
    let env = env_with_user().await;
    env.exec(Stmt::new(
        "UPDATE clients SET grant_types = '[\"implicit\",\"authorization_code\"]'",
    ))
    .await;
    let (_, cookie) = login_through_page(&env, &authorize_url(&[])).await;
    let implicit = authorize_url(&[]).replace("response_type=code", "response_type=id_token+token");
    let r = get(&env, &implicit, Some(&cookie)).await;
    let frag = location(&r).fragment().unwrap().to_owned();
    let params: Vec<(String, String)> = url::form_urlencoded::parse(frag.as_bytes()).into_owned().collect();
    let id = params.iter().find(|(k, _)| k == "id_token").unwrap();
    assert_eq!(claims(&id.1)["nonce"], "n0nce");
    assert!(params.iter().any(|(k, _)| k == "access_token"));

    let fp = get(&env, &authorize_url(&[("response_mode", "form_post")]), Some(&cookie)).await;
    let html = String::from_utf8(fp.body.clone()).unwrap();
    assert!(html.contains(r#"<form method="post" action="http://localhost:3000/callback">"#));
    assert!(html.contains(r#"name="code""#));
    assert!(fp
        .header("content-security-policy")
        .unwrap()
        .contains("form-action http://localhost:3000"));
}

#[tokio::test]
async fn logout_checks_return_to_and_ends_the_session() {
    let env = env_with_user().await;
    let (_, cookie) = login_through_page(&env, &authorize_url(&[])).await;
    let evil = get(
        &env,
        &format!("/v2/logout?client_id={SPA_CLIENT}&returnTo=https%3A%2F%2Fevil.example%2F"),
        Some(&cookie),
    )
    .await;
    assert_eq!((evil.status, evil.header("location")), (400, None));
    // The session survived the refused logout.
    assert!(query(
        &location(&get(&env, &authorize_url(&[("prompt", "none")]), Some(&cookie)).await),
        "code"
    )
    .is_some());

    env.exec(Stmt::new(
        "UPDATE clients SET allowed_logout_urls = '[\"http://localhost:3000/\"]'",
    ))
    .await;
    let out = get(
        &env,
        &format!("/v2/logout?client_id={SPA_CLIENT}&returnTo=http%3A%2F%2Flocalhost%3A3000%2F"),
        Some(&cookie),
    )
    .await;
    assert_eq!(out.header("location"), Some("http://localhost:3000/"));
    assert!(out.header("set-cookie").unwrap().contains("Max-Age=0"));
    let r = get(&env, &authorize_url(&[("prompt", "none")]), Some(&cookie)).await;
    assert_eq!(
        query(&location(&r), "error").as_deref(),
        Some("login_required"),
        "session revoked"
    );
}

#[tokio::test]
async fn oidc_logout_with_id_token_hint() {
    let env = env_with_user().await;
    env.exec(Stmt::new(
        "UPDATE clients SET allowed_logout_urls = '[\"http://localhost:3000/bye\"]'",
    ))
    .await;
    let (done, cookie) = login_through_page(&env, &authorize_url(&[])).await;
    let code = query(&location(&done), "code").unwrap();
    let id_token = exchange(&env, &code, VERIFIER, CALLBACK).await.json_body()["id_token"]
        .as_str()
        .unwrap()
        .to_owned();
    let r = get(
        &env,
        &format!("/oidc/logout?id_token_hint={id_token}&post_logout_redirect_uri=http%3A%2F%2Flocalhost%3A3000%2Fbye&state=s1"),
        Some(&cookie),
    )
    .await;
    assert_eq!(r.header("location"), Some("http://localhost:3000/bye?state=s1"));
    let bad = get(
        &env,
        "/oidc/logout?id_token_hint=x.y.z&post_logout_redirect_uri=http%3A%2F%2Flocalhost%3A3000%2Fbye",
        None,
    )
    .await;
    assert_eq!(bad.status, 400);
}

#[tokio::test]
async fn cross_origin_authentication_then_login_ticket() {
    let env = env_with_user().await;
    let body = json!({"client_id": SPA_CLIENT, "username": "ada@example.com", "password": PW, "realm": DB_CONNECTION,
        "credential_type": "http://auth0.com/oauth/grant-type/password-realm"});
    let co = |b: Value| {
        env.send(
            Request::new("POST", "/co/authenticate")
                .with_header("origin", "http://localhost:3000")
                .with_json(&b),
        )
    };
    let r = co(body.clone()).await;
    assert_eq!(
        (r.status, r.json_body()["error_description"].clone()),
        (401, json!("Cross origin login not allowed."))
    );
    env.exec(Stmt::new("UPDATE clients SET cross_origin_auth = 1")).await;
    let mut wrong = body.clone();
    wrong["password"] = json!("nope");
    let r = co(wrong).await;
    assert_eq!(
        (r.status, r.json_body()),
        (
            403,
            json!({"error": "access_denied", "error_description": "Wrong email or password."})
        )
    );
    let r = co(body.clone()).await;
    assert_eq!(r.status, 200);
    assert_eq!(r.header("access-control-allow-origin"), Some("http://localhost:3000"));
    assert_eq!(r.header("access-control-allow-credentials"), Some("true"));
    let ticket = r.json_body()["login_ticket"].as_str().unwrap().to_owned();
    assert!(r.json_body()["co_verifier"].is_string() && r.json_body()["co_id"].is_string());

    let url = authorize_url(&[("login_ticket", &ticket)]);
    // The ticket is redeemed by the browser it was issued to (its binding cookie).
    let browser = cookie_of(&r);
    assert!(browser.starts_with("tg_browser="), "{browser}");
    let done = get(&env, &url, Some(&browser)).await;
    assert!(query(&location(&done), "code").is_some());
    assert!(done.header("set-cookie").is_some(), "a session for later silent auth");
    let again = get(&env, &url, Some(&browser)).await;
    assert_eq!(
        query(&location(&again), "error").as_deref(),
        Some("access_denied"),
        "tickets are single use"
    );

    let foreign = env
        .send(
            Request::new("POST", "/co/authenticate")
                .with_header("origin", "https://evil.example")
                .with_json(&body),
        )
        .await;
    assert_eq!(foreign.status, 403);
}
