//! The Management API's connections: list, create, update (options checked per strategy), delete
//! (with their users and sessions), and the legacy store's connection test.

use crate::core::directory::admins;
use crate::core::directory::tenant::Strategy;
use crate::core::directory::tenant::{self, Connection};
use crate::core::error::{CoreError, CoreResult};
use crate::core::migration::legacy::Verdict;
use crate::core::migration::UserSource;
use crate::core::platform::outbound;
use crate::core::Core;
use serde::Deserialize;
use serde_json::{Map, Value};
use shared::management::connections::{
    self as wire, ConnectionOptions, ConnectionsPage, CreateConnection, LegacyTest, LegacyTestResult, LegacyVerdict,
    UpdateConnection,
};
use shared::management::Listing;

/// Stored options in the wire shape: every key kept (a known key of an unexpected type, written
/// around the API, stays among the untyped ones).
fn options_view(stored: &str) -> ConnectionOptions {
    serde_json::from_str(stored).unwrap_or_else(|_| ConnectionOptions {
        extra: serde_json::from_str(stored).unwrap_or_default(),
        ..ConnectionOptions::default()
    })
}

/// `GET /api/v2/connections?name=&strategy=`: a plain array, or with `paged` (checkpoint
/// paging or `include_totals`) Auth0's page object.
pub async fn list(
    core: &Core<'_>,
    name: Option<&str>,
    strategy: Option<&str>,
    paged: bool,
) -> CoreResult<Listing<wire::Connection, ConnectionsPage>> {
    let list = connections(core, name, strategy).await?;
    if !paged {
        return Ok(Listing::Plain(list));
    }
    let n = list.len() as i64;
    Ok(Listing::Page(ConnectionsPage {
        connections: list,
        start: Some(0),
        limit: Some(n),
        total: Some(n),
        next: None,
    }))
}

/// The connections named `name` and/or of `strategy` (all when both are absent), by name.
pub async fn connections(
    core: &Core<'_>,
    name: Option<&str>,
    strategy: Option<&str>,
) -> CoreResult<Vec<wire::Connection>> {
    #[derive(Deserialize)]
    struct Row {
        id: String,
        name: String,
        strategy: String,
        options: String,
    }
    let rows: Vec<Row> = crate::core::platform::db::decode(
        core.db
            .query(
                crate::core::platform::db::Stmt::new("SELECT id, name, strategy, options FROM connections WHERE (?1 IS NULL OR name = ?1) AND (?2 IS NULL OR strategy = ?2) AND id <> 'con_tenant_admins' ORDER BY name")
                    .bind(name)
                    .bind(strategy),
            )
            .await?,
    )?;
    let mut out = Vec::new();
    for r in rows {
        #[derive(Deserialize)]
        struct C {
            client_id: String,
        }
        let clients: Vec<C> = crate::core::platform::db::decode(
            core.db
                .query(
                    crate::core::platform::db::Stmt::new(
                        "SELECT client_id FROM client_connections WHERE connection_id = ?1",
                    )
                    .bind(&r.id),
                )
                .await?,
        )?;
        out.push(wire::Connection {
            options: options_view(&r.options),
            enabled_clients: Some(clients.into_iter().map(|c| c.client_id).collect()),
            is_domain_connection: Some(false),
            realms: Some(vec![r.name.clone()]),
            id: r.id,
            name: r.name,
            strategy: r.strategy,
            ..wire::Connection::default()
        });
    }
    Ok(out)
}

