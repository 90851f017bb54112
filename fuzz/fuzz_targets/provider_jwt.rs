//! JWT and JWK parsing for identity providers' ID tokens (`verify_id_token`: the provider's JWKS
//! document, the token's header, signature, claims), our own tokens' verification (`tokens::verify`,
//! `verify_hint`), and provider profiles (`profile_from_claims`, `profile_from_mapping`).
//!
//! Two modes, by the first byte:
//! - even: raw — 0xFF-separated JWKS document (JSON; the fixed key set when it does not parse),
//!   token, and an OAuth 2.0 profile document;
//! - odd: signed — 0xFF-separated header and claims (JSON text): the target signs them with its
//!   ES256 test key (kid `ec-1`, in the fixed key set), so the fuzzer reaches the claim checks behind
//!   a valid signature.
#![no_main]

use std::sync::OnceLock;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use edge::core::federation::profile::{profile_from_claims, profile_from_mapping};
use edge::core::federation::round_trip::verify_id_token;
use edge::core::oauth::keys::{RsaPublic, VerifyingKey};
use edge::core::oauth::tokens;
use jsonwebtoken::jwk::JwkSet;
use jsonwebtoken::{Algorithm, EncodingKey};
use libfuzzer_sys::fuzz_target;
use serde_json::{json, Map, Value};
use tollgate_fuzz::{fields, text};

const ISSUER: &str = "https://idp.example/";
const CLIENT_ID: &str = "client-1";
const NONCE: &str = "n-1";
const NOW_S: i64 = 1_700_000_000;
/// The public half of keys/rsa-test.pem.
const RSA_N: &str = "ju4j0n7a0KUPDcX5vuiFxA7leq9RBO8WEIvK3iHSF5E4hOIhjcLhtdD0qrhw9iy8vB7ierd9JtPW3S_GXmiXFU4mNE0du25gWZHf2l8Pi4cUMw8Kq_2ww5sk2W_BkOCZJKoDDYp__K29tY0VdzbhBYD1HwKjdPdBRlAIbbihglaeUHqc7f5c3dFPVbnib9U249OVtCo4BSrszviQfi_PPq8mKSglLaurvi7W5RS-YFtkYcO9cIZLgl2o6c_7eWUtdBuyp_ufXCdj0reOxWllBtUeai7ifUELO2fCDV6TrFq8ah0qJmkbZ0fOZ1FJRlxScZfejoPly8mCJaQvA7L7uw";
const RSA_E: &str = "AQAB";
/// The public half of keys/ec-test.pem.
const EC_X: &str = "OoyuO1nxsQrxU-qFpyXzyV--i2n269Y1QfN7fFHjCkw";
const EC_Y: &str = "wpTHTdCQDwPw1CXXweOFklo0hi5s28NIEa4g68BbdV0";

struct Fixed {
    jwks: JwkSet,
    own: Vec<VerifyingKey>,
    signer: EncodingKey,
    mapping: Map<String, Value>,
}

fn fixed() -> &'static Fixed {
    static FIXED: OnceLock<Fixed> = OnceLock::new();
    FIXED.get_or_init(|| {
        // Ours first: signing below must not let jsonwebtoken pick its own provider.
        edge::core::platform::jwt_crypto::install();
        let jwks = serde_json::from_value(json!({"keys": [
            {"kty": "RSA", "kid": "rsa-1", "alg": "RS256", "use": "sig", "n": RSA_N, "e": RSA_E},
            {"kty": "EC", "kid": "ec-1", "crv": "P-256", "alg": "ES256", "use": "sig", "x": EC_X, "y": EC_Y},
        ]}))
        .expect("the fixed key set");
        Fixed {
            jwks,
            own: vec![VerifyingKey {
                kid: "rsa-1".into(),
                public: RsaPublic {
                    n: RSA_N.into(),
                    e: RSA_E.into(),
                },
            }],
            signer: EncodingKey::from_ec_pem(include_bytes!("../keys/ec-test.pem")).expect("the EC test key"),
            mapping: json!({
                "user_id": "id", "email": "email", "email_verified": "email_verified", "name": "name",
                "given_name": "given_name", "family_name": "picture.data.url", "picture": "picture",
            })
            .as_object()
            .cloned()
            .unwrap_or_default(),
        }
    })
}

fn check_id_token(token: &str, keys: &JwkSet) {
    let Ok(claims) = verify_id_token(token, keys, ISSUER, CLIENT_ID, NONCE, NOW_S) else {
        return;
    };
    assert_eq!(claims.get("nonce").and_then(Value::as_str), Some(NONCE));
    assert!(claims
        .get("exp")
        .and_then(Value::as_i64)
        .is_some_and(|exp| exp > NOW_S - 60));
    if let Ok(p) = profile_from_claims(&claims) {
        assert!(!p.provider_user_id.is_empty());
    }
}

fuzz_target!(|data: &[u8]| {
    let f = fixed();
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    if mode % 2 == 0 {
        let [jwks, token, profile] = fields::<3>(rest);
        let token = text(token);
        let parsed = serde_json::from_slice::<Value>(jwks)
            .ok()
            .and_then(|v| serde_json::from_value::<JwkSet>(v).ok());
        if let Some(keys) = &parsed {
            if let Some(kid) = jsonwebtoken::decode_header(token.as_bytes()).ok().and_then(|h| h.kid) {
                let _ = keys.find(&kid);
            }
        }
        check_id_token(&token, parsed.as_ref().unwrap_or(&f.jwks));
        let _ = tokens::verify(&token, &f.own, ISSUER, CLIENT_ID, NOW_S);
        let _ = tokens::verify_hint(&token, &f.own, ISSUER);
        if let Ok(doc) = serde_json::from_slice::<Value>(profile) {
            let _ = profile_from_mapping(&doc, &f.mapping);
            if let Some(claims) = doc.as_object() {
                let _ = profile_from_claims(claims);
            }
        }
    } else {
        let [header, claims] = fields::<2>(rest);
        let signed = format!("{}.{}", URL_SAFE_NO_PAD.encode(header), URL_SAFE_NO_PAD.encode(claims));
        let sig = jsonwebtoken::crypto::sign(signed.as_bytes(), &f.signer, Algorithm::ES256).expect("ES256 signs");
        check_id_token(&format!("{signed}.{sig}"), &f.jwks);
    }
});
