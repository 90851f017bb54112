//! Applications, client grants and resource servers through the Management API: secrets shown
//! once, exact URLs, grants only for confidential clients and only for offered scopes, and
//! grants that take effect on tokens already issued.

use edge::api::{Request, Response};
use edge::testkit::{TestEnv, ISSUER, MANAGEMENT_SCOPES};
use serde_json::{json, Value};

async fn call(env: &TestEnv, method: &str, path: &str, body: Option<Value>) -> Response {
    env.management_call(MANAGEMENT_SCOPES, method, path, body).await
}

async fn client_credentials(env: &TestEnv, id: &str, secret: &str, audience: &str) -> Response {
    let mut req = Request::new("POST", "/oauth/token").with_json(
        &json!({"grant_type": "client_credentials", "client_id": id, "client_secret": secret, "audience": audience}),
    );
    req.ip = Some("9.9.9.9".into());
    env.send(req).await
}

#[tokio::test]
async fn clients_are_created_with_a_secret_shown_once_and_rotated() {
    let env = TestEnv::new().await;
    let spa = call(
        &env,
        "POST",
        "clients",
        Some(json!({"name": "My SPA", "app_type": "spa",
        "callbacks": ["https://app.example.com/callback"], "web_origins": ["https://app.example.com"]})),
    )
    .await;
    assert_eq!(spa.status, 201, "{}", String::from_utf8_lossy(&spa.body));
    let spa = spa.json_body();
    assert_eq!(spa["token_endpoint_auth_method"], "none");
    assert!(spa.get("client_secret").is_none(), "a public client has no secret");

    let m2m = call(
        &env,
        "POST",
        "clients",
        Some(json!({"name": "Backend", "app_type": "non_interactive",
        "grant_types": ["client_credentials"]})),
    )
    .await
    .json_body();
    let (id, secret) = (
        m2m["client_id"].as_str().unwrap(),
        m2m["client_secret"].as_str().unwrap(),
    );
    assert!(secret.len() >= 43);
    let fetched = call(&env, "GET", &format!("clients/{id}"), None).await.json_body();
    assert!(fetched.get("client_secret").is_none(), "shown once");
    assert!(call(&env, "GET", "clients", None)
        .await
        .json_body()
        .as_array()
        .unwrap()
        .iter()
        .any(|c| c["client_id"] == id));

    // An API of its own, a grant, a token.
    let api = call(
        &env,
        "POST",
        "resource-servers",
        Some(json!({"identifier": "https://api.example.com/",
        "name": "Orders", "scopes": [{"value": "read:orders"}, {"value": "write:orders"}]})),
    )
    .await;
    assert_eq!(api.status, 201, "{}", String::from_utf8_lossy(&api.body));
    let grant = call(
        &env,
        "POST",
        "client-grants",
        Some(json!({"client_id": id,
        "audience": "https://api.example.com/", "scope": ["read:orders"]})),
    )
    .await;
    assert_eq!(grant.status, 201, "{}", String::from_utf8_lossy(&grant.body));
    let t = client_credentials(&env, id, secret, "https://api.example.com/").await;
    assert_eq!(t.status, 200, "{}", String::from_utf8_lossy(&t.body));
    assert_eq!(t.json_body()["scope"], "read:orders");

    // Rotation: the old secret stops working at once.
    let rotated = call(&env, "POST", &format!("clients/{id}/rotate-secret"), None)
        .await
        .json_body();
    let new_secret = rotated["client_secret"].as_str().unwrap();
    assert_ne!(new_secret, secret);
    assert_eq!(
        client_credentials(&env, id, secret, "https://api.example.com/")
            .await
            .status,
        401
    );
    assert_eq!(
        client_credentials(&env, id, new_secret, "https://api.example.com/")
            .await
            .status,
        200
    );

    // Deleting the client ends its grants.
    assert_eq!(call(&env, "DELETE", &format!("clients/{id}"), None).await.status, 204);
    assert_eq!(call(&env, "GET", &format!("clients/{id}"), None).await.status, 404);
    let grants = call(&env, "GET", &format!("client-grants?client_id={id}"), None)
        .await
        .json_body();
    assert_eq!(grants, json!([]));
}

