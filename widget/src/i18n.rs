//! Translations. English is built in; other languages are JSON packs served by the edge at
//! `/i18n/{lang}.json` (flat keys), so the core bundle stays small. Keys follow Lock's names where
//! Lock has one (`loginSubmitLabel`, `error.login.lock.invalid_email_password`,
//! `passwordStrength.lengthAtLeast`, …), so a Lock `languageDictionary` — nested or flat — overrides
//! strings here too. Password rule texts are keyed by the policy engine's rule codes, so the
//! checklist and the server's `invalid_password` errors always read the same. Error codes (the
//! shared [`ErrorCode`] type) map to messages through one table, [`ERRORS`].

use shared::password::{format_message, FormatArg};
use shared::wire::ErrorCode;

use crate::api::ApiFailure;
use crate::options::Dictionary;

/// Languages with a pack (plus `en`).
pub const LANGUAGES: [&str; 10] = ["en", "es", "fr", "de", "pt-br", "it", "ja", "zh", "ar", "ru"];

/// Languages written right to left.
pub fn is_rtl(lang: &str) -> bool {
    matches!(lang.split('-').next().unwrap_or(""), "ar" | "he" | "fa" | "ur")
}

/// The supported language closest to `tag` (`pt-BR` → `pt-br`, `de-AT` → `de`, `zh-Hans` → `zh`).
pub fn supported(tag: &str) -> Option<&'static str> {
    let tag = tag.trim().to_ascii_lowercase().replace('_', "-");
    LANGUAGES
        .iter()
        .find(|l| **l == tag)
        .or_else(|| LANGUAGES.iter().find(|l| **l == tag.split('-').next().unwrap_or("")))
        .or_else(|| {
            LANGUAGES
                .iter()
                .find(|l| l.starts_with(&format!("{}-", tag.split('-').next().unwrap_or(""))))
        })
        .copied()
}

