//! Trust boundaries: who reaches the Management API, and what user flows may never obtain.

use edge::api::management::{Access, ROUTES};
use edge::api::{Request, Response};
use edge::core::platform::db::Stmt;
use edge::core::platform::secrets::sha256_hex;
use edge::testkit::{TestEnv, DB_CONNECTION, ISSUER, M2M_CLIENT, MANAGEMENT_SCOPES, SPA_CLIENT};
use serde_json::json;

const REALM: &str = "http://auth0.com/oauth/grant-type/password-realm";
const PW: &str = "Analytical1!";

fn management_api() -> String {
    format!("{ISSUER}api/v2/")
}

async fn env_with_user() -> TestEnv {
    let env = TestEnv::new().await;
    let r = env
        .post_json(
            "/dbconnections/signup",
            json!({"client_id": SPA_CLIENT, "connection": DB_CONNECTION, "email": "ada@example.com", "password": PW}),
        )
        .await;
    assert_eq!(r.status, 200);
    env
}

async fn bearer(env: &TestEnv, method: &str, path: &str, token: Option<&str>) -> Response {
    let mut req = Request::new(method, path);
    if let Some(t) = token {
        req = req.with_header("authorization", &format!("Bearer {t}"));
    }
    env.send(req).await
}

/// A second machine-to-machine client with a grant for `audience`; returns a token for it.
async fn other_m2m_token(env: &TestEnv, client_id: &str, audience: &str, scope: &str) -> String {
    env.exec(
        Stmt::new(
            "INSERT OR IGNORE INTO clients (client_id, name, app_type, is_public, client_secret_hash, grant_types, created_at) \
             VALUES (?1, 'Other M2M', 'non_interactive', 0, ?2, '[\"client_credentials\"]', 0)",
        )
        .bind(client_id)
        .bind(sha256_hex(b"other-secret")),
    )
    .await;
    env.exec(
        Stmt::new(
            "INSERT OR IGNORE INTO resource_servers (identifier, name, scopes, created_at) VALUES (?1, 'API', ?2, 0)",
        )
        .bind(audience)
        .bind(json!(scope.split(' ').collect::<Vec<_>>()).to_string()),
    )
    .await;
    env.exec(
        Stmt::new("INSERT INTO client_grants (client_id, audience, scope) VALUES (?1, ?2, ?3)")
            .bind(client_id)
            .bind(audience)
            .bind(json!(scope.split(' ').collect::<Vec<_>>()).to_string()),
    )
    .await;
    let r = env
        .send(Request::new("POST", "/oauth/token").with_json(&json!({
            "grant_type": "client_credentials", "client_id": client_id, "client_secret": "other-secret",
            "audience": audience, "scope": scope,
        })))
        .await;
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    r.json_body()["access_token"].as_str().unwrap().to_owned()
}

fn concrete(path: &str) -> String {
    format!("/api/v2/{}", path.replace("{id}", "auth0%7Cnobody"))
}

#[tokio::test]
async fn every_management_route_checks_who_calls_it() {
    let env = env_with_user().await;
    let now = env.clock.0.get() / 1000;
    // What the password-realm grant handed anyone who asked before: a user token for the
    // Management API with every scope.
    let user_token = env
        .sign(
            &json!({"iss": ISSUER, "sub": "auth0|someone", "aud": [management_api(), format!("{ISSUER}userinfo")],
            "azp": SPA_CLIENT, "iat": now, "exp": now + 3600, "scope": MANAGEMENT_SCOPES, "gty": "password"}),
        )
        .await;
    let login = env
        .post_json(
            "/oauth/token",
            json!({"grant_type": REALM, "client_id": SPA_CLIENT, "username": "ada@example.com", "password": PW, "realm": DB_CONNECTION}),
        )
        .await;
    let id_token = login.json_body()["id_token"].as_str().unwrap().to_owned();
    let deleted_client = other_m2m_token(&env, "doomed-m2m", &management_api(), MANAGEMENT_SCOPES).await;
    env.exec(Stmt::new("DELETE FROM clients WHERE client_id = 'doomed-m2m'"))
        .await;
    let revoked_grant = other_m2m_token(&env, "grantless-m2m", &management_api(), MANAGEMENT_SCOPES).await;
    env.exec(Stmt::new("DELETE FROM client_grants WHERE client_id = 'grantless-m2m'"))
        .await;
    let other_audience = other_m2m_token(&env, "api-m2m", "https://api.example/", MANAGEMENT_SCOPES).await;

    let mut checked = 0;
    for route in ROUTES {
        let path = concrete(route.path);
        let (scopes, all) = match route.access {
            Access::Scopes(scopes) => (scopes, false),
            Access::AllScopes(scopes) => (scopes, true),
            Access::SignedLink => {
                // The signed link is the credential: a bearer token of any kind does not replace it.
                let full = env.management_token(MANAGEMENT_SCOPES).await;
                let r = bearer(&env, route.method, &path, Some(&full)).await;
                assert_eq!(r.status, 401, "{} {path} without a signed link", route.method);
                continue;
            }
        };
        let outsider = MANAGEMENT_SCOPES.split(' ').find(|s| !scopes.contains(s)).unwrap();
        // A route asking for every one of its scopes refuses a token holding only the first.
        let without_scope = env.management_token(if all { scopes[0] } else { outsider }).await;
        let with_scope = env
            .management_token(&if all { scopes.join(" ") } else { scopes[0].to_owned() })
            .await;
        let cases: [(&str, Option<&str>, &[u16]); 7] = [
            ("no token", None, &[401]),
            ("user token", Some(&user_token), &[401]),
            ("ID token", Some(&id_token), &[401]),
            ("M2M token without the scope", Some(&without_scope), &[403]),
            ("token of a deleted client", Some(&deleted_client), &[401]),
            ("token whose client grant was deleted", Some(&revoked_grant), &[401]),
            ("token for another audience", Some(&other_audience), &[401]),
        ];
        for (what, token, expected) in cases {
            let r = bearer(&env, route.method, &path, token).await;
            assert!(
                expected.contains(&r.status),
                "{} {path} with {what}: {} {}",
                route.method,
                r.status,
                String::from_utf8_lossy(&r.body)
            );
            assert_eq!(
                r.json_body()["statusCode"],
                json!(r.status),
                "Management API error shape"
            );
        }
        let r = bearer(&env, route.method, &path, Some(&with_scope)).await;
        assert!(
            ![401, 403].contains(&r.status),
            "{} {path} with the scope {}: {} {}",
            route.method,
            scopes[0],
            r.status,
            String::from_utf8_lossy(&r.body)
        );
        checked += 1;
    }
    assert!(checked >= 15, "the table covers the API");
}

