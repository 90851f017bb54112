//! The operator's Management API: tickets handed to the operator, verification mails on demand,
//! daily statistics counted in the same batch as the login or sign-up they count.

use edge::api::{Request, Response};
use edge::testkit::{TestEnv, DB_CONNECTION, MANAGEMENT_SCOPES, SPA_CLIENT};
use serde_json::{json, Value};

const PW: &str = "Analytical1!";

async fn call(env: &TestEnv, method: &str, path: &str, body: Option<Value>) -> Response {
    env.management_call(MANAGEMENT_SCOPES, method, path, body).await
}

async fn signup(env: &TestEnv, email: &str) -> String {
    let r = env
        .post_json(
            "/dbconnections/signup",
            json!({"client_id": SPA_CLIENT, "connection": DB_CONNECTION, "email": email, "password": PW}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    format!("auth0|{}", r.json_body()["_id"].as_str().unwrap())
}

async fn login(env: &TestEnv, email: &str, password: &str) -> u16 {
    let mut req = Request::new("POST", "/oauth/token").with_json(&json!({
        "grant_type": "http://auth0.com/oauth/grant-type/password-realm", "client_id": SPA_CLIENT,
        "username": email, "password": password, "realm": DB_CONNECTION}));
    req.ip = Some("9.9.9.7".into());
    env.send(req).await.status
}

#[tokio::test]
async fn tickets_are_links_for_the_operator() {
    let env = TestEnv::new().await;
    let id = signup(&env, "ticket@example.com").await;
    let r = call(
        &env,
        "POST",
        "tickets/password-change",
        Some(json!({"user_id": id, "ttl_sec": 3600})),
    )
    .await;
    assert_eq!(r.status, 201, "{}", String::from_utf8_lossy(&r.body));
    let url = r.json_body()["ticket"].as_str().unwrap().to_owned();
    assert!(
        url.starts_with(&format!("{}lo/reset?ticket=", edge::testkit::ISSUER)),
        "{url}"
    );
    let ticket = url.split("ticket=").nth(1).unwrap();
    let reset = env
        .post_json("/lo/reset", json!({"ticket": ticket, "password": "Brand-new-pass9"}))
        .await;
    assert_eq!(reset.status, 200, "{}", String::from_utf8_lossy(&reset.body));
    assert_eq!(login(&env, "ticket@example.com", "Brand-new-pass9").await, 200);

    // By email and connection; the ticket's lifetime is honoured.
    let conn = call(&env, "GET", "connections", None).await.json_body()[0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let r = call(
        &env,
        "POST",
        "tickets/email-verification",
        Some(json!({"email": "TICKET@example.com", "connection_id": conn, "ttl_sec": 60})),
    )
    .await;
    assert_eq!(r.status, 201, "{}", String::from_utf8_lossy(&r.body));
    let url = r.json_body()["ticket"].as_str().unwrap().to_owned();
    assert!(url.contains("/lo/verify?ticket="));
    env.clock.advance_ms(61_000);
    let path = url.trim_start_matches(edge::testkit::ISSUER.trim_end_matches('/'));
    let late = env.send(Request::new("GET", path)).await;
    assert_ne!(late.status, 200, "expired after ttl_sec");

    for (body, status) in [
        (json!({}), 400),
        (json!({"user_id": "auth0|nobody"}), 404),
        (json!({"user_id": id, "ttl_sec": 99_999_999}), 400),
        (json!({"user_id": id, "ttl_sec": "soon"}), 400),
    ] {
        let r = call(&env, "POST", "tickets/password-change", Some(body.clone())).await;
        assert_eq!(r.status, status, "{body}");
        assert_eq!(r.json_body()["statusCode"], status);
    }
}

#[tokio::test]
async fn a_verification_email_is_sent_on_demand() {
    let env = TestEnv::new().await;
    let id = signup(&env, "verify@example.com").await;
    let first = env.last_link("verify@example.com").await.unwrap();
    let r = call(&env, "POST", "jobs/verification-email", Some(json!({"user_id": id}))).await;
    assert_eq!(r.status, 201, "{}", String::from_utf8_lossy(&r.body));
    let job = r.json_body();
    assert_eq!(
        (job["type"].as_str(), job["status"].as_str()),
        (Some("verification_email"), Some("completed"))
    );
    let second = env.last_link("verify@example.com").await.unwrap();
    assert_ne!(first, second, "a new link was mailed");
    let status = call(&env, "GET", &format!("jobs/{}", job["id"].as_str().unwrap()), None)
        .await
        .json_body();
    assert_eq!(status["status"], "completed");
    assert!(status.get("location").is_none());
}

#[tokio::test]
async fn daily_stats_count_logins_and_signups() {
    let env = TestEnv::new().await;
    signup(&env, "one@example.com").await;
    signup(&env, "two@example.com").await;
    assert_eq!(login(&env, "one@example.com", PW).await, 200);
    assert_eq!(login(&env, "one@example.com", "wrong").await, 403);
    env.clock.advance_ms(86_400_000);
    assert_eq!(login(&env, "two@example.com", PW).await, 200);
    let days = call(&env, "GET", "stats/daily", None).await.json_body();
    let days = days.as_array().unwrap();
    assert_eq!(days.len(), 30);
    let (yesterday, today) = (&days[28], &days[29]);
    assert_eq!(
        (yesterday["logins"].as_i64(), yesterday["signups"].as_i64()),
        (Some(1), Some(2))
    );
    assert_eq!(
        (today["logins"].as_i64(), today["signups"].as_i64()),
        (Some(1), Some(0))
    );
    assert!(days[0]["logins"] == 0 && days[0]["date"].as_str().unwrap().ends_with("T00:00:00.000Z"));
    assert_eq!(call(&env, "GET", "stats/active-users", None).await.json_body(), 2);

    let range = call(&env, "GET", "stats/daily?from=20260101&to=20260102", None)
        .await
        .json_body();
    assert_eq!(range.as_array().unwrap().len(), 2);
    for bad in [
        "stats/daily?from=2026-01-01",
        "stats/daily?from=20260105&to=20260101",
        "stats/daily?from=20200101&to=20260101",
    ] {
        assert_eq!(call(&env, "GET", bad, None).await.status, 400, "{bad}");
    }
    let p = call(&env, "GET", "stats/provisioning", None).await.json_body();
    assert_eq!(p["total"]["signed_up"], 2);
    assert_eq!(
        p["days"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d["signed_up"].as_i64().unwrap())
            .sum::<i64>(),
        2
    );
}

#[tokio::test]
async fn blocked_identifiers_and_ips_are_listed_and_lifted() {
    let env = TestEnv::new().await;
    signup(&env, "target@example.com").await;
    for _ in 0..10 {
        assert_eq!(login(&env, "target@example.com", "wrong").await, 403);
    }
    assert_eq!(login(&env, "target@example.com", PW).await, 429, "blocked");
    let blocks = call(&env, "GET", "attack-protection/blocks", None).await.json_body();
    let list = blocks["blocks"].as_array().unwrap();
    assert!(
        list.iter()
            .any(|b| b["kind"] == "identifier" && b["value"] == "target@example.com"),
        "{blocks}"
    );
    // The IP of those failures is not throttled yet (100 per day); drain it.
    env.exec(edge::core::platform::db::Stmt::new(
        "UPDATE rate_buckets SET tokens = 0 WHERE key = 'login-fail:9.9.9.7'",
    ))
    .await;
    let blocks = call(&env, "GET", "attack-protection/blocks", None).await.json_body();
    assert!(
        blocks["blocks"]
            .as_array()
            .unwrap()
            .iter()
            .any(|b| b["kind"] == "ip" && b["value"] == "9.9.9.7"),
        "{blocks}"
    );
    assert_eq!(call(&env, "GET", "anomaly/blocks/ips/9.9.9.7", None).await.status, 204);
    assert_eq!(
        call(&env, "DELETE", "anomaly/blocks/ips/9.9.9.7", None).await.status,
        204
    );
    assert_eq!(call(&env, "GET", "anomaly/blocks/ips/9.9.9.7", None).await.status, 404);
    let users = call(&env, "GET", "users?q=email:target@example.com", None)
        .await
        .json_body();
    let id = users[0]["user_id"].as_str().unwrap().to_owned();
    assert_eq!(
        call(&env, "DELETE", &format!("user-blocks/{id}"), None).await.status,
        204
    );
    assert_eq!(login(&env, "target@example.com", PW).await, 200);
    let blocks = call(&env, "GET", "attack-protection/blocks", None).await.json_body();
    assert_eq!(blocks["blocks"], json!([]));
}

#[tokio::test]
async fn a_reset_ticket_can_be_mailed_to_the_user() {
    let env = TestEnv::new().await;
    let id = signup(&env, "mailme@example.com").await;
    let before = env.last_link("mailme@example.com").await;
    let r = call(
        &env,
        "POST",
        "tickets/password-change",
        Some(json!({"user_id": id, "send_email": true})),
    )
    .await;
    assert_eq!(r.status, 201);
    let ticket = r.json_body()["ticket"].as_str().unwrap().to_owned();
    let mailed = env.last_link("mailme@example.com").await;
    assert_ne!(mailed, before);
    assert_eq!(
        mailed.as_deref(),
        Some(ticket.as_str()),
        "the mailed link is the ticket"
    );
}
