//! The Management API's resources as serde types (`/api/v2/...`), used by the edge (which
//! serialises them), the operator console and the CLI (which deserialise them). Field names and
//! optionality follow Auth0's Management API and the node `auth0` SDK; Tollgate's own resources
//! (members, …) follow the same conventions.
//!
//! Conventions, one per direction:
//! - **Answers** (what the edge sends) read leniently: unknown fields are ignored, so a newer edge
//!   never breaks an older console. Optional fields are absent rather than `null` (Auth0's habit).
//! - **Request bodies** are `#[serde(deny_unknown_fields)]` where Auth0 refuses additional
//!   properties; a bad body fails to parse, and [`errors::payload_error`] words the one 400.
//! - **Free-form data Auth0 keeps** (metadata, connection options, provider profiles) is a
//!   [`Metadata`] map or a `#[serde(flatten)]` map of the keys not typed here.
//!
//! `tests/vectors/management/*.json` holds Auth0-shaped samples of each resource; every module's
//! tests round-trip them.

pub mod authentication_methods;
pub mod blocks;
pub mod client_grants;
pub mod clients;
pub mod connections;
pub mod errors;
pub mod guardian;
pub mod hooks;
pub mod jobs;
pub mod log_streams;
pub mod logs;
pub mod members;
pub mod resource_servers;
pub mod stats;
pub mod tickets;
pub mod users;

/// A free-form JSON object (`user_metadata`, `app_metadata`, unknown connection options).
pub type Metadata = serde_json::Map<String, serde_json::Value>;

/// A list answer that is either a plain array or, with `include_totals=true` or paging, a page
/// object (Auth0's two shapes of the same list).
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(untagged)]
pub enum Listing<T, P> {
    /// The page object (`{users|connections: [...], start, limit, total, …}`).
    Page(P),
    /// The plain array.
    Plain(Vec<T>),
}

/// Deserializes an optional field where `null` and absent differ: absent is `None`, `null` is
/// `Some(None)` (`#[serde(default, deserialize_with = "nullable")]`).
pub fn nullable<'de, D, T>(d: D) -> Result<Option<Option<T>>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: serde::Deserialize<'de>,
{
    <Option<T> as serde::Deserialize>::deserialize(d).map(Some)
}

#[cfg(test)]
pub(crate) mod vectors {
    //! The recorded samples of `tests/vectors/management/` and the round trip every resource's
    //! tests run on them.
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

    use serde::de::DeserializeOwned;
    use serde::Serialize;
    use serde_json::Value;

    /// One sample of a vectors file (`{"source": …, "samples": {name: json}}`).
    pub fn sample(file: &str, name: &str) -> Value {
        let all: Value = serde_json::from_str(file).expect("a vectors file is JSON");
        assert!(
            all["source"].as_str().is_some_and(|s| !s.is_empty()),
            "every vectors file says where it came from"
        );
        all["samples"][name].clone()
    }

    /// Deserialize → serialize → compare as JSON values: the type carries every field of the sample.
    pub fn round_trip<T: DeserializeOwned + Serialize>(file: &str, name: &str) -> T {
        let json = sample(file, name);
        assert!(!json.is_null(), "sample {name} exists");
        let typed: T = serde_json::from_value(json.clone()).unwrap_or_else(|e| panic!("{name}: {e}"));
        let back = serde_json::to_value(&typed).unwrap();
        assert_eq!(back, json, "{name} round-trips unchanged");
        typed
    }

    /// The message a refused body gets, as the edge words it.
    pub fn refusal<T: DeserializeOwned + std::fmt::Debug>(body: Value) -> String {
        let err = serde_json::from_value::<T>(body).expect_err("the body is refused");
        super::errors::payload_error("", &err.to_string())
    }
}
