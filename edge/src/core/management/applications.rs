//! Applications (clients), the APIs they call (resource servers) and what each client may ask of
//! an API (client grants), managed through the Management API in Auth0's shapes.
//!
//! Secrets: a confidential client's secret (32 random bytes, base64url) is returned once — on
//! creation and on rotation — and stored only as its SHA-256. URLs: callbacks and logout URLs are
//! absolute `https` URLs (plain `http` only for loopback hosts), web origins are bare origins; no
//! wildcards (redirects match exactly). The Management API itself is a system API: its resource
//! server cannot be changed or deleted here.

use shared::management::client_grants::{ClientGrant, CreateClientGrant, UpdateClientGrant};
use shared::management::clients::{
    self as wire, AppType, CreateClient, JwtConfiguration, RefreshTokenConfiguration, TokenEndpointAuthMethod,
    UpdateClient,
};
use shared::management::resource_servers::{
    CreateResourceServer, ResourceServer, ResourceServerScope, UpdateResourceServer,
};

use crate::core::directory::tenant::Client;
use crate::core::directory::tenant::GrantType;
use crate::core::error::{CoreError, CoreResult};
use crate::core::platform::db::{decode, query_one, Stmt};
use crate::core::platform::secrets::sha256_hex;
use crate::core::Core;

fn bad(why: impl Into<String>) -> CoreError {
    CoreError::InvalidRequest(why.into())
}

/// Whether `host` is a loopback host (plain http allowed there, for development).
fn loopback(host: &str) -> bool {
    matches!(host, "localhost" | "127.0.0.1" | "[::1]")
}

/// An absolute URL a browser may be sent to: https, or http on loopback; no wildcards.
fn check_url(field: &str, u: &str) -> CoreResult<()> {
    if u.contains('*') {
        return Err(bad(format!("{field}: wildcards are not allowed ({u}); list every URL")));
    }
    let parsed = url::Url::parse(u).map_err(|e| bad(format!("{field}: {u} is not an absolute URL ({e})")))?;
    let host = parsed.host_str().unwrap_or_default();
    match parsed.scheme() {
        "https" if !host.is_empty() => Ok(()),
        "http" if loopback(host) => Ok(()),
        _ => Err(bad(format!("{field}: {u} must use https (http only for localhost)"))),
    }
}

/// A web origin: scheme, host and port only.
fn check_origin(u: &str) -> CoreResult<()> {
    check_url("web_origins", u)?;
    let parsed = url::Url::parse(u).map_err(|e| bad(e.to_string()))?;
    if parsed.path() != "/" || parsed.query().is_some() || u.ends_with('/') {
        return Err(bad(format!(
            "web_origins: {u} must be an origin (scheme://host[:port])"
        )));
    }
    Ok(())
}

fn lifetime(v: Option<i64>, field: &str, max: i64) -> CoreResult<Option<i64>> {
    match v {
        None => Ok(None),
        Some(s) if (1..=max).contains(&s) => Ok(Some(s)),
        Some(_) => Err(bad(format!(
            "{field} must be a whole number of seconds from 1 to {max}"
        ))),
    }
}

/// A client in Auth0's shape (never its secret).
pub fn client_view(c: &Client) -> wire::Client {
    wire::Client {
        client_id: c.client_id.clone(),
        name: c.name.clone(),
        app_type: AppType::parse(&c.app_type),
        token_endpoint_auth_method: Some(if c.is_public {
            TokenEndpointAuthMethod::None
        } else {
            TokenEndpointAuthMethod::ClientSecretPost
        }),
        callbacks: c.callbacks.clone(),
        web_origins: c.web_origins.clone(),
        allowed_origins: c.web_origins.clone(),
        allowed_logout_urls: c.allowed_logout_urls.clone(),
        grant_types: c.grant_types.clone(),
        cross_origin_authentication: Some(c.cross_origin_auth),
        cross_origin_auth: Some(c.cross_origin_auth),
        jwt_configuration: Some(JwtConfiguration {
            alg: Some("RS256".into()),
            lifetime_in_seconds: Some(c.id_token_lifetime),
            secret_encoded: None,
        }),
        access_token_lifetime: Some(c.access_token_lifetime),
        refresh_token: Some(RefreshTokenConfiguration {
            idle_token_lifetime: Some(c.refresh_token_lifetime),
            rotation_type: Some("rotating".into()),
            ..RefreshTokenConfiguration::default()
        }),
        is_first_party: Some(true),
        oidc_conformant: Some(true),
        ..wire::Client::default()
    }
}

