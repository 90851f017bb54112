//! Federated connections: strategies, options, the provider endpoints (discovery for OIDC).

use serde::Deserialize;
use serde_json::{json, Map, Value};

use crate::core::directory::tenant::Strategy;
use crate::core::error::{CoreError, CoreResult};
use crate::core::federation::provider_http::{self};
use crate::core::platform::db::{query_one, Stmt};
use crate::core::Core;

/// `scope` as a string or a list.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(untagged)]
pub enum Scope {
    /// `"openid email"`.
    Text(String),
    /// `["openid", "email"]`.
    List(Vec<String>),
}

/// A federated connection's options (Auth0-like names). The client secret is never stored here:
/// `client_secret_env` names the Worker secret that holds it.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub struct FederatedOptions {
    /// Our client id at the provider.
    #[serde(default)]
    pub client_id: String,
    /// Name of the Worker secret with the client secret.
    #[serde(default)]
    pub client_secret_env: Option<String>,
    /// Scopes to ask for (a per-strategy default otherwise).
    #[serde(default)]
    pub scope: Option<Scope>,
    /// OIDC issuer (`https://accounts.google.com` for `google-oauth2`).
    #[serde(default)]
    pub issuer: Option<String>,
    /// Discovery document URL (default `{issuer}/.well-known/openid-configuration`).
    #[serde(default)]
    pub discovery_url: Option<String>,
    /// Overrides (or, for `oauth2`, the configuration).
    #[serde(default)]
    pub authorization_endpoint: Option<String>,
    /// Token endpoint.
    #[serde(default)]
    pub token_endpoint: Option<String>,
    /// OIDC key set.
    #[serde(default)]
    pub jwks_uri: Option<String>,
    /// OAuth 2.0 profile URL, called with the access token.
    #[serde(default)]
    pub profile_url: Option<String>,
    /// OAuth 2.0 attribute mapping: our attribute → dotted path in the profile (or a constant
    /// boolean for `email_verified`).
    #[serde(default)]
    pub attribute_map: Map<String, Value>,
    /// Link a new provider account to an existing user with the same verified email.
    #[serde(default)]
    pub link_by_email: bool,
    /// Refuse new users (existing ones still log in).
    #[serde(default)]
    pub disable_signup: bool,
}

/// How a provider is spoken to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// OpenID Connect: ID token verified against the provider's keys.
    Oidc,
    /// Plain OAuth 2.0: profile fetched with the access token.
    OAuth2,
}

/// A federated connection.
#[derive(Debug, Clone, PartialEq)]
pub struct FederatedConnection {
    /// `con_…` id.
    pub id: String,
    /// Name (the `connection` parameter).
    pub name: String,
    /// Strategy.
    pub strategy: Strategy,
    /// Options.
    pub options: FederatedOptions,
}

impl FederatedConnection {
    /// OIDC or OAuth 2.0.
    pub fn kind(&self) -> Kind {
        match self.strategy {
            Strategy::GoogleOauth2 | Strategy::Oidc => Kind::Oidc,
            _ => Kind::OAuth2,
        }
    }

    pub(super) fn scope(&self) -> String {
        match &self.options.scope {
            Some(Scope::Text(s)) => s.clone(),
            Some(Scope::List(l)) => l.join(" "),
            None => match self.strategy {
                Strategy::Facebook => "email public_profile".into(),
                Strategy::Oauth2 => String::new(),
                _ => "openid profile email".into(),
            },
        }
    }

    pub(super) fn issuer(&self) -> Option<String> {
        self.options
            .issuer
            .clone()
            .or_else(|| (self.strategy == Strategy::GoogleOauth2).then(|| "https://accounts.google.com".to_owned()))
    }

    /// Facebook's endpoints and profile mapping, unless overridden.
    pub(super) fn defaults(&self) -> (Option<&'static str>, Option<&'static str>, Option<&'static str>) {
        if self.strategy == Strategy::Facebook {
            (
                Some("https://www.facebook.com/v19.0/dialog/oauth"),
                Some("https://graph.facebook.com/v19.0/oauth/access_token"),
                Some("https://graph.facebook.com/v19.0/me?fields=id,name,email,first_name,last_name,picture"),
            )
        } else {
            (None, None, None)
        }
    }

    /// The attribute mapping of an OAuth 2.0 provider (Facebook's by default).
    pub(super) fn mapping(&self) -> Map<String, Value> {
        let mut m: Map<String, Value> = match self.strategy {
            Strategy::Facebook => json!({
                "user_id": "id", "email": "email", "name": "name", "given_name": "first_name",
                "family_name": "last_name", "picture": "picture.data.url",
                // Facebook only returns confirmed addresses.
                "email_verified": true,
            }),
            _ => json!({
                "user_id": "id", "email": "email", "email_verified": "email_verified", "name": "name",
                "given_name": "given_name", "family_name": "family_name", "picture": "picture",
            }),
        }
        .as_object()
        .cloned()
        .unwrap_or_default();
        m.extend(self.options.attribute_map.clone());
        m
    }
}

/// Resolved provider endpoints.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoints {
    /// Where the browser goes.
    pub authorization: String,
    /// Code exchange.
    pub token: String,
    /// OIDC: issuer and key set.
    pub issuer: Option<String>,
    /// OIDC key set.
    pub jwks_uri: Option<String>,
    /// OAuth 2.0 profile.
    pub profile: Option<String>,
}

