use std::io::Read;

use edge::api::{Request, Response};
use edge::core::platform::db::Stmt;
use edge::testkit::{TestEnv, DB_CONNECTION, DB_CONNECTION_ID, ISSUER, SPA_CLIENT};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

const ALL: &str = "create:users read:users update:users delete:users";
const REALM: &str = "http://auth0.com/oauth/grant-type/password-realm";

async fn call(env: &TestEnv, method: &str, path: &str, body: Option<Value>, scope: &str) -> Response {
    let token = env.management_token(scope).await;
    let mut req = Request::new(method, path).with_header("authorization", &format!("Bearer {token}"));
    if let Some(b) = body {
        req = req.with_json(&b);
    }
    env.send(req).await
}

async fn import(env: &TestEnv, file: &Value, upsert: bool) -> Value {
    let fields = [
        ("connection_id", DB_CONNECTION_ID),
        ("upsert", if upsert { "true" } else { "false" }),
        ("external_id", "ext-1"),
    ];
    let r = env.post_import(file, &fields).await;
    assert_eq!(r.status, 201, "{}", String::from_utf8_lossy(&r.body));
    let job = r.json_body();
    assert_eq!(job["status"], "pending");
    assert_eq!(job["external_id"], "ext-1");
    env.run_jobs().await;
    let done = call(
        env,
        "GET",
        &format!("/api/v2/jobs/{}", job["id"].as_str().unwrap()),
        None,
        "read:users",
    )
    .await
    .json_body();
    assert_eq!(done["status"], "completed");
    assert_eq!(done["percentage_done"], 100);
    done
}

async fn login(env: &TestEnv, email: &str, password: &str) -> u16 {
    let mut req = Request::new("POST", "/oauth/token")
        .with_json(&json!({"grant_type": REALM, "client_id": SPA_CLIENT, "username": email, "password": password, "realm": DB_CONNECTION}));
    req.ip = Some("7.7.7.7".into());
    env.send(req).await.status
}

#[tokio::test]
async fn tokens_and_scopes_are_checked_on_every_call() {
    let env = TestEnv::new().await;
    let r = env.send(Request::new("GET", "/api/v2/users")).await;
    assert_eq!(r.status, 401);
    assert_eq!(r.json_body()["error"], "Unauthorized");
    let r = call(&env, "GET", "/api/v2/users", None, "create:users").await;
    assert_eq!((r.status, r.json_body()["statusCode"].clone()), (403, json!(403)));
    let r = call(&env, "DELETE", "/api/v2/users/auth0%7Cx", None, "read:users").await;
    assert_eq!(r.status, 403);
    // A token for another audience (the userinfo one) is refused.
    let r = env
        .send(Request::new("GET", "/api/v2/users").with_header("authorization", "Bearer not.a.jwt"))
        .await;
    assert_eq!(r.status, 401);
}

