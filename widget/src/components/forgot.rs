//! The forgot-password screen: asks for the email and mails a reset link.

use leptos::prelude::*;
use leptos::task::spawn_local;
use serde_json::json;

use super::email_field::{email_ok, EmailField};
use crate::api::post_json;
use crate::context::{use_screen, use_widget, Screen};
use crate::i18n::forgot_error;

#[derive(Debug, Clone, PartialEq)]
enum Outcome {
    None,
    Sent,
    Failed(String),
}

/// Requests a reset link (`/dbconnections/change_password`); the answer is the same for every
/// email, so the screen always says to check the inbox.
#[component]
pub fn ForgotPasswordForm() -> impl IntoView {
    let ctx = use_widget();
    let screen = use_screen();
    let email = RwSignal::new(ctx.login_hint.clone().filter(|h| h.contains('@')).unwrap_or_default());
    let (touched, set_touched) = signal(false);
    let (busy, set_busy) = signal(false);
    let (outcome, set_outcome) = signal(Outcome::None);
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        set_touched.set(true);
        if busy.get_untracked() || !email_ok(&email.get_untracked()) {
            return;
        }
        set_busy.set(true);
        let body =
            json!({"client_id": ctx.client_id, "connection": ctx.connection.name, "email": email.get_untracked()});
        let url = ctx.url("/dbconnections/change_password");
        spawn_local(async move {
            set_outcome.set(match post_json(&url, &body).await {
                Ok(_) => Outcome::Sent,
                Err(f) => Outcome::Failed(forgot_error(&f.code()).to_owned()),
            });
            set_busy.set(false);
        });
    };
    view! {
        <form class="tg-form" novalidate on:submit=on_submit aria-busy=move || busy.get().to_string()>
            <h2 class="tg-title">"Reset your password"</h2>
            <p class="tg-hint">"Enter your email address and we will send you a link to choose a new password."</p>
            <EmailField id="tg-forgot-email" value=email touched />
            <button type="submit" class="tg-submit" disabled=move || busy.get()>
                {move || if busy.get() { "Sending…" } else { "Send email" }}
            </button>
            <p class="tg-aside"><button type="button" class="tg-link" on:click=move |_| screen.set(Screen::Login)>"Back to log in"</button></p>
            <div class="tg-status" role="status" aria-live="polite">
                {move || match outcome.get() {
                    Outcome::None => view! { <span></span> }.into_any(),
                    Outcome::Sent => view! { <p class="tg-success">"We've just sent you an email to reset your password."</p> }.into_any(),
                    Outcome::Failed(msg) => view! { <p class="tg-error">{msg}</p> }.into_any(),
                }}
            </div>
        </form>
    }
}
