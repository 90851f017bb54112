//! The Management API's core: access tokens for `{issuer}api/v2/` with scopes, and the user
//! operations a migration needs (list, read, create, update, delete, by email, unblock) plus the
//! connection list. Users are returned in Auth0's Management API shape.

use serde_json::{json, Map, Value};
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
fn primary_identity(u: &User, connection: &str) -> Value {
    match u.user_id.split_once('|') {
        Some((provider, id)) => {
            json!({"connection": connection, "user_id": id, "provider": provider, "isSocial": provider != "oidc" && provider != "oauth2"})
        }
        None => json!({"connection": connection, "user_id": u.user_id, "provider": "auth0", "isSocial": false}),
    }
}

/// A user in the Management API's shape.
pub fn user_json(u: &User, connection: &str) -> Value {
    let mut v = json!({
        "user_id": users::sub(&u.user_id),
        "email": u.email,
        "email_verified": u.email_verified,
        "user_metadata": u.user_metadata,
        "app_metadata": u.app_metadata,
        "blocked": u.blocked,
        "created_at": iso8601(u.created_at),
        "updated_at": iso8601(u.updated_at),
        "logins_count": u.logins_count,
        "identities": [primary_identity(u, connection)],
    });
    let o = v.as_object_mut();
    if let Some(o) = o {
        for (k, val) in [
            ("username", &u.username),
            ("given_name", &u.profile.given_name),
            ("family_name", &u.profile.family_name),
            ("name", &u.profile.name),
            ("nickname", &u.profile.nickname),
            ("picture", &u.profile.picture),
            ("phone_number", &u.profile.phone_number),
        ] {
            if let Some(val) = val {
                o.insert(k.into(), json!(val));
            }
        }
        if let Some(t) = u.last_login {
            o.insert("last_login".into(), json!(iso8601(t)));
        }
        if let Some(from) = &u.migrated_from {
            o.insert("migrated_from".into(), json!(from));
            o.insert("migrated_at".into(), json!(u.migrated_at.map(iso8601)));
        }
    }
    v
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
pub async fn get_user(core: &Core<'_>, id: &str) -> CoreResult<Value> {
    let u = admins::managed(users::by_id(core.db, local_id(id)?).await?)?;
    let conn = connection_of(core, &u).await?;
    let mut v = user_json(&u, &conn.name);
    v["identities"] = crate::core::federation::linking::identities_json(core, &u, &conn.name).await?;
    Ok(v)
}

/// `GET /api/v2/users`: pages of 0..=100 (default 50) within the first 1000 results, filtered by
/// `connection` and/or `q` (see `user_search`), ordered by `sort`.
pub async fn list_users(core: &Core<'_>, q: &[(String, String)]) -> CoreResult<Value> {
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
                json!({"users": [], "start": page * per_page, "limit": per_page, "length": 0, "total": 0})
            } else {
                json!([])
            });
        }
        filter.connection_id = Some(conn.id);
    }
    let rows = users::search(core.db, &filter, &sort, per_page, page * per_page).await?;
    let mut out = Vec::with_capacity(rows.len());
    for u in &rows {
        out.push(user_json(u, &connection_of(core, u).await?.name));
    }
    if get("include_totals") == Some("true") {
        let total = users::count(core.db, &filter).await?;
        return Ok(
            json!({"users": out, "start": page * per_page, "limit": per_page, "length": out.len(), "total": total}),
        );
    }
    Ok(Value::Array(out))
}

