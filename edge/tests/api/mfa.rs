//! Multi-factor authentication (issue 25) through Auth0's wire: the tenant's policy and factors
//! (`/api/v2/guardian/*`), `mfa_required`, `/mfa/associate`, `/mfa/challenge`,
//! `/mfa/authenticators`, the mfa-otp / mfa-oob / mfa-recovery-code grants, and the paths that
//! must not skip the second factor.

use edge::api::Request;
use edge::core::mfa::totp::code_for;
use edge::core::platform::db::Stmt;
use edge::testkit::{TestEnv, DB_CONNECTION, MANAGEMENT_SCOPES, SPA_CLIENT};
use serde_json::{json, Value};

const REALM: &str = "http://auth0.com/oauth/grant-type/password-realm";
const OTP: &str = "http://auth0.com/oauth/grant-type/mfa-otp";
const OOB: &str = "http://auth0.com/oauth/grant-type/mfa-oob";
const RECOVERY: &str = "http://auth0.com/oauth/grant-type/mfa-recovery-code";
const PASSWORD: &str = "Second-factor-1";

/// A tenant with MFA on for every application (`factors` enabled) and a user.
async fn tenant(factors: &[&str], email: &str) -> TestEnv {
    let env = TestEnv::new().await;
    env.exec(
        Stmt::new("UPDATE clients SET grant_types = ?1 WHERE client_id = ?2")
            .bind(json!(["authorization_code", "refresh_token", REALM, OTP, OOB, RECOVERY]).to_string())
            .bind(SPA_CLIENT),
    )
    .await;
    for f in factors {
        let r = env
            .management_call(
                MANAGEMENT_SCOPES,
                "PUT",
                &format!("guardian/factors/{f}"),
                Some(json!({"enabled": true})),
            )
            .await;
        assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    }
    let r = env
        .management_call(
            MANAGEMENT_SCOPES,
            "PUT",
            "guardian/policies",
            Some(json!(["all-applications"])),
        )
        .await;
    assert_eq!(r.status, 200);
    let r = env
        .post_json(
            "/dbconnections/signup",
            json!({"client_id": SPA_CLIENT, "connection": DB_CONNECTION, "email": email, "password": PASSWORD}),
        )
        .await;
    assert_eq!(r.status, 200);
    env
}

async fn password_login(env: &TestEnv, email: &str, extra: Value) -> edge::api::Response {
    let mut body = json!({"grant_type": REALM, "client_id": SPA_CLIENT, "username": email, "password": PASSWORD,
        "realm": DB_CONNECTION, "scope": "openid email"});
    body.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
    env.post_json("/oauth/token", body).await
}

async fn mfa_token(env: &TestEnv, email: &str) -> String {
    let r = password_login(env, email, json!({})).await;
    assert_eq!(r.status, 403, "{}", String::from_utf8_lossy(&r.body));
    let j = r.json_body();
    assert_eq!(j["error"], "mfa_required");
    assert_eq!(j["error_description"], "Multifactor authentication required");
    j["mfa_token"].as_str().unwrap().to_owned()
}

async fn bearer(env: &TestEnv, method: &str, path: &str, token: &str, body: Option<Value>) -> edge::api::Response {
    let mut req = Request::new(method, path).with_header("authorization", &format!("Bearer {token}"));
    if let Some(b) = body {
        req = req.with_json(&b);
    }
    env.send(req).await
}

async fn grant(env: &TestEnv, body: Value) -> edge::api::Response {
    let mut b = json!({"client_id": SPA_CLIENT});
    b.as_object_mut().unwrap().extend(body.as_object().unwrap().clone());
    env.post_json("/oauth/token", b).await
}

fn now_s(env: &TestEnv) -> u64 {
    (env.clock.0.get() / 1000) as u64
}

fn claims(token: &str) -> Value {
    use base64::Engine;
    let part = token.split('.').nth(1).unwrap();
    serde_json::from_slice(&base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(part).unwrap()).unwrap()
}

