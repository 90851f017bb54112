//! The signature algorithms `jsonwebtoken` may use here, and no others.
//!
//! `jsonwebtoken`'s `rust_crypto` provider links every JOSE algorithm (P-384, Ed25519, RSA
//! signing with key parsing, …) into the Worker, which verifies only three: RS256 (our own
//! tokens), and RS256, PS256 or ES256 (identity providers' ID tokens). Our tokens are signed by
//! WebCrypto in the Worker (`worker::webcrypto`), so the Worker's provider signs nothing. This
//! provider is installed on both sides, so the native tests run the very verifiers the Worker
//! runs; natively it signs with the `rust_crypto` provider (the native signer and the tests'
//! tokens). The verifiers are thin adapters over RustCrypto's `rsa` and `p256`.

use jsonwebtoken::crypto::{CryptoProvider, JwtSigner, JwtVerifier, KeyUtils};
use jsonwebtoken::errors::{Error, ErrorKind, Result};
use jsonwebtoken::jwk::{EllipticCurve, ThumbprintHash};
use jsonwebtoken::signature::{self, Verifier};
use jsonwebtoken::{Algorithm, AlgorithmFamily, DecodingKey, DecodingKeyKind, EncodingKey};
use rsa::{BigUint, Pkcs1v15Sign, Pss, RsaPublicKey};
use sha2::{Digest, Sha256};

/// Makes sure our provider is the process's (the isolate's) provider: every use of
/// `jsonwebtoken`'s signatures goes through here first. Cheap after the first call.
///
/// # Panics
/// If `jsonwebtoken` chose another provider before (a signature made or checked without this
/// call), which would quietly accept algorithms we refuse.
pub fn install() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        if let Err(other) = PROVIDER.install_default() {
            assert!(
                std::ptr::eq(other, &PROVIDER),
                "jsonwebtoken chose its crypto provider before jwt_crypto::install"
            );
        }
    });
}

static PROVIDER: CryptoProvider = CryptoProvider {
    signer_factory: new_signer,
    verifier_factory: new_verifier,
    key_utils: KeyUtils {
        rsa_pub_components_from_private_key: |_| Err(unsupported()),
        rsa_pub_components_from_public_key: |_| Err(unsupported()),
        ec_pub_components_from_private_key: |_, _| Err(unsupported()),
        ed_pub_components_from_private_key: |_, _: &EllipticCurve| Err(unsupported()),
        compute_digest: |data, hash| match hash {
            ThumbprintHash::SHA256 => Ok(Sha256::digest(data).to_vec()),
            _ => Err(unsupported()),
        },
    },
};

fn unsupported() -> Error {
    ErrorKind::InvalidAlgorithm.into()
}

#[cfg(not(target_arch = "wasm32"))]
fn new_signer(algorithm: &Algorithm, key: &EncodingKey) -> Result<Box<dyn JwtSigner>> {
    (jsonwebtoken::crypto::rust_crypto::DEFAULT_PROVIDER.signer_factory)(algorithm, key)
}

#[cfg(target_arch = "wasm32")]
fn new_signer(_: &Algorithm, _: &EncodingKey) -> Result<Box<dyn JwtSigner>> {
    Err(unsupported())
}

fn new_verifier(algorithm: &Algorithm, key: &DecodingKey) -> Result<Box<dyn JwtVerifier>> {
    let family = match algorithm {
        Algorithm::RS256 | Algorithm::PS256 => AlgorithmFamily::Rsa,
        Algorithm::ES256 => AlgorithmFamily::Ec,
        _ => return Err(unsupported()),
    };
    if key.family() != family {
        return Err(ErrorKind::InvalidKeyFormat.into());
    }
    Ok(Box::new(Sha256Verifier {
        algorithm: *algorithm,
        key: key.clone(),
    }))
}

/// One of the three SHA-256 algorithms, with its key.
struct Sha256Verifier {
    algorithm: Algorithm,
    key: DecodingKey,
}

impl Sha256Verifier {
    fn rsa_key(&self) -> std::result::Result<RsaPublicKey, signature::Error> {
        use rsa::pkcs1::DecodeRsaPublicKey;
        match self.key.kind() {
            DecodingKeyKind::RsaModulusExponent { n, e } => {
                RsaPublicKey::new(BigUint::from_bytes_be(n), BigUint::from_bytes_be(e))
                    .map_err(signature::Error::from_source)
            }
            DecodingKeyKind::SecretOrDer(der) => {
                RsaPublicKey::from_pkcs1_der(der).map_err(signature::Error::from_source)
            }
        }
    }
}

impl Verifier<Vec<u8>> for Sha256Verifier {
    fn verify(&self, msg: &[u8], sig: &Vec<u8>) -> std::result::Result<(), signature::Error> {
        match self.algorithm {
            Algorithm::ES256 => {
                let bytes = self.key.try_get_as_bytes().map_err(signature::Error::from_source)?;
                let key = p256::ecdsa::VerifyingKey::from_sec1_bytes(bytes)?;
                key.verify(msg, &p256::ecdsa::Signature::from_slice(sig)?)
            }
            Algorithm::PS256 => self
                .rsa_key()?
                .verify(Pss::new::<Sha256>(), &Sha256::digest(msg), sig)
                .map_err(signature::Error::from_source),
            _ => self
                .rsa_key()?
                .verify(Pkcs1v15Sign::new::<Sha256>(), &Sha256::digest(msg), sig)
                .map_err(signature::Error::from_source),
        }
    }
}

