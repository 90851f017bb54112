//! Validation of one import row against Auth0's import schema (`additionalProperties: false`,
//! `email` required, field types and limits, hash formats with capped costs), and the error
//! report's redaction of hashes.

use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};

use crate::core::credentials::legacy_hash::{HashError, LegacyHash};
use crate::core::directory::tenant::Connection;
use crate::core::management::users::RESERVED_APP_METADATA;

/// An import error on one row, in Auth0's shape.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RowError {
    /// `FORMAT`, `INVALID_TYPE`, `DUPLICATED_USER`, …
    pub code: String,
    /// Explanation.
    pub message: String,
    /// JSON path of the offending field.
    pub path: String,
}

/// A row error.
pub fn err(code: &str, message: impl Into<String>, path: &str) -> RowError {
    RowError {
        code: code.into(),
        message: message.into(),
        path: path.into(),
    }
}

const ALLOWED: [&str; 17] = [
    "email",
    "email_verified",
    "phone_number",
    "phone_verified",
    "user_id",
    "username",
    "given_name",
    "family_name",
    "name",
    "nickname",
    "picture",
    "blocked",
    "app_metadata",
    "user_metadata",
    "password_hash",
    "custom_password_hash",
    "mfa_factors",
];
const CUSTOM_HASH_KEYS: [&str; 8] = [
    "algorithm",
    "hash",
    "salt",
    "password",
    "keylen",
    "cost",
    "blockSize",
    "parallelization",
];

/// A row that passed validation.
#[derive(Debug, Clone, PartialEq)]
pub struct ImportUser {
    /// Id without prefix (generated when absent).
    pub user_id: Option<String>,
    /// Normalised email.
    pub email: String,
    /// Supplied `email_verified`.
    pub email_verified: Option<bool>,
    /// Normalised username.
    pub username: Option<String>,
    /// Root profile attributes.
    pub profile: crate::core::directory::users::Profile,
    /// Blocked.
    pub blocked: bool,
    /// Metadata (None = not supplied).
    pub user_metadata: Option<Map<String, Value>>,
    /// App metadata (None = not supplied).
    pub app_metadata: Option<Map<String, Value>>,
    /// bcrypt string or `custom_password_hash` JSON text.
    pub password_hash: Option<String>,
    /// Whether the hash came as `custom_password_hash` (upsertable).
    pub custom_hash: bool,
    /// The work of verifying the hash (argon2 KiB·passes; 0 without one).
    pub hash_work: f64,
}

fn string_field(o: &Map<String, Value>, key: &str, max: usize, errors: &mut Vec<RowError>) -> Option<String> {
    match o.get(key) {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) if s.chars().count() > max => {
            errors.push(err(
                "MAX_LENGTH",
                format!("String is too long ({} chars), maximum {max}", s.chars().count()),
                key,
            ));
            None
        }
        Some(Value::String(s)) if s.is_empty() => {
            errors.push(err("MIN_LENGTH", "String is too short (0 chars), minimum 1", key));
            None
        }
        Some(Value::String(s)) => Some(s.clone()),
        Some(_) => {
            errors.push(err("INVALID_TYPE", "Expected type string", key));
            None
        }
    }
}

fn bool_field(o: &Map<String, Value>, key: &str, errors: &mut Vec<RowError>) -> Option<bool> {
    match o.get(key) {
        None | Some(Value::Null) => None,
        Some(Value::Bool(b)) => Some(*b),
        Some(_) => {
            errors.push(err("INVALID_TYPE", "Expected type boolean", key));
            None
        }
    }
}

fn object_field(o: &Map<String, Value>, key: &str, errors: &mut Vec<RowError>) -> Option<Map<String, Value>> {
    match o.get(key) {
        None | Some(Value::Null) => None,
        Some(Value::Object(m)) => Some(m.clone()),
        Some(_) => {
            errors.push(err("INVALID_TYPE", "Expected type object", key));
            None
        }
    }
}

fn hash_error(e: HashError, path: &str) -> RowError {
    match e {
        HashError::Unsupported => err(
            "ENUM_MISMATCH",
            "Unsupported hash algorithm or format",
            &format!("{path}.algorithm"),
        ),
        HashError::Malformed(what) => err("FORMAT", format!("Invalid hash: {what}"), path),
        HashError::TooExpensive(what) => err("MAXIMUM", format!("Hash cost above the allowed maximum: {what}"), path),
    }
}

