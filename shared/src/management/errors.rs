//! The Management API's error body, `{statusCode, error, message, errorCode}`, and the wording of
//! a refused request body (Auth0's `Payload validation error: '…'` messages).

use serde::{Deserialize, Serialize};

/// Every Management API error (`4xx`/`5xx`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ManagementError {
    /// The HTTP status, repeated.
    #[serde(rename = "statusCode")]
    pub status_code: u16,
    /// The status' reason phrase (`Bad Request`).
    pub error: String,
    /// What went wrong, for people.
    pub message: String,
    /// A stable code for programs (`invalid_body`, `insufficient_scope`, `inexistent_resource`).
    #[serde(rename = "errorCode", default, skip_serializing_if = "Option::is_none")]
    pub error_code: Option<String>,
}

/// The JSON type names Auth0's validator uses, from serde's wording of a type.
fn type_name(serde: &str) -> &str {
    let s = serde.trim();
    let words = [
        ("bool", "boolean"),
        ("string", "string"),
        ("char", "string"),
        ("sequence", "array"),
        ("map", "object"),
        ("struct", "object"),
        ("unit", "null"),
        ("null", "null"),
        ("option", "null"),
        ("floating point", "number"),
        ("f64", "number"),
        ("integer", "integer"),
        ("i64", "integer"),
        ("u64", "integer"),
        ("i32", "integer"),
        ("u32", "integer"),
        ("u16", "integer"),
    ];
    for (needle, name) in words {
        if s.contains(needle) {
            return name;
        }
    }
    s
}

/// Between the first pair of backticks.
fn quoted(s: &str) -> Option<&str> {
    let start = s.find('`')? + 1;
    let len = s.get(start..)?.find('`')?;
    s.get(start..start + len)
}

/// The 400 message for a body that does not fit its type: serde's `error` at `path` (`""` or
/// `"."` for the body itself, `options.passwordPolicy` inside it), in Auth0's words —
/// `Payload validation error: 'Additional properties not allowed: foo' on property options.`
pub fn payload_error(path: &str, error: &str) -> String {
    // serde_json appends the position when it parsed text; the property says more.
    let error = match error.rfind(" at line ") {
        Some(i) if error[i..].contains(" column ") => &error[..i],
        _ => error,
    };
    // A type that reads its own keys (connection options) names the key it refused: `key: …`.
    if let Some((key, rest)) = error.split_once(": ") {
        let is_key = !key.is_empty()
            && key
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '[' | ']'));
        if is_key {
            let path = path.trim_start_matches('.');
            let inner = if path.is_empty() {
                key.to_owned()
            } else {
                format!("{path}.{key}")
            };
            return payload_error(&inner, rest);
        }
    }
    let what = if let Some(rest) = error.strip_prefix("unknown field ") {
        format!("Additional properties not allowed: {}", quoted(rest).unwrap_or(rest))
    } else if let Some(rest) = error.strip_prefix("missing field ") {
        format!("Missing required property: {}", quoted(rest).unwrap_or(rest))
    } else if let Some(rest) = error.strip_prefix("unknown variant ") {
        let expected = rest.split_once("expected ").map_or("", |(_, e)| e).replace('`', "");
        format!(
            "No enum match for: \"{}\" ({})",
            quoted(rest).unwrap_or(rest),
            if expected.is_empty() {
                "no values allowed".to_owned()
            } else {
                format!("expected {expected}")
            }
        )
    } else if let Some(rest) = error.strip_prefix("invalid type: ") {
        match rest.split_once(", expected ") {
            Some((found, expected)) => {
                let found = found.split([' ', '`']).next().unwrap_or(found);
                format!(
                    "Expected type {} but found type {}",
                    type_name(expected),
                    type_name(found)
                )
            }
            None => rest.to_owned(),
        }
    } else {
        error.to_owned()
    };
    match path.trim_start_matches('.') {
        "" => format!("Payload validation error: '{what}'."),
        p => format!("Payload validation error: '{what}' on property {p}."),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::management::vectors;

    const FILE: &str = include_str!("../../../tests/vectors/management/errors.json");

    #[test]
    fn the_error_body_round_trips() {
        for name in ["bad_request", "insufficient_scope", "not_found", "rate_limited"] {
            let e: ManagementError = vectors::round_trip(FILE, name);
            assert!(e.status_code >= 400);
        }
    }

    #[test]
    fn serde_errors_become_auth0_messages() {
        let cases = [
            (
                "",
                "unknown field `shoe_size`, expected one of `email`, `name`",
                "Payload validation error: 'Additional properties not allowed: shoe_size'.",
            ),
            (
                ".",
                "missing field `connection`",
                "Payload validation error: 'Missing required property: connection'.",
            ),
            (
                "blocked",
                "invalid type: string \"yes\", expected a boolean at line 1 column 17",
                "Payload validation error: 'Expected type boolean but found type string' on property blocked.",
            ),
            (
                "options.passwordPolicy",
                "unknown variant `impossible`, expected one of `none`, `low`",
                "Payload validation error: 'No enum match for: \"impossible\" (expected one of none, low)' on property options.passwordPolicy.",
            ),
            (
                "scope",
                "invalid type: map, expected a sequence",
                "Payload validation error: 'Expected type array but found type object' on property scope.",
            ),
        ];
        for (path, serde, words) in cases {
            assert_eq!(payload_error(path, serde), words);
        }
    }
}
