//! `GET /api/v2/users` with `q` (v3 syntax), sort and paging with totals.

use edge::api::Request;
use edge::testkit::{TestEnv, DB_CONNECTION, MANAGEMENT_SCOPES};
use serde_json::{json, Value};

async fn get(env: &TestEnv, query: &[(&str, &str)]) -> (u16, Value) {
    let token = env.management_token(MANAGEMENT_SCOPES).await;
    let qs = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(query)
        .finish();
    let r = env
        .send(
            Request::new("GET", &format!("/api/v2/users?{qs}"))
                .with_header("authorization", &format!("Bearer {token}")),
        )
        .await;
    (r.status, r.json_body())
}

fn emails(v: &Value) -> Vec<&str> {
    let list = v.get("users").unwrap_or(v);
    list.as_array()
        .unwrap()
        .iter()
        .map(|u| u["email"].as_str().unwrap())
        .collect()
}

async fn people() -> TestEnv {
    let env = TestEnv::new().await;
    let token = env.management_token(MANAGEMENT_SCOPES).await;
    for (email, name, logins) in [
        ("ada@example.com", "Ada Lovelace", 3),
        ("adam@example.org", "Adam Smith", 1),
        ("grace@example.com", "Grace Hopper", 7),
        ("alan%_@example.com", "Alan Turing", 0),
    ] {
        let r = env
            .send(
                Request::new("POST", "/api/v2/users")
                    .with_header("authorization", &format!("Bearer {token}"))
                    .with_json(&json!({"connection": DB_CONNECTION, "email": email, "name": name, "password": "Analytical1!x"})),
            )
            .await;
        assert_eq!(r.status, 201, "{}", String::from_utf8_lossy(&r.body));
        let id = r.json_body()["user_id"].as_str().unwrap().to_owned();
        env.exec(
            edge::core::platform::db::Stmt::new("UPDATE users SET logins_count = ?1 WHERE user_id = ?2")
                .bind(logins as i64)
                .bind(edge::core::directory::users::id_from_sub(&id).unwrap()),
        )
        .await;
        env.clock.advance_ms(1000);
    }
    env
}

#[tokio::test]
async fn search_by_field_quoted_and_prefix() {
    let env = people().await;
    let (s, v) = get(&env, &[("q", r#"email:"ADA@example.com""#), ("search_engine", "v3")]).await;
    assert_eq!((s, emails(&v)), (200, vec!["ada@example.com"]));
    let (_, v) = get(&env, &[("q", "email:ada*")]).await;
    assert_eq!(emails(&v), ["ada@example.com", "adam@example.org"]);
    let (_, v) = get(&env, &[("q", r#"name:"ada lovelace""#)]).await;
    assert_eq!(emails(&v), ["ada@example.com"]);
    let (_, v) = get(&env, &[("q", r#"name:"Ada*" AND email:"adam@example.org""#)]).await;
    assert_eq!(emails(&v), ["adam@example.org"]);
    // LIKE's own wildcards in a prefix are plain characters.
    let (_, v) = get(&env, &[("q", "name:Al%*")]).await;
    assert!(emails(&v).is_empty());
    let (_, v) = get(&env, &[("q", "email:alan%_*")]).await;
    assert_eq!(emails(&v), ["alan%_@example.com"]);
    let id = get(&env, &[("q", "email:grace@example.com")]).await.1[0]["user_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let (_, v) = get(&env, &[("q", &format!("user_id:\"{id}\""))]).await;
    assert_eq!(emails(&v), ["grace@example.com"]);
    let (_, v) = get(
        &env,
        &[(
            "q",
            &format!("identities.connection:\"{DB_CONNECTION}\" grace@example.com"),
        )],
    )
    .await;
    assert_eq!(emails(&v), ["grace@example.com"]);
    let (_, v) = get(&env, &[("q", "identities.connection:\"Nope\"")]).await;
    assert_eq!(v["statusCode"], 400);
}

#[tokio::test]
async fn sort_and_paging_with_totals() {
    let env = people().await;
    let (_, v) = get(&env, &[("sort", "logins_count:-1")]).await;
    assert_eq!(
        emails(&v),
        [
            "grace@example.com",
            "ada@example.com",
            "adam@example.org",
            "alan%_@example.com"
        ]
    );
    let (_, v) = get(
        &env,
        &[
            ("sort", "email:1"),
            ("per_page", "2"),
            ("page", "1"),
            ("include_totals", "true"),
        ],
    )
    .await;
    assert_eq!(emails(&v), ["alan%_@example.com", "grace@example.com"]);
    assert_eq!(
        (v["total"].as_i64(), v["start"].as_i64(), v["limit"].as_i64()),
        (Some(4), Some(2), Some(2))
    );
    let (_, v) = get(
        &env,
        &[("q", "email:ada*"), ("include_totals", "true"), ("per_page", "1")],
    )
    .await;
    assert_eq!((v["total"].as_i64(), v["length"].as_i64()), (Some(2), Some(1)));
}

#[tokio::test]
async fn bad_searches_get_auth0s_400() {
    let env = people().await;
    for q in [
        vec![("q", "email:a OR email:b")],
        vec![("q", "email:*example.com")],
        vec![("q", "email:ad*")],
        vec![("q", "password_hash:x")],
        vec![("search_engine", "v2")],
        vec![("sort", "password_hash:1")],
        vec![("per_page", "100"), ("page", "10")],
    ] {
        let (s, v) = get(&env, &q).await;
        assert_eq!(s, 400, "{q:?}: {v}");
        assert_eq!(v["error"], "Bad Request");
        assert!(v["message"].as_str().is_some_and(|m| !m.is_empty()));
    }
}