const EN: &[(&str, &str)] = &[
    ("loginLabel", "Log in"),
    ("signUpLabel", "Sign up"),
    ("loginSubmitLabel", "Log in"),
    ("signUpSubmitLabel", "Sign up"),
    ("tabsLabel", "Log in or sign up"),
    ("emailLabel", "Email"),
    ("usernameLabel", "Username"),
    ("usernameOrEmailLabel", "Email or username"),
    ("passwordLabel", "Password"),
    ("newPasswordLabel", "New password"),
    ("confirmPasswordLabel", "Confirm new password"),
    ("showPassword", "Show"),
    ("hidePassword", "Hide"),
    ("forgotPasswordAction", "Don't remember your password?"),
    ("forgotPasswordTitle", "Reset your password"),
    (
        "forgotPasswordInstructions",
        "Enter your email address and we will send you a link to choose a new password.",
    ),
    ("forgotPasswordSubmitLabel", "Send email"),
    ("backToLogin", "Back to log in"),
    ("resetTitle", "Choose a new password"),
    ("resetFor", "For %s"),
    ("resetSubmitLabel", "Set new password"),
    ("passwordsDoNotMatch", "The passwords do not match."),
    ("linkExpiredTitle", "Link expired"),
    (
        "linkExpired",
        "This link is invalid, was already used or has expired. Please request a new one.",
    ),
    ("loading", "Loading…"),
    ("busy.login", "Logging in…"),
    ("busy.signUp", "Signing up…"),
    ("busy.forgotPassword", "Sending…"),
    ("busy.reset", "Saving…"),
    ("success.logIn", "Thanks for logging in."),
    ("success.signUp", "Thanks for signing up! The account %s was created."),
    (
        "success.forgotPassword",
        "We've just sent you an email to reset your password.",
    ),
    (
        "success.reset",
        "Your password was changed. You can log in with it now.",
    ),
    ("invalidEmail", "Enter a valid email address."),
    ("requiredField", "This field is required."),
    (
        "usernameFormatErrorHint",
        "Use %d-%d letters, numbers and the characters _ . + - ! # $ ^ ` ~ @ '",
    ),
    ("passwordRequirements", "Password requirements"),
    ("ruleMet", "Met:"),
    ("ruleNotMet", "Not met:"),
    ("signUpTerms", "I agree to the terms of service and the privacy policy."),
    ("mustAcceptTerms", "Please accept the terms to sign up."),
    ("socialLoginButton", "Continue with %s"),
    ("separatorText", "or"),
    ("closeLabel", "Close"),
    ("notConfigured", "This application is not configured for log in."),
    ("passwordStrength.nonEmpty", "Non-empty password required"),
    ("passwordStrength.lengthAtLeast", "At least %d characters in length"),
    ("passwordStrength.shouldContain", "Should contain:"),
    (
        "passwordStrength.containsAtLeast",
        "Contain at least %d of the following %d types of characters:",
    ),
    ("passwordStrength.lowerCase", "lower case letters (a-z)"),
    ("passwordStrength.upperCase", "upper case letters (A-Z)"),
    ("passwordStrength.numbers", "numbers (i.e. 0-9)"),
    (
        "passwordStrength.specialCharacters",
        "special characters (e.g. !@#$%^&*)",
    ),
    (
        "passwordStrength.identicalChars",
        "No more than %d identical characters in a row (e.g., \"%s\" not allowed)",
    ),
    ("error.login.lock.invalid_email_password", "Wrong email or password."),
    (
        "error.login.lock.invalid_username_password",
        "Wrong username or password.",
    ),
    (
        "error.login.too_many_attempts",
        "Your account has been blocked after multiple consecutive login attempts.",
    ),
    ("error.login.blocked_user", "This account is blocked."),
    (
        "error.login.too_many_requests",
        "Too many attempts. Please wait a moment and try again.",
    ),
    (
        "error.login.session_missing",
        "Your login session expired. Please try again.",
    ),
    (
        "error.login.temporarily_unavailable",
        "The user store is unavailable. Please try again later.",
    ),
    (
        "error.login.lock.network",
        "We could not reach the server. Check your connection and try again.",
    ),
    ("error.login.lock.fallback", "Something went wrong. Please try again."),
    ("error.signUp.password_strength_error", "Password is too weak."),
    ("error.signUp.password_dictionary_error", "Password is too common."),
    (
        "error.signUp.password_no_user_info_error",
        "Password is based on user information.",
    ),
    (
        "error.signUp.password_history_error",
        "Password has previously been used.",
    ),
    ("error.signUp.user_exists", "The user already exists."),
    ("error.signUp.username_exists", "The username already exists."),
    (
        "error.signUp.invalid_signup",
        "We could not sign you up. If you already have an account, log in instead.",
    ),
    (
        "error.signUp.signup_disabled",
        "Sign-ups are disabled for this application.",
    ),
    ("error.signUp.invalid_request", "Please check the fields and try again."),
    (
        "error.signUp.too_many_requests",
        "Too many attempts. Please wait a moment and try again.",
    ),
    (
        "error.signUp.lock.network",
        "We could not reach the server. Check your connection and try again.",
    ),
    ("error.signUp.lock.fallback", "Something went wrong. Please try again."),
    (
        "error.forgotPassword.too_many_requests",
        "You have requested too many resets. Please wait a few minutes.",
    ),
    (
        "error.forgotPassword.lock.network",
        "We could not reach the server. Check your connection and try again.",
    ),
    (
        "error.forgotPassword.lock.fallback",
        "Something went wrong. Please try again.",
    ),
    ("passwordlessAction", "Log in with a code sent by email"),
    ("passwordlessTitle", "Log in without a password"),
    (
        "passwordlessInstructions",
        "Enter your email address and we will send you a code. New here? The code signs you up.",
    ),
    (
        "passwordlessLinkInstructions",
        "Enter your email address and we will send you a link. New here? The link signs you up.",
    ),
    ("passwordlessSendCode", "Send code"),
    ("passwordlessSendLink", "Send link"),
    ("codeTitle", "Enter your code"),
    ("codeSent", "We sent a code to %s."),
    ("codeLabel", "Code"),
    ("codeSubmitLabel", "Continue"),
    ("linkTitle", "Check your email"),
    (
        "linkSent",
        "We sent a link to %s. Open it on this device to log in; it works once.",
    ),
    ("resendCode", "Send a new one"),
    ("resendIn", "You can ask for a new one in %d s."),
    ("useOtherEmail", "Use another email address"),
    ("usePassword", "Log in with a password"),
    ("busy.passwordless", "Sending…"),
    ("busy.code", "Checking…"),
    ("success.passwordlessSent", "Sent."),
    (
        "error.passwordless.invalid_code",
        "Wrong or expired code. Try again, or ask for a new one.",
    ),
    ("error.passwordless.blocked_user", "This account is blocked."),
    (
        "error.passwordless.too_many_attempts",
        "Too many wrong codes: this address is blocked for now.",
    ),
    (
        "error.passwordless.too_many_requests",
        "Too many attempts. Please wait a moment and try again.",
    ),
    (
        "error.passwordless.session_missing",
        "Your login session expired. Please try again.",
    ),
    (
        "error.passwordless.signup_disabled",
        "Sign-ups are disabled for this application.",
    ),
    (
        "error.passwordless.temporarily_unavailable",
        "The service is busy. Please try again in a moment.",
    ),
    (
        "error.passwordless.lock.network",
        "We could not reach the server. Check your connection and try again.",
    ),
    (
        "error.passwordless.lock.fallback",
        "Something went wrong. Please try again.",
    ),
    ("passkeyLogin", "Continue with a passkey"),
    ("passkeySignup", "Sign up with a passkey"),
    ("passkeyCancelled", "The passkey request was cancelled or timed out."),
    ("busy.passkey", "Waiting for your passkey…"),
    ("enrollTitle", "Log in faster next time"),
    (
        "enrollHint",
        "Add a passkey: your device unlocks it with your face, fingerprint or screen lock, and there is no password to type.",
    ),
    ("enrollAction", "Add a passkey"),
    ("enrollSkip", "Not now"),
    ("passkeysTitle", "Your passkeys"),
    ("passkeysHint", "Log in with your face, fingerprint or screen lock instead of a password."),
    ("passkeysEmpty", "You have no passkeys yet."),
    ("passkeysAdd", "Add a passkey"),
    ("passkeysAddedNow", "Passkey added."),
    ("passkeysAdded", "Added %s"),
    ("passkeysLastUsed", "last used %s"),
    ("passkeysNeverUsed", "not used yet"),
    ("passkeysRemove", "Remove"),
    ("passkeysRemoveConfirm", "Remove this passkey? You will no longer be able to log in with it."),
    ("passkeysRemoveYes", "Remove passkey"),
    ("passkeysCancel", "Cancel"),
    ("passkeysRemoved", "Passkey removed."),
    ("passkeysRelogin", "For your security, log in again to add or remove a passkey."),
    ("passkeysLast", "This passkey is your only way to log in: add another one first."),
    ("passkeysSignedOut", "Your session has ended. Log in again to manage your passkeys."),
    ("error.passkey.refused", "This passkey could not be used here. Try another way to log in."),
    (
        "error.passkey.invalid_signup",
        "We could not sign you up. If you already have an account, log in instead.",
    ),
    ("error.passkey.signup_disabled", "Sign-ups are disabled for this application."),
    ("error.passkey.blocked_user", "This account is blocked."),
    (
        "error.passkey.too_many_attempts",
        "Too many attempts: logins from here are blocked for now.",
    ),
    (
        "error.passkey.too_many_requests",
        "Too many attempts. Please wait a moment and try again.",
    ),
    (
        "error.passkey.session_missing",
        "Your login session expired. Please try again.",
    ),
    (
        "error.passkey.temporarily_unavailable",
        "The service is busy. Please try again in a moment.",
    ),
    (
        "error.passkey.lock.network",
        "We could not reach the server. Check your connection and try again.",
    ),
    ("error.passkey.lock.fallback", "Something went wrong. Please try again."),
    ("mfaTitle", "Verify it's you"),
    ("mfaOtpPrompt", "Enter the 6-digit code from your authenticator app."),
    ("mfaEnrollTitle", "Add a second step"),
    ("mfaEnrollOtp", "Scan this QR code with an authenticator app (or type the key), then enter the 6-digit code it shows."),
    ("mfaQrAlt", "QR code for your authenticator app"),
    ("mfaKeyLabel", "Key"),
    ("mfaEmailSent", "We sent a code to your email address. Enter it below."),
    ("mfaCodeLabel", "Code"),
    ("mfaVerify", "Verify"),
    ("mfaRemember", "Remember this browser for {days} days"),
    ("busy.mfa", "Checking…"),
    ("mfaLoading", "Preparing your second step…"),
    ("mfaRecoverySave", "Save this recovery code somewhere safe. It lets you in if you lose access to your second step, and it is shown only once."),
    ("mfaUseRecovery", "Use a recovery code"),
    ("mfaRecoveryPrompt", "Enter your recovery code."),
    ("mfaRecoveryLabel", "Recovery code"),
    ("mfaNewRecoveryTitle", "Your new recovery code"),
    ("mfaContinue", "Continue"),
    ("mfaKeyEnroll", "Add a security key or passkey"),
    ("mfaKeyUse", "Use a security key or passkey"),
    ("mfaKeyHint", "Use the security key or passkey you added to this account."),
    ("mfaKeyEnrollHint", "Add a security key, or a passkey on this device, as your second step."),
    ("error.mfa.invalid_code", "That code is not right. Try again."),
    ("error.mfa.expired", "This took too long. Please log in again."),
    ("error.mfa.refused", "The second step could not be set up here. Please contact the site's support."),
    ("error.mfa.too_many_attempts", "Too many wrong codes. Please wait a while and try again."),
    ("error.mfa.too_many_requests", "Too many attempts. Please wait a moment and try again."),
    ("error.mfa.lock.network", "We could not reach the server. Check your connection and try again."),
    ("error.mfa.lock.fallback", "Something went wrong. Please try again."),
];

