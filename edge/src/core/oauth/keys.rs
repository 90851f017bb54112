//! Signing keys: loading, decrypting, and the public JWKS.
//!
//! Rotation, by `status`:
//! ```text
//!   next ──promote──▶ current ──retire──▶ previous ──revoke──▶ revoked
//!   (published)       (signs, published)  (verifies, published)  (neither)
//! ```
//! A new key is added as `next` (clients can fetch it from JWKS before it signs), promoted to
//! `current` while the old current becomes `previous`; tokens signed by the old key keep verifying
//! until it is revoked. Exactly one key is `current` (a partial unique index enforces it).

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use crate::core::error::{CoreError, CoreResult};
use crate::core::platform::db::{decode, Database, Stmt};
use crate::core::platform::secrets::decrypt;

/// The public part of an RSA key, as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RsaPublic {
    /// Modulus, base64url.
    pub n: String,
    /// Exponent, base64url.
    pub e: String,
}

#[derive(Debug, Deserialize)]
struct KeyRow {
    kid: String,
    status: String,
    public_jwk: String,
    private_key_enc: String,
}

/// A key that can sign.
#[derive(Debug, Clone)]
pub struct SigningKey {
    /// Key id (the JWT `kid`).
    pub kid: String,
    /// PKCS#8 PEM of the private key.
    pub private_pem: Vec<u8>,
}

/// A key that verifies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifyingKey {
    /// Key id.
    pub kid: String,
    /// Public components.
    pub public: RsaPublic,
}

/// Every non-revoked key, newest first.
async fn published_rows(db: &dyn Database) -> CoreResult<Vec<KeyRow>> {
    Ok(decode(
        db.query(Stmt::new(
            "SELECT kid, status, public_jwk, private_key_enc FROM signing_keys \
             WHERE status IN ('next', 'current', 'previous') ORDER BY created_at DESC",
        ))
        .await?,
    )?)
}

/// The published (non-revoked) keys, newest first.
pub async fn verifying_keys(db: &dyn Database) -> CoreResult<Vec<VerifyingKey>> {
    published_rows(db)
        .await?
        .into_iter()
        .map(|r| {
            let public: RsaPublic = serde_json::from_str(&r.public_jwk)
                .map_err(|e| CoreError::Internal(format!("public_jwk of {}: {e}", r.kid)))?;
            Ok(VerifyingKey { kid: r.kid, public })
        })
        .collect()
}

/// A signing key as stored: its private key sealed with the key-encryption key. A signer made
/// once per isolate (`SignerFactory`) never opens it again.
#[derive(Debug, Clone)]
pub struct SealedSigningKey {
    /// Key id (the JWT `kid`).
    pub kid: String,
    private_key_enc: String,
}

impl SealedSigningKey {
    /// Decrypts the private key (AES-256-GCM).
    pub fn open(&self, kek: &[u8; 32]) -> CoreResult<SigningKey> {
        Ok(SigningKey {
            kid: self.kid.clone(),
            private_pem: decrypt(kek, &self.private_key_enc)?,
        })
    }
}

/// The `current` key, still sealed.
pub async fn current_signing_key(db: &dyn Database) -> CoreResult<SealedSigningKey> {
    let row = published_rows(db)
        .await?
        .into_iter()
        .find(|r| r.status == "current")
        .ok_or_else(|| CoreError::Internal("no current signing key: run `make dev` or scripts/keys.mjs".into()))?;
    Ok(SealedSigningKey {
        kid: row.kid,
        private_key_enc: row.private_key_enc,
    })
}

/// The JWKS document (`/.well-known/jwks.json`).
pub fn jwks(keys: &[VerifyingKey]) -> Value {
    json!({
        "keys": keys.iter().map(|k| json!({
            "alg": "RS256", "kty": "RSA", "use": "sig", "kid": k.kid, "n": k.public.n, "e": k.public.e,
        })).collect::<Vec<_>>()
    })
}
