//! User records of database connections and the queries on them.

use serde::Deserialize;
use serde_json::{Map, Value};
pub use shared::email::Email;

use crate::core::platform::db::{columns, query_one, Database, DbError, Stmt};

mod writes;
pub use writes::*;

/// A user's root profile attributes (Auth0's `given_name` … `phone_number`): one type for the
/// stored user, a new user, an imported row and the legacy store's answer.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, serde::Serialize)]
pub struct Profile {
    /// Given name.
    pub given_name: Option<String>,
    /// Family name.
    pub family_name: Option<String>,
    /// Full name.
    pub name: Option<String>,
    /// Nickname.
    pub nickname: Option<String>,
    /// Picture URL.
    pub picture: Option<String>,
    /// Phone number.
    pub phone_number: Option<String>,
}

/// A stored user. `user_id` has no `auth0|` prefix.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct User {
    /// Id without the strategy prefix.
    pub user_id: String,
    /// Owning connection.
    pub connection_id: String,
    /// Normalised email.
    pub email: String,
    /// Whether the email was verified.
    #[serde(deserialize_with = "columns::int_bool")]
    pub email_verified: bool,
    /// Normalised username.
    pub username: Option<String>,
    /// PHC string; `None` for users who must reset (e.g. imported without a hash).
    pub password_hash: Option<String>,
    /// Root profile attributes.
    #[serde(flatten)]
    pub profile: Profile,
    /// User-editable metadata.
    #[serde(deserialize_with = "columns::json_text")]
    pub user_metadata: Map<String, Value>,
    /// Application metadata.
    #[serde(deserialize_with = "columns::json_text")]
    pub app_metadata: Map<String, Value>,
    /// Blocked by an administrator.
    #[serde(deserialize_with = "columns::int_bool")]
    pub blocked: bool,
    /// Creation time (ms).
    #[serde(deserialize_with = "columns::int")]
    pub created_at: i64,
    /// Last update (ms).
    #[serde(deserialize_with = "columns::int")]
    pub updated_at: i64,
    /// `legacy:<connection>` for lazily migrated and own-store users.
    pub migrated_from: Option<String>,
    /// When migrated (ms).
    #[serde(deserialize_with = "columns::opt_int")]
    pub migrated_at: Option<i64>,
    /// Last login (ms).
    #[serde(deserialize_with = "columns::opt_int")]
    pub last_login: Option<i64>,
    /// Number of logins.
    #[serde(deserialize_with = "columns::int")]
    pub logins_count: i64,
    /// The legacy password failed the current policy: the user should choose a new one.
    #[serde(deserialize_with = "columns::int_bool")]
    pub password_reset_required: bool,
}

/// The `sub` (and Management API id) of stored user `user_id`: `auth0|<id>` for database users;
/// federated users' ids already read `{strategy}|{provider user id}`.
pub fn sub(user_id: &str) -> String {
    if user_id.contains('|') {
        user_id.to_owned()
    } else {
        format!("auth0|{user_id}")
    }
}

/// The stored id behind a user `sub`; `None` for client credentials (`…@clients`) and anything
/// that is not a user subject.
pub fn id_from_sub(sub: &str) -> Option<&str> {
    match sub.strip_prefix("auth0|") {
        Some(id) if !id.is_empty() => Some(id),
        Some(_) => None,
        None => (sub.contains('|') && !sub.ends_with("@clients") && !sub.starts_with('|')).then_some(sub),
    }
}

/// What a person types to log in, normalised once: an email (see [`Email`]) or a username
/// (trimmed, lower-cased). Brute-force counters and the legacy store use the same form, so another
/// spelling of one address is the same identifier.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Identifier {
    /// Anything with an `@`.
    Email(Email),
    /// Anything else.
    Username(String),
}

impl Identifier {
    /// Normalises `raw`.
    pub fn new(raw: &str) -> Self {
        if raw.contains('@') {
            Self::Email(Email::new(raw))
        } else {
            Self::Username(shared::username::UsernameRules::normalize(raw))
        }
    }

