use edge::api::Request;
use edge::core::oauth::keys::{RsaPublic, VerifyingKey};
use edge::core::oauth::tokens::{verify, TokenError};
use edge::core::platform::db::Stmt;
use edge::core::platform::secrets::sha256_hex;
use edge::testkit::{test_rsa_key, TestEnv, DB_CONNECTION, ISSUER, KID, SPA_CLIENT};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::{json, Value};

const REALM: &str = "http://auth0.com/oauth/grant-type/password-realm";

async fn env_with_user(email: &str, password: &str) -> TestEnv {
    let env = TestEnv::new().await;
    let r = env
        .post_json(
            "/dbconnections/signup",
            json!({"client_id": SPA_CLIENT, "connection": DB_CONNECTION, "email": email, "password": password}),
        )
        .await;
    assert_eq!(r.status, 200);
    env
}

fn login_body(username: &str, password: &str) -> Value {
    json!({"grant_type": REALM, "client_id": SPA_CLIENT, "username": username, "password": password, "realm": DB_CONNECTION})
}

async fn login_from(env: &TestEnv, ip: &str, username: &str, password: &str) -> edge::api::Response {
    let mut req = Request::new("POST", "/oauth/token").with_json(&login_body(username, password));
    req.ip = Some(ip.into());
    env.send(req).await
}

fn keys() -> Vec<VerifyingKey> {
    let (_, n, e) = test_rsa_key();
    vec![VerifyingKey {
        kid: KID.into(),
        public: RsaPublic {
            n: n.clone(),
            e: e.clone(),
        },
    }]
}

#[tokio::test]
async fn password_realm_login_issues_auth0_shaped_tokens() {
    let env = env_with_user("ada@example.com", "Analytical1!").await;
    let r = login_from(&env, "10.0.0.1", "Ada@Example.com", "Analytical1!").await;
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    let j = r.json_body();
    assert_eq!(j["token_type"], "Bearer");
    assert_eq!(j["scope"], "openid profile email");
    assert_eq!(r.header("cache-control"), Some("no-store"));
    let now = env.clock.0.get() / 1000;
    let id = verify(j["id_token"].as_str().unwrap(), &keys(), ISSUER, SPA_CLIENT, now).unwrap();
    assert!(id["sub"].as_str().unwrap().starts_with("auth0|"));
    assert_eq!(id["email"], "ada@example.com");
    assert_eq!(id["email_verified"], false);
    assert_eq!(id["nickname"], "ada");
    assert_eq!(id["exp"].as_i64().unwrap() - id["iat"].as_i64().unwrap(), 36000);
    assert!(id["updated_at"].as_str().unwrap().ends_with('Z'));
    let access = verify(
        j["access_token"].as_str().unwrap(),
        &keys(),
        ISSUER,
        &format!("{ISSUER}userinfo"),
        now,
    )
    .unwrap();
    assert_eq!(access["azp"], SPA_CLIENT);
    assert_eq!(access["gty"], "password");

    // /userinfo with the access token reads the user fresh.
    let ui = env
        .send(Request::new("GET", "/userinfo").with_header(
            "authorization",
            &format!("Bearer {}", j["access_token"].as_str().unwrap()),
        ))
        .await;
    assert_eq!(ui.status, 200);
    assert_eq!(ui.json_body()["email"], "ada@example.com");
    assert_eq!(ui.json_body()["sub"], id["sub"]);
    assert!(ui.header("x-ratelimit-limit").is_some());
}

#[tokio::test]
async fn form_encoded_bodies_and_basic_auth_are_accepted() {
    let env = env_with_user("ada@example.com", "Analytical1!").await;
    let mut req = Request::new("POST", "/oauth/token").with_header("content-type", "application/x-www-form-urlencoded");
    req.body = serde_urlencoded::to_string([
        ("grant_type", REALM),
        ("client_id", SPA_CLIENT),
        ("username", "ada@example.com"),
        ("password", "Analytical1!"),
        ("realm", DB_CONNECTION),
        ("audience", ""),
    ])
    .unwrap()
    .into_bytes();
    let r = env.send(req).await;
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
}

#[tokio::test]
async fn wrong_password_and_unknown_user_get_identical_answers() {
    let env = env_with_user("ada@example.com", "Analytical1!").await;
    let wrong = login_from(&env, "10.0.0.2", "ada@example.com", "nope").await;
    let unknown = login_from(&env, "10.0.0.2", "nobody@example.com", "nope").await;
    let expected = json!({"error": "invalid_grant", "error_description": "Wrong email or password."});
    assert_eq!((wrong.status, wrong.json_body()), (403, expected.clone()));
    assert_eq!((unknown.status, unknown.json_body()), (403, expected));
    assert_eq!(wrong.body, unknown.body, "byte-identical");
}

