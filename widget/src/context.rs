//! What every screen of one widget instance shares, provided through Leptos context.

use std::sync::Arc;

use leptos::html::Form;
use leptos::prelude::*;
use shared::password::FormatArg;
use shared::wire::DbConnectionInfo;
use wasm_bindgen::JsCast;
use wasm_bindgen::JsValue;

use crate::i18n::I18n;
use crate::options::WidgetOptions;

/// How a successful login continues.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Mode {
    /// Embedded without a redirect URL: the password-realm grant; tokens go to the page through
    /// the `authenticated` event.
    Embedded,
    /// Embedded with `auth.redirectUrl` (Lock's default): cross-origin authentication
    /// (`/co/authenticate`), then `/authorize` with the login ticket, back to the application.
    Redirect,
    /// The hosted login page of `/authorize`: logs in for transaction `tx`, then follows the
    /// server's redirect back to the application.
    Hosted {
        /// The authorization transaction.
        tx: String,
    },
}

/// The screens.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Screen {
    /// Log in.
    Login,
    /// Sign up.
    SignUp,
    /// Forgot password.
    ForgotPassword,
    /// A code or link by email (the client's `email` connection).
    Passwordless,
    /// Hosted page, after a password login: add a passkey, or not now.
    EnrollPasskey,
    /// The second factor after a first one (enrol or challenge).
    Mfa,
    /// The hosted page's "Manage your passkeys" (`/u/passkeys`).
    Passkeys,
}

impl Screen {
    /// Parses Lock's `initialScreen` values (`login`, `signUp`, `forgotPassword`) and ours
    /// (`passwordless`).
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "login" => Some(Self::Login),
            "signUp" | "signup" => Some(Self::SignUp),
            "forgotPassword" => Some(Self::ForgotPassword),
            "passwordless" => Some(Self::Passwordless),
            "passkeys" => Some(Self::Passkeys),
            _ => None,
        }
    }

    /// Lock's event prefix for the screen (`signin ready`, `signup ready`, …).
    pub fn event_prefix(self) -> &'static str {
        match self {
            Self::Login | Self::Passwordless | Self::EnrollPasskey | Self::Mfa | Self::Passkeys => "signin",
            Self::SignUp => "signup",
            Self::ForgotPassword => "forgot_password",
        }
    }
}

/// A social or enterprise connection offered as a button.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SocialConnection {
    /// Strategy (`google-oauth2`, `facebook`, `oidc`, …).
    pub strategy: String,
    /// Connection name, sent as `connection` to `/authorize`.
    pub name: String,
}

impl SocialConnection {
    /// The provider's name as shown on its button.
    pub fn display_name(&self) -> String {
        match self.strategy.as_str() {
            "google-oauth2" => "Google".into(),
            "facebook" => "Facebook".into(),
            "github" => "GitHub".into(),
            "apple" => "Apple".into(),
            "windowslive" => "Microsoft".into(),
            _ => self.name.clone(),
        }
    }
}

/// Shared state of one widget instance.
#[derive(Debug, Clone, PartialEq)]
pub struct WidgetCtx {
    /// Edge origin without trailing slash (`""` = this page's origin).
    pub api_base: String,
    /// Application client id.
    pub client_id: String,
    /// The database connection.
    pub connection: DbConnectionInfo,
    /// Social and enterprise connections of the client.
    pub social: Vec<SocialConnection>,
    /// The client's passwordless (`email`) connection, if the page offers it.
    pub passwordless: Option<String>,
    /// Whether the client has no database connection the page offers (passwordless only).
    pub passwordless_only: bool,
    /// How a login continues.
    pub mode: Mode,
    /// The page's options.
    pub opts: Arc<WidgetOptions>,
    /// Strings.
    pub i18n: Arc<I18n>,
    /// Prefix of this instance's element ids (`tg`, or `tg2`, `tg3`, … for further widgets on the
    /// same page, as Lock numbers its instances), so labels and ARIA references stay unique.
    pub ids: String,
}

