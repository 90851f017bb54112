//! Tenant configuration: the tenant's flags, applications (clients) and database connections.
//!
//! All of it lives in the database so the Management API can change it at run time; `make dev`
//! seeds a demo tenant. Connection options use Auth0's Management API names so they can be read
//! and written in Auth0's shape.

use serde::{Deserialize, Serialize};
use shared::password::PasswordPolicy;
use shared::username::UsernameRules;
use shared::wire::{DbConnectionInfo, Validation};

use shared::password::MAX_PASSWORD_BYTES;
use shared::personal_info::PersonalInfo;

use crate::core::error::{CoreError, CoreResult};
use crate::core::platform::db::{columns, query_one, Database, Stmt};

/// Tenant-wide switches.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TenantFlags {
    /// Return `user_exists` instead of the generic `invalid_signup` for an existing user.
    #[serde(default)]
    pub enable_public_signup_user_exists_error: bool,
    /// Connection used by the plain `password` grant (Auth0's "default directory").
    #[serde(default)]
    pub default_directory: Option<String>,
}

/// The tenant row.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Tenant {
    /// Tenant name (Lock shows it nowhere but expects it in the client config).
    pub name: String,
    /// Switches.
    #[serde(deserialize_with = "columns::json_text")]
    pub flags: TenantFlags,
}

pub use super::options::*;

/// A database connection.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Connection {
    /// `con_...` id.
    pub id: String,
    /// Unique name (`Username-Password-Authentication`).
    pub name: String,
    /// Strategy (`auth0`).
    pub strategy: Strategy,
    /// Options.
    #[serde(deserialize_with = "columns::json_text")]
    pub options: ConnectionOptions,
    /// A no-match hash of the heaviest foreign hash class on this connection (see
    /// [`record_foreign_hash`]).
    #[serde(default)]
    pub foreign_hash_dummy: Option<String>,
    /// Its work, argon2 KiB·passes.
    #[serde(default, deserialize_with = "columns::int")]
    pub foreign_hash_work: i64,
}

/// Below this work (argon2 KiB·passes, ~5% of OWASP's argon2id) a foreign hash class is not worth
/// equalising: plain digests, HMACs, cheap PBKDF2.
pub const FOREIGN_WORK_WORTH_EQUALISING: f64 = 2_000.0;

/// Remembers `hash`'s class on `conn` when it is heavier than any seen there (a bulk import, a
/// hash hand-over): failed logins on the connection then spend its work too, so timing does not
/// tell users with imported hashes from unknown identifiers. `random` makes the dummy's salt and
/// digest. One conditional statement, so concurrent chunks keep the heaviest.
pub async fn record_foreign_hash(
    db: &dyn Database,
    conn: &Connection,
    hash: &crate::core::credentials::legacy_hash::LegacyHash,
    random: [u8; 48],
) -> CoreResult<()> {
    let work = hash.work();
    if work < FOREIGN_WORK_WORTH_EQUALISING || work <= conn.foreign_hash_work as f64 {
        return Ok(());
    }
    let Some(dummy) = hash.dummy(random) else {
        return Ok(());
    };
    db.execute(
        Stmt::new(
            "UPDATE connections SET foreign_hash_dummy = ?1, foreign_hash_work = ?2 WHERE id = ?3 AND foreign_hash_work < ?2",
        )
        .bind(dummy)
        .bind(work as i64)
        .bind(&conn.id),
    )
    .await?;
    Ok(())
}

/// A connection's strategy (the `connections.strategy` column, Auth0's names).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Strategy {
    /// `auth0`: a database connection (passwords).
    #[serde(rename = "auth0")]
    Auth0,
    /// `google-oauth2`.
    #[serde(rename = "google-oauth2")]
    GoogleOauth2,
    /// `facebook`.
    #[serde(rename = "facebook")]
    Facebook,
    /// `oidc`: any OpenID Connect provider.
    #[serde(rename = "oidc")]
    Oidc,
    /// `oauth2`: any OAuth 2.0 provider with a profile URL.
    #[serde(rename = "oauth2")]
    Oauth2,
    /// `email`: passwordless, by one-time codes and links sent by mail.
    #[serde(rename = "email")]
    Email,
}

impl Strategy {
    /// The federated strategies.
    pub const FEDERATED: [Strategy; 4] = [Self::GoogleOauth2, Self::Facebook, Self::Oidc, Self::Oauth2];

