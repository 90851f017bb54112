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

/// The My Account API audience of this tenant (`{issuer}me/`): a user's own account, through a
/// token bound to that user (`passkeys::account`).
pub fn my_account_audience(core: &Core<'_>) -> String {
    format!("{}me/", core.settings.issuer)
}

/// The My Account API's scopes that this tenant serves (its passkeys).
pub const MY_ACCOUNT_SCOPES: [&str; 3] = [
    "read:me:authentication_methods",
    "create:me:authentication_methods",
    "delete:me:authentication_methods",
];

/// How long a My Account API token lives: short, since it can add or remove ways in.
pub const MY_ACCOUNT_TOKEN_LIFETIME_S: i64 = 600;

/// The My Account API as an audience, always there (as the MFA API): any application of the
/// tenant may ask for it for its user (all applications are first-party).
pub fn my_account_api(core: &Core<'_>) -> crate::core::oauth::grants::ResourceServer {
    crate::core::oauth::grants::ResourceServer {
        identifier: my_account_audience(core),
        scopes: MY_ACCOUNT_SCOPES.map(String::from).to_vec(),
        token_lifetime: MY_ACCOUNT_TOKEN_LIFETIME_S,
    }
}