#[tokio::test]
async fn a_narrowed_grant_narrows_tokens_already_issued() {
    let env = TestEnv::new().await;
    let token = env.management_token("read:users delete:users").await;
    assert_eq!(bearer(&env, "GET", "/api/v2/users", Some(&token)).await.status, 200);
    env.exec(Stmt::new("UPDATE client_grants SET scope = '[\"delete:users\"]' WHERE client_id = ?1").bind(M2M_CLIENT))
        .await;
    assert_eq!(bearer(&env, "GET", "/api/v2/users", Some(&token)).await.status, 403);
}

#[tokio::test]
async fn unknown_methods_on_known_management_paths_are_405_with_allow() {
    let env = TestEnv::new().await;
    let r = bearer(&env, "PUT", "/api/v2/users/auth0%7Cx", None).await;
    assert_eq!(r.status, 405);
    assert_eq!(r.header("allow"), Some("GET, PATCH, DELETE"));
    assert_eq!(bearer(&env, "GET", "/api/v2/nothing-here", None).await.status, 404);
}

#[tokio::test]
async fn unknown_methods_on_every_other_known_path_are_405_with_allow_in_the_routes_shape() {
    let env = TestEnv::new().await;
    for (method, path, allow) in [
        ("PUT", "/authorize", "GET"),
        ("DELETE", "/userinfo", "GET, POST"),
        ("POST", "/.well-known/jwks.json", "GET"),
        ("PATCH", "/lo/reset", "GET, POST"),
        ("POST", "/v2/logout", "GET"),
        ("GET", "/oauth/token", "POST"),
    ] {
        let r = env.send(Request::new(method, path)).await;
        assert_eq!(r.status, 405, "{method} {path}");
        assert_eq!(r.header("allow"), Some(allow), "{method} {path}");
    }
    // The token endpoint's group answers in OAuth 2.0's shape, the others in Auth0's.
    let r = env.send(Request::new("GET", "/oauth/token")).await;
    assert!(r.json_body()["error"].is_string() && r.json_body().get("statusCode").is_none());
    let r = env.send(Request::new("PUT", "/authorize")).await;
    assert_eq!(r.json_body()["statusCode"], 405);
    assert_eq!(env.send(Request::new("GET", "/nothing-here")).await.status, 404);
}

fn assert_not_authorized(r: &Response) {
    assert_eq!(r.status, 403, "{}", String::from_utf8_lossy(&r.body));
    let j = r.json_body();
    assert_eq!(j["error"], "access_denied");
    assert!(
        j["error_description"]
            .as_str()
            .unwrap()
            .starts_with("Client is not authorized to access"),
        "{j}"
    );
}

#[tokio::test]
async fn password_grants_never_reach_the_management_api() {
    let env = env_with_user().await;
    let r = env
        .post_json(
            "/oauth/token",
            json!({"grant_type": REALM, "client_id": SPA_CLIENT, "username": "ada@example.com", "password": PW,
                "realm": DB_CONNECTION, "audience": management_api(), "scope": "openid read:users delete:users"}),
        )
        .await;
    assert_not_authorized(&r);
}

fn authorize_url(response_type: &str, audience: &str) -> String {
    let mut q = url::form_urlencoded::Serializer::new(String::new());
    q.append_pair("client_id", SPA_CLIENT)
        .append_pair("redirect_uri", "http://localhost:3000/callback")
        .append_pair("response_type", response_type)
        .append_pair("scope", "openid read:users")
        .append_pair("state", "st")
        .append_pair("nonce", "n")
        .append_pair("audience", audience)
        .append_pair("code_challenge", "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM")
        .append_pair("code_challenge_method", "S256");
    format!("/authorize?{}", q.finish())
}

fn redirect_params(r: &Response) -> Vec<(String, String)> {
    let loc = url::Url::parse(r.header("location").expect("a redirect")).unwrap();
    let mut all: Vec<(String, String)> = loc.query_pairs().into_owned().collect();
    if let Some(f) = loc.fragment() {
        all.extend(url::form_urlencoded::parse(f.as_bytes()).into_owned());
    }
    all
}

#[tokio::test]
async fn authorize_never_issues_the_management_api_to_users() {
    let env = env_with_user().await;
    env.exec(
        Stmt::new(
            "UPDATE clients SET grant_types = '[\"authorization_code\",\"implicit\",\"refresh_token\"]' WHERE client_id = ?1",
        )
        .bind(SPA_CLIENT),
    )
    .await;
    for rt in ["code", "token", "id_token token"] {
        let r = bearer(&env, "GET", &authorize_url(rt, &management_api()), None).await;
        assert_eq!(r.status, 302, "{rt}: {}", String::from_utf8_lossy(&r.body));
        let p = redirect_params(&r);
        let get = |k: &str| p.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
        assert_eq!(get("error"), Some("access_denied"), "{rt}");
        assert!(get("error_description")
            .unwrap()
            .starts_with("Client is not authorized"));
        assert!(get("access_token").is_none() && get("code").is_none());
    }
}

#[tokio::test]
async fn a_stored_grant_for_the_management_api_mints_nothing() {
    // Defence in depth: even a refresh token whose stored grant names the Management API (none
    // can be issued) does not mint a token for it.
    let env = env_with_user().await;
    let grant = json!({"scope": ["openid", "offline_access", "read:users"], "audience": management_api(), "nonce": null,
        "auth_time": 0, "code_challenge": null, "code_challenge_method": null});
    env.exec(
        Stmt::new(
            "INSERT INTO refresh_tokens (token_hash, family_id, client_id, user_id, grant, created_at, expires_at) \
             SELECT ?1, 'fam', ?2, user_id, ?3, 0, ?4 FROM users WHERE email = 'ada@example.com'",
        )
        .bind(sha256_hex(b"planted"))
        .bind(SPA_CLIENT)
        .bind(grant.to_string())
        .bind(env.clock.0.get() + 3_600_000),
    )
    .await;
    let r = env
        .post_json(
            "/oauth/token",
            json!({"grant_type": "refresh_token", "client_id": SPA_CLIENT, "refresh_token": "planted"}),
        )
        .await;
    assert_not_authorized(&r);
}