    /// Auth0's name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Auth0 => "auth0",
            Self::GoogleOauth2 => "google-oauth2",
            Self::Facebook => "facebook",
            Self::Oidc => "oidc",
            Self::Oauth2 => "oauth2",
            Self::Email => "email",
        }
    }

    /// The strategy called `name`.
    pub fn parse(name: &str) -> Option<Self> {
        [Self::Auth0, Self::Email]
            .into_iter()
            .chain(Self::FEDERATED)
            .find(|s| s.as_str() == name)
    }

    /// Logins at an identity provider (no passwords here).
    pub fn is_federated(self) -> bool {
        Self::FEDERATED.contains(&self)
    }

    /// Passwordless: codes and links by mail (no passwords here either).
    pub fn is_passwordless(self) -> bool {
        self == Self::Email
    }

    /// A built-in social provider (Google, Facebook), whose users may keep the short id form.
    pub fn is_social(self) -> bool {
        matches!(self, Self::GoogleOauth2 | Self::Facebook)
    }
}

impl std::fmt::Display for Strategy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The OAuth 2.0 grants a client may hold (its `grant_types`, stored as Auth0's strings).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GrantType {
    /// `authorization_code`.
    AuthorizationCode,
    /// `implicit`.
    Implicit,
    /// `refresh_token`.
    RefreshToken,
    /// `client_credentials`.
    ClientCredentials,
    /// `password`.
    Password,
    /// `http://auth0.com/oauth/grant-type/password-realm`.
    PasswordRealm,
    /// `http://auth0.com/oauth/grant-type/passwordless/otp`.
    PasswordlessOtp,
    /// `urn:okta:params:oauth:grant-type:webauthn` (passkeys).
    Webauthn,
    /// `http://auth0.com/oauth/grant-type/mfa-otp`.
    MfaOtp,
    /// `http://auth0.com/oauth/grant-type/mfa-oob`.
    MfaOob,
    /// `http://auth0.com/oauth/grant-type/mfa-recovery-code`.
    MfaRecoveryCode,
}

impl GrantType {
    /// Every grant type, in Auth0's order.
    pub const ALL: [GrantType; 11] = [
        Self::AuthorizationCode,
        Self::Implicit,
        Self::RefreshToken,
        Self::ClientCredentials,
        Self::Password,
        Self::PasswordRealm,
        Self::PasswordlessOtp,
        Self::Webauthn,
        Self::MfaOtp,
        Self::MfaOob,
        Self::MfaRecoveryCode,
    ];

    /// Auth0's name of the grant.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::AuthorizationCode => "authorization_code",
            Self::Implicit => "implicit",
            Self::RefreshToken => "refresh_token",
            Self::ClientCredentials => "client_credentials",
            Self::Password => "password",
            Self::PasswordRealm => shared::wire::PASSWORD_REALM,
            Self::PasswordlessOtp => shared::wire::PASSWORDLESS_OTP,
            Self::Webauthn => shared::wire::WEBAUTHN_GRANT,
            Self::MfaOtp => shared::wire::MFA_OTP_GRANT,
            Self::MfaOob => shared::wire::MFA_OOB_GRANT,
            Self::MfaRecoveryCode => shared::wire::MFA_RECOVERY_GRANT,
        }
    }

    /// The grant called `name`.
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|g| g.as_str() == name)
    }
}

/// Where a connection's users live, as its options say.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SourceMode {
    /// Only in our store.
    Local,
    /// A legacy store hands users over at their first login (`import_mode: true`); then they are ours.
    Import,
    /// The legacy store stays the source of truth (`import_mode: false`).
    OwnStore,
}

impl Connection {
    /// Where this connection's users live.
    pub fn source_mode(&self) -> SourceMode {
        match (&self.options.legacy, self.options.import_mode) {
            (None, _) => SourceMode::Local,
            (Some(_), true) => SourceMode::Import,
            (Some(_), false) => SourceMode::OwnStore,
        }
    }

    /// The password checks every flow that sets a password runs (sign-up, reset, change).
    pub fn check_password(&self, password: &str, info: &PersonalInfo<'_>) -> CoreResult<()> {
        if password.len() > MAX_PASSWORD_BYTES {
            return Err(CoreError::PasswordTooLong);
        }
        let policy = self.policy();
        let explanation = policy.missing(password);
        if !explanation.verified {
            return Err(CoreError::PasswordStrength {
                explanation,
                policy: policy.describe(),
            });
        }
        let dict = &self.options.password_dictionary;
        if dict.enable && shared::dictionary::is_common(password, &dict.dictionary) {
            return Err(CoreError::PasswordDictionary);
        }
        if self.options.password_no_personal_info.enable && info.found_in(password) {
            return Err(CoreError::PasswordNoUserInfo);
        }
        Ok(())
    }

