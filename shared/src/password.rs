//! Password strength policies with password-sheriff's exact semantics.
//!
//! Auth0 database connections pick one of five levels (`none`, `low`, `fair`, `good`, `excellent`),
//! optionally overriding the level's minimum length with `password_complexity_options.min_length`
//! (1–72). Lock renders the policy as a checklist from password-sheriff's `missing()` tree, and the
//! server returns the same tree in `invalid_password` errors; [`PasswordPolicy::missing`] produces that
//! tree and [`PasswordPolicy::describe`] the `policy` string (sheriff's `toString()`).
//!
//! | level | rules |
//! |---|---|
//! | none | non-empty |
//! | low | at least 6 characters |
//! | fair | at least 8, and lower case, upper case and numbers |
//! | good | at least 8, and 3 of the 4 classes lower, upper, numbers, special |
//! | excellent | at least 10, 3 of 4 classes, no more than 2 identical characters in a row |
//!
//! **What a "character" is.** Sheriff counts UTF-16 code units (JavaScript's `.length`), so an emoji
//! counts twice there. We count Unicode scalar values (`char`s): `"añb"` is 3 characters and `"😀"` is 1.
//! For ASCII passwords both agree. The character classes are ASCII-only as in sheriff: `é` is neither
//! a lower-case letter nor a special character. The special characters are the 33 OWASP ones — space
//! and ``!"#$%&'()*+,-./:;<=>?@[\]^_`{|}~``.

use serde::{Deserialize, Serialize};

/// Longest password we accept at all, in bytes. Hashing cost grows with input length, so the cap
/// bounds the work of one request; it is far above any real password.
pub const MAX_PASSWORD_BYTES: usize = 1024;

/// Bounds of the `password_complexity_options.min_length` override.
pub const MIN_LENGTH_RANGE: std::ops::RangeInclusive<u32> = 1..=72;

/// The five Auth0 password strength levels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum PolicyLevel {
    /// Any non-empty password.
    #[default]
    None,
    /// At least 6 characters.
    Low,
    /// At least 8 characters with lower case, upper case and numbers.
    Fair,
    /// At least 8 characters with 3 of 4 character classes.
    Good,
    /// At least 10 characters, 3 of 4 classes, at most 2 identical characters in a row.
    Excellent,
}

impl PolicyLevel {
    /// Parses a level name as used in connection options (`"good"`).
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "none" => Some(Self::None),
            "low" => Some(Self::Low),
            "fair" => Some(Self::Fair),
            "good" => Some(Self::Good),
            "excellent" => Some(Self::Excellent),
            _ => None,
        }
    }

    /// The level's name as used in connection options.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::None => "none",
            Self::Low => "low",
            Self::Fair => "fair",
            Self::Good => "good",
            Self::Excellent => "excellent",
        }
    }

    fn default_min_length(self) -> u32 {
        match self {
            Self::None => 1,
            Self::Low => 6,
            Self::Fair | Self::Good => 8,
            Self::Excellent => 10,
        }
    }
}

/// A `format` argument of a rule message (`%d` or `%s`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum FormatArg {
    /// Replaces a `%d`.
    Num(u32),
    /// Replaces a `%s`.
    Str(String),
}

/// One rule of the explanation tree, in password-sheriff's shape.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RuleResult {
    /// English message with `%d` / `%s` placeholders.
    pub message: String,
    /// Arguments for the placeholders of `message`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub format: Option<Vec<FormatArg>>,
    /// Stable rule code (`lengthAtLeast`, `containsAtLeast`, `lowerCase`, ...), the i18n key.
    pub code: String,
    /// Sub-rules (character classes).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub items: Option<Vec<RuleResult>>,
    /// Whether the password satisfies the rule; absent in a bare explanation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verified: Option<bool>,
}

impl RuleResult {
    /// The message with its placeholders filled in.
    pub fn formatted(&self) -> String {
        format_message(&self.message, self.format.as_deref().unwrap_or(&[]))
    }
}

/// The result of checking a password: sheriff's `missing()` output.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Explanation {
    /// One entry per rule of the policy.
    pub rules: Vec<RuleResult>,
    /// Whether every rule is satisfied.
    pub verified: bool,
}