// ---- Secrets and outbound calls ----

async fn post_connection(env: &TestEnv, body: serde_json::Value) -> Response {
    let token = env.management_token(MANAGEMENT_SCOPES).await;
    env.send(
        Request::new("POST", "/api/v2/connections")
            .with_header("authorization", &format!("Bearer {token}"))
            .with_json(&body),
    )
    .await
}

#[tokio::test]
async fn connections_may_only_name_connection_secrets() {
    let env = TestEnv::new().await;
    let oauth2 = |secret: &str| {
        json!({"name": "evil", "strategy": "oauth2", "options": {
            "client_id": "x", "client_secret_env": secret,
            "authorization_endpoint": "https://idp.example/authorize",
            "token_endpoint": "https://idp.example/token", "profile_url": "https://idp.example/me"}})
    };
    for secret in [
        "KEY_ENCRYPTION_KEY",
        "LEGACY_SECRET",
        "MAIL_API_KEY",
        "ISSUER",
        "CONNECTION_SECRET_lower",
    ] {
        let r = post_connection(&env, oauth2(secret)).await;
        assert_eq!(r.status, 400, "{secret}: {}", String::from_utf8_lossy(&r.body));
        assert!(r.json_body()["message"].as_str().unwrap().contains("client_secret_env"));
    }
    let legacy = |secret: &str| {
        json!({"name": "legacy", "strategy": "auth0", "options": {"import_mode": true,
            "legacy": {"url": "https://legacy.example/auth", "secret": secret}}})
    };
    let r = post_connection(&env, legacy("KEY_ENCRYPTION_KEY")).await;
    assert_eq!(r.status, 400, "{}", String::from_utf8_lossy(&r.body));
    assert!(r.json_body()["message"].as_str().unwrap().contains("legacy.secret"));
    assert_eq!(
        post_connection(&env, oauth2("CONNECTION_SECRET_EVIL")).await.status,
        201
    );
    assert_eq!(
        post_connection(&env, legacy("CONNECTION_SECRET_LEGACY")).await.status,
        201
    );
}

#[tokio::test]
async fn a_connection_written_around_the_api_still_cannot_read_deployment_secrets() {
    // A row written by SQL (a seed, an old version) naming the KEK: refused at use, nothing sent.
    let env = TestEnv::with_connection(json!({"import_mode": true,
        "legacy": {"url": "https://legacy.example/auth", "secret": "KEY_ENCRYPTION_KEY"}}))
    .await;
    let mut req = Request::new("POST", "/oauth/token").with_json(&json!({"grant_type": REALM,
        "client_id": SPA_CLIENT, "username": "x@example.com", "password": "whatever-1A!", "realm": DB_CONNECTION}));
    req.ip = Some("1.2.3.4".into());
    let r = env.send(req).await;
    assert_eq!(r.status, 500, "{}", String::from_utf8_lossy(&r.body));
    assert!(env.legacy.calls.borrow().is_empty(), "nothing left the Worker");
}

#[tokio::test]
async fn outbound_urls_must_be_https_to_public_hosts() {
    let env = TestEnv::new().await;
    let oidc = |issuer: &str| {
        json!({"name": "corp", "strategy": "oidc", "options": {"client_id": "x",
            "client_secret_env": "CONNECTION_SECRET_CORP", "issuer": issuer}})
    };
    for bad in [
        "http://idp.example",
        "https://127.0.0.1:8443",
        "https://169.254.169.254/latest",
        "https://10.1.2.3",
        "https://localhost",
        "https://[::1]",
    ] {
        let r = post_connection(&env, oidc(bad)).await;
        assert_eq!(r.status, 400, "{bad}: {}", String::from_utf8_lossy(&r.body));
        assert!(r.json_body()["message"].as_str().unwrap().contains("options.issuer"));
    }
    let r = post_connection(
        &env,
        json!({"name": "legacy", "strategy": "auth0", "options": {"import_mode": true,
            "legacy": {"url": "http://192.168.0.10/auth", "secret": "CONNECTION_SECRET_LEGACY"}}}),
    )
    .await;
    assert_eq!(r.status, 400);
    assert_eq!(post_connection(&env, oidc("https://idp.example")).await.status, 201);

    // The development flag (make dev, the e2e suite) allows loopback stores and providers.
    let mut dev = TestEnv::new().await;
    dev.settings.allow_private_urls = true;
    assert_eq!(post_connection(&dev, oidc("http://127.0.0.1:9000")).await.status, 201);
}

async fn legacy_env() -> TestEnv {
    let env = TestEnv::with_connection(json!({"passwordPolicy": "good", "import_mode": true,
        "legacy": {"url": "https://legacy.test/auth"}}))
    .await;
    env.legacy.add("lg-1", "old@legacy.test", "Old-Password-1", None);
    env
}

async fn legacy_login(env: &TestEnv, email: &str, password: &str) -> Response {
    let mut req = Request::new("POST", "/oauth/token").with_json(&json!({"grant_type": REALM,
        "client_id": SPA_CLIENT, "username": email, "password": password, "realm": DB_CONNECTION}));
    req.ip = Some("9.9.9.9".into());
    env.send(req).await
}

#[tokio::test]
async fn a_legacy_answer_beyond_the_bound_is_refused() {
    let env = legacy_env().await;
    env.legacy.fault.set(edge::testkit::Fault::Huge);
    let r = legacy_login(&env, "old@legacy.test", "Old-Password-1").await;
    assert_eq!(r.status, 502, "{}", String::from_utf8_lossy(&r.body));
    assert_eq!(r.json_body()["error"], "server_error");
}

