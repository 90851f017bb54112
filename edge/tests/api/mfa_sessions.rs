//! Multi-factor authentication and browser sessions (issue 25): a session that passed only its
//! first factor — made before the tenant turned MFA on, or by a provider's login — completes no
//! authorization until the hosted page has asked for the second; "remember this browser".

use edge::api::{Request, Response};
use edge::core::mfa::totp::code_for;
use edge::testkit::{TestEnv, DB_CONNECTION, MANAGEMENT_SCOPES, SPA_CLIENT};
use serde_json::{json, Value};

const PASSWORD: &str = "Second-factor-1";
const CALLBACK: &str = "http://localhost:3000/callback";

async fn put(env: &TestEnv, path: &str, body: Value) {
    let r = env.management_call(MANAGEMENT_SCOPES, "PUT", path, Some(body)).await;
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
}

/// A tenant with the TOTP factor offered (the policy still off) and a user.
async fn tenant(email: &str) -> TestEnv {
    let env = TestEnv::new().await;
    put(&env, "guardian/factors/otp", json!({"enabled": true})).await;
    let r = env
        .post_json(
            "/dbconnections/signup",
            json!({"client_id": SPA_CLIENT, "connection": DB_CONNECTION, "email": email, "password": PASSWORD}),
        )
        .await;
    assert_eq!(r.status, 200);
    env
}

async fn policy(env: &TestEnv, on: bool) {
    let p = if on { json!(["all-applications"]) } else { json!([]) };
    put(env, "guardian/policies", p).await;
}

fn authorize_url(extra: &str) -> String {
    format!(
        "/authorize?client_id={SPA_CLIENT}&redirect_uri={CALLBACK}&response_type=code&scope=openid&state=s\
         &code_challenge=E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM&code_challenge_method=S256{extra}"
    )
}

async fn get(env: &TestEnv, path: &str, cookies: &[&str]) -> Response {
    let mut req = Request::new("GET", path);
    if !cookies.is_empty() {
        req = req.with_header("cookie", &cookies.join("; "));
    }
    env.send(req).await
}

/// The `name=value` a `Set-Cookie` of `r` sets for `name`.
fn set_cookie(r: &Response, name: &str) -> Option<String> {
    r.headers
        .iter()
        .filter(|(k, _)| k.eq_ignore_ascii_case("set-cookie"))
        .map(|(_, v)| v.split(';').next().unwrap_or_default().to_owned())
        .find(|c| c.starts_with(&format!("{name}=")) && c.len() > name.len() + 1)
}

/// A query parameter of the redirect `r` answers with.
fn redirect_param(r: &Response, k: &str) -> Option<String> {
    let url = url::Url::parse(r.header("location")?).ok()?;
    url.query_pairs()
        .chain(
            url.fragment()
                .map(|f| url::form_urlencoded::parse(f.as_bytes()))
                .into_iter()
                .flatten(),
        )
        .find(|(n, _)| n == k)
        .map(|(_, v)| v.into_owned())
}

/// The MFA step the login page opens at (`data-tollgate-mfa`), if any.
fn page_step(r: &Response) -> Option<Value> {
    let html = String::from_utf8_lossy(&r.body);
    let raw = html.split("data-tollgate-mfa=\"").nth(1)?.split('"').next()?;
    serde_json::from_str(&html_escape::decode_html_entities(raw)).ok()
}

/// A hosted password login; the session cookie (`tg_session=…`).
async fn hosted_login(env: &TestEnv, email: &str) -> Response {
    let page = get(env, &authorize_url(""), &[]).await;
    let tx = edge::testkit::authorize_tx(&String::from_utf8(page.body).unwrap());
    env.post_json("/u/login", json!({"tx": tx, "username": email, "password": PASSWORD}))
        .await
}