#[tokio::test]
async fn brute_force_block_lands_on_the_eleventh_attempt() {
    let env = env_with_user("ada@example.com", "Analytical1!").await;
    for i in 1..=10 {
        let r = login_from(&env, "10.0.0.3", "ada@example.com", "wrong").await;
        assert_eq!(r.status, 403, "attempt {i}");
    }
    let r = login_from(&env, "10.0.0.3", "ada@example.com", "Analytical1!").await;
    assert_eq!(
        r.status, 429,
        "the 11th attempt is blocked even with the right password"
    );
    assert_eq!(r.json_body()["error"], "too_many_attempts");
    // Another IP is not blocked (count_per_identifier_and_ip).
    assert_eq!(
        login_from(&env, "10.0.0.4", "ada@example.com", "Analytical1!")
            .await
            .status,
        200
    );
    // 30 days later the block is gone.
    env.clock.advance_ms(30 * 24 * 3600 * 1000 + 1);
    assert_eq!(
        login_from(&env, "10.0.0.3", "ada@example.com", "Analytical1!")
            .await
            .status,
        200
    );
}

#[tokio::test]
async fn a_success_resets_the_counter() {
    let env = env_with_user("ada@example.com", "Analytical1!").await;
    for _ in 0..9 {
        login_from(&env, "10.0.0.5", "ada@example.com", "wrong").await;
    }
    assert_eq!(
        login_from(&env, "10.0.0.5", "ada@example.com", "Analytical1!")
            .await
            .status,
        200
    );
    for _ in 0..10 {
        assert_eq!(
            login_from(&env, "10.0.0.5", "ada@example.com", "wrong").await.status,
            403
        );
    }
}

#[tokio::test]
async fn blocked_user_and_bad_clients() {
    let env = env_with_user("ada@example.com", "Analytical1!").await;
    env.exec(Stmt::new("UPDATE users SET blocked = 1")).await;
    let r = login_from(&env, "10.0.0.6", "ada@example.com", "Analytical1!").await;
    assert_eq!(
        (r.status, r.json_body()),
        (
            401,
            json!({"error": "unauthorized", "error_description": "user is blocked"})
        )
    );

    let mut b = login_body("ada@example.com", "x");
    b["client_id"] = json!("nope");
    let r = env.send(Request::new("POST", "/oauth/token").with_json(&b)).await;
    assert_eq!(
        (r.status, r.json_body()["error"].clone()),
        (401, json!("invalid_client"))
    );

    let mut b = login_body("ada@example.com", "x");
    b["grant_type"] = json!("urn:nope");
    let r = env.send(Request::new("POST", "/oauth/token").with_json(&b)).await;
    assert_eq!(r.json_body()["error"], "unsupported_grant_type");

    let mut b = login_body("ada@example.com", "x");
    b["realm"] = json!("Other");
    let r = env.send(Request::new("POST", "/oauth/token").with_json(&b)).await;
    assert_eq!(
        r.json_body(),
        json!({"error": "invalid_request", "error_description": "Unknown realm Other."})
    );

    let r = env
        .send(Request::new("POST", "/oauth/token").with_header("content-type", "text/plain"))
        .await;
    assert_eq!(
        (r.status, r.json_body()["error"].clone()),
        (415, json!("invalid_request"))
    );
}

async fn m2m_env() -> TestEnv {
    let env = TestEnv::new().await;
    env.exec(
        Stmt::new(
            "INSERT INTO clients (client_id, name, app_type, is_public, client_secret_hash, grant_types, created_at) \
             VALUES ('m2m', 'M2M', 'non_interactive', 0, ?1, '[\"client_credentials\"]', 0)",
        )
        .bind(sha256_hex(b"s3cret")),
    )
    .await;
    env.exec(Stmt::new(
        "INSERT INTO resource_servers (identifier, name, scopes, token_lifetime, created_at) \
         VALUES ('https://api.example.com/', 'API', '[\"read:things\",\"write:things\"]', 3600, 0)",
    ))
    .await;
    env.exec(Stmt::new(
        "INSERT INTO client_grants (client_id, audience, scope) VALUES ('m2m', 'https://api.example.com/', '[\"read:things\"]')",
    ))
    .await;
    env
}

