//! Options of one widget instance, in Lock's names (camelCase JSON), from `LoginWidget.mount`,
//! the `Auth0Lock` facade, or the host's `data-tollgate-*` attributes. Read with serde, leniently
//! as Lock does: anything missing or of the wrong type takes its default.

use serde::de::{DeserializeOwned, Deserializer};
use serde::Deserialize;
use serde_json::{Map, Value};

/// A field that falls back to its default when the page gave a value of another type.
fn lenient<'de, D: Deserializer<'de>, T: DeserializeOwned + Default>(d: D) -> Result<T, D::Error> {
    Ok(serde_json::from_value(Value::deserialize(d)?).unwrap_or_default())
}

/// A string, or a number or boolean written as one (`prefill: 3`).
fn text<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    Ok(as_text(&Value::deserialize(d)?))
}

fn as_text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// `prefill`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default)]
pub struct Prefill {
    /// Email.
    #[serde(deserialize_with = "text")]
    pub email: Option<String>,
    /// Username.
    #[serde(deserialize_with = "text")]
    pub username: Option<String>,
}

/// One option of a `select` field.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default)]
pub struct SelectOption {
    /// Submitted value.
    #[serde(deserialize_with = "text")]
    pub value: Option<String>,
    /// Shown label.
    #[serde(deserialize_with = "text")]
    pub label: Option<String>,
}

/// An `additionalSignUpFields` entry.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default)]
pub struct ExtraField {
    /// `^[a-zA-Z0-9_]+$`, not `email`, `username` or `password`.
    #[serde(deserialize_with = "lenient")]
    pub name: String,
    /// Label (Lock calls it placeholder).
    #[serde(deserialize_with = "text")]
    pub placeholder: Option<String>,
    /// `text` (default), `select`, `checkbox` or `hidden`.
    #[serde(rename = "type", deserialize_with = "text")]
    pub kind: Option<String>,
    /// Choices of a `select`.
    #[serde(deserialize_with = "lenient")]
    pub options: Vec<SelectOption>,
    /// Initial value (string; `"true"` for a checked checkbox).
    #[serde(deserialize_with = "text")]
    pub prefill: Option<String>,
    /// Value of a `hidden` field.
    #[serde(deserialize_with = "text")]
    pub value: Option<String>,
    /// `root` stores the value at the user's root instead of `user_metadata`.
    #[serde(deserialize_with = "text")]
    pub storage: Option<String>,
    /// Set by the loader when the page gave a `validator` function.
    #[serde(deserialize_with = "lenient")]
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
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default)]
pub struct Flash {
    /// `error`, `success` or `info`.
    #[serde(rename = "type", deserialize_with = "lenient")]
    pub kind: String,
    /// Text.
    #[serde(deserialize_with = "text")]
    pub text: Option<String>,
}

/// `auth`: how an embedded login continues.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct AuthOptions {
    /// Where `/authorize` sends the browser back (redirect mode). Without it the widget logs in
    /// with the password-realm grant and hands the tokens to the page (`authenticated` event).
    #[serde(deserialize_with = "text")]
    pub redirect_url: Option<String>,
    /// `token id_token` by default, `code` when a redirect URL is given (Lock's defaults).
    #[serde(deserialize_with = "text")]
    pub response_type: Option<String>,
    /// Extra authorize parameters (`scope`, …).
    #[serde(deserialize_with = "lenient")]
    pub params: Map<String, Value>,
    /// API audience.
    #[serde(deserialize_with = "text")]
    pub audience: Option<String>,
    /// `state` (the facade makes one).
    #[serde(deserialize_with = "text")]
    pub state: Option<String>,
    /// `nonce` (the facade makes one).
    #[serde(deserialize_with = "text")]
    pub nonce: Option<String>,
    /// `false`: no redirect — log in in place with the password-realm grant and hand the tokens
    /// to the page (Lock uses a popup for this; an embedded form needs none).
    #[serde(deserialize_with = "lenient")]
    pub redirect: Option<bool>,
}

impl AuthOptions {
    /// The extra authorize parameters as text (numbers and booleans written out).
    pub fn params(&self) -> Vec<(String, String)> {
        self.params
            .iter()
            .filter_map(|(k, v)| as_text(v).map(|t| (k.clone(), t)))
            .collect()
    }
}

/// `theme`: colors go to CSS custom properties (set by the loader); the logo is rendered here.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default)]
pub struct Theme {
    /// Logo URL shown above the form.
    #[serde(deserialize_with = "text")]
    pub logo: Option<String>,
    /// Title next to the logo (Lock's `languageDictionary.title` also works).
    #[serde(deserialize_with = "text")]
    pub title: Option<String>,
}

