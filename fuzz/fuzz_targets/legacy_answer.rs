//! The legacy store's answer reader: how the body of a `200` becomes a `Verdict` (`read_answer`),
//! with the user it describes and, under hash hand-over, the hash it hands over.
//! Input: the answer body.
#![no_main]

use edge::core::credentials::legacy_hash::LegacyHash;
use edge::core::migration::legacy::{read_answer, Verdict};
use edge::fuzzing::default_budget;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let user = match read_answer(data) {
        Ok(Verdict::PasswordMatch(u) | Verdict::Found(u) | Verdict::Done(Some(u))) => u,
        _ => return,
    };
    let id = user.user_id.as_deref().unwrap_or_default();
    assert!((1..=128).contains(&id.len()) && id.is_ascii(), "{id:?}");
    let email = user.email.as_deref().unwrap_or_default();
    assert!(shared::email::is_valid(&shared::email::normalize(email)), "{email:?}");
    if let Some(h) = &user.password_hash {
        if let Ok(h) = LegacyHash::from_value(h) {
            let _ = h.check_work(default_budget());
        }
    }
});