/// Enrols TOTP through the MFA API; the Base32 secret and the recovery code.
async fn enrol_totp(env: &TestEnv, email: &str) -> (String, String) {
    let token = mfa_token(env, email).await;
    let r = bearer(
        env,
        "POST",
        "/mfa/associate",
        &token,
        Some(json!({"authenticator_types": ["otp"]})),
    )
    .await;
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    let a = r.json_body();
    assert_eq!(a["authenticator_type"], "otp");
    let secret = a["secret"].as_str().unwrap().to_owned();
    assert!(a["barcode_uri"].as_str().unwrap().starts_with("otpauth://totp/"));
    assert!(a["barcode_svg"].as_str().unwrap().contains("<svg"));
    let recovery = a["recovery_codes"][0].as_str().unwrap().to_owned();
    let code = code_for(&secret, now_s(env)).unwrap();
    let r = grant(env, json!({"grant_type": OTP, "mfa_token": token, "otp": code})).await;
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    assert_eq!(
        claims(r.json_body()["id_token"].as_str().unwrap())["amr"],
        json!(["mfa"])
    );
    (secret, recovery)
}

#[tokio::test]
async fn a_password_login_needs_a_totp_once_enrolled_and_each_step_works_once() {
    let env = tenant(&["otp"], "mfa-otp@example.com").await;
    let (secret, _) = enrol_totp(&env, "mfa-otp@example.com").await;

    // The next login: a challenge, then the app's code — once.
    env.clock.advance_ms(31_000);
    let token = mfa_token(&env, "mfa-otp@example.com").await;
    let r = bearer(&env, "GET", "/mfa/authenticators", &token, None).await;
    let list = r.json_body();
    assert_eq!(
        list.as_array()
            .unwrap()
            .iter()
            .filter(|a| a["authenticator_type"] == "otp")
            .count(),
        1,
        "{list}"
    );
    let r = env
        .post_json(
            "/mfa/challenge",
            json!({"client_id": SPA_CLIENT, "mfa_token": token, "challenge_type": "otp"}),
        )
        .await;
    assert_eq!(r.json_body(), json!({"challenge_type": "otp"}));
    let code = code_for(&secret, now_s(&env)).unwrap();
    let ok = grant(&env, json!({"grant_type": OTP, "mfa_token": token, "otp": code})).await;
    assert_eq!(ok.status, 200);
    let access = claims(ok.json_body()["access_token"].as_str().unwrap());
    assert_eq!(access["amr"], json!(["mfa"]));

    // The same code in the same step, with a new mfa_token: a replay.
    let again = mfa_token(&env, "mfa-otp@example.com").await;
    let r = grant(&env, json!({"grant_type": OTP, "mfa_token": again, "otp": code})).await;
    assert_eq!(r.status, 403);
    assert_eq!(r.json_body()["error"], "invalid_grant");
    assert_eq!(r.json_body()["error_description"], "Invalid otp_code.");
    // A used mfa_token is spent.
    let r = grant(&env, json!({"grant_type": OTP, "mfa_token": token, "otp": code})).await;
    assert_eq!(r.json_body()["error"], "expired_token");
}

#[tokio::test]
async fn mfa_tokens_are_short_lived_bound_to_their_client_and_voided_by_wrong_codes() {
    let env = tenant(&["otp"], "mfa-bound@example.com").await;
    let (secret, _) = enrol_totp(&env, "mfa-bound@example.com").await;
    env.clock.advance_ms(31_000);

    let token = mfa_token(&env, "mfa-bound@example.com").await;
    // Another client cannot use it.
    let r = env
        .post_json(
            "/oauth/token",
            json!({"grant_type": OTP, "client_id": "test-m2m", "client_secret": "test-m2m-secret",
            "mfa_token": token, "otp": "123456"}),
        )
        .await;
    assert_eq!(r.status, 403, "{}", String::from_utf8_lossy(&r.body));
    // Malformed codes and garbage tokens get Auth0's shapes.
    let r = grant(
        &env,
        json!({"grant_type": OTP, "mfa_token": "nonsense", "otp": "123456"}),
    )
    .await;
    assert_eq!(
        (r.status, r.json_body()["error"].clone()),
        (403, json!("invalid_grant"))
    );
    let r = grant(&env, json!({"grant_type": OTP, "mfa_token": token})).await;
    assert_eq!(
        (r.status, r.json_body()["error"].clone()),
        (400, json!("invalid_request"))
    );
    // Five wrong codes void the token, even for the right code afterwards.
    for _ in 0..5 {
        let r = grant(&env, json!({"grant_type": OTP, "mfa_token": token, "otp": "000000x"})).await;
        assert_eq!(r.json_body()["error"], "invalid_grant");
    }
    let code = code_for(&secret, now_s(&env)).unwrap();
    let r = grant(&env, json!({"grant_type": OTP, "mfa_token": token, "otp": code})).await;
    assert_eq!(r.json_body()["error"], "expired_token");
    // A token older than 10 minutes is expired.
    let late = mfa_token(&env, "mfa-bound@example.com").await;
    env.clock.advance_ms(10 * 60_000 + 1);
    let code = code_for(&secret, now_s(&env)).unwrap();
    let r = grant(&env, json!({"grant_type": OTP, "mfa_token": late, "otp": code})).await;
    assert_eq!(r.json_body()["error"], "expired_token");
}