/// Enrols TOTP with the step's token and finishes the transaction: the answer of `/u/mfa/verify`.
async fn enrol_and_verify(env: &TestEnv, tx: &str, step: &Value, extra: Value) -> Response {
    let token = step["mfa_token"].as_str().unwrap();
    let r = env
        .send(
            Request::new("POST", "/mfa/associate")
                .with_header("authorization", &format!("Bearer {token}"))
                .with_json(&json!({"authenticator_types": ["otp"]})),
        )
        .await;
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    let secret = r.json_body()["secret"].as_str().unwrap().to_owned();
    let otp = code_for(&secret, (env.clock.0.get() / 1000) as u64).unwrap();
    let mut body = json!({"tx": tx, "mfa_token": token, "otp": otp});
    body.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
    env.post_json("/u/mfa/verify", body).await
}

/// The ID token's claims for the code the redirect `r` carries.
async fn id_claims(env: &TestEnv, r: &Response) -> Value {
    use base64::Engine;
    let code = redirect_param(r, "code").expect("a code");
    let tokens = env
        .post_json(
            "/oauth/token",
            json!({"grant_type": "authorization_code", "client_id": SPA_CLIENT, "code": code,
            "redirect_uri": CALLBACK, "code_verifier": "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"}),
        )
        .await;
    assert_eq!(tokens.status, 200, "{}", String::from_utf8_lossy(&tokens.body));
    let id = tokens.json_body()["id_token"].as_str().unwrap().to_owned();
    serde_json::from_slice(
        &base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(id.split('.').nth(1).unwrap())
            .unwrap(),
    )
    .unwrap()
}

fn tx_of(page: &Response) -> String {
    edge::testkit::authorize_tx(&String::from_utf8_lossy(&page.body))
}

#[tokio::test]
async fn a_session_from_before_the_policy_completes_nothing_until_its_second_factor() {
    let env = tenant("before@example.com").await;
    let login = hosted_login(&env, "before@example.com").await;
    let session = set_cookie(&login, "tg_session").expect("a session: MFA is off");
    let sso = get(&env, &authorize_url(""), &[&session]).await;
    assert!(redirect_param(&sso, "code").is_some(), "SSO while MFA is off");

    policy(&env, true).await;
    let silent = get(&env, &authorize_url("&prompt=none"), &[&session]).await;
    assert_eq!(redirect_param(&silent, "error").as_deref(), Some("login_required"));
    assert_eq!(
        redirect_param(&silent, "error_description").as_deref(),
        Some("Multifactor authentication required")
    );
    assert!(redirect_param(&silent, "code").is_none());

    // Interactive: the login page, opened at the second factor of the session's user.
    let page = get(&env, &authorize_url(""), &[&session]).await;
    assert_eq!(page.status, 200, "the login page, not a code");
    assert!(redirect_param(&page, "code").is_none());
    let step = page_step(&page).expect("the page opens at the second factor");
    assert_eq!(step["enroll"], true);
    let tx = tx_of(&page);
    // The old session cannot finish the transaction on its own either.
    let resumed = get(&env, &format!("/authorize/resume?tx={tx}"), &[&session]).await;
    assert!(page_step(&resumed).is_some(), "resume asks for the factor again");
    assert!(redirect_param(&resumed, "code").is_none());

    let done = enrol_and_verify(&env, &tx, &step, json!({})).await;
    assert_eq!(done.status, 200, "{}", String::from_utf8_lossy(&done.body));
    let upgraded = set_cookie(&done, "tg_session").unwrap();
    let resumed = get(&env, &format!("/authorize/resume?tx={tx}"), &[&upgraded]).await;
    assert!(
        redirect_param(&resumed, "code").is_some(),
        "{:?}",
        resumed.header("location")
    );
    let sso = get(&env, &authorize_url("&prompt=none"), &[&upgraded]).await;
    assert!(
        redirect_param(&sso, "code").is_some(),
        "the session passed both factors"
    );
}

