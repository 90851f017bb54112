//! Multi-factor authentication, the model: the tenant's policy and factors (Auth0's guardian
//! settings), users' second factors (TOTP apps, codes by email, a recovery code), the mfa_tokens
//! of logins waiting for one, remembered browsers, and the gate every first factor passes
//! (`gate`). Auth0's MFA API and the hosted page's second step over it are `mfa_api`'s.
//!
//! ```text
//! first factor (password | passwordless code) ──▶ policy says MFA? ──no──▶ tokens / session
//!   │ yes
//!   ▼
//! mfa_token: 10 minutes, bound to the user, the client and the request (scope, audience, or the
//!            hosted page's transaction); 5 wrong codes void it; wrong codes per user are also
//!            limited over time (then `too_many_attempts`, like brute force)
//!   ▼
//! no factor yet ─▶ POST /mfa/associate (otp: secret, otpauth:// URI, QR; email: a code mailed)
//! a factor      ─▶ POST /mfa/challenge (otp: nothing to send; email: a code mailed)
//!   ▼
//! mfa-otp | mfa-oob | mfa-recovery-code grant (or the hosted page's /u/mfa/verify)
//!   │ the first code confirms a new factor; a TOTP step is accepted once (±1 step window);
//!   │ a recovery code is replaced by a new one, shown once
//!   ▼
//! tokens with amr ["mfa"] / the transaction's session
//! ```
//! TOTP secrets are sealed at rest with the key-encryption key (as signing keys are); recovery
//! codes and emailed codes are stored as SHA-256 digests.

pub mod authenticators;
pub mod gate;
pub mod policy;
pub mod remember;
pub mod tickets;
pub mod totp;