/// Fills `%d` and `%s` placeholders in order, as sheriff's `format` does.
pub fn format_message(message: &str, args: &[FormatArg]) -> String {
    let mut out = String::with_capacity(message.len());
    let mut args = args.iter();
    let mut chars = message.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '%' {
            if let Some(&k) = chars.peek() {
                if k == 'd' || k == 's' {
                    chars.next();
                    match args.next() {
                        Some(FormatArg::Num(n)) => out.push_str(&n.to_string()),
                        Some(FormatArg::Str(s)) => out.push_str(s),
                        None => {
                            out.push('%');
                            out.push(k);
                        }
                    }
                    continue;
                }
            }
        }
        out.push(c);
    }
    out
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum CharClass {
    Lower,
    Upper,
    Number,
    Special,
}

impl CharClass {
    fn matches(self, c: char) -> bool {
        match self {
            Self::Lower => c.is_ascii_lowercase(),
            Self::Upper => c.is_ascii_uppercase(),
            Self::Number => c.is_ascii_digit(),
            Self::Special => c == ' ' || c.is_ascii_punctuation(),
        }
    }

    fn explain(self) -> RuleResult {
        let (message, code) = match self {
            Self::Lower => ("lower case letters (a-z)", "lowerCase"),
            Self::Upper => ("upper case letters (A-Z)", "upperCase"),
            Self::Number => ("numbers (i.e. 0-9)", "numbers"),
            Self::Special => ("special characters (e.g. !@#$%^&*)", "specialCharacters"),
        };
        rule(message, None, code)
    }

    fn found_in(self, password: &str) -> bool {
        password.chars().any(|c| self.matches(c))
    }
}

const ALL_CLASSES: [CharClass; 4] = [
    CharClass::Lower,
    CharClass::Upper,
    CharClass::Number,
    CharClass::Special,
];

#[derive(Debug, Clone, PartialEq, Eq)]
enum Rule {
    Length(u32),
    Contains(Vec<CharClass>),
    ContainsAtLeast(u32, Vec<CharClass>),
    IdenticalChars(u32),
}

fn rule(message: &str, format: Option<Vec<FormatArg>>, code: &str) -> RuleResult {
    RuleResult {
        message: message.to_owned(),
        format,
        code: code.to_owned(),
        items: None,
        verified: None,
    }
}

impl Rule {
    fn explain(&self) -> RuleResult {
        match self {
            Rule::Length(1) => rule("Non-empty password required", None, "nonEmpty"),
            Rule::Length(n) => rule(
                "At least %d characters in length",
                Some(vec![FormatArg::Num(*n)]),
                "lengthAtLeast",
            ),
            Rule::Contains(classes) => RuleResult {
                items: Some(classes.iter().map(|c| c.explain()).collect()),
                ..rule("Should contain:", None, "shouldContain")
            },
            Rule::ContainsAtLeast(n, classes) => RuleResult {
                items: Some(classes.iter().map(|c| c.explain()).collect()),
                ..rule(
                    "Contain at least %d of the following %d types of characters:",
                    Some(vec![FormatArg::Num(*n), FormatArg::Num(classes.len() as u32)]),
                    "containsAtLeast",
                )
            },
            Rule::IdenticalChars(max) => rule(
                "No more than %d identical characters in a row (e.g., \"%s\" not allowed)",
                Some(vec![
                    FormatArg::Num(*max),
                    FormatArg::Str("a".repeat(*max as usize + 1)),
                ]),
                "identicalChars",
            ),
        }
    }

    fn missing(&self, password: &str) -> RuleResult {
        let mut explained = self.explain();
        let verified = match self {
            Rule::Length(n) => !password.is_empty() && password.chars().count() >= *n as usize,
            Rule::Contains(classes) | Rule::ContainsAtLeast(_, classes) => {
                let found: Vec<bool> = classes.iter().map(|c| c.found_in(password)).collect();
                if let Some(items) = explained.items.as_mut() {
                    for (item, ok) in items.iter_mut().zip(&found) {
                        item.verified = Some(*ok);
                    }
                }
                let hits = found.iter().filter(|ok| **ok).count();
                match self {
                    Rule::ContainsAtLeast(n, _) => hits >= *n as usize,
                    _ => hits == classes.len(),
                }
            }
            Rule::IdenticalChars(max) => identical_run_ok(password, *max),
        };
        explained.verified = Some(verified);
        explained
    }
}

