//! Tenant logs (`GET /api/v2/logs`, `/api/v2/logs/{id}`, `/api/v2/users/{id}/logs`): one event of
//! authentication or provisioning in Auth0's log event shape, and the page `include_totals=true`
//! answers. Event types are Auth0's (`s`, `fp`, `fu`, `ss`, `seacft`, …); Tollgate's own start
//! with `tg_` (see [`TOLLGATE_TYPES`]).

use serde::{Deserialize, Serialize};

use super::Metadata;

/// One log event.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct LogEvent {
    /// The event's id (`from` of checkpoint paging; ids grow with time).
    pub log_id: String,
    /// When it happened (ISO 8601).
    pub date: String,
    /// The event type (`s`, `fp`, `fu`, `sapi`, …).
    #[serde(rename = "type")]
    pub kind: String,
    /// A human description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The application's client id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_id: Option<String>,
    /// The application's name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_name: Option<String>,
    /// The caller's IP address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ip: Option<String>,
    /// The caller's user agent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_agent: Option<String>,
    /// The user's id (`auth0|…`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_id: Option<String>,
    /// The user's name as typed or known (email or username).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_name: Option<String>,
    /// The connection's name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub connection: Option<String>,
    /// The connection's id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub connection_id: Option<String>,
    /// The connection's strategy.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub strategy: Option<String>,
    /// The connection's strategy type (`database`, `social`, …).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub strategy_type: Option<String>,
    /// Event-specific details (never passwords, codes, tokens or secrets).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub details: Option<serde_json::Value>,
    /// Fields of Auth0's not typed here (`hostname`, `isMobile`, `location_info`, …).
    #[serde(flatten)]
    pub other: Metadata,
}

/// `include_totals=true`: the page and the number of events matching.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct LogsPage {
    /// Index of the first event.
    pub start: i64,
    /// The page size asked for.
    pub limit: i64,
    /// Events on this page.
    pub length: i64,
    /// Events matching.
    pub total: i64,
    /// The events.
    pub logs: Vec<LogEvent>,
}

/// Tollgate's own event types (Auth0 has none for these).
pub const TOLLGATE_TYPES: [(&str, &str); 5] = [
    (
        "tg_migration_success",
        "A user migrated lazily from the legacy store at a login",
    ),
    (
        "tg_migration_failure",
        "A lazy migration failed (legacy store unreachable or refused)",
    ),
    ("tg_job_start", "A bulk import or export job started"),
    ("tg_job_end", "A bulk job ended (details: status, counts)"),
    (
        "tg_log_stream_suspended",
        "A log stream was suspended after repeated failed deliveries",
    ),
];

/// The event types Tollgate records: (type, human description, Auth0's log stream category —
/// the `filters` of a log stream, see [`category`]). Tollgate's own types are in the `other`
/// category, but a suspended log stream, a `system.notification` as Auth0 files its own.
pub const EVENT_TYPES: [(&str, &str, &str); 36] = [
    ("s", "Successful login", "auth.login.success"),
    ("mfar", "Multifactor authentication required", "auth.login.notification"),
    ("gd_auth_succeed", "Second factor accepted", "auth.login.success"),
    ("gd_auth_failed", "Wrong second factor", "auth.login.fail"),
    ("f", "Failed login", "auth.login.fail"),
    ("fp", "Incorrect password", "auth.login.fail"),
    ("fu", "Invalid email or username", "auth.login.fail"),
    (
        "scoa",
        "Successful cross-origin authentication",
        "auth.ancillary.success",
    ),
    ("fcoa", "Failed cross-origin authentication", "auth.ancillary.fail"),
    ("ss", "Successful signup", "auth.signup.success"),
    ("fs", "Failed signup", "auth.signup.fail"),
    (
        "seacft",
        "Successful exchange of an authorization code for an access token",
        "auth.token_exchange.success",
    ),
    (
        "feacft",
        "Failed exchange of an authorization code for an access token",
        "auth.token_exchange.fail",
    ),
    (
        "sccft",
        "Successful exchange of client credentials for an access token",
        "auth.token_exchange.success",
    ),
    (
        "fccft",
        "Failed exchange of client credentials for an access token",
        "auth.token_exchange.fail",
    ),
    (
        "sertft",
        "Successful exchange of a refresh token for an access token",
        "auth.token_exchange.success",
    ),
    (
        "fertft",
        "Failed exchange of a refresh token for an access token",
        "auth.token_exchange.fail",
    ),
    ("scp", "Successful password change", "user.success"),
    ("fcp", "Failed password change", "user.fail"),
    ("scpr", "Successful password change request", "user.success"),
    ("fcpr", "Failed password change request", "user.fail"),
    ("sv", "Successful email verification", "user.success"),
    ("fv", "Failed email verification", "user.fail"),
    ("du", "Deleted user", "user.success"),
    (
        "limit_wc",
        "Account blocked after too many failed logins",
        "system.notification",
    ),
    (
        "limit_mu",
        "IP address blocked after too many failed attempts",
        "system.notification",
    ),
    ("sapi", "Success API operation", "management.success"),
    ("fapi", "Failed API operation", "management.fail"),
    ("gd_enrollment_complete", "Second factor enrolled", "user.notification"),
    (
        "gd_otp_rate_limit_exceed",
        "Too many second-factor codes tried",
        "user.fail",
    ),
    ("cls", "Code or link sent (passwordless)", "user.notification"),
    (TOLLGATE_TYPES[0].0, TOLLGATE_TYPES[0].1, "other"),
    (TOLLGATE_TYPES[1].0, TOLLGATE_TYPES[1].1, "other"),
    (TOLLGATE_TYPES[2].0, TOLLGATE_TYPES[2].1, "other"),
    (TOLLGATE_TYPES[3].0, TOLLGATE_TYPES[3].1, "other"),
    (TOLLGATE_TYPES[4].0, TOLLGATE_TYPES[4].1, "system.notification"),
];

