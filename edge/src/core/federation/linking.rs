//! The user behind a provider account: a known identity, an account linked by verified email, or
//! a new user; and the identities shown by the Management API.

use serde::Deserialize;
use serde_json::Value;
use shared::management::users::Identity;

use super::connections::FederatedConnection;
use super::profile::ProviderProfile;
use crate::core::directory::users::{self, NewUser, User};
use crate::core::error::{CoreError, CoreResult};
use crate::core::platform::db::{decode, query_one, Stmt};
use crate::core::protection::attack;
use crate::core::Core;

/// The existing user a new provider account links to, if any: only with linking enabled, only
/// when the provider vouches for the email, and only to exactly one account whose own email is
/// verified too (an unverified local account could have been registered by anyone).
pub fn link_target<'a>(profile: &ProviderProfile, candidates: &'a [User], enabled: bool) -> Option<&'a User> {
    let email = profile.email.as_deref().filter(|_| enabled && profile.email_verified)?;
    let mut verified = candidates
        .iter()
        .filter(|u| u.email_verified && !u.email.is_empty() && u.email == email);
    match (verified.next(), verified.next()) {
        (Some(u), None) => Some(u),
        _ => None,
    }
}

/// The user behind a provider account: known identity, linked account, or a new user.
pub async fn find_or_create(
    core: &Core<'_>,
    conn: &FederatedConnection,
    p: &ProviderProfile,
    ip: &str,
) -> CoreResult<User> {
    #[derive(Deserialize)]
    struct IdRow {
        user_id: String,
    }
    let now = core.clock.now_ms();
    let raw = Value::Object(p.raw.clone()).to_string();
    let known: Option<IdRow> = query_one(
        core.db,
        Stmt::new("SELECT user_id FROM identities WHERE connection_id = ?1 AND provider_user_id = ?2")
            .bind(&conn.id)
            .bind(&p.provider_user_id),
    )
    .await?;
    let user_id = if let Some(k) = known {
        // A returning user: refresh what the provider says about them.
        core.db
            .batch(vec![
                Stmt::new("UPDATE identities SET profile_data = ?1, updated_at = ?2 WHERE connection_id = ?3 AND provider_user_id = ?4")
                    .bind(&raw)
                    .bind(now)
                    .bind(&conn.id)
                    .bind(&p.provider_user_id),
                users::refresh_from_provider(
                    &k.user_id,
                    &conn.id,
                    users::ProviderNames {
                        name: p.name.clone(),
                        given_name: p.given_name.clone(),
                        family_name: p.family_name.clone(),
                        picture: p.picture.clone(),
                    },
                    now,
                ),
            ])
            .await?;
        k.user_id
    } else {
        let candidates = match &p.email {
            // Administrator accounts are never a link target: a provider's say-so about an
            // address must not open the console.
            Some(e) if conn.options.link_by_email && p.email_verified => users::by_email_any(core.db, e)
                .await?
                .into_iter()
                .filter(|u| !crate::core::directory::admins::is_admin_account(u))
                .collect(),
            _ => Vec::new(),
        };
        if let Some(target) = link_target(p, &candidates, conn.options.link_by_email) {
            insert_identity(core, conn, p, &target.user_id, &raw).await?;
            target.user_id.clone()
        } else {
            if conn.options.disable_signup {
                return Err(CoreError::SignupDisabled);
            }
            // A sign-up like any other: the same per-IP throttle.
            let quota = attack::take(
                core.db,
                &format!("signup:{ip}"),
                attack::Bucket::SIGNUPS_PER_IP,
                1.0,
                now,
            )
            .await?;
            if !quota.granted {
                return Err(CoreError::TooManyRequests(quota));
            }
            let user_id = federated_user_id(conn, &p.provider_user_id);
            let new = NewUser {
                user_id: user_id.clone(),
                connection_id: conn.id.clone(),
                email: p.email.clone().unwrap_or_default().into_string(),
                email_verified: p.email_verified,
                profile: crate::core::directory::users::Profile {
                    name: p.name.clone(),
                    given_name: p.given_name.clone(),
                    family_name: p.family_name.clone(),
                    picture: p.picture.clone(),
                    ..Default::default()
                },
                now,
                ..NewUser::default()
            };
            core.db
                .batch(vec![
                    users::insert_stmt(&new),
                    identity_stmt(conn, p, &user_id, &raw, now),
                    crate::core::directory::stats::signup_stmt(now),
                ])
                .await?;
            user_id
        }
    };
    core.db
        .batch(vec![
            users::record_login(&user_id, now),
            crate::core::directory::stats::login_stmt(now),
        ])
        .await?;
    users::by_id(core.db, &user_id)
        .await?
        .ok_or_else(|| CoreError::Internal("federated user vanished".into()))
}

