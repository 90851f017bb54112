//! The tenant's members, managed by its owners (`/api/v2/members`, owner-only: `access`):
//! invitations by email, roles, removal, and lifting brute-force blocks on a member's sign-in.
//!
//! ```text
//! POST members {email, role} ──▶ an administrators'-connection account without a password
//!                                 + its member row (role) in one batch
//!                                 + a single-use invitation link (a password-reset ticket,
//!                                   7 days) by mail ──▶ the invitee sets a password ──▶ console
//! PATCH members/{id} {role}   ──▶ one statement that refuses to demote the last owner
//! DELETE members/{id}         ──▶ one batch: the member row (never the last owner's), then their
//!                                 account (its sessions and tokens go with it)
//! ```
//! A pending member (invitation not yet accepted) cannot sign in: their account has no password.

use serde::Deserialize;
use shared::management::members::{InviteMember, Member, Role, UpdateMember};

use crate::core::accounts::lifecycle::{self, TicketKind};
use crate::core::directory::admins::{self, ADMIN_CONNECTION_ID};
use crate::core::directory::users::{self, NewUser, Profile};
use crate::core::error::{CoreError, CoreResult};
use crate::core::platform::dates::iso8601;
use crate::core::platform::db::{columns, decode, query_one, Stmt};
use crate::core::platform::mail::Mail;
use crate::core::protection::attack;
use crate::core::Core;

/// How long an invitation link works.
pub const INVITATION_TTL_S: i64 = 7 * 24 * 3600;

#[derive(Deserialize)]
struct Row {
    user_id: String,
    email: String,
    role: String,
    #[serde(deserialize_with = "columns::int")]
    created_at: i64,
    last_login: Option<i64>,
    #[serde(deserialize_with = "columns::int_bool")]
    pending: bool,
}

/// Every member, owners first, then by email.
const LIST: &str = "SELECT m.user_id, u.email, m.role, m.created_at, u.last_login, u.password_hash IS NULL AS pending \
                    FROM tenant_members m JOIN users u ON u.user_id = m.user_id WHERE u.connection_id = ?1 \
                    ORDER BY m.role = 'owner' DESC, u.email";
/// One member.
const ONE: &str = "SELECT m.user_id, u.email, m.role, m.created_at, u.last_login, u.password_hash IS NULL AS pending \
                   FROM tenant_members m JOIN users u ON u.user_id = m.user_id WHERE u.connection_id = ?1 AND m.user_id = ?2";

fn member(r: Row, blocked: &[String]) -> Member {
    Member {
        user_id: users::sub(&r.user_id),
        blocked: blocked.contains(&r.email),
        email: r.email,
        role: Role::parse(&r.role).unwrap_or(Role::Viewer),
        created_at: iso8601(r.created_at),
        last_login: r.last_login.map(iso8601),
        pending: r.pending,
    }
}

/// `GET /api/v2/members`: every member, owners first, then by email.
pub async fn list(core: &Core<'_>) -> CoreResult<Vec<Member>> {
    let rows: Vec<Row> = decode(core.db.query(Stmt::new(LIST).bind(ADMIN_CONNECTION_ID)).await?)?;
    let blocked = attack::blocked_identifiers(core.db, ADMIN_CONNECTION_ID, core.clock.now_ms()).await?;
    Ok(rows.into_iter().map(|r| member(r, &blocked)).collect())
}

/// One member by the id the API shows (`auth0|…`).
pub async fn get(core: &Core<'_>, id: &str) -> CoreResult<Member> {
    let user_id = member_id(id)?;
    let row: Option<Row> = query_one(core.db, Stmt::new(ONE).bind(ADMIN_CONNECTION_ID).bind(user_id)).await?;
    let row = row.ok_or_else(not_found)?;
    let blocked = attack::blocked_identifiers(core.db, ADMIN_CONNECTION_ID, core.clock.now_ms()).await?;
    Ok(member(row, &blocked))
}

fn not_found() -> CoreError {
    CoreError::NotFound("The member does not exist.".into())
}

