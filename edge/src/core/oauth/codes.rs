//! The `authorization_code` and `refresh_token` grants.
//!
//! Codes are consumed by one `UPDATE .. WHERE used_at IS NULL .. RETURNING`, so each is redeemed at
//! most once, and must come from the same client with the same `redirect_uri` and a PKCE verifier
//! that matches the challenge.
//!
//! Refresh tokens rotate: each use marks the token used and issues a new one of the same family.
//! Presenting a used token again is reuse — the whole family is revoked, and a family with any
//! revoked member is dead, so even a token minted concurrently with the revocation stops working.
//! Tokens are only issued with `offline_access` and expire after the client's (idle) lifetime.

use serde::Deserialize;
use serde_json::json;

use crate::core::directory::tenant::Client;
use crate::core::directory::tenant::GrantType;
use crate::core::directory::users;
use crate::core::error::{CoreError, CoreResult};
use crate::core::oauth::authorize::StoredGrant;
use crate::core::oauth::grants::{find_resource_server, issue_user_tokens, TokenRequest, UserGrant};
use crate::core::oauth::pkce::pkce_ok;
use crate::core::oauth::tokens::{split_scope, Signer, TokenResponse};
use crate::core::platform::db::{columns, query_one, Stmt};
use crate::core::platform::secrets::sha256_hex;
use crate::core::Core;

const INVALID_REFRESH: &str = "Unknown or invalid refresh token.";

/// Revokes every refresh token of a client (the client is being deleted).
pub fn revoke_client_stmt(client_id: &str) -> Stmt {
    Stmt::new("DELETE FROM refresh_tokens WHERE client_id = ?1").bind(client_id)
}

/// Revokes what a user could still turn into tokens: refresh tokens, unredeemed codes and
/// embedded-login tickets (credentials changed, or the user was blocked).
pub fn revoke_grants_stmts(user_id: &str, now: i64) -> Vec<Stmt> {
    vec![
        Stmt::new("UPDATE refresh_tokens SET revoked_at = ?1 WHERE user_id = ?2 AND revoked_at IS NULL")
            .bind(now)
            .bind(user_id),
        Stmt::new("DELETE FROM auth_codes WHERE user_id = ?1 AND used_at IS NULL").bind(user_id),
        Stmt::new("DELETE FROM login_tickets WHERE user_id = ?1 AND used_at IS NULL").bind(user_id),
    ]
}

/// Creates a refresh token in `family`.
async fn issue_refresh(
    core: &Core<'_>,
    family: &str,
    client: &Client,
    user_id: &str,
    grant: &StoredGrant,
) -> CoreResult<String> {
    let token = core.random_token()?;
    let now = core.clock.now_ms();
    core.db
        .execute(
            Stmt::new(
                "INSERT INTO refresh_tokens (token_hash, family_id, client_id, user_id, grant, created_at, expires_at) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            )
            .bind(sha256_hex(token.as_bytes()))
            .bind(family)
            .bind(&client.client_id)
            .bind(user_id)
            .bind(json!(grant).to_string())
            .bind(now)
            .bind(now + client.refresh_token_lifetime * 1000),
        )
        .await?;
    Ok(token)
}

/// What one token response is issued for.
struct Issue<'a> {
    client: &'a Client,
    user_id: &'a str,
    grant: &'a StoredGrant,
    scopes: &'a [String],
    gty: Option<&'a str>,
    /// The refresh-token family to continue; a new one when `None`.
    family: Option<String>,
}

async fn tokens_for(core: &Core<'_>, signer: &dyn Signer, issue: Issue<'_>) -> CoreResult<TokenResponse> {
    let Issue {
        client,
        user_id,
        grant,
        scopes,
        gty,
        family,
    } = issue;
    let user = users::by_id(core.db, user_id).await?.ok_or_else(|| {
        CoreError::InvalidGrant("The refresh_token was generated for a user who doesn't exist anymore.".into())
    })?;
    if user.blocked {
        return Err(CoreError::UserBlocked);
    }
    // A code or refresh token carries the Management API only for the console and a member of the
    // tenant (with the scopes of their role today); `/authorize` refuses it to every other client,
    // and the rule is checked here, where tokens are minted, too.
    let mut scopes = scopes;
    let member_scopes;
    let api = match grant.audience.as_deref() {
        Some(a) if a == crate::core::oauth::audiences::management_audience(core) => {
            let role = if client.client_id == crate::core::directory::admins::CONSOLE_CLIENT_ID {
                crate::core::directory::admins::role_of(core, &user.user_id).await?
            } else {
                None
            };
            let role = role.ok_or_else(|| crate::core::oauth::audiences::not_authorized(a))?;
            member_scopes = crate::core::directory::admins::token_scopes(role, scopes);
            scopes = &member_scopes;
            find_resource_server(core, a).await?
        }
        Some(a) => find_resource_server(core, a).await?,
        None => None,
    };
    let mut tokens = issue_user_tokens(
        core,
        signer,
        &UserGrant {
            client,
            user: &user,
            scopes,
            api: api.as_ref(),
            gty,
            nonce: grant.nonce.as_deref(),
            auth_time: Some(grant.auth_time),
            amr: &grant.amr.iter().map(String::as_str).collect::<Vec<_>>(),
        },
    )
    .await?;
    if scopes.iter().any(|s| s == "offline_access") {
        let family = match family {
            Some(f) => f,
            None => core.new_id()?,
        };
        tokens.refresh_token = Some(issue_refresh(core, &family, client, &user.user_id, grant).await?);
    }
    Ok(tokens)
}

