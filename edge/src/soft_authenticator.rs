//! A software WebAuthn authenticator for native tests: it makes ES256 passkeys and answers
//! ceremonies with the exact bytes a browser sends (`clientDataJSON`, CBOR `attestationObject`
//! with attestation `none`, authenticator data, DER signatures), so the relying party's checks
//! run against real structures. Chromium's virtual authenticator plays the same part end to end.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use ciborium::value::Value as Cbor;
use p256::ecdsa::signature::Signer;
use p256::ecdsa::{Signature, SigningKey};
use sha2::{Digest, Sha256};

use crate::core::webauthn::ceremony::{AssertionResponse, AttestationResponse};

/// One passkey held by the software authenticator.
#[derive(Debug, Clone)]
pub struct SoftPasskey {
    /// Credential id.
    pub id: Vec<u8>,
    key: SigningKey,
    /// Its signature counter (each assertion adds one; `counter: false` keeps it at 0).
    pub count: u32,
    counter: bool,
    /// The user handle it was made for.
    pub user_handle: Vec<u8>,
}

/// The flags a ceremony's authenticator data carries.
#[derive(Debug, Clone, Copy)]
pub struct Flags {
    /// User present.
    pub up: bool,
    /// User verified.
    pub uv: bool,
}

impl Default for Flags {
    fn default() -> Self {
        Self { up: true, uv: true }
    }
}

fn random<const N: usize>() -> [u8; N] {
    let mut b = [0u8; N];
    getrandom::getrandom(&mut b).unwrap_or_default();
    b
}

fn client_data(kind: &str, challenge: &str, origin: &str) -> Vec<u8> {
    serde_json::json!({"type": kind, "challenge": challenge, "origin": origin, "crossOrigin": false})
        .to_string()
        .into_bytes()
}

fn auth_data(rp_id: &str, flags: Flags, extra: u8, count: u32) -> Vec<u8> {
    let mut d = Sha256::digest(rp_id.as_bytes()).to_vec();
    d.push(u8::from(flags.up) | (u8::from(flags.uv) << 2) | extra);
    d.extend_from_slice(&count.to_be_bytes());
    d
}

impl SoftPasskey {
    /// A new passkey for `user_handle`; `counter: false` makes an authenticator without a signature
    /// counter (a synced passkey: always 0).
    pub fn new(user_handle: &[u8], counter: bool) -> Self {
        let key = loop {
            if let Ok(k) = SigningKey::from_slice(&random::<32>()) {
                break k;
            }
        };
        Self {
            id: random::<16>().to_vec(),
            key,
            count: 0,
            counter,
            user_handle: user_handle.to_vec(),
        }
    }

    /// The base64url credential id.
    pub fn id_b64(&self) -> String {
        URL_SAFE_NO_PAD.encode(&self.id)
    }

    /// `navigator.credentials.create()`'s answer for `challenge` at `origin`.
    pub fn register(&self, rp_id: &str, origin: &str, challenge: &str, flags: Flags) -> AttestationResponse {
        let point = self.key.verifying_key().to_encoded_point(false);
        let cose = Cbor::Map(vec![
            (Cbor::Integer(1.into()), Cbor::Integer(2.into())),
            (Cbor::Integer(3.into()), Cbor::Integer((-7).into())),
            (Cbor::Integer((-1).into()), Cbor::Integer(1.into())),
            (
                Cbor::Integer((-2).into()),
                Cbor::Bytes(point.x().map(|x| x.to_vec()).unwrap_or_default()),
            ),
            (
                Cbor::Integer((-3).into()),
                Cbor::Bytes(point.y().map(|y| y.to_vec()).unwrap_or_default()),
            ),
        ]);
        let mut data = auth_data(rp_id, flags, 0x40, self.count);
        data.extend_from_slice(&[0u8; 16]);
        data.extend_from_slice(&(self.id.len() as u16).to_be_bytes());
        data.extend_from_slice(&self.id);
        let mut key = Vec::new();
        ciborium::into_writer(&cose, &mut key).unwrap_or_default();
        data.extend_from_slice(&key);
        let object = Cbor::Map(vec![
            (Cbor::Text("fmt".into()), Cbor::Text("none".into())),
            (Cbor::Text("attStmt".into()), Cbor::Map(vec![])),
            (Cbor::Text("authData".into()), Cbor::Bytes(data)),
        ]);
        let mut att = Vec::new();
        ciborium::into_writer(&object, &mut att).unwrap_or_default();
        AttestationResponse {
            client_data_json: URL_SAFE_NO_PAD.encode(client_data("webauthn.create", challenge, origin)),
            attestation_object: URL_SAFE_NO_PAD.encode(att),
        }
    }

    /// `navigator.credentials.get()`'s answer for `challenge` at `origin` (the counter moves on).
    pub fn assert(&mut self, rp_id: &str, origin: &str, challenge: &str, flags: Flags) -> AssertionResponse {
        if self.counter {
            self.count += 1;
        }
        let data = auth_data(rp_id, flags, 0, self.count);
        let cd = client_data("webauthn.get", challenge, origin);
        let mut signed = data.clone();
        signed.extend_from_slice(&Sha256::digest(&cd));
        let sig: Signature = self.key.sign(&signed);
        AssertionResponse {
            client_data_json: URL_SAFE_NO_PAD.encode(cd),
            authenticator_data: URL_SAFE_NO_PAD.encode(data),
            signature: URL_SAFE_NO_PAD.encode(sig.to_der().as_bytes()),
            user_handle: Some(URL_SAFE_NO_PAD.encode(&self.user_handle)),
        }
    }
}
