use edge::api::Request;
use edge::testkit::{TestEnv, DB_CONNECTION, SPA_CLIENT};
use serde_json::json;

fn body(email: &str, password: &str) -> serde_json::Value {
    json!({"client_id": SPA_CLIENT, "connection": DB_CONNECTION, "email": email, "password": password})
}

#[tokio::test]
async fn signup_creates_user_in_auth0_shape() {
    let env = TestEnv::new().await;
    let r = env
        .post_json("/dbconnections/signup", body(" Ada@Example.COM ", "Analytical1!"))
        .await;
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    let j = r.json_body();
    assert_eq!(j["email"], "ada@example.com");
    assert_eq!(j["email_verified"], false);
    assert_eq!(j["_id"].as_str().unwrap().len(), 24);
    assert!(j.get("password").is_none());
}

#[tokio::test]
async fn second_signup_of_same_email_is_generic_invalid_signup() {
    let env = TestEnv::new().await;
    assert_eq!(
        env.post_json("/dbconnections/signup", body("a@b.co", "Analytical1!"))
            .await
            .status,
        200
    );
    let r = env
        .post_json("/dbconnections/signup", body("A@B.CO", "Different2@"))
        .await;
    assert_eq!(r.status, 400);
    assert_eq!(
        r.json_body(),
        json!({"name":"BadRequestError","code":"invalid_signup","description":"Invalid sign up","statusCode":400})
    );
}

#[tokio::test]
async fn user_exists_behind_tenant_flag() {
    let env = TestEnv::new().await;
    env.set_flags(json!({"enable_public_signup_user_exists_error": true}))
        .await;
    env.post_json("/dbconnections/signup", body("a@b.co", "Analytical1!"))
        .await;
    let r = env
        .post_json("/dbconnections/signup", body("a@b.co", "Analytical1!"))
        .await;
    assert_eq!(
        r.json_body(),
        json!({"name":"BadRequestError","code":"user_exists","description":"The user already exists.","statusCode":400})
    );
}

#[tokio::test]
async fn weak_password_gets_password_strength_error() {
    let env = TestEnv::new().await;
    let r = env.post_json("/dbconnections/signup", body("a@b.co", "abcdefgh")).await;
    assert_eq!(r.status, 400);
    let j = r.json_body();
    assert_eq!(j["name"], "PasswordStrengthError");
    assert_eq!(j["code"], "invalid_password");
    assert_eq!(j["message"], "Password is too weak");
    assert_eq!(j["statusCode"], 400);
    assert_eq!(j["description"]["verified"], false);
    assert_eq!(j["description"]["rules"][0]["code"], "lengthAtLeast");
    assert_eq!(j["description"]["rules"][0]["verified"], true);
    assert_eq!(j["description"]["rules"][1]["verified"], false);
    assert!(j["policy"]
        .as_str()
        .unwrap()
        .starts_with("* At least 8 characters in length\n"));
}

#[tokio::test]
async fn dictionary_password_is_refused() {
    let env = TestEnv::new().await;
    let r = env
        .post_json("/dbconnections/signup", body("a@b.co", "Password1"))
        .await;
    assert_eq!(r.json_body()["name"], "PasswordDictionaryError", "{:?}", r.json_body());
}

#[tokio::test]
async fn bad_input_gets_4xx_json_never_500() {
    let env = TestEnv::new().await;
    let malformed = Request::new("POST", "/dbconnections/signup").with_header("content-type", "application/json");
    let mut m = malformed.clone();
    m.body = b"{not json".to_vec();
    let r = env.send(m).await;
    assert_eq!((r.status, r.json_body()["code"].clone()), (400, json!("invalid_body")));

    let mut wrong_type = Request::new("POST", "/dbconnections/signup").with_header("content-type", "text/plain");
    wrong_type.body = body("a@b.co", "Analytical1!").to_string().into_bytes();
    let r = env.send(wrong_type).await;
    assert_eq!(r.status, 415);
    assert_eq!(r.json_body()["statusCode"], 415);

    let r = env
        .post_json(
            "/dbconnections/signup",
            json!({"connection": DB_CONNECTION, "password": "Analytical1!"}),
        )
        .await;
    assert_eq!(
        (r.status, r.json_body()["description"].clone()),
        (400, json!("Missing email"))
    );

    let r = env
        .post_json(
            "/dbconnections/signup",
            json!({"connection": DB_CONNECTION, "email": 5, "password": "x"}),
        )
        .await;
    assert_eq!(r.status, 400);

    let r = env.post_json("/dbconnections/signup", json!([1, 2])).await;
    assert_eq!(r.status, 400);

    let r = env
        .post_json("/dbconnections/signup", body("not-an-email", "Analytical1!"))
        .await;
    assert_eq!(
        (r.status, r.json_body()["code"].clone()),
        (400, json!("invalid_request"))
    );

    let mut big = Request::new("POST", "/dbconnections/signup").with_header("content-type", "application/json");
    big.body = vec![b' '; edge::api::MAX_BODY_BYTES + 1];
    assert_eq!(env.send(big).await.status, 413);

    let r = env.send(Request::new("GET", "/dbconnections/signup")).await;
    assert_eq!(r.status, 405);
    let r = env.send(Request::new("GET", "/nope")).await;
    assert_eq!((r.status, r.json_body()["code"].clone()), (404, json!("not_found")));
}