#[derive(Deserialize)]
struct CodeRow {
    client_id: String,
    user_id: String,
    redirect_uri: String,
    grant: String,
}

/// `grant_type=authorization_code`.
pub async fn authorization_code_grant(
    core: &Core<'_>,
    signer: &dyn Signer,
    client: &Client,
    req: &TokenRequest,
) -> CoreResult<TokenResponse> {
    client.require_grant(GrantType::AuthorizationCode)?;
    let code = req
        .code
        .as_deref()
        .filter(|c| !c.is_empty())
        .ok_or_else(|| CoreError::InvalidRequest("Missing required parameter: code".into()))?;
    let now = core.clock.now_ms();
    let row: Option<CodeRow> = query_one(
        core.db,
        Stmt::new(
            "UPDATE auth_codes SET used_at = ?1 WHERE code_hash = ?2 AND used_at IS NULL AND expires_at > ?1 \
             RETURNING client_id, user_id, redirect_uri, grant",
        )
        .bind(now)
        .bind(sha256_hex(code.as_bytes())),
    )
    .await?;
    let row = row.ok_or_else(|| CoreError::InvalidGrant("Invalid authorization code".into()))?;
    if row.client_id != client.client_id {
        return Err(CoreError::InvalidGrant("Invalid authorization code".into()));
    }
    if req.redirect_uri.as_deref() != Some(row.redirect_uri.as_str()) {
        return Err(CoreError::InvalidGrant(
            "The redirect_uri does not match the one of the authorization request".into(),
        ));
    }
    let grant: StoredGrant =
        serde_json::from_str(&row.grant).map_err(|e| CoreError::Internal(format!("code grant: {e}")))?;
    if let Some(challenge) = &grant.code_challenge {
        let verifier = req.code_verifier.as_deref().unwrap_or_default();
        if !pkce_ok(challenge, grant.code_challenge_method.as_deref(), verifier) {
            return Err(CoreError::InvalidGrant("Failed to verify code verifier".into()));
        }
    }
    let issue = Issue {
        client,
        user_id: &row.user_id,
        grant: &grant,
        scopes: &grant.scope,
        gty: None,
        family: None,
    };
    tokens_for(core, signer, issue).await
}

#[derive(Deserialize)]
struct RefreshRow {
    family_id: String,
    client_id: String,
    user_id: String,
    grant: String,
    #[serde(deserialize_with = "columns::opt_int")]
    used_at: Option<i64>,
}

/// `grant_type=refresh_token`, with rotation and reuse detection.
pub async fn refresh_token_grant(
    core: &Core<'_>,
    signer: &dyn Signer,
    client: &Client,
    req: &TokenRequest,
) -> CoreResult<TokenResponse> {
    client.require_grant(GrantType::RefreshToken)?;
    let token = req
        .refresh_token
        .as_deref()
        .filter(|t| !t.is_empty())
        .ok_or_else(|| CoreError::InvalidRequest("Missing required parameter: refresh_token".into()))?;
    let hash = sha256_hex(token.as_bytes());
    let now = core.clock.now_ms();
    let row: Option<RefreshRow> = query_one(
        core.db,
        Stmt::new("SELECT family_id, client_id, user_id, grant, used_at FROM refresh_tokens WHERE token_hash = ?1")
            .bind(&hash),
    )
    .await?;
    let row = row
        .filter(|r| r.client_id == client.client_id)
        .ok_or_else(|| CoreError::InvalidGrant(INVALID_REFRESH.into()))?;
    let consumed: Option<serde_json::Map<String, serde_json::Value>> = query_one(
        core.db,
        Stmt::new(
            "UPDATE refresh_tokens SET used_at = ?1 WHERE token_hash = ?2 AND used_at IS NULL AND revoked_at IS NULL \
             AND expires_at > ?1 AND NOT EXISTS (SELECT 1 FROM refresh_tokens f \
               WHERE f.family_id = refresh_tokens.family_id AND f.revoked_at IS NOT NULL) \
             RETURNING family_id",
        )
        .bind(now)
        .bind(&hash),
    )
    .await?;
    if consumed.is_none() {
        if row.used_at.is_some() {
            // Reuse of a rotated token: someone else may hold the family. Revoke all of it.
            core.db
                .execute(
                    Stmt::new("UPDATE refresh_tokens SET revoked_at = ?1 WHERE family_id = ?2 AND revoked_at IS NULL")
                        .bind(now)
                        .bind(&row.family_id),
                )
                .await?;
            core.log(&format!(
                "refresh token reuse detected; family {} revoked",
                row.family_id
            ));
        }
        return Err(CoreError::InvalidGrant(INVALID_REFRESH.into()));
    }
    let grant: StoredGrant =
        serde_json::from_str(&row.grant).map_err(|e| CoreError::Internal(format!("refresh grant: {e}")))?;
    let scopes = match req.scope.as_deref().filter(|s| !s.trim().is_empty()) {
        Some(s) => {
            let asked = split_scope(s);
            if !asked.iter().all(|a| grant.scope.contains(a)) {
                return Err(CoreError::InvalidRequest(
                    "The requested scope exceeds the one originally granted".into(),
                ));
            }
            // The rotated token keeps offline access even when the access token is narrowed.
            let mut asked = asked;
            if !asked.iter().any(|a| a == "offline_access") {
                asked.push("offline_access".into());
            }
            asked
        }
        None => grant.scope.clone(),
    };
    let issue = Issue {
        client,
        user_id: &row.user_id,
        grant: &grant,
        scopes: &scopes,
        gty: Some("refresh_token"),
        family: Some(row.family_id),
    };
    tokens_for(core, signer, issue).await
}
