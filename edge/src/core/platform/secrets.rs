//! Small cryptographic helpers over maintained crates: SHA-256 digests, constant-time comparison,
//! URL-safe random tokens, and AES-256-GCM for keys at rest.

use aes_gcm::aead::{Aead, KeyInit};
use aes_gcm::{Aes256Gcm, Nonce};
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::core::error::{CoreError, CoreResult};
use crate::core::Core;

/// Lower-case hex SHA-256 of `data`.
pub fn sha256_hex(data: &[u8]) -> String {
    hex::encode(Sha256::digest(data))
}

/// Constant-time equality of two byte strings (length may leak, contents do not).
pub fn ct_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && bool::from(a.ct_eq(b))
}

/// base64url without padding.
pub fn b64url(data: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(data)
}

impl Core<'_> {
    /// A URL-safe secret of 32 random bytes (256 bits), for links, codes and tokens.
    pub fn random_token(&self) -> CoreResult<String> {
        Ok(b64url(&self.random_bytes::<32>()?))
    }
}

/// Decodes the `KEY_ENCRYPTION_KEY` secret: base64 of 32 bytes.
pub fn parse_kek(b64: &str) -> CoreResult<[u8; 32]> {
    let bytes = STANDARD
        .decode(b64.trim())
        .map_err(|_| CoreError::Internal("KEY_ENCRYPTION_KEY is not base64".into()))?;
    bytes
        .try_into()
        .map_err(|_| CoreError::Internal("KEY_ENCRYPTION_KEY must be 32 bytes".into()))
}

/// Decrypts `base64(nonce(12) || ciphertext+tag)` with AES-256-GCM.
pub fn decrypt(kek: &[u8; 32], sealed_b64: &str) -> CoreResult<Vec<u8>> {
    let sealed = STANDARD
        .decode(sealed_b64.trim())
        .map_err(|_| CoreError::Internal("sealed key is not base64".into()))?;
    if sealed.len() < 12 + 16 {
        return Err(CoreError::Internal("sealed key too short".into()));
    }
    let (nonce, ct) = sealed.split_at(12);
    let cipher = Aes256Gcm::new(kek.into());
    cipher
        .decrypt(Nonce::from_slice(nonce), ct)
        .map_err(|_| CoreError::Internal("cannot decrypt signing key: wrong KEY_ENCRYPTION_KEY?".into()))
}

/// Encrypts with AES-256-GCM into `base64(nonce || ciphertext+tag)`; `nonce` must be random.
pub fn encrypt(kek: &[u8; 32], nonce: &[u8; 12], plain: &[u8]) -> CoreResult<String> {
    let cipher = Aes256Gcm::new(kek.into());
    let ct = cipher
        .encrypt(Nonce::from_slice(nonce), plain)
        .map_err(|_| CoreError::Internal("encryption failed".into()))?;
    let mut out = nonce.to_vec();
    out.extend_from_slice(&ct);
    Ok(STANDARD.encode(out))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seal_round_trip_and_tamper() {
        let kek = [9u8; 32];
        let sealed = encrypt(&kek, &[1u8; 12], b"secret pem").unwrap();
        assert_eq!(decrypt(&kek, &sealed).unwrap(), b"secret pem");
        assert!(decrypt(&[8u8; 32], &sealed).is_err());
        let mut raw = STANDARD.decode(&sealed).unwrap();
        raw[20] ^= 1;
        assert!(decrypt(&kek, &STANDARD.encode(raw)).is_err());
    }

    #[test]
    fn constant_time_eq() {
        assert!(ct_eq(b"abc", b"abc"));
        assert!(!ct_eq(b"abc", b"abd"));
        assert!(!ct_eq(b"abc", b"ab"));
    }
}
