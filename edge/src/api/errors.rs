//! The one place core errors become HTTP: status codes and Auth0's two error shapes.

use serde_json::{json, Value};
use shared::wire::{codes, ApiError, OAuthError};

use super::http::Response;
use crate::core::error::CoreError;

/// Errors of the HTTP layer itself (before the core is called) plus core errors.
#[derive(Debug)]
pub enum WebError {
    /// Body larger than the limit.
    PayloadTooLarge,
    /// Wrong content type.
    UnsupportedMediaType(&'static str),
    /// Body that does not parse.
    InvalidBody(String),
    /// No such route.
    NotFound,
    /// Route exists with another method.
    MethodNotAllowed,
    /// A core error.
    Core(CoreError),
}

impl From<CoreError> for WebError {
    fn from(e: CoreError) -> Self {
        WebError::Core(e)
    }
}

fn bad(code: &str, description: &str) -> ApiError {
    ApiError::new("BadRequestError", code, description, 400)
}

fn password_error(name: &str, message: &str) -> ApiError {
    ApiError {
        message: Some(message.to_owned()),
        ..ApiError::new(name, codes::INVALID_PASSWORD, message, 400)
    }
}

impl WebError {
    /// The legacy-style body (`/dbconnections/*`) and an internal detail to log, if any.
    pub fn api_error(&self) -> (ApiError, Option<String>) {
        let e = match self {
            WebError::PayloadTooLarge => ApiError::new(
                "PayloadTooLargeError",
                codes::PAYLOAD_TOO_LARGE,
                "Request body too large",
                413,
            ),
            WebError::UnsupportedMediaType(expected) => ApiError::new(
                "UnsupportedMediaTypeError",
                codes::INVALID_BODY,
                &format!("Content-Type must be {expected}"),
                415,
            ),
            WebError::InvalidBody(msg) => bad(codes::INVALID_BODY, msg),
            WebError::NotFound => ApiError::new("NotFoundError", codes::NOT_FOUND, "Not found", 404),
            WebError::MethodNotAllowed => ApiError::new(
                "MethodNotAllowedError",
                codes::METHOD_NOT_ALLOWED,
                "Method not allowed",
                405,
            ),
            WebError::Core(c) => match c {
                CoreError::InvalidRequest(msg) => bad(codes::INVALID_REQUEST, msg),
                CoreError::ConnectionNotFound(name) => {
                    bad(codes::CONNECTION_NOT_FOUND, &format!("Unknown connection {name}"))
                }
                CoreError::UnknownClient => bad(codes::INVALID_CLIENT, "Unknown client"),
                CoreError::SignupDisabled => bad(codes::SIGNUP_DISABLED, "public signup is disabled"),
                CoreError::PasswordStrength { explanation, policy } => ApiError {
                    name: "PasswordStrengthError".into(),
                    code: codes::INVALID_PASSWORD.into(),
                    description: serde_json::to_value(explanation).unwrap_or(Value::Null),
                    message: Some("Password is too weak".into()),
                    policy: Some(policy.clone()),
                    status_code: 400,
                },
                CoreError::PasswordTooLong => password_error("PasswordStrengthError", "Password is too long"),
                CoreError::PasswordDictionary => password_error("PasswordDictionaryError", "Password is too common"),
                CoreError::PasswordNoUserInfo => {
                    password_error("PasswordNoUserInfoError", "Password is based on user information")
                }
                CoreError::PasswordHistory => {
                    password_error("PasswordHistoryError", "Password has previously been used")
                }
                CoreError::InvalidSignup => bad(codes::INVALID_SIGNUP, "Invalid sign up"),
                CoreError::UserExists => bad(codes::USER_EXISTS, "The user already exists."),
                CoreError::UsernameExists => bad(codes::USERNAME_EXISTS, "The username already exists."),
                CoreError::Db(_) | CoreError::Internal(_) => {
                    return (
                        ApiError::new("InternalServerError", codes::SERVER_ERROR, "Internal error", 500),
                        Some(c.to_string()),
                    )
                }
            },
        };
        (e, None)
    }

    /// The OAuth-style body (`/oauth/token`, `/userinfo`) with its status.
    pub fn oauth_error(&self) -> (u16, OAuthError, Option<String>) {
        let (api, internal) = self.api_error();
        let error = match api.code.as_str() {
            codes::INVALID_BODY => codes::INVALID_REQUEST.to_owned(),
            other => other.to_owned(),
        };
        (
            api.status_code,
            OAuthError {
                error,
                error_description: api.description_text(),
            },
            internal,
        )
    }

    /// A legacy-style response.
    pub fn into_api_response(self) -> Response {
        let (body, internal) = self.api_error();
        let mut r = Response::json(body.status_code, &body);
        r.internal_error = internal;
        r
    }

    /// An OAuth-style response.
    pub fn into_oauth_response(self) -> Response {
        let (status, body, internal) = self.oauth_error();
        let mut r = Response::json(status, &json!(body));
        r.internal_error = internal;
        r
    }
}
