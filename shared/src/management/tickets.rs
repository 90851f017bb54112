//! Tickets (`/api/v2/tickets/...`): single-use links an operator hands to a user — a password
//! reset or an email verification.

use serde::{Deserialize, Serialize};

/// A user named by provider identity instead of `user_id` (Auth0's `identity`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TicketIdentity {
    /// The account's id at the provider.
    pub user_id: String,
    /// The provider (`google-oauth2`, …).
    pub provider: String,
    /// The connection.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub connection_id: Option<String>,
}

/// `POST /api/v2/tickets/password-change`: a reset link for a database user, named by `user_id`
/// or by `email` and `connection_id`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PasswordChangeTicket {
    /// Where the classic reset page sends the user afterwards.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub result_url: Option<String>,
    /// The user.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_id: Option<String>,
    /// The application whose login the user returns to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_id: Option<String>,
    /// An organization (not supported by Tollgate).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub organization_id: Option<String>,
    /// The connection of `email`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub connection_id: Option<String>,
    /// The user, by email (with `connection_id`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// Lifetime of the link in seconds (the default when absent or 0).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ttl_sec: Option<i64>,
    /// Mark the email verified when the link is used.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mark_email_as_verified: Option<bool>,
    /// Put the email in the return URL.
    #[serde(rename = "includeEmailInRedirect", default, skip_serializing_if = "Option::is_none")]
    pub include_email_in_redirect: Option<bool>,
    /// The user, by provider identity.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub identity: Option<TicketIdentity>,
    /// Tollgate: mail the link to the user as well (the console's "Send password reset email").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub send_email: Option<bool>,
}

/// `POST /api/v2/tickets/email-verification`: a verification link, for `user_id` (or, Tollgate,
/// `email` and `connection_id`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EmailVerificationTicket {
    /// Where the user goes afterwards.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub result_url: Option<String>,
    /// The user.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_id: Option<String>,
    /// The application.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_id: Option<String>,
    /// An organization (not supported by Tollgate).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub organization_id: Option<String>,
    /// Lifetime of the link in seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ttl_sec: Option<i64>,
    /// Put the email in the return URL.
    #[serde(rename = "includeEmailInRedirect", default, skip_serializing_if = "Option::is_none")]
    pub include_email_in_redirect: Option<bool>,
    /// The user, by provider identity.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub identity: Option<TicketIdentity>,
    /// Tollgate: the user, by email (with `connection_id`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// Tollgate: the connection of `email`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub connection_id: Option<String>,
}

/// The answer of both: the link.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ticket {
    /// The single-use URL.
    pub ticket: String,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::management::vectors;
    use serde_json::json;

    const FILE: &str = include_str!("../../../tests/vectors/management/tickets.json");

    #[test]
    fn tickets_round_trip() {
        vectors::round_trip::<PasswordChangeTicket>(FILE, "password_change");
        vectors::round_trip::<PasswordChangeTicket>(FILE, "password_change_by_email");
        vectors::round_trip::<EmailVerificationTicket>(FILE, "email_verification");
        let t: Ticket = vectors::round_trip(FILE, "ticket");
        assert!(t.ticket.contains("ticket="));
    }

    #[test]
    fn bad_bodies_are_refused_precisely() {
        assert_eq!(
            vectors::refusal::<PasswordChangeTicket>(json!({"user_id": "auth0|1", "ttl_sec": "soon"})),
            "Payload validation error: 'Expected type integer but found type string'."
        );
        assert_eq!(
            vectors::refusal::<EmailVerificationTicket>(json!({"user_id": "auth0|1", "send_email": true})),
            "Payload validation error: 'Additional properties not allowed: send_email'."
        );
    }
}
