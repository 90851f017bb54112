//! Auth0's MFA API over `mfa`'s model — `/mfa/associate`, `/mfa/challenge`,
//! `/mfa/authenticators`, the mfa-otp / mfa-oob / mfa-recovery-code grants — and the hosted page's
//! second step (`/u/mfa/verify`, WebAuthn as a second factor with `/u/mfa/webauthn`). It issues
//! tokens (`oauth`) and runs WebAuthn ceremonies (`webauthn`, `passkeys`), so it sits above them.

pub mod flows;
pub mod webauthn;