#[tokio::test]
async fn client_credentials_for_granted_apis_only() {
    let env = m2m_env().await;
    let body = json!({"grant_type": "client_credentials", "client_id": "m2m", "client_secret": "s3cret", "audience": "https://api.example.com/"});
    let r = env.send(Request::new("POST", "/oauth/token").with_json(&body)).await;
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    let j = r.json_body();
    assert_eq!(j["scope"], "read:things");
    assert_eq!(j["expires_in"], 3600);
    assert!(j.get("id_token").is_none());
    let claims = verify(
        j["access_token"].as_str().unwrap(),
        &keys(),
        ISSUER,
        "https://api.example.com/",
        env.clock.0.get() / 1000,
    )
    .unwrap();
    assert_eq!(claims["sub"], "m2m@clients");
    assert_eq!(claims["gty"], "client-credentials");

    // client_secret_basic
    let basic = base64_basic("m2m", "s3cret");
    let r = env
        .send(
            Request::new("POST", "/oauth/token")
                .with_header("authorization", &format!("Basic {basic}"))
                .with_json(&json!({"grant_type": "client_credentials", "audience": "https://api.example.com/"})),
        )
        .await;
    assert_eq!(r.status, 200);

    let mut wrong = body.clone();
    wrong["client_secret"] = json!("nope");
    let r = env.send(Request::new("POST", "/oauth/token").with_json(&wrong)).await;
    assert_eq!(
        (r.status, r.json_body()["error"].clone()),
        (401, json!("invalid_client"))
    );

    let mut other = body.clone();
    other["audience"] = json!("https://unknown/");
    let r = env.send(Request::new("POST", "/oauth/token").with_json(&other)).await;
    assert_eq!(
        r.json_body(),
        json!({"error": "access_denied", "error_description": "Service not found: https://unknown/"})
    );

    // A public client cannot use client_credentials.
    let spa =
        json!({"grant_type": "client_credentials", "client_id": SPA_CLIENT, "audience": "https://api.example.com/"});
    let r = env.send(Request::new("POST", "/oauth/token").with_json(&spa)).await;
    assert_eq!(
        (r.status, r.json_body()["error"].clone()),
        (403, json!("unauthorized_client"))
    );
}

fn base64_basic(id: &str, secret: &str) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(format!("{id}:{secret}"))
}

fn sign_with(alg: Algorithm, key: &EncodingKey, kid: Option<&str>, claims: &Value) -> String {
    let mut h = Header::new(alg);
    h.kid = kid.map(Into::into);
    jsonwebtoken::encode(&h, claims, key).unwrap()
}

#[tokio::test]
async fn our_verifier_refuses_forged_and_stale_tokens() {
    let (pem, _, _) = test_rsa_key();
    let rsa = EncodingKey::from_rsa_pem(pem.as_bytes()).unwrap();
    let now = 1_767_225_600;
    let good = json!({"iss": ISSUER, "sub": "auth0|x", "aud": "api", "iat": now, "exp": now + 60});
    assert!(verify(
        &sign_with(Algorithm::RS256, &rsa, Some(KID), &good),
        &keys(),
        ISSUER,
        "api",
        now
    )
    .is_ok());

    // alg: none (header + payload, empty signature)
    use base64::Engine;
    let b64 = |v: &Value| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v.to_string());
    let none = format!(
        "{}.{}.",
        b64(&json!({"alg": "none", "typ": "JWT", "kid": KID})),
        b64(&good)
    );
    assert!(matches!(
        verify(&none, &keys(), ISSUER, "api", now),
        Err(TokenError::Invalid(_))
    ));

    // HS256 "signed" with the public key (the classic algorithm-confusion attack)
    let (_, n, e) = test_rsa_key();
    let hs = sign_with(
        Algorithm::HS256,
        &EncodingKey::from_secret(format!("{n}.{e}").as_bytes()),
        Some(KID),
        &good,
    );
    assert!(matches!(
        verify(&hs, &keys(), ISSUER, "api", now),
        Err(TokenError::Invalid(_))
    ));

    let expired = json!({"iss": ISSUER, "sub": "auth0|x", "aud": "api", "iat": now - 120, "exp": now - 60});
    assert_eq!(
        verify(
            &sign_with(Algorithm::RS256, &rsa, Some(KID), &expired),
            &keys(),
            ISSUER,
            "api",
            now
        ),
        Err(TokenError::Expired)
    );
    assert!(matches!(
        verify(
            &sign_with(Algorithm::RS256, &rsa, Some(KID), &good),
            &keys(),
            ISSUER,
            "other",
            now
        ),
        Err(TokenError::Invalid(_))
    ));
    assert!(matches!(
        verify(
            &sign_with(Algorithm::RS256, &rsa, Some(KID), &good),
            &keys(),
            "https://evil/",
            "api",
            now
        ),
        Err(TokenError::Invalid(_))
    ));
    assert_eq!(
        verify(
            &sign_with(Algorithm::RS256, &rsa, Some("other-kid"), &good),
            &keys(),
            ISSUER,
            "api",
            now
        ),
        Err(TokenError::UnknownKey)
    );
    assert_eq!(
        verify(
            &sign_with(Algorithm::RS256, &rsa, None, &good),
            &keys(),
            ISSUER,
            "api",
            now
        ),
        Err(TokenError::UnknownKey)
    );
    let mut tampered = sign_with(Algorithm::RS256, &rsa, Some(KID), &good);
    tampered.insert(tampered.len() - 3, 'A');
    assert!(verify(&tampered, &keys(), ISSUER, "api", now).is_err());
}