    /// The normalised text.
    pub fn as_str(&self) -> &str {
        match self {
            Self::Email(e) => e.as_str(),
            Self::Username(u) => u,
        }
    }
}

/// What a new user is created with.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct NewUser {
    /// Id without prefix.
    pub user_id: String,
    /// Owning connection.
    pub connection_id: String,
    /// Normalised email.
    pub email: String,
    /// Whether the email is verified.
    pub email_verified: bool,
    /// Normalised username.
    pub username: Option<String>,
    /// PHC string.
    pub password_hash: Option<String>,
    /// Root profile attributes.
    pub profile: Profile,
    /// User metadata.
    pub user_metadata: Map<String, Value>,
    /// App metadata.
    pub app_metadata: Map<String, Value>,
    /// Origin of a migrated user (`legacy:<connection>`); `migrated_at` is then `now`.
    pub migrated_from: Option<String>,
    /// Ask for a new password at the next opportunity.
    pub password_reset_required: bool,
    /// Creation time (ms).
    pub now: i64,
}

/// Inserts a user.
pub async fn insert(db: &dyn Database, u: &NewUser) -> Result<(), DbError> {
    db.execute(insert_stmt(u)).await.map(|_| ())
}

/// Finds a user of a connection by normalised email.
pub async fn by_email(db: &dyn Database, connection_id: &str, email: &Email) -> Result<Option<User>, DbError> {
    query_one(
        db,
        Stmt::new(const_sql::BY_EMAIL).bind(connection_id).bind(email.as_str()),
    )
    .await
}

/// Finds a user of a connection by normalised username.
pub async fn by_username(db: &dyn Database, connection_id: &str, username: &str) -> Result<Option<User>, DbError> {
    query_one(db, Stmt::new(const_sql::BY_USERNAME).bind(connection_id).bind(username)).await
}

/// Finds a user by id.
pub async fn by_id(db: &dyn Database, user_id: &str) -> Result<Option<User>, DbError> {
    query_one(db, Stmt::new(const_sql::BY_ID).bind(user_id)).await
}

/// SQL for the bytes a user takes when read whole: its metadata plus a bound for every other field.
/// Export pages and the reads inside them are cut by it.
macro_rules! stored_size {
    () => {
        "(512 + COALESCE(LENGTH(CAST(user_metadata AS BLOB)), 0) + COALESCE(LENGTH(CAST(app_metadata AS BLOB)), 0))"
    };
}
pub(crate) use stored_size;