/// A human description of an event type (`None` for a type Tollgate does not record).
pub fn type_description(kind: &str) -> Option<&'static str> {
    EVENT_TYPES.iter().find(|(k, ..)| *k == kind).map(|(_, d, _)| *d)
}

/// Auth0's log stream category of an event type (`other` for a type not listed).
pub fn category(kind: &str) -> &'static str {
    EVENT_TYPES
        .iter()
        .find(|(k, ..)| *k == kind)
        .map_or("other", |(.., c)| *c)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    /// The example of a successful login from Auth0's Management API reference
    /// (`GET /api/v2/logs/{id}`, auth0.com/docs/api/management/v2/logs/get-logs-by-id), with
    /// realistic values.
    const AUTH0_EXAMPLE: &str = r#"{
        "date": "2016-02-23T19:57:29.532Z",
        "type": "s",
        "description": "Successful login",
        "connection": "Username-Password-Authentication",
        "connection_id": "con_0000000000000001",
        "client_id": "AaiyAPdpYdesoKnqjj8HJqRn4T5titww",
        "client_name": "My App",
        "ip": "190.257.209.19",
        "hostname": "tenant.auth0.com",
        "user_id": "auth0|56c75c4e42b6359e98374bc2",
        "user_name": "someone@example.com",
        "audience": "https://tenant.auth0.com/userinfo",
        "scope": "openid profile",
        "strategy": "auth0",
        "strategy_type": "database",
        "log_id": "90020160223195729532000000000000001",
        "isMobile": false,
        "details": {"prompts": [], "initiatedAt": 1456257449000, "completedAt": 1456257449532},
        "user_agent": "Chrome 120.0.0 / Mac OS X 10.15.7",
        "location_info": {"country_code": "US", "city_name": "Seattle"}
    }"#;

    #[test]
    fn auth0_example_round_trips() {
        let json: serde_json::Value = serde_json::from_str(AUTH0_EXAMPLE).unwrap();
        let typed: LogEvent = serde_json::from_value(json.clone()).unwrap();
        assert_eq!(typed.kind, "s");
        assert_eq!(typed.user_id.as_deref(), Some("auth0|56c75c4e42b6359e98374bc2"));
        assert!(typed.other.contains_key("isMobile"));
        assert_eq!(serde_json::to_value(&typed).unwrap(), json);
        let page = LogsPage {
            start: 0,
            limit: 50,
            length: 1,
            total: 1,
            logs: vec![typed],
        };
        let back: LogsPage = serde_json::from_value(serde_json::to_value(&page).unwrap()).unwrap();
        assert_eq!(back, page);
    }

    #[test]
    fn every_type_has_a_description_and_one_of_auth0s_categories() {
        for (kind, description, cat) in EVENT_TYPES {
            assert!(!description.is_empty(), "{kind}");
            assert!(super::super::log_streams::CATEGORIES.contains(&cat), "{kind}: {cat}");
        }
        assert_eq!(type_description("fp"), Some("Incorrect password"));
        assert_eq!(category("tg_job_end"), "other");
        assert_eq!(category("nonsense"), "other");
        assert_eq!(category("fu"), "auth.login.fail");
    }
}
