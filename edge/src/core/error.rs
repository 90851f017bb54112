//! The core's one error type. The HTTP layer alone maps it to status codes and Auth0's two error
//! shapes; internal details (`Db`, `Internal`) are logged there and never sent to clients.

use shared::Explanation;

use super::db::DbError;

/// Everything a core operation can refuse or fail with.
#[derive(Debug, thiserror::Error)]
pub enum CoreError {
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
    /// Storage failure.
    #[error(transparent)]
    Db(#[from] DbError),
    /// Any other internal failure (message for logs only).
    #[error("internal error: {0}")]
    Internal(String),
}

/// Result alias of the core.
pub type CoreResult<T> = Result<T, CoreError>;
