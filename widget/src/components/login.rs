//! The login screen: email (or username) and password.

use crate::obj;
use leptos::prelude::*;
use leptos::task::spawn_local;

use super::password_input::PasswordInput;
use crate::context::{focus_first_invalid, use_identifier, use_screen, use_widget, Screen};
use crate::flow::{authorization_error, log_in};

#[derive(Debug, Clone, PartialEq)]
enum Outcome {
    None,
    LoggedIn,
    Failed(String),
}

/// The login form.
#[component]
pub fn LoginForm() -> impl IntoView {
    let ctx = use_widget();
    let screen = use_screen();
    let by_username = ctx.connection.requires_username;
    let identifier = use_identifier();
    let password = RwSignal::new(String::new());
    let (touched, set_touched) = signal(false);
    let (busy, set_busy) = signal(false);
    let form_ref = NodeRef::<leptos::html::Form>::new();
    let (outcome, set_outcome) = signal(Outcome::None);
    let show_forgot = ctx.connection.show_forgot && ctx.opts.allow_forgot_password;
    let id_ok = move || !identifier.get().trim().is_empty();
    let pw_ok = move || !password.get().is_empty();

    let submit_ctx = ctx.clone();
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        set_touched.set(true);
        if busy.get_untracked() {
            return;
        }
        if !(id_ok() && pw_ok()) {
            focus_first_invalid(form_ref);
            return;
        }
        set_busy.set(true);
        set_outcome.set(Outcome::None);
        let (u, p) = (identifier.get_untracked(), password.get_untracked());
        let ctx = submit_ctx.clone();
        ctx.emit("signin submit", &obj! {});
        spawn_local(async move {
            match log_in(ctx.clone(), u, p).await {
                // The browser is leaving; stay busy so nothing is submitted twice.
                Ok(true) => {}
                Ok(false) => {
                    set_outcome.set(Outcome::LoggedIn);
                    set_busy.set(false);
                }
                Err(f) => {
                    ctx.emit("authorization_error", &authorization_error(&f));
                    set_outcome.set(Outcome::Failed(ctx.i18n.login_error(
                        &f.code(),
                        &f.description(),
                        by_username,
                    )));
                    set_busy.set(false);
                    focus_first_invalid(form_ref);
                }
            }
        });
    };

    let label = ctx.t(if by_username {
        "usernameOrEmailLabel"
    } else {
        "emailLabel"
    });
    let (forgot, submit, busy_label, done) = (
        ctx.t("forgotPasswordAction"),
        ctx.t("loginSubmitLabel"),
        ctx.t("busy.login"),
        ctx.t("success.logIn"),
    );
    view! {
        <form id="tg-login-form" node_ref=form_ref class="tg-form" novalidate on:submit=on_submit aria-busy=move || busy.get().to_string()>
            <div class="tg-field">
                <label for="tg-login-id">{label}</label>
                <input id="tg-login-id" name="username" type=if by_username { "text" } else { "email" } autocomplete="username" required
                    prop:value=move || identifier.get()
                    aria-invalid=move || (touched.get() && !id_ok()).to_string()
                    on:input=move |ev| identifier.set(event_target_value(&ev)) />
            </div>
            <PasswordInput id="tg-login-password" autocomplete="current-password" password
                invalid=Signal::derive(move || touched.get() && !pw_ok()) />
            {show_forgot.then(|| view! {
                <p class="tg-aside">
                    <button type="button" class="tg-link" on:click=move |_| screen.set(Screen::ForgotPassword)>{forgot}</button>
                </p>
            })}
            <button type="submit" class="tg-submit" aria-disabled=move || busy.get().to_string()>
                {move || if busy.get() { busy_label.clone() } else { submit.clone() }}
            </button>
            <div class="tg-status" role="status" aria-live="polite">
                {move || match outcome.get() {
                    Outcome::None => ().into_any(),
                    Outcome::LoggedIn => view! { <p class="tg-success">{done.clone()}</p> }.into_any(),
                    Outcome::Failed(msg) => view! { <p class="tg-error">{msg}</p> }.into_any(),
                }}
            </div>
        </form>
    }
}