/// Everything `LoginWidget.mount(target, options)` accepts.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct WidgetOptions {
    /// Application client id.
    #[serde(alias = "clientID", deserialize_with = "lenient")]
    pub client_id: String,
    /// Edge origin (`https://auth.example.com`); this page's origin when empty.
    #[serde(deserialize_with = "lenient")]
    pub domain: String,
    /// Database connection name (else the client's first).
    #[serde(alias = "defaultDatabaseConnection", deserialize_with = "text")]
    pub connection: Option<String>,
    /// Language tag (else the browser's).
    #[serde(deserialize_with = "text")]
    pub language: Option<String>,
    /// String overrides (flat or Lock's nested shape).
    #[serde(deserialize_with = "lenient")]
    pub language_dictionary: Option<Map<String, Value>>,
    /// `login`, `signUp` or `forgotPassword`.
    #[serde(deserialize_with = "text")]
    pub initial_screen: Option<String>,
    /// Prefilled identifiers.
    #[serde(deserialize_with = "lenient")]
    pub prefill: Prefill,
    /// Offer sign-up (default on; the connection's `disable_signup` wins).
    #[serde(deserialize_with = "lenient")]
    pub allow_sign_up: Option<bool>,
    /// Offer forgot-password (default on).
    #[serde(deserialize_with = "lenient")]
    pub allow_forgot_password: Option<bool>,
    /// Offer the show-password toggle (default on).
    #[serde(deserialize_with = "lenient")]
    pub allow_show_password: Option<bool>,
    /// A terms checkbox that must be ticked to sign up.
    #[serde(deserialize_with = "lenient")]
    pub must_accept_terms: bool,
    /// Extra sign-up fields.
    #[serde(deserialize_with = "lenient")]
    pub additional_sign_up_fields: Vec<ExtraField>,
    /// A message shown above the form.
    #[serde(deserialize_with = "lenient")]
    pub flash_message: Option<Flash>,
    /// Log in right after a sign-up (default on).
    #[serde(deserialize_with = "lenient")]
    pub login_after_sign_up: Option<bool>,
    /// How an embedded login continues.
    #[serde(deserialize_with = "lenient")]
    pub auth: AuthOptions,
    /// Hosted page: the authorization transaction.
    #[serde(deserialize_with = "text")]
    pub authorize_tx: Option<String>,
    /// Only these connections (database and social) are offered.
    #[serde(deserialize_with = "lenient")]
    pub allowed_connections: Option<Vec<String>>,
    /// Logo and title.
    #[serde(deserialize_with = "lenient")]
    pub theme: Theme,
    /// Where the language packs are (`{assetBase}/i18n/{lang}.json`); the loader sets it to the
    /// widget script's origin.
    #[serde(deserialize_with = "text")]
    pub asset_base: Option<String>,
    /// Instance id, set by the loader: events go to `[data-tollgate-instance=ID]`.
    #[serde(deserialize_with = "lenient")]
    pub instance: String,
    /// A modal dialog (`LoginWidget.mount(null, …)`) rather than an inline widget.
    #[serde(deserialize_with = "lenient")]
    pub modal: bool,
    /// A modal the user may close (close button, Escape); default on.
    #[serde(deserialize_with = "lenient")]
    pub closable: Option<bool>,
}

impl WidgetOptions {
    /// Options from JSON text (the loader's).
    pub fn from_json(text: &str) -> Result<Self, String> {
        match serde_json::from_str::<Value>(text) {
            Ok(v @ Value::Object(_)) => serde_json::from_value(v).map_err(|e| e.to_string()),
            _ => Err("options must be a JSON object".into()),
        }
    }

    /// Whether sign-up is offered by the page.
    pub fn allow_sign_up(&self) -> bool {
        self.allow_sign_up.unwrap_or(true)
    }

    /// Whether forgot-password is offered by the page.
    pub fn allow_forgot_password(&self) -> bool {
        self.allow_forgot_password.unwrap_or(true)
    }

    /// Whether the show-password toggle is offered.
    pub fn allow_show_password(&self) -> bool {
        self.allow_show_password.unwrap_or(true)
    }

    /// Whether a sign-up logs in right away.
    pub fn login_after_sign_up(&self) -> bool {
        self.login_after_sign_up.unwrap_or(true)
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
            &serde_json::json!(
            {"clientID":"c","language":"ar","allowSignUp":false,"prefill":{"email":"a@b.co"},
             "additionalSignUpFields":[{"name":"plan","type":"select","options":[{"value":"f","label":"Free"}],"storage":"root",
                                        "prefill": 3}],
             "flashMessage":{"type":"info","text":"Hi"},"auth":{"redirectUrl":"https://app/cb","responseType":"code",
                                                              "params":{"scope":"openid email","max_age":0}},
             "mustAcceptTerms": "yes please", "allowedConnections": 7})
            .to_string(),
        )
        .unwrap();
        assert_eq!(o.client_id, "c");
        assert_eq!(o.additional_sign_up_fields[0].prefill.as_deref(), Some("3"));
        assert_eq!(o.additional_sign_up_fields[0].options[0].label.as_deref(), Some("Free"));
        assert_eq!(o.flash_message.as_ref().map(|f| f.kind.as_str()), Some("info"));
        let mut params = o.auth.params();
        params.sort();
        assert_eq!(
            params,
            vec![("max_age".into(), "0".into()), ("scope".into(), "openid email".into())]
        );
        assert!(
            o.allows("anything") && o.login_after_sign_up(),
            "a wrong type takes the default"
        );
        assert!(!o.must_accept_terms, "a wrong type takes the default");
        let defaults = WidgetOptions::default();
        assert!(defaults.allow_sign_up() && defaults.allow_forgot_password() && defaults.allow_show_password());
        assert!(!o.allow_sign_up() && o.allow_forgot_password());
        assert_eq!(o.prefill.email.as_deref(), Some("a@b.co"));
        assert_eq!(o.additional_sign_up_fields[0].kind(), "select");
        assert_eq!(o.auth.redirect_url.as_deref(), Some("https://app/cb"));
        let bad = ExtraField {
            name: "email".into(),
            ..ExtraField::default()
        };
        assert!(!bad.valid_name());
        assert!(WidgetOptions::from_json("[1]").is_err());
    }
}
