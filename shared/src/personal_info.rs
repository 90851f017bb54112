//! The personal-information check (`password_no_personal_info`).
//!
//! A password is refused when it contains, case-insensitively, any of the user's `name`,
//! `username`, `nickname`, the local part of the email, or `user_metadata.name`/`first`/`last`.
//! Multi-word values are also checked word by word ("John Smith" blocks "smith99"). Values and words
//! shorter than [`MIN_FRAGMENT`] characters are ignored: a one-letter nickname would otherwise forbid
//! every password that contains that letter.

/// Shortest value (in characters) the check looks for.
pub const MIN_FRAGMENT: usize = 3;

/// The user attributes the check looks at.
#[derive(Debug, Default, Clone)]
pub struct PersonalInfo<'a> {
    /// The full email address; only its local part is used.
    pub email: Option<&'a str>,
    /// Username.
    pub username: Option<&'a str>,
    /// `name`.
    pub name: Option<&'a str>,
    /// `nickname`.
    pub nickname: Option<&'a str>,
    /// `user_metadata.name`, `.first`, `.last`.
    pub metadata: Vec<&'a str>,
}

impl<'a> PersonalInfo<'a> {
    fn fragments(&self) -> Vec<String> {
        let local = self.email.and_then(|e| e.split('@').next());
        let mut out = Vec::new();
        let values = [local, self.username, self.name, self.nickname]
            .into_iter()
            .flatten()
            .chain(self.metadata.iter().copied());
        for v in values {
            let v = v.trim().to_lowercase();
            for word in v.split_whitespace() {
                if word.chars().count() >= MIN_FRAGMENT && word != v {
                    out.push(word.to_owned());
                }
            }
            if v.chars().count() >= MIN_FRAGMENT {
                out.push(v);
            }
        }
        out
    }

    /// Whether `password` contains any of the user's attributes.
    pub fn found_in(&self, password: &str) -> bool {
        let pw = password.to_lowercase();
        self.fragments().iter().any(|f| pw.contains(f.as_str()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn finds_name_and_email_local_part() {
        let info = PersonalInfo {
            email: Some("john.doe@example.com"),
            name: Some("John Smith"),
            ..Default::default()
        };
        assert!(info.found_in("John1234"));
        assert!(info.found_in("xxSMITHxx"));
        assert!(info.found_in("my-john.doe-pw"));
        assert!(!info.found_in("example.com!"), "the domain is not personal");
        assert!(!info.found_in("Tr0ub4dor&3"));
    }

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn short_values_are_ignored() {
        let info = PersonalInfo {
            nickname: Some("jo"),
            metadata: vec!["Al"],
            ..Default::default()
        };
        assert!(!info.found_in("jolly alpaca"));
    }

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn metadata_and_username() {
        let info = PersonalInfo {
            username: Some("zorro"),
            metadata: vec!["Esmeralda"],
            ..Default::default()
        };
        assert!(info.found_in("ZORRO!2024"));
        assert!(info.found_in("esmeralda-1"));
    }
}
