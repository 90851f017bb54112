//! The relying party's checks of the two WebAuthn ceremonies (Level 3, §7.1 and §7.2), pure
//! functions over the browser's JSON: `clientDataJSON` (type, challenge, origin), the authenticator
//! data (RP id hash, user present and verified flags, signature counter, the attested credential),
//! the COSE public key (ES256 or RS256, read with `ciborium`) and the assertion's signature
//! (RustCrypto's `p256` and `rsa`, already the Worker's verifiers of provider ID tokens).
//! Attestation statements are not verified: Tollgate asks for attestation `none`.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use ciborium::value::{Integer, Value as Cbor};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// COSE algorithm ES256 (ECDSA P-256 with SHA-256).
pub const ES256: i64 = -7;
/// COSE algorithm RS256 (RSASSA-PKCS1-v1_5 with SHA-256).
pub const RS256: i64 = -257;

/// Why a ceremony is refused (for logs and tests; clients get one generic answer).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    /// Not base64url, JSON or CBOR, or a field is missing.
    #[error("malformed {0}")]
    Malformed(&'static str),
    /// `clientDataJSON.type` is not the ceremony's.
    #[error("wrong ceremony type")]
    Type,
    /// The challenge is not the one issued.
    #[error("challenge mismatch")]
    Challenge,
    /// The origin is not one of ours.
    #[error("origin {0} not allowed")]
    Origin(String),
    /// The authenticator data is for another RP id.
    #[error("rp id hash mismatch")]
    RpId,
    /// User presence or verification missing.
    #[error("user not verified")]
    NotVerified,
    /// No attested credential in a registration.
    #[error("no credential")]
    NoCredential,
    /// A key type or algorithm we do not accept.
    #[error("unsupported key")]
    UnsupportedKey,
    /// The assertion's signature does not verify.
    #[error("bad signature")]
    Signature,
    /// The signature counter went backwards (a cloned authenticator).
    #[error("signature counter regressed")]
    Counter,
}

/// Where a ceremony may come from.
#[derive(Debug, Clone)]
pub struct RelyingParty<'a> {
    /// The RP id (a host name: the issuer's by default).
    pub id: &'a str,
    /// The origins a ceremony may come from, exactly.
    pub origins: &'a [String],
}

/// A stored public key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum PublicKey {
    /// ES256: the P-256 point.
    Ec {
        /// `-7`.
        alg: i64,
        /// X coordinate, base64url.
        x: String,
        /// Y coordinate, base64url.
        y: String,
    },
    /// RS256.
    Rsa {
        /// `-257`.
        alg: i64,
        /// Modulus, base64url.
        n: String,
        /// Exponent, base64url.
        e: String,
    },
}

/// A verified registration: what to store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewCredential {
    /// base64url credential id.
    pub id: String,
    /// Its public key.
    pub public_key: PublicKey,
    /// The authenticator's counter.
    pub sign_count: u32,
    /// Backed up (a synced passkey).
    pub backed_up: bool,
}

fn b64(s: &str, what: &'static str) -> Result<Vec<u8>, Refusal> {
    URL_SAFE_NO_PAD
        .decode(s.trim_end_matches('='))
        .map_err(|_| Refusal::Malformed(what))
}

#[derive(Deserialize)]
struct ClientData {
    #[serde(rename = "type")]
    kind: String,
    challenge: String,
    origin: String,
}

/// §7.1 steps 7–12 / §7.2 steps 11–14: the ceremony's type, our challenge, one of our origins.
/// Returns the hash of `clientDataJSON`.
fn client_data(raw: &[u8], kind: &str, challenge: &str, rp: &RelyingParty<'_>) -> Result<[u8; 32], Refusal> {
    let c: ClientData = serde_json::from_slice(raw).map_err(|_| Refusal::Malformed("clientDataJSON"))?;
    if c.kind != kind {
        return Err(Refusal::Type);
    }
    if !crate::core::platform::secrets::ct_eq(c.challenge.as_bytes(), challenge.as_bytes()) {
        return Err(Refusal::Challenge);
    }
    if !rp.origins.contains(&c.origin) {
        return Err(Refusal::Origin(c.origin));
    }
    Ok(Sha256::digest(raw).into())
}

/// Flags of the authenticator data.
const UP: u8 = 0x01;
const UV: u8 = 0x04;
const BS: u8 = 0x10;
const AT: u8 = 0x40;

struct AuthData {
    flags: u8,
    sign_count: u32,
    credential: Option<(Vec<u8>, Cbor)>,
}

