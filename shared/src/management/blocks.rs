//! Attack protection: what brute-force protection and suspicious-IP throttling block now
//! (`GET /api/v2/attack-protection/blocks`, Tollgate's list for the console). Lifting blocks has
//! no body: `DELETE /api/v2/user-blocks?identifier=`, `DELETE /api/v2/user-blocks/{id}`, and
//! Auth0's anomaly blocks, `GET` (204 blocked, 404 not) and `DELETE /api/v2/anomaly/blocks/ips/{ip}`.

use serde::{Deserialize, Serialize};

/// What is blocked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BlockKind {
    /// An identifier (email or username) of a connection, after failed logins.
    Identifier,
    /// An IP address, after failed logins from it.
    Ip,
}

/// One block.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Block {
    /// What is blocked.
    pub kind: BlockKind,
    /// The connection (identifiers only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub connection_id: Option<String>,
    /// The identifier or the IP.
    pub value: String,
    /// The IP the failures came from (identifiers; `*` when counted for every IP).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ip: Option<String>,
    /// Failures counted.
    pub count: i64,
    /// Last failure (milliseconds since the epoch).
    pub last_at: i64,
}

/// The list.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Blocks {
    /// Newest first, at most 500.
    pub blocks: Vec<Block>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::management::vectors;

    const FILE: &str = include_str!("../../../tests/vectors/management/blocks.json");

    #[test]
    fn blocks_round_trip() {
        let b: Blocks = vectors::round_trip(FILE, "blocks");
        assert_eq!(b.blocks[1].kind, BlockKind::Ip);
    }
}