#[tokio::test]
async fn every_legacy_request_has_its_own_signed_id_and_timeouts_are_not_resent() {
    let env = legacy_env().await;
    env.legacy.fault.set(edge::testkit::Fault::Status(500));
    assert_eq!(
        legacy_login(&env, "old@legacy.test", "Old-Password-1").await.status,
        503
    );
    let ids = env.legacy.request_ids.borrow().clone();
    assert!(ids.len() >= 2, "5xx is retried: {ids:?}");
    let mut unique = ids.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), ids.len(), "a retry is a new request: {ids:?}");
    assert!(ids.iter().all(|id| id.len() == 32), "{ids:?}");

    // A login that timed out may have been processed: the password is not sent again.
    let env = legacy_env().await;
    env.legacy.fault.set(edge::testkit::Fault::Timeout);
    let r = legacy_login(&env, "old@legacy.test", "Old-Password-1").await;
    assert_eq!(r.status, 503, "{}", String::from_utf8_lossy(&r.body));
    assert_eq!(env.legacy.count("login"), 1);
}

// ---- Logins bound to the browser that started them ----

/// The `name=value` of the `Set-Cookie` for cookie `name`, if the answer sets it.
fn set_cookie(r: &Response, name: &str) -> Option<String> {
    r.headers
        .iter()
        .filter(|(k, _)| k.eq_ignore_ascii_case("set-cookie"))
        .map(|(_, v)| v.split(';').next().unwrap_or_default().to_owned())
        .find(|c| c.starts_with(&format!("{name}=")))
}

async fn get_with(env: &TestEnv, path: &str, cookie: Option<&str>) -> Response {
    let mut req = Request::new("GET", path);
    if let Some(c) = cookie {
        req = req.with_header("cookie", c);
    }
    env.send(req).await
}

/// A code-flow `/authorize` URL; `extra` adds or replaces parameters.
fn code_url(extra: &[(&str, &str)]) -> String {
    let mut q = url::form_urlencoded::Serializer::new(String::new());
    let defaults = [
        ("client_id", SPA_CLIENT),
        ("redirect_uri", "http://localhost:3000/callback"),
        ("response_type", "code"),
        ("scope", "openid"),
        ("state", "st"),
        ("code_challenge", "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"),
        ("code_challenge_method", "S256"),
    ];
    for (k, v) in defaults.iter().filter(|(k, _)| !extra.iter().any(|(e, _)| e == k)) {
        q.append_pair(k, v);
    }
    for (k, v) in extra {
        q.append_pair(k, v);
    }
    format!("/authorize?{}", q.finish())
}

fn param_of(r: &Response, k: &str) -> Option<String> {
    redirect_params(r).into_iter().find(|(n, _)| n == k).map(|(_, v)| v)
}

#[tokio::test]
async fn an_embedded_login_ticket_works_only_in_the_browser_it_was_issued_to() {
    let env = env_with_user().await;
    env.exec(Stmt::new("UPDATE clients SET cross_origin_auth = 1")).await;
    let co = env
        .send(
            Request::new("POST", "/co/authenticate")
                .with_header("origin", "http://localhost:3000")
                .with_json(
                    &json!({"client_id": SPA_CLIENT, "username": "ada@example.com", "password": PW,
                    "realm": DB_CONNECTION, "credential_type": "http://auth0.com/oauth/grant-type/password-realm"}),
                ),
        )
        .await;
    assert_eq!(co.status, 200);
    let victim = set_cookie(&co, "tg_browser").expect("the ticket's browser gets a binding cookie");
    let ticket = co.json_body()["login_ticket"].as_str().unwrap().to_owned();
    let url = code_url(&[("login_ticket", &ticket)]);

    // Replayed by someone else: no cookie, or another browser's cookie.
    let stolen = get_with(&env, &url, None).await;
    assert_eq!(param_of(&stolen, "error").as_deref(), Some("access_denied"));
    assert!(param_of(&stolen, "code").is_none());
    let other = set_cookie(&stolen, "tg_browser").unwrap();
    assert_ne!(other, victim);
    let stolen = get_with(&env, &url, Some(&other)).await;
    assert_eq!(param_of(&stolen, "error").as_deref(), Some("access_denied"));

    let mine = get_with(&env, &url, Some(&victim)).await;
    assert!(param_of(&mine, "code").is_some(), "{:?}", mine.header("location"));
}

#[tokio::test]
async fn a_provider_callback_is_accepted_only_from_the_browser_that_started_it() {
    let env = TestEnv::new().await;
    env.add_idp_connection().await;
    let start = get_with(&env, &code_url(&[("connection", "idp")]), None).await;
    assert_eq!(start.status, 302);
    let to_idp = url::Url::parse(start.header("location").unwrap()).unwrap();
    assert_eq!(to_idp.host_str(), Some("idp.example"));
    let state = to_idp.query_pairs().find(|(k, _)| k == "state").unwrap().1.into_owned();
    let browser = set_cookie(&start, "tg_browser").expect("binding cookie");
    let callback = format!("/login/callback?code=c0de&state={state}");

    // The victim's state, delivered to the attacker's browser (login CSRF / state theft).
    for cookie in [None, Some("tg_browser=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")] {
        let r = get_with(&env, &callback, cookie).await;
        assert_eq!(r.status, 400, "{cookie:?}: an error page, no redirect");
        assert!(r.header("location").is_none());
    }
    // The browser that started it continues (here the fake provider refuses the code, so the
    // application gets Auth0's error on its redirect URI).
    let r = get_with(&env, &callback, Some(&browser)).await;
    assert_eq!(r.status, 302, "{}", String::from_utf8_lossy(&r.body));
    assert!(r
        .header("location")
        .unwrap()
        .starts_with("http://localhost:3000/callback"));
}

#[tokio::test]
async fn prompt_login_is_not_satisfied_by_an_older_session() {
    let env = env_with_user().await;
    let page = get_with(&env, &code_url(&[]), None).await;
    let html = String::from_utf8(page.body).unwrap();
    let tx = edge::testkit::authorize_tx(&html);
    let login = env
        .post_json(
            "/u/login",
            json!({"tx": tx, "username": "ada@example.com", "password": PW}),
        )
        .await;
    assert_eq!(login.status, 200);
    let session = set_cookie(&login, "tg_session").unwrap();

    env.clock.advance_ms(60_000);
    for extra in [("prompt", "login"), ("max_age", "0")] {
        let page = get_with(&env, &code_url(&[extra]), Some(&session)).await;
        assert_eq!(page.status, 200, "{extra:?}: the login page, not a code");
        let html = String::from_utf8(page.body).unwrap();
        let tx = edge::testkit::authorize_tx(&html);
        let resumed = get_with(&env, &format!("/authorize/resume?tx={tx}"), Some(&session)).await;
        assert_eq!(
            param_of(&resumed, "error").as_deref(),
            Some("login_required"),
            "{extra:?}"
        );
        assert!(param_of(&resumed, "code").is_none());
    }
}