/// The answer that shows a secret this once.
fn with_secret(c: &Client, secret: Option<String>) -> wire::Client {
    wire::Client {
        client_secret: secret,
        ..client_view(c)
    }
}

async fn client_or_404(core: &Core<'_>, id: &str) -> CoreResult<Client> {
    crate::core::directory::tenant::client(core.db, id)
        .await?
        .filter(|c| c.client_id != crate::core::directory::admins::CONSOLE_CLIENT_ID)
        .ok_or_else(|| CoreError::NotFound("The client does not exist".into()))
}

/// The client's fields after applying `body` to `current` (a new client when `None`), checked.
fn merged(current: Option<&Client>, body: UpdateClient) -> CoreResult<Client> {
    let mut c = current.cloned().unwrap_or_else(|| Client {
        client_id: String::new(),
        name: String::new(),
        app_type: AppType::RegularWeb.as_str().into(),
        is_public: false,
        client_secret_hash: None,
        callbacks: Vec::new(),
        web_origins: Vec::new(),
        allowed_logout_urls: Vec::new(),
        grant_types: vec!["authorization_code".into(), "refresh_token".into()],
        cross_origin_auth: false,
        id_token_lifetime: 36_000,
        access_token_lifetime: 86_400,
        refresh_token_lifetime: 2_592_000,
    });
    if let Some(name) = &body.name {
        match name.trim() {
            n if !n.is_empty() && n.chars().count() <= 100 => c.name = n.to_owned(),
            _ => return Err(bad("name must be a non-empty string of at most 100 characters")),
        }
    }
    if c.name.is_empty() {
        return Err(bad("Missing required property: name"));
    }
    if let Some(t) = body.app_type {
        c.app_type = t.as_str().into();
    }
    match body.token_endpoint_auth_method {
        None => {
            if current.is_none() {
                c.is_public = AppType::parse(&c.app_type).is_some_and(AppType::is_public);
            }
        }
        Some(m) => c.is_public = m == TokenEndpointAuthMethod::None,
    }
    if let Some(urls) = body.callbacks {
        urls.iter().try_for_each(|u| check_url("callbacks", u))?;
        c.callbacks = urls;
    }
    if let Some(origins) = body.web_origins.or(body.allowed_origins) {
        origins.iter().try_for_each(|u| check_origin(u))?;
        c.web_origins = origins;
    }
    if let Some(urls) = body.allowed_logout_urls {
        urls.iter().try_for_each(|u| check_url("allowed_logout_urls", u))?;
        c.allowed_logout_urls = urls;
    }
    if let Some(grants) = body.grant_types {
        if let Some(g) = grants.iter().find(|g| GrantType::parse(g).is_none()) {
            return Err(bad(format!("grant_types: {g} is not supported")));
        }
        c.grant_types = grants;
    }
    if c.is_public && c.allows(GrantType::ClientCredentials) {
        return Err(bad(
            "client_credentials needs a confidential client (token_endpoint_auth_method client_secret_post)",
        ));
    }
    for b in [body.cross_origin_authentication, body.cross_origin_auth]
        .into_iter()
        .flatten()
    {
        c.cross_origin_auth = b;
    }
    let jwt = body.jwt_configuration.and_then(|j| j.lifetime_in_seconds);
    if let Some(s) = lifetime(jwt, "jwt_configuration.lifetime_in_seconds", 2_592_000)? {
        c.id_token_lifetime = s;
    }
    if let Some(s) = lifetime(body.access_token_lifetime, "access_token_lifetime", 2_592_000)? {
        c.access_token_lifetime = s;
    }
    let idle = body.refresh_token.and_then(|r| r.idle_token_lifetime);
    if let Some(s) = lifetime(idle, "refresh_token.idle_token_lifetime", 31_557_600)? {
        c.refresh_token_lifetime = s;
    }
    Ok(c)
}