    /// The strength policy.
    pub fn policy(&self) -> PasswordPolicy {
        PasswordPolicy::new(
            self.options.password_policy,
            self.options.password_complexity_options.min_length,
        )
    }

    /// The username rules.
    pub fn username_rules(&self) -> UsernameRules {
        self.options
            .validation
            .username
            .map(|u| UsernameRules::new(u.min, u.max))
            .unwrap_or_default()
    }

    /// The connection as Lock and the widget read it.
    pub fn info(&self) -> DbConnectionInfo {
        DbConnectionInfo {
            name: self.name.clone(),
            password_policy: self.options.password_policy,
            password_complexity_options: self.options.password_complexity_options,
            show_signup: !self.options.disable_signup,
            show_forgot: true,
            requires_username: self.options.requires_username,
            validation: Validation {
                username: Some(self.username_rules()),
            },
            passkey: self.options.authentication_methods.passkey.enabled,
        }
    }
}

/// An application.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Client {
    /// Client id.
    pub client_id: String,
    /// Display name.
    pub name: String,
    /// `spa`, `native`, `regular_web` or `non_interactive`.
    pub app_type: String,
    /// Public clients cannot authenticate (no secret).
    #[serde(deserialize_with = "columns::int_bool")]
    pub is_public: bool,
    /// argon2id hash of the secret (confidential clients).
    pub client_secret_hash: Option<String>,
    /// Allowed callback URLs (exact match).
    #[serde(deserialize_with = "columns::json_text")]
    pub callbacks: Vec<String>,
    /// Allowed web origins (CORS, web_message).
    #[serde(deserialize_with = "columns::json_text")]
    pub web_origins: Vec<String>,
    /// Allowed logout URLs.
    #[serde(deserialize_with = "columns::json_text")]
    pub allowed_logout_urls: Vec<String>,
    /// Allowed grant types.
    #[serde(deserialize_with = "columns::json_text")]
    pub grant_types: Vec<String>,
    /// Whether `/co/authenticate` is allowed.
    #[serde(deserialize_with = "columns::int_bool")]
    pub cross_origin_auth: bool,
    /// ID token lifetime in seconds.
    #[serde(deserialize_with = "columns::int")]
    pub id_token_lifetime: i64,
    /// Access token lifetime in seconds.
    #[serde(deserialize_with = "columns::int")]
    pub access_token_lifetime: i64,
    /// Refresh token (idle) lifetime in seconds.
    #[serde(deserialize_with = "columns::int")]
    pub refresh_token_lifetime: i64,
}

impl Client {
    /// Whether the client may use `grant`.
    pub fn allows(&self, grant: GrantType) -> bool {
        self.grant_types.iter().any(|g| g == grant.as_str())
    }

    /// Refuses a grant the client does not hold (`unauthorized_client`).
    pub fn require_grant(&self, grant: GrantType) -> CoreResult<()> {
        if self.allows(grant) {
            Ok(())
        } else {
            Err(CoreError::UnauthorizedClient(format!(
                "Grant type '{}' not allowed for the client.",
                grant.as_str()
            )))
        }
    }
}

/// Reads the tenant row.
pub async fn tenant(db: &dyn Database) -> CoreResult<Tenant> {
    Ok(query_one(db, Stmt::new("SELECT name, flags FROM tenant WHERE id = 1"))
        .await?
        .unwrap_or(Tenant {
            name: "tollgate".into(),
            flags: TenantFlags::default(),
        }))
}

/// Finds a client by id.
pub async fn client(db: &dyn Database, client_id: &str) -> CoreResult<Option<Client>> {
    let sql = "SELECT client_id, name, app_type, is_public, client_secret_hash, callbacks, web_origins, \
               allowed_logout_urls, grant_types, cross_origin_auth, id_token_lifetime, \
               access_token_lifetime, refresh_token_lifetime FROM clients WHERE client_id = ?1";
    Ok(query_one(db, Stmt::new(sql).bind(client_id)).await?)
}

/// Finds a connection by name.
pub async fn connection_by_name(db: &dyn Database, name: &str) -> CoreResult<Option<Connection>> {
    Ok(query_one(
        db,
        Stmt::new(
            "SELECT id, name, strategy, options, foreign_hash_dummy, foreign_hash_work FROM connections WHERE name = ?1",
        )
        .bind(name),
    )
    .await?)
}

