//! Passwordless by email (issue 23): Auth0's `/passwordless/start`, the `otp` grant, embedded login
//! through `/co/authenticate`, magic links, and the security around them — single use, bound to the
//! address and the application, a few wrong tries, the same answer for every address.

use edge::api::{Request, Response};
use edge::core::platform::db::Stmt;
use edge::testkit::{TestEnv, ISSUER, SPA_CLIENT};
use serde_json::{json, Value};

const OTP: &str = "http://auth0.com/oauth/grant-type/passwordless/otp";
const CALLBACK: &str = "http://localhost:3000/callback";
const CHALLENGE: &str = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";
const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";

/// A tenant with an `email` connection enabled for the SPA (which may use the otp grant).
async fn env_with(options: Value) -> TestEnv {
    let env = TestEnv::new().await;
    env.exec(
        Stmt::new("INSERT INTO connections (id, name, strategy, options, created_at) VALUES ('con_email', 'email', 'email', ?1, 0)")
            .bind(options.to_string()),
    )
    .await;
    env.exec(Stmt::new(
        "INSERT INTO client_connections (client_id, connection_id) VALUES ('test-spa', 'con_email')",
    ))
    .await;
    env.exec(
        Stmt::new("UPDATE clients SET grant_types = ?1, cross_origin_auth = 1 WHERE client_id = 'test-spa'").bind(
            json!([
                "authorization_code",
                "refresh_token",
                "http://auth0.com/oauth/grant-type/password-realm",
                OTP
            ])
            .to_string(),
        ),
    )
    .await;
    env
}

async fn start(env: &TestEnv, email: &str, send: &str, ip: &str) -> Response {
    let mut req = Request::new("POST", "/passwordless/start").with_json(&json!({
        "client_id": SPA_CLIENT, "connection": "email", "email": email, "send": send,
        "authParams": {"redirect_uri": CALLBACK, "response_type": "code", "scope": "openid email", "state": "st4te",
            "code_challenge": CHALLENGE, "code_challenge_method": "S256"}}));
    req.ip = Some(ip.into());
    env.send(req).await
}

async fn mailed(env: &TestEnv, email: &str) -> Value {
    let r = env
        .send(Request::new("GET", &format!("/dev/outbox.json?to={email}")))
        .await;
    r.json_body()[0].clone()
}

async fn code_for(env: &TestEnv, email: &str) -> String {
    let text = mailed(env, email).await["text"].as_str().unwrap().to_owned();
    let code = text
        .split_whitespace()
        .find(|w| w.len() == 6 && w.chars().all(|c| c.is_ascii_digit()));
    assert!(code.is_some(), "no code in {text}");
    code.unwrap().to_owned()
}

async fn otp_grant(env: &TestEnv, email: &str, otp: &str, ip: &str) -> Response {
    let mut req = Request::new("POST", "/oauth/token").with_json(&json!({
        "grant_type": OTP, "client_id": SPA_CLIENT, "realm": "email", "username": email, "otp": otp, "scope": "openid email"}));
    req.ip = Some(ip.into());
    env.send(req).await
}

fn claims(jwt: &str) -> Value {
    use base64::Engine;
    let part = jwt.split('.').nth(1).unwrap();
    serde_json::from_slice(&base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(part).unwrap()).unwrap()
}

async fn count(env: &TestEnv, sql: &'static str) -> i64 {
    let rows = env.core().db.query(Stmt::new(sql)).await.unwrap();
    rows[0]["n"].as_i64().unwrap()
}

#[tokio::test]
async fn a_code_signs_up_a_new_address_once_and_logs_in_the_same_user_later() {
    let env = env_with(json!({})).await;
    let r = start(&env, "Ada@Example.com", "code", "203.0.113.1").await;
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    assert_eq!(r.json_body()["email"], "ada@example.com");
    let code = code_for(&env, "ada@example.com").await;
    let t = otp_grant(&env, "ada@example.com", &code, "203.0.113.1").await;
    assert_eq!(t.status, 200, "{}", String::from_utf8_lossy(&t.body));
    let id = claims(t.json_body()["id_token"].as_str().unwrap());
    let sub = id["sub"].as_str().unwrap().to_owned();
    assert!(sub.starts_with("email|"), "{sub}");
    assert_eq!(id["email_verified"], true);
    // The code worked once.
    assert_eq!(
        otp_grant(&env, "ada@example.com", &code, "203.0.113.1").await.status,
        403
    );
    // A later code: the same user.
    start(&env, "ada@example.com", "code", "203.0.113.1").await;
    let again = otp_grant(
        &env,
        "ada@example.com",
        &code_for(&env, "ada@example.com").await,
        "203.0.113.1",
    )
    .await;
    assert_eq!(
        claims(again.json_body()["id_token"].as_str().unwrap())["sub"],
        sub.as_str()
    );
    assert_eq!(
        count(&env, "SELECT COUNT(*) AS n FROM users WHERE user_id LIKE 'email|%'").await,
        1
    );
    assert_eq!(
        count(&env, "SELECT logins_count AS n FROM users WHERE user_id LIKE 'email|%'").await,
        2
    );
}

