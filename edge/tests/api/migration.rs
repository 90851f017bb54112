use base64::engine::general_purpose::STANDARD_NO_PAD;
use base64::Engine;
use edge::api::Request;
use edge::core::directory::tenant;
use edge::core::migration::lazy;
use edge::core::platform::db::Stmt;
use edge::testkit::{Fault, TestEnv, DB_CONNECTION, SPA_CLIENT};
use serde_json::{json, Value};

const REALM: &str = "http://auth0.com/oauth/grant-type/password-realm";

async fn env(mode: Value) -> TestEnv {
    let mut options = json!({"passwordPolicy": "good", "legacy": {"url": "https://legacy.test/auth"}});
    for (k, v) in mode.as_object().unwrap() {
        if k == "legacy" {
            for (lk, lv) in v.as_object().unwrap() {
                options["legacy"][lk] = lv.clone();
            }
        } else {
            options[k] = v.clone();
        }
    }
    TestEnv::with_connection(options).await
}

async fn login(env: &TestEnv, email: &str, password: &str) -> edge::api::Response {
    let mut req = Request::new("POST", "/oauth/token")
        .with_json(&json!({"grant_type": REALM, "client_id": SPA_CLIENT, "username": email, "password": password, "realm": DB_CONNECTION}));
    req.ip = Some("9.9.9.9".into());
    env.send(req).await
}

fn sub(r: &edge::api::Response) -> String {
    let id = r.json_body()["id_token"]
        .as_str()
        .unwrap()
        .split('.')
        .nth(1)
        .unwrap()
        .to_owned();
    let claims: Value =
        serde_json::from_slice(&base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(id).unwrap()).unwrap();
    claims["sub"].as_str().unwrap().to_owned()
}

async fn local_users(env: &TestEnv) -> Vec<Value> {
    env.core()
        .db
        .query(Stmt::new(
            "SELECT user_id, email, password_hash, migrated_from, password_reset_required FROM users",
        ))
        .await
        .unwrap()
        .into_iter()
        .map(Value::Object)
        .collect()
}

#[tokio::test]
async fn import_mode_migrates_on_first_login_and_never_asks_again() {
    let env = env(json!({"import_mode": true})).await;
    env.legacy.add("L-1", "old@example.com", "Legacy-pass1", None);
    let first = login(&env, "Old@Example.com", "Legacy-pass1").await;
    assert_eq!(first.status, 200, "{}", String::from_utf8_lossy(&first.body));
    assert_eq!(sub(&first), "auth0|L-1", "the legacy user_id is kept");
    let users = local_users(&env).await;
    assert_eq!(users.len(), 1);
    assert!(users[0]["password_hash"].as_str().unwrap().starts_with("$argon2id$"));
    assert_eq!(users[0]["migrated_from"], format!("legacy:{DB_CONNECTION}"));

    assert_eq!(login(&env, "old@example.com", "Legacy-pass1").await.status, 200);
    assert_eq!(login(&env, "old@example.com", "wrong").await.status, 403);
    assert_eq!(env.legacy.count("login"), 1, "legacy was asked exactly once");
}

#[tokio::test]
async fn import_mode_unknown_and_wrong_passwords() {
    let env = env(json!({"import_mode": true})).await;
    env.legacy.add("L-1", "old@example.com", "Legacy-pass1", None);
    let wrong = login(&env, "old@example.com", "nope").await;
    let unknown = login(&env, "nobody@example.com", "nope").await;
    assert_eq!(wrong.body, unknown.body);
    assert_eq!(wrong.json_body()["error_description"], "Wrong email or password.");
    assert!(
        local_users(&env).await.is_empty(),
        "nothing created without a password match"
    );
}

#[tokio::test]
async fn a_legacy_password_failing_todays_policy_flags_the_user() {
    let env = env(json!({"import_mode": true})).await;
    env.legacy.add("L-2", "weak@example.com", "weakpass", None);
    let r = login(&env, "weak@example.com", "weakpass").await;
    assert_eq!(r.status, 200, "logged in anyway");
    assert_eq!(local_users(&env).await[0]["password_reset_required"], 1);
    let ui = env
        .send(Request::new("GET", "/userinfo").with_header(
            "authorization",
            &format!("Bearer {}", r.json_body()["access_token"].as_str().unwrap()),
        ))
        .await;
    assert_eq!(ui.json_body()["password_change_required"], true);
}

#[tokio::test]
async fn import_mode_signup_asks_legacy_first() {
    let env = env(json!({"import_mode": true})).await;
    env.legacy.add("L-1", "old@example.com", "Legacy-pass1", None);
    let taken = env
        .post_json(
            "/dbconnections/signup",
            json!({"connection": DB_CONNECTION, "email": "old@example.com", "password": "Analytical1!"}),
        )
        .await;
    assert_eq!(taken.json_body()["code"], "invalid_signup");
    let fresh = env
        .post_json(
            "/dbconnections/signup",
            json!({"connection": DB_CONNECTION, "email": "new@example.com", "password": "Analytical1!"}),
        )
        .await;
    assert_eq!(fresh.status, 200);
    env.legacy.fault.set(Fault::Down);
    let down = env
        .post_json(
            "/dbconnections/signup",
            json!({"connection": DB_CONNECTION, "email": "other@example.com", "password": "Analytical1!"}),
        )
        .await;
    assert_eq!(
        (down.status, down.json_body()["code"].clone()),
        (503, json!("temporarily_unavailable"))
    );
}

