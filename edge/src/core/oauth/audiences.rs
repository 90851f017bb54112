//! The Management API as an audience: user flows never get a token for it (Auth0's
//! `access_denied`); only client grants and the console do (`management::access`).

use crate::core::error::{CoreError, CoreResult};
use crate::core::Core;

/// The `gty` claim of machine-to-machine tokens.
pub const CLIENT_CREDENTIALS_GTY: &str = "client-credentials";

/// The Management API audience of this tenant.
pub fn management_audience(core: &Core<'_>) -> String {
    format!("{}api/v2/", core.settings.issuer)
}

/// Auth0's refusal of an API a client may not reach.
pub fn not_authorized(audience: &str) -> CoreError {
    CoreError::AccessDenied(format!(
        "Client is not authorized to access \"{audience}\". You need to create a \"client-grant\" associated to this API."
    ))
}

/// User flows may ask for any registered API except the Management API.
pub fn refuse_management_audience(core: &Core<'_>, audience: Option<&str>) -> CoreResult<()> {
    match audience {
        Some(a) if a == management_audience(core) => Err(not_authorized(a)),
        _ => Ok(()),
    }
}
