//! Statistics (`/api/v2/stats/...`): logins and sign-ups per day, active users, and Tollgate's
//! provisioning figures (how the user base came: sign-ups, lazy migration, imports, social).

use serde::{Deserialize, Serialize};

/// One day of `GET /api/v2/stats/daily?from=YYYYMMDD&to=YYYYMMDD`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DailyStats {
    /// The day (ISO 8601, midnight UTC).
    pub date: String,
    /// Successful logins.
    #[serde(default)]
    pub logins: i64,
    /// Sign-ups.
    #[serde(default)]
    pub signups: i64,
    /// Breached-password detections.
    #[serde(default)]
    pub leaked_passwords: i64,
    /// When the day's first event was counted (absent for a day without any).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at: Option<String>,
    /// When the day's last event was counted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_at: Option<String>,
}

/// `GET /api/v2/stats/active-users`: users who logged in within the last 30 days (a bare number).
pub type ActiveUsers = i64;

/// Users created by how they came.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProvisioningCounts {
    /// Signed up (or created through the Management API).
    pub signed_up: i64,
    /// Migrated lazily at a login against the legacy store.
    pub migrated: i64,
    /// Imported by bulk jobs.
    pub imported: i64,
    /// Came through a social or enterprise provider.
    pub social: i64,
    /// Signed up with a code or link by email (an `email` connection).
    #[serde(default)]
    pub passwordless: i64,
}

impl ProvisioningCounts {
    /// All of them.
    pub fn sum(&self) -> i64 {
        self.signed_up + self.migrated + self.imported + self.social + self.passwordless
    }
}

/// One day of [`Provisioning`].
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProvisioningDay {
    /// The day (ISO 8601, midnight UTC).
    pub date: String,
    /// Signed up that day.
    pub signed_up: i64,
    /// Migrated that day.
    pub migrated: i64,
    /// Imported that day.
    pub imported: i64,
    /// Social that day.
    pub social: i64,
    /// Passwordless that day.
    #[serde(default)]
    pub passwordless: i64,
}

impl ProvisioningDay {
    /// The day's counts.
    pub fn counts(&self) -> ProvisioningCounts {
        ProvisioningCounts {
            signed_up: self.signed_up,
            migrated: self.migrated,
            imported: self.imported,
            social: self.social,
            passwordless: self.passwordless,
        }
    }
}

/// Tollgate: `GET /api/v2/stats/provisioning?from=&to=` (the console's migration page).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Provisioning {
    /// Every day of the range, days without users included.
    pub days: Vec<ProvisioningDay>,
    /// Every user of the tenant.
    pub total: ProvisioningCounts,
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::management::vectors;

    const FILE: &str = include_str!("../../../tests/vectors/management/stats.json");

    #[test]
    fn stats_round_trip() {
        let days: Vec<DailyStats> = vectors::round_trip(FILE, "daily");
        assert_eq!(days[1].created_at, None, "a quiet day");
        let active: ActiveUsers = vectors::round_trip(FILE, "active_users");
        assert_eq!(active, 1234);
        let p: Provisioning = vectors::round_trip(FILE, "provisioning");
        assert_eq!(p.total.sum(), 100);
        assert_eq!(p.days[0].counts().sum(), 5);
    }
}
