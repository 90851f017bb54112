//! Passwordless sign-up and login by email (Auth0's `email` connections): a one-time code to type,
//! or a magic link to open, that proves the person holds the mailbox.
//!
//! ```text
//! POST /passwordless/start {client_id, connection: "email", email, send, authParams}
//!   │ client: public (from its web origins) or confidential (secret); connection enabled for it
//!   │ per-IP and per-address buckets                                        (429 past them)
//!   ▼
//! one live code per (connection, address, client): a new start voids the last one
//!   │ the same statements and the same answer for every address; the mail goes out after it
//!   ▼
//! code ──▶ /oauth/token (passwordless/otp) │ /co/authenticate → /authorize?login_ticket= │ /u/passwordless/verify
//! link ──▶ GET /passwordless/verify_redirect → the stored authorization request's normal answer
//!   │ brute force per (connection, address, IP) as for passwords; 3 wrong tries void a code
//!   ▼
//! consumed once ──▶ the address's user, or a new `email|…` user (email_verified) unless sign-up is
//!                   disabled ──▶ a login like any other (last login, count, stats, session)
//! ```
//! Codes and link tokens are stored only as SHA-256 digests and never logged.

pub mod codes;
pub mod flows;