/// Sheriff's `identicalChars`: fails as soon as a run of one character exceeds `max`; an empty
/// password fails.
fn identical_run_ok(password: &str, max: u32) -> bool {
    if password.is_empty() {
        return false;
    }
    let mut prev = None;
    let mut run = 0u32;
    for c in password.chars() {
        if Some(c) == prev {
            run += 1;
        } else {
            prev = Some(c);
            run = 1;
        }
        if run > max {
            return false;
        }
    }
    true
}

/// A connection's password strength policy: a level plus an optional minimum-length override.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct PasswordPolicy {
    level: PolicyLevel,
    min_length: Option<u32>,
}

impl PasswordPolicy {
    /// A policy for `level`. `min_length` overrides the level's minimum and is clamped to 1–72.
    pub fn new(level: PolicyLevel, min_length: Option<u32>) -> Self {
        let min_length = min_length.map(|n| n.clamp(*MIN_LENGTH_RANGE.start(), *MIN_LENGTH_RANGE.end()));
        Self { level, min_length }
    }

    /// The policy's level.
    pub fn level(&self) -> PolicyLevel {
        self.level
    }

    /// The effective minimum length in characters.
    pub fn min_length(&self) -> u32 {
        self.min_length.unwrap_or_else(|| self.level.default_min_length())
    }

    fn rules(&self) -> Vec<Rule> {
        let mut rules = vec![Rule::Length(self.min_length())];
        match self.level {
            PolicyLevel::None | PolicyLevel::Low => {}
            PolicyLevel::Fair => rules.push(Rule::Contains(vec![
                CharClass::Lower,
                CharClass::Upper,
                CharClass::Number,
            ])),
            PolicyLevel::Good => rules.push(Rule::ContainsAtLeast(3, ALL_CLASSES.to_vec())),
            PolicyLevel::Excellent => {
                rules.push(Rule::ContainsAtLeast(3, ALL_CLASSES.to_vec()));
                rules.push(Rule::IdenticalChars(2));
            }
        }
        rules
    }

    /// The rules without verdicts (sheriff's `explain()`).
    pub fn explain(&self) -> Vec<RuleResult> {
        self.rules().iter().map(Rule::explain).collect()
    }

    /// Checks `password` and returns every rule with its verdict (sheriff's `missing()`).
    pub fn missing(&self, password: &str) -> Explanation {
        let rules: Vec<RuleResult> = self.rules().iter().map(|r| r.missing(password)).collect();
        let verified = rules.iter().all(|r| r.verified == Some(true));
        Explanation { rules, verified }
    }

    /// Whether `password` satisfies every rule.
    pub fn check(&self, password: &str) -> bool {
        self.rules().iter().all(|r| r.missing(password).verified == Some(true))
    }

    /// The policy as markdown bullets, sheriff's `toString()`: the `policy` field of
    /// `PasswordStrengthError` bodies.
    pub fn describe(&self) -> String {
        let mut lines = Vec::new();
        flat_descriptions(&self.explain(), 0, &mut lines);
        lines.join("\n")
    }
}