#[tokio::test]
async fn wrong_codes_across_tokens_are_limited_per_user() {
    let env = tenant(&["otp"], "mfa-limit@example.com").await;
    let (secret, _) = enrol_totp(&env, "mfa-limit@example.com").await;
    env.clock.advance_ms(31_000);
    for _ in 0..2 {
        let token = mfa_token(&env, "mfa-limit@example.com").await;
        for _ in 0..5 {
            grant(&env, json!({"grant_type": OTP, "mfa_token": token, "otp": "999999"})).await;
        }
    }
    let token = mfa_token(&env, "mfa-limit@example.com").await;
    let code = code_for(&secret, now_s(&env)).unwrap();
    let r = grant(&env, json!({"grant_type": OTP, "mfa_token": token, "otp": code})).await;
    assert_eq!(r.status, 429, "{}", String::from_utf8_lossy(&r.body));
    assert_eq!(r.json_body()["error"], "too_many_attempts");
}

#[tokio::test]
async fn a_recovery_code_logs_in_once_and_is_replaced() {
    let env = tenant(&["otp"], "mfa-recovery@example.com").await;
    let (_, recovery) = enrol_totp(&env, "mfa-recovery@example.com").await;
    let token = mfa_token(&env, "mfa-recovery@example.com").await;
    let r = grant(
        &env,
        json!({"grant_type": RECOVERY, "mfa_token": token, "recovery_code": recovery}),
    )
    .await;
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    let next = r.json_body()["recovery_code"].as_str().unwrap().to_owned();
    assert_ne!(next, recovery);
    let token = mfa_token(&env, "mfa-recovery@example.com").await;
    let r = grant(
        &env,
        json!({"grant_type": RECOVERY, "mfa_token": token, "recovery_code": recovery}),
    )
    .await;
    assert_eq!(r.json_body()["error_description"], "Invalid recovery_code.");
    let token = mfa_token(&env, "mfa-recovery@example.com").await;
    let r = grant(
        &env,
        json!({"grant_type": RECOVERY, "mfa_token": token, "recovery_code": next.to_lowercase()}),
    )
    .await;
    assert_eq!(r.status, 200);
}

#[tokio::test]
async fn email_codes_enrol_and_challenge_and_go_only_to_the_users_address() {
    let email = "mfa-mail@example.com";
    let env = tenant(&["email"], email).await;
    let token = mfa_token(&env, email).await;
    let r = bearer(
        &env,
        "POST",
        "/mfa/associate",
        &token,
        Some(json!({"authenticator_types": ["oob"], "oob_channels": ["email"], "email": "attacker@example.net"})),
    )
    .await;
    assert_eq!(r.status, 400, "another address is refused");
    let r = bearer(
        &env,
        "POST",
        "/mfa/associate",
        &token,
        Some(json!({"authenticator_types": ["oob"], "oob_channels": ["email"]})),
    )
    .await;
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    let a = r.json_body();
    assert_eq!(
        (a["oob_channel"].clone(), a["binding_method"].clone()),
        (json!("email"), json!("prompt"))
    );
    let code = mailed_code(&env, email).await;
    let r = grant(
        &env,
        json!({"grant_type": OOB, "mfa_token": token, "oob_code": a["oob_code"], "binding_code": "000000"}),
    )
    .await;
    assert_eq!(r.json_body()["error_description"], "Invalid binding_code.");
    let r = grant(
        &env,
        json!({"grant_type": OOB, "mfa_token": token, "oob_code": a["oob_code"], "binding_code": code}),
    )
    .await;
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));

    // Next login: the challenge mails a new code.
    let token = mfa_token(&env, email).await;
    let r = env
        .post_json(
            "/mfa/challenge",
            json!({"client_id": SPA_CLIENT, "mfa_token": token, "challenge_type": "oob"}),
        )
        .await;
    let c = r.json_body();
    assert_eq!(c["challenge_type"], "oob");
    let code = mailed_code(&env, email).await;
    let r = grant(
        &env,
        json!({"grant_type": OOB, "mfa_token": token, "oob_code": c["oob_code"], "binding_code": code}),
    )
    .await;
    assert_eq!(r.status, 200);
}

