//! Options of one widget instance, in Lock's names (camelCase JSON), from `LoginWidget.mount`,
//! the `Auth0Lock` facade, or the host's `data-tollgate-*` attributes.

use serde::Deserialize;
use serde_json::Value;

/// `prefill`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct Prefill {
    /// Email.
    #[serde(default)]
    pub email: Option<String>,
    /// Username.
    #[serde(default)]
    pub username: Option<String>,
}

/// One option of a `select` field.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct SelectOption {
    /// Submitted value.
    pub value: String,
    /// Shown label.
    pub label: String,
}

/// An `additionalSignUpFields` entry.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct ExtraField {
    /// `^[a-zA-Z0-9_]+$`, not `email`, `username` or `password`.
    pub name: String,
    /// Label (Lock calls it placeholder).
    #[serde(default)]
    pub placeholder: Option<String>,
    /// `text` (default), `select`, `checkbox` or `hidden`.
    #[serde(default, rename = "type")]
    pub kind: Option<String>,
    /// Choices of a `select`.
    #[serde(default)]
    pub options: Vec<SelectOption>,
    /// Initial value (string; `"true"` for a checked checkbox).
    #[serde(default)]
    pub prefill: Option<Value>,
    /// Value of a `hidden` field.
    #[serde(default)]
    pub value: Option<Value>,
    /// `root` stores the value at the user's root instead of `user_metadata`.
    #[serde(default)]
    pub storage: Option<String>,
    /// Set by the loader when the page gave a `validator` function.
    #[serde(default)]
    pub has_validator: bool,
}

impl ExtraField {
    /// Whether the field name is acceptable (Lock's rule).
    pub fn valid_name(&self) -> bool {
        !self.name.is_empty()
            && self.name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
            && !matches!(self.name.as_str(), "email" | "username" | "password")
    }

    /// The kind, defaulting to `text`.
    pub fn kind(&self) -> &str {
        self.kind.as_deref().unwrap_or("text")
    }
}

/// `flashMessage`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Flash {
    /// `error`, `success` or `info`.
    #[serde(rename = "type", default)]
    pub kind: String,
    /// Text.
    pub text: String,
}

/// `auth`: how an embedded login continues.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AuthOptions {
    /// Where `/authorize` sends the browser back (redirect mode). Without it the widget logs in
    /// with the password-realm grant and hands the tokens to the page (`authenticated` event).
    #[serde(default)]
    pub redirect_url: Option<String>,
    /// `token id_token` by default, `code` when a redirect URL is given (Lock's defaults).
    #[serde(default)]
    pub response_type: Option<String>,
    /// Extra authorize parameters (`scope`, …).
    #[serde(default)]
    pub params: Option<Value>,
    /// API audience.
    #[serde(default)]
    pub audience: Option<String>,
    /// `state` (the facade makes one).
    #[serde(default)]
    pub state: Option<String>,
    /// `nonce` (the facade makes one).
    #[serde(default)]
    pub nonce: Option<String>,
    /// `false`: no redirect — log in in place with the password-realm grant and hand the tokens
    /// to the page (Lock uses a popup for this; an embedded form needs none).
    #[serde(default)]
    pub redirect: Option<bool>,
}

/// `theme`: colors go to CSS custom properties (set by the loader); the logo is rendered here.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Theme {
    /// Logo URL shown above the form.
    #[serde(default)]
    pub logo: Option<String>,
    /// Title next to the logo (Lock's `languageDictionary.title` also works).
    #[serde(default)]
    pub title: Option<String>,
}