/// A language's strings: English underneath, a pack over it, the page's overrides on top.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct I18n {
    /// Language tag in use (`en`, `ar`, …).
    pub lang: String,
    /// Dotted key → text; later entries win (pack, then overrides). A list, not a map: a few
    /// hundred entries read a handful of times.
    strings: Vec<(String, String)>,
}

/// Which form a message is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Form {
    /// Log in (`error.login.*`).
    Login,
    /// Sign up and reset (`error.signUp.*`).
    SignUp,
    /// Forgot password (`error.forgotPassword.*`).
    ForgotPassword,
    /// Passwordless codes and links (`error.passwordless.*`): the login messages, but a wrong
    /// code is a wrong code, and the first code may be a sign-up.
    Passwordless,
    /// Passkeys (`error.passkey.*`): a refused passkey, a taken address at a passkey sign-up.
    Passkey,
    /// The second factor (`error.mfa.*`): a wrong code, an expired step.
    Mfa,
}

impl Form {
    fn prefix(self) -> &'static str {
        match self {
            Form::Login => "error.login",
            Form::SignUp => "error.signUp",
            Form::ForgotPassword => "error.forgotPassword",
            Form::Passwordless => "error.passwordless",
            Form::Passkey => "error.passkey",
            Form::Mfa => "error.mfa",
        }
    }
}