#[tokio::test]
async fn client_settings_are_checked() {
    let env = TestEnv::new().await;
    for (body, why) in [
        (json!({"app_type": "spa"}), "name is required"),
        (
            json!({"name": "x", "callbacks": ["https://*.example.com/cb"]}),
            "no wildcards",
        ),
        (
            json!({"name": "x", "callbacks": ["http://app.example.com/cb"]}),
            "https only",
        ),
        (json!({"name": "x", "callbacks": ["/relative"]}), "absolute"),
        (
            json!({"name": "x", "web_origins": ["https://app.example.com/path"]}),
            "an origin",
        ),
        (
            json!({"name": "x", "app_type": "spa", "grant_types": ["client_credentials"]}),
            "public client",
        ),
        (json!({"name": "x", "grant_types": ["urn:made-up"]}), "unknown grant"),
        (json!({"name": "x", "app_type": "robot"}), "unknown app type"),
        (json!({"name": "x", "favourite_colour": "blue"}), "unknown field"),
        (
            json!({"name": "x", "jwt_configuration": {"lifetime_in_seconds": 0}}),
            "lifetime",
        ),
    ] {
        let r = call(&env, "POST", "clients", Some(body)).await;
        assert_eq!(r.status, 400, "{why}: {}", String::from_utf8_lossy(&r.body));
    }
    let local = call(
        &env,
        "POST",
        "clients",
        Some(json!({"name": "Dev", "app_type": "spa",
        "callbacks": ["http://localhost:3000/cb"], "allowed_logout_urls": ["http://127.0.0.1:3000/"]})),
    )
    .await;
    assert_eq!(local.status, 201, "http on loopback is fine");
    let id = local.json_body()["client_id"].as_str().unwrap().to_owned();
    let patched = call(
        &env,
        "PATCH",
        &format!("clients/{id}"),
        Some(json!({"callbacks": ["https://app.example.com/cb"],
        "cross_origin_authentication": true})),
    )
    .await
    .json_body();
    assert_eq!(patched["callbacks"], json!(["https://app.example.com/cb"]));
    assert_eq!(patched["cross_origin_authentication"], true);
    assert_eq!(patched["name"], "Dev", "untouched fields stay");
}

#[tokio::test]
async fn grants_offer_only_an_apis_scopes_and_take_effect_on_issued_tokens() {
    let env = TestEnv::new().await;
    let api = format!("{ISSUER}api/v2/");
    let c = call(
        &env,
        "POST",
        "clients",
        Some(json!({"name": "Ops", "app_type": "non_interactive",
        "grant_types": ["client_credentials"]})),
    )
    .await
    .json_body();
    let (id, secret) = (c["client_id"].as_str().unwrap(), c["client_secret"].as_str().unwrap());
    let r = call(
        &env,
        "POST",
        "client-grants",
        Some(json!({"client_id": id, "audience": api, "scope": ["read:everything"]})),
    )
    .await;
    assert_eq!(r.status, 400, "a scope the API does not offer");
    let spa = call(&env, "POST", "clients", Some(json!({"name": "S", "app_type": "spa"})))
        .await
        .json_body();
    let r = call(
        &env,
        "POST",
        "client-grants",
        Some(json!({"client_id": spa["client_id"], "audience": api, "scope": ["read:users"]})),
    )
    .await;
    assert_eq!(r.status, 400, "a public client cannot hold a grant");
    let grant = call(
        &env,
        "POST",
        "client-grants",
        Some(json!({"client_id": id, "audience": api,
        "scope": ["read:users", "read:clients"]})),
    )
    .await
    .json_body();
    let gid = grant["id"].as_str().unwrap();
    assert!(gid.starts_with("cgr_"));
    let token = client_credentials(&env, id, secret, &api).await.json_body()["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    let get = |path: &'static str| {
        let token = token.clone();
        let env = &env;
        async move {
            env.send(
                Request::new("GET", &format!("/api/v2/{path}"))
                    .with_header("authorization", &format!("Bearer {token}")),
            )
            .await
            .status
        }
    };
    assert_eq!(get("clients").await, 200);
    // Narrowed: the token already issued loses the scope at once.
    let r = call(
        &env,
        "PATCH",
        &format!("client-grants/{gid}"),
        Some(json!({"scope": ["read:users"]})),
    )
    .await;
    assert_eq!(r.status, 200);
    assert_eq!(get("clients").await, 403);
    assert_eq!(get("users").await, 200);
    assert_eq!(
        call(&env, "DELETE", &format!("client-grants/{gid}"), None).await.status,
        204
    );
    assert_eq!(get("users").await, 401, "no grant, no Management API");
    // The Management API itself is a system API.
    let r = call(
        &env,
        "PATCH",
        &format!("resource-servers/{}", urlencode(&api)),
        Some(json!({"scopes": [{"value": "god:mode"}]})),
    )
    .await;
    assert_eq!(r.status, 403);
    let apis = call(&env, "GET", "resource-servers", None).await.json_body();
    assert!(apis
        .as_array()
        .unwrap()
        .iter()
        .any(|a| a["identifier"] == api && a["is_system"] == true));
}

