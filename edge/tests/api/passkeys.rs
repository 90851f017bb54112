//! Passkeys (issue 24) with a software authenticator that sends the browser's exact bytes: sign-up
//! and login through Auth0's native passkey API and the webauthn grant, the hosted page's enrolment
//! after a password login and its passkey login, and the refusals — replays, other origins,
//! unknown or deleted credentials, a ceremony finished in another browser.

use edge::api::{Request, Response};
use edge::core::platform::db::Stmt;
use edge::soft_authenticator::{Flags, SoftPasskey};
use edge::testkit::{TestEnv, DB_CONNECTION, ISSUER, SPA_CLIENT};
use serde_json::{json, Value};

const WEBAUTHN: &str = "urn:okta:params:oauth:grant-type:webauthn";
const RP_ID: &str = "tollgate.test";
const ORIGIN: &str = "https://tollgate.test";
const PW: &str = "Analytical1!";
const CALLBACK: &str = "http://localhost:3000/callback";
const CHALLENGE: &str = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";

async fn env() -> TestEnv {
    let env = TestEnv::with_connection(json!({"passwordPolicy": "good",
        "authentication_methods": {"password": {"enabled": true}, "passkey": {"enabled": true}}}))
    .await;
    env.exec(
        Stmt::new("UPDATE clients SET grant_types = ?1 WHERE client_id = 'test-spa'").bind(
            json!([
                "authorization_code",
                "refresh_token",
                "http://auth0.com/oauth/grant-type/password-realm",
                WEBAUTHN
            ])
            .to_string(),
        ),
    )
    .await;
    env
}

async fn post(env: &TestEnv, path: &str, body: Value, ip: &str) -> Response {
    let mut req = Request::new("POST", path).with_json(&body);
    req.ip = Some(ip.into());
    env.send(req).await
}

fn credential(id: &str, response: impl serde::Serialize) -> Value {
    json!({"id": id, "rawId": id, "type": "public-key", "authenticatorAttachment": "platform", "response": response})
}

fn claims(jwt: &str) -> Value {
    use base64::Engine;
    let part = jwt.split('.').nth(1).unwrap();
    serde_json::from_slice(&base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(part).unwrap()).unwrap()
}

/// Signs `email` up with a new passkey through the native API; returns (passkey, sub).
async fn sign_up(env: &TestEnv, email: &str) -> (SoftPasskey, String) {
    let r = post(
        env,
        "/passkey/register",
        json!({"client_id": SPA_CLIENT, "realm": DB_CONNECTION,
        "user_profile": {"email": email}}),
        "203.0.113.20",
    )
    .await;
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    let b = r.json_body();
    let opts = &b["authn_params_public_key"];
    assert_eq!(opts["rp"]["id"], RP_ID);
    assert_eq!(opts["authenticatorSelection"]["residentKey"], "required");
    assert_eq!(opts["authenticatorSelection"]["userVerification"], "required");
    assert_eq!(opts["attestation"], "none");
    let handle = opts["user"]["id"].as_str().unwrap().as_bytes().to_vec();
    let pk = SoftPasskey::new(&handle, true);
    let att = pk.register(RP_ID, ORIGIN, opts["challenge"].as_str().unwrap(), Flags::default());
    let t = post(
        env,
        "/oauth/token",
        json!({"grant_type": WEBAUTHN, "client_id": SPA_CLIENT,
        "auth_session": b["auth_session"], "authn_response": credential(&pk.id_b64(), att), "scope": "openid email"}),
        "203.0.113.20",
    )
    .await;
    assert_eq!(t.status, 200, "{}", String::from_utf8_lossy(&t.body));
    let sub = claims(t.json_body()["id_token"].as_str().unwrap())["sub"]
        .as_str()
        .unwrap()
        .to_owned();
    (pk, sub)
}

