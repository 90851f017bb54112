//! The password checks of every flow that sets one (`Connection::check_password`: strength level
//! and minimum length, the dictionary, personal information) and the policy engine under it
//! (`missing`, `check`, `describe`, message formatting).
//! Input: level byte, min-length byte (0: none), switches byte, then 0xFF-separated fields:
//! password, email, username, name, nickname, metadata value, dictionary entries (one a line).
#![no_main]

use edge::fuzzing::connection;
use libfuzzer_sys::fuzz_target;
use shared::password::{format_message, FormatArg, PasswordPolicy, PolicyLevel};
use shared::personal_info::PersonalInfo;
use tollgate_fuzz::{fields, text};

const LEVELS: [PolicyLevel; 5] = [
    PolicyLevel::None,
    PolicyLevel::Low,
    PolicyLevel::Fair,
    PolicyLevel::Good,
    PolicyLevel::Excellent,
];

fuzz_target!(|data: &[u8]| {
    let [level, min, switches, rest @ ..] = data else {
        return;
    };
    let [password, email, username, name, nickname, meta, dict] = fields::<7>(rest).map(text);
    let level = LEVELS[usize::from(*level) % LEVELS.len()];
    let min_length = (*min != 0).then_some(u32::from(*min));
    let policy = PasswordPolicy::new(level, min_length);
    let missing = policy.missing(&password);
    assert_eq!(missing.verified, policy.check(&password));
    assert_eq!(missing.verified, missing.rules.iter().all(|r| r.verified == Some(true)));
    assert!(!policy.describe().is_empty());
    for r in policy.explain() {
        let _ = r.formatted();
    }
    if let Some(l) = PolicyLevel::parse(&password) {
        assert_eq!(l.as_str(), password);
    }
    let _ = format_message(
        &password,
        &[FormatArg::Num(u32::from(*min)), FormatArg::Str(name.to_string())],
    );

    let mut conn = connection(1, 15);
    conn.options.password_policy = level;
    conn.options.password_complexity_options.min_length = min_length;
    conn.options.password_dictionary.enable = switches & 1 != 0;
    conn.options.password_dictionary.dictionary = dict.lines().map(str::to_owned).collect();
    conn.options.password_no_personal_info.enable = switches & 2 != 0;
    let info = PersonalInfo {
        email: Some(&email).filter(|e| !e.is_empty()).map(|e| e.as_ref()),
        username: Some(&username).filter(|e| !e.is_empty()).map(|e| e.as_ref()),
        name: Some(&name).filter(|e| !e.is_empty()).map(|e| e.as_ref()),
        nickname: Some(&nickname).filter(|e| !e.is_empty()).map(|e| e.as_ref()),
        metadata: meta.split('\n').collect(),
    };
    let accepted = conn.check_password(&password, &info).is_ok();
    if accepted {
        assert!(missing.verified && password.len() <= shared::password::MAX_PASSWORD_BYTES);
    }
    let _ = info.found_in(&password);
    let _ = shared::dictionary::is_common(&password, &conn.options.password_dictionary.dictionary);
});
