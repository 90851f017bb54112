//! Tenant statistics: logins and sign-ups per UTC day (`daily_stats`, written in the same batch
//! as the login or sign-up it counts), active users, and how the user base was provisioned.
//!
//! Every read is bounded: daily ranges are at most [`MAX_DAYS`] days.

use serde::Deserialize;
use shared::management::stats::{DailyStats, Provisioning, ProvisioningCounts, ProvisioningDay};

use crate::core::error::{CoreError, CoreResult};
use crate::core::platform::dates::epoch_day;
use crate::core::platform::db::{columns, decode, query_one, Stmt};
use crate::core::Core;

/// Longest range of `stats/daily`, in days.
pub const MAX_DAYS: i64 = 366;
const DAY_MS: i64 = 86_400_000;
/// "Active" means a login within this many days (`stats/active-users`, as Auth0: 30).
pub const ACTIVE_DAYS: i64 = 30;

/// Counts one successful login (goes in the login's own batch).
pub fn login_stmt(now_ms: i64) -> Stmt {
    Stmt::new(
        "INSERT INTO daily_stats (day, logins, signups, created_at, updated_at) VALUES (?1, 1, 0, ?2, ?2) \
         ON CONFLICT(day) DO UPDATE SET logins = logins + 1, updated_at = ?2",
    )
    .bind(now_ms.div_euclid(DAY_MS))
    .bind(now_ms)
}

/// Counts one sign-up (goes in the sign-up's own batch).
pub fn signup_stmt(now_ms: i64) -> Stmt {
    Stmt::new(
        "INSERT INTO daily_stats (day, logins, signups, created_at, updated_at) VALUES (?1, 0, 1, ?2, ?2) \
         ON CONFLICT(day) DO UPDATE SET signups = signups + 1, updated_at = ?2",
    )
    .bind(now_ms.div_euclid(DAY_MS))
    .bind(now_ms)
}

/// `YYYYMMDD` → days since 1970-01-01.
pub fn parse_day(v: &str) -> CoreResult<i64> {
    v.get(..4)
        .zip(v.get(4..6))
        .zip(v.get(6..))
        .and_then(|((y, m), d)| epoch_day(y, m, d))
        .ok_or_else(|| CoreError::InvalidRequest(format!("{v} is not a date in the YYYYMMDD format")))
}

fn iso_day(day: i64) -> String {
    crate::core::platform::dates::iso8601(day * DAY_MS)
}

/// The days `from..=to` (`YYYYMMDD`; the last 30 days by default), checked: in order, at most
/// [`MAX_DAYS`].
fn range(core: &Core<'_>, from: Option<&str>, to: Option<&str>) -> CoreResult<(i64, i64)> {
    let today = core.clock.now_ms().div_euclid(DAY_MS);
    let to = to.map(parse_day).transpose()?.unwrap_or(today);
    let from = from.map(parse_day).transpose()?.unwrap_or(to - 29);
    if from > to {
        return Err(CoreError::InvalidRequest("from must not be after to".into()));
    }
    if to - from >= MAX_DAYS {
        return Err(CoreError::InvalidRequest(format!(
            "The range may span at most {MAX_DAYS} days"
        )));
    }
    Ok((from, to))
}

/// `GET /api/v2/stats/daily?from=YYYYMMDD&to=YYYYMMDD`: one entry per day of the range (the
/// last 30 days by default), days without activity included with zeros.
pub async fn daily(core: &Core<'_>, from: Option<&str>, to: Option<&str>) -> CoreResult<Vec<DailyStats>> {
    let (from, to) = range(core, from, to)?;
    #[derive(Deserialize)]
    struct Day {
        #[serde(deserialize_with = "columns::int")]
        day: i64,
        #[serde(deserialize_with = "columns::int")]
        logins: i64,
        #[serde(deserialize_with = "columns::int")]
        signups: i64,
        #[serde(deserialize_with = "columns::int")]
        created_at: i64,
        #[serde(deserialize_with = "columns::int")]
        updated_at: i64,
    }
    let rows: Vec<Day> = decode(
        core.db
            .query(
                Stmt::new(
                    "SELECT day, logins, signups, created_at, updated_at FROM daily_stats WHERE day BETWEEN ?1 AND ?2 ORDER BY day",
                )
                .bind(from)
                .bind(to),
            )
            .await?,
    )?;
    let mut rows = rows.into_iter().peekable();
    let mut out = Vec::new();
    for day in from..=to {
        let entry = match rows.next_if(|r| r.day == day) {
            Some(r) => DailyStats {
                date: iso_day(day),
                logins: r.logins,
                signups: r.signups,
                leaked_passwords: 0,
                created_at: Some(crate::core::platform::dates::iso8601(r.created_at)),
                updated_at: Some(crate::core::platform::dates::iso8601(r.updated_at)),
            },
            None => DailyStats {
                date: iso_day(day),
                ..DailyStats::default()
            },
        };
        out.push(entry);
    }
    Ok(out)
}