/// Reads the authenticator data and checks the RP id hash and the user flags (present and
/// verified: passkeys replace a password).
fn auth_data(raw: &[u8], rp: &RelyingParty<'_>) -> Result<AuthData, Refusal> {
    let bad = || Refusal::Malformed("authenticatorData");
    let (rp_hash, rest) = raw.split_at_checked(32).ok_or_else(bad)?;
    if rp_hash != Sha256::digest(rp.id.as_bytes()).as_slice() {
        return Err(Refusal::RpId);
    }
    let (&flags, rest) = rest.split_first().ok_or_else(bad)?;
    let (count, rest) = rest.split_at_checked(4).ok_or_else(bad)?;
    let sign_count = u32::from_be_bytes(count.try_into().map_err(|_| bad())?);
    if flags & UP == 0 || flags & UV == 0 {
        return Err(Refusal::NotVerified);
    }
    let credential = if flags & AT != 0 {
        let (_aaguid, rest) = rest.split_at_checked(16).ok_or_else(bad)?;
        let (len, rest) = rest.split_at_checked(2).ok_or_else(bad)?;
        let len = usize::from(u16::from_be_bytes([len[0], len[1]]));
        if len > 1023 {
            return Err(bad());
        }
        let (id, rest) = rest.split_at_checked(len).ok_or_else(bad)?;
        let key: Cbor = ciborium::from_reader(rest).map_err(|_| Refusal::Malformed("credentialPublicKey"))?;
        Some((id.to_vec(), key))
    } else {
        None
    };
    Ok(AuthData {
        flags,
        sign_count,
        credential,
    })
}

fn map_get(map: &[(Cbor, Cbor)], key: i64) -> Option<&Cbor> {
    map.iter()
        .find(|(k, _)| matches!(k, Cbor::Integer(i) if *i == Integer::from(key)))
        .map(|(_, v)| v)
}

fn int(v: Option<&Cbor>) -> Option<i64> {
    match v {
        Some(Cbor::Integer(i)) => i64::try_from(*i).ok(),
        _ => None,
    }
}

fn bytes(v: Option<&Cbor>) -> Option<&[u8]> {
    match v {
        Some(Cbor::Bytes(b)) => Some(b),
        _ => None,
    }
}

/// A COSE_Key (RFC 9053) of an accepted algorithm, checked to be a valid key.
fn cose_key(key: &Cbor) -> Result<PublicKey, Refusal> {
    let Cbor::Map(m) = key else {
        return Err(Refusal::UnsupportedKey);
    };
    let (kty, alg) = (int(map_get(m, 1)), int(map_get(m, 3)));
    let key = match (kty, alg) {
        // EC2, ES256, crv P-256.
        (Some(2), Some(ES256)) if int(map_get(m, -1)) == Some(1) => {
            let (x, y) = (bytes(map_get(m, -2)), bytes(map_get(m, -3)));
            let (Some(x), Some(y)) = (x, y) else {
                return Err(Refusal::UnsupportedKey);
            };
            PublicKey::Ec {
                alg: ES256,
                x: URL_SAFE_NO_PAD.encode(x),
                y: URL_SAFE_NO_PAD.encode(y),
            }
        }
        // RSA, RS256.
        (Some(3), Some(RS256)) => {
            let (n, e) = (bytes(map_get(m, -1)), bytes(map_get(m, -2)));
            let (Some(n), Some(e)) = (n, e) else {
                return Err(Refusal::UnsupportedKey);
            };
            PublicKey::Rsa {
                alg: RS256,
                n: URL_SAFE_NO_PAD.encode(n),
                e: URL_SAFE_NO_PAD.encode(e),
            }
        }
        _ => return Err(Refusal::UnsupportedKey),
    };
    // A key that does not parse is refused now, not at its first login.
    Verifier::of(&key)?;
    Ok(key)
}

/// What the browser returns from `navigator.credentials.create()`, JSON-serialised
/// (`PublicKeyCredential.toJSON()`), base64url fields.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttestationResponse {
    /// `clientDataJSON`.
    #[serde(rename = "clientDataJSON")]
    pub client_data_json: String,
    /// `attestationObject`.
    #[serde(rename = "attestationObject")]
    pub attestation_object: String,
}

/// What the browser returns from `navigator.credentials.get()`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AssertionResponse {
    /// `clientDataJSON`.
    #[serde(rename = "clientDataJSON")]
    pub client_data_json: String,
    /// `authenticatorData`.
    #[serde(rename = "authenticatorData")]
    pub authenticator_data: String,
    /// The signature.
    pub signature: String,
    /// The user handle (for discoverable credentials).
    #[serde(default, rename = "userHandle", skip_serializing_if = "Option::is_none")]
    pub user_handle: Option<String>,
}

