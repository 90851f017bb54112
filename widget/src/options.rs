//! Options of one widget instance, in Lock's names (camelCase), from `LoginWidget.mount`, the
//! `Auth0Lock` facade, or the host's `data-tollgate-*` attributes. Read with serde straight from
//! the page's JS object (`serde-wasm-bindgen`, no JSON text in between), leniently as Lock does:
//! anything missing or of the wrong type takes its default.

use serde::de::{Deserializer, IgnoredAny, MapAccess, Visitor};
use serde::Deserialize;

/// A field that falls back to its default when the page gave a value of another type.
fn lenient<'de, D: Deserializer<'de>, T: Deserialize<'de> + Default>(d: D) -> Result<T, D::Error> {
    Ok(T::deserialize(d).unwrap_or_default())
}

/// Text as Lock reads it: a string, or a number or boolean written as one (`prefill: 3`).
struct Loose;

impl<'de> Visitor<'de> for Loose {
    type Value = Option<String>;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("text")
    }
    fn visit_str<E>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Some(v.to_owned()))
    }
    fn visit_string<E>(self, v: String) -> Result<Self::Value, E> {
        Ok(Some(v))
    }
    fn visit_bool<E>(self, v: bool) -> Result<Self::Value, E> {
        Ok(Some(v.to_string()))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Self::Value, E> {
        Ok(Some(v.to_string()))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Self::Value, E> {
        Ok(Some(v.to_string()))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Self::Value, E> {
        Ok(Some(number_text(v)))
    }
    fn visit_unit<E>(self) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_none<E>(self) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }
}

/// A fractional number as JavaScript writes it (`String(1.5)`).
#[cfg(target_arch = "wasm32")]
fn number_text(v: f64) -> String {
    js_sys::Number::from(v)
        .to_string_with_radix(10)
        .map(String::from)
        .unwrap_or_default()
}

#[cfg(not(target_arch = "wasm32"))]
fn number_text(v: f64) -> String {
    v.to_string()
}

/// A [`Loose`] text field; anything else (objects, lists) reads as absent.
fn text<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    Ok(d.deserialize_any(Loose).unwrap_or_default())
}

/// Name → text pairs of an object, flattened: nested objects give dotted keys (Lock's nested
/// `languageDictionary`), values that are not [`Loose`] text are skipped. Used for language packs,
/// `languageDictionary` and `auth.params`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Dictionary(pub Vec<(String, String)>);

/// One value of a [`Dictionary`]: text, or a nested object already flattened.
enum Entry {
    Text(String),
    Nested(Vec<(String, String)>),
    Other,
}

impl<'de> Deserialize<'de> for Entry {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Entry;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("text or an object")
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Entry, A::Error> {
                DictVisitor.visit_map(map).map(|d| Entry::Nested(d.0))
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(self, seq: A) -> Result<Entry, A::Error> {
                IgnoredAny.visit_seq(seq).map(|_| Entry::Other)
            }
            fn visit_str<E>(self, v: &str) -> Result<Entry, E> {
                Ok(Entry::Text(v.to_owned()))
            }
            fn visit_string<E>(self, v: String) -> Result<Entry, E> {
                Ok(Entry::Text(v))
            }
            fn visit_bool<E: serde::de::Error>(self, v: bool) -> Result<Entry, E> {
                Loose.visit_bool(v).map(text_entry)
            }
            fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<Entry, E> {
                Loose.visit_i64(v).map(text_entry)
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<Entry, E> {
                Loose.visit_u64(v).map(text_entry)
            }
            fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<Entry, E> {
                Loose.visit_f64(v).map(text_entry)
            }
            fn visit_unit<E>(self) -> Result<Entry, E> {
                Ok(Entry::Other)
            }
        }
        d.deserialize_any(V)
    }
}

fn text_entry(t: Option<String>) -> Entry {
    t.map_or(Entry::Other, Entry::Text)
}

struct DictVisitor;

impl<'de> Visitor<'de> for DictVisitor {
    type Value = Dictionary;
    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("an object")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Dictionary, A::Error> {
        let mut out = Vec::new();
        while let Some((key, entry)) = map.next_entry::<String, Entry>()? {
            match entry {
                Entry::Text(t) => out.push((key, t)),
                Entry::Nested(inner) => out.extend(inner.into_iter().map(|(k, v)| (format!("{key}.{k}"), v))),
                Entry::Other => {}
            }
        }
        Ok(Dictionary(out))
    }
}

impl<'de> Deserialize<'de> for Dictionary {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_map(DictVisitor)
    }
}

impl Dictionary {
    /// The text for `key`, the last one given winning.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.0.iter().rev().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
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
    /// Extra authorize parameters (`scope`, …), numbers and booleans written out as text.
    #[serde(deserialize_with = "lenient")]
    pub params: Dictionary,
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
    pub language_dictionary: Option<Dictionary>,
    /// `login`, `signUp`, `forgotPassword` or `passwordless`.
    #[serde(deserialize_with = "text")]
    pub initial_screen: Option<String>,
    /// Passwordless: `code` (default) or `link` (Lock's `passwordlessMethod`).
    #[serde(deserialize_with = "text")]
    pub passwordless_method: Option<String>,
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
    /// Hosted page: the second factor the login of the transaction owes (`data-tollgate-mfa`);
    /// the widget opens at it. Never read from a page's script options.
    #[serde(skip)]
    pub hosted_mfa: Option<shared::wire::MfaStep>,
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
    /// Options from the page's object (the loader's).
    pub fn from_js(options: wasm_bindgen::JsValue) -> Result<Self, String> {
        if !options.is_object() || js_sys::Array::is_array(&options) {
            return Err("options must be an object".into());
        }
        serde_wasm_bindgen::from_value(options).map_err(|e| e.to_string())
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
        let o: WidgetOptions = serde_json::from_value(serde_json::json!(
            {"clientID":"c","language":"ar","allowSignUp":false,"prefill":{"email":"a@b.co"},
             "additionalSignUpFields":[{"name":"plan","type":"select","options":[{"value":"f","label":"Free"}],"storage":"root",
                                        "prefill": 3}],
             "flashMessage":{"type":"info","text":"Hi"},"auth":{"redirectUrl":"https://app/cb","responseType":"code",
                                                              "params":{"scope":"openid email","max_age":0}},
             "mustAcceptTerms": "yes please", "allowedConnections": 7,
             "languageDictionary": {"title": "T", "error": {"login": {"lock.network": "Offline"}}, "n": 1.5, "x": [1]}}))
        .unwrap();
        assert_eq!(o.client_id, "c");
        assert_eq!(o.additional_sign_up_fields[0].prefill.as_deref(), Some("3"));
        assert_eq!(o.additional_sign_up_fields[0].options[0].label.as_deref(), Some("Free"));
        assert_eq!(o.flash_message.as_ref().map(|f| f.kind.as_str()), Some("info"));
        let mut params = o.auth.params.0.clone();
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
        let dictionary = o.language_dictionary.unwrap_or_default();
        assert_eq!(dictionary.get("error.login.lock.network"), Some("Offline"));
        assert_eq!(dictionary.get("n"), Some("1.5"));
        assert_eq!(dictionary.get("x"), None, "a list is not text");
    }
}