/// An error code and the keys of its message for log in, sign-up (and reset), forgot password.
pub type Messages = (
    ErrorCode,
    Option<&'static str>,
    Option<&'static str>,
    Option<&'static str>,
);

/// The one table from the edge's error codes to the keys of each form's message (Lock's keys);
/// a form without an entry shows its fallback (`lock.fallback`). A wrong identifier or password
/// reads "username" instead of "email" on connections with usernames; a blocked user and the
/// password errors are refined by the description and the error `name` (see [`I18n::error`]).
pub const ERRORS: &[Messages] = &[
    // (code, login, sign-up / reset, forgot password)
    (ErrorCode::InvalidGrant, Some("lock.invalid_email_password"), None, None),
    (ErrorCode::AccessDenied, Some("lock.invalid_email_password"), None, None),
    (
        ErrorCode::InvalidUserPassword,
        Some("lock.invalid_email_password"),
        None,
        None,
    ),
    (ErrorCode::Unauthorized, Some("blocked_user"), None, None),
    (
        ErrorCode::InvalidRequest,
        Some("session_missing"),
        Some("invalid_request"),
        None,
    ),
    (ErrorCode::TooManyAttempts, Some("too_many_attempts"), None, None),
    (
        ErrorCode::TooManyRequests,
        Some("too_many_requests"),
        Some("too_many_requests"),
        Some("too_many_requests"),
    ),
    (
        ErrorCode::TemporarilyUnavailable,
        Some("temporarily_unavailable"),
        None,
        None,
    ),
    (ErrorCode::InvalidPassword, None, Some("password_strength_error"), None),
    (ErrorCode::SignupDisabled, None, Some("signup_disabled"), None),
    (ErrorCode::UserExists, None, Some("user_exists"), None),
    (ErrorCode::UsernameExists, None, Some("username_exists"), None),
    (ErrorCode::InvalidSignup, None, Some("invalid_signup"), None),
];