/// `GET /api/v2/stats/active-users`: users who logged in within the last 30 days.
pub async fn active_users(core: &Core<'_>) -> CoreResult<i64> {
    #[derive(Deserialize)]
    struct N {
        #[serde(deserialize_with = "columns::int")]
        n: i64,
    }
    let since = core.clock.now_ms() - ACTIVE_DAYS * DAY_MS;
    let n: Option<N> = query_one(
        core.db,
        Stmt::new("SELECT COUNT(*) AS n FROM users WHERE last_login >= ?1").bind(since),
    )
    .await?;
    Ok(n.map_or(0, |n| n.n))
}

/// SQL: how a user came (see [`provisioning`]).
macro_rules! kind {
    () => {
        "CASE WHEN import_job IS NOT NULL THEN 'imported' WHEN migrated_from IS NOT NULL THEN 'migrated' \
         WHEN user_id LIKE 'email|%' THEN 'passwordless' WHEN instr(user_id, '|') > 0 THEN 'social' ELSE 'signed_up' END"
    };
}

/// `GET /api/v2/stats/provisioning?from=&to=` (ours, for the console's migration page): users
/// created per day by how they came — `signed_up`, `migrated` (lazily, at a login against the
/// legacy store), `imported` (bulk jobs), `social` (federated), `passwordless` (an `email`
/// connection's code or link); users created through the Management API count
/// as signed up — and the total of each kind.
pub async fn provisioning(core: &Core<'_>, from: Option<&str>, to: Option<&str>) -> CoreResult<Provisioning> {
    let (from, to) = range(core, from, to)?;
    #[derive(Deserialize)]
    struct Row {
        #[serde(deserialize_with = "columns::int")]
        day: i64,
        kind: String,
        #[serde(deserialize_with = "columns::int")]
        n: i64,
    }
    let rows: Vec<Row> = decode(
        core.db
            .query(
                Stmt::new(concat!(
                    "SELECT created_at / 86400000 AS day, ",
                    kind!(),
                    " AS kind, COUNT(*) AS n FROM users WHERE connection_id <> 'con_tenant_admins' AND created_at >= ?1 ",
                    "AND created_at < ?2 ",
                    "GROUP BY day, kind ORDER BY day"
                ))
                .bind(from * DAY_MS)
                .bind((to + 1) * DAY_MS),
            )
            .await?,
    )?;
    let totals: Vec<Row> = decode(
        core.db
            .query(Stmt::new(concat!(
                "SELECT 0 AS day, ",
                kind!(),
                " AS kind, COUNT(*) AS n FROM users WHERE connection_id <> 'con_tenant_admins' GROUP BY kind"
            )))
            .await?,
    )?;
    let count = |rows: &[Row], day: Option<i64>, kind: &str| {
        rows.iter()
            .find(|r| day.is_none_or(|d| r.day == d) && r.kind == kind)
            .map_or(0, |r| r.n)
    };
    let days = (from..=to)
        .map(|day| ProvisioningDay {
            date: iso_day(day),
            signed_up: count(&rows, Some(day), "signed_up"),
            migrated: count(&rows, Some(day), "migrated"),
            imported: count(&rows, Some(day), "imported"),
            social: count(&rows, Some(day), "social"),
            passwordless: count(&rows, Some(day), "passwordless"),
        })
        .collect();
    let total = ProvisioningCounts {
        signed_up: count(&totals, None, "signed_up"),
        migrated: count(&totals, None, "migrated"),
        imported: count(&totals, None, "imported"),
        social: count(&totals, None, "social"),
        passwordless: count(&totals, None, "passwordless"),
    };
    Ok(Provisioning { days, total })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days() {
        assert_eq!(parse_day("19700101").unwrap(), 0);
        assert_eq!(parse_day("20000301").unwrap(), 11_017);
        assert_eq!(parse_day("20261204").unwrap(), 1_796_342_400_000 / DAY_MS);
        for bad in ["2026124", "2026-12-04", "20261304", "20261200", "abcdefgh"] {
            assert!(parse_day(bad).is_err(), "{bad}");
        }
    }
}