#[tokio::test]
async fn users_crud_in_auth0_shape() {
    let env = TestEnv::new().await;
    let r = call(
        &env,
        "POST",
        "/api/v2/users",
        Some(
            json!({"connection": DB_CONNECTION, "email": "Ada@Example.com", "password": "Analytical1!",
        "user_metadata": {"plan": "pro", "theme": "dark"}, "app_metadata": {"roles": ["admin"]}, "name": "Ada"}),
        ),
        ALL,
    )
    .await;
    assert_eq!(r.status, 201, "{}", String::from_utf8_lossy(&r.body));
    let u = r.json_body();
    let id = u["user_id"].as_str().unwrap().to_owned();
    assert!(id.starts_with("auth0|"));
    assert_eq!(u["email"], "ada@example.com");
    assert_eq!(u["identities"][0]["connection"], DB_CONNECTION);
    assert_eq!(u["identities"][0]["provider"], "auth0");

    let enc = id.replace('|', "%7C");
    let got = call(&env, "GET", &format!("/api/v2/users/{enc}"), None, "read:users")
        .await
        .json_body();
    assert_eq!(got["user_metadata"]["plan"], "pro");
    let patched = call(
        &env,
        "PATCH",
        &format!("/api/v2/users/{enc}"),
        Some(json!({"user_metadata": {"plan": "free", "theme": null}, "blocked": true})),
        ALL,
    )
    .await;
    assert_eq!(patched.status, 200);
    assert_eq!(
        patched.json_body()["user_metadata"],
        json!({"plan": "free"}),
        "merged, null removes"
    );
    assert_eq!(patched.json_body()["blocked"], true);
    let weak = call(
        &env,
        "PATCH",
        &format!("/api/v2/users/{enc}"),
        Some(json!({"password": "abc"})),
        ALL,
    )
    .await;
    assert_eq!(weak.status, 400, "the policy applies to PATCH");

    let dup = call(
        &env,
        "POST",
        "/api/v2/users",
        Some(json!({"connection": DB_CONNECTION, "email": "ada@example.com", "password": "Analytical1!"})),
        ALL,
    )
    .await;
    assert_eq!((dup.status, dup.json_body()["error"].clone()), (409, json!("Conflict")));

    let list = call(
        &env,
        "GET",
        "/api/v2/users?include_totals=true&per_page=10",
        None,
        "read:users",
    )
    .await
    .json_body();
    assert_eq!(list["total"], 1);
    let by_email = call(
        &env,
        "GET",
        "/api/v2/users-by-email?email=ADA%40example.com",
        None,
        "read:users",
    )
    .await
    .json_body();
    assert_eq!(by_email[0]["user_id"], id);
    let q = call(
        &env,
        "GET",
        "/api/v2/users?q=email%3A%22ada%40example.com%22",
        None,
        "read:users",
    )
    .await
    .json_body();
    assert_eq!(q.as_array().unwrap().len(), 1);

    assert_eq!(
        call(&env, "DELETE", &format!("/api/v2/users/{enc}"), None, ALL)
            .await
            .status,
        204
    );
    assert_eq!(
        call(&env, "GET", &format!("/api/v2/users/{enc}"), None, ALL)
            .await
            .status,
        404
    );
}

#[tokio::test]
async fn user_blocks_and_connections() {
    let env = TestEnv::new().await;
    call(
        &env,
        "POST",
        "/api/v2/users",
        Some(json!({"connection": DB_CONNECTION, "email": "b@example.com", "password": "Analytical1!"})),
        ALL,
    )
    .await;
    for _ in 0..10 {
        login(&env, "b@example.com", "wrong").await;
    }
    assert_eq!(login(&env, "b@example.com", "Analytical1!").await, 429);
    assert_eq!(
        call(
            &env,
            "DELETE",
            "/api/v2/user-blocks?identifier=b%40example.com",
            None,
            ALL
        )
        .await
        .status,
        204
    );
    assert_eq!(login(&env, "b@example.com", "Analytical1!").await, 200);

    let conns = call(
        &env,
        "GET",
        &format!("/api/v2/connections?name={DB_CONNECTION}"),
        None,
        "read:users",
    )
    .await
    .json_body();
    assert_eq!(conns[0]["id"], DB_CONNECTION_ID);
    assert_eq!(conns[0]["enabled_clients"], json!([SPA_CLIENT]));
}

#[tokio::test]
async fn import_mixes_valid_and_invalid_rows_with_exact_counts() {
    let env = TestEnv::new().await;
    let sha = hex::encode(Sha256::digest(b"abc123Pass-word-1"));
    let file = json!([
        {"email": "one@example.com", "custom_password_hash": {"algorithm": "sha256", "hash": {"value": sha, "encoding": "hex"}, "salt": {"value": "abc123"}},
         "user_metadata": {"plan": "gold"}, "user_id": "legacy-1"},
        {"email": "two@example.com", "password_hash": "$2b$10$nFguVi9LsCAcvTZFKQlRKeLVydo8ETv483lkNsSFI/Wl1Rz1Ypo1K"},
        {"email": "three@example.com", "email_verified": true, "name": "Three"},
        {"name": "no email"},
        {"email": "bad-hash@example.com", "custom_password_hash": {"algorithm": "sha1024", "hash": {"value": "00"}}},
        {"email": "extra@example.com", "favourite_colour": "blue"},
        {"email": "ONE@example.com"},
        {"email": "not-an-email"},
        {"email": "costly@example.com", "password_hash": "$2b$31$nFguVi9LsCAcvTZFKQlRKeLVydo8ETv483lkNsSFI/Wl1Rz1Ypo1K"}
    ]);
    let job = import(&env, &file, false).await;
    assert_eq!(
        job["summary"],
        json!({"failed": 6, "updated": 0, "inserted": 3, "total": 9})
    );
    let errors = call(
        &env,
        "GET",
        &format!("/api/v2/jobs/{}/errors", job["id"].as_str().unwrap()),
        None,
        "read:users",
    )
    .await
    .json_body();
    let codes: Vec<(String, String)> = errors
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["user"]["email"].as_str().unwrap_or("").to_owned(),
                e["errors"][0]["code"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        codes,
        vec![
            ("".into(), "OBJECT_REQUIRED".into()),
            ("bad-hash@example.com".into(), "ENUM_MISMATCH".into()),
            ("extra@example.com".into(), "OBJECT_ADDITIONAL_PROPERTIES".into()),
            ("ONE@example.com".into(), "DUPLICATED_USER".into()),
            ("not-an-email".into(), "FORMAT".into()),
            ("costly@example.com".into(), "MAXIMUM".into()),
        ]
    );
    assert_eq!(errors[5]["user"]["password_hash"], "*****", "hashes redacted");

    // The imported SHA-256 hash works once, then it has become argon2id.
    assert_eq!(login(&env, "one@example.com", "Pass-word-1").await, 200);
    let stored = env
        .core()
        .db
        .query(Stmt::new("SELECT password_hash FROM users WHERE user_id = 'legacy-1'"))
        .await
        .unwrap();
    assert!(stored[0]["password_hash"].as_str().unwrap().starts_with("$argon2id$"));
    assert_eq!(login(&env, "one@example.com", "Pass-word-1").await, 200);
    assert_eq!(
        login(&env, "two@example.com", "hello").await,
        200,
        "bcrypt password_hash"
    );
    assert_eq!(
        login(&env, "three@example.com", "anything").await,
        403,
        "no password: must reset"
    );
}

