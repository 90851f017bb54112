//! The core's one error type. The HTTP layer alone maps it to status codes and Auth0's two error
//! shapes; internal details (`Db`, `Internal`) are logged there and never sent to clients.

use shared::Explanation;

use super::platform::db::DbError;

/// Everything a core operation can refuse or fail with.
#[derive(Debug, thiserror::Error)]
pub enum CoreError {
    /// A hook refused the sign-up or login (or failed, closed): `message` is for the person,
    /// `reason` for the operator (tenant log).
    #[error("{trigger} hook: {reason}")]
    HookDenied {
        /// `pre-user-registration` or `post-login`.
        trigger: &'static str,
        /// Shown to the person.
        message: String,
        /// Recorded in the tenant log.
        reason: String,
    },
    /// A missing or malformed field; the text is safe to show.
    #[error("invalid request: {0}")]
    InvalidRequest(String),
    /// No such connection (or not enabled for the client).
    #[error("connection not found: {0}")]
    ConnectionNotFound(String),
    /// Unknown client.
    #[error("unknown client")]
    UnknownClient,
    /// Sign-ups are disabled on the connection.
    #[error("public signup is disabled")]
    SignupDisabled,
    /// The password breaks the strength policy.
    #[error("password is too weak")]
    PasswordStrength {
        /// The rule tree with verdicts.
        explanation: Explanation,
        /// The policy as markdown bullets.
        policy: String,
    },
    /// The password is in the dictionary.
    #[error("password is too common")]
    PasswordDictionary,
    /// The password contains user information.
    #[error("password is based on user information")]
    PasswordNoUserInfo,
    /// The password was used recently.
    #[error("password has previously been used")]
    PasswordHistory,
    /// The password is longer than we hash.
    #[error("password is too long")]
    PasswordTooLong,
    /// The generic sign-up refusal (an existing user, by default, so nobody can probe for accounts).
    #[error("invalid sign up")]
    InvalidSignup,
    /// An existing user, only when the tenant enables `enable_public_signup_user_exists_error`.
    #[error("the user already exists")]
    UserExists,
    /// An existing username, only with the same tenant flag.
    #[error("the username already exists")]
    UsernameExists,
    /// Wrong identifier or password (`invalid_grant` / `Wrong email or password.`).
    #[error("wrong email or password")]
    WrongCredentials,
    /// A code or refresh token that is invalid, used, expired or not the client's (`invalid_grant`).
    #[error("invalid grant: {0}")]
    InvalidGrant(String),
    /// Brute-force block or suspicious-IP throttle (`too_many_attempts`).
    #[error("too many attempts: {0}")]
    TooManyAttempts(String),
    /// Password work is at its per-isolate bound and the line in front of it is full: answered at
    /// once with `503` and `Retry-After` instead of queueing without end (`credentials::admission`).
    #[error("overloaded, retry after {retry_after_s} s")]
    Overloaded {
        /// Seconds to wait before retrying.
        retry_after_s: u32,
    },
    /// A rate limit was hit (`too_many_requests`).
    #[error("too many requests")]
    TooManyRequests(Quota),
    /// Client authentication failed (`invalid_client`).
    #[error("invalid client: {0}")]
    InvalidClient(String),
    /// The client may not use this grant (`unauthorized_client`).
    #[error("unauthorized client: {0}")]
    UnauthorizedClient(String),
    /// The grant type is unknown (`unsupported_grant_type`).
    #[error("unsupported grant type: {0}")]
    UnsupportedGrantType(String),
    /// Refused by policy (`access_denied`), e.g. an unknown audience.
    #[error("access denied: {0}")]
    AccessDenied(String),
    /// The user is blocked by an administrator (`unauthorized` / `user is blocked`).
    #[error("user is blocked")]
    UserBlocked,
    /// A bearer token was refused (`invalid_token`).
    #[error("invalid token: {0}")]
    InvalidToken(String),
    /// Missing or invalid Management API token.
    #[error("unauthorized: {0}")]
    Unauthorized(String),
    /// A valid token without the needed scope.
    #[error("insufficient scope: {0}")]
    InsufficientScope(String),
    /// No such resource.
    #[error("not found: {0}")]
    NotFound(String),
    /// The resource exists already.
    #[error("conflict: {0}")]
    Conflict(String),
    /// The first factor held and the tenant asks for a second (`403 mfa_required` with the token).
    #[error("multifactor authentication required")]
    MfaRequired(String),
    /// An `mfa_token` that was used, voided or is too old (`expired_token`).
    #[error("expired token: {0}")]
    ExpiredToken(String),
    /// A one-time link that is unknown, used or expired.
    #[error("invalid or expired ticket")]
    InvalidTicket,
    /// The legacy user store cannot be reached (down, timing out, 5xx, circuit open).
    #[error("legacy store unavailable: {0}")]
    LegacyUnavailable(String),
    /// The legacy user store answered outside the contract (status, JSON, profile).
    #[error("legacy store protocol error: {0}")]
    LegacyProtocol(String),
    /// Storage failure.
    #[error(transparent)]
    Db(#[from] DbError),
    /// Any other internal failure (message for logs only).
    #[error("internal error: {0}")]
    Internal(String),
}

/// Result alias of the core.
pub type CoreResult<T> = Result<T, CoreError>;

/// The outcome of a bucket operation, with what the rate-limit headers need.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Quota {
    /// Whether the request may proceed.
    pub granted: bool,
    /// Bucket capacity (`X-RateLimit-Limit`).
    pub limit: u32,
    /// Whole tokens left (`X-RateLimit-Remaining`).
    pub remaining: u32,
    /// When the bucket is full again, epoch seconds (`X-RateLimit-Reset`).
    pub reset_epoch_s: i64,
}