// ---- Revocation ----

/// A browser session and a refresh token of ada, through the hosted page and the code flow.
async fn signed_in(env: &TestEnv) -> (String, String) {
    let page = get_with(env, &code_url(&[("scope", "openid offline_access")]), None).await;
    let html = String::from_utf8(page.body).unwrap();
    let tx = edge::testkit::authorize_tx(&html);
    let login = env
        .post_json(
            "/u/login",
            json!({"tx": tx, "username": "ada@example.com", "password": PW}),
        )
        .await;
    let session = set_cookie(&login, "tg_session").unwrap();
    let done = get_with(env, &format!("/authorize/resume?tx={tx}"), Some(&session)).await;
    let code = param_of(&done, "code").expect("code");
    let tokens = env
        .post_json(
            "/oauth/token",
            json!({"grant_type": "authorization_code", "client_id": SPA_CLIENT, "code": code,
                "code_verifier": "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk", "redirect_uri": "http://localhost:3000/callback"}),
        )
        .await;
    assert_eq!(tokens.status, 200, "{}", String::from_utf8_lossy(&tokens.body));
    (
        session,
        tokens.json_body()["refresh_token"]
            .as_str()
            .expect("refresh token")
            .to_owned(),
    )
}

async fn refresh_status(env: &TestEnv, token: &str) -> u16 {
    env.post_json(
        "/oauth/token",
        json!({"grant_type": "refresh_token", "client_id": SPA_CLIENT, "refresh_token": token}),
    )
    .await
    .status
}

/// Whether `session` still signs the browser in silently.
async fn session_alive(env: &TestEnv, session: &str) -> bool {
    let r = get_with(env, &code_url(&[("prompt", "none")]), Some(session)).await;
    param_of(&r, "code").is_some()
}

async fn ada_id(env: &TestEnv) -> String {
    let token = env.management_token("read:users").await;
    let r = bearer(env, "GET", "/api/v2/users-by-email?email=ada@example.com", Some(&token)).await;
    r.json_body()[0]["user_id"].as_str().unwrap().replace('|', "%7C")
}

async fn patch_user(env: &TestEnv, id: &str, body: serde_json::Value) -> Response {
    let token = env.management_token("update:users").await;
    env.send(
        Request::new("PATCH", &format!("/api/v2/users/{id}"))
            .with_header("authorization", &format!("Bearer {token}"))
            .with_json(&body),
    )
    .await
}

#[tokio::test]
async fn a_password_change_revokes_sessions_and_refresh_tokens() {
    let env = env_with_user().await;
    let (session, refresh) = signed_in(&env).await;
    let (session2, refresh2) = signed_in(&env).await;
    assert!(session_alive(&env, &session).await);
    let r = patch_user(&env, &ada_id(&env).await, json!({"password": "Brand-New-Pass-9"})).await;
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    for token in [&refresh, &refresh2] {
        assert_eq!(refresh_status(&env, token).await, 403, "refresh token revoked");
    }
    for s in [&session, &session2] {
        assert!(!session_alive(&env, s).await, "session revoked");
    }
}

#[tokio::test]
async fn a_reset_keeps_only_the_session_that_made_it() {
    let env = env_with_user().await;
    let (elsewhere, refresh) = signed_in(&env).await;
    let (here, _) = signed_in(&env).await;
    env.post_json(
        "/dbconnections/change_password",
        json!({"client_id": SPA_CLIENT, "connection": DB_CONNECTION, "email": "ada@example.com"}),
    )
    .await;
    let link = env.last_link("ada@example.com").await.unwrap();
    let ticket = link.split("ticket=").nth(1).unwrap();
    let r = env
        .send(
            Request::new("POST", "/lo/reset")
                .with_header("cookie", &here)
                .with_json(&json!({"ticket": ticket, "password": "Brand-New-Pass-9"})),
        )
        .await;
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    assert!(
        session_alive(&env, &here).await,
        "the browser that reset stays signed in"
    );
    assert!(!session_alive(&env, &elsewhere).await);
    assert_eq!(refresh_status(&env, &refresh).await, 403);
}

#[tokio::test]
async fn blocking_a_user_signs_them_out_for_good() {
    let env = env_with_user().await;
    let (session, refresh) = signed_in(&env).await;
    let id = ada_id(&env).await;
    assert_eq!(patch_user(&env, &id, json!({"blocked": true})).await.status, 200);
    assert_eq!(patch_user(&env, &id, json!({"blocked": false})).await.status, 200);
    assert_eq!(
        refresh_status(&env, &refresh).await,
        403,
        "unblocking does not revive tokens"
    );
    assert!(!session_alive(&env, &session).await);
}

#[tokio::test]
async fn deleting_a_user_removes_their_sessions_and_tokens() {
    let env = env_with_user().await;
    let (session, refresh) = signed_in(&env).await;
    let token = env.management_token("delete:users").await;
    let r = bearer(
        &env,
        "DELETE",
        &format!("/api/v2/users/{}", ada_id(&env).await),
        Some(&token),
    )
    .await;
    assert_eq!(r.status, 204);
    assert_eq!(refresh_status(&env, &refresh).await, 403);
    assert!(!session_alive(&env, &session).await);
}

