//! The forgot-password screen: asks for the email and mails a reset link.

use crate::obj;
use leptos::prelude::*;
use leptos::task::spawn_local;

use super::email_field::{email_ok, EmailField};
use crate::api::post_json;
use crate::context::{focus_first_invalid, identifier_email, use_screen, use_widget, Screen};

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
    let email = RwSignal::new(identifier_email());
    let (touched, set_touched) = signal(false);
    let (busy, set_busy) = signal(false);
    let form_ref = NodeRef::<leptos::html::Form>::new();
    let (outcome, set_outcome) = signal(Outcome::None);
    let submit_ctx = ctx.clone();
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        set_touched.set(true);
        if busy.get_untracked() {
            return;
        }
        if !email_ok(&email.get_untracked()) {
            focus_first_invalid(form_ref);
            return;
        }
        set_busy.set(true);
        let ctx = submit_ctx.clone();
        ctx.emit("forgot_password submit", &obj! {});
        let body = obj! {"client_id" => &ctx.client_id, "connection" => &ctx.connection.name, "email" => email.get_untracked()};
        spawn_local(async move {
            set_outcome.set(
                match post_json(&ctx.url("/dbconnections/change_password"), &body).await {
                    Ok(_) => Outcome::Sent,
                    Err(f) => Outcome::Failed(ctx.i18n.forgot_error(&f.code())),
                },
            );
            set_busy.set(false);
        });
    };
    let t = |k: &str| ctx.t(k);
    let (title, hint, submit, busy_label, back, sent) = (
        t("forgotPasswordTitle"),
        t("forgotPasswordInstructions"),
        t("forgotPasswordSubmitLabel"),
        t("busy.forgotPassword"),
        t("backToLogin"),
        t("success.forgotPassword"),
    );
    view! {
        <form id="tg-forgot-form" node_ref=form_ref class="tg-form" novalidate on:submit=on_submit aria-busy=move || busy.get().to_string()>
            <h2 class="tg-title">{title}</h2>
            <p class="tg-hint">{hint}</p>
            <EmailField id="tg-forgot-email" value=email touched />
            <button type="submit" class="tg-submit" aria-disabled=move || busy.get().to_string()>
                {move || if busy.get() { busy_label.clone() } else { submit.clone() }}
            </button>
            <p class="tg-aside"><button type="button" class="tg-link" on:click=move |_| screen.set(Screen::Login)>{back}</button></p>
            <div class="tg-status" role="status" aria-live="polite">
                {move || match outcome.get() {
                    Outcome::None => ().into_any(),
                    Outcome::Sent => view! { <p class="tg-success">{sent.clone()}</p> }.into_any(),
                    Outcome::Failed(msg) => view! { <p class="tg-error">{msg}</p> }.into_any(),
                }}
            </div>
        </form>
    }
}