#[tokio::test]
async fn imports_only_go_into_database_connections() {
    let env = TestEnv::new().await;
    env.exec(Stmt::new(
        "INSERT INTO connections (id, name, strategy, options, created_at) VALUES ('con_google', 'google-oauth2', 'google-oauth2', '{}', 0)",
    ))
    .await;
    let file = json!([{"email": "social@example.com", "email_verified": true}]);
    for (id, needle) in [
        ("con_google", "CONNECTION_NOT_DATABASE"),
        ("con_nope", "CONNECTION_NOT_FOUND"),
    ] {
        let r = env.post_import(&file, &[("connection_id", id)]).await;
        assert_eq!(r.status, 400, "{id}");
        let err = r.json_body();
        assert!(err["message"].as_str().unwrap_or_default().contains(needle), "{err}");
    }
    let users = call(
        &env,
        "GET",
        "/api/v2/users-by-email?email=social%40example.com",
        None,
        "read:users",
    )
    .await;
    assert_eq!(users.json_body(), json!([]), "nothing was imported");
}

#[tokio::test]
async fn upsert_overwrites_metadata_and_without_upsert_existing_users_fail() {
    let env = TestEnv::new().await;
    import(
        &env,
        &json!([{"email": "u@example.com", "user_metadata": {"a": 1, "b": 2}, "name": "Old"}]),
        false,
    )
    .await;
    let again = import(
        &env,
        &json!([{"email": "u@example.com", "user_metadata": {"c": 3}}]),
        false,
    )
    .await;
    assert_eq!(
        again["summary"],
        json!({"failed": 1, "updated": 0, "inserted": 0, "total": 1})
    );
    let up = import(
        &env,
        &json!([{"email": "u@example.com", "user_metadata": {"c": 3}, "name": "New"}, {"email": "v@example.com"}]),
        true,
    )
    .await;
    assert_eq!(
        up["summary"],
        json!({"failed": 0, "updated": 1, "inserted": 1, "total": 2})
    );
    let users = call(
        &env,
        "GET",
        "/api/v2/users-by-email?email=u%40example.com",
        None,
        "read:users",
    )
    .await
    .json_body();
    assert_eq!(users[0]["user_metadata"], json!({"c": 3}), "overwritten, not merged");
    assert_eq!(users[0]["name"], "New");
}

#[tokio::test]
async fn a_thousand_users_in_chunks_counted_once() {
    let env = TestEnv::new().await;
    let file: Vec<Value> = (0..1000)
        .map(|i| json!({"email": format!("bulk{i}@example.com")}))
        .collect();
    let job = import(&env, &Value::Array(file), false).await;
    assert_eq!(job["summary"]["inserted"], 1000);
    let n = call(
        &env,
        "GET",
        "/api/v2/users?include_totals=true&per_page=1",
        None,
        "read:users",
    )
    .await
    .json_body();
    assert_eq!(n["total"], 1000);
}

