//! The Management API's users: list, read, create, update, delete, by email, unblock, and the
//! tickets and verification mails an operator sends. Bodies arrive and users leave as the types of
//! `shared::management` (Auth0's shapes).

use serde_json::{Map, Value};
use shared::management::jobs::{Job, JobKind, JobStatus, VerificationEmail};
use shared::management::tickets::{EmailVerificationTicket, PasswordChangeTicket, Ticket};
use shared::management::users::{self as wire, CreateUser, Identity, UpdateUser, UsersPage};
use shared::management::{Listing, Metadata};
use shared::username::UsernameRules;

use crate::core::accounts::lifecycle;
use crate::core::directory::admins;
use crate::core::directory::tenant::{self, Connection};
use crate::core::directory::user_search;
use crate::core::directory::users::{self, NewUser, User};
use crate::core::error::{CoreError, CoreResult};
use crate::core::migration::lazy;
use crate::core::migration::UserSource;
use crate::core::platform::dates::iso8601;
use crate::core::protection::attack;
use crate::core::Core;

/// Keys `app_metadata` may not contain (Auth0's list).
pub const RESERVED_APP_METADATA: [&str; 18] = [
    "__tenant",
    "_id",
    "blocked",
    "clientID",
    "created_at",
    "email_verified",
    "email",
    "globalClientID",
    "global_client_id",
    "identities",
    "lastIP",
    "lastLogin",
    "loginsCount",
    "metadata",
    "multifactor_last_modified",
    "multifactor",
    "updated_at",
    "user_id",
];

/// A user's own identity: `auth0` for database users, the strategy for federated ones.
fn primary_identity(u: &User, connection: &str) -> Identity {
    let (provider, id) = u.user_id.split_once('|').unwrap_or(("auth0", &u.user_id));
    Identity {
        connection: connection.to_owned(),
        user_id: id.to_owned(),
        provider: provider.to_owned(),
        is_social: Some(!matches!(provider, "auth0" | "oidc" | "oauth2" | "email")),
        profile_data: None,
    }
}

/// A user in the Management API's shape, with its own identity only.
pub fn user_view(u: &User, connection: &str) -> wire::User {
    wire::User {
        user_id: users::sub(&u.user_id),
        email: Some(u.email.clone()),
        email_verified: Some(u.email_verified),
        username: u.username.clone(),
        phone_number: u.profile.phone_number.clone(),
        created_at: iso8601(u.created_at),
        updated_at: iso8601(u.updated_at),
        identities: vec![primary_identity(u, connection)],
        app_metadata: Some(u.app_metadata.clone()),
        user_metadata: Some(u.user_metadata.clone()),
        picture: u.profile.picture.clone(),
        name: u.profile.name.clone(),
        nickname: u.profile.nickname.clone(),
        last_login: u.last_login.map(iso8601),
        logins_count: Some(u.logins_count),
        blocked: Some(u.blocked),
        given_name: u.profile.given_name.clone(),
        family_name: u.profile.family_name.clone(),
        migrated_from: u.migrated_from.clone(),
        migrated_at: u.migrated_from.as_ref().map(|_| u.migrated_at.map(iso8601)),
        ..wire::User::default()
    }
}

/// The connection a user belongs to.
pub async fn connection_of(core: &Core<'_>, u: &User) -> CoreResult<Connection> {
    crate::core::management::connections::connection(core, &u.connection_id).await
}

/// The stored id behind a Management API user id (`auth0|…`, `google-oauth2|…`).
pub fn local_id(id: &str) -> CoreResult<&str> {
    users::id_from_sub(id).ok_or_else(|| CoreError::NotFound("The user does not exist.".into()))
}

/// `GET /api/v2/users/{id}`.
pub async fn get_user(core: &Core<'_>, id: &str) -> CoreResult<wire::User> {
    let u = admins::managed(users::by_id(core.db, local_id(id)?).await?)?;
    let conn = connection_of(core, &u).await?;
    let mut v = user_view(&u, &conn.name);
    v.identities = crate::core::federation::linking::identities(core, &u, &conn.name).await?;
    Ok(v)
}