/// The user a ticket or verification job is for: `user_id`, or `email` + `connection_id`.
async fn ticket_user(core: &Core<'_>, body: &Value) -> CoreResult<users::User> {
    let user = match (
        body.get("user_id").and_then(Value::as_str),
        body.get("email").and_then(Value::as_str),
        body.get("connection_id").and_then(Value::as_str),
    ) {
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

fn ttl_sec(body: &Value) -> CoreResult<Option<i64>> {
    match body.get("ttl_sec") {
        None | Some(Value::Null) => Ok(None),
        Some(v) => v
            .as_i64()
            .map(Some)
            .ok_or_else(|| CoreError::InvalidRequest("ttl_sec must be an integer".into())),
    }
}

/// `POST /api/v2/tickets/password-change`: `{ticket}`, a reset link for a database user; with
/// `send_email: true` (ours) it is mailed to the user as well.
pub async fn password_change_ticket(core: &Core<'_>, body: &Value) -> CoreResult<Value> {
    let user = ticket_user(core, body).await?;
    if user.user_id.contains('|') {
        return Err(CoreError::InvalidRequest(
            "The user has no password here: it signs in with another provider".into(),
        ));
    }
    let url = lifecycle::ticket_url(core, &user, lifecycle::TicketKind::ResetPassword, ttl_sec(body)?).await?;
    // Ours, for the console's "Send password reset email": the link also goes to the user.
    if body.get("send_email").and_then(Value::as_bool) == Some(true) {
        core.mailer.send(&lifecycle::reset_mail(&user, url.clone())).await?;
    }
    Ok(json!({ "ticket": url }))
}

/// `POST /api/v2/tickets/email-verification`: `{ticket}`, a verification link.
pub async fn email_verification_ticket(core: &Core<'_>, body: &Value) -> CoreResult<Value> {
    let user = ticket_user(core, body).await?;
    let url = lifecycle::ticket_url(core, &user, lifecycle::TicketKind::VerifyEmail, ttl_sec(body)?).await?;
    Ok(json!({ "ticket": url }))
}

/// `POST /api/v2/jobs/verification-email`: mails the user a verification link now; the job is
/// recorded (so `GET /jobs/{id}` answers) and is complete when this returns.
pub async fn verification_email_job(core: &Core<'_>, body: &Value) -> CoreResult<Value> {
    let user = ticket_user(core, body).await?;
    let client_id = body.get("client_id").and_then(Value::as_str);
    lifecycle::send_verification(core, &user, client_id).await?;
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
    Ok(json!({"type": "verification_email", "status": "completed", "id": id,
              "created_at": crate::core::platform::dates::iso8601(now)}))
}

/// `GET /api/v2/users-by-email?email=`.
pub async fn users_by_email(core: &Core<'_>, email: &str) -> CoreResult<Value> {
    let mut out = Vec::new();
    for u in users::by_email_any(core.db, &users::Email::new(email)).await? {
        if admins::is_admin_account(&u) {
            continue;
        }
        out.push(user_json(&u, &connection_of(core, &u).await?.name));
    }
    Ok(Value::Array(out))
}

/// Validates `app_metadata` (an object without reserved keys).
pub fn check_app_metadata(meta: &Map<String, Value>) -> CoreResult<()> {
    match meta.keys().find(|k| RESERVED_APP_METADATA.contains(&k.as_str())) {
        Some(k) => Err(CoreError::InvalidRequest(format!("app_metadata may not contain {k}"))),
        None => Ok(()),
    }
}

fn obj(v: &Value, field: &str) -> CoreResult<Map<String, Value>> {
    match v.get(field) {
        None | Some(Value::Null) => Ok(Map::new()),
        Some(Value::Object(m)) => Ok(m.clone()),
        _ => Err(CoreError::InvalidRequest(format!("{field} must be an object"))),
    }
}

fn opt_str(v: &Value, field: &str) -> CoreResult<Option<String>> {
    match v.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        _ => Err(CoreError::InvalidRequest(format!("{field} must be a string"))),
    }
}

/// The root profile attributes of a request body (absent ones `None`).
fn profile_of(body: &Value) -> CoreResult<users::Profile> {
    Ok(users::Profile {
        given_name: opt_str(body, "given_name")?,
        family_name: opt_str(body, "family_name")?,
        name: opt_str(body, "name")?,
        nickname: opt_str(body, "nickname")?,
        picture: opt_str(body, "picture")?,
        phone_number: opt_str(body, "phone_number")?,
    })
}

fn opt_bool(v: &Value, field: &str) -> CoreResult<Option<bool>> {
    match v.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Bool(b)) => Ok(Some(*b)),
        _ => Err(CoreError::InvalidRequest(format!("{field} must be a boolean"))),
    }
}