#[tokio::test]
async fn export_ndjson_and_csv_through_a_signed_link() {
    let env = TestEnv::new().await;
    import(
        &env,
        &json!([{"email": "e1@example.com", "name": "=HYPERLINK(\"evil\")", "user_metadata": {"plan": "gold"}},
        {"email": "e2@example.com"}]),
        false,
    )
    .await;
    for (format, fields) in [
        (
            "json",
            json!([{"name": "email"}, {"name": "user_metadata.plan", "export_as": "plan"}]),
        ),
        (
            "csv",
            json!([{"name": "email"}, {"name": "name"}, {"name": "identities[0].connection", "export_as": "connection"}]),
        ),
    ] {
        let r = call(
            &env,
            "POST",
            "/api/v2/jobs/users-exports",
            Some(json!({"connection_id": DB_CONNECTION_ID, "format": format, "fields": fields})),
            "read:users",
        )
        .await;
        assert_eq!(r.status, 201, "{}", String::from_utf8_lossy(&r.body));
        let id = r.json_body()["id"].as_str().unwrap().to_owned();
        env.run_jobs().await;
        let status = call(&env, "GET", &format!("/api/v2/jobs/{id}"), None, "read:users")
            .await
            .json_body();
        assert_eq!(status["status"], "completed");
        let location = status["location"].as_str().unwrap().replace(ISSUER, "/");
        let file = env.send(Request::new("GET", &location)).await;
        assert_eq!(file.status, 200);
        assert!(file
            .header("content-disposition")
            .unwrap()
            .contains(&format!("test.{format}.gz")));
        let mut text = String::new();
        flate2::read::MultiGzDecoder::new(&file.body[..])
            .read_to_string(&mut text)
            .unwrap();
        // Both users were created in the same millisecond: their order is not part of the contract.
        if format == "json" {
            let lines: Vec<Value> = text.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
            assert_eq!(lines.len(), 2);
            assert!(
                lines.contains(&json!({"email": "e1@example.com", "plan": "gold"})),
                "{lines:?}"
            );
        } else {
            let lines: Vec<&str> = text.lines().collect();
            assert_eq!(lines.len(), 3);
            assert_eq!(lines[0], "\"email\",\"name\",\"connection\"");
            let e1 = format!("\"e1@example.com\",\"'=HYPERLINK(\"\"evil\"\")\",\"{DB_CONNECTION}\"");
            assert!(lines.contains(&e1.as_str()), "{lines:?}");
        }
        let tampered = location.replace("sig=", "sig=00");
        assert_eq!(env.send(Request::new("GET", &tampered)).await.status, 401);
        env.clock.advance_ms(61_000);
        assert_eq!(
            env.send(Request::new("GET", &location)).await.status,
            401,
            "links live 60 s"
        );
    }
}

/// An argon2id hash made with other parameters than ours (ours before `ARGON2` changed) is
/// replaced by one with ours at the next login that proves the password; a wrong password
/// changes nothing.
#[tokio::test]
async fn argon2id_hashes_with_other_parameters_are_rehashed_at_login() {
    use edge::core::credentials::hashing::{Argon2Config, Argon2idHasher};
    let env = TestEnv::new().await;
    let old = Argon2idHasher::new(Argon2Config { m_kib: 128, t: 2, p: 1 })
        .hash_sync("Pass-word-1", &[3u8; 16])
        .unwrap();
    let file = json!([{"email": "argon@example.com", "email_verified": true, "user_id": "argon-1"}]);
    assert_eq!(import(&env, &file, false).await["summary"]["inserted"], 1);
    env.core()
        .db
        .execute(Stmt::new("UPDATE users SET password_hash = ?1 WHERE user_id = 'argon-1'").bind(&old))
        .await
        .unwrap();
    let stored = || async {
        env.core()
            .db
            .query(Stmt::new("SELECT password_hash FROM users WHERE user_id = 'argon-1'"))
            .await
            .unwrap()[0]["password_hash"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    assert_eq!(login(&env, "argon@example.com", "Wrong-pass-1").await, 403);
    assert_eq!(stored().await, old, "a wrong password changes nothing");
    assert_eq!(login(&env, "argon@example.com", "Pass-word-1").await, 200);
    let now = stored().await;
    assert!(now.starts_with("$argon2id$v=19$m=64,t=1,p=1$"), "{now}");
    assert_eq!(
        login(&env, "argon@example.com", "Pass-word-1").await,
        200,
        "the new hash works"
    );
}
