//! The one place errors become HTTP: one table of status, name, code and description, from which
//! Auth0's two error shapes are derived — the legacy `{name, code, description, statusCode}` for
//! `/dbconnections/*` and OAuth's `{error, error_description}` for `/oauth/token` and friends.

use serde_json::{json, Value};
use shared::management::errors::ManagementError;
use shared::wire::{codes, ApiError, OAuthError};

use super::http::Response;
use crate::core::error::CoreError;
use crate::core::error::Quota;

/// Errors of the HTTP layer itself (before the core is called) plus core errors.
#[derive(Debug)]
pub enum WebError {
    /// Body larger than the limit.
    PayloadTooLarge,
    /// Wrong content type; names the accepted ones.
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

/// Rate-limit headers for a quota.
pub fn rate_limit_headers(q: &Quota) -> Vec<(String, String)> {
    vec![
        ("x-ratelimit-limit".into(), q.limit.to_string()),
        ("x-ratelimit-remaining".into(), q.remaining.to_string()),
        ("x-ratelimit-reset".into(), q.reset_epoch_s.to_string()),
    ]
}

/// An error, described once.
struct Described {
    status: u16,
    name: &'static str,
    code: &'static str,
    description: Value,
    message: Option<&'static str>,
    policy: Option<String>,
    headers: Vec<(String, String)>,
    internal: Option<String>,
    mfa_token: Option<String>,
}

fn d(status: u16, name: &'static str, code: &'static str, description: impl Into<String>) -> Described {
    Described {
        status,
        name,
        code,
        description: Value::String(description.into()),
        message: None,
        policy: None,
        headers: Vec::new(),
        internal: None,
        mfa_token: None,
    }
}

fn password(name: &'static str, message: &'static str) -> Described {
    Described {
        message: Some(message),
        ..d(400, name, codes::INVALID_PASSWORD, message)
    }
}

impl WebError {
    fn describe(&self) -> Described {
        match self {
            WebError::PayloadTooLarge => d(
                413,
                "PayloadTooLargeError",
                codes::PAYLOAD_TOO_LARGE,
                "Request body too large",
            ),
            WebError::UnsupportedMediaType(expected) => d(
                415,
                "UnsupportedMediaTypeError",
                codes::INVALID_BODY,
                format!("Content-Type must be {expected}"),
            ),
            WebError::InvalidBody(msg) => d(400, "BadRequestError", codes::INVALID_BODY, msg.clone()),
            WebError::NotFound => d(404, "NotFoundError", codes::NOT_FOUND, "Not found"),
            WebError::MethodNotAllowed => d(
                405,
                "MethodNotAllowedError",
                codes::METHOD_NOT_ALLOWED,
                "Method not allowed",
            ),
            WebError::Core(c) => describe_core(c),
        }
    }

    /// The legacy-style response (`/dbconnections/*`).
    pub fn into_api_response(self) -> Response {
        let e = self.describe();
        let body = ApiError {
            name: e.name.into(),
            code: e.code.into(),
            description: e.description,
            message: e.message.map(Into::into),
            policy: e.policy,
            status_code: e.status,
        };
        finish(Response::json(e.status, &body), e.headers, e.internal)
    }

    /// The Management API's shape: `{statusCode, error, message, errorCode}`.
    pub fn into_management_response(self) -> Response {
        let e = self.describe();
        let message = match e.description {
            Value::String(s) => s,
            _ => e.message.unwrap_or_default().to_owned(),
        };
        let body = ManagementError {
            status_code: e.status,
            error: reason(e.status).into(),
            message,
            error_code: Some(e.code.into()),
        };
        finish(Response::json(e.status, &body), e.headers, e.internal)
    }

    /// The My Account API's shape (RFC 7807, `application/problem+json`): `{type, status, title,
    /// detail}`, `type` being the error's code.
    pub fn into_problem_response(self) -> Response {
        let e = self.describe();
        let detail = match e.description {
            Value::String(s) => s,
            _ => e.message.unwrap_or_default().to_owned(),
        };
        let body = shared::my_account::Problem {
            kind: e.code.into(),
            status: e.status,
            title: reason(e.status).into(),
            detail,
        };
        let json = serde_json::to_vec(&body).unwrap_or_default();
        let r = Response::new(e.status, "application/problem+json", json);
        finish(r, e.headers, e.internal)
    }

    /// The OAuth-style response (`/oauth/token`, `/userinfo`, `/co/authenticate`).
    pub fn into_oauth_response(self) -> Response {
        let e = self.describe();
        let error = if e.code == codes::INVALID_BODY {
            codes::INVALID_REQUEST
        } else {
            e.code
        };
        let description = match e.description {
            Value::String(s) => s,
            _ => e.message.unwrap_or_default().to_owned(),
        };
        let body = OAuthError {
            error: error.into(),
            error_description: description,
            mfa_token: e.mfa_token,
        };
        finish(Response::json(e.status, &json!(body)), e.headers, e.internal)
    }
}

/// The HTTP reason phrase of `status`.
fn reason(status: u16) -> &'static str {
    match status {
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        409 => "Conflict",
        413 => "Payload Too Large",
        415 => "Unsupported Media Type",
        429 => "Too Many Requests",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        _ => "Internal Server Error",
    }
}

fn finish(mut r: Response, headers: Vec<(String, String)>, internal: Option<String>) -> Response {
    r.headers.extend(headers);
    r.internal_error = internal;
    r
}

