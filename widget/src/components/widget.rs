//! The widget's root: header, flash message, tabs between log in and sign up, social buttons,
//! and the current screen.

use std::sync::Arc;

use crate::events::object;
use leptos::prelude::*;
use wasm_bindgen::JsCast;

use super::forgot::ForgotPasswordForm;
use super::login::LoginForm;
use super::mfa::MfaScreen;
use super::my_passkeys::ManagePasskeys;
use super::passkeys::EnrollPasskey;
use super::passwordless::PasswordlessForm;
use super::signup::SignupForm;
use super::social::SocialButtons;
use crate::context::{Identifier, Screen, WidgetCtx};
use crate::i18n::I18n;
use crate::options::{Flash, Theme};

/// The element id of the tab of `screen` (`{ids}-tab-login`, `{ids}-tab-signup`).
fn tab_id(ids: &str, screen: Screen) -> String {
    let tab = if screen == Screen::SignUp { "signup" } else { "login" };
    format!("{ids}-tab-{tab}")
}

/// One tab of the log in / sign up tab list; arrow keys move to the other tab (WAI-ARIA tabs).
#[component]
fn Tab(
    /// The screen signal the tabs switch.
    screen: RwSignal<Screen>,
    /// The screen of this tab.
    target: Screen,
    /// The instance's id prefix.
    #[prop(into)]
    ids: String,
    /// Label.
    #[prop(into)]
    label: String,
) -> impl IntoView {
    let panel = format!("{ids}-panel");
    let own_id = tab_id(&ids, target);
    view! {
        <button type="button" role="tab" id=own_id class="tg-tab"
            aria-selected=move || (screen.get() == target).to_string()
            tabindex=move || if screen.get() == target { "0" } else { "-1" }
            aria-controls=panel
            on:click=move |_| screen.set(target)
            on:keydown=move |ev: leptos::ev::KeyboardEvent| {
                if matches!(ev.key().as_str(), "ArrowLeft" | "ArrowRight") {
                    let next = if screen.get_untracked() == Screen::Login { Screen::SignUp } else { Screen::Login };
                    screen.set(next);
                    if let Some(el) = document().get_element_by_id(&tab_id(&ids, next)) {
                        let _ = el.unchecked_into::<web_sys::HtmlElement>().focus();
                    }
                }
            }>{label}</button>
    }
}

/// The tab list: log in or sign up.
#[component]
fn Tabs(
    /// The screen signal the tabs switch.
    screen: RwSignal<Screen>,
) -> impl IntoView {
    let ctx = expect_context::<WidgetCtx>();
    view! {
        <div class="tg-tabs" role="tablist" aria-label=ctx.t("tabsLabel")>
            <Tab screen target=Screen::Login ids=ctx.ids.clone() label=ctx.t("loginLabel") />
            <Tab screen target=Screen::SignUp ids=ctx.ids.clone() label=ctx.t("signUpLabel") />
        </div>
    }
}

/// The page's logo and title (`theme.logo`, `theme.title` or the `title` string).
#[component]
fn Header(
    /// Logo URL.
    logo: Option<String>,
    /// Title.
    title: Option<String>,
) -> impl IntoView {
    view! {
        <header class="tg-header">
            {logo.map(|src| view! { <img class="tg-logo" src=src alt="" /> })}
            {title.map(|t| view! { <h1 class="tg-brand">{t}</h1> })}
        </header>
    }
}

/// The page's `flashMessage` above the form: an alert for errors, a status otherwise.
#[component]
fn FlashMessage(
    /// The message.
    flash: Flash,
) -> impl IntoView {
    let class = match flash.kind.as_str() {
        "error" => "tg-flash tg-flash-error",
        "success" => "tg-flash tg-flash-success",
        _ => "tg-flash",
    };
    let role = if flash.kind == "error" { "alert" } else { "status" };
    view! { <p class=class role=role>{flash.text}</p> }
}