#[tokio::test]
async fn links_mailed_to_an_old_address_do_nothing_after_an_email_change() {
    let env = env_with_user().await;
    let verify = env.last_link("ada@example.com").await.unwrap();
    env.post_json(
        "/dbconnections/change_password",
        json!({"client_id": SPA_CLIENT, "connection": DB_CONNECTION, "email": "ada@example.com"}),
    )
    .await;
    let reset = env.last_link("ada@example.com").await.unwrap();
    assert_ne!(verify, reset);
    let r = patch_user(&env, &ada_id(&env).await, json!({"email": "ada@new.example"})).await;
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));

    let ticket = |link: &str| link.split("ticket=").nth(1).unwrap().to_owned();
    let info = get_with(&env, &format!("/lo/reset/info?ticket={}", ticket(&reset)), None).await;
    assert_eq!(info.status, 400, "{}", String::from_utf8_lossy(&info.body));
    let r = env
        .post_json(
            "/lo/reset",
            json!({"ticket": ticket(&reset), "password": "Brand-New-Pass-9"}),
        )
        .await;
    assert_eq!(r.json_body()["code"], "invalid_ticket");
    let v = get_with(&env, &format!("/lo/verify?ticket={}", ticket(&verify)), None).await;
    assert_eq!(v.status, 400, "{}", String::from_utf8_lossy(&v.body));
    let token = env.management_token("read:users").await;
    let u = bearer(
        &env,
        "GET",
        &format!("/api/v2/users/{}", ada_id_at(&env, "ada@new.example").await),
        Some(&token),
    )
    .await;
    assert_eq!(u.json_body()["email_verified"], false, "the old link verified nothing");
}

async fn ada_id_at(env: &TestEnv, email: &str) -> String {
    let token = env.management_token("read:users").await;
    let r = bearer(
        env,
        "GET",
        &format!("/api/v2/users-by-email?email={email}"),
        Some(&token),
    )
    .await;
    r.json_body()[0]["user_id"].as_str().unwrap().replace('|', "%7C")
}

// ---- Attack protection that blocks attackers, not users ----

#[tokio::test]
async fn attempts_in_flight_make_others_wait_and_only_recorded_failures_block() {
    use edge::core::protection::attack::{finish_attempt, reserve_attempt, AttemptKey, Reservation};
    let env = TestEnv::new().await;
    let db = env.core().db;
    let now = env.clock.0.get();
    let key = AttemptKey {
        connection_id: "con_test00000000001",
        identifier: "ada@example.com",
        ip: "1.2.3.4",
    };
    let reserve = |id: String| async move { reserve_attempt(db, key, 10, &id, now).await.unwrap() };
    // Ten attempts in flight hold every slot: the eleventh waits; it is not "blocked".
    for i in 0..10 {
        assert_eq!(reserve(format!("a{i}")).await, Reservation::Granted(format!("a{i}")));
    }
    assert_eq!(reserve("late".into()).await, Reservation::Busy);
    // They were right passwords: each frees its slot and clears the failures.
    for i in 0..10 {
        finish_attempt(db, key, &format!("a{i}"), Some(true), now, Vec::new())
            .await
            .unwrap();
    }
    assert_eq!(reserve("late".into()).await, Reservation::Granted("late".into()));
    finish_attempt(db, key, "late", Some(true), now, Vec::new())
        .await
        .unwrap();

    // Ten wrong guesses, concurrent or not, verify ten passwords; then the account is blocked.
    for i in 0..10 {
        assert!(matches!(reserve(format!("w{i}")).await, Reservation::Granted(_)));
    }
    assert_eq!(reserve("w10".into()).await, Reservation::Busy, "only 10 verify at once");
    for i in 0..10 {
        finish_attempt(db, key, &format!("w{i}"), Some(false), now, Vec::new())
            .await
            .unwrap();
    }
    assert_eq!(reserve("w10".into()).await, Reservation::Blocked);

    // A check that could not be made (a legacy store down) frees the slot and counts nothing.
    let other = AttemptKey { ip: "5.6.7.8", ..key };
    assert!(matches!(
        reserve_attempt(db, other, 10, "x", now).await.unwrap(),
        Reservation::Granted(_)
    ));
    finish_attempt(db, other, "x", None, now, Vec::new()).await.unwrap();
    for i in 0..10 {
        let id = format!("y{i}");
        assert!(matches!(
            reserve_attempt(db, other, 10, &id, now).await.unwrap(),
            Reservation::Granted(_)
        ));
    }

    // A reservation whose Worker died stops counting after a minute.
    let later = now + edge::core::protection::attack::IN_FLIGHT_STALE_MS + 1;
    assert!(matches!(
        reserve_attempt(db, other, 10, "z", later).await.unwrap(),
        Reservation::Granted(_)
    ));
}

// ---- Smaller holes ----

#[tokio::test]
async fn two_providers_of_one_strategy_with_the_same_subject_are_two_users() {
    use edge::core::federation::connections::{FederatedConnection, FederatedOptions};
    use edge::core::federation::linking::find_or_create;
    use edge::core::federation::profile::ProviderProfile as Profile;
    let env = TestEnv::new().await;
    for id in ["con_a", "con_b"] {
        env.exec(
            Stmt::new(
                "INSERT INTO connections (id, name, strategy, options, created_at) VALUES (?1, ?2, 'oidc', '{}', 0)",
            )
            .bind(id)
            .bind(id.replace("con_", "corp-")),
        )
        .await;
    }
    let conn = |id: &str| FederatedConnection {
        id: id.into(),
        name: id.replace("con_", "corp-"),
        strategy: edge::core::directory::tenant::Strategy::Oidc,
        options: FederatedOptions::default(),
    };
    let profile = Profile {
        provider_user_id: "42".into(),
        email: Some("sam@corp.example".into()),
        email_verified: true,
        name: None,
        given_name: None,
        family_name: None,
        picture: None,
        raw: serde_json::Map::new(),
    };
    let core = env.core();
    let a = find_or_create(&core, &conn("con_a"), &profile, "1.1.1.1")
        .await
        .unwrap();
    let b = find_or_create(&core, &conn("con_b"), &profile, "1.1.1.1")
        .await
        .unwrap();
    assert_ne!(a.user_id, b.user_id);
    assert_eq!(a.user_id, "oidc|corp-a|42");
    assert_eq!(b.user_id, "oidc|corp-b|42");
    // Returning users find their own account again.
    assert_eq!(
        find_or_create(&core, &conn("con_b"), &profile, "1.1.1.1")
            .await
            .unwrap()
            .user_id,
        b.user_id
    );
}