/// `GET /api/v2/users`: pages of 0..=100 (default 50) within the first 1000 results, filtered by
/// `connection` and/or `q` (see `user_search`), ordered by `sort`.
pub async fn list_users(core: &Core<'_>, q: &[(String, String)]) -> CoreResult<Listing<wire::User, UsersPage>> {
    let get = |k: &str| {
        q.iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.as_str())
            .filter(|v| !v.is_empty())
    };
    if let Some(engine) = get("search_engine") {
        if engine != "v3" {
            return Err(CoreError::InvalidRequest("Only search_engine=v3 is supported".into()));
        }
    }
    let page: i64 = get("page").and_then(|p| p.parse().ok()).unwrap_or(0).max(0);
    let per_page: i64 = get("per_page").and_then(|p| p.parse().ok()).unwrap_or(50).clamp(0, 100);
    // As Auth0: a search pages through its first 1000 results, which bounds every request's work.
    if (page + 1) * per_page > 1000 {
        return Err(CoreError::InvalidRequest(
            "You can only page through the first 1000 records. Narrow the search with q.".into(),
        ));
    }
    let search = match get("q") {
        Some(q) => user_search::parse(q)?,
        None => user_search::Search::default(),
    };
    let sort = match get("sort") {
        Some(s) => user_search::parse_sort(s)?,
        None => users::Sort::default(),
    };
    let mut filter = search.filter;
    // Ids are searched as the API shows them (`auth0|…`), and stored without the prefix.
    let stored = |id: String| users::id_from_sub(&id).map_or(id.clone(), str::to_owned);
    filter.user_id = filter.user_id.map(stored);
    filter.any = filter.any.map(stored);
    filter.user_id_prefix = filter
        .user_id_prefix
        .map(|p| p.strip_prefix("auth0|").map_or(p.clone(), str::to_owned));
    for name in [get("connection"), search.connection.as_deref()].into_iter().flatten() {
        let conn = tenant::connection_by_name(core.db, name)
            .await?
            .filter(|c| c.id != admins::ADMIN_CONNECTION_ID)
            .ok_or_else(|| CoreError::InvalidRequest(format!("Unknown connection: {name}")))?;
        if filter.connection_id.as_ref().is_some_and(|c| *c != conn.id) {
            return Ok(if get("include_totals") == Some("true") {
                Listing::Page(UsersPage {
                    users: Vec::new(),
                    start: page * per_page,
                    limit: per_page,
                    length: 0,
                    total: 0,
                })
            } else {
                Listing::Plain(Vec::new())
            });
        }
        filter.connection_id = Some(conn.id);
    }
    let rows = users::search(core.db, &filter, &sort, per_page, page * per_page).await?;
    let mut out = Vec::with_capacity(rows.len());
    for u in &rows {
        out.push(user_view(u, &connection_of(core, u).await?.name));
    }
    if get("include_totals") == Some("true") {
        let total = users::count(core.db, &filter).await?;
        return Ok(Listing::Page(UsersPage {
            start: page * per_page,
            limit: per_page,
            length: out.len() as i64,
            total,
            users: out,
        }));
    }
    Ok(Listing::Plain(out))
}

/// The user a ticket or verification job is for: `user_id`, or `email` + `connection_id`.
async fn ticket_user(
    core: &Core<'_>,
    user_id: Option<&str>,
    email: Option<&str>,
    connection_id: Option<&str>,
) -> CoreResult<users::User> {
    let user = match (user_id, email, connection_id) {
        (Some(id), _, _) => users::by_id(core.db, local_id(id)?).await?,
        (None, Some(email), Some(cid)) => {
            users::by_email(
                core.db,
                &crate::core::management::connections::connection(core, cid).await?.id,
                &users::Email::new(email),
            )
            .await?
        }
        _ => {
            return Err(CoreError::InvalidRequest(
                "Payload validation error: user_id, or email and connection_id, are required".into(),
            ))
        }
    };
    admins::managed(user)
}