impl I18n {
    /// English.
    pub fn english() -> Self {
        Self {
            lang: "en".into(),
            strings: Vec::new(),
        }
    }

    /// `lang` with its pack and the page's `languageDictionary` overrides (both flattened to
    /// dotted keys when read, see [`Dictionary`]).
    pub fn new(lang: &str, pack: Option<&Dictionary>, overrides: Option<&Dictionary>) -> Self {
        let mut strings = Vec::new();
        for dict in [pack, overrides].into_iter().flatten() {
            strings.extend(dict.0.iter().cloned());
        }
        Self {
            lang: lang.to_owned(),
            strings,
        }
    }

    /// The text for `key`, or the key itself when no dictionary has it.
    pub fn t(&self, key: &str) -> String {
        self.strings
            .iter()
            .rev()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.clone())
            .or_else(|| EN.iter().find(|(k, _)| *k == key).map(|(_, v)| (*v).to_owned()))
            .unwrap_or_else(|| key.to_owned())
    }

    /// `t(key)` with `%d`/`%s` placeholders filled.
    pub fn tf(&self, key: &str, args: &[FormatArg]) -> String {
        format_message(&self.t(key), args)
    }

    /// A password rule's text (by rule code), falling back to the server's English message.
    pub fn rule(&self, code: &str, fallback: &str, args: &[FormatArg]) -> String {
        let key = format!("passwordStrength.{code}");
        let text = self.t(&key);
        format_message(if text == key { fallback } else { &text }, args)
    }

    /// The message for a failed request of `form`, from [`ERRORS`]; `by_username` for
    /// connections that log in with usernames.
    pub fn error(&self, form: Form, failure: &ApiFailure, by_username: bool) -> String {
        let code = failure.code();
        // A pre-registration hook words its refusal for the person itself (as Lock shows it).
        if code == Some(ErrorCode::HookError) {
            let text = failure.description();
            if !text.trim().is_empty() {
                return text;
            }
        }
        let entry = ERRORS
            .iter()
            .find(|(c, ..)| Some(*c) == code)
            .and_then(|(_, login, signup, forgot)| match form {
                Form::Login => *login,
                Form::SignUp => *signup,
                Form::ForgotPassword => *forgot,
                Form::Passwordless => match login {
                    Some("lock.invalid_email_password") => Some("invalid_code"),
                    None => signup.filter(|k| *k == "signup_disabled"),
                    other => *other,
                },
                Form::Passkey => match login {
                    Some("lock.invalid_email_password") => Some("refused"),
                    None => signup.filter(|k| matches!(*k, "signup_disabled" | "invalid_signup")),
                    other => *other,
                },
                Form::Mfa => match code {
                    Some(ErrorCode::InvalidGrant) => Some("invalid_code"),
                    Some(ErrorCode::AccessDenied) => Some("refused"),
                    _ => login.filter(|k| matches!(*k, "too_many_attempts" | "too_many_requests")),
                },
            })
            .or(match (form, code) {
                (Form::Mfa, Some(ErrorCode::ExpiredToken)) => Some("expired"),
                _ => None,
            });
        let key = match (entry, failure) {
            (Some("lock.invalid_email_password"), _) if by_username => "lock.invalid_username_password",
            (Some("blocked_user"), f) if !f.description().contains("blocked") => "lock.fallback",
            (Some("password_strength_error"), f) => match f.name() {
                Some("PasswordDictionaryError") => "password_dictionary_error",
                Some("PasswordNoUserInfoError") => "password_no_user_info_error",
                Some("PasswordHistoryError") => "password_history_error",
                _ => "password_strength_error",
            },
            (Some(key), _) => key,
            (None, ApiFailure::Network) => "lock.network",
            (None, _) => "lock.fallback",
        };
        self.t(&format!("{}.{key}", form.prefix()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{json, Value};
    use shared::wire::ErrorBody;

    fn map(v: Value) -> Dictionary {
        serde_json::from_value(v).unwrap()
    }

    fn failure(body: Value) -> ApiFailure {
        ApiFailure::Server {
            status: 400,
            body: serde_json::from_value::<ErrorBody>(body).unwrap(),
        }
    }

    #[test]
    fn picks_supported_languages() {
        assert_eq!(supported("pt-BR"), Some("pt-br"));
        assert_eq!(supported("de-AT"), Some("de"));
        assert_eq!(supported("pt"), Some("pt-br"));
        assert_eq!(supported("zh_Hans"), Some("zh"));
        assert_eq!(supported("tlh"), None);
        assert!(is_rtl("ar") && !is_rtl("fr"));
    }

    #[test]
    fn overrides_nested_or_flat_over_packs_over_english() {
        let pack = map(json!({"loginSubmitLabel": "Entrar", "passwordLabel": "Contraseña"}));
        let overrides =
            map(json!({"loginSubmitLabel": "Acceder", "error": {"login": {"lock.invalid_email_password": "¡No!"}}}));
        let i = I18n::new("es", Some(&pack), Some(&overrides));
        assert_eq!(i.t("loginSubmitLabel"), "Acceder");
        assert_eq!(i.t("passwordLabel"), "Contraseña");
        assert_eq!(i.t("emailLabel"), "Email", "English underneath");
        let wrong = failure(json!({"error": "invalid_grant", "error_description": "Wrong email or password."}));
        assert_eq!(i.error(Form::Login, &wrong, false), "¡No!");
    }

    fn placeholders(s: &str) -> Vec<&str> {
        s.match_indices("%d")
            .chain(s.match_indices("%s"))
            .collect::<std::collections::BTreeMap<_, _>>()
            .into_values()
            .collect()
    }

    #[test]
    fn every_pack_translates_every_key_with_the_same_placeholders() {
        let packs = [
            ("es", include_str!("../i18n/es.json")),
            ("fr", include_str!("../i18n/fr.json")),
            ("de", include_str!("../i18n/de.json")),
            ("pt-br", include_str!("../i18n/pt-br.json")),
            ("it", include_str!("../i18n/it.json")),
            ("ja", include_str!("../i18n/ja.json")),
            ("zh", include_str!("../i18n/zh.json")),
            ("ar", include_str!("../i18n/ar.json")),
            ("ru", include_str!("../i18n/ru.json")),
        ];
        assert_eq!(packs.len() + 1, LANGUAGES.len());
        for (lang, text) in packs {
            assert!(LANGUAGES.contains(&lang));
            let pack: Dictionary = serde_json::from_str(text).unwrap();
            assert_eq!(pack.0.len(), EN.len(), "{lang}: same number of keys");
            let i = I18n::new(lang, Some(&pack), None);
            for (key, english) in EN {
                let own = pack.get(key);
                assert!(own.is_some_and(|t| !t.is_empty()), "{lang}: {key} missing");
                assert_eq!(
                    placeholders(&i.t(key)),
                    placeholders(english),
                    "{lang}: {key} placeholders"
                );
            }
        }
    }

    #[test]
    fn rules_and_errors_from_one_table() {
        let i = I18n::english();
        assert_eq!(
            i.rule("lengthAtLeast", "x", &[FormatArg::Num(8)]),
            "At least 8 characters in length"
        );
        assert_eq!(i.rule("brandNew", "Server text", &[]), "Server text");
        let dictionary = failure(json!({"name": "PasswordDictionaryError", "code": "invalid_password"}));
        assert_eq!(i.error(Form::SignUp, &dictionary, false), "Password is too common.");
        let wrong = failure(json!({"error": "invalid_grant"}));
        assert_eq!(i.error(Form::Login, &wrong, true), "Wrong username or password.");
        let blocked = failure(json!({"error": "unauthorized", "error_description": "user is blocked"}));
        assert_eq!(i.error(Form::Login, &blocked, false), "This account is blocked.");
        let unknown = failure(json!({"code": "something_new"}));
        assert_eq!(
            i.error(Form::SignUp, &unknown, false),
            "Something went wrong. Please try again."
        );
        assert_eq!(
            i.error(Form::ForgotPassword, &ApiFailure::Network, false),
            "We could not reach the server. Check your connection and try again."
        );
        // Every key the table names exists in English.
        for (code, login, signup, forgot) in ERRORS {
            for (form, key) in [
                (Form::Login, login),
                (Form::SignUp, signup),
                (Form::ForgotPassword, forgot),
            ] {
                if let Some(key) = key {
                    let full = format!("{}.{key}", form.prefix());
                    assert_ne!(i.t(&full), full, "{code:?}: {full}");
                }
            }
        }
    }
}