fn describe_core(c: &CoreError) -> Described {
    use shared::management::hooks::PRE_USER_REGISTRATION;
    let bad = |code, msg: &str| d(400, "BadRequestError", code, msg);
    match c {
        CoreError::InvalidRequest(msg) => bad(codes::INVALID_REQUEST, msg),
        CoreError::ConnectionNotFound(name) => bad(codes::CONNECTION_NOT_FOUND, &format!("Unknown connection {name}")),
        CoreError::UnknownClient => d(401, "UnauthorizedError", codes::INVALID_CLIENT, "Unknown client"),
        CoreError::SignupDisabled => bad(codes::SIGNUP_DISABLED, "public signup is disabled"),
        CoreError::PasswordStrength { explanation, policy } => Described {
            description: serde_json::to_value(explanation).unwrap_or(Value::Null),
            message: Some("Password is too weak"),
            policy: Some(policy.clone()),
            ..d(400, "PasswordStrengthError", codes::INVALID_PASSWORD, "")
        },
        CoreError::PasswordTooLong => password("PasswordStrengthError", "Password is too long"),
        CoreError::PasswordDictionary => password("PasswordDictionaryError", "Password is too common"),
        CoreError::PasswordNoUserInfo => password("PasswordNoUserInfoError", "Password is based on user information"),
        CoreError::PasswordHistory => password("PasswordHistoryError", "Password has previously been used"),
        CoreError::InvalidSignup => bad(codes::INVALID_SIGNUP, "Invalid sign up"),
        CoreError::UserExists => bad(codes::USER_EXISTS, "The user already exists."),
        CoreError::UsernameExists => bad(codes::USERNAME_EXISTS, "The username already exists."),
        CoreError::WrongCredentials => d(403, "ForbiddenError", codes::INVALID_GRANT, "Wrong email or password."),
        CoreError::InvalidGrant(msg) => d(403, "ForbiddenError", codes::INVALID_GRANT, msg.clone()),
        CoreError::TooManyAttempts(msg) => d(429, "TooManyAttemptsError", codes::TOO_MANY_ATTEMPTS, msg.clone()),
        CoreError::TooManyRequests(q) => Described {
            headers: rate_limit_headers(q),
            ..d(
                429,
                "TooManyRequestsError",
                codes::TOO_MANY_REQUESTS,
                "Too many requests",
            )
        },
        CoreError::InvalidClient(msg) => d(401, "UnauthorizedError", codes::INVALID_CLIENT, msg.clone()),
        CoreError::UnauthorizedClient(msg) => d(403, "ForbiddenError", "unauthorized_client", msg.clone()),
        CoreError::UnsupportedGrantType(g) => bad("unsupported_grant_type", &format!("Unsupported grant type: {g}")),
        CoreError::AccessDenied(msg) => d(403, "ForbiddenError", "access_denied", msg.clone()),
        // Lock shows the description of `hook_error` verbatim; a token request reads Auth0's
        // `access_denied` of a denying post-login Action.
        CoreError::HookDenied { trigger, message, .. } if *trigger == PRE_USER_REGISTRATION => {
            bad(codes::HOOK_ERROR, message)
        }
        CoreError::HookDenied { message, .. } => d(403, "ForbiddenError", "access_denied", message.clone()),
        CoreError::UserBlocked => d(401, "UnauthorizedError", "unauthorized", "user is blocked"),
        CoreError::InvalidToken(msg) => Described {
            headers: vec![("www-authenticate".into(), "Bearer error=\"invalid_token\"".into())],
            ..d(401, "UnauthorizedError", "invalid_token", msg.clone())
        },
        CoreError::Unauthorized(msg) => Described {
            headers: vec![("www-authenticate".into(), "Bearer".into())],
            ..d(401, "UnauthorizedError", "invalid_token", msg.clone())
        },
        CoreError::InsufficientScope(msg) => d(403, "ForbiddenError", "insufficient_scope", msg.clone()),
        CoreError::NotFound(msg) => d(404, "NotFoundError", "inexistent_resource", msg.clone()),
        CoreError::Conflict(msg) => d(409, "ConflictError", "conflict", msg.clone()),
        CoreError::MfaRequired(token) => Described {
            mfa_token: Some(token.clone()),
            ..d(
                403,
                "ForbiddenError",
                "mfa_required",
                "Multifactor authentication required",
            )
        },
        CoreError::ExpiredToken(msg) => d(403, "ForbiddenError", "expired_token", msg.clone()),
        CoreError::InvalidTicket => bad(
            "invalid_ticket",
            "This link is invalid, was already used or has expired. Please request a new one.",
        ),
        CoreError::Overloaded { retry_after_s } => Described {
            headers: vec![("retry-after".into(), retry_after_s.to_string())],
            ..d(
                503,
                "ServiceUnavailableError",
                "temporarily_unavailable",
                format!("The service is busy. Please try again in {retry_after_s} s."),
            )
        },
        CoreError::LegacyUnavailable(_) => Described {
            internal: Some(c.to_string()),
            ..d(
                503,
                "ServiceUnavailableError",
                "temporarily_unavailable",
                "The user store is unavailable. Please try again later.",
            )
        },
        CoreError::LegacyProtocol(_) => Described {
            internal: Some(c.to_string()),
            ..d(
                502,
                "BadGatewayError",
                codes::SERVER_ERROR,
                "The user store answered unexpectedly. Please try again later.",
            )
        },
        CoreError::Db(_) | CoreError::Internal(_) => Described {
            internal: Some(c.to_string()),
            ..d(500, "InternalServerError", codes::SERVER_ERROR, "Internal error")
        },
    }
}