/// The user id of a new federated user. It names the connection, so two connections of one
/// strategy whose providers hand out the same subject make two users: `{strategy}|{connection}|{id}`
/// (Auth0's form for `oidc` and `oauth2`). A social connection named after its strategy (the usual
/// `google-oauth2`, `facebook`) keeps Auth0's short form `{strategy}|{id}` — only for ids without a
/// `|`, so a short id never equals a long one (connection names cannot contain `|`).
pub fn federated_user_id(conn: &FederatedConnection, provider_user_id: &str) -> String {
    if conn.strategy.is_social() && conn.name == conn.strategy.as_str() && !provider_user_id.contains('|') {
        format!("{}|{provider_user_id}", conn.strategy)
    } else {
        format!("{}|{}|{provider_user_id}", conn.strategy, conn.name)
    }
}

pub(super) fn identity_stmt(
    conn: &FederatedConnection,
    p: &ProviderProfile,
    user_id: &str,
    raw: &str,
    now: i64,
) -> Stmt {
    Stmt::new(
        "INSERT INTO identities (connection_id, provider_user_id, user_id, profile_data, created_at, updated_at) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?5)",
    )
    .bind(&conn.id)
    .bind(&p.provider_user_id)
    .bind(user_id)
    .bind(raw)
    .bind(now)
}

pub(super) async fn insert_identity(
    core: &Core<'_>,
    conn: &FederatedConnection,
    p: &ProviderProfile,
    user_id: &str,
    raw: &str,
) -> CoreResult<()> {
    core.db
        .execute(identity_stmt(conn, p, user_id, raw, core.clock.now_ms()))
        .await?;
    Ok(())
}

/// The Management API's `identities` of a user: its own, then the provider accounts linked to it,
/// each with the raw provider profile.
pub async fn identities(core: &Core<'_>, u: &User, connection: &str) -> CoreResult<Vec<Identity>> {
    #[derive(Deserialize)]
    struct Row {
        provider_user_id: String,
        strategy: String,
        name: String,
        profile_data: String,
    }
    let rows: Vec<Row> = decode(
        core.db
            .query(
                Stmt::new(
                    "SELECT i.provider_user_id, c.strategy, c.name, i.profile_data FROM identities i \
                     JOIN connections c ON c.id = i.connection_id WHERE i.user_id = ?1 ORDER BY i.created_at",
                )
                .bind(&u.user_id),
            )
            .await?,
    )?;
    let mut out = Vec::new();
    if !u.user_id.contains('|') {
        out.push(Identity {
            connection: connection.to_owned(),
            user_id: u.user_id.clone(),
            provider: "auth0".into(),
            is_social: Some(false),
            profile_data: None,
        });
    }
    for r in rows {
        out.push(Identity {
            connection: r.name,
            user_id: r.provider_user_id,
            is_social: Some(r.strategy != "oidc"),
            provider: r.strategy,
            profile_data: Some(serde_json::from_str(&r.profile_data).unwrap_or_default()),
        });
    }
    Ok(out)
}
