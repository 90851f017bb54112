//! Tenant members (Tollgate's own resource; Auth0 keeps its dashboard members out of the
//! Management API): the people who operate the tenant through the console, their roles, their
//! invitations, and brute-force blocks on their identifiers. Every route is owner-only.

use serde::{Deserialize, Serialize};

/// What a member may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Everything, and managing the members.
    Owner,
    /// Everything the tenant's Management API offers.
    Admin,
    /// Reads only.
    Viewer,
}

impl Role {
    /// The stored name.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Owner => "owner",
            Self::Admin => "admin",
            Self::Viewer => "viewer",
        }
    }

    /// The stored name parsed.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "owner" => Some(Self::Owner),
            "admin" => Some(Self::Admin),
            "viewer" => Some(Self::Viewer),
            _ => None,
        }
    }
}

/// The scopes only owners hold (never grantable to a client): managing members.
pub const OWNER_SCOPES: [&str; 4] = ["read:members", "create:members", "update:members", "delete:members"];

/// One member (`GET /api/v2/members`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Member {
    /// The member's user id (`auth0|…` of the administrators' connection).
    pub user_id: String,
    /// Their email.
    pub email: String,
    /// Their role.
    pub role: Role,
    /// When they became a member (ISO 8601).
    pub created_at: String,
    /// Their last sign-in to the console, if any (ISO 8601).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_login: Option<String>,
    /// Invited, and the invitation not yet accepted (no password set).
    pub pending: bool,
    /// Brute-force protection blocks their sign-in now.
    pub blocked: bool,
}

/// `POST /api/v2/members`: invites a member by email (a single-use, expiring link by mail).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InviteMember {
    /// Who to invite.
    pub email: String,
    /// Their role once they accept.
    pub role: Role,
}

/// `PATCH /api/v2/members/{id}`: changes a role (the last owner keeps theirs).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UpdateMember {
    /// The new role.
    pub role: Role,
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn a_member_round_trips_and_unknown_fields_are_refused() {
        let text = r#"{"user_id":"auth0|adm1","email":"ada@example.com","role":"owner","created_at":"2026-12-06T20:00:00.000Z","pending":false,"blocked":false}"#;
        let m: Member = serde_json::from_str(text).unwrap();
        assert_eq!(m.role, Role::Owner);
        assert_eq!(serde_json::to_string(&m).unwrap(), text);
        assert!(serde_json::from_str::<InviteMember>(r#"{"email":"a@b.co","role":"admin","scopes":["x"]}"#).is_err());
        assert!(serde_json::from_str::<InviteMember>(r#"{"email":"a@b.co","role":"root"}"#).is_err());
    }
}