/// Verifies a registration ceremony (§7.1) for `challenge`.
pub fn verify_registration(
    rp: &RelyingParty<'_>,
    challenge: &str,
    r: &AttestationResponse,
) -> Result<NewCredential, Refusal> {
    client_data(
        &b64(&r.client_data_json, "clientDataJSON")?,
        "webauthn.create",
        challenge,
        rp,
    )?;
    let object: Cbor = ciborium::from_reader(b64(&r.attestation_object, "attestationObject")?.as_slice())
        .map_err(|_| Refusal::Malformed("attestationObject"))?;
    let Cbor::Map(fields) = object else {
        return Err(Refusal::Malformed("attestationObject"));
    };
    let auth = fields
        .iter()
        .find(|(k, _)| matches!(k, Cbor::Text(t) if t == "authData"))
        .and_then(|(_, v)| match v {
            Cbor::Bytes(b) => Some(b.clone()),
            _ => None,
        })
        .ok_or(Refusal::Malformed("attestationObject"))?;
    let data = auth_data(&auth, rp)?;
    let (id, key) = data.credential.ok_or(Refusal::NoCredential)?;
    Ok(NewCredential {
        id: URL_SAFE_NO_PAD.encode(id),
        public_key: cose_key(&key)?,
        sign_count: data.sign_count,
        backed_up: data.flags & BS != 0,
    })
}

/// Verifies an authentication ceremony (§7.2) for `challenge` with the stored key and counter.
/// Returns the new counter.
pub fn verify_assertion(
    rp: &RelyingParty<'_>,
    challenge: &str,
    key: &PublicKey,
    stored_count: u32,
    r: &AssertionResponse,
) -> Result<u32, Refusal> {
    let hash = client_data(
        &b64(&r.client_data_json, "clientDataJSON")?,
        "webauthn.get",
        challenge,
        rp,
    )?;
    let auth = b64(&r.authenticator_data, "authenticatorData")?;
    let data = auth_data(&auth, rp)?;
    let mut signed = auth;
    signed.extend_from_slice(&hash);
    verify_signature(key, &signed, &b64(&r.signature, "signature")?)?;
    // §7.2 step 22: a counter that does not move forward means a cloned authenticator — unless
    // both are 0 (authenticators without counters, as synced passkeys).
    if (data.sign_count != 0 || stored_count != 0) && data.sign_count <= stored_count {
        return Err(Refusal::Counter);
    }
    Ok(data.sign_count)
}

/// A stored key, ready to verify.
enum Verifier {
    Ec(p256::ecdsa::VerifyingKey),
    Rsa(rsa::RsaPublicKey),
}

impl Verifier {
    /// The key behind `key`: a point on P-256, or an RSA key of at least 2048 bits.
    fn of(key: &PublicKey) -> Result<Self, Refusal> {
        match key {
            PublicKey::Ec { x, y, .. } => {
                let (x, y) = (b64(x, "key")?, b64(y, "key")?);
                if x.len() != 32 || y.len() != 32 {
                    return Err(Refusal::UnsupportedKey);
                }
                let sec1 = [&[4u8][..], &x, &y].concat();
                p256::ecdsa::VerifyingKey::from_sec1_bytes(&sec1)
                    .map(Self::Ec)
                    .map_err(|_| Refusal::UnsupportedKey)
            }
            PublicKey::Rsa { n, e, .. } => {
                use rsa::traits::PublicKeyParts;
                let (n, e) = (b64(n, "key")?, b64(e, "key")?);
                let pk = rsa::RsaPublicKey::new(rsa::BigUint::from_bytes_be(&n), rsa::BigUint::from_bytes_be(&e))
                    .map_err(|_| Refusal::UnsupportedKey)?;
                if pk.size() < 256 {
                    return Err(Refusal::UnsupportedKey);
                }
                Ok(Self::Rsa(pk))
            }
        }
    }
}