async fn mailed_code(env: &TestEnv, to: &str) -> String {
    let r = env
        .send(Request::new("GET", &format!("/dev/outbox.json?to={to}")))
        .await;
    let text = r.json_body()[0]["text"].as_str().unwrap().to_owned();
    text.split_whitespace()
        .find(|w| w.trim_end_matches('.').len() == 6 && w.trim_end_matches('.').bytes().all(|b| b.is_ascii_digit()))
        .unwrap()
        .trim_end_matches('.')
        .to_owned()
}

#[tokio::test]
async fn an_enrolled_user_cannot_enrol_again_with_only_a_password() {
    let env = tenant(&["otp"], "mfa-again@example.com").await;
    enrol_totp(&env, "mfa-again@example.com").await;
    let token = mfa_token(&env, "mfa-again@example.com").await;
    let r = bearer(
        &env,
        "POST",
        "/mfa/associate",
        &token,
        Some(json!({"authenticator_types": ["otp"]})),
    )
    .await;
    assert_eq!(r.status, 403);
    assert_eq!(r.json_body()["error_description"], "User is already enrolled.");
}

#[tokio::test]
async fn no_other_path_skips_the_second_factor() {
    let env = tenant(&["otp"], "mfa-paths@example.com").await;
    // Embedded cross-origin login: refused while MFA is asked for.
    env.exec(Stmt::new("UPDATE clients SET cross_origin_auth = 1 WHERE client_id = ?1").bind(SPA_CLIENT))
        .await;
    let r = env
        .post_json(
            "/co/authenticate",
            json!({"client_id": SPA_CLIENT, "credential_type": REALM,
            "username": "mfa-paths@example.com", "password": PASSWORD, "realm": DB_CONNECTION}),
        )
        .await;
    assert_eq!(r.status, 403, "{}", String::from_utf8_lossy(&r.body));
    assert_eq!(
        r.json_body()["error_description"],
        "Multifactor authentication required"
    );
    // The legacy `password` grant answers mfa_required too (when the client holds it).
    env.set_flags(json!({"default_directory": DB_CONNECTION})).await;
    env.exec(
        Stmt::new("UPDATE clients SET grant_types = ?1 WHERE client_id = ?2")
            .bind(json!(["password", OTP]).to_string())
            .bind(SPA_CLIENT),
    )
    .await;
    let r = env
        .post_json(
            "/oauth/token",
            json!({"grant_type": "password", "client_id": SPA_CLIENT,
            "username": "mfa-paths@example.com", "password": PASSWORD}),
        )
        .await;
    assert_eq!(r.json_body()["error"], "mfa_required");
    // With the policy off, the password alone is enough again.
    env.management_call(MANAGEMENT_SCOPES, "PUT", "guardian/policies", Some(json!([])))
        .await;
    let r = env
        .post_json(
            "/oauth/token",
            json!({"grant_type": "password", "client_id": SPA_CLIENT,
            "username": "mfa-paths@example.com", "password": PASSWORD}),
        )
        .await;
    assert_eq!(r.status, 200);
}

