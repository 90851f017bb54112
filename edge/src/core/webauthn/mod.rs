//! The WebAuthn relying party and its credentials, below every flow that uses them: the ceremony
//! checks (`ceremony`: client data, authenticator data, signatures, counters) and the users'
//! credentials with the single-use challenges (`credentials`, the `passkey_credentials` and
//! `webauthn_challenges` tables). Passkey logins (`passkeys`) and WebAuthn as a second factor
//! (`mfa_api`) both build on it.

pub mod ceremony;
pub mod credentials;