mod const_sql {
    // One column list for every user query; `concat!` keeps them `&'static str`.
    macro_rules! select_users {
        ($($where:expr),+) => {
            concat!(
                "SELECT user_id, connection_id, email, email_verified, username, password_hash, ",
                "given_name, family_name, name, nickname, picture, phone_number, user_metadata, app_metadata, ",
                "blocked, created_at, updated_at, migrated_from, password_reset_required, migrated_at, last_login, ",
                "logins_count FROM users WHERE ",
                $($where),+
            )
        };
    }
    pub const BY_EMAIL: &str = select_users!("connection_id = ?1 AND email = ?2");
    pub const BY_USERNAME: &str = select_users!("connection_id = ?1 AND username = ?2");
    pub const BY_ID: &str = select_users!("user_id = ?1");
    // The search filter (`Filter`'s fields are ?1..?12); prefixes are ranges, which use the
    // indexes on normalised values.
    macro_rules! search_where {
        () => {
            concat!(
                "connection_id <> 'con_tenant_admins' AND (?1 IS NULL OR connection_id = ?1) AND (?2 IS NULL OR email = ?2) ",
                "AND (?3 IS NULL OR (email >= ?3 AND email < ?3 || char(1114111))) ",
                "AND (?4 IS NULL OR name = ?4 COLLATE NOCASE) AND (?5 IS NULL OR name LIKE ?5 ESCAPE '\\') ",
                "AND (?6 IS NULL OR user_id = ?6) AND (?7 IS NULL OR (user_id >= ?7 AND user_id < ?7 || char(1114111))) ",
                "AND (?8 IS NULL OR username = ?8) ",
                "AND (?9 IS NULL OR (username >= ?9 AND username < ?9 || char(1114111))) ",
                "AND (?10 IS NULL OR blocked = ?10) AND (?11 IS NULL OR email_verified = ?11) ",
                "AND (?12 IS NULL OR email = ?12 OR username = ?12 OR user_id = ?12 OR name = ?12 COLLATE NOCASE)"
            )
        };
    }
    macro_rules! sort_key {
        () => {
            concat!(
                "CASE ?13 WHEN 'email' THEN email WHEN 'name' THEN name WHEN 'username' THEN username ",
                "WHEN 'user_id' THEN user_id WHEN 'updated_at' THEN updated_at WHEN 'last_login' THEN last_login ",
                "WHEN 'logins_count' THEN logins_count ELSE created_at END"
            )
        };
    }
    pub const SEARCH: &str = select_users!(
        search_where!(),
        " ORDER BY CASE WHEN ?14 = 1 THEN ",
        sort_key!(),
        " END ASC, CASE WHEN ?14 = -1 THEN ",
        sort_key!(),
        " END DESC, created_at, user_id LIMIT ?15 OFFSET ?16"
    );
    pub const SEARCH_COUNT: &str = concat!("SELECT COUNT(*) AS n FROM users WHERE ", search_where!());
    pub const BY_EMAIL_ANY: &str = select_users!("email = ?1 ORDER BY created_at");
    /// A keyset page as one JSON array in one row: thousands of users cross from the database
    /// to the Worker as one string instead of one value per column per user.
    pub const KEYSET: &str = concat!(
        "SELECT json_group_array(json_object('user_id', user_id, 'connection_id', connection_id, 'email', email, ",
        "'email_verified', email_verified, 'username', username, 'password_hash', password_hash, ",
        "'given_name', given_name, 'family_name', family_name, 'name', name, 'nickname', nickname, ",
        "'picture', picture, 'phone_number', phone_number, 'user_metadata', user_metadata, ",
        "'app_metadata', app_metadata, 'blocked', blocked, 'created_at', created_at, 'updated_at', updated_at, ",
        "'migrated_from', migrated_from, 'password_reset_required', password_reset_required, ",
        "'migrated_at', migrated_at, 'last_login', last_login, 'logins_count', logins_count)) AS page ",
        "FROM (SELECT *, SUM(",
        stored_size!(),
        ") OVER (ORDER BY user_id ROWS UNBOUNDED PRECEDING) AS upto, ",
        stored_size!(),
        " AS size FROM users WHERE connection_id <> 'con_tenant_admins' AND (?1 IS NULL OR connection_id = ?1) AND created_at <= ?2 ",
        // Bounds the primary key's index can seek to (a `?3 IS NULL OR …` form scans from the
        // first user, page after page).
        "AND user_id >= COALESCE(?3, '') AND user_id > COALESCE(?6, '') AND user_id < COALESCE(?4, char(1114111)) ",
        "ORDER BY user_id LIMIT ?5) WHERE upto - size < ?7"
    );
    // A user's creation or login time as Auth0 writes it (`2017-03-30T15:13:40.474Z`), exactly:
    // integer seconds and milliseconds, no floating point.
    macro_rules! iso {
        ($col:literal) => {
            concat!(
                "(strftime('%Y-%m-%dT%H:%M:%S', ",
                $col,
                " / 1000, 'unixepoch') || '.' || substr('00' || (",
                $col,
                " % 1000), -3) || 'Z')"
            )
        };
    }
    // Export lines formatted by SQLite: for each user of the keyset page (as [`KEYSET`]), one
    // JSON object (`$line`), the page's lines joined by newlines.
    macro_rules! keyset_lines {
        ($($line:expr),+) => {
            concat!(
                "SELECT group_concat(line, char(10)) AS page, COUNT(*) AS n, MAX(user_id) AS last FROM (",
                "SELECT u.user_id, ", $($line),+, " AS line FROM (SELECT *, SUM(", stored_size!(),
                ") OVER (ORDER BY user_id ROWS UNBOUNDED PRECEDING) AS upto, ", stored_size!(),
                " AS size FROM users WHERE connection_id <> 'con_tenant_admins' AND (?1 IS NULL OR connection_id = ?1) ",
                "AND created_at <= ?2 AND user_id >= COALESCE(?3, '') AND user_id > COALESCE(?6, '') ",
                "AND user_id < COALESCE(?4, char(1114111)) ORDER BY user_id LIMIT ?5) u WHERE upto - size < ?7 ",
                "ORDER BY u.user_id)"
            )
        };
    }
    macro_rules! sub {
        () => {
            "CASE WHEN instr(u.user_id, '|') > 0 THEN u.user_id ELSE 'auth0|' || u.user_id END"
        };
    }
    macro_rules! boolean {
        ($col:literal) => {
            concat!("json(CASE WHEN ", $col, " THEN 'true' ELSE 'false' END)")
        };
    }
    macro_rules! last_login {
        () => {
            concat!(
                "CASE WHEN u.last_login IS NULL THEN NULL ELSE ",
                iso!("u.last_login"),
                " END"
            )
        };
    }
    /// Lines of the fields `?8` names (`[{n: field, k: key}]`, [`LINE_FIELDS`] only).
    pub const KEYSET_LINES: &str =
        keyset_lines!(
        "(SELECT json_group_object(json_extract(f.value, '$.k'), CASE json_extract(f.value, '$.n') ",
        "WHEN 'user_id' THEN ", sub!(), " WHEN 'email' THEN u.email ",
        "WHEN 'email_verified' THEN ", boolean!("u.email_verified"), " WHEN 'blocked' THEN ", boolean!("u.blocked"),
        " WHEN 'username' THEN u.username WHEN 'given_name' THEN u.given_name WHEN 'family_name' THEN u.family_name ",
        "WHEN 'name' THEN u.name WHEN 'nickname' THEN u.nickname WHEN 'picture' THEN u.picture ",
        "WHEN 'phone_number' THEN u.phone_number ",
        "WHEN 'created_at' THEN ", iso!("u.created_at"), " WHEN 'updated_at' THEN ", iso!("u.updated_at"),
        " WHEN 'last_login' THEN ", last_login!(), " WHEN 'logins_count' THEN u.logins_count ",
        "WHEN 'user_metadata' THEN json(u.user_metadata) WHEN 'app_metadata' THEN json(u.app_metadata) END) ",
        "FROM json_each(?8) f)"
    );
    /// Lines of the default export fields (`jobs::export::DEFAULT_FIELDS`, in their order): one
    /// `json_object` per user, without walking a field list.
    pub const KEYSET_DEFAULT_LINES: &str = keyset_lines!(
        "json_object('user_id', ",
        sub!(),
        ", 'email', u.email, 'email_verified', ",
        boolean!("u.email_verified"),
        ", 'username', u.username, 'name', u.name, 'given_name', u.given_name, 'family_name', u.family_name, ",
        "'nickname', u.nickname, 'picture', u.picture, 'created_at', ",
        iso!("u.created_at"),
        ", 'updated_at', ",
        iso!("u.updated_at"),
        ", 'last_login', ",
        last_login!(),
        ", 'logins_count', u.logins_count, 'blocked', ",
        boolean!("u.blocked"),
        ")"
    );
}