/// `POST /api/v2/tickets/password-change`: `{ticket}`, a reset link for a database user; with
/// `send_email: true` (ours) it is mailed to the user as well.
pub async fn password_change_ticket(core: &Core<'_>, body: PasswordChangeTicket) -> CoreResult<Ticket> {
    let (id, email, conn) = (
        body.user_id.as_deref(),
        body.email.as_deref(),
        body.connection_id.as_deref(),
    );
    let user = ticket_user(core, id, email, conn).await?;
    if user.user_id.contains('|') {
        return Err(CoreError::InvalidRequest(
            "The user has no password here: it signs in with another provider".into(),
        ));
    }
    let url = lifecycle::ticket_url(core, &user, lifecycle::TicketKind::ResetPassword, body.ttl_sec).await?;
    // Ours, for the console's "Send password reset email": the link also goes to the user.
    if body.send_email == Some(true) {
        core.mailer.send(&lifecycle::reset_mail(&user, url.clone())).await?;
    }
    Ok(Ticket { ticket: url })
}

/// `POST /api/v2/tickets/email-verification`: `{ticket}`, a verification link.
pub async fn email_verification_ticket(core: &Core<'_>, body: EmailVerificationTicket) -> CoreResult<Ticket> {
    let (id, email, conn) = (
        body.user_id.as_deref(),
        body.email.as_deref(),
        body.connection_id.as_deref(),
    );
    let user = ticket_user(core, id, email, conn).await?;
    let url = lifecycle::ticket_url(core, &user, lifecycle::TicketKind::VerifyEmail, body.ttl_sec).await?;
    Ok(Ticket { ticket: url })
}

/// `POST /api/v2/jobs/verification-email`: mails the user a verification link now; the job is
/// recorded (so `GET /jobs/{id}` answers) and is complete when this returns.
pub async fn verification_email_job(core: &Core<'_>, body: VerificationEmail) -> CoreResult<Job> {
    let user = ticket_user(core, Some(&body.user_id), None, None).await?;
    lifecycle::send_verification(core, &user, body.client_id.as_deref()).await?;
    let id = format!("job_{}", core.new_id()?);
    let now = core.clock.now_ms();
    core.db
        .execute(
            crate::core::platform::db::Stmt::new(
                "INSERT INTO mail_jobs (id, type, user_id, connection_id, created_at) \
                 VALUES (?1, 'verification_email', ?2, ?3, ?4)",
            )
            .bind(&id)
            .bind(&user.user_id)
            .bind(&user.connection_id)
            .bind(now),
        )
        .await?;
    let mut job = Job::new(id, JobKind::VerificationEmail, JobStatus::Completed);
    job.created_at = Some(iso8601(now));
    Ok(job)
}

/// `GET /api/v2/users-by-email?email=`.
pub async fn users_by_email(core: &Core<'_>, email: &str) -> CoreResult<Vec<wire::User>> {
    let mut out = Vec::new();
    for u in users::by_email_any(core.db, &users::Email::new(email)).await? {
        if admins::is_admin_account(&u) {
            continue;
        }
        out.push(user_view(&u, &connection_of(core, &u).await?.name));
    }
    Ok(out)
}

/// Validates `app_metadata` (an object without reserved keys).
pub fn check_app_metadata(meta: &Map<String, Value>) -> CoreResult<()> {
    match meta.keys().find(|k| RESERVED_APP_METADATA.contains(&k.as_str())) {
        Some(k) => Err(CoreError::InvalidRequest(format!("app_metadata may not contain {k}"))),
        None => Ok(()),
    }
}