/// A login with `pk` through the native API: the token response.
async fn log_in(env: &TestEnv, pk: &mut SoftPasskey, origin: &str, ip: &str) -> Response {
    let r = post(env, "/passkey/challenge", json!({"client_id": SPA_CLIENT}), ip).await;
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    let b = r.json_body();
    assert_eq!(
        b["authn_params_public_key"]["allowCredentials"],
        json!([]),
        "discoverable: no account named"
    );
    let a = pk.assert(
        RP_ID,
        origin,
        b["authn_params_public_key"]["challenge"].as_str().unwrap(),
        Flags::default(),
    );
    post(
        env,
        "/oauth/token",
        json!({"grant_type": WEBAUTHN, "client_id": SPA_CLIENT,
        "auth_session": b["auth_session"], "authn_response": credential(&pk.id_b64(), a), "scope": "openid"}),
        ip,
    )
    .await
}

async fn count(env: &TestEnv, sql: &'static str) -> i64 {
    let rows = env.core().db.query(Stmt::new(sql)).await.unwrap();
    rows[0]["n"].as_i64().unwrap()
}

#[tokio::test]
async fn a_passkey_signs_up_without_a_password_and_logs_in_again() {
    let env = env().await;
    let (mut pk, sub) = sign_up(&env, "ada@example.com").await;
    assert!(sub.starts_with("auth0|"), "{sub}");
    assert_eq!(
        count(
            &env,
            "SELECT COUNT(*) AS n FROM users WHERE email = 'ada@example.com' AND password_hash IS NULL"
        )
        .await,
        1
    );
    assert!(
        env.last_link("ada@example.com").await.unwrap().contains("/lo/verify"),
        "the address is verified by mail"
    );
    let t = log_in(&env, &mut pk, ORIGIN, "203.0.113.21").await;
    assert_eq!(t.status, 200, "{}", String::from_utf8_lossy(&t.body));
    assert_eq!(claims(t.json_body()["id_token"].as_str().unwrap())["sub"], sub.as_str());
    assert_eq!(
        count(
            &env,
            "SELECT logins_count AS n FROM users WHERE email = 'ada@example.com'"
        )
        .await,
        2
    );
    // A password login of this account fails like any wrong password: it has none.
    let pw = post(
        &env,
        "/oauth/token",
        json!({"grant_type": "http://auth0.com/oauth/grant-type/password-realm",
        "client_id": SPA_CLIENT, "username": "ada@example.com", "password": PW, "realm": DB_CONNECTION}),
        "203.0.113.22",
    )
    .await;
    assert_eq!(pw.status, 403);
}

#[tokio::test]
async fn replays_other_origins_unknown_and_deleted_credentials_are_refused_alike() {
    let env = env().await;
    let (mut pk, _) = sign_up(&env, "bob@example.com").await;
    // A replayed grant: the auth_session works once.
    let r = post(
        &env,
        "/passkey/challenge",
        json!({"client_id": SPA_CLIENT}),
        "203.0.113.23",
    )
    .await
    .json_body();
    let a = pk.assert(
        RP_ID,
        ORIGIN,
        r["authn_params_public_key"]["challenge"].as_str().unwrap(),
        Flags::default(),
    );
    let grant = json!({"grant_type": WEBAUTHN, "client_id": SPA_CLIENT, "auth_session": r["auth_session"],
        "authn_response": credential(&pk.id_b64(), &a)});
    assert_eq!(
        post(&env, "/oauth/token", grant.clone(), "203.0.113.23").await.status,
        200
    );
    let again = post(&env, "/oauth/token", grant, "203.0.113.23").await;
    assert_eq!(again.status, 403);
    assert_eq!(again.json_body()["error"], "invalid_grant");
    let refusal = again.json_body()["error_description"].clone();
    // The same assertion for a new challenge: refused.
    let r = post(
        &env,
        "/passkey/challenge",
        json!({"client_id": SPA_CLIENT}),
        "203.0.113.23",
    )
    .await
    .json_body();
    let replay = post(
        &env,
        "/oauth/token",
        json!({"grant_type": WEBAUTHN, "client_id": SPA_CLIENT,
        "auth_session": r["auth_session"], "authn_response": credential(&pk.id_b64(), &a)}),
        "203.0.113.23",
    )
    .await;
    assert_eq!(replay.status, 403);
    assert_eq!(replay.json_body()["error_description"], refusal);
    // Another origin.
    assert_eq!(
        log_in(&env, &mut pk, "https://evil.example", "203.0.113.24")
            .await
            .status,
        403
    );
    // An unknown credential and a deleted one: the same answer.
    let mut stranger = SoftPasskey::new(b"x", true);
    let unknown = log_in(&env, &mut stranger, ORIGIN, "203.0.113.25").await;
    assert_eq!(unknown.status, 403);
    assert_eq!(unknown.json_body()["error_description"], refusal);
    env.exec(Stmt::new("DELETE FROM passkey_credentials")).await;
    let deleted = log_in(&env, &mut pk, ORIGIN, "203.0.113.26").await;
    assert_eq!(deleted.status, 403);
    assert_eq!(deleted.json_body()["error_description"], refusal);
}

