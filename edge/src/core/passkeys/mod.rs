//! Passkeys: sign-up, login and enrolment with WebAuthn credentials on database connections.
//!
//! ```text
//! start (register | login | enroll) ──▶ a challenge: random, single use, 5 minutes, bound to the
//!                                        browser (tg_browser) or the native client's auth_session
//!   ▼
//! navigator.credentials.create / get (discoverable credential, user verification required)
//!   ▼
//! finish ──▶ ceremony checks (type, challenge, origin, RP id hash, UP+UV, signature, counter)
//!   │ register: a new user without a password (email_verified: false) + the credential
//!   │ enroll:   the credential for the signed-in user
//!   │ login:    the credential's user, counter stored, login counted (as any login)
//!   ▼
//! session (hosted page) │ tokens (the webauthn grant)
//! ```
//! The RP id is the issuer's host unless `PASSKEY_RP_ID` names a parent domain; a ceremony may
//! come from the issuer's origin, any https origin under the RP id, and the applications' web
//! origins (listed in `/.well-known/webauthn` for Related Origin Requests).

pub mod account;
pub mod flows;
pub mod grant;
pub mod offer;
