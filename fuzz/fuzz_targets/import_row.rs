//! The Auth0 user schema of one import row (`validate_row`), with `password_hash` and
//! `custom_password_hash` objects, and the error report's redaction. What passes must be storable:
//! its hash reads back (`LegacyHash::from_stored`) at the same work, within the budget.
//! Input: two bytes (the connection's username min and max), then the row's JSON.
#![no_main]

use edge::core::credentials::legacy_hash::LegacyHash;
use edge::core::management::jobs::redact;
use edge::fuzzing::{connection, default_budget, validate_import_row};
use libfuzzer_sys::fuzz_target;
use serde_json::Value;

fuzz_target!(|data: &[u8]| {
    let [min, max, row @ ..] = data else {
        return;
    };
    let Ok(v) = serde_json::from_slice::<Value>(row) else {
        return;
    };
    let conn = connection(u32::from(*min), u32::from(*max));
    let redacted = redact(&v);
    if let Some(o) = redacted.as_object() {
        if o.contains_key("password_hash") {
            assert_eq!(o["password_hash"], "*****");
        }
    }
    let Ok(user) = validate_import_row(&v, &conn) else {
        return;
    };
    assert!(shared::email::is_valid(&user.email), "{:?}", user.email);
    if let Some(u) = &user.username {
        assert!(conn.username_rules().is_valid(u), "{u:?}");
    }
    match &user.password_hash {
        Some(stored) => {
            let h = LegacyHash::from_stored(stored)
                .unwrap_or_else(|e| panic!("an accepted hash does not read back: {e}: {stored}"));
            assert_eq!(h.work().to_bits(), user.hash_work.to_bits());
            assert!(h.check_work(default_budget()).is_ok());
        }
        None => assert_eq!(user.hash_work, 0.0),
    }
});
