//! Options of one widget instance, in Lock's names (camelCase JSON), from `LoginWidget.mount`,
//! the `Auth0Lock` facade, or the host's `data-tollgate-*` attributes.

use crate::json::Json;

/// `prefill`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Prefill {
    /// Email.
    pub email: Option<String>,
    /// Username.
    pub username: Option<String>,
}

/// One option of a `select` field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SelectOption {
    /// Submitted value.
    pub value: String,
    /// Shown label.
    pub label: String,
}

/// An `additionalSignUpFields` entry.
#[derive(Debug, Clone, PartialEq)]
pub struct ExtraField {
    /// `^[a-zA-Z0-9_]+$`, not `email`, `username` or `password`.
    pub name: String,
    /// Label (Lock calls it placeholder).
    pub placeholder: Option<String>,
    /// `text` (default), `select`, `checkbox` or `hidden`.
    pub kind: Option<String>,
    /// Choices of a `select`.
    pub options: Vec<SelectOption>,
    /// Initial value (string; `"true"` for a checked checkbox).
    pub prefill: Option<String>,
    /// Value of a `hidden` field.
    pub value: Option<String>,
    /// `root` stores the value at the user's root instead of `user_metadata`.
    pub storage: Option<String>,
    /// Set by the loader when the page gave a `validator` function.
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
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Flash {
    /// `error`, `success` or `info`.
    pub kind: String,
    /// Text.
    pub text: String,
}

/// `auth`: how an embedded login continues.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AuthOptions {
    /// Where `/authorize` sends the browser back (redirect mode). Without it the widget logs in
    /// with the password-realm grant and hands the tokens to the page (`authenticated` event).
    pub redirect_url: Option<String>,
    /// `token id_token` by default, `code` when a redirect URL is given (Lock's defaults).
    pub response_type: Option<String>,
    /// Extra authorize parameters (`scope`, …).
    pub params: Vec<(String, String)>,
    /// API audience.
    pub audience: Option<String>,
    /// `state` (the facade makes one).
    pub state: Option<String>,
    /// `nonce` (the facade makes one).
    pub nonce: Option<String>,
    /// `false`: no redirect — log in in place with the password-realm grant and hand the tokens
    /// to the page (Lock uses a popup for this; an embedded form needs none).
    pub redirect: Option<bool>,
}

/// `theme`: colors go to CSS custom properties (set by the loader); the logo is rendered here.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Theme {
    /// Logo URL shown above the form.
    pub logo: Option<String>,
    /// Title next to the logo (Lock's `languageDictionary.title` also works).
    pub title: Option<String>,
}

/// Everything `LoginWidget.mount(target, options)` accepts.
#[derive(Debug, Clone, PartialEq)]
pub struct WidgetOptions {
    /// Application client id.
    pub client_id: String,
    /// Edge origin (`https://auth.example.com`); this page's origin when empty.
    pub domain: String,
    /// Database connection name (else the client's first).
    pub connection: Option<String>,
    /// Language tag (else the browser's).
    pub language: Option<String>,
    /// String overrides (flat or Lock's nested shape).
    pub language_dictionary: Option<Json>,
    /// `login`, `signUp` or `forgotPassword`.
    pub initial_screen: Option<String>,
    /// Prefilled identifiers.
    pub prefill: Prefill,
    /// Offer sign-up (the connection's `disable_signup` wins).
    pub allow_sign_up: bool,
    /// Offer forgot-password.
    pub allow_forgot_password: bool,
    /// Offer the show-password toggle.
    pub allow_show_password: bool,
    /// A terms checkbox that must be ticked to sign up.
    pub must_accept_terms: bool,
    /// Extra sign-up fields.
    pub additional_sign_up_fields: Vec<ExtraField>,
    /// A message shown above the form.
    pub flash_message: Option<Flash>,
    /// Log in right after a sign-up.
    pub login_after_sign_up: bool,
    /// How an embedded login continues.
    pub auth: AuthOptions,
    /// Hosted page: the authorization transaction.
    pub authorize_tx: Option<String>,
    /// Only these connections (database and social) are offered.
    pub allowed_connections: Option<Vec<String>>,
    /// Logo and title.
    pub theme: Theme,
    /// Where the language packs are (`{assetBase}/i18n/{lang}.json`); the loader sets it to the
    /// widget script's origin.
    pub asset_base: Option<String>,
    /// Instance id, set by the loader: events go to `[data-tollgate-instance=ID]`.
    pub instance: String,
}

fn strings(v: &Json) -> Vec<String> {
    v.items().iter().filter_map(|x| x.as_str().map(str::to_owned)).collect()
}