impl JwtVerifier for Sha256Verifier {
    fn algorithm(&self) -> Algorithm {
        self.algorithm
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::platform::secrets::b64url;
    use crate::testkit::test_rsa_key;
    use jsonwebtoken::{decode, encode, Header, Validation};
    use serde_json::{json, Value};

    const EC_PRIVATE: &str = "-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgiEbQlO474z1XnUIh
byUpAs177fSRiTAvGiurc32x6cOhRANCAASgx3H5Y0hsdmjFTFnysbD008HbKpQI
EyHeLdQkh9PN1WnrFvD+/N9UbJ1rb2j2G5wmhwDKfFUaoqHadabOYghh
-----END PRIVATE KEY-----";
    const EC_PUBLIC: &str = "-----BEGIN PUBLIC KEY-----
MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEoMdx+WNIbHZoxUxZ8rGw9NPB2yqU
CBMh3i3UJIfTzdVp6xbw/vzfVGyda29o9hucJocAynxVGqKh2nWmzmIIYQ==
-----END PUBLIC KEY-----";

    fn rsa_keys() -> (EncodingKey, DecodingKey) {
        let (pem, n, e) = test_rsa_key();
        (
            EncodingKey::from_rsa_pem(pem.as_bytes()).unwrap(),
            DecodingKey::from_rsa_components(n, e).unwrap(),
        )
    }

    fn check(token: &str, key: &DecodingKey, alg: Algorithm) -> Result<Value> {
        let mut v = Validation::new(alg);
        v.required_spec_claims.clear();
        v.validate_exp = false;
        decode::<Value>(token, key, &v).map(|d| d.claims)
    }

    #[test]
    fn rs256_ps256_and_es256_verify_and_a_changed_byte_does_not() {
        install();
        let claims = json!({"sub": "auth0|1", "n": 1});
        let (rsa_enc, rsa_dec) = rsa_keys();
        let ec_enc = EncodingKey::from_ec_pem(EC_PRIVATE.as_bytes()).unwrap();
        let ec_dec = DecodingKey::from_ec_pem(EC_PUBLIC.as_bytes()).unwrap();
        for (alg, enc, dec) in [
            (Algorithm::RS256, &rsa_enc, &rsa_dec),
            (Algorithm::PS256, &rsa_enc, &rsa_dec),
            (Algorithm::ES256, &ec_enc, &ec_dec),
        ] {
            let token = encode(&Header::new(alg), &claims, enc).unwrap();
            assert_eq!(check(&token, dec, alg).unwrap(), claims, "{alg:?}");
            let (head, _) = token.rsplit_once('.').unwrap();
            let other = encode(&Header::new(alg), &json!({"sub": "auth0|2", "n": 1}), enc).unwrap();
            let spliced = format!("{head}.{}", other.rsplit_once('.').unwrap().1);
            assert!(check(&spliced, dec, alg).is_err(), "{alg:?}: another token's signature");
            let forged_claims = format!(
                "{}.{}.{}",
                head.split('.').next().unwrap(),
                b64url(br#"{"sub":"auth0|admin","n":1}"#),
                token.rsplit_once('.').unwrap().1
            );
            assert!(check(&forged_claims, dec, alg).is_err(), "{alg:?}: changed claims");
        }
        // An RSA key cannot verify ES256, nor an EC key RS256.
        let es = encode(&Header::new(Algorithm::ES256), &claims, &ec_enc).unwrap();
        assert!(check(&es, &rsa_dec, Algorithm::ES256).is_err());
        let rs = encode(&Header::new(Algorithm::RS256), &claims, &rsa_enc).unwrap();
        assert!(check(&rs, &ec_dec, Algorithm::RS256).is_err());
    }

    #[test]
    fn algorithms_we_never_accept_are_not_verified_at_all() {
        install();
        let claims = json!({"sub": "auth0|1"});
        let secret = b"a shared secret";
        let hs = encode(
            &Header::new(Algorithm::HS256),
            &claims,
            &EncodingKey::from_secret(secret),
        )
        .unwrap();
        let err = check(&hs, &DecodingKey::from_secret(secret), Algorithm::HS256).unwrap_err();
        assert_eq!(err.kind(), &ErrorKind::InvalidAlgorithm);
        let (rsa_enc, rsa_dec) = rsa_keys();
        let rs512 = encode(&Header::new(Algorithm::RS512), &claims, &rsa_enc).unwrap();
        let err = check(&rs512, &rsa_dec, Algorithm::RS512).unwrap_err();
        assert_eq!(err.kind(), &ErrorKind::InvalidAlgorithm);
    }
}