fn new_secret(core: &Core<'_>) -> CoreResult<String> {
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use base64::Engine;
    Ok(URL_SAFE_NO_PAD.encode(core.random_bytes::<32>()?))
}

/// A list as the JSON text its column stores.
fn json_text(list: &[String]) -> String {
    serde_json::to_string(list).unwrap_or_else(|_| "[]".into())
}

fn write_stmt(c: &Client, now: i64) -> Stmt {
    Stmt::new(
        "INSERT INTO clients (client_id, name, app_type, is_public, client_secret_hash, callbacks, web_origins, \
         allowed_logout_urls, grant_types, cross_origin_auth, id_token_lifetime, access_token_lifetime, \
         refresh_token_lifetime, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14) \
         ON CONFLICT(client_id) DO UPDATE SET name = excluded.name, app_type = excluded.app_type, \
         is_public = excluded.is_public, client_secret_hash = excluded.client_secret_hash, \
         callbacks = excluded.callbacks, web_origins = excluded.web_origins, \
         allowed_logout_urls = excluded.allowed_logout_urls, grant_types = excluded.grant_types, \
         cross_origin_auth = excluded.cross_origin_auth, id_token_lifetime = excluded.id_token_lifetime, \
         access_token_lifetime = excluded.access_token_lifetime, refresh_token_lifetime = excluded.refresh_token_lifetime",
    )
    .bind(&c.client_id)
    .bind(&c.name)
    .bind(&c.app_type)
    .bind(c.is_public)
    .bind(c.client_secret_hash.clone())
    .bind(json_text(&c.callbacks))
    .bind(json_text(&c.web_origins))
    .bind(json_text(&c.allowed_logout_urls))
    .bind(json_text(&c.grant_types))
    .bind(c.cross_origin_auth)
    .bind(c.id_token_lifetime)
    .bind(c.access_token_lifetime)
    .bind(c.refresh_token_lifetime)
    .bind(now)
}

/// `GET /api/v2/clients`.
pub async fn list_clients(core: &Core<'_>) -> CoreResult<Vec<wire::Client>> {
    let clients: Vec<Client> = decode(
        core.db
            .query(Stmt::new(
                "SELECT client_id, name, app_type, is_public, client_secret_hash, callbacks, web_origins, \
                 allowed_logout_urls, grant_types, cross_origin_auth, id_token_lifetime, access_token_lifetime, \
                 refresh_token_lifetime FROM clients WHERE client_id <> 'tollgate-console' ORDER BY name, client_id",
            ))
            .await?,
    )?;
    Ok(clients.iter().map(client_view).collect())
}

/// `GET /api/v2/clients/{id}`.
pub async fn get_client(core: &Core<'_>, id: &str) -> CoreResult<wire::Client> {
    Ok(client_view(&client_or_404(core, id).await?))
}

/// `POST /api/v2/clients`: the client with its secret (confidential clients), shown this once.
pub async fn create_client(core: &Core<'_>, body: CreateClient) -> CoreResult<wire::Client> {
    let mut c = merged(None, body.into())?;
    c.client_id = hex::encode(core.random_bytes::<16>()?);
    let secret = if c.is_public { None } else { Some(new_secret(core)?) };
    c.client_secret_hash = secret.as_deref().map(|s| sha256_hex(s.as_bytes()));
    core.db.execute(write_stmt(&c, core.clock.now_ms())).await?;
    Ok(with_secret(&c, secret))
}

/// `PATCH /api/v2/clients/{id}`. Making a client confidential gives it a secret (returned once);
/// making it public drops its secret.
pub async fn update_client(core: &Core<'_>, id: &str, body: UpdateClient) -> CoreResult<wire::Client> {
    let current = client_or_404(core, id).await?;
    let mut c = merged(Some(&current), body)?;
    let mut secret = None;
    if c.is_public {
        c.client_secret_hash = None;
    } else if c.client_secret_hash.is_none() {
        let s = new_secret(core)?;
        c.client_secret_hash = Some(sha256_hex(s.as_bytes()));
        secret = Some(s);
    }
    core.db.execute(write_stmt(&c, core.clock.now_ms())).await?;
    Ok(with_secret(&c, secret))
}