/// The connection with id `id`.
pub async fn connection_by_id(db: &dyn Database, id: &str) -> CoreResult<Option<Connection>> {
    Ok(query_one(
        db,
        Stmt::new(
            "SELECT id, name, strategy, options, foreign_hash_dummy, foreign_hash_work FROM connections WHERE id = ?1",
        )
        .bind(id),
    )
    .await?)
}

/// The *database* connection called `name` (strategy `auth0`): what every password flow works
/// with. Federated connections (social, OIDC) have no passwords and are not found here.
pub async fn database_by_name(db: &dyn Database, name: &str) -> CoreResult<Option<Connection>> {
    Ok(connection_by_name(db, name)
        .await?
        .filter(|c| c.strategy == Strategy::Auth0))
}

/// Whether `connection_id` is enabled for `client_id`.
///
/// The console and the administrators' connection belong only to each other, whatever
/// `client_connections` says (a row added by hand can neither lock administrators out nor let them
/// into applications): every enabled-connection read adds `(client = console) = (connection =
/// admins)`.
pub async fn connection_enabled(db: &dyn Database, client_id: &str, connection_id: &str) -> CoreResult<bool> {
    use crate::core::directory::admins::{ADMIN_CONNECTION_ID, CONSOLE_CLIENT_ID};
    let rows = db
        .query(
            Stmt::new(
                "SELECT 1 AS ok FROM client_connections WHERE client_id = ?1 AND connection_id = ?2 \
                 AND ((client_id = ?3) = (connection_id = ?4))",
            )
            .bind(client_id)
            .bind(connection_id)
            .bind(CONSOLE_CLIENT_ID)
            .bind(ADMIN_CONNECTION_ID),
        )
        .await?;
    Ok(!rows.is_empty())
}

/// The scopes client `client_id` was granted for the API `audience` (`client_grants`), if any.
pub async fn client_grant(db: &dyn Database, client_id: &str, audience: &str) -> CoreResult<Option<Vec<String>>> {
    #[derive(Deserialize)]
    struct Grant {
        #[serde(deserialize_with = "columns::json_text")]
        scope: Vec<String>,
    }
    let grant: Option<Grant> = query_one(
        db,
        Stmt::new("SELECT scope FROM client_grants WHERE client_id = ?1 AND audience = ?2")
            .bind(client_id)
            .bind(audience),
    )
    .await?;
    Ok(grant.map(|g| g.scope))
}

/// The connections enabled for a client: the tenant's default directory first, then by name
/// (the console and the administrators' connection only ever together: [`connection_enabled`]).
pub async fn client_connections(db: &dyn Database, client_id: &str) -> CoreResult<Vec<Connection>> {
    use crate::core::directory::admins::{ADMIN_CONNECTION_ID, CONSOLE_CLIENT_ID};
    let rows = db
        .query(
            Stmt::new(
                "SELECT c.id, c.name, c.strategy, c.options, c.foreign_hash_dummy, c.foreign_hash_work FROM connections c \
                 JOIN client_connections cc ON cc.connection_id = c.id \
                 WHERE cc.client_id = ?1 AND ((cc.client_id = ?2) = (cc.connection_id = ?3)) \
                 ORDER BY c.name = (SELECT json_extract(flags, '$.default_directory') FROM tenant WHERE id = 1) DESC, c.name",
            )
            .bind(client_id)
            .bind(CONSOLE_CLIENT_ID)
            .bind(ADMIN_CONNECTION_ID),
        )
        .await?;
    Ok(crate::core::platform::db::decode(rows)?)
}

/// Looks up the connection named in a request and checks it is enabled for the client (when a
/// client id is given; Auth0 falls back to the tenant's global client otherwise).
pub async fn resolve_connection(db: &dyn Database, client_id: Option<&str>, name: &str) -> CoreResult<Connection> {
    let conn = database_by_name(db, name)
        .await?
        .ok_or_else(|| CoreError::ConnectionNotFound(name.to_owned()))?;
    if let Some(client_id) = client_id {
        if client(db, client_id).await?.is_none() {
            return Err(CoreError::UnknownClient);
        }
        if !connection_enabled(db, client_id, &conn.id).await? {
            return Err(CoreError::ConnectionNotFound(name.to_owned()));
        }
    }
    Ok(conn)
}
