//! What every screen of one widget instance shares, provided through Leptos context.

use leptos::prelude::*;
use shared::wire::DbConnectionInfo;

/// Where the widget runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Mode {
    /// Embedded in an application's page: logs in with the password-realm grant.
    Embedded,
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
}

impl Screen {
    /// Parses Lock's `initialScreen` values (`login`, `signUp`, `forgotPassword`).
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "login" => Some(Self::Login),
            "signUp" | "signup" => Some(Self::SignUp),
            "forgotPassword" => Some(Self::ForgotPassword),
            _ => None,
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
    /// Embedded or hosted.
    pub mode: Mode,
    /// Prefilled email / username.
    pub login_hint: Option<String>,
}

impl WidgetCtx {
    /// `{api_base}{path}`.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.api_base)
    }
}

/// The widget context. Screens are only ever rendered inside [`crate::components::widget::Widget`],
/// which provides it.
pub fn use_widget() -> WidgetCtx {
    expect_context::<WidgetCtx>()
}

/// The current screen, a signal every screen can switch.
pub fn use_screen() -> RwSignal<Screen> {
    expect_context::<RwSignal<Screen>>()
}