/// `POST /api/v2/clients/{id}/rotate-secret`: a new secret (the old one stops working at once).
pub async fn rotate_secret(core: &Core<'_>, id: &str) -> CoreResult<wire::Client> {
    let mut c = client_or_404(core, id).await?;
    if c.is_public {
        return Err(bad("A public client has no secret"));
    }
    let secret = new_secret(core)?;
    c.client_secret_hash = Some(sha256_hex(secret.as_bytes()));
    core.db
        .execute(
            Stmt::new("UPDATE clients SET client_secret_hash = ?1 WHERE client_id = ?2")
                .bind(c.client_secret_hash.clone())
                .bind(id),
        )
        .await?;
    Ok(with_secret(&c, Some(secret)))
}

/// `DELETE /api/v2/clients/{id}`: the client, its grants, connection links and refresh tokens.
pub async fn delete_client(core: &Core<'_>, id: &str) -> CoreResult<()> {
    client_or_404(core, id).await?;
    core.db
        .batch(vec![
            Stmt::new("DELETE FROM client_grants WHERE client_id = ?1").bind(id),
            Stmt::new("DELETE FROM client_connections WHERE client_id = ?1").bind(id),
            crate::core::oauth::codes::revoke_client_stmt(id),
            Stmt::new("DELETE FROM clients WHERE client_id = ?1").bind(id),
        ])
        .await?;
    Ok(())
}

/// The Management API's own identifier (a system API).
fn management_api(core: &Core<'_>) -> String {
    format!("{}api/v2/", core.settings.issuer)
}

#[derive(serde::Deserialize)]
struct ServerRow {
    identifier: String,
    name: String,
    #[serde(deserialize_with = "crate::core::platform::db::columns::json_text")]
    scopes: Vec<String>,
    #[serde(deserialize_with = "crate::core::platform::db::columns::int")]
    token_lifetime: i64,
    #[serde(deserialize_with = "crate::core::platform::db::columns::int_bool")]
    allow_offline_access: bool,
}

fn server_view(core: &Core<'_>, s: &ServerRow) -> ResourceServer {
    ResourceServer {
        id: s.identifier.clone(),
        identifier: s.identifier.clone(),
        name: s.name.clone(),
        scopes: s
            .scopes
            .iter()
            .map(|v| ResourceServerScope {
                value: v.clone(),
                description: Some(v.clone()),
            })
            .collect(),
        signing_alg: Some("RS256".into()),
        token_lifetime: Some(s.token_lifetime),
        allow_offline_access: Some(s.allow_offline_access),
        is_system: Some(s.identifier == management_api(core)),
        skip_consent_for_verifiable_first_party_clients: None,
    }
}

async fn server(core: &Core<'_>, id: &str) -> CoreResult<ServerRow> {
    query_one(
        core.db,
        Stmt::new(
            "SELECT identifier, name, scopes, token_lifetime, allow_offline_access FROM resource_servers WHERE identifier = ?1",
        )
        .bind(id),
    )
    .await?
    .ok_or_else(|| CoreError::NotFound("The resource server does not exist".into()))
}

/// `GET /api/v2/resource-servers`.
pub async fn list_resource_servers(core: &Core<'_>) -> CoreResult<Vec<ResourceServer>> {
    let rows: Vec<ServerRow> = decode(
        core.db
            .query(Stmt::new(
                "SELECT identifier, name, scopes, token_lifetime, allow_offline_access FROM resource_servers ORDER BY name",
            ))
            .await?,
    )?;
    Ok(rows.iter().map(|s| server_view(core, s)).collect())
}

/// `GET /api/v2/resource-servers/{id}` (the id is the identifier, percent-encoded).
pub async fn get_resource_server(core: &Core<'_>, id: &str) -> CoreResult<ResourceServer> {
    Ok(server_view(core, &server(core, id).await?))
}