/// The federated connection called `name`, if it is one and enabled for `client_id` (never for
/// the console: `directory::tenant::connection_enabled`).
pub async fn connection(core: &Core<'_>, client_id: &str, name: &str) -> CoreResult<Option<FederatedConnection>> {
    use crate::core::directory::admins::{ADMIN_CONNECTION_ID, CONSOLE_CLIENT_ID};
    let sql = "SELECT c.id, c.name, c.strategy, c.options FROM connections c WHERE c.name = ?1 AND EXISTS \
               (SELECT 1 FROM client_connections cc WHERE cc.connection_id = c.id AND cc.client_id = ?2 \
                AND ((cc.client_id = ?3) = (cc.connection_id = ?4)))";
    let stmt = Stmt::new(sql)
        .bind(name)
        .bind(client_id)
        .bind(CONSOLE_CLIENT_ID)
        .bind(ADMIN_CONNECTION_ID);
    connection_where(core, stmt).await
}

pub(super) async fn connection_by_id(core: &Core<'_>, id: &str) -> CoreResult<Option<FederatedConnection>> {
    let sql = "SELECT c.id, c.name, c.strategy, c.options FROM connections c WHERE c.id = ?1";
    connection_where(core, Stmt::new(sql).bind(id)).await
}

pub(super) async fn connection_where(core: &Core<'_>, stmt: Stmt) -> CoreResult<Option<FederatedConnection>> {
    #[derive(Deserialize)]
    struct Row {
        id: String,
        name: String,
        strategy: Strategy,
        options: String,
    }
    let row: Option<Row> = query_one(core.db, stmt).await?;
    let Some(row) = row.filter(|r| r.strategy.is_federated()) else {
        return Ok(None);
    };
    let options = serde_json::from_str(&row.options)
        .map_err(|e| CoreError::Internal(format!("connection {}: bad options: {e}", row.name)))?;
    Ok(Some(FederatedConnection {
        id: row.id,
        name: row.name,
        strategy: row.strategy,
        options,
    }))
}

/// The provider's endpoints: configured ones win; OIDC providers fill the rest by discovery.
pub async fn endpoints(core: &Core<'_>, conn: &FederatedConnection) -> Result<Endpoints, Failure> {
    let o = &conn.options;
    let (d_auth, d_token, d_profile) = conn.defaults();
    let mut e = Endpoints {
        authorization: o
            .authorization_endpoint
            .clone()
            .or(d_auth.map(str::to_owned))
            .unwrap_or_default(),
        token: o
            .token_endpoint
            .clone()
            .or(d_token.map(str::to_owned))
            .unwrap_or_default(),
        issuer: conn.issuer(),
        jwks_uri: o.jwks_uri.clone(),
        profile: o.profile_url.clone().or(d_profile.map(str::to_owned)),
    };
    if conn.kind() == Kind::Oidc && (e.authorization.is_empty() || e.token.is_empty() || e.jwks_uri.is_none()) {
        let url = o.discovery_url.clone().or_else(|| {
            e.issuer
                .as_ref()
                .map(|i| format!("{}/.well-known/openid-configuration", i.trim_end_matches('/')))
        });
        let url = url.ok_or_else(|| misconfigured(conn, "needs an issuer or discovery_url"))?;
        let doc = provider_http::cached(core, &url, provider_http::CACHE_MS)
            .await
            .map_err(Failure::Provider)?
            .0;
        let field = |k: &str| doc.get(k).and_then(Value::as_str).map(str::to_owned);
        if e.authorization.is_empty() {
            e.authorization = field("authorization_endpoint").unwrap_or_default();
        }
        if e.token.is_empty() {
            e.token = field("token_endpoint").unwrap_or_default();
        }
        e.jwks_uri = e.jwks_uri.or_else(|| field("jwks_uri"));
        e.issuer = e.issuer.or_else(|| field("issuer"));
    }
    if e.authorization.is_empty() || e.token.is_empty() {
        return Err(misconfigured(conn, "has no authorization or token endpoint").into());
    }
    match conn.kind() {
        Kind::Oidc if e.jwks_uri.is_none() || e.issuer.is_none() => {
            Err(misconfigured(conn, "has no issuer or jwks_uri").into())
        }
        Kind::OAuth2 if e.profile.is_none() => Err(misconfigured(conn, "has no profile_url").into()),
        _ => Ok(e),
    }
}

pub(super) fn misconfigured(conn: &FederatedConnection, what: &str) -> CoreError {
    CoreError::Internal(format!("connection {} {what}", conn.name))
}

/// Our callback URL, registered at every provider.
pub fn callback_url(core: &Core<'_>) -> String {
    format!("{}login/callback", core.settings.issuer)
}

/// Why a round trip failed.
#[derive(Debug)]
pub enum Failure {
    /// The provider refused, was unreachable or answered wrongly: the application is told.
    Provider(String),
    /// Our own failure (storage, configuration).
    Core(CoreError),
}

impl From<CoreError> for Failure {
    fn from(e: CoreError) -> Self {
        Failure::Core(e)
    }
}

impl From<crate::core::platform::db::DbError> for Failure {
    fn from(e: crate::core::platform::db::DbError) -> Self {
        Failure::Core(e.into())
    }
}
