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
fn argon2_hashes_no_password_can_match_are_refused() {
    // Found by the `legacy_hash` fuzz target: any PHC algorithm name, version, salt and a missing
    // hash were accepted (and imported), though verification refuses them all.
    let good = "$argon2i$v=19$m=1024,t=2,p=1$gvRJvd9EkTTz8t5QUAWElw$tD6XhpLcOkomfotJs3tu9ya8bUnuyJKeNVAL3puqDSs";
    assert!(LegacyHash::parse(good).is_ok());
    assert!(LegacyHash::parse(&good.replace("v=19", "v=16")).is_ok());
    let custom = |h: &str| LegacyHash::from_custom(&json!({"algorithm": "argon2", "hash": {"value": h}}));
    assert_eq!(custom(&good.replace("argon2i", "argon4i")), Err(HashError::Unsupported));
    assert_eq!(
        LegacyHash::parse(&good.replace("argon2i", "argon2x")),
        Err(HashError::Unsupported)
    );
    assert_eq!(
        LegacyHash::parse(&good.replace("v=19", "v=20")),
        Err(HashError::Malformed("argon2 version"))
    );
    let short_salt = good.replace("gvRJvd9EkTTz8t5QUAWElw", "c2FsdA");
    assert_eq!(LegacyHash::parse(&short_salt), Err(HashError::Malformed("argon2 salt")));
    let (no_hash, _) = good.rsplit_once('$').unwrap();
    assert_eq!(LegacyHash::parse(no_hash), Err(HashError::Malformed("argon2 hash")));
}

#[test]
fn argon2_parallelism_beyond_the_crate_maximum_is_refused_before_the_crate_sees_it() {
    // Found by the `legacy_hash` fuzz target: argon2's `Params::new` computes `8 · p` before it
    // checks p, which overflows (a panic where overflow checks are on) for p ≥ 2^29.
    let phc = "$argon2i$v=16$m=160,t=2,p=2407370955$c2FsdHNhbHRzYWx0$AAAAAAAAAAAAAAAAAAAAAA";
    assert_eq!(LegacyHash::parse(phc), Err(HashError::Malformed("argon2 parameters")));
    let max = phc.replace("p=2407370955", &format!("p={}", Params::MAX_P_COST));
    assert_eq!(LegacyHash::parse(&max), Err(HashError::Malformed("argon2 parameters")));
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