/// The SQL of [`keyset_page`] (for query-plan tests).
pub const KEYSET_SQL: &str = const_sql::KEYSET;
/// The SQL of [`keyset_lines`] (for query-plan tests).
pub const KEYSET_LINES_SQL: &str = const_sql::KEYSET_LINES;
/// The SQL of [`keyset_lines`] for the default fields (for query-plan tests).
pub const KEYSET_DEFAULT_LINES_SQL: &str = const_sql::KEYSET_DEFAULT_LINES;

/// The fields SQLite formats for exports ([`keyset_lines`]); any other field (identities, nested
/// paths) is formatted from the user in Rust.
pub const LINE_FIELDS: [&str; 17] = [
    "user_id",
    "email",
    "email_verified",
    "blocked",
    "username",
    "given_name",
    "family_name",
    "name",
    "nickname",
    "picture",
    "phone_number",
    "created_at",
    "updated_at",
    "last_login",
    "logins_count",
    "user_metadata",
    "app_metadata",
];

/// A keyset page (as [`keyset_page`]) as export lines formatted by SQLite: `spec` is
/// `[{n: field, k: key}]` of [`LINE_FIELDS`], or `None` for the default export fields. Returns the lines joined by
/// newlines, how many users they are, and the last user id.
#[allow(clippy::too_many_arguments)]
pub async fn keyset_lines(
    db: &dyn Database,
    connection_id: Option<&str>,
    snapshot: i64,
    start: Option<&str>,
    after: Option<&str>,
    end: Option<&str>,
    limit: i64,
    budget: i64,
    spec: Option<&str>,
) -> Result<(String, i64, Option<String>), DbError> {
    #[derive(Deserialize)]
    struct Lines {
        page: Option<String>,
        #[serde(deserialize_with = "columns::int")]
        n: i64,
        last: Option<String>,
    }
    let sql = if spec.is_some() {
        const_sql::KEYSET_LINES
    } else {
        const_sql::KEYSET_DEFAULT_LINES
    };
    let mut stmt = Stmt::new(sql)
        .bind(connection_id)
        .bind(snapshot)
        .bind(start)
        .bind(end)
        .bind(limit)
        .bind(after)
        .bind(budget);
    if let Some(spec) = spec {
        stmt = stmt.bind(spec);
    }
    let page: Option<Lines> = query_one(db, stmt).await?;
    Ok(page.map_or((String::new(), 0, None), |p| (p.page.unwrap_or_default(), p.n, p.last)))
}

