//! Users coming from a legacy store: the signed client of its HTTP contract (with a circuit
//! breaker), and the lazy flows that import a user at first login or keep the legacy store as the
//! source of truth. Which of these a connection does is decided once, by [`UserSource::of`].

pub mod lazy;
pub mod legacy;
pub mod signed;

use crate::core::directory::tenant::{Connection, SourceMode};
use crate::core::error::CoreResult;
use crate::core::Core;
use legacy::Legacy;

/// Where a connection's users live, with the client of its legacy store when it has one.
pub enum UserSource<'c, 'a> {
    /// Only in our store.
    Local,
    /// Import mode: users not yet migrated are asked of the legacy store, then stored here.
    Import(Legacy<'c, 'a>),
    /// Own-store mode: the legacy store checks passwords and keeps the users.
    OwnStore(Legacy<'c, 'a>),
}

impl<'c, 'a> UserSource<'c, 'a> {
    /// The source of `conn` (reads the legacy store's secret when it has one).
    pub fn of(core: &'c Core<'a>, conn: &Connection) -> CoreResult<Self> {
        Ok(match (conn.source_mode(), Legacy::of(core, conn)?) {
            (SourceMode::Import, Some(l)) => Self::Import(l),
            (SourceMode::OwnStore, Some(l)) => Self::OwnStore(l),
            _ => Self::Local,
        })
    }

    /// The legacy store, in either mode.
    pub fn legacy(&self) -> Option<&Legacy<'c, 'a>> {
        match self {
            Self::Import(l) | Self::OwnStore(l) => Some(l),
            Self::Local => None,
        }
    }

    /// The legacy store when it is the source of truth.
    pub fn own_store(&self) -> Option<&Legacy<'c, 'a>> {
        match self {
            Self::OwnStore(l) => Some(l),
            _ => None,
        }
    }
}
