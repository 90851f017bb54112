//! The widget's root: tabs between log in and sign up, and the current screen.

use leptos::prelude::*;

use super::forgot::ForgotPasswordForm;
use super::login::LoginForm;
use super::signup::SignupForm;
use crate::context::{Screen, WidgetCtx};

/// One widget: provides the context, renders the tabs and the current screen.
#[component]
pub fn Widget(
    /// Shared state of this instance.
    ctx: WidgetCtx,
    /// The first screen.
    initial: Screen,
) -> impl IntoView {
    let show_signup = ctx.connection.show_signup;
    let initial = if initial == Screen::SignUp && !show_signup {
        Screen::Login
    } else {
        initial
    };
    let screen = RwSignal::new(initial);
    provide_context(ctx);
    provide_context(screen);
    let tab = move |target: Screen, id: &'static str, label: &'static str| {
        view! {
            <button type="button" role="tab" id=id class="tg-tab"
                aria-selected=move || (screen.get() == target).to_string()
                aria-controls="tg-panel"
                on:click=move |_| screen.set(target)>{label}</button>
        }
    };
    view! {
        <div class="tg-widget">
            {move || (show_signup && screen.get() != Screen::ForgotPassword).then(|| view! {
                <div class="tg-tabs" role="tablist" aria-label="Log in or sign up">
                    {tab(Screen::Login, "tg-tab-login", "Log in")}
                    {tab(Screen::SignUp, "tg-tab-signup", "Sign up")}
                </div>
            })}
            <div id="tg-panel" role="tabpanel" aria-labelledby=move || match screen.get() {
                Screen::SignUp => "tg-tab-signup",
                _ => "tg-tab-login",
            }>
                {move || match screen.get() {
                    Screen::Login => view! { <LoginForm /> }.into_any(),
                    Screen::SignUp => view! { <SignupForm /> }.into_any(),
                    Screen::ForgotPassword => view! { <ForgotPasswordForm /> }.into_any(),
                }}
            </div>
        </div>
    }
}