#[tokio::test]
async fn a_taken_address_gets_the_generic_sign_up_refusal_and_passkeys_off_means_no_ceremony() {
    let env = env().await;
    let signup = post(
        &env,
        "/dbconnections/signup",
        json!({"client_id": SPA_CLIENT, "connection": DB_CONNECTION,
        "email": "carol@example.com", "password": PW}),
        "203.0.113.27",
    )
    .await;
    assert_eq!(signup.status, 200);
    let start = |email: &'static str| {
        post(
            &env,
            "/passkey/register",
            json!({"client_id": SPA_CLIENT, "user_profile": {"email": email}}),
            "203.0.113.27",
        )
    };
    let (known, unknown) = (start("carol@example.com").await, start("dan@example.com").await);
    assert_eq!(
        (known.status, unknown.status),
        (200, 200),
        "the start says nothing about the address"
    );
    let opts = known.json_body()["authn_params_public_key"].clone();
    let pk = SoftPasskey::new(b"h", true);
    let att = pk.register(RP_ID, ORIGIN, opts["challenge"].as_str().unwrap(), Flags::default());
    let t = post(
        &env,
        "/oauth/token",
        json!({"grant_type": WEBAUTHN, "client_id": SPA_CLIENT,
        "auth_session": known.json_body()["auth_session"], "authn_response": credential(&pk.id_b64(), att)}),
        "203.0.113.27",
    )
    .await;
    assert_eq!(t.status, 400, "{}", String::from_utf8_lossy(&t.body));
    assert_eq!(t.json_body()["error"], "invalid_signup");
    assert_eq!(
        count(&env, "SELECT COUNT(*) AS n FROM passkey_credentials").await,
        0,
        "nothing stored"
    );

    env.exec(Stmt::new(
        "UPDATE connections SET options = json_set(options, '$.authentication_methods.passkey.enabled', json('false'))",
    ))
    .await;
    let off = post(
        &env,
        "/passkey/challenge",
        json!({"client_id": SPA_CLIENT, "realm": DB_CONNECTION}),
        "203.0.113.27",
    )
    .await;
    assert_eq!(off.status, 400);
}

fn authorize_url() -> String {
    format!(
        "/authorize?client_id={SPA_CLIENT}&redirect_uri={CALLBACK}&response_type=code&scope=openid&state=s\
         &code_challenge={CHALLENGE}&code_challenge_method=S256"
    )
}

fn cookie(r: &Response, name: &str) -> Option<String> {
    r.headers
        .iter()
        .filter(|(k, _)| k == "set-cookie")
        .filter_map(|(_, v)| v.split(';').next())
        .find(|c| c.starts_with(&format!("{name}=")))
        .map(str::to_owned)
}