impl WidgetCtx {
    /// The element id `name` of this instance (`tg-login-id`).
    pub fn id(&self, name: &str) -> String {
        format!("{}-{name}", self.ids)
    }

    /// `{api_base}{path}`.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.api_base)
    }

    /// A string.
    pub fn t(&self, key: &str) -> String {
        self.i18n.t(key)
    }

    /// A string with `%d`/`%s` filled.
    pub fn tf(&self, key: &str, args: &[FormatArg]) -> String {
        self.i18n.tf(key, args)
    }

    /// Dispatches event `name` to the page's `on(name, fn)` listeners.
    pub fn emit(&self, name: &str, payload: &JsValue) {
        crate::events::emit(&self.opts.instance, name, payload);
    }

    /// Prefilled email (only if it looks like one) or username.
    pub fn prefill(&self, email_only: bool) -> String {
        let p = &self.opts.prefill;
        let email = p.email.clone().filter(|e| e.contains('@'));
        if email_only {
            email.unwrap_or_default()
        } else {
            email.or_else(|| p.username.clone()).unwrap_or_default()
        }
    }
}

/// The widget context. Screens are only ever rendered inside [`crate::components::widget::Widget`],
/// which provides it.
pub fn use_widget() -> WidgetCtx {
    expect_context::<WidgetCtx>()
}

/// The strings, provided by the widget and by the standalone reset page.
pub fn use_i18n() -> Arc<I18n> {
    expect_context::<Arc<I18n>>()
}

/// What the user typed as email or username, carried between screens as Lock does (the login
/// screen's email becomes the forgot-password and sign-up screens' email).
#[derive(Debug, Clone, Copy)]
pub struct Identifier(pub RwSignal<String>);

/// The identifier shared by the screens.
pub fn use_identifier() -> RwSignal<String> {
    expect_context::<Identifier>().0
}

/// The email part of the shared identifier (empty unless it looks like an email).
pub fn identifier_email() -> String {
    let v = use_identifier().get_untracked();
    if v.contains('@') {
        v
    } else {
        String::new()
    }
}

/// What a password login left to do once its passkey offer is answered.
#[derive(Debug, Clone, PartialEq)]
pub enum Offered {
    /// The hosted page goes to this URL.
    Hosted(String),
    /// Embedded: these tokens go to the page (their `passkey_enrollment` is the offer).
    Embedded(Box<shared::wire::TokenResponse>),
}

/// The passkey offer of a password login (set by the login).
#[derive(Debug, Clone, Copy)]
pub struct AfterEnroll(pub RwSignal<Option<Offered>>);

/// The MFA step the [`Screen::Mfa`] works on.
#[derive(Debug, Clone, Copy)]
pub struct PendingMfa(pub RwSignal<Option<shared::wire::MfaStep>>);

/// Whether this widget offers passkeys: the connection has them on, the browser can, and the
/// login continues on the hosted page or in place (not through Lock's redirect mode).
pub fn passkeys_offered(ctx: &WidgetCtx) -> bool {
    ctx.connection.passkey && ctx.mode != Mode::Redirect && crate::passkey::supported()
}

/// The current screen, a signal every screen can switch.
pub fn use_screen() -> RwSignal<Screen> {
    expect_context::<RwSignal<Screen>>()
}

/// After the next render, focuses the first field of `form` marked `aria-invalid="true"` (nothing
/// when the screen was left meanwhile).
pub fn focus_first_invalid(form: NodeRef<Form>) {
    set_timeout(
        move || {
            let el = form
                .try_get_untracked()
                .flatten()
                .and_then(|f| f.query_selector("[aria-invalid=\"true\"]").ok().flatten())
                .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok());
            if let Some(el) = el {
                let _ = el.focus();
            }
        },
        std::time::Duration::ZERO,
    );
}