fn flat_descriptions(rules: &[RuleResult], depth: usize, out: &mut Vec<String>) {
    for r in rules {
        out.push(format!("{}* {}", " ".repeat(depth), r.formatted()));
        if let Some(items) = &r.items {
            flat_descriptions(items, depth + 1, out);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(level: PolicyLevel) -> PasswordPolicy {
        PasswordPolicy::new(level, None)
    }

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn none_needs_one_character() {
        assert!(!p(PolicyLevel::None).check(""));
        assert!(p(PolicyLevel::None).check("x"));
        let e = p(PolicyLevel::None).missing("");
        assert_eq!(e.rules[0].code, "nonEmpty");
        assert_eq!(e.rules[0].format, None);
    }

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn low_boundary_is_six() {
        assert!(!p(PolicyLevel::Low).check("abcde"));
        assert!(p(PolicyLevel::Low).check("abcdef"));
    }

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn fair_needs_all_three_classes() {
        let fair = p(PolicyLevel::Fair);
        assert!(!fair.check("abcdefg1"));
        assert!(!fair.check("Abcdefgh"));
        assert!(fair.check("Abcdefg1"));
        assert!(!fair.check("Abcdef1"), "7 characters is too short");
        let e = fair.missing("abc");
        assert_eq!(e.rules[1].code, "shouldContain");
        let items = e.rules[1].items.as_ref().unwrap();
        assert_eq!(items.len(), 3);
        assert_eq!(items[0].verified, Some(true));
        assert_eq!(items[1].verified, Some(false));
    }

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn good_needs_three_of_four() {
        let good = p(PolicyLevel::Good);
        assert!(!good.check("abcdefgh"));
        assert!(!good.check("abcdefg1"));
        assert!(good.check("abcdef1!"));
        assert!(good.check("ABCDEF1 "), "space is a special character");
        assert!(good.check("Abcdefg1"));
    }

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn excellent_limits_identical_runs() {
        let ex = p(PolicyLevel::Excellent);
        assert!(ex.check("Abcdefgh1!"));
        assert!(ex.check("Aabcdefg11"), "runs of two are fine");
        assert!(!ex.check("Abbbcdefg1"), "a run of three fails");
        assert!(!ex.check("Abcdefg111"));
        assert!(!ex.check("Abcdefg1!"), "nine characters");
        let e = ex.missing("x");
        assert_eq!(
            e.rules[2].format,
            Some(vec![FormatArg::Num(2), FormatArg::Str("aaa".into())])
        );
    }

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn identical_chars_is_case_sensitive() {
        assert!(identical_run_ok("aAa", 2));
        assert!(!identical_run_ok("", 2));
    }

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn min_length_override_and_clamp() {
        let good10 = PasswordPolicy::new(PolicyLevel::Good, Some(10));
        assert!(!good10.check("abcdef1!x"));
        assert!(good10.check("abcdef1!xy"));
        assert_eq!(PasswordPolicy::new(PolicyLevel::Low, Some(0)).min_length(), 1);
        assert_eq!(PasswordPolicy::new(PolicyLevel::Low, Some(500)).min_length(), 72);
        assert_eq!(
            PasswordPolicy::new(PolicyLevel::Good, Some(1)).explain()[0].code,
            "nonEmpty"
        );
    }

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn non_ascii_counts_scalars_and_no_class() {
        let low = p(PolicyLevel::Low);
        assert!(low.check("ééééé1"), "6 scalar values");
        assert!(!low.check("😀😀😀"), "3 emoji are 3 characters, not 6");
        let good = p(PolicyLevel::Good);
        assert!(!good.check("éééééé1A"), "é is neither lower case nor special");
    }

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn all_33_special_characters() {
        let specials = " !\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~";
        assert_eq!(specials.chars().count(), 33);
        for c in specials.chars() {
            assert!(CharClass::Special.matches(c), "{c:?}");
        }
        assert!(!CharClass::Special.matches('é'));
        assert!(!CharClass::Special.matches('\t'));
    }

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn description_matches_sheriff_to_string() {
        assert_eq!(
            p(PolicyLevel::Good).describe(),
            "* At least 8 characters in length\n\
             * Contain at least 3 of the following 4 types of characters:\n \
             * lower case letters (a-z)\n \
             * upper case letters (A-Z)\n \
             * numbers (i.e. 0-9)\n \
             * special characters (e.g. !@#$%^&*)"
        );
    }

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn missing_serializes_in_sheriff_shape() {
        let json = serde_json::to_value(p(PolicyLevel::Good).missing("abcdefgh")).unwrap();
        assert_eq!(
            json["rules"][0],
            serde_json::json!({"message":"At least %d characters in length","format":[8],"code":"lengthAtLeast","verified":true})
        );
        assert_eq!(json["rules"][1]["format"], serde_json::json!([3, 4]));
        assert_eq!(json["rules"][1]["verified"], false);
        assert_eq!(json["rules"][1]["items"][0]["verified"], true);
        assert_eq!(json["verified"], false);
    }

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn format_fills_in_order() {
        assert_eq!(
            format_message("%d of %d", &[FormatArg::Num(3), FormatArg::Num(4)]),
            "3 of 4"
        );
        assert_eq!(format_message("100%", &[]), "100%");
    }
}