#[tokio::test]
async fn jwks_publishes_next_current_previous_not_revoked() {
    let env = TestEnv::new().await;
    env.add_signing_key("old", "previous").await;
    env.add_signing_key("gone", "revoked").await;
    env.add_signing_key("new", "next").await;
    let j = env
        .send(Request::new("GET", "/.well-known/jwks.json"))
        .await
        .json_body();
    let mut kids: Vec<&str> = j["keys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["kid"].as_str().unwrap())
        .collect();
    kids.sort();
    assert_eq!(kids, vec!["new", "old", KID]);
    assert_eq!(j["keys"][0]["alg"], "RS256");
    assert_eq!(j["keys"][0]["use"], "sig");
    let d = env
        .send(Request::new("GET", "/.well-known/openid-configuration"))
        .await
        .json_body();
    assert_eq!(d["issuer"], ISSUER);
    assert_eq!(d["jwks_uri"], format!("{ISSUER}.well-known/jwks.json"));
}

/// A password-realm login's round trips to the database: the verdict's bookkeeping (attempt slot,
/// failures, last login, logins, daily stats) is one batch, and a failure's IP count goes with it.
/// Natively a success makes 10: 6 configuration reads (client, signing keys, connection,
/// client-connection, and after the verdict the MFA policy and the post-login hook — served from
/// the isolate cache in the Worker, so 4 there), the IP's failure bucket, the attempt slot, the
/// user, and the one batch after the verdict; a failure reads neither the MFA policy nor the hook (8). The endpoint's rate
/// limit is the isolate's (`protection::local`): no round trip.
#[tokio::test]
async fn a_login_makes_few_round_trips() {
    let env = edge::testkit::TestEnv::new().await;
    let r = env
        .post_json(
            "/dbconnections/signup",
            serde_json::json!({"client_id": edge::testkit::SPA_CLIENT, "connection": edge::testkit::DB_CONNECTION,
                "email": "trips@example.com", "password": "Analytical1!"}),
        )
        .await;
    assert_eq!(r.status, 200);
    let login = |password: &str| {
        let mut req = edge::api::Request::new("POST", "/oauth/token").with_json(&serde_json::json!({
            "grant_type": "http://auth0.com/oauth/grant-type/password-realm", "client_id": edge::testkit::SPA_CLIENT,
            "username": "trips@example.com", "password": password, "realm": edge::testkit::DB_CONNECTION}));
        req.ip = Some("9.9.9.6".into());
        req
    };
    assert_eq!(env.send(login("Analytical1!")).await.status, 200);
    let before = env.db.calls();
    assert_eq!(env.send(login("Analytical1!")).await.status, 200);
    let ok = env.db.calls() - before;
    let before = env.db.calls();
    assert_eq!(env.send(login("wrong")).await.status, 403);
    let failed = env.db.calls() - before;
    assert_eq!(
        (ok, failed),
        (10, 8),
        "round trips of a login that succeeds, that fails"
    );
}

/// A client-credentials token's round trips: 4 natively — the configuration reads (client, grant,
/// API, signing key), which the Worker serves from the isolate cache — and none there: the
/// endpoint's rate limit is the isolate's (`protection::local`), and nothing is written.
#[tokio::test]
async fn a_client_credentials_token_makes_few_round_trips() {
    let env = edge::testkit::TestEnv::new().await;
    let token = |n: u8| {
        let mut req = edge::api::Request::new("POST", "/oauth/token").with_json(&serde_json::json!({
            "grant_type": "client_credentials", "client_id": edge::testkit::M2M_CLIENT,
            "client_secret": edge::testkit::M2M_SECRET, "audience": format!("{}api/v2/", edge::testkit::ISSUER)}));
        req.ip = Some(format!("9.9.8.{n}"));
        req
    };
    assert_eq!(env.send(token(1)).await.status, 200);
    let before = env.db.calls();
    assert_eq!(env.send(token(2)).await.status, 200);
    let trips = env.db.calls() - before;
    assert_eq!(
        trips, 4,
        "round trips of a client-credentials token: configuration reads only"
    );
}