/// What a user search asks for; every field present must match (`None`: any).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filter {
    /// Of this connection.
    pub connection_id: Option<String>,
    /// This normalised email.
    pub email: Option<String>,
    /// A normalised email starting so.
    pub email_prefix: Option<String>,
    /// This name (any case).
    pub name: Option<String>,
    /// A name starting so (any case).
    pub name_prefix: Option<String>,
    /// This id.
    pub user_id: Option<String>,
    /// An id starting so.
    pub user_id_prefix: Option<String>,
    /// This normalised username.
    pub username: Option<String>,
    /// A normalised username starting so.
    pub username_prefix: Option<String>,
    /// Blocked or not.
    pub blocked: Option<bool>,
    /// Verified email or not.
    pub email_verified: Option<bool>,
    /// A bare term: the email, username, id or name.
    pub any: Option<String>,
}

/// How a search is ordered: a column of [`SORTABLE`], ascending or not.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sort {
    /// The column.
    pub field: &'static str,
    /// Ascending.
    pub ascending: bool,
}

/// The columns a search may be sorted by.
pub const SORTABLE: [&str; 8] = [
    "email",
    "name",
    "username",
    "user_id",
    "created_at",
    "updated_at",
    "last_login",
    "logins_count",
];

impl Default for Sort {
    fn default() -> Self {
        Self {
            field: "created_at",
            ascending: true,
        }
    }
}

fn like_prefix(p: &str) -> String {
    let mut out = String::with_capacity(p.len() + 1);
    for c in p.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('%');
    out
}

fn filter_stmt(sql: &'static str, f: &Filter) -> Stmt {
    Stmt::new(sql)
        .bind(f.connection_id.as_deref())
        .bind(f.email.as_deref())
        .bind(f.email_prefix.as_deref())
        .bind(f.name.as_deref())
        .bind(f.name_prefix.as_deref().map(like_prefix))
        .bind(f.user_id.as_deref())
        .bind(f.user_id_prefix.as_deref())
        .bind(f.username.as_deref())
        .bind(f.username_prefix.as_deref())
        .bind(f.blocked)
        .bind(f.email_verified)
        .bind(f.any.as_deref())
}