#[tokio::test]
async fn every_address_gets_the_same_answer_and_codes_are_bound_to_address_and_application() {
    let env = env_with(json!({"disable_signup": true})).await;
    // With sign-up disabled, an unknown address gets the same answer and no mail.
    let unknown = start(&env, "nobody@example.com", "code", "203.0.113.2").await;
    assert_eq!(unknown.status, 200);
    let body = unknown.json_body();
    assert_eq!(
        body.as_object().unwrap().keys().collect::<Vec<_>>(),
        vec!["_id", "email", "email_verified"]
    );
    assert_eq!(body["email_verified"], false);
    assert!(
        mailed(&env, "nobody@example.com").await.is_null(),
        "no mail to an address that may not sign up"
    );

    let env = env_with(json!({})).await;
    start(&env, "bob@example.com", "code", "203.0.113.3").await;
    let code = code_for(&env, "bob@example.com").await;
    assert_eq!(
        otp_grant(&env, "eve@example.com", &code, "203.0.113.3").await.status,
        403,
        "another address"
    );
    // Another application with the connection enabled cannot redeem it either.
    env.exec(Stmt::new(
        "INSERT INTO clients (client_id, name, app_type, is_public, callbacks, web_origins, grant_types, created_at) \
         VALUES ('other-spa', 'Other', 'spa', 1, '[]', '[]', ?1, 0)",
    )
    .bind(json!([OTP]).to_string()))
    .await;
    env.exec(Stmt::new(
        "INSERT INTO client_connections (client_id, connection_id) VALUES ('other-spa', 'con_email')",
    ))
    .await;
    let other = env
        .post_json(
            "/oauth/token",
            json!({"grant_type": OTP, "client_id": "other-spa", "realm": "email", "username": "bob@example.com", "otp": code}),
        )
        .await;
    assert_eq!(other.status, 403);
    assert_eq!(
        other.json_body()["error_description"],
        "Wrong email or verification code."
    );
}

#[tokio::test]
async fn three_wrong_tries_void_a_code_and_it_expires() {
    let env = env_with(json!({"totp": {"length": 6, "time_step": 120}})).await;
    start(&env, "carol@example.com", "code", "203.0.113.4").await;
    let code = code_for(&env, "carol@example.com").await;
    let wrong = if code == "000000" { "111111" } else { "000000" };
    for _ in 0..3 {
        let r = otp_grant(&env, "carol@example.com", wrong, "203.0.113.4").await;
        assert_eq!(r.status, 403);
        assert_eq!(r.json_body()["error"], "invalid_grant");
    }
    assert_eq!(
        otp_grant(&env, "carol@example.com", &code, "203.0.113.4").await.status,
        403,
        "void after 3"
    );
    // A new code works, but not after its lifetime.
    start(&env, "carol@example.com", "code", "203.0.113.4").await;
    let code = code_for(&env, "carol@example.com").await;
    env.clock.advance_ms(121_000);
    assert_eq!(
        otp_grant(&env, "carol@example.com", &code, "203.0.113.4").await.status,
        403,
        "expired"
    );
}

#[tokio::test]
async fn guesses_across_codes_are_blocked_like_passwords_and_starts_are_rate_limited() {
    let env = env_with(json!({})).await;
    let mut last = 0;
    for round in 0..5 {
        start(&env, "dave@example.com", "code", "203.0.113.5").await;
        for _ in 0..3 {
            last = otp_grant(&env, "dave@example.com", "999999", "203.0.113.5")
                .await
                .status;
        }
        if last == 429 {
            assert!(round >= 3, "blocked after 10 failures, not before");
            break;
        }
    }
    assert_eq!(last, 429, "ten wrong codes block the address from that IP");
    // Starts: at most 5 in a burst per address.
    let statuses: Vec<u16> = futures_statuses(&env, "erin@example.com").await;
    assert!(statuses.iter().take(5).all(|s| *s == 200), "{statuses:?}");
    assert_eq!(statuses[5], 429, "{statuses:?}");
}

async fn futures_statuses(env: &TestEnv, email: &str) -> Vec<u16> {
    let mut out = Vec::new();
    for i in 0..6 {
        out.push(start(env, email, "code", &format!("198.51.100.{i}")).await.status);
    }
    out
}