#[tokio::test]
async fn the_hosted_page_offers_a_passkey_after_a_password_login_and_logs_in_with_it() {
    let env = env().await;
    post(
        &env,
        "/dbconnections/signup",
        json!({"client_id": SPA_CLIENT, "connection": DB_CONNECTION,
        "email": "eve@example.com", "password": PW}),
        "203.0.113.28",
    )
    .await;
    let page = env.send(Request::new("GET", &authorize_url())).await;
    let browser = cookie(&page, "tg_browser").unwrap();
    let html = String::from_utf8(page.body).unwrap();
    let tx = edge::testkit::authorize_tx(&html);
    let send = |path: &'static str, body: Value, cookies: String| {
        let mut req = Request::new("POST", path)
            .with_json(&body)
            .with_header("cookie", &cookies);
        req.ip = Some("203.0.113.28".into());
        env.send(req)
    };
    let login = send(
        "/u/login",
        json!({"tx": tx, "username": "eve@example.com", "password": PW}),
        browser.clone(),
    )
    .await;
    assert_eq!(login.status, 200);
    assert_eq!(
        login.json_body()["enroll_passkey"],
        true,
        "offered: passkeys on, none yet"
    );
    let session = cookie(&login, "tg_session").unwrap();
    let both = format!("{browser}; {session}");
    let start = send("/u/passkey/start", json!({"tx": tx, "purpose": "enroll"}), both.clone()).await;
    assert_eq!(start.status, 200, "{}", String::from_utf8_lossy(&start.body));
    let opts = start.json_body()["authn_params_public_key"].clone();
    let mut pk = SoftPasskey::new(b"eve", true);
    let att = pk.register(RP_ID, ORIGIN, opts["challenge"].as_str().unwrap(), Flags::default());
    // Finished in another browser: refused.
    let elsewhere = send(
        "/u/passkey/finish",
        json!({"tx": tx, "purpose": "enroll",
        "auth_session": start.json_body()["auth_session"], "credential": credential(&pk.id_b64(), &att)}),
        format!("tg_browser={}; {session}", "x".repeat(43)),
    )
    .await;
    assert_ne!(elsewhere.status, 200);
    let start = send("/u/passkey/start", json!({"tx": tx, "purpose": "enroll"}), both.clone()).await;
    let opts = start.json_body()["authn_params_public_key"].clone();
    let att = pk.register(RP_ID, ORIGIN, opts["challenge"].as_str().unwrap(), Flags::default());
    let done = send(
        "/u/passkey/finish",
        json!({"tx": tx, "purpose": "enroll",
        "auth_session": start.json_body()["auth_session"], "credential": credential(&pk.id_b64(), &att)}),
        both,
    )
    .await;
    assert_eq!(done.status, 200, "{}", String::from_utf8_lossy(&done.body));
    assert_eq!(count(&env, "SELECT COUNT(*) AS n FROM passkey_credentials").await, 1);

    // Later, in a fresh browser: the passkey logs in on the hosted page and the app gets a code.
    let page = env.send(Request::new("GET", &authorize_url())).await;
    let browser = cookie(&page, "tg_browser").unwrap();
    let html = String::from_utf8(page.body).unwrap();
    let tx = edge::testkit::authorize_tx(&html);
    let start = send(
        "/u/passkey/start",
        json!({"tx": tx, "purpose": "login"}),
        browser.clone(),
    )
    .await;
    let opts = start.json_body()["authn_params_public_key"].clone();
    let a = pk.assert(RP_ID, ORIGIN, opts["challenge"].as_str().unwrap(), Flags::default());
    let done = send(
        "/u/passkey/finish",
        json!({"tx": tx, "auth_session": start.json_body()["auth_session"],
        "credential": credential(&pk.id_b64(), a)}),
        browser.clone(),
    )
    .await;
    assert_eq!(done.status, 200, "{}", String::from_utf8_lossy(&done.body));
    let session = cookie(&done, "tg_session").unwrap();
    let next = done.json_body()["redirect"]
        .as_str()
        .unwrap()
        .replace(ISSUER.trim_end_matches('/'), "");
    let resumed = env
        .send(Request::new("GET", &next).with_header("cookie", &session))
        .await;
    assert!(
        resumed.header("location").unwrap().contains("code="),
        "{:?}",
        resumed.header("location")
    );

    // A password login now offers nothing (a passkey exists); "not now" is remembered for another user.
    let page = env.send(Request::new("GET", &authorize_url())).await;
    let html = String::from_utf8(page.body).unwrap();
    let tx = edge::testkit::authorize_tx(&html);
    let login = send(
        "/u/login",
        json!({"tx": tx, "username": "eve@example.com", "password": PW}),
        browser.clone(),
    )
    .await;
    assert_eq!(login.json_body().get("enroll_passkey"), None);
}