fn verify_signature(key: &PublicKey, message: &[u8], signature: &[u8]) -> Result<(), Refusal> {
    match Verifier::of(key)? {
        Verifier::Ec(vk) => {
            use p256::ecdsa::signature::Verifier as _;
            let sig = p256::ecdsa::Signature::from_der(signature).map_err(|_| Refusal::Signature)?;
            vk.verify(message, &sig).map_err(|_| Refusal::Signature)
        }
        Verifier::Rsa(pk) => pk
            .verify(rsa::Pkcs1v15Sign::new::<Sha256>(), &Sha256::digest(message), signature)
            .map_err(|_| Refusal::Signature),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::soft_authenticator::{Flags, SoftPasskey};

    const ORIGIN: &str = "https://auth.example.com";

    fn rp(origins: &[String]) -> RelyingParty<'_> {
        RelyingParty {
            id: "auth.example.com",
            origins,
        }
    }

    #[test]
    fn a_registered_passkey_signs_in_and_a_replayed_or_tampered_assertion_does_not() {
        let origins = vec![ORIGIN.to_owned()];
        let rp = rp(&origins);
        let mut pk = SoftPasskey::new(b"user-1", true);
        let created = verify_registration(
            &rp,
            "reg-challenge",
            &pk.register(rp.id, ORIGIN, "reg-challenge", Flags::default()),
        )
        .unwrap();
        assert_eq!(created.id, pk.id_b64());
        assert!(matches!(created.public_key, PublicKey::Ec { alg: ES256, .. }));
        let a = pk.assert(rp.id, ORIGIN, "c1", Flags::default());
        let count = verify_assertion(&rp, "c1", &created.public_key, created.sign_count, &a).unwrap();
        assert_eq!(count, 1);
        assert_eq!(
            verify_assertion(&rp, "c1", &created.public_key, count, &a),
            Err(Refusal::Counter),
            "the same assertion again: its counter did not move"
        );
        let mut tampered = pk.assert(rp.id, ORIGIN, "c2", Flags::default());
        tampered.signature = URL_SAFE_NO_PAD.encode([0x30, 0x06, 0x02, 0x01, 0x01, 0x02, 0x01, 0x01]);
        assert_eq!(
            verify_assertion(&rp, "c2", &created.public_key, count, &tampered),
            Err(Refusal::Signature)
        );
        let other = SoftPasskey::new(b"user-2", true);
        let other_key = verify_registration(&rp, "r", &other.register(rp.id, ORIGIN, "r", Flags::default()))
            .unwrap()
            .public_key;
        let a = pk.assert(rp.id, ORIGIN, "c3", Flags::default());
        assert_eq!(
            verify_assertion(&rp, "c3", &other_key, 0, &a),
            Err(Refusal::Signature),
            "another key"
        );
    }

    #[test]
    fn challenge_origin_type_rp_id_and_user_verification_are_checked() {
        let origins = vec![ORIGIN.to_owned()];
        let rp = rp(&origins);
        let mut pk = SoftPasskey::new(b"u", true);
        let reg = |challenge: &str, origin: &str, rp_id: &str, flags: Flags| {
            verify_registration(&rp, "expected", &pk.register(rp_id, origin, challenge, flags))
        };
        assert_eq!(reg("other", ORIGIN, rp.id, Flags::default()), Err(Refusal::Challenge));
        assert_eq!(
            reg("expected", "https://evil.example", rp.id, Flags::default()),
            Err(Refusal::Origin("https://evil.example".into()))
        );
        assert_eq!(
            reg("expected", ORIGIN, "evil.example", Flags::default()),
            Err(Refusal::RpId)
        );
        assert_eq!(
            reg("expected", ORIGIN, rp.id, Flags { up: true, uv: false }),
            Err(Refusal::NotVerified)
        );
        let created = reg("expected", ORIGIN, rp.id, Flags::default()).unwrap();
        // A registration's clientData is not an assertion's.
        let mut a = pk.assert(rp.id, ORIGIN, "x", Flags::default());
        a.client_data_json = pk.register(rp.id, ORIGIN, "x", Flags::default()).client_data_json;
        assert_eq!(
            verify_assertion(&rp, "x", &created.public_key, 0, &a),
            Err(Refusal::Type)
        );
        let a = pk.assert(rp.id, ORIGIN, "y", Flags { up: true, uv: false });
        assert_eq!(
            verify_assertion(&rp, "y", &created.public_key, 0, &a),
            Err(Refusal::NotVerified)
        );
    }

    #[test]
    fn authenticators_without_a_counter_keep_signing_in() {
        let origins = vec![ORIGIN.to_owned()];
        let rp = rp(&origins);
        let mut pk = SoftPasskey::new(b"u", false);
        let created = verify_registration(&rp, "r", &pk.register(rp.id, ORIGIN, "r", Flags::default())).unwrap();
        for c in ["a", "b"] {
            let a = pk.assert(rp.id, ORIGIN, c, Flags::default());
            assert_eq!(verify_assertion(&rp, c, &created.public_key, 0, &a), Ok(0));
        }
    }

    #[test]
    fn malformed_input_is_refused_without_panicking() {
        let origins = vec![ORIGIN.to_owned()];
        let rp = rp(&origins);
        let junk = AttestationResponse {
            client_data_json: "!!".into(),
            attestation_object: "AAAA".into(),
        };
        assert!(verify_registration(&rp, "c", &junk).is_err());
        let pk = SoftPasskey::new(b"u", true);
        let mut r = pk.register(rp.id, ORIGIN, "c", Flags::default());
        r.attestation_object = URL_SAFE_NO_PAD.encode([0xa1, 0x60]);
        assert!(verify_registration(&rp, "c", &r).is_err());
        let key = PublicKey::Ec {
            alg: ES256,
            x: URL_SAFE_NO_PAD.encode([1u8; 32]),
            y: URL_SAFE_NO_PAD.encode([2u8; 32]),
        };
        assert_eq!(
            verify_signature(&key, b"m", b"s"),
            Err(Refusal::UnsupportedKey),
            "not a point"
        );
    }
}