#[tokio::test]
async fn forgot_password_migrates_without_password_then_reset_completes_it() {
    let env = env(json!({"import_mode": true})).await;
    env.legacy.add("L-3", "forgot@example.com", "Legacy-pass3", None);
    let r = env
        .post_json(
            "/dbconnections/change_password",
            json!({"connection": DB_CONNECTION, "email": "forgot@example.com"}),
        )
        .await;
    assert_eq!(r.status, 200);
    let users = local_users(&env).await;
    assert_eq!((users.len(), users[0]["password_hash"].clone()), (1, Value::Null));
    // Until the reset, the legacy password still works (through legacy).
    assert_eq!(login(&env, "forgot@example.com", "Legacy-pass3").await.status, 200);
    assert_eq!(env.legacy.count("login"), 1);

    env.post_json(
        "/dbconnections/change_password",
        json!({"connection": DB_CONNECTION, "email": "forgot@example.com"}),
    )
    .await;
    let link = env.last_link("forgot@example.com").await.unwrap();
    let ticket = link.split("ticket=").nth(1).unwrap();
    assert_eq!(
        env.post_json("/lo/reset", json!({"ticket": ticket, "password": "Brand-new-9"}))
            .await
            .status,
        200
    );
    assert_eq!(login(&env, "forgot@example.com", "Brand-new-9").await.status, 200);
    assert_eq!(env.legacy.count("login"), 1, "migrated: local from now on");
}

#[tokio::test]
async fn hash_handover_verifies_at_the_edge() {
    let env = env(json!({"import_mode": true, "legacy": {"hash_handover": true}})).await;
    let salt = b"pepper-salt";
    let mut out = [0u8; 32];
    pbkdf2::pbkdf2_hmac::<sha2::Sha256>(b"Legacy-pass4", salt, 10_000, &mut out);
    let phc = format!(
        "$pbkdf2-sha256$i=10000,l=32${}${}",
        STANDARD_NO_PAD.encode(salt),
        STANDARD_NO_PAD.encode(out)
    );
    env.legacy.add("L-4", "hash@example.com", "never-sent", Some(phc));
    assert_eq!(login(&env, "hash@example.com", "wrong").await.status, 403);
    assert_eq!(login(&env, "hash@example.com", "Legacy-pass4").await.status, 200);
    assert_eq!(env.legacy.count("login"), 0, "the password never left the edge");
    assert_eq!(env.legacy.count("get_user"), 2);
    assert_eq!(local_users(&env).await.len(), 1);
}

#[tokio::test]
async fn faults_become_auth0_shaped_errors_and_leave_nothing_half_created() {
    let env = env(json!({"import_mode": true})).await;
    env.legacy.add("L-1", "old@example.com", "Legacy-pass1", None);
    for (fault, status, code) in [
        (Fault::Down, 503, "temporarily_unavailable"),
        (Fault::Status(500), 503, "temporarily_unavailable"),
        (Fault::Malformed, 502, "server_error"),
        (Fault::NoId, 502, "server_error"),
        (Fault::Status(404), 502, "server_error"),
    ] {
        env.legacy.fault.set(fault);
        let r = login(&env, "old@example.com", "Legacy-pass1").await;
        assert_eq!(
            (r.status, r.json_body()["error"].clone()),
            (status, json!(code)),
            "{fault:?}"
        );
        assert!(local_users(&env).await.is_empty(), "{fault:?}");
        env.exec(Stmt::new("DELETE FROM legacy_breakers")).await;
    }
    let retries = env.legacy.count("login");
    assert!(retries > 5, "connection errors and 5xx were retried ({retries} calls)");
}

#[tokio::test]
async fn a_wrong_shared_secret_is_refused_by_legacy() {
    let env = env(json!({"import_mode": true, "legacy": {"secret": "CONNECTION_SECRET_WRONG"}})).await;
    env.legacy.add("L-1", "old@example.com", "Legacy-pass1", None);
    let r = login(&env, "old@example.com", "Legacy-pass1").await;
    assert_eq!((r.status, r.json_body()["error"].clone()), (502, json!("server_error")));
}

#[tokio::test]
async fn the_circuit_breaker_fails_fast_then_probes() {
    let env = env(json!({"import_mode": true})).await;
    env.legacy.add("L-1", "old@example.com", "Legacy-pass1", None);
    env.legacy.fault.set(Fault::Down);
    for _ in 0..5 {
        assert_eq!(login(&env, "old@example.com", "Legacy-pass1").await.status, 503);
    }
    let before = env.legacy.calls.borrow().len();
    assert_eq!(login(&env, "old@example.com", "Legacy-pass1").await.status, 503);
    assert_eq!(env.legacy.calls.borrow().len(), before, "open: legacy not contacted");
    env.legacy.fault.set(Fault::None);
    env.clock.advance_ms(30_001);
    assert_eq!(
        login(&env, "old@example.com", "Legacy-pass1").await.status,
        200,
        "half-open probe succeeds"
    );
}

