//! Email syntax and normalisation.
//!
//! **Syntax.** A pragmatic subset of RFC 5322 `addr-spec` that real mail systems deliver to: at most
//! 254 bytes; one `@`; a local part of 1–64 bytes made of atext characters and dots (no leading,
//! trailing or double dot, no quoted strings); a domain of at least two dot-separated labels, each
//! 1–63 characters of letters, digits or `-` not at either end (non-ASCII letters are allowed for
//! internationalised domains), and a top-level label of at least two letters.
//!
//! **Normalisation** (what is folded and why): surrounding whitespace is trimmed (pasted addresses),
//! and the whole address is lower-cased, as Auth0 stores emails. Domains are case-insensitive by
//! definition; local parts are case-sensitive in theory but not at any mainstream provider, and one
//! account per address regardless of case is what users expect. We do **not** remove dots or
//! `+tags`: that is Gmail-specific and would merge distinct mailboxes elsewhere.
//!
//! With the `idna` feature (the edge) the domain is also mapped by UTS-46 and kept in its Unicode
//! form: full-width letters (`ＥＸＡＭＰＬＥ.com`), other compatibility spellings and the punycode
//! form (`xn--bcher-kva.de`) all name the same domain (`bücher.de`), so they are the same account.
//! The local part is only lower-cased: its meaning belongs to the receiving server.

/// Longest address accepted, in bytes.
pub const MAX_LEN: usize = 254;

/// Trims and lower-cases an address; with the `idna` feature, maps its domain by UTS-46.
pub fn normalize(email: &str) -> String {
    let email = email.trim();
    #[cfg(feature = "idna")]
    if let Some((local, domain)) = email.rsplit_once('@') {
        if let (mapped, Ok(())) = idna::domain_to_unicode(domain) {
            if !mapped.is_empty() {
                return format!("{}@{mapped}", local.to_lowercase());
            }
        }
    }
    email.to_lowercase()
}

fn atext(c: char) -> bool {
    c.is_ascii_alphanumeric() || "!#$%&'*+/=?^_`{|}~-".contains(c)
}

fn valid_label(label: &str) -> bool {
    let n = label.chars().count();
    (1..=63).contains(&n)
        && !label.starts_with('-')
        && !label.ends_with('-')
        && label.chars().all(|c| c.is_alphanumeric() || c == '-')
}

/// Whether `email` is a syntactically valid address (see the module docs).
pub fn is_valid(email: &str) -> bool {
    if email.len() > MAX_LEN {
        return false;
    }
    let Some((local, domain)) = email.split_once('@') else {
        return false;
    };
    if local.is_empty() || local.len() > 64 || domain.contains('@') {
        return false;
    }
    if local.starts_with('.') || local.ends_with('.') || local.contains("..") {
        return false;
    }
    if !local.chars().all(|c| atext(c) || c == '.') {
        return false;
    }
    let labels: Vec<&str> = domain.split('.').collect();
    if labels.len() < 2 || !labels.iter().all(|l| valid_label(l)) {
        return false;
    }
    labels
        .last()
        .is_some_and(|tld| tld.chars().count() >= 2 && tld.chars().all(char::is_alphabetic))
}

/// An address normalised once, on construction ([`normalize`]): what the edge stores, looks up
/// and compares, so no lookup can miss a user over case or a domain's spelling.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct Email(String);

impl Email {
    /// Normalises `raw`.
    pub fn new(raw: &str) -> Self {
        Self(normalize(raw))
    }

    /// The normalised address.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether it is a syntactically valid address.
    pub fn is_valid(&self) -> bool {
        is_valid(&self.0)
    }

    /// The normalised address, owned.
    pub fn into_string(self) -> String {
        self.0
    }
}

impl std::ops::Deref for Email {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for Email {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<&str> for Email {
    /// Normalises, as [`Email::new`].
    fn from(raw: &str) -> Self {
        Self::new(raw)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn accepts_common_addresses() {
        for ok in [
            "a@b.co",
            "first.last+tag@example.com",
            "o'hara@mail.example.org",
            "user@xn--bcher-kva.example",
        ] {
            assert!(is_valid(ok), "{ok}");
        }
        assert!(is_valid("user@bücher.de"));
    }

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn rejects_broken_addresses() {
        for bad in [
            "",
            "plain",
            "@example.com",
            "a@",
            "a@b",
            "a@b.c",
            "a@@b.com",
            ".a@b.com",
            "a.@b.com",
            "a..b@c.com",
            "a b@c.com",
            "a@-b.com",
            "a@b-.com",
            "a@b..com",
            "a@b.c0m1",
        ] {
            assert!(!is_valid(bad), "{bad}");
        }
        let long_local = format!("{}@example.com", "a".repeat(65));
        assert!(!is_valid(&long_local));
    }

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn normalizes() {
        assert_eq!(normalize("  John.Doe@Example.COM "), "john.doe@example.com");
    }

    #[cfg(feature = "idna")]
    #[test]
    fn spellings_of_one_domain_are_one_address() {
        for spelling in ["ada@example.com", "ADA@ＥＸＡＭＰＬＥ.COM", "ada@ｅｘａｍｐｌｅ．com"] {
            assert_eq!(normalize(spelling), "ada@example.com", "{spelling}");
        }
        assert_eq!(normalize("user@xn--bcher-kva.de"), "user@bücher.de");
        assert_eq!(normalize("user@BÜCHER.de"), "user@bücher.de");
        assert_eq!(
            normalize("Straße@example.com"),
            "straße@example.com",
            "the local part is only lower-cased"
        );
    }
}