/// Every URL and secret name a connection's options carry must pass the outbound policy: https
/// to a public host (unless in development), and only `CONNECTION_SECRET_*` secrets.
pub(super) fn check_connection_options(
    core: &Core<'_>,
    strategy: Strategy,
    options: &Map<String, Value>,
) -> CoreResult<()> {
    if options.contains_key("client_secret") {
        return Err(CoreError::InvalidRequest(
            "options.client_secret is not stored: put the secret in a Worker secret and name it in options.client_secret_env".into(),
        ));
    }
    let invalid = |field: &str, why: String| CoreError::InvalidRequest(format!("options.{field}: {why}"));
    let url = |field: &str, value: Option<&str>| -> CoreResult<()> {
        match value {
            Some(u) => outbound::check_url(u, core.settings.allow_private_urls)
                .map(|_| ())
                .map_err(|why| invalid(field, why)),
            None => Ok(()),
        }
    };
    if strategy.is_federated() {
        let parsed: crate::core::federation::connections::FederatedOptions =
            serde_json::from_value(Value::Object(options.clone()))
                .map_err(|e| CoreError::InvalidRequest(format!("Invalid options: {e}")))?;
        let secret = parsed.client_secret_env.as_deref().filter(|s| !s.is_empty());
        let Some(secret) = secret.filter(|_| !parsed.client_id.is_empty()) else {
            return Err(CoreError::InvalidRequest(
                "options.client_id and options.client_secret_env are required".into(),
            ));
        };
        outbound::check_secret_name(secret).map_err(|why| invalid("client_secret_env", why))?;
        for (field, value) in [
            ("issuer", &parsed.issuer),
            ("discovery_url", &parsed.discovery_url),
            ("authorization_endpoint", &parsed.authorization_endpoint),
            ("token_endpoint", &parsed.token_endpoint),
            ("jwks_uri", &parsed.jwks_uri),
            ("profile_url", &parsed.profile_url),
        ] {
            url(field, value.as_deref())?;
        }
        let missing = match strategy {
            Strategy::Oidc => parsed.issuer.is_none() && parsed.discovery_url.is_none(),
            Strategy::Oauth2 => {
                parsed.authorization_endpoint.is_none()
                    || parsed.token_endpoint.is_none()
                    || parsed.profile_url.is_none()
            }
            _ => false,
        };
        if missing {
            return Err(CoreError::InvalidRequest(format!(
                "Strategy {strategy} needs {}",
                if strategy == Strategy::Oidc {
                    "options.issuer or options.discovery_url"
                } else {
                    "options.authorization_endpoint, token_endpoint and profile_url"
                }
            )));
        }
    } else {
        let parsed =
            serde_json::from_value::<crate::core::directory::tenant::ConnectionOptions>(Value::Object(options.clone()))
                .map_err(|e| CoreError::InvalidRequest(format!("Invalid options: {e}")))?;
        if let Some(legacy) = &parsed.legacy {
            if strategy.is_passwordless() {
                return Err(invalid(
                    "legacy",
                    "a passwordless connection has no legacy store".into(),
                ));
            }
            url("legacy.url", Some(&legacy.url))?;
            outbound::check_secret_name(&legacy.secret).map_err(|why| invalid("legacy.secret", why))?;
        }
        parsed.totp.check().map_err(CoreError::InvalidRequest)?;
    }
    Ok(())
}

/// A body's `enabled_clients`. The console's client is never among them: it uses the
/// administrators' connection and no other (a connection enabled for it would take over the
/// console's login and lock every administrator out).
pub(super) fn enabled_clients(clients: Option<Vec<String>>) -> CoreResult<Option<Vec<String>>> {
    let Some(clients) = clients else { return Ok(None) };
    if clients.iter().any(|c| c == admins::CONSOLE_CLIENT_ID) {
        return Err(CoreError::InvalidRequest(format!(
            "enabled_clients: {} is the console's client; it uses only the administrators' connection",
            admins::CONSOLE_CLIENT_ID
        )));
    }
    Ok(Some(clients))
}

pub(super) fn client_links(id: &str, clients: &[String]) -> Vec<crate::core::platform::db::Stmt> {
    let mut stmts =
        vec![crate::core::platform::db::Stmt::new("DELETE FROM client_connections WHERE connection_id = ?1").bind(id)];
    stmts.extend(clients.iter().map(|c| {
        crate::core::platform::db::Stmt::new(
            "INSERT OR IGNORE INTO client_connections (client_id, connection_id) SELECT client_id, ?2 FROM clients WHERE client_id = ?1",
        )
        .bind(c)
        .bind(id)
    }));
    stmts
}

pub(super) async fn connection_view(core: &Core<'_>, name: &str) -> CoreResult<wire::Connection> {
    connections(core, Some(name), None)
        .await?
        .into_iter()
        .next()
        .ok_or_else(|| CoreError::NotFound("The connection does not exist.".into()))
}

/// Options as stored (every key), checked.
fn stored_options(core: &Core<'_>, strategy: Strategy, options: &ConnectionOptions) -> CoreResult<String> {
    let map = match serde_json::to_value(options) {
        Ok(Value::Object(m)) => m,
        _ => Map::new(),
    };
    check_connection_options(core, strategy, &map)?;
    Ok(Value::Object(map).to_string())
}

