//! The email and username normalisers and validators. What the edge stores must be a fixed point:
//! normalising a valid normalised email (or username) again changes nothing, or a stored account
//! could never be found by its own address.
//! Input: username min byte, max byte, then the text.
#![no_main]

use libfuzzer_sys::fuzz_target;
use shared::email::{is_valid, normalize, Email, MAX_LEN};
use shared::username::UsernameRules;

fuzz_target!(|data: &[u8]| {
    let [min, max, rest @ ..] = data else {
        return;
    };
    let raw = String::from_utf8_lossy(rest);
    let email = normalize(&raw);
    assert_eq!(Email::new(&raw).as_str(), email);
    if is_valid(&email) {
        assert!(email.len() <= MAX_LEN);
        assert_eq!(normalize(&email), email, "normalising {raw:?} twice");
    }
    let _ = is_valid(&raw);

    let rules = UsernameRules::new(u32::from(*min), u32::from(*max));
    assert!(rules.min >= 1 && rules.min <= rules.max && rules.max <= shared::username::LIMIT_MAX);
    let username = UsernameRules::normalize(&raw);
    assert_eq!(
        UsernameRules::normalize(&username),
        username,
        "normalising {raw:?} twice"
    );
    let issues = rules.issues(&raw);
    assert_eq!(issues, rules.issues_normalized(&username));
    for i in &issues {
        let _ = i.code();
    }
    assert_eq!(rules.is_valid(&raw), issues.is_empty());
});