fn urlencode(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

#[tokio::test]
async fn an_apis_scopes_removed_leave_its_grants() {
    let env = TestEnv::new().await;
    call(
        &env,
        "POST",
        "resource-servers",
        Some(json!({"identifier": "urn:orders", "scopes": [{"value": "a"}, {"value": "b"}]})),
    )
    .await;
    let c = call(
        &env,
        "POST",
        "clients",
        Some(json!({"name": "B", "app_type": "non_interactive", "grant_types": ["client_credentials"]})),
    )
    .await
    .json_body();
    let g = call(
        &env,
        "POST",
        "client-grants",
        Some(json!({"client_id": c["client_id"], "audience": "urn:orders", "scope": ["a", "b"]})),
    )
    .await;
    assert_eq!(g.status, 201);
    let dup = call(
        &env,
        "POST",
        "client-grants",
        Some(json!({"client_id": c["client_id"], "audience": "urn:orders", "scope": ["a"]})),
    )
    .await;
    assert_eq!(dup.status, 409);
    let r = call(
        &env,
        "PATCH",
        "resource-servers/urn%3Aorders",
        Some(json!({"scopes": [{"value": "b"}]})),
    )
    .await;
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    let grants = call(&env, "GET", "client-grants?audience=urn%3Aorders", None)
        .await
        .json_body();
    assert_eq!(grants[0]["scope"], json!(["b"]));
}

#[tokio::test]
async fn deleting_a_connection_deletes_its_users_and_their_sessions() {
    let env = TestEnv::new().await;
    let created = call(
        &env,
        "POST",
        "connections",
        Some(json!({"name": "to-delete", "strategy": "auth0", "enabled_clients": [edge::testkit::SPA_CLIENT]})),
    )
    .await;
    assert_eq!(created.status, 201, "{}", String::from_utf8_lossy(&created.body));
    let id = created.json_body()["id"].as_str().unwrap().to_owned();
    for (connection, email) in [
        ("to-delete", "gone@example.com"),
        (edge::testkit::DB_CONNECTION, "stays@example.com"),
    ] {
        let r = env
            .post_json(
                "/dbconnections/signup",
                json!({"client_id": edge::testkit::SPA_CLIENT, "connection": connection, "email": email, "password": "Analytical1!"}),
            )
            .await;
        assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
        let mut login = edge::api::Request::new("POST", "/oauth/token").with_json(&json!({
            "grant_type": "http://auth0.com/oauth/grant-type/password-realm", "client_id": edge::testkit::SPA_CLIENT,
            "username": email, "password": "Analytical1!", "realm": connection, "scope": "openid offline_access"}));
        login.ip = Some("9.9.9.8".into());
        assert_eq!(env.send(login).await.status, 200);
    }
    let deleted = call(&env, "DELETE", &format!("connections/{id}"), None).await;
    assert_eq!(deleted.status, 204, "{}", String::from_utf8_lossy(&deleted.body));
    assert_eq!(call(&env, "GET", &format!("connections/{id}"), None).await.status, 404);
    let users = call(&env, "GET", "users", None).await.json_body();
    let emails: Vec<&str> = users
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["email"].as_str().unwrap())
        .collect();
    assert_eq!(emails, ["stays@example.com"]);
    let orphans = env
        .core()
        .db
        .query(edge::core::platform::db::Stmt::new(
            "SELECT (SELECT COUNT(*) FROM refresh_tokens WHERE user_id NOT IN (SELECT user_id FROM users)) AS n",
        ))
        .await
        .unwrap();
    assert_eq!(orphans[0]["n"], 0, "refresh tokens went with their users");
    assert_eq!(
        call(&env, "DELETE", &format!("connections/{id}"), None).await.status,
        404
    );
}