#[tokio::test]
async fn a_provider_login_passes_the_second_factor_before_any_code() {
    let env = tenant("someone@example.com").await;
    env.add_idp_connection().await;
    policy(&env, true).await;

    let start = get(&env, &authorize_url("&connection=idp"), &[]).await;
    assert_eq!(start.status, 302);
    let to_idp = url::Url::parse(start.header("location").unwrap()).unwrap();
    let state = to_idp.query_pairs().find(|(k, _)| k == "state").unwrap().1.into_owned();
    let browser = set_cookie(&start, "tg_browser").unwrap();
    let back = get(
        &env,
        &format!("/login/callback?code=good-code&state={state}"),
        &[&browser],
    )
    .await;
    assert_eq!(back.status, 302, "{}", String::from_utf8_lossy(&back.body));
    let resume = back.header("location").unwrap().to_owned();
    assert!(resume.contains("/authorize/resume?tx="), "{resume}");
    let session = set_cookie(&back, "tg_session").unwrap();

    let path = &resume[resume.find("/authorize/resume").unwrap()..];
    let page = get(&env, path, &[&session, &browser]).await;
    assert!(
        redirect_param(&page, "code").is_none(),
        "no code before the second factor"
    );
    assert_eq!(page.status, 200);
    let step = page_step(&page).expect("the provider's login owes a second factor");
    let silent = get(&env, &authorize_url("&prompt=none"), &[&session]).await;
    assert_eq!(redirect_param(&silent, "error").as_deref(), Some("login_required"));

    let tx = path.split("tx=").nth(1).unwrap();
    let done = enrol_and_verify(&env, tx, &step, json!({})).await;
    assert_eq!(done.status, 200, "{}", String::from_utf8_lossy(&done.body));
    let upgraded = set_cookie(&done, "tg_session").unwrap();
    let resumed = get(&env, path, &[&upgraded]).await;
    let claims = id_claims(&env, &resumed).await;
    assert!(claims["sub"].as_str().unwrap().ends_with("|idp-7"), "{claims}");
    assert_eq!(claims["amr"], json!(["mfa"]));
}

async fn post_with_cookie(env: &TestEnv, path: &str, body: Value, cookie: Option<&str>) -> Response {
    let mut req = Request::new("POST", path).with_json(&body);
    if let Some(c) = cookie {
        req = req.with_header("cookie", c);
    }
    env.send(req).await
}

/// A hosted password login in a browser holding `cookie`: the tx and the login's answer.
async fn hosted_login_with(env: &TestEnv, email: &str, cookie: Option<&str>) -> (String, Response) {
    let page = get(env, &authorize_url(""), &[]).await;
    let tx = tx_of(&page);
    let r = post_with_cookie(
        env,
        "/u/login",
        json!({"tx": tx, "username": email, "password": PASSWORD}),
        cookie,
    )
    .await;
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    (tx, r)
}