#[tokio::test]
async fn not_now_is_remembered_and_related_origins_are_published() {
    let env = env().await;
    post(
        &env,
        "/dbconnections/signup",
        json!({"client_id": SPA_CLIENT, "connection": DB_CONNECTION,
        "email": "fay@example.com", "password": PW}),
        "203.0.113.29",
    )
    .await;
    for expected in [Some(true), None] {
        let page = env.send(Request::new("GET", &authorize_url())).await;
        let browser = cookie(&page, "tg_browser").unwrap();
        let html = String::from_utf8(page.body).unwrap();
        let tx = edge::testkit::authorize_tx(&html);
        let mut req = Request::new("POST", "/u/login")
            .with_json(&json!({"tx": tx, "username": "fay@example.com", "password": PW}))
            .with_header("cookie", &browser);
        req.ip = Some("203.0.113.29".into());
        let login = env.send(req).await;
        assert_eq!(
            login.json_body().get("enroll_passkey").and_then(Value::as_bool),
            expected
        );
        let session = cookie(&login, "tg_session").unwrap();
        let skip = env
            .send(
                Request::new("POST", "/u/passkey/skip")
                    .with_json(&json!({"tx": tx}))
                    .with_header("cookie", &format!("{browser}; {session}")),
            )
            .await;
        assert_eq!(skip.status, 200);
    }
    let wk = env.send(Request::new("GET", "/.well-known/webauthn")).await.json_body();
    let origins = wk["origins"].as_array().unwrap();
    assert!(origins.contains(&json!(ORIGIN)));
    assert!(
        origins.contains(&json!("http://localhost:3000")),
        "the applications' web origins: {wk}"
    );
}

#[tokio::test]
async fn the_management_api_lists_and_deletes_a_users_passkeys() {
    let env = env().await;
    let (mut pk, sub) = sign_up(&env, "gil@example.com").await;
    let scopes = edge::testkit::MANAGEMENT_SCOPES;
    let path = format!("users/{}/authentication-methods", sub.replace('|', "%7C"));
    let list = env.management_call(scopes, "GET", &path, None).await;
    assert_eq!(list.status, 200, "{}", String::from_utf8_lossy(&list.body));
    let methods = list.json_body();
    assert_eq!(
        methods.as_array().unwrap().len(),
        1,
        "a passkey and no password: {methods}"
    );
    assert_eq!(methods[0]["type"], "passkey");
    assert_eq!(methods[0]["id"], format!("passkey|{}", pk.id_b64()));
    let ok = log_in(&env, &mut pk, ORIGIN, "203.0.113.30").await;
    assert_eq!(ok.status, 200);
    let refresh_like = count(
        &env,
        "SELECT COUNT(*) AS n FROM passkey_credentials WHERE last_used_at IS NOT NULL",
    )
    .await;
    assert_eq!(refresh_like, 1, "last use recorded");
    let del = env
        .management_call(scopes, "DELETE", &format!("{path}/passkey%7C{}", pk.id_b64()), None)
        .await;
    assert_eq!(del.status, 204, "{}", String::from_utf8_lossy(&del.body));
    assert_eq!(
        env.management_call(scopes, "GET", &path, None).await.json_body(),
        json!([])
    );
    assert_eq!(
        log_in(&env, &mut pk, ORIGIN, "203.0.113.31").await.status,
        403,
        "deleted: refused"
    );
    let again = env
        .management_call(scopes, "DELETE", &format!("{path}/passkey%7C{}", pk.id_b64()), None)
        .await;
    assert_eq!(again.status, 404);
    let read_only = env
        .management_call("read:users", "DELETE", &format!("{path}/passkey%7Cx"), None)
        .await;
    assert_eq!(read_only.status, 403);
}

/// A password grant with `passkey_offer`, as the embedded widget makes it.
async fn password_grant(env: &TestEnv, email: &str, offer: bool) -> Value {
    let mut body = json!({"grant_type": "http://auth0.com/oauth/grant-type/password-realm", "client_id": SPA_CLIENT,
        "username": email, "password": PW, "realm": DB_CONNECTION, "scope": "openid email"});
    if offer {
        body["passkey_offer"] = json!(true);
    }
    let r = post(env, "/oauth/token", body, "203.0.113.40").await;
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    r.json_body()
}