fn member_id(id: &str) -> CoreResult<&str> {
    users::id_from_sub(id).ok_or_else(not_found)
}

/// `POST /api/v2/members`: creates the invitee's account (no password yet) and membership, and
/// mails them a single-use link that sets their password. An address that is already a member is
/// a 409 (members are not secret from owners).
pub async fn invite(core: &Core<'_>, body: InviteMember, invited_by: &str) -> CoreResult<Member> {
    let email = shared::email::Email::new(&body.email);
    if !email.is_valid() {
        return Err(CoreError::InvalidRequest("email: not a valid email address".into()));
    }
    if users::by_email(core.db, ADMIN_CONNECTION_ID, &email).await?.is_some() {
        return Err(CoreError::Conflict("This address is already a member.".into()));
    }
    let now = core.clock.now_ms();
    let user_id = format!("adm{}", core.new_id()?);
    let account = NewUser {
        user_id: user_id.clone(),
        connection_id: ADMIN_CONNECTION_ID.into(),
        email: email.as_str().to_owned(),
        email_verified: true,
        username: None,
        password_hash: None,
        profile: Profile::default(),
        user_metadata: Default::default(),
        app_metadata: Default::default(),
        migrated_from: None,
        password_reset_required: false,
        now,
    };
    let made = core
        .db
        .batch(vec![
            users::insert_stmt(&account),
            admins::add_member(&user_id, body.role, now),
        ])
        .await;
    match made {
        Err(crate::core::platform::db::DbError::Conflict(_)) => {
            return Err(CoreError::Conflict("This address is already a member.".into()))
        }
        other => other?,
    };
    let invitee = users::by_id(core.db, &user_id).await?.ok_or_else(not_found)?;
    let link = lifecycle::ticket_url(core, &invitee, TicketKind::ResetPassword, Some(INVITATION_TTL_S)).await?;
    core.mailer
        .send(&Mail {
            to: invitee.email.clone(),
            subject: "You are invited to operate a Tollgate tenant".into(),
            text: format!(
                "{invited_by} invited you to operate the tenant at {issuer}admin/ as {role}.\n\n\
                 Choose your password with this link (it works once, for 7 days):\n\n{link}\n\n\
                 Then sign in at {issuer}admin/. If you did not expect this, ignore this message.",
                issuer = core.settings.issuer,
                role = body.role.as_str(),
            ),
            link: Some(link),
            kind: "member_invitation",
        })
        .await?;
    get(core, &users::sub(&user_id)).await
}

/// `PATCH /api/v2/members/{id}`: a new role. The last owner cannot be demoted (checked in the
/// same statement that changes it, so two owners demoting each other cannot both succeed).
pub async fn update(core: &Core<'_>, id: &str, body: UpdateMember) -> CoreResult<Member> {
    let user_id = member_id(id)?;
    get(core, id).await?;
    let changed = core.db.query(admins::change_role(user_id, body.role)).await?;
    if changed.is_empty() {
        return Err(last_owner());
    }
    get(core, id).await
}

fn last_owner() -> CoreError {
    CoreError::InvalidRequest("The tenant's last owner stays an owner: make another member an owner first.".into())
}

/// `DELETE /api/v2/members/{id}`: the membership and the account (sessions, tokens and tickets go
/// with it). Never the last owner.
pub async fn remove(core: &Core<'_>, id: &str) -> CoreResult<()> {
    let user_id = member_id(id)?;
    get(core, id).await?;
    let results = core
        .db
        .batch(vec![
            admins::remove_member(user_id),
            users::delete_former_member(user_id, ADMIN_CONNECTION_ID),
        ])
        .await?;
    if results.first().is_none_or(Vec::is_empty) {
        return Err(last_owner());
    }
    Ok(())
}

/// `DELETE /api/v2/members/{id}/blocks`: lifts brute-force blocks on the member's sign-in.
pub async fn unblock(core: &Core<'_>, id: &str) -> CoreResult<()> {
    let m = get(core, id).await?;
    attack::unblock(core.db, ADMIN_CONNECTION_ID, &[m.email.as_str()]).await
}