#[tokio::test]
async fn a_remembered_browser_skips_the_second_factor_until_it_expires_or_is_invalidated() {
    let env = tenant("remember@example.com").await;
    // A second user, to show the cookie is worth nothing to anyone else.
    let r = env
        .post_json(
            "/dbconnections/signup",
            json!({"client_id": SPA_CLIENT, "connection": DB_CONNECTION, "email": "other@example.com", "password": PASSWORD}),
        )
        .await;
    assert_eq!(r.status, 200);
    policy(&env, true).await;
    for bad in [
        json!({"enabled": true, "lifetime_days": 0}),
        json!({"enabled": true, "lifetime_days": 91}),
        json!({"enabled": true}),
    ] {
        let r = env
            .management_call(MANAGEMENT_SCOPES, "PUT", "guardian/remember-browser", Some(bad.clone()))
            .await;
        assert_eq!(r.status, 400, "{bad}");
    }
    // Off by default: the step offers nothing to remember.
    let (_, first) = hosted_login_with(&env, "remember@example.com", None).await;
    assert!(first.json_body()["mfa"].get("remember_days").is_none());
    put(
        &env,
        "guardian/remember-browser",
        json!({"enabled": true, "lifetime_days": 7}),
    )
    .await;
    let got = env
        .management_call(MANAGEMENT_SCOPES, "GET", "guardian/remember-browser", None)
        .await;
    assert_eq!(got.json_body(), json!({"enabled": true, "lifetime_days": 7}));

    let (tx, first) = hosted_login_with(&env, "remember@example.com", None).await;
    let step = first.json_body()["mfa"].clone();
    assert_eq!(step["remember_days"], 7);
    let done = enrol_and_verify(&env, &tx, &step, json!({"remember_browser": true})).await;
    assert_eq!(done.status, 200, "{}", String::from_utf8_lossy(&done.body));
    let remembered = set_cookie(&done, "tg_mfa_rb").expect("the browser is remembered");
    let set = done
        .headers
        .iter()
        .find(|(k, v)| k.eq_ignore_ascii_case("set-cookie") && v.starts_with("tg_mfa_rb="))
        .unwrap()
        .1
        .clone();
    assert!(set.contains("HttpOnly") && set.contains("Max-Age=604800"), "{set}");

    // The same browser, later: the password alone, and the code follows.
    env.clock.advance_ms(3600 * 1000);
    let (tx, again) = hosted_login_with(&env, "remember@example.com", Some(&remembered)).await;
    assert!(again.json_body().get("mfa").is_none(), "{}", again.json_body());
    let session = set_cookie(&again, "tg_session").unwrap();
    let resumed = get(&env, &format!("/authorize/resume?tx={tx}"), &[&session, &remembered]).await;
    assert_eq!(
        id_claims(&env, &resumed).await["amr"],
        json!(["mfa"]),
        "the remembered browser stands for the second factor"
    );
    // Another browser, or another person in this one, is asked.
    let (_, fresh) = hosted_login_with(&env, "remember@example.com", None).await;
    assert!(fresh.json_body()["mfa"].is_object());
    let (_, other) = hosted_login_with(&env, "other@example.com", Some(&remembered)).await;
    assert!(other.json_body()["mfa"].is_object(), "bound to the user who earned it");

    // The operator forgets every remembered browser of the user.
    let users = env
        .management_call(
            MANAGEMENT_SCOPES,
            "GET",
            "users-by-email?email=remember@example.com",
            None,
        )
        .await;
    let id = users.json_body()[0]["user_id"].as_str().unwrap().to_owned();
    let r = env
        .management_call(
            MANAGEMENT_SCOPES,
            "POST",
            &format!("users/{id}/multifactor/actions/invalidate-remember-browser"),
            None,
        )
        .await;
    assert_eq!(r.status, 204, "{}", String::from_utf8_lossy(&r.body));
    let (_, after) = hosted_login_with(&env, "remember@example.com", Some(&remembered)).await;
    assert!(after.json_body()["mfa"].is_object(), "invalidated");
    let r = env
        .management_call(
            MANAGEMENT_SCOPES,
            "POST",
            "users/auth0|nobody/multifactor/actions/invalidate-remember-browser",
            None,
        )
        .await;
    assert_eq!(r.status, 404);

    // The other person remembers this browser too; past its 7 days it asks again.
    let (tx, other) = hosted_login_with(&env, "other@example.com", None).await;
    let done = enrol_and_verify(&env, &tx, &other.json_body()["mfa"], json!({"remember_browser": true})).await;
    let theirs = set_cookie(&done, "tg_mfa_rb").unwrap();
    env.clock.advance_ms(6 * 24 * 3600 * 1000);
    let (_, within) = hosted_login_with(&env, "other@example.com", Some(&theirs)).await;
    assert!(within.json_body().get("mfa").is_none(), "day 6: remembered");
    env.clock.advance_ms(2 * 24 * 3600 * 1000);
    let (_, past) = hosted_login_with(&env, "other@example.com", Some(&theirs)).await;
    assert!(past.json_body()["mfa"].is_object(), "day 8: asked again");
}