/// Validates one import row against Auth0's schema (`additionalProperties: false`, `email`
/// required, field types and limits, hash formats with capped costs).
/// `budget` is the most work one hash verification may cost (argon2 KiB·passes, see
/// `PasswordHasher::verification_budget`): heavier hashes are refused with `MAXIMUM`, naming the
/// parameter that is too high.
pub fn validate_row(v: &Value, conn: &Connection, budget: f64) -> Result<ImportUser, Vec<RowError>> {
    let Some(o) = v.as_object() else {
        return Err(vec![err("INVALID_TYPE", "Expected type object", "")]);
    };
    let mut errors = Vec::new();
    for k in o.keys().filter(|k| !ALLOWED.contains(&k.as_str())) {
        errors.push(err(
            "OBJECT_ADDITIONAL_PROPERTIES",
            format!("Additional properties not allowed: {k}"),
            k,
        ));
    }
    let email = match o.get("email") {
        None | Some(Value::Null) => {
            errors.push(err("OBJECT_REQUIRED", "Missing required property: email", "email"));
            None
        }
        Some(Value::String(e)) => {
            let e = shared::email::normalize(e);
            if !shared::email::is_valid(&e) {
                errors.push(err("FORMAT", "Object didn't pass validation for format email", "email"));
            }
            Some(e)
        }
        Some(_) => {
            errors.push(err("INVALID_TYPE", "Expected type string", "email"));
            None
        }
    };
    let email_verified = bool_field(o, "email_verified", &mut errors);
    bool_field(o, "phone_verified", &mut errors);
    let blocked = bool_field(o, "blocked", &mut errors).unwrap_or(false);
    let phone_number = string_field(o, "phone_number", 16, &mut errors);
    if phone_number.as_deref().is_some_and(|p| {
        !(p.starts_with('+') && (2..=16).contains(&p.len()) && p[1..].chars().all(|c| c.is_ascii_digit()))
    }) {
        errors.push(err(
            "PATTERN",
            "String does not match pattern ^\\+[0-9]{1,15}$",
            "phone_number",
        ));
    }
    let user_id = string_field(o, "user_id", 255, &mut errors).map(|id| id.trim_start_matches("auth0|").to_owned());
    if user_id
        .as_deref()
        .is_some_and(|id| id.is_empty() || id.contains('|') || id.chars().any(char::is_whitespace))
    {
        errors.push(err(
            "PATTERN",
            "user_id may not be empty or contain '|' or spaces",
            "user_id",
        ));
    }
    let username =
        string_field(o, "username", 128, &mut errors).map(|u| shared::username::UsernameRules::normalize(&u));
    if let Some(u) = &username {
        if !conn.username_rules().is_valid(u) {
            errors.push(err(
                "PATTERN",
                "The username does not satisfy the connection's rules",
                "username",
            ));
        }
    }
    let given_name = string_field(o, "given_name", 150, &mut errors);
    let family_name = string_field(o, "family_name", 150, &mut errors);
    let name = string_field(o, "name", 300, &mut errors);
    let nickname = string_field(o, "nickname", 300, &mut errors);
    let picture = string_field(o, "picture", 2000, &mut errors);
    let user_metadata = object_field(o, "user_metadata", &mut errors);
    let app_metadata = object_field(o, "app_metadata", &mut errors);
    if let Some(m) = &app_metadata {
        for k in m.keys().filter(|k| RESERVED_APP_METADATA.contains(&k.as_str())) {
            errors.push(err(
                "NOT_PASSED",
                format!("app_metadata may not contain {k}"),
                &format!("app_metadata.{k}"),
            ));
        }
    }
    let mut password_hash = None;
    let mut custom_hash = false;
    let mut hash_work = 0.0;
    match (o.get("password_hash"), o.get("custom_password_hash")) {
        (Some(_), Some(_)) => errors.push(err(
            "NOT_PASSED",
            "password_hash and custom_password_hash cannot be combined",
            "password_hash",
        )),
        (Some(Value::String(h)), None) => {
            if !(h.starts_with("$2a$") || h.starts_with("$2b$")) {
                errors.push(err(
                    "PATTERN",
                    "password_hash must be a bcrypt hash ($2a$ or $2b$)",
                    "password_hash",
                ));
            } else {
                match LegacyHash::parse(h).and_then(|p| p.check_work(budget).map(|()| p)) {
                    Ok(p) => {
                        hash_work = p.work();
                        password_hash = Some(h.clone());
                    }
                    Err(e) => errors.push(hash_error(e, "password_hash")),
                }
            }
        }
        (Some(_), None) => errors.push(err("INVALID_TYPE", "Expected type string", "password_hash")),
        (None, Some(c @ Value::Object(m))) => {
            for k in m.keys().filter(|k| !CUSTOM_HASH_KEYS.contains(&k.as_str())) {
                errors.push(err(
                    "OBJECT_ADDITIONAL_PROPERTIES",
                    format!("Additional properties not allowed: {k}"),
                    &format!("custom_password_hash.{k}"),
                ));
            }
            match LegacyHash::from_custom(c).and_then(|p| p.check_work(budget).map(|()| p)) {
                Ok(p) => {
                    hash_work = p.work();
                    password_hash = Some(c.to_string());
                    custom_hash = true;
                }
                Err(e) => errors.push(hash_error(e, "custom_password_hash")),
            }
        }
        (None, Some(_)) => errors.push(err("INVALID_TYPE", "Expected type object", "custom_password_hash")),
        (None, None) => {}
    }
    match o.get("mfa_factors") {
        None | Some(Value::Null) => {}
        Some(Value::Array(a)) if a.is_empty() => errors.push(err(
            "ARRAY_LENGTH_SHORT",
            "Array is too short (0), minimum 1",
            "mfa_factors",
        )),
        Some(Value::Array(a)) if a.len() > 10 => {
            errors.push(err("ARRAY_LENGTH_LONG", "Array is too long, maximum 10", "mfa_factors"))
        }
        Some(Value::Array(a)) => {
            for (i, f) in a.iter().enumerate() {
                let kinds = ["totp", "phone", "email"]
                    .iter()
                    .filter(|k| f.get(**k).is_some())
                    .count();
                if kinds != 1 {
                    errors.push(err(
                        "ANY_OF_MISSING",
                        "Each factor needs exactly one of totp, phone, email",
                        &format!("mfa_factors[{i}]"),
                    ));
                }
            }
        }
        Some(_) => errors.push(err("INVALID_TYPE", "Expected type array", "mfa_factors")),
    }
    match (errors.is_empty(), email) {
        (true, Some(email)) => Ok(ImportUser {
            user_id,
            email,
            email_verified,
            username,
            profile: crate::core::directory::users::Profile {
                given_name,
                family_name,
                name,
                nickname,
                picture,
                phone_number,
            },
            blocked,
            user_metadata,
            app_metadata,
            password_hash,
            custom_hash,
            hash_work,
        }),
        _ => Err(errors),
    }
}

/// Replaces hash values by `*****` for the error report.
pub fn redact(v: &Value) -> Value {
    let mut v = v.clone();
    if let Some(o) = v.as_object_mut() {
        if o.contains_key("password_hash") {
            o.insert("password_hash".into(), json!("*****"));
        }
        if let Some(c) = o.get_mut("custom_password_hash").and_then(Value::as_object_mut) {
            if let Some(h) = c.get_mut("hash").and_then(Value::as_object_mut) {
                h.insert("value".into(), json!("*****"));
                if let Some(k) = h.get_mut("key").and_then(Value::as_object_mut) {
                    k.insert("value".into(), json!("*****"));
                }
            }
        }
    }
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redacts_hashes() {
        let r = redact(
            &json!({"email": "a@b.co", "custom_password_hash": {"algorithm": "hmac", "hash": {"value": "x", "key": {"value": "k"}}}}),
        );
        assert_eq!(r["custom_password_hash"]["hash"]["value"], "*****");
        assert_eq!(r["custom_password_hash"]["hash"]["key"]["value"], "*****");
        assert_eq!(r["email"], "a@b.co");
    }
}