fn scope_values(scopes: Option<Vec<ResourceServerScope>>) -> CoreResult<Option<Vec<String>>> {
    let Some(scopes) = scopes else { return Ok(None) };
    scopes
        .into_iter()
        .map(|s| {
            let v = s.value;
            if !v.is_empty() && !v.contains(char::is_whitespace) && v.len() <= 280 {
                Ok(v)
            } else {
                Err(bad("scopes must be [{value, description}] with values without spaces"))
            }
        })
        .collect::<CoreResult<Vec<_>>>()
        .map(Some)
}

/// `POST /api/v2/resource-servers` (`{identifier, name, scopes, token_lifetime}`).
pub async fn create_resource_server(core: &Core<'_>, body: CreateResourceServer) -> CoreResult<ResourceServer> {
    let identifier = match body.identifier.trim() {
        i if !i.is_empty() && i.len() <= 600 => i.to_owned(),
        _ => return Err(bad("Missing required property: identifier")),
    };
    write_resource_server(core, None, identifier, body.into()).await
}

/// `PATCH /api/v2/resource-servers/{id}`.
pub async fn update_resource_server(
    core: &Core<'_>,
    id: &str,
    body: UpdateResourceServer,
) -> CoreResult<ResourceServer> {
    let current = server(core, id).await?;
    let identifier = current.identifier.clone();
    write_resource_server(core, Some(current), identifier, body).await
}

async fn write_resource_server(
    core: &Core<'_>,
    current: Option<ServerRow>,
    identifier: String,
    body: UpdateResourceServer,
) -> CoreResult<ResourceServer> {
    if identifier == management_api(core) {
        return Err(CoreError::AccessDenied(
            "The Management API is a system API and cannot be changed".into(),
        ));
    }
    let name = match body.name.as_deref() {
        Some(n) if !n.trim().is_empty() => n.trim().to_owned(),
        Some(_) => return Err(bad("name must be a non-empty string")),
        None => current
            .as_ref()
            .map(|c| c.name.clone())
            .unwrap_or_else(|| identifier.clone()),
    };
    let scopes = scope_values(body.scopes)?
        .or_else(|| current.as_ref().map(|c| c.scopes.clone()))
        .unwrap_or_default();
    let token_lifetime = lifetime(body.token_lifetime, "token_lifetime", 2_592_000)?
        .or(current.as_ref().map(|c| c.token_lifetime))
        .unwrap_or(86_400);
    let offline = body
        .allow_offline_access
        .unwrap_or_else(|| current.as_ref().is_some_and(|c| c.allow_offline_access));
    if current.is_none() && server(core, &identifier).await.is_ok() {
        return Err(CoreError::Conflict(
            "A resource server with this identifier already exists".into(),
        ));
    }
    core.db
        .execute(
            Stmt::new(
                "INSERT INTO resource_servers (identifier, name, scopes, token_lifetime, allow_offline_access, created_at) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT(identifier) DO UPDATE SET name = excluded.name, \
                 scopes = excluded.scopes, token_lifetime = excluded.token_lifetime, \
                 allow_offline_access = excluded.allow_offline_access",
            )
            .bind(&identifier)
            .bind(&name)
            .bind(json_text(&scopes))
            .bind(token_lifetime)
            .bind(offline)
            .bind(core.clock.now_ms()),
        )
        .await?;
    // Scopes no longer offered are taken out of every grant.
    core.db
        .execute(
            Stmt::new(
                "UPDATE client_grants SET scope = (SELECT COALESCE(json_group_array(g.value), '[]') FROM json_each(client_grants.scope) g \
                 WHERE g.value IN (SELECT value FROM json_each(?1))) WHERE audience = ?2",
            )
            .bind(json_text(&scopes))
            .bind(&identifier),
        )
        .await?;
    get_resource_server(core, &identifier).await
}

#[derive(serde::Deserialize)]
struct GrantRow {
    id: String,
    client_id: String,
    audience: String,
    #[serde(deserialize_with = "crate::core::platform::db::columns::json_text")]
    scope: Vec<String>,
}

fn grant_view(g: GrantRow) -> ClientGrant {
    ClientGrant {
        id: g.id,
        client_id: g.client_id,
        audience: g.audience,
        scope: g.scope,
    }
}

