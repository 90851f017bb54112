//! The `mfa_settings` row: Auth0's guardian policy (`[]` or `["all-applications"]`) and which
//! factors are offered.

use std::collections::BTreeMap;

use serde::Deserialize;
use shared::management::guardian::{
    Factor, RememberBrowser, ALL_APPLICATIONS, KNOWN_FACTORS, REMEMBER_BROWSER_MAX_DAYS, SUPPORTED_FACTORS,
};

use crate::core::error::{CoreError, CoreResult};
use crate::core::platform::db::{columns, query_one, Database, Stmt};

/// The tenant's MFA settings.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct MfaSettings {
    /// `[]` or `["all-applications"]`.
    #[serde(deserialize_with = "columns::json_text")]
    pub policies: Vec<String>,
    /// Factor name → enabled.
    #[serde(deserialize_with = "columns::json_text")]
    pub factors: BTreeMap<String, bool>,
    /// Days a browser is remembered after a second factor; 0: "Remember this browser" is not
    /// offered.
    #[serde(default, deserialize_with = "columns::int")]
    pub remember_browser_days: i64,
}

impl MfaSettings {
    /// The offered factors, in a fixed order.
    pub fn enabled(&self) -> Vec<&'static str> {
        SUPPORTED_FACTORS
            .into_iter()
            .filter(|f| self.factors.get(*f).copied().unwrap_or(false))
            .collect()
    }

    /// Whether every login needs a second factor: the policy is on and a factor is offered.
    pub fn required(&self) -> bool {
        self.policies.iter().any(|p| p == ALL_APPLICATIONS) && !self.enabled().is_empty()
    }

    /// `GET /api/v2/guardian/remember-browser`.
    pub fn remember_browser(&self) -> RememberBrowser {
        match u32::try_from(self.remember_browser_days) {
            Ok(days) if days > 0 => RememberBrowser {
                enabled: true,
                lifetime_days: days,
            },
            _ => RememberBrowser::default(),
        }
    }

    /// `GET /api/v2/guardian/factors`.
    pub fn factor_list(&self) -> Vec<Factor> {
        KNOWN_FACTORS
            .into_iter()
            .map(|name| Factor {
                name: name.into(),
                enabled: self.factors.get(name).copied().unwrap_or(false),
                is_trial_expired: None,
            })
            .collect()
    }
}

/// Reads the settings.
pub async fn settings(db: &dyn Database) -> CoreResult<MfaSettings> {
    Ok(query_one(
        db,
        Stmt::new("SELECT policies, factors, remember_browser_days FROM mfa_settings WHERE id = 1"),
    )
    .await?
    .unwrap_or_default())
}

/// `PUT /api/v2/guardian/factors/{name}`: unknown names are a 404, Auth0's factors Tollgate does
/// not offer yet a 400 (never silently "on").
pub async fn set_factor(db: &dyn Database, name: &str, enabled: bool) -> CoreResult<()> {
    if !KNOWN_FACTORS.contains(&name) {
        return Err(CoreError::NotFound(format!("The factor {name} does not exist.")));
    }
    if enabled && !SUPPORTED_FACTORS.contains(&name) {
        return Err(CoreError::InvalidRequest(format!(
            "The factor {name} is not available: Tollgate offers {} as a second factor.",
            SUPPORTED_FACTORS.join(" and ")
        )));
    }
    let mut s = settings(db).await?;
    s.factors.insert(name.to_owned(), enabled);
    let text = serde_json::to_string(&s.factors).map_err(|e| CoreError::Internal(e.to_string()))?;
    db.batch(vec![
        Stmt::new("UPDATE mfa_settings SET factors = ?1 WHERE id = 1").bind(text)
    ])
    .await?;
    Ok(())
}

/// `PUT /api/v2/guardian/policies`: `[]` or `["all-applications"]`.
pub async fn set_policies(db: &dyn Database, policies: Vec<String>) -> CoreResult<Vec<String>> {
    let ok = policies.is_empty() || (policies.len() == 1 && policies[0] == ALL_APPLICATIONS);
    if !ok {
        return Err(CoreError::InvalidRequest(format!(
            "Policies must be [] or [\"{ALL_APPLICATIONS}\"]."
        )));
    }
    let text = serde_json::to_string(&policies).map_err(|e| CoreError::Internal(e.to_string()))?;
    db.batch(vec![
        Stmt::new("UPDATE mfa_settings SET policies = ?1 WHERE id = 1").bind(text)
    ])
    .await?;
    Ok(policies)
}

/// `PUT /api/v2/guardian/remember-browser`.
pub async fn set_remember_browser(db: &dyn Database, r: RememberBrowser) -> CoreResult<RememberBrowser> {
    if !(1..=REMEMBER_BROWSER_MAX_DAYS).contains(&r.lifetime_days) {
        return Err(CoreError::InvalidRequest(format!(
            "lifetime_days must be between 1 and {REMEMBER_BROWSER_MAX_DAYS}."
        )));
    }
    let days = if r.enabled { r.lifetime_days } else { 0 };
    db.batch(vec![Stmt::new(
        "UPDATE mfa_settings SET remember_browser_days = ?1 WHERE id = 1",
    )
    .bind(i64::from(days))])
        .await?;
    Ok(r)
}