/// `POST /api/v2/users`: an administrator creates a user (policy enforced, no throttling).
pub async fn create_user(core: &Core<'_>, body: &Value) -> CoreResult<Value> {
    let conn_name =
        opt_str(body, "connection")?.ok_or_else(|| CoreError::InvalidRequest("Missing connection".into()))?;
    let conn = tenant::database_by_name(core.db, &conn_name)
        .await?
        .filter(|c| c.id != admins::ADMIN_CONNECTION_ID)
        .ok_or_else(|| CoreError::InvalidRequest("Unknown connection".into()))?;
    let email = shared::email::normalize(
        &opt_str(body, "email")?.ok_or_else(|| CoreError::InvalidRequest("Missing email".into()))?,
    );
    if !shared::email::is_valid(&email) {
        return Err(CoreError::InvalidRequest("Invalid email".into()));
    }
    let password = opt_str(body, "password")?;
    let username = match opt_str(body, "username")? {
        Some(u) if !conn.username_rules().is_valid(&u) => {
            return Err(CoreError::InvalidRequest("Invalid username".into()))
        }
        Some(u) => Some(UsernameRules::normalize(&u)),
        None if conn.options.requires_username => return Err(CoreError::InvalidRequest("Missing username".into())),
        None => None,
    };
    let app_metadata = obj(body, "app_metadata")?;
    check_app_metadata(&app_metadata)?;
    let user_metadata = obj(body, "user_metadata")?;
    let mut new = NewUser {
        user_id: match opt_str(body, "user_id")? {
            Some(id) if id.len() <= 128 && id.chars().all(|c| c.is_ascii_alphanumeric() || "._@+-".contains(c)) => {
                id.trim_start_matches("auth0|").to_owned()
            }
            Some(_) => return Err(CoreError::InvalidRequest("Invalid user_id".into())),
            None => core.new_id()?,
        },
        connection_id: conn.id.clone(),
        email: email.clone(),
        email_verified: opt_bool(body, "email_verified")?.unwrap_or(false),
        username,
        profile: profile_of(body)?,
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
        return Ok(user_json(&created, &conn.name));
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
pub async fn update_user(core: &Core<'_>, id: &str, body: &Value) -> CoreResult<Value> {
    let u = admins::managed(users::by_id(core.db, local_id(id)?).await?)?;
    let conn = connection_of(core, &u).await?;
    if !body.is_object() {
        return Err(CoreError::InvalidRequest("Body must be an object".into()));
    }
    let merge = |current: &Map<String, Value>, field: &str| -> CoreResult<Option<Map<String, Value>>> {
        match body.get(field) {
            None => Ok(None),
            Some(Value::Object(patch)) => {
                let mut m = current.clone();
                for (k, v) in patch {
                    if v.is_null() {
                        m.remove(k);
                    } else {
                        m.insert(k.clone(), v.clone());
                    }
                }
                Ok(Some(m))
            }
            Some(Value::Null) => Ok(Some(Map::new())),
            _ => Err(CoreError::InvalidRequest(format!("{field} must be an object"))),
        }
    };
    let user_metadata = merge(&u.user_metadata, "user_metadata")?;
    let app_metadata = merge(&u.app_metadata, "app_metadata")?;
    if let Some(m) = &app_metadata {
        check_app_metadata(m)?;
    }
    let email = match opt_str(body, "email")? {
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
    let email_verified = opt_bool(body, "email_verified")?.or(email.as_ref().filter(|e| **e != u.email).map(|_| false));
    let now = core.clock.now_ms();
    let patch = users::Patch {
        email,
        email_verified,
        // `phone_number` is not read here: an update has never changed it.
        given_name: opt_str(body, "given_name")?,
        family_name: opt_str(body, "family_name")?,
        name: opt_str(body, "name")?,
        nickname: opt_str(body, "nickname")?,
        picture: opt_str(body, "picture")?,
        blocked: opt_bool(body, "blocked")?,
        user_metadata,
        app_metadata,
    };
    let stmt = users::patch(&u.user_id, patch, now);
    // Blocking a user signs them out everywhere: sessions, refresh tokens, pending codes.
    let mut stmts = vec![stmt];
    if opt_bool(body, "blocked")? == Some(true) {
        stmts.extend(lifecycle::revocations(&u.user_id, now, None));
    }
    match core.db.batch(stmts).await {
        Ok(_) => {}
        Err(crate::core::platform::db::DbError::Conflict(_)) => {
            return Err(CoreError::Conflict("The specified new email already exists".into()))
        }
        Err(e) => return Err(e.into()),
    }
    if let Some(pw) = opt_str(body, "password")? {
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
    lazy::delete_user(core, &conn, &u.user_id).await
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
