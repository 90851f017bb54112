//! Messages. Rule messages are keyed by the policy engine's rule codes, so the checklist and the
//! server's `invalid_password` errors read the same; error messages are keyed by Lock's error keys.

use shared::password::{format_message, FormatArg};

/// The English text for a password rule code, with `%d`/`%s` placeholders.
pub fn rule_message(code: &str) -> Option<&'static str> {
    Some(match code {
        "nonEmpty" => "Non-empty password required",
        "lengthAtLeast" => "At least %d characters in length",
        "shouldContain" => "Should contain:",
        "containsAtLeast" => "Contain at least %d of the following %d types of characters:",
        "lowerCase" => "lower case letters (a-z)",
        "upperCase" => "upper case letters (A-Z)",
        "numbers" => "numbers (i.e. 0-9)",
        "specialCharacters" => "special characters (e.g. !@#$%^&*)",
        "identicalChars" => "No more than %d identical characters in a row (e.g., \"%s\" not allowed)",
        _ => return None,
    })
}

/// A rule's text with its arguments filled in; unknown codes fall back to the server's message.
pub fn rule_text(code: &str, fallback: &str, args: &[FormatArg]) -> String {
    format_message(rule_message(code).unwrap_or(fallback), args)
}

/// The message for a sign-up error, by Auth0 `code` and error `name` as Lock maps them.
pub fn signup_error(code: &str, name: Option<&str>) -> &'static str {
    match (code, name) {
        ("invalid_password", Some("PasswordDictionaryError")) => "Password is too common.",
        ("invalid_password", Some("PasswordNoUserInfoError")) => "Password is based on user information.",
        ("invalid_password", Some("PasswordHistoryError")) => "Password has previously been used.",
        ("invalid_password", _) => "Password is too weak.",
        ("user_exists", _) => "The user already exists.",
        ("username_exists", _) => "The username already exists.",
        ("invalid_signup", _) => "We could not sign you up. If you already have an account, log in instead.",
        ("operation_not_allowed", _) => "Sign-ups are disabled for this application.",
        ("too_many_attempts", _) | ("too_many_requests", _) => "Too many attempts. Please wait a moment and try again.",
        ("invalid_request", _) => "Please check the fields and try again.",
        ("lock.network", _) => "We could not reach the server. Check your connection and try again.",
        _ => "Something went wrong. Please try again.",
    }
}

/// The message for a login error, as Lock maps them (`invalid_grant`/`access_denied` → wrong
/// credentials, `too_many_attempts`, `user is blocked`).
pub fn login_error(code: &str, description: &str, by_username: bool) -> &'static str {
    match code {
        "invalid_grant" | "access_denied" | "invalid_user_password" if by_username => "Wrong username or password.",
        "invalid_grant" | "access_denied" | "invalid_user_password" => "Wrong email or password.",
        "too_many_attempts" => "Your account has been blocked after multiple consecutive login attempts.",
        "too_many_requests" => "Too many attempts. Please wait a moment and try again.",
        "unauthorized" if description.contains("blocked") => "This account is blocked.",
        "lock.network" => "We could not reach the server. Check your connection and try again.",
        "invalid_request" => "Your login session expired. Please try again.",
        _ => "Something went wrong. Please try again.",
    }
}

/// The message for a forgot-password error.
pub fn forgot_error(code: &str) -> &'static str {
    match code {
        "too_many_requests" => "You have requested too many resets. Please wait a few minutes.",
        "lock.network" => "We could not reach the server. Check your connection and try again.",
        _ => "Something went wrong. Please try again.",
    }
}