/// The social buttons and the "or" between them and the form.
#[component]
fn Socials() -> impl IntoView {
    let ctx = expect_context::<WidgetCtx>();
    view! {
        <SocialButtons />
        <p class="tg-separator"><span>{ctx.t("separatorText")}</span></p>
    }
}

/// One widget: provides the context, renders the chrome and the `initial` screen (if allowed).
#[component]
pub fn Widget(
    /// Shared state of this instance.
    ctx: WidgetCtx,
    /// The first screen.
    initial: Screen,
) -> impl IntoView {
    let opts = Arc::clone(&ctx.opts);
    let show_signup = ctx.connection.show_signup && opts.allow_sign_up();
    let allowed = |s: Screen| match s {
        Screen::SignUp => show_signup,
        Screen::ForgotPassword => ctx.connection.show_forgot && opts.allow_forgot_password(),
        Screen::Passwordless => ctx.passwordless.is_some(),
        Screen::EnrollPasskey | Screen::Mfa => false,
        // The hosted page's own screen: its session gives the token (`/u/passkeys`).
        Screen::Passkeys => ctx.connection.passkey && crate::passkey::supported(),
        Screen::Login => !ctx.passwordless_only,
    };
    let fallback = if ctx.passwordless_only {
        Screen::Passwordless
    } else {
        Screen::Login
    };
    let hosted_mfa = opts.hosted_mfa.clone();
    let screen = RwSignal::new(match &hosted_mfa {
        Some(_) => Screen::Mfa,
        None if allowed(initial) => initial,
        None => fallback,
    });
    provide_context(Arc::clone(&ctx.i18n));
    provide_context(screen);
    provide_context(crate::context::AfterEnroll(RwSignal::new(None)));
    provide_context(crate::context::PendingMfa(RwSignal::new(hosted_mfa)));
    provide_context(Identifier(RwSignal::new(
        ctx.prefill(!ctx.connection.requires_username),
    )));
    let emit_ctx = ctx.clone();
    Effect::new(move |_| emit_ctx.emit(&format!("{} ready", screen.get().event_prefix()), &object(&[])));
    let Theme { logo, title } = opts.theme.clone();
    let title = title.or_else(|| Some(ctx.t("title")).filter(|t| t != "title"));
    let header = (logo.is_some() || title.is_some()).then(|| view! { <Header logo title /> });
    let flash = opts
        .flash_message
        .clone()
        .filter(|f| f.text.is_some())
        .map(|flash| view! { <FlashMessage flash /> });
    let has_social = !ctx.social.is_empty();
    let ids = ctx.ids.clone();
    let panel_id = ctx.id("panel");
    provide_context(ctx);
    view! {
        <div class="tg-widget">
            {header}
            {flash}
            {move || (show_signup && matches!(screen.get(), Screen::Login | Screen::SignUp)).then(|| view! { <Tabs screen /> })}
            <div id=panel_id role="tabpanel" aria-labelledby=move || tab_id(&ids, screen.get())>
                {move || (has_social && matches!(screen.get(), Screen::Login | Screen::SignUp)).then(|| view! { <Socials /> })}
                {move || match screen.get() {
                    Screen::Login => view! { <LoginForm /> }.into_any(),
                    Screen::SignUp => view! { <SignupForm /> }.into_any(),
                    Screen::ForgotPassword => view! { <ForgotPasswordForm /> }.into_any(),
                    Screen::Passwordless => view! { <PasswordlessForm /> }.into_any(),
                    Screen::EnrollPasskey => view! { <EnrollPasskey /> }.into_any(),
                    Screen::Mfa => view! { <MfaScreen /> }.into_any(),
                    Screen::Passkeys => view! { <ManagePasskeys /> }.into_any(),
                }}
            </div>
        </div>
    }
}

/// What a host shows when the client has no database connection the widget may use.
#[component]
pub fn NotConfigured(
    /// The strings.
    i18n: Arc<I18n>,
) -> impl IntoView {
    view! {
        <div class="tg-widget">
            <p class="tg-error" role="alert">{i18n.t("notConfigured")}</p>
        </div>
    }
}