#[tokio::test]
async fn a_magic_link_completes_the_stored_request_once_with_a_code_for_pkce() {
    let env = env_with(json!({})).await;
    let r = start(&env, "fay@example.com", "link", "203.0.113.6").await;
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    let link = mailed(&env, "fay@example.com").await["link"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(
        link.starts_with(&format!("{ISSUER}passwordless/verify_redirect?")),
        "{link}"
    );
    // The link's own query cannot redirect elsewhere: the stored request wins.
    let tampered = format!("{link}&redirect_uri=https%3A%2F%2Fevil.example%2F");
    let path = tampered.replace(ISSUER.trim_end_matches('/'), "");
    let done = env.send(Request::new("GET", &path)).await;
    assert_eq!(done.status, 302, "{}", String::from_utf8_lossy(&done.body));
    let loc = url::Url::parse(done.header("location").unwrap()).unwrap();
    assert_eq!(&loc[..url::Position::AfterPath], CALLBACK);
    assert!(done.header("set-cookie").unwrap().starts_with("tg_session="));
    let code = loc.query_pairs().find(|(k, _)| k == "code").unwrap().1.into_owned();
    assert!(loc.query_pairs().all(|(k, _)| k != "access_token" && k != "id_token"));
    let t = env
        .post_json(
            "/oauth/token",
            json!({"grant_type": "authorization_code", "client_id": SPA_CLIENT, "code": code,
                "code_verifier": VERIFIER, "redirect_uri": CALLBACK}),
        )
        .await;
    assert_eq!(t.status, 200, "{}", String::from_utf8_lossy(&t.body));
    assert_eq!(
        claims(t.json_body()["id_token"].as_str().unwrap())["email"],
        "fay@example.com"
    );
    // Once only.
    let again = env.send(Request::new("GET", &path)).await;
    assert_eq!(again.status, 400, "a used link is an error page, never a redirect");
    // A typed code is not a link token, nor the reverse.
    assert_eq!(
        otp_grant(&env, "fay@example.com", "123456", "203.0.113.6").await.status,
        403
    );
}

#[tokio::test]
async fn embedded_login_takes_a_code_and_the_ticket_works_in_that_browser_only() {
    let env = env_with(json!({})).await;
    start(&env, "gus@example.com", "code", "203.0.113.7").await;
    let code = code_for(&env, "gus@example.com").await;
    let r = env
        .post_json(
            "/co/authenticate",
            json!({"client_id": SPA_CLIENT, "credential_type": OTP, "realm": "email", "username": "gus@example.com", "otp": code}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    let ticket = r.json_body()["login_ticket"].as_str().unwrap().to_owned();
    let binding = r.header("set-cookie").unwrap().split(';').next().unwrap().to_owned();
    let authorize = format!(
        "/authorize?client_id={SPA_CLIENT}&redirect_uri={CALLBACK}&response_type=code&scope=openid&state=s\
         &code_challenge={CHALLENGE}&code_challenge_method=S256&login_ticket={ticket}"
    );
    let elsewhere = env.send(Request::new("GET", &authorize)).await;
    assert!(
        elsewhere.header("location").unwrap().contains("error=access_denied"),
        "another browser"
    );
    // The same ticket is spent only by its own browser: a second code for the right one.
    start(&env, "gus@example.com", "code", "203.0.113.7").await;
    let code = code_for(&env, "gus@example.com").await;
    let r = env
        .send(
            Request::new("POST", "/co/authenticate")
                .with_header("cookie", &binding)
                .with_json(&json!({"client_id": SPA_CLIENT, "credential_type": OTP, "realm": "email", "username": "gus@example.com", "otp": code})),
        )
        .await;
    let ticket = r.json_body()["login_ticket"].as_str().unwrap().to_owned();
    let authorize = authorize.split("&login_ticket=").next().unwrap().to_owned() + "&login_ticket=" + &ticket;
    let done = env
        .send(Request::new("GET", &authorize).with_header("cookie", &binding))
        .await;
    assert!(
        done.header("location").unwrap().contains("code="),
        "{:?}",
        done.header("location")
    );
    // A wrong code: Auth0's embedded answer.
    let wrong = env
        .post_json(
            "/co/authenticate",
            json!({"client_id": SPA_CLIENT, "credential_type": OTP, "realm": "email", "username": "gus@example.com", "otp": "000001"}),
        )
        .await;
    assert_eq!(wrong.status, 403);
    assert_eq!(wrong.json_body()["error"], "access_denied");
}

#[tokio::test]
async fn passwordless_users_are_found_exported_and_counted_as_passwordless() {
    let env = env_with(json!({})).await;
    start(&env, "hana@example.com", "code", "203.0.113.8").await;
    let code = code_for(&env, "hana@example.com").await;
    assert_eq!(
        otp_grant(&env, "hana@example.com", &code, "203.0.113.8").await.status,
        200
    );
    let scopes = edge::testkit::MANAGEMENT_SCOPES;
    let found = env
        .management_call(
            scopes,
            "GET",
            "users?q=email:%22hana@example.com%22&search_engine=v3",
            None,
        )
        .await
        .json_body();
    let user = &found[0];
    assert!(user["user_id"].as_str().unwrap().starts_with("email|"), "{found}");
    assert_eq!(user["email_verified"], true);
    assert_eq!(user["identities"][0]["provider"], "email");
    assert_eq!(user["identities"][0]["connection"], "email");
    assert_eq!(user["identities"][0]["isSocial"], false);
    assert_eq!(user["logins_count"], 1);
    let stats = env
        .management_call(scopes, "GET", "stats/provisioning", None)
        .await
        .json_body();
    assert_eq!(stats["total"]["passwordless"], 1, "{stats}");
    assert_eq!(stats["total"]["social"], 0);
}