#[tokio::test]
async fn operators_set_factors_and_policies_and_reset_a_users_factors() {
    let env = tenant(&["otp"], "mfa-ops@example.com").await;
    let r = env
        .management_call(MANAGEMENT_SCOPES, "GET", "guardian/factors", None)
        .await;
    let list = r.json_body();
    let otp = list.as_array().unwrap().iter().find(|f| f["name"] == "otp").unwrap();
    assert_eq!(otp["enabled"], true);
    let r = env
        .management_call(MANAGEMENT_SCOPES, "GET", "guardian/policies", None)
        .await;
    assert_eq!(r.json_body(), json!(["all-applications"]));
    // Refusals: an unknown factor, one Tollgate does not offer yet, a made-up policy, a bad body.
    let r = env
        .management_call(
            MANAGEMENT_SCOPES,
            "PUT",
            "guardian/factors/carrier-pigeon",
            Some(json!({"enabled": true})),
        )
        .await;
    assert_eq!(r.status, 404);
    let r = env
        .management_call(
            MANAGEMENT_SCOPES,
            "PUT",
            "guardian/factors/sms",
            Some(json!({"enabled": true})),
        )
        .await;
    assert_eq!(r.status, 400);
    let r = env
        .management_call(
            MANAGEMENT_SCOPES,
            "PUT",
            "guardian/policies",
            Some(json!(["sometimes"])),
        )
        .await;
    assert_eq!(r.status, 400);
    let r = env
        .management_call(
            MANAGEMENT_SCOPES,
            "PUT",
            "guardian/factors/otp",
            Some(json!({"enabled": "yes"})),
        )
        .await;
    assert_eq!(r.status, 400);
    let r = env
        .management_call("read:users", "PUT", "guardian/policies", Some(json!([])))
        .await;
    assert_eq!(r.status, 403);

    enrol_totp(&env, "mfa-ops@example.com").await;
    let users = env
        .management_call(
            MANAGEMENT_SCOPES,
            "GET",
            "users-by-email?email=mfa-ops@example.com",
            None,
        )
        .await;
    let id = users.json_body()[0]["user_id"].as_str().unwrap().to_owned();
    let enc = id.replace('|', "%7C");
    let methods = env
        .management_call(
            MANAGEMENT_SCOPES,
            "GET",
            &format!("users/{enc}/authentication-methods"),
            None,
        )
        .await;
    let kinds: Vec<Value> = methods
        .json_body()
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["type"].clone())
        .collect();
    assert!(
        kinds.contains(&json!("totp")) && kinds.contains(&json!("recovery-code")),
        "{kinds:?}"
    );
    let r = env
        .management_call(
            MANAGEMENT_SCOPES,
            "DELETE",
            &format!("users/{enc}/authenticators"),
            None,
        )
        .await;
    assert_eq!(r.status, 204);
    // Enrolment again at the next login.
    let token = mfa_token(&env, "mfa-ops@example.com").await;
    let r = bearer(
        &env,
        "POST",
        "/mfa/associate",
        &token,
        Some(json!({"authenticator_types": ["otp"]})),
    )
    .await;
    assert_eq!(r.status, 200);
}

const CALLBACK: &str = "http://localhost:3000/callback";
const RP_ID: &str = "tollgate.test";
const ORIGIN: &str = "https://tollgate.test";

/// The hosted page's transaction for a fresh `/authorize`.
async fn hosted_tx(env: &TestEnv) -> String {
    let url = format!(
        "/authorize?client_id={SPA_CLIENT}&redirect_uri={CALLBACK}&response_type=code&scope=openid&state=s\
         &code_challenge=E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM&code_challenge_method=S256"
    );
    let page = env.send(Request::new("GET", &url)).await;
    let html = String::from_utf8(page.body).unwrap();
    edge::testkit::authorize_tx(&html)
}

/// A hosted password login that needs a second step: (tx, step).
async fn hosted_step(env: &TestEnv, email: &str) -> (String, Value) {
    let tx = hosted_tx(env).await;
    let r = env
        .post_json("/u/login", json!({"tx": tx, "username": email, "password": PASSWORD}))
        .await;
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    let step = r.json_body()["mfa"].clone();
    assert!(step.is_object(), "an MFA step: {}", r.json_body());
    assert!(r.header("set-cookie").is_none(), "no session before the second factor");
    (tx, step)
}

fn key_credential(id: &str, response: impl serde::Serialize) -> Value {
    json!({"id": id, "rawId": id, "type": "public-key", "authenticatorAttachment": "cross-platform", "response": response})
}

