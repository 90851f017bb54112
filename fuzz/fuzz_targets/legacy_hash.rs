//! The imported-hash parsers (all 11 formats): hash strings (bcrypt, PBKDF2 and argon2 PHC, LDAP),
//! Auth0's `custom_password_hash` objects (argon2, bcrypt, hmac, ldap, md4, md5, sha1, sha256,
//! sha512, pbkdf2, scrypt) and the stored form, with their work model and its messages. Only hashes
//! whose work is at most `VERIFY_MAX` (a few milliseconds) are verified and get a dummy: a dummy
//! must read back at the same work and not match.
//! Input: the hash (string or JSON), 0xFF, the password.
#![no_main]

use edge::core::credentials::legacy_hash::LegacyHash;
use edge::core::credentials::stored::StoredPassword;
use edge::fuzzing::default_budget;
use libfuzzer_sys::fuzz_target;
use tollgate_fuzz::{fields, text};

/// Largest work (argon2 KiB·passes) verified per input: bcrypt cost 4, PBKDF2 ~1,300 iterations,
/// scrypt N·r·p 1,000, argon2 m·t ~1,500.
const VERIFY_MAX: f64 = 2_000.0;

fuzz_target!(|data: &[u8]| {
    let [hash, password] = fields::<2>(data);
    let (hash, password) = (text(hash), text(password));
    let budget = default_budget();
    let _ = StoredPassword::parse(&hash, budget);
    let mut parsed = vec![LegacyHash::parse(&hash), LegacyHash::from_stored(&hash)];
    if let Ok(v) = serde_json::from_str::<serde_json::Value>(&hash) {
        parsed.push(LegacyHash::from_value(&v));
    }
    for h in parsed.into_iter().flatten() {
        let work = h.work();
        assert!(work >= 0.0 && !work.is_nan(), "work {work}");
        if let Err(e) = h.check_work(budget) {
            let _ = e.to_string();
        }
        let _ = h.check_work(1.0);
        if work > VERIFY_MAX {
            continue;
        }
        let _ = h.verify(&password);
        if let Some(dummy) = h.dummy([0x5a; 48]) {
            let back = LegacyHash::from_stored(&dummy)
                .unwrap_or_else(|e| panic!("the dummy of {h:?} does not read back: {e}: {dummy}"));
            assert_eq!(back.work().to_bits(), work.to_bits(), "dummy {dummy}");
        }
    }
});