#[tokio::test]
async fn two_first_logins_make_exactly_one_user() {
    let env = env(json!({"import_mode": true})).await;
    env.legacy.add("L-5", "race@example.com", "Legacy-pass5", None);
    let core = env.core();
    let conn = tenant::connection_by_name(core.db, DB_CONNECTION)
        .await
        .unwrap()
        .unwrap();
    let legacy = edge::core::migration::legacy::Legacy::of(&core, &conn)
        .unwrap()
        .unwrap();
    // Both requests get the legacy verdict before either stores the user.
    let a = lazy::import_login(&core, &conn, &legacy, "race@example.com", "Legacy-pass5")
        .await
        .unwrap();
    let b = lazy::import_login(&core, &conn, &legacy, "race@example.com", "Legacy-pass5")
        .await
        .unwrap();
    assert_eq!(a.0.unwrap().user_id, b.0.unwrap().user_id);
    assert_eq!(local_users(&env).await.len(), 1);
}

#[tokio::test]
async fn own_store_mode_forwards_everything() {
    let env = env(json!({"import_mode": false})).await;
    env.legacy.add("L-6", "own@example.com", "Legacy-pass6", None);
    assert_eq!(login(&env, "own@example.com", "Legacy-pass6").await.status, 200);
    assert_eq!(login(&env, "own@example.com", "Legacy-pass6").await.status, 200);
    assert_eq!(env.legacy.count("login"), 2, "every login goes to legacy");
    assert_eq!(
        local_users(&env).await[0]["password_hash"],
        Value::Null,
        "no password kept here"
    );

    let s = env
        .post_json(
            "/dbconnections/signup",
            json!({"connection": DB_CONNECTION, "email": "fresh@example.com", "password": "Analytical1!"}),
        )
        .await;
    assert_eq!(s.status, 200, "{}", String::from_utf8_lossy(&s.body));
    assert!(
        s.json_body()["_id"].as_str().unwrap().starts_with("legacy-"),
        "legacy chose the id"
    );
    assert_eq!(env.legacy.count("create"), 1);
    assert_eq!(login(&env, "fresh@example.com", "Analytical1!").await.status, 200);

    // Verification and password reset are forwarded.
    let verify = env
        .last_link("fresh@example.com")
        .await
        .unwrap()
        .replace("https://tollgate.test", "");
    assert_eq!(env.send(Request::new("GET", &verify)).await.status, 200);
    assert_eq!(env.legacy.count("verify"), 1);
    env.post_json(
        "/dbconnections/change_password",
        json!({"connection": DB_CONNECTION, "email": "fresh@example.com"}),
    )
    .await;
    let link = env.last_link("fresh@example.com").await.unwrap();
    let ticket = link.split("ticket=").nth(1).unwrap();
    assert_eq!(
        env.post_json("/lo/reset", json!({"ticket": ticket, "password": "Brand-new-9"}))
            .await
            .status,
        200
    );
    assert_eq!(env.legacy.count("change_password"), 1);
    assert_eq!(login(&env, "fresh@example.com", "Brand-new-9").await.status, 200);

    let core = env.core();
    let conn = tenant::connection_by_name(core.db, DB_CONNECTION)
        .await
        .unwrap()
        .unwrap();
    lazy::delete_user(&core, &conn, "L-6").await.unwrap();
    assert_eq!(env.legacy.count("delete"), 1);
    assert_eq!(
        login(&env, "own@example.com", "Legacy-pass6").await.status,
        403,
        "gone from legacy too"
    );
}

#[tokio::test]
async fn the_consoles_connection_test_asks_the_legacy_store_and_changes_nothing() {
    let env = env(json!({"import_mode": true})).await;
    env.legacy.add("L-9", "probe@example.com", "Legacy-pass1", None);
    let token = env.management_token(edge::testkit::MANAGEMENT_SCOPES).await;
    let test = |identifier: &'static str| {
        Request::new("POST", "/api/v2/connections/con_test00000000001/legacy-test")
            .with_header("authorization", &format!("Bearer {token}"))
            .with_json(&json!({ "identifier": identifier }))
    };
    let found = env.send(test("Probe@Example.com")).await.json_body();
    assert_eq!(
        (found["verdict"].as_str(), found["email"].as_str()),
        (Some("found"), Some("probe@example.com"))
    );
    assert_eq!(
        env.send(test("nobody@example.com")).await.json_body()["verdict"],
        "not_found"
    );
    let users = env
        .core()
        .db
        .query(Stmt::new("SELECT COUNT(*) AS n FROM users"))
        .await
        .unwrap();
    assert_eq!(users[0]["n"], 0, "nothing migrated by a test");
    let bad = env.send(test("")).await;
    assert_eq!(bad.status, 400);
}
