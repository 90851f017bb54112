//! Auth0's My Account API for passkeys (`/me/v1/authentication-methods`): a user lists, adds and
//! removes their own passkeys with a token for `{issuer}me/`; other users' tokens, other audiences,
//! missing scopes, stale logins and the removal of the last way in are refused; the hosted
//! "Manage your passkeys" page turns its session into such a token, only for itself.

use edge::api::{Request, Response};
use edge::core::platform::db::Stmt;
use edge::soft_authenticator::{Flags, SoftPasskey};
use edge::testkit::{TestEnv, DB_CONNECTION, ISSUER, SPA_CLIENT};
use serde_json::{json, Value};

const WEBAUTHN: &str = "urn:okta:params:oauth:grant-type:webauthn";
const PASSWORD_REALM: &str = "http://auth0.com/oauth/grant-type/password-realm";
const RP_ID: &str = "tollgate.test";
const ORIGIN: &str = "https://tollgate.test";
const PW: &str = "Analytical1!";
const ALL: &str = "read:me:authentication_methods create:me:authentication_methods delete:me:authentication_methods";
const METHODS: &str = "/me/v1/authentication-methods";

async fn env() -> TestEnv {
    let env = TestEnv::with_connection(json!({"passwordPolicy": "good",
        "authentication_methods": {"password": {"enabled": true}, "passkey": {"enabled": true}}}))
    .await;
    env.exec(
        Stmt::new("UPDATE clients SET grant_types = ?1 WHERE client_id = 'test-spa'")
            .bind(json!(["authorization_code", "refresh_token", PASSWORD_REALM, WEBAUTHN]).to_string()),
    )
    .await;
    env
}

fn me() -> String {
    format!("{ISSUER}me/")
}

async fn post(env: &TestEnv, path: &str, body: Value) -> Response {
    let mut req = Request::new("POST", path).with_json(&body);
    req.ip = Some("203.0.113.60".into());
    env.send(req).await
}

async fn call(env: &TestEnv, token: &str, method: &str, path: &str, body: Option<Value>) -> Response {
    let mut req = Request::new(method, path).with_header("authorization", &format!("Bearer {token}"));
    if let Some(b) = body {
        req = req.with_json(&b);
    }
    env.send(req).await
}

fn text(r: &Response) -> String {
    String::from_utf8_lossy(&r.body).into_owned()
}

fn claims(jwt: &str) -> Value {
    use base64::Engine;
    let part = jwt.split('.').nth(1).unwrap();
    serde_json::from_slice(&base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(part).unwrap()).unwrap()
}

fn credential(id: &str, response: impl serde::Serialize) -> Value {
    json!({"id": id, "rawId": id, "type": "public-key", "authenticatorAttachment": "platform", "response": response})
}

/// A password account and a My Account API token from a password login (scopes `scope`,
/// audience `audience`).
async fn password_user(env: &TestEnv, email: &str, scope: &str, audience: &str) -> String {
    post(
        env,
        "/dbconnections/signup",
        json!({"client_id": SPA_CLIENT, "connection": DB_CONNECTION, "email": email, "password": PW}),
    )
    .await;
    password_token(env, email, scope, audience).await
}

async fn password_token(env: &TestEnv, email: &str, scope: &str, audience: &str) -> String {
    let t = post(
        env,
        "/oauth/token",
        json!({"grant_type": PASSWORD_REALM, "client_id": SPA_CLIENT, "username": email, "password": PW,
        "realm": DB_CONNECTION, "audience": audience, "scope": scope}),
    )
    .await;
    assert_eq!(t.status, 200, "{}", text(&t));
    t.json_body()["access_token"].as_str().unwrap().to_owned()
}

/// A passkey-only account (signed up with a passkey) and its My Account API token.
async fn passkey_user(env: &TestEnv, email: &str) -> (SoftPasskey, String) {
    let r = post(
        env,
        "/passkey/register",
        json!({"client_id": SPA_CLIENT, "realm": DB_CONNECTION, "user_profile": {"email": email}}),
    )
    .await;
    assert_eq!(r.status, 200, "{}", text(&r));
    let b = r.json_body();
    let opts = &b["authn_params_public_key"];
    let pk = SoftPasskey::new(opts["user"]["id"].as_str().unwrap().as_bytes(), true);
    let att = pk.register(RP_ID, ORIGIN, opts["challenge"].as_str().unwrap(), Flags::default());
    let t = post(
        env,
        "/oauth/token",
        json!({"grant_type": WEBAUTHN, "client_id": SPA_CLIENT, "auth_session": b["auth_session"],
        "authn_response": credential(&pk.id_b64(), att), "audience": me(), "scope": ALL}),
    )
    .await;
    assert_eq!(t.status, 200, "{}", text(&t));
    (pk, t.json_body()["access_token"].as_str().unwrap().to_owned())
}

