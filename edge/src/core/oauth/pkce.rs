//! PKCE (RFC 7636).

use crate::core::platform::secrets::b64url;
use sha2::{Digest, Sha256};

/// Whether `verifier` matches the PKCE `challenge` under `method`.
pub fn pkce_ok(challenge: &str, method: Option<&str>, verifier: &str) -> bool {
    let well_formed = (43..=128).contains(&verifier.len())
        && verifier
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-._~".contains(c));
    if !well_formed {
        return false;
    }
    let computed = match method.unwrap_or("plain") {
        "S256" => b64url(&Sha256::digest(verifier.as_bytes())),
        "plain" => verifier.to_owned(),
        _ => return false,
    };
    crate::core::platform::secrets::ct_eq(computed.as_bytes(), challenge.as_bytes())
}