/// `POST /api/v2/users`: an administrator creates a user (policy enforced, no throttling).
pub async fn create_user(core: &Core<'_>, body: CreateUser) -> CoreResult<wire::User> {
    let conn = tenant::database_by_name(core.db, &body.connection)
        .await?
        .filter(|c| c.id != admins::ADMIN_CONNECTION_ID)
        .ok_or_else(|| CoreError::InvalidRequest("Unknown connection".into()))?;
    let email = shared::email::normalize(
        body.email
            .as_deref()
            .ok_or_else(|| CoreError::InvalidRequest("Missing email".into()))?,
    );
    if !shared::email::is_valid(&email) {
        return Err(CoreError::InvalidRequest("Invalid email".into()));
    }
    let password = body.password;
    let username = match body.username {
        Some(u) if !conn.username_rules().is_valid(&u) => {
            return Err(CoreError::InvalidRequest("Invalid username".into()))
        }
        Some(u) => Some(UsernameRules::normalize(&u)),
        None if conn.options.requires_username => return Err(CoreError::InvalidRequest("Missing username".into())),
        None => None,
    };
    let app_metadata = body.app_metadata.unwrap_or_default();
    check_app_metadata(&app_metadata)?;
    let user_metadata = body.user_metadata.unwrap_or_default();
    let mut new = NewUser {
        user_id: match body.user_id {
            Some(id) if id.len() <= 128 && id.chars().all(|c| c.is_ascii_alphanumeric() || "._@+-".contains(c)) => {
                id.trim_start_matches("auth0|").to_owned()
            }
            Some(_) => return Err(CoreError::InvalidRequest("Invalid user_id".into())),
            None => core.new_id()?,
        },
        connection_id: conn.id.clone(),
        email: email.clone(),
        email_verified: body.email_verified.unwrap_or(false),
        username,
        profile: users::Profile {
            given_name: body.given_name,
            family_name: body.family_name,
            name: body.name,
            nickname: body.nickname,
            picture: body.picture,
            phone_number: body.phone_number,
        },
        user_metadata,
        app_metadata,
        now: core.clock.now_ms(),
        ..NewUser::default()
    };
    if let Some(pw) = &password {
        let meta: Vec<&str> = ["name", "first", "last"]
            .iter()
            .filter_map(|k| new.user_metadata.get(*k).and_then(Value::as_str))
            .collect();
        let info = shared::personal_info::PersonalInfo {
            email: Some(&email),
            username: new.username.as_deref(),
            name: new.profile.name.as_deref(),
            nickname: new.profile.nickname.as_deref(),
            metadata: meta,
        };
        conn.check_password(pw, &info)?;
    }
    if let UserSource::OwnStore(legacy) = UserSource::of(core, &conn)? {
        let pw = password
            .as_deref()
            .ok_or_else(|| CoreError::InvalidRequest("Missing password".into()))?;
        let created = lazy::own_store_signup(
            core,
            &conn,
            &legacy,
            lazy::NewLegacyUser {
                email: &email,
                username: new.username.as_deref(),
                password: pw,
                profile: Map::new(),
                user_metadata: &new.user_metadata,
            },
        )
        .await?
        .ok_or_else(|| CoreError::Conflict("The user already exists.".into()))?;
        return Ok(user_view(&created, &conn.name));
    }
    if let Some(pw) = &password {
        let salt = core.random_bytes::<16>()?;
        new.password_hash = Some(core.hasher.hash(pw, &salt).await?);
    }
    match users::insert(core.db, &new).await {
        Ok(()) => {}
        Err(crate::core::platform::db::DbError::Conflict(_)) => {
            return Err(CoreError::Conflict("The user already exists.".into()))
        }
        Err(e) => return Err(e.into()),
    }
    get_user(core, &users::sub(&new.user_id)).await
}