#[tokio::test]
async fn tokens_never_travel_in_a_query_string() {
    let env = env_with_user().await;
    env.exec(
        Stmt::new("UPDATE clients SET grant_types = '[\"authorization_code\",\"implicit\"]' WHERE client_id = ?1")
            .bind(SPA_CLIENT),
    )
    .await;
    for rt in ["token", "id_token", "id_token token"] {
        let r = get_with(
            &env,
            &code_url(&[("response_type", rt), ("response_mode", "query"), ("nonce", "n")]),
            None,
        )
        .await;
        assert_eq!(r.status, 302, "{rt}: {}", String::from_utf8_lossy(&r.body));
        let loc = url::Url::parse(r.header("location").unwrap()).unwrap();
        assert_eq!(loc.query(), None, "{rt}: nothing in the query");
        let frag: Vec<(String, String)> = url::form_urlencoded::parse(loc.fragment().unwrap().as_bytes())
            .into_owned()
            .collect();
        assert!(
            frag.contains(&("error".into(), "invalid_request".into())),
            "{rt}: {frag:?}"
        );
    }
}

#[tokio::test]
async fn other_spellings_of_an_address_are_the_same_account() {
    let env = env_with_user().await;
    let signup = |email: &str| {
        env.post_json(
            "/dbconnections/signup",
            json!({"client_id": SPA_CLIENT, "connection": DB_CONNECTION, "email": email, "password": "Another-Pass-77"}),
        )
    };
    for spelling in ["ada@ＥＸＡＭＰＬＥ.com", "ADA@ｅｘａｍｐｌｅ．ｃｏｍ"] {
        let r = signup(spelling).await;
        assert_eq!(
            r.json_body()["code"],
            "invalid_signup",
            "{spelling}: the account exists"
        );
        let login = env
            .post_json(
                "/oauth/token",
                json!({"grant_type": REALM, "client_id": SPA_CLIENT, "username": spelling, "password": PW, "realm": DB_CONNECTION}),
            )
            .await;
        assert_eq!(
            login.status,
            200,
            "{spelling}: {}",
            String::from_utf8_lossy(&login.body)
        );
    }
    let r = signup("grace@xn--bcher-kva.de").await;
    assert_eq!(r.status, 200);
    assert_eq!(r.json_body()["email"], "grace@bücher.de");
    assert_eq!(signup("grace@BÜCHER.de").await.json_body()["code"], "invalid_signup");
}

#[tokio::test]
async fn another_spelling_does_not_reset_the_brute_force_count() {
    let env = env_with_user().await;
    let login = |username: &str, password: &str| {
        let mut req = Request::new("POST", "/oauth/token").with_json(&json!({"grant_type": REALM,
            "client_id": SPA_CLIENT, "username": username, "password": password, "realm": DB_CONNECTION}));
        req.ip = Some("6.6.6.6".into());
        env.send(req)
    };
    for _ in 0..10 {
        assert_eq!(login("ada@example.com", "wrong").await.status, 403);
    }
    assert_eq!(login("ADA@ＥＸＡＭＰＬＥ.com", "wrong").await.status, 429);
}

#[tokio::test]
async fn credentialed_cors_only_for_the_origins_of_the_client_the_request_is_for() {
    let env = env_with_user().await;
    // Another application registers the attacker's origin as its own.
    env.exec(Stmt::new(
        "INSERT INTO clients (client_id, name, app_type, is_public, web_origins, grant_types, created_at) \
         VALUES ('other-spa', 'Other', 'spa', 1, '[\"https://evil.example\"]', '[]', 0)",
    ))
    .await;
    let cross = |origin: &str, body: serde_json::Value, path: &str| {
        env.send(
            Request::new("POST", path)
                .with_header("origin", origin)
                .with_json(&body),
        )
    };
    let login = json!({"grant_type": REALM, "client_id": SPA_CLIENT, "username": "ada@example.com",
        "password": PW, "realm": DB_CONNECTION});
    let r = cross("https://evil.example", login.clone(), "/oauth/token").await;
    assert_eq!(r.header("access-control-allow-origin"), None, "not test-spa's origin");
    let signup =
        json!({"client_id": SPA_CLIENT, "connection": DB_CONNECTION, "email": "x@example.com", "password": PW});
    let r = cross("https://evil.example", signup, "/dbconnections/signup").await;
    assert_eq!(r.header("access-control-allow-origin"), None);

    let ok = cross("http://localhost:3000", login, "/oauth/token").await;
    assert_eq!(ok.header("access-control-allow-origin"), Some("http://localhost:3000"));
    assert_eq!(ok.header("access-control-allow-credentials"), Some("true"));
    let access = ok.json_body()["access_token"].as_str().unwrap().to_owned();
    let userinfo = |origin: &str| {
        env.send(
            Request::new("GET", "/userinfo")
                .with_header("origin", origin)
                .with_header("authorization", &format!("Bearer {access}")),
        )
    };
    assert_eq!(
        userinfo("https://evil.example")
            .await
            .header("access-control-allow-origin"),
        None
    );
    assert_eq!(
        userinfo("http://localhost:3000")
            .await
            .header("access-control-allow-origin"),
        Some("http://localhost:3000")
    );
    // The other application's own requests do get its origin.
    let r = env
        .send(Request::new("GET", "/client/other-spa.json").with_header("origin", "https://evil.example"))
        .await;
    assert_eq!(r.header("access-control-allow-origin"), Some("https://evil.example"));
}

// ---- Bounded work per request, and no account oracle in timing ----

use edge::core::credentials::legacy_hash::LegacyHash;

/// Imports `rows` into the test connection; returns the finished job and its per-row errors.
async fn import_rows(env: &TestEnv, rows: serde_json::Value) -> (serde_json::Value, serde_json::Value) {
    let r = env
        .post_import(&rows, &[("connection_id", edge::testkit::DB_CONNECTION_ID)])
        .await;
    assert_eq!(r.status, 201, "{}", String::from_utf8_lossy(&r.body));
    let id = r.json_body()["id"].as_str().unwrap().to_owned();
    env.run_jobs().await;
    let token = env.management_token("read:users").await;
    let job = bearer(env, "GET", &format!("/api/v2/jobs/{id}"), Some(&token))
        .await
        .json_body();
    let errors = bearer(env, "GET", &format!("/api/v2/jobs/{id}/errors"), Some(&token))
        .await
        .json_body();
    (job, errors)
}

