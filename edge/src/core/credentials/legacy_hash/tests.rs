use super::*;
use base64::engine::general_purpose::STANDARD;
use serde_json::json;

#[test]
fn bcrypt_from_auth0_docs() {
    let h = LegacyHash::parse("$2b$10$nFguVi9LsCAcvTZFKQlRKeLVydo8ETv483lkNsSFI/Wl1Rz1Ypo1K").unwrap();
    assert!(h.verify("hello"));
    assert!(!h.verify("hellO"));
}

#[test]
fn pbkdf2_round_trip_and_caps() {
    let salt = b"NaCl-salt";
    let mut out = [0u8; 32];
    Alg::Sha256.pbkdf2(b"pw", salt, 1000, &mut out);
    let phc = format!(
        "$pbkdf2-sha256$i=1000,l=32${}${}",
        STANDARD_NO_PAD.encode(salt),
        STANDARD_NO_PAD.encode(out)
    );
    let h = LegacyHash::parse(&phc).unwrap();
    assert!(h.verify("pw"));
    assert!(!h.verify("pW"));
    let heavy = phc.replace("i=1000", "i=9000000");
    assert_eq!(
        LegacyHash::parse(&heavy),
        Err(HashError::TooExpensive("pbkdf2 iterations".into()))
    );
    let rsa = phc.replace("pbkdf2-sha256", "pbkdf2-RSA-SHA256");
    assert!(LegacyHash::parse(&rsa).unwrap().verify("pw"), "OpenSSL digest aliases");
}

#[test]
fn caps_refuse_before_hashing() {
    let costly = format!("$2b$31${}", "a".repeat(53));
    assert_eq!(
        LegacyHash::parse(&costly),
        Err(HashError::TooExpensive("bcrypt cost".into()))
    );
    assert_eq!(LegacyHash::parse("md5:abc"), Err(HashError::Unsupported));
    let scrypt = json!({"algorithm": "scrypt", "hash": {"value": "00".repeat(32)}, "salt": {"value": "s"}, "keylen": 32, "cost": 1 << 20});
    assert_eq!(
        LegacyHash::from_custom(&scrypt),
        Err(HashError::TooExpensive("scrypt parameters".into()))
    );
}

#[test]
fn salted_digest_positions_and_encodings() {
    let pw = "hunter2";
    let prefix = hex::encode(Alg::Sha256.digest(b"abc123hunter2"));
    let h = LegacyHash::from_custom(
        &json!({"algorithm": "sha256", "hash": {"value": prefix.to_uppercase(), "encoding": "hex"},
        "salt": {"value": "abc123"}}),
    )
    .unwrap();
    assert!(h.verify(pw), "prefix is the default; hex in either case");
    let suffix = STANDARD.encode(Alg::Md5.digest(b"hunter2abc123"));
    let h = LegacyHash::from_custom(
        &json!({"algorithm": "md5", "hash": {"value": suffix, "encoding": "base64"},
        "salt": {"value": "abc123", "position": "suffix"}}),
    )
    .unwrap();
    assert!(h.verify(pw));
    assert!(!h.verify("hunter3"));
}

#[test]
fn ldap_unsalted_sha256() {
    let value = format!("{{SHA256}}{}", STANDARD.encode(Alg::Sha256.digest(b"secret")));
    assert!(LegacyHash::parse(&value).unwrap().verify("secret"));
}

#[test]
fn ldap_salted_sha() {
    let digest = Alg::Sha1.digest(b"secretSALT");
    let value = format!("{{SSHA}}{}", STANDARD.encode([digest.as_slice(), b"SALT"].concat()));
    let h = LegacyHash::parse(&value).unwrap();
    assert!(h.verify("secret"));
    assert!(!h.verify("Secret"));
    assert_eq!(LegacyHash::parse("{CRYPT}abc"), Err(HashError::Unsupported));
}

#[test]
fn utf16_and_latin1_password_encodings() {
    let utf16: Vec<u8> = "pässword".encode_utf16().flat_map(u16::to_le_bytes).collect();
    let h = LegacyHash::from_custom(
        &json!({"algorithm": "sha1", "hash": {"value": hex::encode(Alg::Sha1.digest(&utf16))},
        "password": {"encoding": "utf16le"}}),
    )
    .unwrap();
    assert!(h.verify("pässword"));
    let latin1 = [b'p', 0xe4, b's', b's'];
    let h = LegacyHash::from_custom(
        &json!({"algorithm": "md5", "hash": {"value": hex::encode(Alg::Md5.digest(&latin1))},
        "password": {"encoding": "latin1"}}),
    )
    .unwrap();
    assert!(h.verify("päss"));
}

#[test]
fn refuses_salts_where_auth0_does() {
    let argon = json!({"algorithm": "argon2", "hash": {"value": "$argon2id$v=19$m=64,t=1,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA"}, "salt": {"value": "x"}});
    assert!(matches!(LegacyHash::from_custom(&argon), Err(HashError::Malformed(_))));
}
