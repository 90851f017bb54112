//! Tokens: claims in Auth0's shape, RS256 signing behind a seam, and our verifier.
//!
//! - ID tokens: `iss` (`{issuer}` with trailing slash), `sub` (`auth0|<id>`), `aud` (client id),
//!   `iat`, `exp` (client `id_token_lifetime`, default 36000 s), `nonce` when given, and by scope
//!   `name`, `nickname`, `picture`, `updated_at` (ISO 8601, as Auth0 does) / `email`, `email_verified`.
//! - Access tokens: RS256 JWTs (`typ: JWT`) with `iss`, `sub`, `aud` (the API, plus
//!   `{issuer}userinfo` when `openid` was asked for; only the latter without an API), `azp`,
//!   `iat`, `exp`, `scope`, `gty`.
//!
//! Verification accepts RS256 only, needs a `kid` that is published (next/current/previous), and
//! checks `exp` against the injected clock, not the system's.

use async_trait::async_trait;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};

use serde_json::{Map, Value};

use crate::core::directory::users::User;
use crate::core::error::{CoreError, CoreResult};
use crate::core::oauth::keys::{SealedSigningKey, SigningKey, VerifyingKey};
use crate::core::platform::dates::iso8601;

/// Signs JWT claims: jsonwebtoken's RustCrypto RSA natively ([`PemSigner`]), WebCrypto in the
/// Worker (`worker::webcrypto`).
#[async_trait(?Send)]
pub trait Signer {
    /// Signs `claims` as an RS256 JWT with this signer's `kid`.
    async fn sign(&self, claims: &Value) -> CoreResult<String>;
}

/// Makes the signer of a signing key (the platform's fastest RS256).
#[async_trait(?Send)]
pub trait SignerFactory {
    /// A signer for `key`; a factory that keeps signers opens `key` (with `kek`) only for a `kid`
    /// it has not seen.
    async fn signer(&self, key: &SealedSigningKey, kek: &[u8; 32]) -> CoreResult<std::rc::Rc<dyn Signer>>;
}

/// [`PemSigner`]s.
pub struct PemSigners;

#[async_trait(?Send)]
impl SignerFactory for PemSigners {
    async fn signer(&self, key: &SealedSigningKey, kek: &[u8; 32]) -> CoreResult<std::rc::Rc<dyn Signer>> {
        Ok(std::rc::Rc::new(PemSigner::new(&key.open(kek)?)?))
    }
}

/// The JWS signing input of an RS256 JWT for `kid` (base64url header `.` base64url claims): what
/// a signer without jsonwebtoken's synchronous crypto signs.
pub fn signing_input(kid: &str, claims: &Value) -> CoreResult<String> {
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use base64::Engine;
    let mut header = Header::new(Algorithm::RS256);
    header.kid = Some(kid.to_owned());
    header.typ = Some("JWT".into());
    let json = |r: serde_json::Result<Vec<u8>>| r.map_err(|e| CoreError::Internal(format!("jwt: {e}")));
    Ok(format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(json(serde_json::to_vec(&header))?),
        URL_SAFE_NO_PAD.encode(json(serde_json::to_vec(claims))?)
    ))
}

/// RS256 with jsonwebtoken's `rust_crypto` backend.
pub struct PemSigner {
    kid: String,
    key: EncodingKey,
}

impl PemSigner {
    /// Parses the key's PEM once.
    pub fn new(key: &SigningKey) -> CoreResult<Self> {
        Ok(Self {
            kid: key.kid.clone(),
            key: EncodingKey::from_rsa_pem(&key.private_pem)
                .map_err(|e| CoreError::Internal(format!("signing key {}: {e}", key.kid)))?,
        })
    }
}

#[async_trait(?Send)]
impl Signer for PemSigner {
    async fn sign(&self, claims: &Value) -> CoreResult<String> {
        let mut header = Header::new(Algorithm::RS256);
        header.kid = Some(self.kid.clone());
        header.typ = Some("JWT".into());
        crate::core::platform::jwt_crypto::install();
        jsonwebtoken::encode(&header, claims, &self.key).map_err(|e| CoreError::Internal(format!("jwt: {e}")))
    }
}

/// Why a token was refused (all map to `invalid_token`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    /// Not a JWT, bad signature, wrong algorithm, wrong issuer or audience.
    #[error("invalid token: {0}")]
    Invalid(String),
    /// The `kid` is not published.
    #[error("unknown signing key")]
    UnknownKey,
    /// `exp` has passed.
    #[error("token expired")]
    Expired,
}

/// The published key a token names: RS256 only, by `kid`.
fn decoding_key(token: &str, keys: &[VerifyingKey]) -> Result<DecodingKey, TokenError> {
    crate::core::platform::jwt_crypto::install();
    let header = jsonwebtoken::decode_header(token).map_err(|e| TokenError::Invalid(e.to_string()))?;
    if header.alg != Algorithm::RS256 {
        return Err(TokenError::Invalid("algorithm must be RS256".into()));
    }
    let kid = header.kid.ok_or(TokenError::UnknownKey)?;
    let key = keys.iter().find(|k| k.kid == kid).ok_or(TokenError::UnknownKey)?;
    DecodingKey::from_rsa_components(&key.public.n, &key.public.e).map_err(|e| TokenError::Invalid(e.to_string()))
}