impl ExtraField {
    fn from_json(v: &Json) -> Self {
        Self {
            name: v.str("name").unwrap_or_default(),
            placeholder: v.str("placeholder"),
            kind: v.str("type"),
            options: v
                .get("options")
                .items()
                .iter()
                .map(|o| SelectOption {
                    value: o.get("value").to_text().unwrap_or_default(),
                    label: o.str("label").unwrap_or_default(),
                })
                .collect(),
            prefill: v.get("prefill").to_text(),
            value: v.get("value").to_text(),
            storage: v.str("storage"),
            has_validator: v.get("has_validator").as_bool().unwrap_or(false),
        }
    }
}

impl AuthOptions {
    fn from_json(v: &Json) -> Self {
        Self {
            redirect_url: v.str("redirectUrl"),
            response_type: v.str("responseType"),
            params: v
                .get("params")
                .members()
                .iter()
                .filter_map(|(k, x)| x.to_text().map(|t| (k.clone(), t)))
                .collect(),
            audience: v.str("audience"),
            state: v.str("state"),
            nonce: v.str("nonce"),
            redirect: v.get("redirect").as_bool(),
        }
    }
}

impl Default for WidgetOptions {
    /// The defaults of an empty options object (sign-up, forgot-password and show-password on).
    fn default() -> Self {
        Self::from_value(&Json::Obj(Vec::new()))
    }
}

impl WidgetOptions {
    /// Options from JSON text (the loader's), parsed by the browser.
    pub fn from_json(text: &str) -> Result<Self, String> {
        match Json::parse(text) {
            Some(v @ Json::Obj(_)) => Ok(Self::from_value(&v)),
            _ => Err("options must be a JSON object".into()),
        }
    }

    /// Options from a parsed object, in Lock's names (a few aliases included); anything missing
    /// or of the wrong type takes its default.
    pub fn from_value(v: &Json) -> Self {
        let flag = |k: &str, default: bool| v.get(k).as_bool().unwrap_or(default);
        let prefill = v.get("prefill");
        let flash = v.get("flashMessage");
        let theme = v.get("theme");
        Self {
            client_id: v.str("clientId").or_else(|| v.str("clientID")).unwrap_or_default(),
            domain: v.str("domain").unwrap_or_default(),
            connection: v.str("connection").or_else(|| v.str("defaultDatabaseConnection")),
            language: v.str("language"),
            language_dictionary: Some(v.get("languageDictionary").clone()).filter(|d| !d.is_null()),
            initial_screen: v.str("initialScreen"),
            prefill: Prefill {
                email: prefill.str("email"),
                username: prefill.str("username"),
            },
            allow_sign_up: flag("allowSignUp", true),
            allow_forgot_password: flag("allowForgotPassword", true),
            allow_show_password: flag("allowShowPassword", true),
            must_accept_terms: flag("mustAcceptTerms", false),
            additional_sign_up_fields: v
                .get("additionalSignUpFields")
                .items()
                .iter()
                .map(ExtraField::from_json)
                .collect(),
            flash_message: flash.str("text").map(|text| Flash {
                kind: flash.str("type").unwrap_or_default(),
                text,
            }),
            login_after_sign_up: flag("loginAfterSignUp", true),
            auth: AuthOptions::from_json(v.get("auth")),
            authorize_tx: v.str("authorizeTx"),
            allowed_connections: Some(v.get("allowedConnections"))
                .filter(|a| matches!(a, Json::Arr(_)))
                .map(strings),
            theme: Theme {
                logo: theme.str("logo"),
                title: theme.str("title"),
            },
            asset_base: v.str("assetBase"),
            instance: v.str("instance").unwrap_or_default(),
        }
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
    use crate::json::from_serde;

    #[test]
    fn lock_style_options() {
        let o = WidgetOptions::from_value(&from_serde(&serde_json::json!(
            {"clientID":"c","language":"ar","allowSignUp":false,"prefill":{"email":"a@b.co"},
             "additionalSignUpFields":[{"name":"plan","type":"select","options":[{"value":"f","label":"Free"}],"storage":"root",
                                        "prefill": 3}],
             "flashMessage":{"type":"info","text":"Hi"},"auth":{"redirectUrl":"https://app/cb","responseType":"code",
                                                              "params":{"scope":"openid email","max_age":0}}}
        )));
        assert_eq!(o.client_id, "c");
        assert_eq!(o.additional_sign_up_fields[0].prefill.as_deref(), Some("3"));
        assert_eq!(o.additional_sign_up_fields[0].options[0].label, "Free");
        assert_eq!(o.flash_message.as_ref().map(|f| f.kind.as_str()), Some("info"));
        let mut params = o.auth.params.clone();
        params.sort();
        assert_eq!(
            params,
            vec![("max_age".into(), "0".into()), ("scope".into(), "openid email".into())]
        );
        assert!(o.allows("anything") && o.login_after_sign_up && !o.must_accept_terms);
        let defaults = WidgetOptions::default();
        assert!(defaults.allow_sign_up && defaults.allow_forgot_password && defaults.allow_show_password);
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