#[tokio::test]
async fn a_security_key_is_enrolled_and_used_as_the_second_factor_on_the_hosted_page() {
    use edge::soft_authenticator::{Flags, SoftPasskey};
    let email = "mfa-key@example.com";
    let env = tenant(&["webauthn-roaming"], email).await;
    let other = "mfa-key-other@example.com";
    env.post_json(
        "/dbconnections/signup",
        json!({"client_id": SPA_CLIENT, "connection": DB_CONNECTION, "email": other, "password": PASSWORD}),
    )
    .await;

    // Enrolment: only a key is offered; the ceremony is bound to the mfa_token.
    let (tx, step) = hosted_step(&env, email).await;
    assert_eq!(
        (step["enroll"].clone(), step["factors"].clone()),
        (json!(true), json!(["webauthn"]))
    );
    let token = step["mfa_token"].as_str().unwrap().to_owned();
    let r = env
        .post_json("/u/mfa/webauthn", json!({"tx": tx, "mfa_token": token, "enroll": true}))
        .await;
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    let started = r.json_body();
    let opts = &started["authn_params_public_key"];
    let mut key = SoftPasskey::new(opts["user"]["id"].as_str().unwrap().as_bytes(), true);
    let att = key.register(RP_ID, ORIGIN, opts["challenge"].as_str().unwrap(), Flags::default());
    // Another transaction cannot finish it.
    let stray = env
        .post_json(
            "/u/mfa/verify",
            json!({"tx": "other-tx", "mfa_token": token,
            "auth_session": started["auth_session"], "credential": key_credential(&key.id_b64(), &att)}),
        )
        .await;
    assert_eq!(stray.status, 403);
    let done = env
        .post_json(
            "/u/mfa/verify",
            json!({"tx": tx, "mfa_token": token,
            "auth_session": started["auth_session"], "credential": key_credential(&key.id_b64(), &att)}),
        )
        .await;
    assert_eq!(done.status, 200, "{}", String::from_utf8_lossy(&done.body));
    let d = done.json_body();
    assert!(d["redirect"].as_str().unwrap().contains("/authorize/resume?tx="));
    assert_eq!(
        d["recovery_code"].as_str().unwrap().len(),
        24,
        "a first factor's recovery code"
    );
    assert!(done.header("set-cookie").unwrap().starts_with("tg_session="));

    // The next login: the key signs a challenge that lists it.
    let (tx, step) = hosted_step(&env, email).await;
    assert_eq!(
        (step["enroll"].clone(), step["factors"].clone()),
        (json!(false), json!(["webauthn"]))
    );
    let token = step["mfa_token"].as_str().unwrap().to_owned();
    // Enrolling another key with only a password is refused.
    let again = env
        .post_json("/u/mfa/webauthn", json!({"tx": tx, "mfa_token": token, "enroll": true}))
        .await;
    assert_eq!(again.status, 403);
    let r = env
        .post_json(
            "/u/mfa/webauthn",
            json!({"tx": tx, "mfa_token": token, "enroll": false}),
        )
        .await;
    let started = r.json_body();
    let opts = &started["authn_params_public_key"];
    assert_eq!(opts["allowCredentials"][0]["id"], json!(key.id_b64()));
    let assertion = key.assert(RP_ID, ORIGIN, opts["challenge"].as_str().unwrap(), Flags::default());
    let body = json!({"tx": tx, "mfa_token": token, "auth_session": started["auth_session"],
        "credential": key_credential(&key.id_b64(), &assertion)});
    let ok = env.post_json("/u/mfa/verify", body.clone()).await;
    assert_eq!(ok.status, 200, "{}", String::from_utf8_lossy(&ok.body));
    assert!(ok.json_body().get("recovery_code").is_none());
    // Replayed: the token is spent, the challenge used.
    let replay = env.post_json("/u/mfa/verify", body).await;
    assert_eq!(replay.status, 403);

    // Another user's pending login cannot use this user's key.
    let (tx2, step2) = hosted_step(&env, other).await;
    let token2 = step2["mfa_token"].as_str().unwrap().to_owned();
    let r = env
        .post_json(
            "/u/mfa/webauthn",
            json!({"tx": tx2, "mfa_token": token2, "enroll": true}),
        )
        .await;
    let started = r.json_body();
    let challenge = started["authn_params_public_key"]["challenge"]
        .as_str()
        .unwrap()
        .to_owned();
    let assertion = key.assert(RP_ID, ORIGIN, &challenge, Flags::default());
    let stolen = env
        .post_json(
            "/u/mfa/verify",
            json!({"tx": tx2, "mfa_token": token2, "auth_session": started["auth_session"],
            "credential": key_credential(&key.id_b64(), &assertion)}),
        )
        .await;
    assert_eq!(stolen.status, 403, "{}", String::from_utf8_lossy(&stolen.body));
}
