//! Members (issue 22): owners invite (a single-use, expiring link by mail), change roles and remove
//! members, without SQL; the last owner stays; nobody else — not an admin, not a client holding
//! every scope — reaches these routes.

use edge::api::Response;
use edge::core::directory::admins::CONSOLE_CLIENT_ID;
use edge::core::platform::db::Stmt;
use edge::testkit::{TestEnv, ISSUER, MANAGEMENT_SCOPES};
use serde_json::{json, Value};

use super::admins::{callback, console_login};

const PW: &str = "Console-owner-pass-1";
const NEW_PW: &str = "Invited-member-pass-1";

async fn token_of(env: &TestEnv, email: &str, password: &str) -> String {
    let t = console_login(env, CONSOLE_CLIENT_ID, &callback(), email, password).await;
    assert_eq!(t.status, 200, "{}", String::from_utf8_lossy(&t.body));
    t.json_body()["access_token"].as_str().unwrap().to_owned()
}

async fn call(env: &TestEnv, token: &str, method: &str, path: &str, body: Option<Value>) -> Response {
    env.api(token, method, path, body).await
}

fn ticket_of(link: &str) -> String {
    link.split("ticket=").nth(1).unwrap().to_owned()
}

#[tokio::test]
async fn an_owner_invites_a_member_who_sets_a_password_once_and_signs_in() {
    let env = TestEnv::new().await;
    env.add_member("owner@example.com", PW, "owner").await;
    let owner = token_of(&env, "owner@example.com", PW).await;

    let invited = call(
        &env,
        &owner,
        "POST",
        "members",
        Some(json!({"email": "Ada@Example.com", "role": "admin"})),
    )
    .await;
    assert_eq!(invited.status, 201, "{}", String::from_utf8_lossy(&invited.body));
    let m = invited.json_body();
    assert_eq!(m["email"], "ada@example.com");
    assert_eq!(m["role"], "admin");
    assert_eq!(m["pending"], true);
    let id = m["user_id"].as_str().unwrap().to_owned();
    // Pending: no password, no sign-in.
    let early = console_login(
        &env,
        CONSOLE_CLIENT_ID,
        &callback(),
        "ada@example.com",
        "anything-at-all-1",
    )
    .await;
    assert_ne!(early.status, 200);
    // The same address again: a clear conflict.
    let again = call(
        &env,
        &owner,
        "POST",
        "members",
        Some(json!({"email": "ada@example.com", "role": "viewer"})),
    )
    .await;
    assert_eq!(again.status, 409);

    let link = env.last_link("ada@example.com").await.expect("the invitation mail");
    assert!(link.starts_with(&format!("{ISSUER}lo/reset?ticket=")), "{link}");
    let set = env
        .post_json("/lo/reset", json!({"ticket": ticket_of(&link), "password": NEW_PW}))
        .await;
    assert_eq!(set.status, 200, "{}", String::from_utf8_lossy(&set.body));
    let twice = env
        .post_json(
            "/lo/reset",
            json!({"ticket": ticket_of(&link), "password": "Another-member-pass-2"}),
        )
        .await;
    assert_eq!(twice.status, 400, "the link works once");

    let ada = token_of(&env, "ada@example.com", NEW_PW).await;
    assert_eq!(
        call(&env, &ada, "GET", "users", None).await.status,
        200,
        "an admin operates the tenant"
    );
    assert_eq!(
        call(&env, &ada, "GET", "members", None).await.status,
        403,
        "but does not manage members"
    );
    let listed = call(&env, &owner, "GET", "members", None).await.json_body();
    let ada_row = listed
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["user_id"] == id.as_str())
        .unwrap()
        .clone();
    assert_eq!(ada_row["pending"], false);
    assert_eq!(listed[0]["role"], "owner", "owners first");
}

#[tokio::test]
async fn an_invitation_expires_after_seven_days() {
    let env = TestEnv::new().await;
    env.add_member("owner@example.com", PW, "owner").await;
    let owner = token_of(&env, "owner@example.com", PW).await;
    let r = call(
        &env,
        &owner,
        "POST",
        "members",
        Some(json!({"email": "late@example.com", "role": "viewer"})),
    )
    .await;
    assert_eq!(r.status, 201);
    let link = env.last_link("late@example.com").await.unwrap();
    env.clock.advance_ms(7 * 24 * 3600 * 1000 + 1000);
    let set = env
        .post_json("/lo/reset", json!({"ticket": ticket_of(&link), "password": NEW_PW}))
        .await;
    assert_eq!(set.status, 400, "{}", String::from_utf8_lossy(&set.body));
}

