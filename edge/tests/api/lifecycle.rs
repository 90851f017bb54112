use edge::api::Request;
use edge::testkit::{TestEnv, DB_CONNECTION, SPA_CLIENT};
use serde_json::{json, Value};

const REALM: &str = "http://auth0.com/oauth/grant-type/password-realm";
const PW: &str = "Analytical1!";

async fn env_with(options: Value, email: &str) -> TestEnv {
    let env = TestEnv::with_connection(options).await;
    let r = env
        .post_json(
            "/dbconnections/signup",
            json!({"client_id": SPA_CLIENT, "connection": DB_CONNECTION, "email": email, "password": PW}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    env
}

async fn request_reset(env: &TestEnv, email: &str) -> edge::api::Response {
    env.post_json(
        "/dbconnections/change_password",
        json!({"client_id": SPA_CLIENT, "connection": DB_CONNECTION, "email": email}),
    )
    .await
}

fn ticket_of(link: &str) -> String {
    link.split("ticket=").nth(1).unwrap().to_owned()
}

async fn reset(env: &TestEnv, ticket: &str, password: &str) -> edge::api::Response {
    env.post_json("/lo/reset", json!({"ticket": ticket, "password": password}))
        .await
}

async fn login(env: &TestEnv, ip: &str, email: &str, password: &str) -> u16 {
    let mut req = Request::new("POST", "/oauth/token")
        .with_json(&json!({"grant_type": REALM, "client_id": SPA_CLIENT, "username": email, "password": password, "realm": DB_CONNECTION}));
    req.ip = Some(ip.into());
    env.send(req).await.status
}

#[tokio::test]
async fn change_password_answers_the_same_for_unknown_emails() {
    let env = env_with(json!({"passwordPolicy": "good"}), "ada@example.com").await;
    let known = request_reset(&env, "ada@example.com").await;
    let unknown = request_reset(&env, "nobody@example.com").await;
    assert_eq!(known.status, 200);
    assert_eq!(known.body, b"We've just sent you an email to reset your password.");
    assert_eq!(
        (known.status, &known.body, known.header("content-type")),
        (unknown.status, &unknown.body, unknown.header("content-type"))
    );
    assert!(env
        .last_link("ada@example.com")
        .await
        .unwrap()
        .contains("/lo/reset?ticket="));
    assert!(
        env.last_link("nobody@example.com").await.is_none(),
        "no mail for unknown users"
    );
    let missing = env
        .post_json("/dbconnections/change_password", json!({"connection": DB_CONNECTION}))
        .await;
    assert_eq!(
        (missing.status, missing.json_body()["code"].clone()),
        (400, json!("invalid_request"))
    );
}

#[tokio::test]
async fn reset_link_is_single_use_and_only_the_newest_works() {
    let env = env_with(json!({"passwordPolicy": "good"}), "ada@example.com").await;
    request_reset(&env, "ada@example.com").await;
    let first = ticket_of(&env.last_link("ada@example.com").await.unwrap());
    request_reset(&env, "ada@example.com").await;
    let second = ticket_of(&env.last_link("ada@example.com").await.unwrap());
    assert_ne!(first, second);

    let info = env
        .send(Request::new("GET", &format!("/lo/reset/info?ticket={second}")))
        .await;
    assert_eq!(info.json_body()["email"], "ada@example.com");
    assert_eq!(info.json_body()["connection"]["passwordPolicy"], "good");

    assert_eq!(
        reset(&env, &first, "Brand-new-9").await.json_body()["code"],
        "invalid_ticket",
        "older link is dead"
    );
    let weak = reset(&env, &second, "short").await;
    assert_eq!(weak.json_body()["name"], "PasswordStrengthError");
    let ok = reset(&env, &second, "Brand-new-9").await;
    assert_eq!(ok.status, 200, "a refused password did not burn the link");
    assert_eq!(
        reset(&env, &second, "Another-new-9").await.json_body()["code"],
        "invalid_ticket",
        "single use"
    );

    assert_eq!(login(&env, "1.1.1.1", "ada@example.com", "Brand-new-9").await, 200);
    assert_eq!(login(&env, "1.1.1.1", "ada@example.com", PW).await, 403);
}

#[tokio::test]
async fn reset_links_expire() {
    let env = env_with(json!({}), "ada@example.com").await;
    request_reset(&env, "ada@example.com").await;
    let t = ticket_of(&env.last_link("ada@example.com").await.unwrap());
    env.clock.advance_ms(5 * 24 * 3600 * 1000 + 1);
    assert_eq!(reset(&env, &t, "whatever").await.json_body()["code"], "invalid_ticket");
}

#[tokio::test]
async fn history_refuses_recent_passwords() {
    let env = env_with(
        json!({"passwordPolicy": "low", "password_history": {"enable": true, "size": 2}}),
        "ada@example.com",
    )
    .await;
    let reset_to = |pw: &'static str| {
        let env = &env;
        async move {
            request_reset(env, "ada@example.com").await;
            let t = ticket_of(&env.last_link("ada@example.com").await.unwrap());
            reset(env, &t, pw).await
        }
    };
    assert_eq!(
        reset_to(PW).await.json_body()["name"],
        "PasswordHistoryError",
        "the current password"
    );
    assert_eq!(reset_to("second-pw").await.status, 200);
    assert_eq!(
        reset_to(PW).await.json_body()["name"],
        "PasswordHistoryError",
        "one back, within size 2"
    );
    assert_eq!(reset_to("third-pw").await.status, 200);
    assert_eq!(reset_to(PW).await.status, 200, "two back is outside size 2");
}

#[tokio::test]
async fn reset_lifts_a_brute_force_block() {
    let env = env_with(json!({}), "ada@example.com").await;
    for _ in 0..10 {
        assert_eq!(login(&env, "2.2.2.2", "ada@example.com", "wrong").await, 403);
    }
    assert_eq!(login(&env, "2.2.2.2", "ada@example.com", PW).await, 429);
    request_reset(&env, "ada@example.com").await;
    let t = ticket_of(&env.last_link("ada@example.com").await.unwrap());
    assert_eq!(reset(&env, &t, "Brand-new-9").await.status, 200);
    assert_eq!(login(&env, "2.2.2.2", "ada@example.com", "Brand-new-9").await, 200);
}

#[tokio::test]
async fn sign_up_mails_a_verification_link() {
    let env = env_with(json!({}), "ada@example.com").await;
    let link = env.last_link("ada@example.com").await.unwrap();
    assert!(link.starts_with("https://tollgate.test/lo/verify?ticket="), "{link}");
    let page = env
        .send(Request::new("GET", &format!("/lo/verify?ticket={}", ticket_of(&link))))
        .await;
    assert_eq!(page.status, 200);
    assert!(page
        .header("content-security-policy")
        .unwrap()
        .contains("default-src 'self'"));
    assert!(String::from_utf8_lossy(&page.body).contains("ada@example.com is verified"));
    let again = env
        .send(Request::new("GET", &format!("/lo/verify?ticket={}", ticket_of(&link))))
        .await;
    assert_eq!(again.status, 400);
    // The ID token now says so.
    let mut req = Request::new("POST", "/oauth/token")
        .with_json(&json!({"grant_type": REALM, "client_id": SPA_CLIENT, "username": "ada@example.com", "password": PW, "realm": DB_CONNECTION}));
    req.ip = Some("3.3.3.3".into());
    let tokens = env.send(req).await.json_body();
    let ui = env
        .send(Request::new("GET", "/userinfo").with_header(
            "authorization",
            &format!("Bearer {}", tokens["access_token"].as_str().unwrap()),
        ))
        .await;
    assert_eq!(ui.json_body()["email_verified"], true);
}

#[tokio::test]
async fn reset_page_escapes_the_ticket_and_sets_csp() {
    let env = TestEnv::new().await;
    let page = env
        .send(Request::new(
            "GET",
            "/lo/reset?ticket=%22%3E%3Cscript%3Ealert(1)%3C/script%3E",
        ))
        .await;
    let html = String::from_utf8(page.body.clone()).unwrap();
    assert!(!html.contains("<script>alert"), "{html}");
    assert!(html.contains(r#"<script defer src="/widget.js"></script>"#));
    assert!(!page
        .header("content-security-policy")
        .unwrap()
        .contains("unsafe-inline"));
}

#[tokio::test]
async fn signups_are_throttled_per_ip() {
    let env = TestEnv::with_connection(json!({})).await;
    for i in 0..50 {
        let mut req = Request::new("POST", "/dbconnections/signup")
            .with_json(&json!({"connection": DB_CONNECTION, "email": format!("u{i}@example.com"), "password": "x"}));
        req.ip = Some("4.4.4.4".into());
        assert_eq!(env.send(req).await.status, 200, "sign-up {i}");
    }
    let mut req = Request::new("POST", "/dbconnections/signup")
        .with_json(&json!({"connection": DB_CONNECTION, "email": "late@example.com", "password": "x"}));
    req.ip = Some("4.4.4.4".into());
    let r = env.send(req).await;
    assert_eq!(r.status, 429);
    assert_eq!(r.json_body()["code"], "too_many_requests");
    assert_eq!(r.header("x-ratelimit-remaining"), Some("0"));
    let mut other = Request::new("POST", "/dbconnections/signup")
        .with_json(&json!({"connection": DB_CONNECTION, "email": "late@example.com", "password": "x"}));
    other.ip = Some("4.4.4.5".into());
    assert_eq!(env.send(other).await.status, 200);
    // A minute later the bucket has refilled.
    env.clock.advance_ms(60_000);
    let mut later = Request::new("POST", "/dbconnections/signup")
        .with_json(&json!({"connection": DB_CONNECTION, "email": "later@example.com", "password": "x"}));
    later.ip = Some("4.4.4.4".into());
    assert_eq!(env.send(later).await.status, 200);
}