#[tokio::test]
async fn hashes_costlier_than_four_argon2id_verifications_are_refused_at_import() {
    let env = TestEnv::new().await;
    let bcrypt = |cost: u32| bcrypt::hash("Imported-1!", cost).unwrap();
    let pbkdf2 = |i: u32| format!("$pbkdf2-sha256$i={i},l=32$c2FsdHNhbHQ$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
    let scrypt = |cost: u64, r: u64| {
        json!({"algorithm": "scrypt", "hash": {"value": "00".repeat(32), "encoding": "hex"}, "salt": {"value": "s"},
            "keylen": 32, "cost": cost, "blockSize": r})
    };
    let rows = json!([
        {"email": "b10@example.com", "password_hash": bcrypt(10)},
        {"email": "b11@example.com", "password_hash": bcrypt(11)},
        {"email": "p1@example.com", "custom_password_hash": {"algorithm": "pbkdf2", "hash": {"value": pbkdf2(90_000)}}},
        {"email": "p2@example.com", "custom_password_hash": {"algorithm": "pbkdf2", "hash": {"value": pbkdf2(600_000)}}},
        {"email": "s1@example.com", "custom_password_hash": scrypt(8192, 8)},
        {"email": "s2@example.com", "custom_password_hash": scrypt(16384, 8)},
        // 128 · r · N wraps around to 0 in 64 bits: absurd, not cheap.
        {"email": "s3@example.com", "custom_password_hash": scrypt(1 << 57, 128)},
        {"email": "a1@example.com", "custom_password_hash": {"algorithm": "argon2",
            "hash": {"value": "$argon2id$v=19$m=65536,t=10,p=4$c2FsdHNhbHRzYWx0$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"}}},
    ]);
    let (job, errors) = import_rows(&env, rows).await;
    assert_eq!(job["summary"]["inserted"], 3, "{job} {errors}");
    let refused: Vec<(i64, String)> = errors
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["index"].as_i64().unwrap(),
                format!("{} {}", e["errors"][0]["code"], e["errors"][0]["message"]),
            )
        })
        .collect();
    let message = |i: i64| {
        refused
            .iter()
            .find(|(x, _)| *x == i)
            .map(|(_, m)| m.clone())
            .unwrap_or_default()
    };
    assert!(
        message(1).contains("MAXIMUM") && message(1).contains("bcrypt cost 11 (at most 10)"),
        "{refused:?}"
    );
    assert!(message(3).contains("pbkdf2-sha256 iterations 600000"), "{refused:?}");
    assert!(message(5).contains("scrypt"), "{refused:?}");
    assert!(message(6).contains("MAXIMUM"), "{refused:?}");
    assert!(message(7).contains("argon2"), "{refused:?}");
}

/// A hasher that counts its argon2id operations (hashes, verifications and dummies alike).
struct Counting<'a>(
    &'a dyn edge::core::credentials::hashing::PasswordHasher,
    std::cell::Cell<u32>,
);

#[async_trait::async_trait(?Send)]
impl edge::core::credentials::hashing::PasswordHasher for Counting<'_> {
    async fn hash(&self, password: &str, salt: &[u8]) -> edge::core::error::CoreResult<String> {
        self.1.set(self.1.get() + 1);
        self.0.hash(password, salt).await
    }
    async fn verify(&self, password: &str, phc: &str) -> edge::core::error::CoreResult<bool> {
        self.1.set(self.1.get() + 1);
        self.0.verify(password, phc).await
    }
    async fn verify_dummy(&self, password: &str) -> edge::core::error::CoreResult<()> {
        self.1.set(self.1.get() + 1);
        self.0.verify_dummy(password).await
    }
    fn work(&self) -> f64 {
        self.0.work()
    }
}

#[tokio::test]
async fn every_failed_login_spends_one_argon2id_and_the_connections_foreign_work() {
    let env = env_with_user().await;
    let imported = bcrypt::hash("Imported-1!", 8).unwrap();
    let md5 = hex::encode(<md5::Md5 as sha2::Digest>::digest(b"Imported-2!"));
    let (job, errors) = import_rows(
        &env,
        json!([{"email": "bc@example.com", "password_hash": imported},
            {"email": "md@example.com", "custom_password_hash": {"algorithm": "md5", "hash": {"value": md5}}}]),
    )
    .await;
    assert_eq!(job["summary"]["inserted"], 2, "{errors}");
    // The import remembered the heaviest class: a bcrypt hash of the same cost nobody matches.
    let conn = edge::core::directory::tenant::connection_by_name(env.core().db, DB_CONNECTION)
        .await
        .unwrap()
        .unwrap();
    let dummy = LegacyHash::from_stored(conn.foreign_hash_dummy.as_deref().expect("dummy")).unwrap();
    assert!(dummy.work() == LegacyHash::parse(&bcrypt::hash("x", 8).unwrap()).unwrap().work());
    assert!(!dummy.verify("Imported-1!"));

    let counting = Counting(&env.hasher, std::cell::Cell::new(0));
    let core = edge::core::Core {
        hasher: &counting,
        ..env.core()
    };
    let origin = edge::core::oauth::grants::Origin { ip: "8.8.8.8" };
    for (who, password) in [
        ("ada@example.com", "wrong-password"),
        ("bc@example.com", "wrong-password"),
        ("md@example.com", "wrong-password"),
        ("nobody@example.com", "wrong-password"),
    ] {
        counting.1.set(0);
        let r = edge::core::oauth::grants::check_credentials(&core, &conn, who, password, origin).await;
        assert!(
            matches!(r, Err(edge::core::error::CoreError::WrongCredentials)),
            "{who}"
        );
        assert_eq!(counting.1.get(), 1, "{who}: one argon2id operation, like everyone");
    }
    // A right password for an imported hash: verified, then upgraded to argon2id (one hash).
    counting.1.set(0);
    check_ok(&core, &conn, "bc@example.com", "Imported-1!", origin).await;
    assert_eq!(counting.1.get(), 1);
}

async fn check_ok(
    core: &edge::core::Core<'_>,
    conn: &edge::core::directory::tenant::Connection,
    who: &str,
    pw: &str,
    origin: edge::core::oauth::grants::Origin<'_>,
) {
    let r = edge::core::oauth::grants::check_credentials(core, conn, who, pw, origin).await;
    assert!(r.is_ok(), "{who}: {:?}", r.err());
}