#[tokio::test]
async fn only_owners_reach_the_members_routes() {
    let env = TestEnv::new().await;
    env.add_member("owner@example.com", PW, "owner").await;
    env.add_member("admin@example.com", PW, "admin").await;
    let admin = token_of(&env, "admin@example.com", PW).await;
    // A client with every Management API scope — and a grant naming the owner-only ones too.
    let all = format!("{MANAGEMENT_SCOPES} read:members create:members update:members delete:members");
    env.exec(
        Stmt::new("UPDATE client_grants SET scope = ?1").bind(json!(all.split(' ').collect::<Vec<_>>()).to_string()),
    )
    .await;
    env.exec(
        Stmt::new("UPDATE resource_servers SET scopes = ?1")
            .bind(json!(all.split(' ').collect::<Vec<_>>()).to_string()),
    )
    .await;
    let m2m = env.management_token(&all).await;
    for token in [&admin, &m2m] {
        for (method, path, body) in [
            ("GET", "members", None),
            (
                "POST",
                "members",
                Some(json!({"email": "x@example.com", "role": "owner"})),
            ),
            ("PATCH", "members/auth0|whoever", Some(json!({"role": "owner"}))),
            ("DELETE", "members/auth0|whoever", None),
            ("DELETE", "members/auth0|whoever/blocks", None),
        ] {
            let r = call(&env, token, method, path, body).await;
            assert_eq!(r.status, 403, "{method} {path}: {}", String::from_utf8_lossy(&r.body));
        }
    }
    let nobody = env.api("not-a-token", "GET", "members", None).await;
    assert_eq!(nobody.status, 401);
    let wrong = call(&env, &admin, "PUT", "members", None).await;
    assert_eq!(wrong.status, 405);
    assert_eq!(wrong.header("allow"), Some("GET, POST"));
}

#[tokio::test]
async fn roles_change_the_last_owner_stays_and_removal_ends_access() {
    let env = TestEnv::new().await;
    let owner_id = format!("auth0|{}", env.add_member("owner@example.com", PW, "owner").await);
    let admin_id = format!("auth0|{}", env.add_member("admin@example.com", PW, "admin").await);
    let owner = token_of(&env, "owner@example.com", PW).await;

    let bad = call(
        &env,
        &owner,
        "PATCH",
        &format!("members/{admin_id}"),
        Some(json!({"role": "root"})),
    )
    .await;
    assert_eq!(bad.status, 400, "a precise 400 for an unknown role");
    let demote = call(
        &env,
        &owner,
        "PATCH",
        &format!("members/{owner_id}"),
        Some(json!({"role": "admin"})),
    )
    .await;
    assert_eq!(
        demote.status,
        400,
        "the last owner: {}",
        String::from_utf8_lossy(&demote.body)
    );
    let remove = call(&env, &owner, "DELETE", &format!("members/{owner_id}"), None).await;
    assert_eq!(remove.status, 400);

    // A second owner: now the first may step down.
    let up = call(
        &env,
        &owner,
        "PATCH",
        &format!("members/{admin_id}"),
        Some(json!({"role": "owner"})),
    )
    .await;
    assert_eq!(up.status, 200, "{}", String::from_utf8_lossy(&up.body));
    assert_eq!(up.json_body()["role"], "owner");
    let second = token_of(&env, "admin@example.com", PW).await;
    let down = call(
        &env,
        &second,
        "PATCH",
        &format!("members/{owner_id}"),
        Some(json!({"role": "viewer"})),
    )
    .await;
    assert_eq!(down.status, 200);
    // The former owner's token lost the owner-only scopes' routes at once (the role is read at every call).
    assert_eq!(call(&env, &owner, "GET", "members", None).await.status, 403);

    // Removed: the account is gone, its token stops working, and it can sign in no more.
    let gone = call(&env, &second, "DELETE", &format!("members/{owner_id}"), None).await;
    assert_eq!(gone.status, 204);
    assert_eq!(call(&env, &owner, "GET", "users", None).await.status, 401);
    let again = console_login(&env, CONSOLE_CLIENT_ID, &callback(), "owner@example.com", PW).await;
    assert_ne!(again.status, 200);
    let listed = call(&env, &second, "GET", "members", None).await.json_body();
    assert_eq!(listed.as_array().unwrap().len(), 1);
    assert_eq!(
        call(&env, &second, "GET", &format!("members/{owner_id}"), None)
            .await
            .status,
        404
    );
}

#[tokio::test]
async fn an_owner_sees_and_lifts_a_members_brute_force_block() {
    let env = TestEnv::new().await;
    env.add_member("owner@example.com", PW, "owner").await;
    let admin_id = format!("auth0|{}", env.add_member("admin@example.com", PW, "admin").await);
    let owner = token_of(&env, "owner@example.com", PW).await;
    for _ in 0..10 {
        let r = console_login(
            &env,
            CONSOLE_CLIENT_ID,
            &callback(),
            "admin@example.com",
            "wrong-password-99",
        )
        .await;
        assert_ne!(r.status, 200);
    }
    let blocked = console_login(&env, CONSOLE_CLIENT_ID, &callback(), "admin@example.com", PW).await;
    assert_eq!(blocked.status, 429);
    let m = call(&env, &owner, "GET", &format!("members/{admin_id}"), None)
        .await
        .json_body();
    assert_eq!(m["blocked"], true, "{m}");
    let lifted = call(&env, &owner, "DELETE", &format!("members/{admin_id}/blocks"), None).await;
    assert_eq!(lifted.status, 204);
    let m = call(&env, &owner, "GET", &format!("members/{admin_id}"), None)
        .await
        .json_body();
    assert_eq!(m["blocked"], false);
    let t = console_login(&env, CONSOLE_CLIENT_ID, &callback(), "admin@example.com", PW).await;
    assert_eq!(t.status, 200);
}
