//! Tenant logs (issue 27): events recorded by the flows in Auth0's shape, written after the
//! response, read through `GET /api/v2/logs` with Auth0's `q` subset, purged after the retention;
//! never a password, code, token or secret.

use edge::core::platform::db::{Database, Stmt};
use edge::testkit::{TestEnv, DB_CONNECTION, M2M_CLIENT, M2M_SECRET, SPA_CLIENT};
use serde_json::{json, Value};

const PASSWORD: &str = "Analytical1!";
const WRONG: &str = "Wr0ng-Secret-Guess";

fn login(username: &str, password: &str) -> edge::api::Request {
    let mut req = edge::api::Request::new("POST", "/oauth/token")
        .with_json(&json!({
            "grant_type": "http://auth0.com/oauth/grant-type/password-realm", "client_id": SPA_CLIENT,
            "username": username, "password": password, "realm": DB_CONNECTION}))
        .with_header("user-agent", "logs-test/1.0");
    req.ip = Some("203.0.113.7".into());
    req
}

async fn signup(env: &TestEnv, email: &str) -> Value {
    let r = env
        .post_json(
            "/dbconnections/signup",
            json!({"client_id": SPA_CLIENT, "connection": DB_CONNECTION, "email": email, "password": PASSWORD}),
        )
        .await;
    assert_eq!(r.status, 200);
    r.json_body()
}

async fn logs(env: &TestEnv, query: &str) -> edge::api::Response {
    env.management_call("read:logs", "GET", &format!("logs{query}"), None)
        .await
}

async fn all_rows(env: &TestEnv) -> String {
    let db: &dyn Database = &env.db;
    let rows = db.query(Stmt::new("SELECT * FROM logs")).await.unwrap();
    serde_json::to_string(&rows).unwrap()
}

#[tokio::test]
async fn logins_are_logged_with_auth0s_types_and_the_answers_do_not_tell_who_exists() {
    let env = TestEnv::new().await;
    let user = signup(&env, "ada@example.com").await;
    env.clock.advance_ms(1000);
    let ok = env.send(login("ada@example.com", PASSWORD)).await;
    assert_eq!(ok.status, 200);
    let token = ok.json_body()["access_token"].as_str().unwrap().to_owned();
    env.clock.advance_ms(1000);
    let wrong = env.send(login("ada@example.com", WRONG)).await;
    let unknown = env.send(login("nobody@example.com", WRONG)).await;
    assert_eq!(
        (wrong.status, &wrong.body),
        (unknown.status, &unknown.body),
        "the same answer"
    );

    let r = logs(&env, "?q=type:s").await;
    assert_eq!(r.status, 200);
    let s = r.json_body();
    assert_eq!(s.as_array().unwrap().len(), 1);
    let e = &s[0];
    let id = format!("auth0|{}", user["_id"].as_str().unwrap());
    assert_eq!(e["user_id"], id.as_str());
    assert_eq!(e["user_name"], "ada@example.com");
    assert_eq!(e["connection"], DB_CONNECTION);
    assert_eq!(e["connection_id"], edge::testkit::DB_CONNECTION_ID);
    assert_eq!(e["strategy"], "auth0");
    assert_eq!(e["strategy_type"], "database");
    assert_eq!(e["client_id"], SPA_CLIENT);
    assert_eq!(e["client_name"], "Test SPA");
    assert_eq!(e["ip"], "203.0.113.7");
    assert_eq!(e["user_agent"], "logs-test/1.0");
    assert!(e["date"].as_str().unwrap().ends_with('Z'));
    assert!(e["log_id"].as_str().is_some_and(|i| !i.is_empty()));

    let fp = logs(&env, "?q=type:fp").await.json_body();
    assert_eq!(fp[0]["user_id"], id.as_str());
    let fu = logs(&env, "?q=type:fu").await.json_body();
    assert_eq!(fu[0]["user_name"], "nobody@example.com");
    assert!(fu[0].get("user_id").is_none());
    let ss = logs(&env, "?q=type:ss").await.json_body();
    assert_eq!(ss[0]["user_id"], id.as_str());

    // The user's own logs need read:logs and read:users.
    let path = format!("users/{}/logs", urlencode(&id));
    assert_eq!(env.management_call("read:logs", "GET", &path, None).await.status, 403);
    let mine = env.management_call("read:logs read:users", "GET", &path, None).await;
    assert_eq!(mine.status, 200);
    let mine = mine.json_body();
    let kinds: Vec<&str> = mine
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["type"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["fp", "s", "ss"], "newest first");

    // Never a password or a token.
    let stored = all_rows(&env).await;
    for secret in [PASSWORD, WRONG, token.as_str()] {
        assert!(!stored.contains(secret), "a log row holds {secret}");
    }
}

