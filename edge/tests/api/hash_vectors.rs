//! Every legacy hash format against vectors made by independent implementations
//! (tests/vectors/make_hash_vectors.py: Python hashlib/hmac, bcrypt, argon2-cffi, passlib,
//! pycryptodome), each with the right and a wrong password.
use edge::core::credentials::legacy_hash::LegacyHash;
use serde_json::Value;

#[test]
fn independent_vectors_verify() {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../tests/vectors/hash-vectors.json"
    ))
    .unwrap();
    let data: Value = serde_json::from_str(&text).unwrap();
    let vectors = data["vectors"].as_array().unwrap();
    assert!(vectors.len() >= 40);
    let mut algorithms = std::collections::BTreeSet::new();
    for v in vectors {
        let name = v["name"].as_str().unwrap();
        let hash = LegacyHash::from_value(&v["hash"]).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(
            hash.verify(v["password"].as_str().unwrap()),
            "{name}: right password refused"
        );
        assert!(
            !hash.verify(v["wrong"].as_str().unwrap()),
            "{name}: wrong password accepted"
        );
        if let Some(a) = v["hash"]["algorithm"].as_str() {
            algorithms.insert(a.to_owned());
        }
    }
    let all = [
        "argon2", "bcrypt", "hmac", "ldap", "md4", "md5", "pbkdf2", "scrypt", "sha1", "sha256", "sha512",
    ];
    assert_eq!(
        algorithms.into_iter().collect::<Vec<_>>(),
        all,
        "all 11 Auth0 algorithms covered"
    );
}