/// Verifies an RS256 JWT against the published keys; returns its claims.
pub fn verify(
    token: &str,
    keys: &[VerifyingKey],
    issuer: &str,
    audience: &str,
    now_s: i64,
) -> Result<Map<String, Value>, TokenError> {
    let decoding = decoding_key(token, keys)?;
    let mut v = Validation::new(Algorithm::RS256);
    v.validate_exp = false; // checked below against the injected clock
    v.validate_nbf = false;
    v.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
    v.set_issuer(&[issuer]);
    v.set_audience(&[audience]);
    let data = jsonwebtoken::decode::<Map<String, Value>>(token, &decoding, &v)
        .map_err(|e| TokenError::Invalid(e.to_string()))?;
    let exp = data
        .claims
        .get("exp")
        .and_then(Value::as_i64)
        .ok_or(TokenError::Expired)?;
    if exp <= now_s {
        return Err(TokenError::Expired);
    }
    Ok(data.claims)
}

/// Verifies an ID token used as a hint (logout): signature, algorithm and issuer, but not its
/// audience (the caller reads it) nor its expiry (hints are often old).
pub fn verify_hint(token: &str, keys: &[VerifyingKey], issuer: &str) -> Result<Map<String, Value>, TokenError> {
    let decoding = decoding_key(token, keys)?;
    let mut v = Validation::new(Algorithm::RS256);
    v.validate_exp = false;
    v.validate_nbf = false;
    v.validate_aud = false;
    v.set_required_spec_claims(&["iss", "aud"]);
    v.set_issuer(&[issuer]);
    jsonwebtoken::decode::<Map<String, Value>>(token, &decoding, &v)
        .map(|d| d.claims)
        .map_err(|e| TokenError::Invalid(e.to_string()))
}

/// Scopes as a set-like list, in request order, without duplicates.
pub fn split_scope(scope: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for s in scope.split_whitespace() {
        if !out.iter().any(|x| x == s) {
            out.push(s.to_owned());
        }
    }
    out
}

/// The profile claims a user's scopes allow, shared by ID tokens and `/userinfo`.
pub fn profile_claims(user: &User, scopes: &[String]) -> Map<String, Value> {
    let mut c = Map::new();
    c.insert(
        "sub".into(),
        Value::String(crate::core::directory::users::sub(&user.user_id)),
    );
    let has = |s: &str| scopes.iter().any(|x| x == s);
    if has("profile") {
        let local = user.email.split('@').next().unwrap_or_default().to_owned();
        let name = user.profile.name.clone().unwrap_or_else(|| user.email.clone());
        c.insert("name".into(), Value::String(name));
        c.insert(
            "nickname".into(),
            Value::String(user.profile.nickname.clone().unwrap_or(local)),
        );
        for (k, v) in [
            ("given_name", &user.profile.given_name),
            ("family_name", &user.profile.family_name),
            ("picture", &user.profile.picture),
        ] {
            if let Some(v) = v {
                c.insert(k.into(), Value::String(v.clone()));
            }
        }
        c.insert("updated_at".into(), Value::String(iso8601(user.updated_at)));
    }
    if has("email") {
        c.insert("email".into(), Value::String(user.email.clone()));
        c.insert("email_verified".into(), Value::Bool(user.email_verified));
    }
    if user.password_reset_required {
        // A migrated password that fails today's policy: the application should ask for a new one.
        c.insert("password_change_required".into(), Value::Bool(true));
    }
    c
}

/// What `/oauth/token` answers (the wire type shared with the widget).
pub use shared::wire::TokenResponse;

#[cfg(test)]
mod tests {
    use super::*;

    /// What the Worker's WebCrypto signer does — sign [`signing_input`] with RSASSA-PKCS1-v1_5 /
    /// SHA-256 and append the signature — gives exactly jsonwebtoken's token (PKCS#1 v1.5 is
    /// deterministic), which jsonwebtoken verifies.
    #[tokio::test]
    async fn a_signature_over_the_signing_input_is_jsonwebtokens_token() {
        use base64::engine::general_purpose::URL_SAFE_NO_PAD;
        use base64::Engine;
        use rsa::pkcs8::DecodePrivateKey;
        use sha2::{Digest, Sha256};
        let (pem, n, e) = crate::testkit::test_rsa_key();
        let key = SigningKey {
            kid: "k1".into(),
            private_pem: pem.as_bytes().to_vec(),
        };
        let claims =
            serde_json::json!({"iss": "https://t/", "sub": "a@clients", "aud": "api", "exp": 4_000_000_000_i64});
        let input = signing_input("k1", &claims).unwrap();
        let private = rsa::RsaPrivateKey::from_pkcs8_pem(pem).unwrap();
        let signature = private
            .sign(rsa::Pkcs1v15Sign::new::<Sha256>(), &Sha256::digest(input.as_bytes()))
            .unwrap();
        let assembled = format!("{input}.{}", URL_SAFE_NO_PAD.encode(signature));
        assert_eq!(assembled, PemSigner::new(&key).unwrap().sign(&claims).await.unwrap());
        let mut validation = Validation::new(Algorithm::RS256);
        validation.set_audience(&["api"]);
        let decoded = jsonwebtoken::decode::<Value>(
            &assembled,
            &DecodingKey::from_rsa_components(n, e).unwrap(),
            &validation,
        )
        .unwrap();
        assert_eq!(decoded.header.kid.as_deref(), Some("k1"));
        assert_eq!(decoded.claims["sub"], "a@clients");
    }

    #[test]
    fn scopes_dedupe_in_order() {
        assert_eq!(
            split_scope("openid  email openid profile"),
            vec!["openid", "email", "profile"]
        );
    }
}