/// `POST /api/v2/connections`: `{name, strategy, options, enabled_clients}`. Federated strategies
/// (`google-oauth2`, `facebook`, `oidc`, `oauth2`) need `options.client_id` and
/// `options.client_secret_env` (the Worker secret's name — secrets are never stored in D1).
pub async fn create_connection(core: &Core<'_>, body: CreateConnection) -> CoreResult<wire::Connection> {
    let name = body.name.as_str();
    if name.is_empty() || name.len() > 128 || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
        return Err(CoreError::InvalidRequest(
            "name must be 1-128 letters, digits or '-'".into(),
        ));
    }
    let Some(strategy) = Strategy::parse(&body.strategy) else {
        return Err(CoreError::InvalidRequest(format!(
            "strategy must be auth0 or one of {}",
            Strategy::FEDERATED.map(Strategy::as_str).join(", ")
        )));
    };
    let options = stored_options(core, strategy, &body.options.unwrap_or_default())?;
    let clients = enabled_clients(body.enabled_clients)?.unwrap_or_default();
    let id = format!("con_{}", &core.random_token()?[..16]);
    let mut stmts = vec![crate::core::platform::db::Stmt::new(
        "INSERT INTO connections (id, name, strategy, options, created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
    )
    .bind(&id)
    .bind(name)
    .bind(strategy.as_str())
    .bind(options)
    .bind(core.clock.now_ms())];
    stmts.extend(client_links(&id, &clients).into_iter().skip(1));
    core.db.batch(stmts).await.map_err(|e| match e {
        crate::core::platform::db::DbError::Conflict(_) => {
            CoreError::Conflict("A connection with the same name already exists".into())
        }
        e => e.into(),
    })?;
    connection_view(core, name).await
}

/// `PATCH /api/v2/connections/{id}`: replaces `options` and/or `enabled_clients`.
pub async fn update_connection(core: &Core<'_>, id: &str, body: UpdateConnection) -> CoreResult<wire::Connection> {
    let conn = connection(core, id).await?;
    let mut stmts = Vec::new();
    if let Some(options) = &body.options {
        stmts.push(
            crate::core::platform::db::Stmt::new("UPDATE connections SET options = ?1 WHERE id = ?2")
                .bind(stored_options(core, conn.strategy, options)?)
                .bind(id),
        );
    }
    if let Some(clients) = enabled_clients(body.enabled_clients)? {
        stmts.extend(client_links(id, &clients));
    }
    if !stmts.is_empty() {
        core.db.batch(stmts).await?;
    }
    connection_view(core, &conn.name).await
}

/// `DELETE /api/v2/connections/{id}`: the connection and its users (as Auth0 does).
pub async fn delete_connection(core: &Core<'_>, id: &str) -> CoreResult<()> {
    connection(core, id).await?;
    core.db
        .batch(vec![
            crate::core::directory::users::delete_all_in_connection(id),
            crate::core::platform::db::Stmt::new("DELETE FROM client_connections WHERE connection_id = ?1").bind(id),
            crate::core::platform::db::Stmt::new("DELETE FROM connections WHERE id = ?1").bind(id),
        ])
        .await?;
    Ok(())
}

/// `GET /api/v2/connections/{id}`.
pub async fn get_connection(core: &Core<'_>, id: &str) -> CoreResult<wire::Connection> {
    let conn = connection(core, id).await?;
    connection_view(core, &conn.name).await
}

/// `POST /api/v2/connections/{id}/legacy-test` `{identifier}` (ours, the console's "Test
/// connection"): asks the connection's legacy store for one user and says what it answered —
/// `found` (with the profile's email), `not_found`, or the error — without changing anything.
pub async fn legacy_test(core: &Core<'_>, id: &str, body: LegacyTest) -> CoreResult<LegacyTestResult> {
    let conn = connection(core, id).await?;
    let identifier = Some(body.identifier.as_str())
        .filter(|i| !i.trim().is_empty())
        .ok_or_else(|| CoreError::InvalidRequest("identifier is required".into()))?;
    let source = UserSource::of(core, &conn)?;
    let legacy = source
        .legacy()
        .ok_or_else(|| CoreError::InvalidRequest("The connection has no legacy store configured".into()))?;
    let started = core.clock.now_ms();
    let answer = legacy.get_user(identifier).await;
    let ms = core.clock.now_ms() - started;
    let result = |verdict, email: Option<String>, detail: Option<String>| LegacyTestResult {
        verdict,
        email,
        detail,
        ms,
    };
    Ok(match answer {
        Ok(Verdict::Found(u)) => result(LegacyVerdict::Found, u.email, None),
        Ok(Verdict::NotFound) => result(LegacyVerdict::NotFound, None, None),
        // Never echo a profile beyond its email (it may carry a password hash).
        Ok(_) => result(
            LegacyVerdict::Unexpected,
            None,
            Some("an answer that get_user does not give".into()),
        ),
        Err(e) => result(LegacyVerdict::Error, None, Some(e.to_string())),
    })
}

/// A connection of the Management API by id (never the administrators' own).
pub async fn connection(core: &Core<'_>, id: &str) -> CoreResult<Connection> {
    let missing = || CoreError::NotFound("The connection does not exist.".into());
    if id == admins::ADMIN_CONNECTION_ID {
        return Err(missing());
    }
    tenant::connection_by_id(core.db, id).await?.ok_or_else(missing)
}