/// A page of the users a filter matches, in `sort` order (then by creation).
pub async fn search(db: &dyn Database, f: &Filter, sort: &Sort, limit: i64, offset: i64) -> Result<Vec<User>, DbError> {
    crate::core::platform::db::decode(
        db.query(
            filter_stmt(const_sql::SEARCH, f)
                .bind(sort.field)
                .bind(if sort.ascending { 1i64 } else { -1 })
                .bind(limit)
                .bind(offset),
        )
        .await?,
    )
}

/// How many users a filter matches.
pub async fn count(db: &dyn Database, f: &Filter) -> Result<i64, DbError> {
    #[derive(Deserialize)]
    struct N {
        #[serde(deserialize_with = "columns::int")]
        n: i64,
    }
    let n: Option<N> = query_one(db, filter_stmt(const_sql::SEARCH_COUNT, f)).await?;
    Ok(n.map_or(0, |n| n.n))
}

/// Users created at or before `snapshot` (optionally of one connection) with ids in
/// `[start, end)`, by id, at most `limit`: a page that users created or deleted later never shift.
///
/// Reads at most `limit` users from `start` (inclusive) or after `after` (exclusive) up to `end`
/// (exclusive), and stops once the users read so far hold `budget` bytes of stored size (always
/// at least one user), so that the page — one value in the database — stays far below D1's
/// 2 MB limit on a string whatever the users' metadata.
#[allow(clippy::too_many_arguments)]
pub async fn keyset_page(
    db: &dyn Database,
    connection_id: Option<&str>,
    snapshot: i64,
    start: Option<&str>,
    after: Option<&str>,
    end: Option<&str>,
    limit: i64,
    budget: i64,
) -> Result<Vec<User>, DbError> {
    #[derive(Deserialize)]
    struct Page {
        page: String,
    }
    let page: Option<Page> = query_one(
        db,
        Stmt::new(const_sql::KEYSET)
            .bind(connection_id)
            .bind(snapshot)
            .bind(start)
            .bind(end)
            .bind(limit)
            .bind(after)
            .bind(budget),
    )
    .await?;
    let mut users: Vec<User> = match page {
        Some(p) => {
            serde_json::from_str(&p.page).map_err(|e| DbError::Other(format!("decoding a page of users: {e}")))?
        }
        None => Vec::new(),
    };
    users.sort_by(|a, b| a.user_id.cmp(&b.user_id));
    Ok(users)
}

/// How many users were created at or before `snapshot` (optionally of one connection).
pub async fn count_snapshot(db: &dyn Database, connection_id: Option<&str>, snapshot: i64) -> Result<i64, DbError> {
    #[derive(Deserialize)]
    struct N {
        #[serde(deserialize_with = "columns::int")]
        n: i64,
    }
    let n: Option<N> = query_one(
        db,
        Stmt::new("SELECT COUNT(*) AS n FROM users WHERE connection_id <> 'con_tenant_admins' AND (?1 IS NULL OR connection_id = ?1) AND created_at <= ?2")
            .bind(connection_id)
            .bind(snapshot),
    )
    .await?;
    Ok(n.map_or(0, |n| n.n))
}

/// Every user with this (normalised) email, across connections.
pub async fn by_email_any(db: &dyn Database, email: &Email) -> Result<Vec<User>, DbError> {
    crate::core::platform::db::decode(
        db.query(Stmt::new(const_sql::BY_EMAIL_ANY).bind(email.as_str()))
            .await?,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identifiers_are_normalised_once_on_construction() {
        assert_eq!(
            Identifier::new("  Ada@EXAMPLE.com "),
            Identifier::Email(Email::new("ada@example.com"))
        );
        assert_eq!(Identifier::new(" Ada.L ").as_str(), "ada.l");
        assert_eq!(Email::new("ADA@ＥＸＡＭＰＬＥ.com").as_str(), "ada@example.com");
        assert_eq!(Email::from(" X@Y.org"), Email::new("x@y.org"));
    }
}
