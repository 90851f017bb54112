//! `/v2/logout` and OIDC RP-initiated logout: where the browser may be sent afterwards (exact
//! matches of the client's allowed logout URLs only).

use crate::core::directory::tenant::{self};
use crate::core::error::{CoreError, CoreResult};
use crate::core::Core;

/// Where a logout sends the browser.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LogoutTarget {
    /// Redirect there.
    Redirect(String),
    /// Show the "logged out" page.
    Page,
    /// Refuse with this message (an unlisted return URL: no open redirect).
    Refused(String),
}

/// `GET /v2/logout`: `returnTo` must be one of the client's allowed logout URLs (exact match);
/// without `returnTo`, the client's first allowed URL, if any.
pub async fn logout_target(
    core: &Core<'_>,
    client_id: Option<&str>,
    return_to: Option<&str>,
) -> CoreResult<LogoutTarget> {
    let client = match client_id {
        Some(id) => tenant::client(core.db, id).await?,
        None => None,
    };
    Ok(match (client, return_to) {
        (Some(c), Some(url)) if c.allowed_logout_urls.iter().any(|u| u == url) => {
            LogoutTarget::Redirect(url.to_owned())
        }
        (Some(_), Some(url)) => LogoutTarget::Refused(format!(
            "The returnTo URL {url} is not in the application's Allowed Logout URLs"
        )),
        (Some(c), None) => c
            .allowed_logout_urls
            .first()
            .cloned()
            .map_or(LogoutTarget::Page, LogoutTarget::Redirect),
        (None, Some(_)) if client_id.is_some() => LogoutTarget::Refused("Unknown client".into()),
        (None, Some(url)) => LogoutTarget::Refused(format!(
            "returnTo {url} needs a client_id whose Allowed Logout URLs contain it"
        )),
        (None, None) => LogoutTarget::Page,
    })
}

/// `/oidc/logout`: the client comes from `client_id` or the `aud` of a valid `id_token_hint`
/// (which may have expired); `post_logout_redirect_uri` must be an allowed logout URL; `state` is
/// appended to it.
pub async fn oidc_logout_target(
    core: &Core<'_>,
    id_token_hint: Option<&str>,
    client_id: Option<&str>,
    post_logout_redirect_uri: Option<&str>,
    state: Option<&str>,
) -> CoreResult<LogoutTarget> {
    let hinted = match id_token_hint {
        Some(t) => {
            let keys = crate::core::oauth::keys::verifying_keys(core.db).await?;
            match crate::core::oauth::tokens::verify_hint(t, &keys, &core.settings.issuer) {
                Ok(claims) => claims.get("aud").and_then(|a| a.as_str()).map(str::to_owned),
                Err(_) => return Ok(LogoutTarget::Refused("Invalid id_token_hint".into())),
            }
        }
        None => None,
    };
    if let (Some(h), Some(c)) = (hinted.as_deref(), client_id) {
        if h != c {
            return Ok(LogoutTarget::Refused(
                "client_id does not match the id_token_hint".into(),
            ));
        }
    }
    let client = hinted.as_deref().or(client_id);
    Ok(match (post_logout_redirect_uri, client) {
        (Some(_), None) => LogoutTarget::Refused("post_logout_redirect_uri needs an id_token_hint or client_id".into()),
        (Some(url), Some(c)) => match logout_target(core, Some(c), Some(url)).await? {
            LogoutTarget::Redirect(u) => {
                let mut u = url::Url::parse(&u).map_err(|e| CoreError::Internal(e.to_string()))?;
                if let Some(s) = state {
                    u.query_pairs_mut().append_pair("state", s);
                }
                LogoutTarget::Redirect(u.to_string())
            }
            other => other,
        },
        (None, _) => LogoutTarget::Page,
    })
}