/// Everything `LoginWidget.mount(target, options)` accepts.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WidgetOptions {
    /// Application client id.
    #[serde(default, alias = "clientID")]
    pub client_id: String,
    /// Edge origin (`https://auth.example.com`); this page's origin when empty.
    #[serde(default)]
    pub domain: String,
    /// Database connection name (else the client's first).
    #[serde(default, alias = "defaultDatabaseConnection")]
    pub connection: Option<String>,
    /// Language tag (else the browser's).
    #[serde(default)]
    pub language: Option<String>,
    /// String overrides (flat or Lock's nested shape).
    #[serde(default)]
    pub language_dictionary: Option<Value>,
    /// `login`, `signUp` or `forgotPassword`.
    #[serde(default)]
    pub initial_screen: Option<String>,
    /// Prefilled identifiers.
    #[serde(default)]
    pub prefill: Prefill,
    /// Offer sign-up (the connection's `disable_signup` wins).
    #[serde(default = "yes")]
    pub allow_sign_up: bool,
    /// Offer forgot-password.
    #[serde(default = "yes")]
    pub allow_forgot_password: bool,
    /// Offer the show-password toggle.
    #[serde(default = "yes")]
    pub allow_show_password: bool,
    /// A terms checkbox that must be ticked to sign up.
    #[serde(default)]
    pub must_accept_terms: bool,
    /// Extra sign-up fields.
    #[serde(default)]
    pub additional_sign_up_fields: Vec<ExtraField>,
    /// A message shown above the form.
    #[serde(default)]
    pub flash_message: Option<Flash>,
    /// Log in right after a sign-up.
    #[serde(default = "yes")]
    pub login_after_sign_up: bool,
    /// How an embedded login continues.
    #[serde(default)]
    pub auth: AuthOptions,
    /// Hosted page: the authorization transaction.
    #[serde(default)]
    pub authorize_tx: Option<String>,
    /// Only these connections (database and social) are offered.
    #[serde(default)]
    pub allowed_connections: Option<Vec<String>>,
    /// Logo and title.
    #[serde(default)]
    pub theme: Theme,
    /// Where the language packs are (`{assetBase}/i18n/{lang}.json`); the loader sets it to the
    /// widget script's origin.
    #[serde(default)]
    pub asset_base: Option<String>,
    /// Instance id, set by the loader: events go to `[data-tollgate-instance=ID]`.
    #[serde(default)]
    pub instance: String,
}

fn yes() -> bool {
    true
}

impl Default for WidgetOptions {
    /// The defaults of an empty options object (sign-up, forgot-password and show-password on).
    fn default() -> Self {
        serde_json::from_str("{}").unwrap_or_else(|_| unreachable!("every field has a default"))
    }
}

impl WidgetOptions {
    /// Options from JSON text.
    pub fn from_json(text: &str) -> Result<Self, String> {
        serde_json::from_str(text).map_err(|e| e.to_string())
    }

    /// Whether connection `name` may be offered.
    pub fn allows(&self, name: &str) -> bool {
        self.allowed_connections
            .as_ref()
            .is_none_or(|a| a.iter().any(|c| c == name))
    }

    /// The edge origin without trailing slash.
    pub fn api_base(&self) -> String {
        self.domain.trim_end_matches('/').to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lock_style_options() {
        let o = WidgetOptions::from_json(
            r#"{"clientId":"c","language":"ar","allowSignUp":false,"prefill":{"email":"a@b.co"},
                "additionalSignUpFields":[{"name":"plan","type":"select","options":[{"value":"f","label":"Free"}],"storage":"root"}],
                "flashMessage":{"type":"info","text":"Hi"},"auth":{"redirectUrl":"https://app/cb","responseType":"code"}}"#,
        )
        .unwrap();
        assert!(!o.allow_sign_up && o.allow_forgot_password);
        assert_eq!(o.prefill.email.as_deref(), Some("a@b.co"));
        assert_eq!(o.additional_sign_up_fields[0].kind(), "select");
        assert_eq!(o.auth.redirect_url.as_deref(), Some("https://app/cb"));
        let bad = ExtraField {
            name: "email".into(),
            placeholder: None,
            kind: None,
            options: vec![],
            prefill: None,
            value: None,
            storage: None,
            has_validator: false,
        };
        assert!(!bad.valid_name());
    }
}