/// Adds a passkey through the API: the verify answer.
async fn add_passkey(env: &TestEnv, token: &str) -> (Response, SoftPasskey, Value) {
    let start = call(env, token, "POST", METHODS, Some(json!({"type": "passkey"}))).await;
    assert_eq!(start.status, 201, "{}", text(&start));
    let location = start.header("location").unwrap().to_owned();
    assert_eq!(location, format!("{ISSUER}me/v1/authentication-methods/passkey%7Cnew"));
    let b = start.json_body();
    let opts = &b["authn_params_public_key"];
    assert_eq!(opts["rp"]["id"], RP_ID);
    assert_eq!(opts["authenticatorSelection"]["userVerification"], "required");
    let pk = SoftPasskey::new(opts["user"]["id"].as_str().unwrap().as_bytes(), true);
    let att = pk.register(RP_ID, ORIGIN, opts["challenge"].as_str().unwrap(), Flags::default());
    let body = json!({"auth_session": b["auth_session"], "authn_response": credential(&pk.id_b64(), att)});
    let path = location.trim_start_matches(ISSUER.trim_end_matches('/')).to_owned() + "/verify";
    let done = call(env, token, "POST", &path, Some(body.clone())).await;
    (done, pk, json!({"path": path, "body": body}))
}

async fn ids(env: &TestEnv, token: &str) -> Vec<String> {
    let r = call(env, token, "GET", METHODS, None).await;
    assert_eq!(r.status, 200, "{}", text(&r));
    r.json_body()["authentication_methods"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["id"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn a_user_lists_adds_and_removes_their_own_passkeys_and_nobody_elses() {
    let env = env().await;
    let ada = password_user(&env, "ada@example.com", ALL, &me()).await;
    let c = claims(&ada);
    assert_eq!(c["aud"], me());
    assert!(c["auth_time"].as_i64().is_some(), "the login time travels in the token");
    let listed = call(&env, &ada, "GET", METHODS, None).await;
    assert_eq!(listed.header("cache-control"), Some("no-store"));
    let methods = listed.json_body()["authentication_methods"].clone();
    assert_eq!(methods.as_array().unwrap().len(), 1, "{methods}");
    assert_eq!(methods[0]["type"], "password");
    assert_eq!(methods[0]["identity_user_id"], c["sub"]);

    let (done, pk, replay) = add_passkey(&env, &ada).await;
    assert_eq!(done.status, 201, "{}", text(&done));
    let added = done.json_body();
    let id = format!("passkey|{}", pk.id_b64());
    assert_eq!(added["id"], id.as_str());
    assert_eq!(added["type"], "passkey");
    assert_eq!(added["key_id"], pk.id_b64().as_str());
    assert_eq!(added["relying_party_id"], RP_ID);
    assert_eq!(added["usage"], json!(["primary"]));
    // The ceremony finishes once.
    let again = call(
        &env,
        &ada,
        "POST",
        replay["path"].as_str().unwrap(),
        Some(replay["body"].clone()),
    )
    .await;
    assert_eq!(again.status, 403, "{}", text(&again));
    assert_eq!(again.header("content-type"), Some("application/problem+json"));
    assert_eq!(again.json_body()["type"], "invalid_grant");
    assert_eq!(ids(&env, &ada).await.len(), 2);
    let filtered = call(&env, &ada, "GET", &format!("{METHODS}?type=passkey"), None).await;
    assert_eq!(
        filtered.json_body()["authentication_methods"].as_array().unwrap().len(),
        1
    );
    let one = call(&env, &ada, "GET", &format!("{METHODS}/passkey%7C{}", pk.id_b64()), None).await;
    assert_eq!(one.status, 200, "{}", text(&one));
    assert_eq!(one.json_body()["id"], id.as_str());

    // Another user sees only their own, and cannot read or remove Ada's.
    let (_, bob) = passkey_user(&env, "bob@example.com").await;
    let bobs = ids(&env, &bob).await;
    assert_eq!(bobs.len(), 1);
    assert!(!bobs.contains(&id));
    let path = format!("{METHODS}/passkey%7C{}", pk.id_b64());
    assert_eq!(call(&env, &bob, "GET", &path, None).await.status, 404);
    // Nor finish an enrolment Ada started (it is bound to her).
    let started = call(&env, &ada, "POST", METHODS, Some(json!({"type": "passkey"})))
        .await
        .json_body();
    let mallory = SoftPasskey::new(b"mallory", true);
    let att = mallory.register(
        RP_ID,
        ORIGIN,
        started["authn_params_public_key"]["challenge"].as_str().unwrap(),
        Flags::default(),
    );
    let hijack = call(
        &env,
        &bob,
        "POST",
        &format!("{METHODS}/passkey%7Cnew/verify"),
        Some(json!({"auth_session": started["auth_session"], "authn_response": credential(&mallory.id_b64(), att)})),
    )
    .await;
    assert_eq!(hijack.status, 403, "{}", text(&hijack));
    assert_eq!(ids(&env, &ada).await.len(), 2, "nothing planted on Ada's account");
    assert_eq!(ids(&env, &bob).await.len(), 1, "nor on Bob's");
    let theirs = call(&env, &bob, "DELETE", &path, None).await;
    assert_eq!(theirs.status, 404, "{}", text(&theirs));
    assert_eq!(ids(&env, &ada).await.len(), 2, "still there");
    // Ada's password is not removed here; her passkey is.
    let pw = ids(&env, &ada).await[0].clone();
    assert_eq!(
        call(
            &env,
            &ada,
            "DELETE",
            &format!("{METHODS}/{}", pw.replace('|', "%7C")),
            None
        )
        .await
        .status,
        400
    );
    let gone = call(&env, &ada, "DELETE", &path, None).await;
    assert_eq!(gone.status, 204, "{}", text(&gone));
    assert_eq!(ids(&env, &ada).await, vec![pw]);
    assert_eq!(call(&env, &ada, "DELETE", &path, None).await.status, 404);
}

#[tokio::test]
async fn other_audiences_machine_tokens_missing_scopes_and_expired_tokens_are_refused() {
    let env = env().await;
    // A token for the application (no audience): not for the My Account API.
    let plain = password_user(&env, "cy@example.com", "openid", "").await;
    let r = call(&env, &plain, "GET", METHODS, None).await;
    assert_eq!(r.status, 401, "{}", text(&r));
    assert_eq!(r.header("content-type"), Some("application/problem+json"));
    assert_eq!(r.json_body()["type"], "invalid_token");
    assert_eq!(r.json_body()["title"], "Unauthorized");
    // A token for the Management API is no user's.
    let m2m = env.management_token("read:users").await;
    assert_eq!(call(&env, &m2m, "GET", METHODS, None).await.status, 401);
    // No token.
    assert_eq!(env.send(Request::new("GET", METHODS)).await.status, 401);
    // A token for another tenant's me/ (another issuer's audience) — signed by us, still refused.
    let forged = env
        .sign(
            &json!({"iss": ISSUER, "sub": claims(&plain)["sub"], "aud": "https://other.example/me/",
        "azp": SPA_CLIENT, "iat": 1, "exp": 4_000_000_000i64, "scope": ALL, "auth_time": 1}),
        )
        .await;
    assert_eq!(call(&env, &forged, "GET", METHODS, None).await.status, 401);

    // Reading only: adding and removing need their scopes.
    let read = password_token(&env, "cy@example.com", "read:me:authentication_methods", &me()).await;
    assert_eq!(call(&env, &read, "GET", METHODS, None).await.status, 200);
    let add = call(&env, &read, "POST", METHODS, Some(json!({"type": "passkey"}))).await;
    assert_eq!(add.status, 403, "{}", text(&add));
    assert_eq!(add.json_body()["type"], "insufficient_scope");
    let del = call(&env, &read, "DELETE", &format!("{METHODS}/passkey%7Cx"), None).await;
    assert_eq!(del.status, 403);
    // Scopes the API does not define are not granted.
    assert_eq!(claims(&read)["scope"], "read:me:authentication_methods");
    // Only passkeys are enrolled here.
    let all = password_token(&env, "cy@example.com", ALL, &me()).await;
    let totp = call(&env, &all, "POST", METHODS, Some(json!({"type": "totp"}))).await;
    assert_eq!(totp.status, 400, "{}", text(&totp));
    // Tokens live 10 minutes.
    env.clock.advance_ms(601_000);
    assert_eq!(call(&env, &all, "GET", METHODS, None).await.status, 401);
}

#[tokio::test]
async fn the_last_way_in_stays_and_a_stale_login_cannot_add_or_remove() {
    let env = env().await;
    let (pk, bob) = passkey_user(&env, "dan@example.com").await;
    let only = format!("{METHODS}/passkey%7C{}", pk.id_b64());
    let last = call(&env, &bob, "DELETE", &only, None).await;
    assert_eq!(last.status, 409, "{}", text(&last));
    assert_eq!(ids(&env, &bob).await.len(), 1);
    // With a second passkey, either may go (and the user's sessions and refresh tokens end).
    let (done, second, _) = add_passkey(&env, &bob).await;
    assert_eq!(done.status, 201, "{}", text(&done));
    assert_eq!(call(&env, &bob, "DELETE", &only, None).await.status, 204);
    let left = format!("{METHODS}/passkey%7C{}", second.id_b64());
    assert_eq!(call(&env, &bob, "DELETE", &left, None).await.status, 409);

    // The hosted page: a session 11 minutes old gives a token that reads but does not change.
    let ed = password_user(&env, "ed@example.com", "openid", "").await;
    let _ = ed;
    let page = env
        .send(Request::new(
            "GET",
            &format!(
                "/authorize?client_id={SPA_CLIENT}&redirect_uri=http://localhost:3000/callback&response_type=code\
                 &scope=openid&state=s&code_challenge=E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM&code_challenge_method=S256"
            ),
        ))
        .await;
    let browser = cookie(&page, "tg_browser").unwrap();
    let tx = edge::testkit::authorize_tx(&String::from_utf8(page.body).unwrap());
    let mut login = Request::new("POST", "/u/login")
        .with_json(&json!({"tx": tx, "username": "ed@example.com", "password": PW}))
        .with_header("cookie", &browser);
    login.ip = Some("203.0.113.61".into());
    let login = env.send(login).await;
    assert_eq!(login.status, 200, "{}", text(&login));
    let session = cookie(&login, "tg_session").unwrap();

    let manage = env
        .send(Request::new("GET", &format!("/u/passkeys?client_id={SPA_CLIENT}")).with_header("cookie", &session))
        .await;
    assert_eq!(manage.status, 200);
    assert!(text(&manage).contains("data-tollgate-initial-screen=\"passkeys\""));
    assert!(manage.header("content-security-policy").is_some());
    let anonymous = env
        .send(Request::new("GET", &format!("/u/passkeys?client_id={SPA_CLIENT}")))
        .await;
    assert_eq!(anonymous.status, 401);

    let token_req = |origin: &str, cookies: &str| {
        Request::new("POST", "/u/passkeys/token")
            .with_json(&json!({"client_id": SPA_CLIENT}))
            .with_header("origin", origin)
            .with_header("cookie", cookies)
    };
    let own = ISSUER.trim_end_matches('/');
    // Another origin (even an application's) does not turn the session into a token.
    assert_eq!(env.send(token_req("http://localhost:3000", &session)).await.status, 403);
    assert_eq!(env.send(token_req(own, "tg_session=nope")).await.status, 401);
    let fresh = env.send(token_req(own, &session)).await;
    assert_eq!(fresh.status, 200, "{}", text(&fresh));
    let fresh = fresh.json_body()["access_token"].as_str().unwrap().to_owned();
    assert_eq!(claims(&fresh)["aud"], me());
    assert_eq!(claims(&fresh)["scope"], ALL);
    let (done, _, _) = add_passkey(&env, &fresh).await;
    assert_eq!(done.status, 201, "{}", text(&done));

    env.clock.advance_ms(11 * 60_000);
    let stale = env.send(token_req(own, &session)).await;
    assert_eq!(stale.status, 200, "{}", text(&stale));
    let stale = stale.json_body()["access_token"].as_str().unwrap().to_owned();
    let listed = ids(&env, &stale).await;
    assert_eq!(listed.len(), 2);
    let add = call(&env, &stale, "POST", METHODS, Some(json!({"type": "passkey"}))).await;
    assert_eq!(add.status, 403, "{}", text(&add));
    assert_eq!(add.json_body()["type"], "access_denied");
    let del = call(
        &env,
        &stale,
        "DELETE",
        &format!("{METHODS}/{}", listed[1].replace('|', "%7C")),
        None,
    )
    .await;
    assert_eq!(del.status, 403, "{}", text(&del));
    assert_eq!(ids(&env, &stale).await.len(), 2);
}

fn cookie(r: &Response, name: &str) -> Option<String> {
    r.headers
        .iter()
        .filter(|(k, _)| k == "set-cookie")
        .filter_map(|(_, v)| v.split(';').next())
        .find(|c| c.starts_with(&format!("{name}=")))
        .map(str::to_owned)
}
