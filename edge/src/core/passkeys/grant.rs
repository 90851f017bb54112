//! The `urn:okta:params:oauth:grant-type:webauthn` grant (Auth0's native passkey API): a passkey
//! sign-up or login started with `/passkey/register` or `/passkey/challenge`, finished for tokens.

use shared::wire::{TokenRequest, TokenResponse};

use crate::core::directory::tenant::{Client, GrantType};
use crate::core::error::{CoreError, CoreResult};
use crate::core::oauth::grants::{self, UserGrant};
use crate::core::oauth::tokens::Signer;
use crate::core::passkeys::flows::{self, CredentialJson};
use crate::core::Core;

/// The grant: `auth_session` and `authn_response` (the credential's JSON). `browser`: the binding
/// cookie a browser sent (a ceremony a browser started finishes only in that browser).
pub async fn webauthn_grant(
    core: &Core<'_>,
    signer: &dyn Signer,
    client: &Client,
    req: &TokenRequest,
    browser: Option<&str>,
    ip: &str,
) -> CoreResult<TokenResponse> {
    client.require_grant(GrantType::Webauthn)?;
    let missing = |p: &str| CoreError::InvalidRequest(format!("Missing required parameter: {p}"));
    let session = req
        .auth_session
        .as_deref()
        .filter(|s| !s.is_empty())
        .ok_or_else(|| missing("auth_session"))?;
    let credential = CredentialJson::parse(req.authn_response.as_ref().ok_or_else(|| missing("authn_response"))?)?;
    let api = grants::user_api(core, req.audience.as_deref()).await?;
    let done = flows::finish(core, &client.client_id, session, &credential, browser, ip).await?;
    let scopes = grants::granted_scopes(req.scope.as_deref(), api.as_ref(), false);
    grants::issue_user_tokens(
        core,
        signer,
        &UserGrant {
            client,
            user: &done.user,
            scopes: &scopes,
            api: api.as_ref(),
            gty: Some("webauthn"),
            nonce: None,
            auth_time: None,
            amr: &[],
        },
    )
    .await
}
