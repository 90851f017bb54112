//! Username rules of a database connection (`requires_username`, `validation.username`).
//!
//! Defaults: 1–15 characters, configurable up to 128. Allowed characters are Lock's:
//! ASCII letters and digits and `_ + - . ! # $ ^ ` ~ @ '`. A username must not be an email address
//! (it would be ambiguous with the email identifier at login). Usernames are compared and stored in
//! lower case, as Auth0 does.

use serde::{Deserialize, Serialize};

/// Default minimum username length.
pub const DEFAULT_MIN: u32 = 1;
/// Default maximum username length.
pub const DEFAULT_MAX: u32 = 15;
/// Largest configurable maximum.
pub const LIMIT_MAX: u32 = 128;

/// Allowed length range of usernames.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct UsernameRules {
    /// Minimum length in characters.
    pub min: u32,
    /// Maximum length in characters.
    pub max: u32,
}

impl Default for UsernameRules {
    fn default() -> Self {
        Self {
            min: DEFAULT_MIN,
            max: DEFAULT_MAX,
        }
    }
}

/// Why a username was refused. The code is the i18n key the widget shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UsernameIssue {
    /// Too short or too long.
    Length,
    /// A character outside the allowed set.
    Characters,
    /// Looks like an email address.
    IsEmail,
}

impl UsernameIssue {
    /// Stable code of the issue.
    pub fn code(self) -> &'static str {
        match self {
            Self::Length => "usernameLength",
            Self::Characters => "usernameCharacters",
            Self::IsEmail => "usernameIsEmail",
        }
    }
}

fn allowed(c: char) -> bool {
    c.is_ascii_alphanumeric() || "_+-.!#$^`~@'".contains(c)
}

impl UsernameRules {
    /// Rules with `min`/`max` sanitised as Lock does: the defaults when `min > max`, `max` capped.
    pub fn new(min: u32, max: u32) -> Self {
        let max = max.min(LIMIT_MAX);
        if min == 0 || min > max {
            Self::default()
        } else {
            Self { min, max }
        }
    }

    /// The normalised form: trimmed and lower-cased.
    pub fn normalize(username: &str) -> String {
        username.trim().to_lowercase()
    }

    /// Every rule `username` breaks (empty when it is valid).
    pub fn issues(&self, username: &str) -> Vec<UsernameIssue> {
        self.issues_normalized(&Self::normalize(username))
    }

    /// [`Self::issues`] of a username already normalised (trimmed and lower-cased) by the caller:
    /// the widget lower-cases with the browser's `toLowerCase` instead of shipping Rust's tables.
    pub fn issues_normalized(&self, u: &str) -> Vec<UsernameIssue> {
        let mut issues = Vec::new();
        let len = u.chars().count() as u32;
        if len < self.min || len > self.max {
            issues.push(UsernameIssue::Length);
        }
        if !u.chars().all(allowed) {
            issues.push(UsernameIssue::Characters);
        }
        if crate::email::is_valid(u) {
            issues.push(UsernameIssue::IsEmail);
        }
        issues
    }

    /// Whether `username` is valid.
    pub fn is_valid(&self, username: &str) -> bool {
        self.issues(username).is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn default_length_bounds() {
        let r = UsernameRules::default();
        assert!(r.is_valid("a"));
        assert!(r.is_valid("abcdefghijklmno"));
        assert_eq!(r.issues("abcdefghijklmnop"), vec![UsernameIssue::Length]);
        assert_eq!(r.issues(""), vec![UsernameIssue::Length]);
    }

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn characters_and_email() {
        let r = UsernameRules::new(1, 128);
        assert!(r.is_valid("j.doe+tag_1"));
        assert!(r.is_valid("o'brien"));
        assert_eq!(r.issues("jöhn"), vec![UsernameIssue::Characters]);
        assert_eq!(r.issues("a b"), vec![UsernameIssue::Characters]);
        assert_eq!(r.issues("john@example.com"), vec![UsernameIssue::IsEmail]);
        assert!(r.is_valid("john@home"), "an @ alone is allowed");
    }

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn sanitised_bounds() {
        assert_eq!(UsernameRules::new(10, 5), UsernameRules::default());
        assert_eq!(UsernameRules::new(3, 500).max, LIMIT_MAX);
    }

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn normalises_case() {
        assert_eq!(UsernameRules::normalize("  JDoe "), "jdoe");
    }
}
