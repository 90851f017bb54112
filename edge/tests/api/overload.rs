//! Overload answered by Tollgate (issue 22): past the per-isolate bound on password work and its
//! wait line, a login or sign-up gets `503` with `Retry-After` in the endpoint's own error shape
//! at once, and nothing of it is written.

use edge::api::Request;
use edge::core::credentials::admission::Admission;
use edge::core::credentials::hashing::{Argon2Config, Argon2idHasher, PasswordHasher};
use edge::core::platform::db::Stmt;
use edge::testkit::{TestEnv, DB_CONNECTION, SPA_CLIENT};
use serde_json::json;

const PW: &str = "Analytical1!";

/// A tenant whose hasher admits one flow at a time and lets nobody wait.
async fn tight_env() -> TestEnv {
    let mut env = TestEnv::new().await;
    env.hasher = Argon2idHasher::with_admission(Argon2Config { m_kib: 64, t: 1, p: 1 }, Admission::new(1, 0));
    let r = env
        .post_json(
            "/dbconnections/signup",
            json!({"client_id": SPA_CLIENT, "connection": DB_CONNECTION, "email": "ada@example.com", "password": PW}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    env
}

async fn count(env: &TestEnv, sql: &'static str) -> i64 {
    let core = env.core();
    let rows = core.db.query(Stmt::new(sql)).await.unwrap();
    rows[0]["n"].as_i64().unwrap()
}

#[tokio::test]
async fn a_login_past_the_bound_is_answered_503_with_retry_after_and_writes_nothing() {
    let env = tight_env().await;
    let login = || {
        let mut req = Request::new("POST", "/oauth/token").with_json(&json!({
            "grant_type": "http://auth0.com/oauth/grant-type/password-realm", "client_id": SPA_CLIENT,
            "username": "ada@example.com", "password": PW, "realm": DB_CONNECTION}));
        req.ip = Some("203.0.113.7".into());
        req
    };
    assert_eq!(env.send(login()).await.status, 200);
    let logins = "SELECT logins_count AS n FROM users WHERE email = 'ada@example.com'";
    assert_eq!(count(&env, logins).await, 1);

    // Another flow holds the only permit: this login is refused at once, before any write.
    let gate = env.hasher.admission().unwrap();
    let held = gate.enter(&env.legacy, &env.clock).await.unwrap();
    let r = env.send(login()).await;
    assert_eq!(r.status, 503, "{}", String::from_utf8_lossy(&r.body));
    let retry: u32 = r.header("retry-after").unwrap().parse().unwrap();
    assert!((1..=60).contains(&retry));
    let body = r.json_body();
    assert_eq!(body["error"], "temporarily_unavailable", "{body}");
    assert!(body["error_description"].as_str().unwrap().contains("busy"));
    assert_eq!(count(&env, logins).await, 1, "not counted");
    assert_eq!(
        count(&env, "SELECT COUNT(*) AS n FROM login_in_flight").await,
        0,
        "no slot reserved"
    );
    assert_eq!(
        count(&env, "SELECT COUNT(*) AS n FROM login_failures").await,
        0,
        "no failure counted"
    );

    // Sign-up: the same answer in its own shape, no user and no sign-up bucket written.
    let buckets =
        "SELECT CAST(COALESCE(SUM(tokens), 0) * 1000 AS INTEGER) AS n FROM rate_buckets WHERE key LIKE 'signup:%'";
    let before = count(&env, buckets).await;
    let r = env
        .post_json(
            "/dbconnections/signup",
            json!({"client_id": SPA_CLIENT, "connection": DB_CONNECTION, "email": "bob@example.com", "password": PW}),
        )
        .await;
    assert_eq!(r.status, 503, "{}", String::from_utf8_lossy(&r.body));
    assert!(r.header("retry-after").is_some());
    assert_eq!(r.json_body()["code"], "temporarily_unavailable");
    assert_eq!(r.json_body()["statusCode"], 503);
    assert_eq!(
        count(&env, "SELECT COUNT(*) AS n FROM users WHERE email = 'bob@example.com'").await,
        0
    );
    assert_eq!(count(&env, buckets).await, before, "no sign-up token taken");

    drop(held);
    assert_eq!(
        env.send(login()).await.status,
        200,
        "served again once the permit is back"
    );
    assert_eq!(count(&env, logins).await, 2);
}