/// `GET /api/v2/client-grants?client_id=&audience=`.
pub async fn list_grants(
    core: &Core<'_>,
    client_id: Option<&str>,
    audience: Option<&str>,
) -> CoreResult<Vec<ClientGrant>> {
    let rows: Vec<GrantRow> = decode(
        core.db
            .query(
                Stmt::new(
                    "SELECT id, client_id, audience, scope FROM client_grants \
                     WHERE (?1 IS NULL OR client_id = ?1) AND (?2 IS NULL OR audience = ?2) ORDER BY client_id, audience",
                )
                .bind(client_id)
                .bind(audience),
            )
            .await?,
    )?;
    Ok(rows.into_iter().map(grant_view).collect())
}

async fn grant(core: &Core<'_>, id: &str) -> CoreResult<GrantRow> {
    query_one(
        core.db,
        Stmt::new("SELECT id, client_id, audience, scope FROM client_grants WHERE id = ?1").bind(id),
    )
    .await?
    .ok_or_else(|| CoreError::NotFound("The client grant does not exist".into()))
}

/// The grant's scopes, each offered by the API.
async fn checked_scopes(core: &Core<'_>, audience: &str, scopes: Vec<String>) -> CoreResult<Vec<String>> {
    let api = server(core, audience)
        .await
        .map_err(|_| bad(format!("audience {audience} is not a known API (resource server)")))?;
    if let Some(s) = scopes.iter().find(|s| !api.scopes.contains(s)) {
        return Err(bad(format!("scope {s} is not offered by {audience}")));
    }
    Ok(scopes)
}

/// `POST /api/v2/client-grants` (`{client_id, audience, scope}`): only confidential clients with
/// the `client_credentials` grant may hold one.
pub async fn create_grant(core: &Core<'_>, body: CreateClientGrant) -> CoreResult<ClientGrant> {
    let client_id = Some(body.client_id.as_str())
        .filter(|s| !s.is_empty())
        .ok_or_else(|| bad("Missing required property: client_id"))?;
    let audience = Some(body.audience.as_str())
        .filter(|s| !s.is_empty())
        .ok_or_else(|| bad("Missing required property: audience"))?;
    let client = crate::core::directory::tenant::client(core.db, client_id)
        .await?
        .ok_or_else(|| bad(format!("client {client_id} does not exist")))?;
    if client.is_public || !client.allows(GrantType::ClientCredentials) {
        return Err(bad(
            "Only a confidential client with the client_credentials grant type can hold a client grant",
        ));
    }
    let scopes = checked_scopes(core, audience, body.scope.clone()).await?;
    if crate::core::directory::tenant::client_grant(core.db, client_id, audience)
        .await?
        .is_some()
    {
        return Err(CoreError::Conflict(
            "A client grant for this client and audience already exists".into(),
        ));
    }
    let id = format!("cgr_{}", hex::encode(core.random_bytes::<8>()?));
    core.db
        .execute(
            Stmt::new("INSERT INTO client_grants (id, client_id, audience, scope) VALUES (?1, ?2, ?3, ?4)")
                .bind(&id)
                .bind(client_id)
                .bind(audience)
                .bind(json_text(&scopes)),
        )
        .await?;
    Ok(grant_view(grant(core, &id).await?))
}

/// `PATCH /api/v2/client-grants/{id}` (`{scope}`): takes effect on tokens already issued.
pub async fn update_grant(core: &Core<'_>, id: &str, body: UpdateClientGrant) -> CoreResult<ClientGrant> {
    let g = grant(core, id).await?;
    let scopes = checked_scopes(core, &g.audience, body.scope).await?;
    core.db
        .execute(
            Stmt::new("UPDATE client_grants SET scope = ?1 WHERE id = ?2")
                .bind(json_text(&scopes))
                .bind(id),
        )
        .await?;
    Ok(grant_view(grant(core, id).await?))
}

/// `DELETE /api/v2/client-grants/{id}`: takes effect on tokens already issued.
pub async fn delete_grant(core: &Core<'_>, id: &str) -> CoreResult<()> {
    grant(core, id).await?;
    core.db
        .execute(Stmt::new("DELETE FROM client_grants WHERE id = ?1").bind(id))
        .await?;
    Ok(())
}