#[tokio::test]
async fn the_embedded_widget_offers_a_passkey_after_a_password_grant_bound_to_that_login() {
    let env = env().await;
    for email in ["gus@example.com", "hal@example.com"] {
        let r = post(
            &env,
            "/dbconnections/signup",
            json!({"client_id": SPA_CLIENT, "connection": DB_CONNECTION, "email": email, "password": PW}),
            "203.0.113.40",
        )
        .await;
        assert_eq!(r.status, 200);
    }
    // Only when asked: SDKs' grants stay as Auth0 answers them.
    assert!(password_grant(&env, "gus@example.com", false)
        .await
        .get("passkey_enrollment")
        .is_none());
    let t = password_grant(&env, "gus@example.com", true).await;
    assert!(t["access_token"].is_string(), "the login itself is complete");
    let offer = &t["passkey_enrollment"];
    let opts = &offer["authn_params_public_key"];
    assert_eq!(opts["user"]["name"], "gus@example.com");
    assert_eq!(opts["authenticatorSelection"]["userVerification"], "required");
    let session = offer["auth_session"].as_str().unwrap().to_owned();
    let handle = opts["user"]["id"].as_str().unwrap().as_bytes().to_vec();
    let mut pk = SoftPasskey::new(&handle, true);
    let att = pk.register(RP_ID, ORIGIN, opts["challenge"].as_str().unwrap(), Flags::default());
    let answer = |path: &'static str, client: &'static str, session: String, att: Option<Value>| {
        let mut body = json!({"client_id": client, "auth_session": session});
        if let Some(a) = att {
            body["authn_response"] = a;
        }
        post(&env, path, body, "203.0.113.40")
    };
    // Another application cannot finish it; neither can a guessed handle.
    let other = answer(
        "/passkey/enrollment/verify",
        "test-m2m",
        session.clone(),
        Some(credential(&pk.id_b64(), &att)),
    )
    .await;
    assert_ne!(other.status, 204);
    let guessed = answer(
        "/passkey/enrollment/verify",
        SPA_CLIENT,
        "x".repeat(43),
        Some(credential(&pk.id_b64(), &att)),
    )
    .await;
    assert_eq!(guessed.status, 403);
    let done = answer(
        "/passkey/enrollment/verify",
        SPA_CLIENT,
        session.clone(),
        Some(credential(&pk.id_b64(), &att)),
    )
    .await;
    assert_eq!(done.status, 204, "{}", String::from_utf8_lossy(&done.body));
    let again = answer(
        "/passkey/enrollment/verify",
        SPA_CLIENT,
        session,
        Some(credential(&pk.id_b64(), &att)),
    )
    .await;
    assert_eq!(again.status, 403, "single use");
    assert_eq!(count(&env, "SELECT COUNT(*) AS n FROM passkey_credentials").await, 1);
    // The passkey is gus's: it logs in as gus.
    let login = log_in(&env, &mut pk, ORIGIN, "203.0.113.41").await;
    assert_eq!(login.status, 200);
    assert_eq!(
        claims(login.json_body()["id_token"].as_str().unwrap())["sub"],
        claims(t["id_token"].as_str().unwrap())["sub"]
    );
    // With a passkey, no more offers.
    assert!(password_grant(&env, "gus@example.com", true)
        .await
        .get("passkey_enrollment")
        .is_none());

    // "Not now": void, and not offered again for 30 days.
    let t = password_grant(&env, "hal@example.com", true).await;
    let session = t["passkey_enrollment"]["auth_session"].as_str().unwrap().to_owned();
    let skipped = answer("/passkey/enrollment/skip", SPA_CLIENT, session.clone(), None).await;
    assert_eq!(skipped.status, 204);
    assert_eq!(
        answer("/passkey/enrollment/skip", SPA_CLIENT, session, None)
            .await
            .status,
        403
    );
    assert!(password_grant(&env, "hal@example.com", true)
        .await
        .get("passkey_enrollment")
        .is_none());
    env.clock.advance_ms(31 * 24 * 3600 * 1000);
    assert!(password_grant(&env, "hal@example.com", true)
        .await
        .get("passkey_enrollment")
        .is_some());
}