fn urlencode(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

#[tokio::test]
async fn token_exchanges_and_management_writes_are_logged_without_bodies() {
    let env = TestEnv::new().await;
    let cc = |secret: &str| {
        edge::api::Request::new("POST", "/oauth/token").with_json(&json!({
            "grant_type": "client_credentials", "client_id": M2M_CLIENT, "client_secret": secret,
            "audience": format!("{}api/v2/", edge::testkit::ISSUER)}))
    };
    assert_eq!(env.send(cc(M2M_SECRET)).await.status, 200);
    assert_eq!(env.send(cc("not-the-secret")).await.status, 401);
    for (grant, field, kind) in [
        ("authorization_code", "code", "feacft"),
        ("refresh_token", "refresh_token", "fertft"),
    ] {
        let r = env
            .post_json(
                "/oauth/token",
                json!({"grant_type": grant, "client_id": SPA_CLIENT, field: "made-up-value",
                "redirect_uri": "http://localhost:3000/callback", "code_verifier": "v".repeat(43)}),
            )
            .await;
        assert_eq!(r.status, 403, "{}", String::from_utf8_lossy(&r.body));
        let failed = logs(&env, &format!("?q=type:{kind}")).await.json_body();
        assert_eq!(failed[0]["client_id"], SPA_CLIENT, "{kind}");
        assert!(!all_rows(&env).await.contains("made-up-value"));
    }
    let created = env
        .management_call(
            "create:users",
            "POST",
            "users",
            Some(json!({"connection": DB_CONNECTION, "email": "bob@example.com", "password": PASSWORD})),
        )
        .await;
    assert_eq!(created.status, 201);
    let bad = env
        .management_call(
            "create:users",
            "POST",
            "users",
            Some(json!({"connection": "nope", "email": "x@example.com"})),
        )
        .await;
    assert!(bad.status >= 400);
    let id = created.json_body()["user_id"].as_str().unwrap().to_owned();
    let del = env
        .management_call("delete:users", "DELETE", &format!("users/{}", urlencode(&id)), None)
        .await;
    assert_eq!(del.status, 204);

    let sccft = logs(&env, "?q=type:sccft").await.json_body();
    assert_eq!(sccft[0]["client_id"], M2M_CLIENT);
    assert_eq!(sccft[0]["client_name"], "Test M2M");
    let fccft = logs(&env, "?q=type:fccft").await.json_body();
    assert_eq!(fccft[0]["client_id"], M2M_CLIENT);
    let sapi = logs(&env, &format!("?q=type:sapi AND client_id:{M2M_CLIENT}"))
        .await
        .json_body();
    assert_eq!(sapi.as_array().unwrap().len(), 2, "the creation and the deletion");
    assert_eq!(sapi[1]["details"]["request"]["method"], "post");
    assert_eq!(sapi[1]["details"]["request"]["path"], "/api/v2/users");
    assert_eq!(sapi[1]["details"]["response"]["statusCode"], 201);
    let fapi = logs(&env, "?q=type:fapi").await.json_body();
    assert_eq!(fapi[0]["details"]["response"]["statusCode"], bad.status);
    let du = logs(&env, "?q=type:du").await.json_body();
    assert_eq!(du[0]["user_id"], id.as_str());
    let stored = all_rows(&env).await;
    for secret in [PASSWORD, M2M_SECRET, "not-the-secret"] {
        assert!(!stored.contains(secret), "a log row holds {secret}");
    }
}

#[tokio::test]
async fn q_pages_and_checkpoints_like_auth0_and_a_bad_q_is_one_precise_400() {
    let env = TestEnv::new().await;
    signup(&env, "cy@example.com").await;
    for _ in 0..4 {
        env.clock.advance_ms(1000);
        assert_eq!(env.send(login("cy@example.com", WRONG)).await.status, 403);
    }
    // Offset pages with totals.
    let page = logs(&env, "?q=type:fp&per_page=3&page=0&include_totals=true")
        .await
        .json_body();
    assert_eq!(
        (
            page["start"].as_i64(),
            page["limit"].as_i64(),
            page["length"].as_i64(),
            page["total"].as_i64()
        ),
        (Some(0), Some(3), Some(3), Some(4))
    );
    let second = logs(&env, "?q=type:fp&per_page=3&page=1").await.json_body();
    assert_eq!(second.as_array().unwrap().len(), 1);
    // Checkpoints: the newest without from; after from, oldest first.
    let newest = logs(&env, "?take=2").await.json_body();
    assert_eq!(newest.as_array().unwrap().len(), 2);
    let all = logs(&env, "?per_page=100").await.json_body();
    let oldest = all.as_array().unwrap().last().unwrap()["log_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let after = logs(&env, &format!("?from={oldest}&take=100")).await.json_body();
    assert_eq!(after.as_array().unwrap().len(), all.as_array().unwrap().len() - 1);
    assert!(after[0]["log_id"].as_str().unwrap() < after[1]["log_id"].as_str().unwrap());
    // One event by id.
    let one = logs(&env, &format!("/{oldest}")).await;
    assert_eq!(one.status, 200);
    assert_eq!(one.json_body()["log_id"], oldest.as_str());
    assert_eq!(logs(&env, "/900nothing").await.status, 404);
    // Dates: the day of the events, and a week before it.
    let day = &all[0]["date"].as_str().unwrap()[..10];
    let q = format!("?q={}", urlencode(&format!("type:fp AND date:[{day} TO {day}]")));
    assert_eq!(logs(&env, &q).await.json_body().as_array().unwrap().len(), 4);
    let q = format!("?q={}", urlencode("date:[2020-01-01 TO 2020-01-07]"));
    assert!(logs(&env, &q).await.json_body().as_array().unwrap().is_empty());
    let q = format!(
        "?q={}",
        urlencode(&format!("connection:\"{DB_CONNECTION}\" AND type:ss"))
    );
    assert_eq!(logs(&env, &q).await.json_body().as_array().unwrap().len(), 1);
    // Refusals.
    let r = logs(&env, &format!("?q={}", urlencode("ip:1.2.3.4"))).await;
    assert_eq!(r.status, 400);
    let body = r.json_body();
    assert_eq!(body["statusCode"], 400);
    assert!(
        body["message"].as_str().unwrap().contains("unsupported field 'ip'"),
        "{body}"
    );
    assert_eq!(logs(&env, "?per_page=101").await.status, 400);
    assert_eq!(
        env.management_call("read:users", "GET", "logs", None).await.status,
        403,
        "read:logs is needed"
    );
}

#[tokio::test]
async fn old_events_are_purged_in_chunks() {
    let env = TestEnv::new().await;
    let now = env.clock.0.get();
    let day = 86_400_000;
    let db: &dyn Database = &env.db;
    for i in 0..1200i64 {
        let age = if i < 1100 { 31 * day } else { day };
        db.execute(
            Stmt::new("INSERT INTO logs (log_id, date_ms, type) VALUES (?1, ?2, 's')")
                .bind(format!("900{i:08}"))
                .bind(now - age),
        )
        .await
        .unwrap();
    }
    let gone = edge::core::logs::purge(db, now, edge::core::logs::retention_days(None))
        .await
        .unwrap();
    assert_eq!(gone, 1100);
    let left = db.query(Stmt::new("SELECT COUNT(*) AS n FROM logs")).await.unwrap();
    assert_eq!(left[0]["n"], 100);
    assert_eq!(
        edge::core::logs::purge(db, now + 1, 1).await.unwrap(),
        100,
        "a shorter retention"
    );
}

/// A password login that asks for the second factor: its `mfa_token`.
async fn mfa_token(env: &TestEnv, email: &str) -> String {
    let r = env.send(login(email, PASSWORD)).await;
    assert_eq!(r.status, 403);
    r.json_body()["mfa_token"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn an_authenticator_app_enrolled_and_too_many_wrong_codes_are_logged_without_codes() {
    const OTP: &str = "http://auth0.com/oauth/grant-type/mfa-otp";
    const REALM: &str = "http://auth0.com/oauth/grant-type/password-realm";
    let env = TestEnv::new().await;
    env.exec(
        Stmt::new("UPDATE clients SET grant_types = ?1 WHERE client_id = ?2")
            .bind(json!(["authorization_code", REALM, OTP]).to_string())
            .bind(SPA_CLIENT),
    )
    .await;
    let all = edge::testkit::MANAGEMENT_SCOPES;
    let r = env
        .management_call(all, "PUT", "guardian/factors/otp", Some(json!({"enabled": true})))
        .await;
    assert_eq!(r.status, 200);
    let r = env
        .management_call(all, "PUT", "guardian/policies", Some(json!(["all-applications"])))
        .await;
    assert_eq!(r.status, 200);
    let user = signup(&env, "mfa-log@example.com").await;
    let token = mfa_token(&env, "mfa-log@example.com").await;
    let r = env
        .send(
            edge::api::Request::new("POST", "/mfa/associate")
                .with_header("authorization", &format!("Bearer {token}"))
                .with_json(&json!({"authenticator_types": ["otp"]})),
        )
        .await;
    assert_eq!(r.status, 200);
    let secret = r.json_body()["secret"].as_str().unwrap().to_owned();
    let now_s = (env.clock.0.get() / 1000) as u64;
    let code = edge::core::mfa::totp::code_for(&secret, now_s).unwrap();
    let grant = |token: &str, otp: &str| {
        edge::api::Request::new("POST", "/oauth/token")
            .with_json(&json!({"grant_type": OTP, "client_id": SPA_CLIENT, "mfa_token": token, "otp": otp}))
    };
    assert_eq!(env.send(grant(&token, &code)).await.status, 200);
    let id = format!("auth0|{}", user["_id"].as_str().unwrap());
    let enrolled = logs(&env, "?q=type:gd_enrollment_complete").await.json_body();
    assert_eq!(enrolled[0]["user_id"], id.as_str());
    assert_eq!(enrolled[0]["details"]["authenticator"]["type"], "otp");
    // The password alone is not a login yet: `mfar`, then the second factor's success and the login.
    let count = |t: &'static str| {
        let env = &env;
        async move {
            logs(env, &format!("?q=type:{t}"))
                .await
                .json_body()
                .as_array()
                .unwrap()
                .len()
        }
    };
    assert_eq!(count("mfar").await, 1);
    assert_eq!(count("gd_auth_succeed").await, 1);
    assert_eq!(count("s").await, 1, "one login: after its second factor");

    env.clock.advance_ms(31_000);
    for _ in 0..3 {
        let token = mfa_token(&env, "mfa-log@example.com").await;
        for _ in 0..5 {
            env.send(grant(&token, "999999")).await;
        }
    }
    let limited = logs(&env, "?q=type:gd_otp_rate_limit_exceed").await.json_body();
    assert_eq!(limited[0]["user_id"], id.as_str());
    assert!(count("gd_auth_failed").await >= 5, "wrong codes");
    assert_eq!(count("s").await, 1, "no login without the second factor");
    let stored = all_rows(&env).await;
    for secret in [secret.as_str(), code.as_str(), token.as_str(), "999999", PASSWORD] {
        assert!(!stored.contains(secret), "a log row holds {secret}");
    }
}

#[tokio::test]
async fn verification_resets_cross_origin_logins_and_passwordless_codes_are_logged() {
    let env = TestEnv::new().await;
    let user = signup(&env, "dee@example.com").await;
    let id = format!("auth0|{}", user["_id"].as_str().unwrap());
    let ticket = |link: String| link.split("ticket=").nth(1).unwrap().to_owned();
    // Email verification, then a forged ticket.
    let verify = ticket(env.last_link("dee@example.com").await.unwrap());
    let r = env
        .send(edge::api::Request::new("GET", &format!("/lo/verify?ticket={verify}")))
        .await;
    assert_eq!(r.status, 200);
    env.send(edge::api::Request::new("GET", "/lo/verify?ticket=forged"))
        .await;
    assert_eq!(logs(&env, "?q=type:sv").await.json_body()[0]["user_id"], id.as_str());
    assert_eq!(logs(&env, "?q=type:fv").await.json_body().as_array().unwrap().len(), 1);
    // A reset asked for a known and an unknown address (the same answer), then done.
    let ask = |email: &str| {
        env.post_json(
            "/dbconnections/change_password",
            json!({"client_id": SPA_CLIENT, "connection": DB_CONNECTION, "email": email}),
        )
    };
    let (known, unknown) = (ask("dee@example.com").await, ask("nobody@example.com").await);
    assert_eq!((known.status, known.body), (unknown.status, unknown.body));
    assert_eq!(logs(&env, "?q=type:scpr").await.json_body()[0]["user_id"], id.as_str());
    assert_eq!(
        logs(&env, "?q=type:fcpr").await.json_body()[0]["user_name"],
        "nobody@example.com"
    );
    let reset = ticket(env.last_link("dee@example.com").await.unwrap());
    let r = env
        .post_json("/lo/reset", json!({"ticket": reset, "password": "Brand-new-9x"}))
        .await;
    assert_eq!(r.status, 200);
    assert_eq!(logs(&env, "?q=type:scp").await.json_body()[0]["user_id"], id.as_str());
    // Cross-origin authentication.
    env.exec(Stmt::new("UPDATE clients SET cross_origin_auth = 1")).await;
    let co = |password: &str| {
        env.send(
            edge::api::Request::new("POST", "/co/authenticate")
                .with_header("origin", "http://localhost:3000")
                .with_json(
                    &json!({"client_id": SPA_CLIENT, "username": "dee@example.com", "password": password,
                    "realm": DB_CONNECTION, "credential_type": "http://auth0.com/oauth/grant-type/password-realm"}),
                ),
        )
    };
    assert_eq!(co("Brand-new-9x").await.status, 200);
    assert_eq!(co(WRONG).await.status, 403);
    assert_eq!(logs(&env, "?q=type:scoa").await.json_body()[0]["client_id"], SPA_CLIENT);
    assert_eq!(
        logs(&env, "?q=type:fcoa").await.json_body()[0]["description"],
        "Wrong email or password."
    );
    // A passwordless code sent.
    env.exec(Stmt::new(
        "INSERT INTO connections (id, name, strategy, options, created_at) VALUES ('con_email', 'email', 'email', '{}', 0)",
    ))
    .await;
    env.exec(Stmt::new(
        "INSERT INTO client_connections (client_id, connection_id) VALUES ('test-spa', 'con_email')",
    ))
    .await;
    let r = env
        .post_json(
            "/passwordless/start",
            json!({"client_id": SPA_CLIENT, "connection": "email", "email": "eve@example.com", "send": "code"}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    let cls = logs(&env, "?q=type:cls").await.json_body();
    assert_eq!(
        (cls[0]["user_name"].as_str(), cls[0]["connection"].as_str()),
        (Some("eve@example.com"), Some("email"))
    );
    let code = env
        .send(edge::api::Request::new("GET", "/dev/outbox.json?to=eve@example.com"))
        .await
        .json_body()[0]["text"]
        .as_str()
        .unwrap()
        .split(|c: char| !c.is_ascii_digit())
        .find(|w| w.len() >= 6)
        .unwrap()
        .to_owned();
    let stored = all_rows(&env).await;
    for secret in [
        PASSWORD,
        "Brand-new-9x",
        WRONG,
        verify.as_str(),
        reset.as_str(),
        code.as_str(),
    ] {
        assert!(!stored.contains(secret), "a log row holds {secret}");
    }
}

#[tokio::test]
async fn lazy_migrations_sign_up_failures_and_bulk_jobs_are_logged_with_tollgates_types() {
    let env = TestEnv::with_connection(json!({"passwordPolicy": "good", "import_mode": true,
        "legacy": {"url": "https://legacy.test/auth"}}))
    .await;
    env.legacy.add("L-1", "old@example.com", "Legacy-pass1", None);
    assert_eq!(env.send(login("old@example.com", "Legacy-pass1")).await.status, 200);
    let migrated = logs(&env, "?q=type:tg_migration_success").await.json_body();
    assert_eq!(migrated[0]["user_id"], "auth0|L-1");
    assert_eq!(migrated[0]["connection"], DB_CONNECTION);
    env.legacy.fault.set(edge::testkit::Fault::Down);
    env.clock.advance_ms(1000);
    assert_ne!(env.send(login("other@example.com", "Legacy-pass2")).await.status, 200);
    let failed = logs(&env, "?q=type:tg_migration_failure").await.json_body();
    assert_eq!(failed[0]["user_name"], "other@example.com");
    env.legacy.fault.set(edge::testkit::Fault::None);

    // A sign-up refused by the policy.
    let r = env
        .post_json(
            "/dbconnections/signup",
            json!({"client_id": SPA_CLIENT, "connection": DB_CONNECTION, "email": "weak@example.com", "password": "qwxzqw"}),
        )
        .await;
    assert_eq!(r.status, 400);
    let fs = logs(&env, "?q=type:fs").await.json_body();
    assert_eq!(
        (fs[0]["user_name"].as_str(), fs[0]["connection"].as_str()),
        (Some("weak@example.com"), Some(DB_CONNECTION))
    );

    // A bulk import: its start and, once, its end with the counts.
    let file = json!([{"email": "bulk-1@example.com"}, {"email": "bulk-2@example.com"}]);
    let created = env
        .post_import(&file, &[("connection_id", edge::testkit::DB_CONNECTION_ID)])
        .await;
    assert_eq!(created.status, 201, "{}", String::from_utf8_lossy(&created.body));
    env.run_jobs().await;
    let job = created.json_body()["id"].as_str().unwrap().to_owned();
    let started = logs(&env, "?q=type:tg_job_start").await.json_body();
    assert_eq!(started[0]["details"]["job_id"], job.as_str());
    assert_eq!(started[0]["details"]["type"], "users_import");
    let ended = logs(&env, "?q=type:tg_job_end").await.json_body();
    assert_eq!(
        ended.as_array().unwrap().len(),
        1,
        "logged once, whatever the deliveries"
    );
    assert_eq!(ended[0]["details"]["status"], "completed");
    assert_eq!(ended[0]["details"]["inserted"], 2);
    let stored = all_rows(&env).await;
    for secret in ["Legacy-pass1", "Legacy-pass2", "qwxzqw"] {
        assert!(!stored.contains(secret), "a log row holds {secret}");
    }
}