/// `PATCH /api/v2/users/{id}`: root attributes replace, `user_metadata` and `app_metadata` merge
/// one level deep (a `null` value removes a key), a `password` goes through the policy and history.
pub async fn update_user(core: &Core<'_>, id: &str, body: UpdateUser) -> CoreResult<wire::User> {
    let u = admins::managed(users::by_id(core.db, local_id(id)?).await?)?;
    let conn = connection_of(core, &u).await?;
    let merge = |current: &Metadata, patch: Option<Option<Metadata>>| -> Option<Metadata> {
        let patch = patch?;
        let mut m = current.clone();
        match patch {
            Some(patch) => {
                for (k, v) in patch {
                    if v.is_null() {
                        m.remove(&k);
                    } else {
                        m.insert(k, v);
                    }
                }
            }
            None => m.clear(),
        }
        Some(m)
    };
    let user_metadata = merge(&u.user_metadata, body.user_metadata);
    let app_metadata = merge(&u.app_metadata, body.app_metadata);
    if let Some(m) = &app_metadata {
        check_app_metadata(m)?;
    }
    let email = match body.email.flatten() {
        Some(e) => {
            let e = shared::email::normalize(&e);
            if !shared::email::is_valid(&e) {
                return Err(CoreError::InvalidRequest("Invalid email".into()));
            }
            Some(e)
        }
        None => None,
    };
    // When the email changes without an explicit verification state, it is not verified (Auth0).
    let email_verified = body
        .email_verified
        .or(email.as_ref().filter(|e| **e != u.email).map(|_| false));
    let now = core.clock.now_ms();
    let patch = users::Patch {
        email,
        email_verified,
        // `phone_number` is not read here: an update has never changed it.
        given_name: body.given_name.flatten(),
        family_name: body.family_name.flatten(),
        name: body.name.flatten(),
        nickname: body.nickname.flatten(),
        picture: body.picture.flatten(),
        blocked: body.blocked,
        user_metadata,
        app_metadata,
    };
    let stmt = users::patch(&u.user_id, patch, now);
    // Blocking a user signs them out everywhere: sessions, refresh tokens, pending codes.
    let mut stmts = vec![stmt];
    if body.blocked == Some(true) {
        stmts.extend(lifecycle::revocations(&u.user_id, now, None));
    }
    match core.db.batch(stmts).await {
        Ok(_) => {}
        Err(crate::core::platform::db::DbError::Conflict(_)) => {
            return Err(CoreError::Conflict("The specified new email already exists".into()))
        }
        Err(e) => return Err(e.into()),
    }
    if let Some(pw) = body.password.flatten() {
        let fresh = users::by_id(core.db, &u.user_id)
            .await?
            .ok_or_else(|| CoreError::NotFound("The user does not exist.".into()))?;
        match UserSource::of(core, &conn)? {
            UserSource::OwnStore(legacy) => {
                lazy::own_store_change_password(&legacy, &fresh.email, &pw).await?;
                core.db.batch(lifecycle::revocations(&u.user_id, now, None)).await?;
            }
            UserSource::Local | UserSource::Import(_) => {
                lifecycle::check_new_password(core, &conn, &fresh, &pw).await?;
                lifecycle::set_password(core, &conn, &fresh, &pw, None).await?;
            }
        }
    }
    get_user(core, id).await
}

/// `DELETE /api/v2/users/{id}` (own-store connections delete in legacy first).
pub async fn delete_user(core: &Core<'_>, id: &str) -> CoreResult<()> {
    let Some(u) = users::by_id(core.db, local_id(id)?).await? else {
        return Ok(());
    };
    let u = admins::managed(Some(u))?;
    let conn = connection_of(core, &u).await?;
    lazy::delete_user(core, &conn, &u.user_id).await?;
    core.record(
        crate::core::logs::Event::new("du", "User was deleted")
            .user(&u)
            .connection(&conn),
    );
    Ok(())
}

/// `DELETE /api/v2/user-blocks?identifier=`: lifts brute-force blocks on an identifier everywhere.
pub async fn unblock_identifier(core: &Core<'_>, identifier: &str) -> CoreResult<()> {
    attack::unblock_everywhere(
        core.db,
        users::Identifier::new(identifier).as_str(),
        admins::ADMIN_CONNECTION_ID,
    )
    .await
}

/// `DELETE /api/v2/user-blocks/{id}`: lifts the brute-force blocks of one user's identifiers.
pub async fn unblock_user(core: &Core<'_>, id: &str) -> CoreResult<()> {
    let u = admins::managed(users::by_id(core.db, local_id(id)?).await?)?;
    let mut identifiers = vec![u.email.as_str()];
    identifiers.extend(u.username.as_deref());
    attack::unblock(core.db, &u.connection_id, &identifiers).await
}