#[tokio::test]
async fn unknown_connection_and_client() {
    let env = TestEnv::new().await;
    let mut b = body("a@b.co", "Analytical1!");
    b["connection"] = json!("Nope");
    assert_eq!(
        env.post_json("/dbconnections/signup", b).await.json_body()["code"],
        "connection_not_found"
    );
    let mut b = body("a@b.co", "Analytical1!");
    b["client_id"] = json!("who");
    assert_eq!(
        env.post_json("/dbconnections/signup", b).await.json_body()["code"],
        "invalid_client"
    );
}

#[tokio::test]
async fn metadata_limits() {
    let env = TestEnv::new().await;
    let mut b = body("a@b.co", "Analytical1!");
    b["user_metadata"] = json!({"plan": "x".repeat(501)});
    assert_eq!(env.post_json("/dbconnections/signup", b.clone()).await.status, 400);
    b["user_metadata"] = json!({"plan": "pro"});
    let r = env.post_json("/dbconnections/signup", b).await;
    assert_eq!(r.json_body()["user_metadata"], json!({"plan": "pro"}));
}

#[tokio::test]
async fn disabled_signup_and_username_rules() {
    let env = TestEnv::with_connection(json!({"disable_signup": true})).await;
    let r = env.post_json("/dbconnections/signup", body("a@b.co", "x")).await;
    assert_eq!(r.json_body()["description"], "public signup is disabled");

    let env =
        TestEnv::with_connection(json!({"requires_username": true, "validation": {"username": {"min": 3, "max": 10}}}))
            .await;
    assert_eq!(
        env.post_json("/dbconnections/signup", body("a@b.co", "x"))
            .await
            .json_body()["description"],
        "Missing username"
    );
    let mut b = body("a@b.co", "x");
    b["username"] = json!("ab");
    assert_eq!(env.post_json("/dbconnections/signup", b.clone()).await.status, 400);
    b["username"] = json!("Ada_L");
    let r = env.post_json("/dbconnections/signup", b.clone()).await;
    assert_eq!(r.json_body()["username"], "ada_l");
    b["email"] = json!("other@b.co");
    let r = env.post_json("/dbconnections/signup", b).await;
    assert_eq!(r.json_body()["code"], "invalid_signup", "username taken");
}

/// Many sign-ups of one email leave exactly one user (the unique index decides). Truly parallel
/// sign-ups are exercised against workerd and D1 by the e2e suite.
#[tokio::test]
async fn repeated_signups_of_one_email_make_one_user() {
    let env = TestEnv::new().await;
    let mut statuses = Vec::new();
    for _ in 0..50 {
        let r = env
            .post_json("/dbconnections/signup", body("race@b.co", "Analytical1!"))
            .await;
        statuses.push((r.status, r.json_body()["code"].clone()));
    }
    assert_eq!(statuses.iter().filter(|(s, _)| *s == 200).count(), 1);
    assert!(statuses
        .iter()
        .filter(|(s, _)| *s != 200)
        .all(|(_, c)| c == "invalid_signup"));
}

#[tokio::test]
async fn client_config_for_widget_and_lock() {
    let env = TestEnv::new().await;
    let r = env
        .send(Request::new("GET", &format!("/client/{SPA_CLIENT}.json")))
        .await;
    assert_eq!(r.status, 200);
    let j = r.json_body();
    assert_eq!(j["strategies"][0]["connections"][0]["name"], DB_CONNECTION);
    assert_eq!(j["strategies"][0]["connections"][0]["passwordPolicy"], "good");
    let r = env.send(Request::new("GET", &format!("/client/{SPA_CLIENT}.js"))).await;
    assert!(String::from_utf8(r.body)
        .unwrap()
        .starts_with("Auth0.setClient({\"id\":\"test-spa\""));
    assert_eq!(env.send(Request::new("GET", "/client/nope.json")).await.status, 404);
}

#[tokio::test]
async fn bench_routes_are_off_by_default() {
    let env = TestEnv::new().await;
    assert_eq!(env.send(Request::new("GET", "/__bench/argon2?n=1")).await.status, 404);
}

#[tokio::test]
async fn cors_only_for_allowed_web_origins() {
    let env = TestEnv::new().await;
    let allowed = "http://localhost:3000";
    let pre = env
        .send(
            Request::new("OPTIONS", "/dbconnections/signup")
                .with_header("origin", allowed)
                .with_header("access-control-request-method", "POST"),
        )
        .await;
    assert_eq!(pre.status, 204);
    assert_eq!(pre.header("access-control-allow-origin"), Some(allowed));
    assert!(pre
        .header("access-control-allow-headers")
        .unwrap()
        .contains("Content-Type"));

    let evil = env
        .send(Request::new("OPTIONS", "/dbconnections/signup").with_header("origin", "http://localhost:3000.evil.com"))
        .await;
    assert_eq!(evil.header("access-control-allow-origin"), None);
    let prefix = env
        .send(Request::new("OPTIONS", "/dbconnections/signup").with_header("origin", "http://localhost:300"))
        .await;
    assert_eq!(prefix.header("access-control-allow-origin"), None, "exact match only");

    let r = env
        .send(
            Request::new("POST", "/dbconnections/signup")
                .with_header("origin", allowed)
                .with_json(&body("c@d.co", "Analytical1!")),
        )
        .await;
    assert_eq!(r.header("access-control-allow-origin"), Some(allowed));
    assert_eq!(r.header("access-control-allow-credentials"), Some("true"));

    let jwks = env
        .send(Request::new("GET", "/.well-known/jwks.json").with_header("origin", "https://anyone.example"))
        .await;
    assert_eq!(jwks.header("access-control-allow-origin"), Some("*"));
}
