//! The client configuration (`/client/{id}.json`, what Lock's `Auth0.setClient` receives) and the
//! connection entry of the reset page, read into `shared`'s types.

use shared::password::PolicyLevel;
use shared::username::UsernameRules;
use shared::wire::{ComplexityOptions, DbConnectionInfo, Validation};

use crate::json::Json;

/// One connection entry; `None` without a name.
pub fn connection(v: &Json) -> Option<DbConnectionInfo> {
    let flag = |k: &str, default: bool| v.get(k).as_bool().unwrap_or(default);
    let bound = |x: &Json| x.as_f64().filter(|n| *n >= 0.0).map(|n| n as u32);
    let username = v.get("validation").get("username");
    Some(DbConnectionInfo {
        name: v.str("name")?,
        password_policy: v
            .get("passwordPolicy")
            .as_str()
            .and_then(PolicyLevel::parse)
            .unwrap_or_default(),
        password_complexity_options: ComplexityOptions {
            min_length: bound(v.get("password_complexity_options").get("min_length")),
        },
        show_signup: flag("showSignup", true),
        show_forgot: flag("showForgot", true),
        requires_username: flag("requires_username", false),
        validation: Validation {
            username: bound(username.get("min"))
                .zip(bound(username.get("max")))
                .map(|(min, max)| UsernameRules::new(min, max)),
        },
    })
}

/// The strategies of a client configuration with their connections: `(strategy, connections)`.
pub fn strategies(config: &Json) -> Vec<(String, Vec<DbConnectionInfo>)> {
    config
        .get("strategies")
        .items()
        .iter()
        .filter_map(|s| {
            let conns = s.get("connections").items().iter().filter_map(connection).collect();
            Some((s.str("name")?, conns))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::json::from_serde;

    #[test]
    fn reads_the_client_configuration() {
        let cfg = from_serde(&serde_json::json!({"id": "c", "strategies": [
            {"name": "auth0", "connections": [{"name": "DB", "passwordPolicy": "excellent",
                "password_complexity_options": {"min_length": 12}, "showSignup": false, "requires_username": true,
                "validation": {"username": {"min": 3, "max": 20}}}]},
            {"name": "google-oauth2", "connections": [{"name": "google-oauth2"}, {"nameless": true}]}
        ]}));
        let s = strategies(&cfg);
        assert_eq!(s.len(), 2);
        let db = &s[0].1[0];
        assert_eq!((s[0].0.as_str(), db.name.as_str()), ("auth0", "DB"));
        assert_eq!(db.password_policy, PolicyLevel::Excellent);
        assert_eq!(db.password_complexity_options.min_length, Some(12));
        assert!(!db.show_signup && db.show_forgot && db.requires_username);
        assert_eq!(db.username_rules(), UsernameRules::new(3, 20));
        assert_eq!(s[1].1.len(), 1, "entries without a name are skipped");
        assert_eq!(s[1].1[0].password_policy, PolicyLevel::None);
    }
}
