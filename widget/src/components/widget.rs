//! The widget's root: header, flash message, tabs between log in and sign up, social buttons,
//! and the current screen.

use std::sync::Arc;

use crate::obj;
use leptos::prelude::*;

use super::forgot::ForgotPasswordForm;
use super::login::LoginForm;
use super::signup::SignupForm;
use super::social::SocialButtons;
use crate::context::{Identifier, Screen, WidgetCtx};

/// One widget: provides the context, renders the chrome and the current screen.
#[component]
pub fn Widget(
    /// Shared state of this instance.
    ctx: WidgetCtx,
    /// The first screen.
    initial: Screen,
) -> impl IntoView {
    let opts = Arc::clone(&ctx.opts);
    let show_signup = ctx.connection.show_signup && opts.allow_sign_up;
    let allowed = |s: Screen| match s {
        Screen::SignUp => show_signup,
        Screen::ForgotPassword => ctx.connection.show_forgot && opts.allow_forgot_password,
        Screen::Login => true,
    };
    let screen = RwSignal::new(if allowed(initial) { initial } else { Screen::Login });
    provide_context(Arc::clone(&ctx.i18n));
    provide_context(screen);
    provide_context(Identifier(RwSignal::new(
        ctx.prefill(!ctx.connection.requires_username),
    )));
    let emit_ctx = ctx.clone();
    Effect::new(move |_| emit_ctx.emit(&format!("{} ready", screen.get().event_prefix()), &obj! {}));
    let t = |k: &str| ctx.t(k);
    let tab = move |target: Screen, id: &'static str, label: String| {
        view! {
            <button type="button" role="tab" id=id class="tg-tab"
                aria-selected=move || (screen.get() == target).to_string()
                tabindex=move || if screen.get() == target { "0" } else { "-1" }
                aria-controls="tg-panel"
                on:click=move |_| screen.set(target)
                on:keydown=move |ev: leptos::ev::KeyboardEvent| {
                    // Arrow keys move between the two tabs (WAI-ARIA tabs pattern).
                    if matches!(ev.key().as_str(), "ArrowLeft" | "ArrowRight") {
                        let next = if screen.get_untracked() == Screen::Login { Screen::SignUp } else { Screen::Login };
                        screen.set(next);
                        let id = if next == Screen::Login { "tg-tab-login" } else { "tg-tab-signup" };
                        if let Some(el) = document().get_element_by_id(id) {
                            use wasm_bindgen::JsCast;
                            let _ = el.unchecked_into::<web_sys::HtmlElement>().focus();
                        }
                    }
                }>{label}</button>
        }
    };
    let flash = opts.flash_message.clone().map(|f| {
        let class = match f.kind.as_str() {
            "error" => "tg-flash tg-flash-error",
            "success" => "tg-flash tg-flash-success",
            _ => "tg-flash",
        };
        view! { <p class=class role=if f.kind == "error" { "alert" } else { "status" }>{f.text}</p> }
    });
    let title = opts.theme.title.clone().or_else(|| {
        let t = ctx.t("title");
        (t != "title").then_some(t)
    });
    let logo = opts.theme.logo.clone();
    let has_social = !ctx.social.is_empty();
    let (login_label, signup_label, tabs_label) = (t("loginLabel"), t("signUpLabel"), t("tabsLabel"));
    let separator = t("separatorText");
    provide_context(ctx);
    view! {
        <div class="tg-widget">
            {(logo.is_some() || title.is_some()).then(|| view! {
                <header class="tg-header">
                    {logo.map(|src| view! { <img class="tg-logo" src=src alt="" /> })}
                    {title.map(|t| view! { <h1 class="tg-brand">{t}</h1> })}
                </header>
            })}
            {flash}
            {move || (show_signup && screen.get() != Screen::ForgotPassword).then(|| view! {
                <div class="tg-tabs" role="tablist" aria-label=tabs_label.clone()>
                    {tab(Screen::Login, "tg-tab-login", login_label.clone())}
                    {tab(Screen::SignUp, "tg-tab-signup", signup_label.clone())}
                </div>
            })}
            <div id="tg-panel" role="tabpanel" aria-labelledby=move || match screen.get() {
                Screen::SignUp => "tg-tab-signup",
                _ => "tg-tab-login",
            }>
                {move || (has_social && screen.get() != Screen::ForgotPassword).then(|| view! {
                    <SocialButtons />
                    <p class="tg-separator"><span>{separator.clone()}</span></p>
                })}
                {move || match screen.get() {
                    Screen::Login => view! { <LoginForm /> }.into_any(),
                    Screen::SignUp => view! { <SignupForm /> }.into_any(),
                    Screen::ForgotPassword => view! { <ForgotPasswordForm /> }.into_any(),
                }}
            </div>
        </div>
    }
}
