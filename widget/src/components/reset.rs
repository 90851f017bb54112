//! The reset-password screen behind a mailed link (`/lo/reset?ticket=`).

use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::wire::DbConnectionInfo;

use super::new_password::NewPasswordField;
use crate::api::{get_json, post_json, ApiFailure};
use crate::context::{focus_first_invalid, use_i18n};
use crate::i18n::I18n;
use crate::obj;

#[derive(Debug, Clone, PartialEq)]
enum Stage {
    Loading,
    Invalid,
    Ready {
        email: String,
        connection: DbConnectionInfo,
    },
}

#[derive(Debug, Clone, PartialEq)]
enum Outcome {
    None,
    Done,
    Failed(String),
}

fn reset_error(i18n: &I18n, f: &ApiFailure) -> String {
    match f.code().as_str() {
        "invalid_ticket" => i18n.t("linkExpired"),
        code => i18n.signup_error(code, f.name().as_deref()),
    }
}

/// Sets a new password with the ticket from a reset link; shows the connection's policy live.
#[component]
pub fn ResetPasswordForm(
    /// The ticket from the link.
    #[prop(into)]
    ticket: String,
    /// Origin of the edge, without a trailing slash (`""` for same origin).
    #[prop(into)]
    api_base: String,
) -> impl IntoView {
    let (stage, set_stage) = signal(Stage::Loading);
    let info_url = format!(
        "{api_base}/lo/reset/info?ticket={}",
        js_sys::encode_uri_component(&ticket)
    );
    spawn_local(async move {
        let next = match get_json(&info_url).await {
            Ok(v) => match (v.str("email"), crate::config::connection(v.get("connection"))) {
                (Some(email), Some(connection)) => Stage::Ready { email, connection },
                _ => Stage::Invalid,
            },
            Err(_) => Stage::Invalid,
        };
        set_stage.set(next);
    });

    let post_url = format!("{api_base}/lo/reset");
    let i18n = use_i18n();
    move || match stage.get() {
        Stage::Loading => view! { <p class="tg-hint" role="status">{i18n.t("loading")}</p> }.into_any(),
        Stage::Invalid => view! {
            <div role="alert"><h2 class="tg-title">{i18n.t("linkExpiredTitle")}</h2>
            <p class="tg-error">{i18n.t("linkExpired")}</p></div>
        }
        .into_any(),
        Stage::Ready { email, connection } => {
            view! { <ResetReady email connection ticket=ticket.clone() url=post_url.clone() /> }.into_any()
        }
    }
}

#[component]
fn ResetReady(email: String, connection: DbConnectionInfo, ticket: String, url: String) -> impl IntoView {
    let policy = connection.policy();
    let password = RwSignal::new(String::new());
    let (confirm, set_confirm) = signal(String::new());
    let (touched, set_touched) = signal(false);
    let (busy, set_busy) = signal(false);
    let form_ref = NodeRef::<leptos::html::Form>::new();
    let (outcome, set_outcome) = signal(Outcome::None);
    let matches = move || password.get() == confirm.get();
    let i18n = use_i18n();
    let submit_i18n = i18n.clone();

    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        set_touched.set(true);
        if busy.get_untracked() || outcome.get_untracked() == Outcome::Done {
            return;
        }
        if !policy.check(&password.get_untracked()) || !matches() {
            focus_first_invalid(form_ref);
            return;
        }
        set_busy.set(true);
        set_outcome.set(Outcome::None);
        let body = obj! {"ticket" => &ticket, "password" => password.get_untracked()};
        let url = url.clone();
        let i18n = submit_i18n.clone();
        spawn_local(async move {
            let result = post_json(&url, &body).await;
            set_outcome.set(match result {
                Ok(_) => Outcome::Done,
                Err(f) => Outcome::Failed(reset_error(&i18n, &f)),
            });
            set_busy.set(false);
        });
    };

    let t = |k: &str| i18n.t(k);
    let (title, new_label, confirm_label, mismatch, submit, busy_label, done) = (
        t("resetTitle"),
        t("newPasswordLabel"),
        t("confirmPasswordLabel"),
        t("passwordsDoNotMatch"),
        t("resetSubmitLabel"),
        t("busy.reset"),
        t("success.reset"),
    );
    let for_email = i18n.tf("resetFor", &[shared::password::FormatArg::Str(email.clone())]);
    view! {
        <form id="tg-reset-form" node_ref=form_ref class="tg-form" novalidate on:submit=on_submit aria-busy=move || busy.get().to_string()>
            <h2 class="tg-title">{title}</h2>
            <p class="tg-hint">{for_email}</p>
            // Lets password managers file the new password under the right account.
            <input class="tg-sr" type="email" name="username" autocomplete="username" value=email.clone() readonly tabindex="-1" aria-hidden="true" />
            <NewPasswordField id="tg-reset-password" label=new_label policy password touched />
            <div class="tg-field">
                <label for="tg-reset-confirm">{confirm_label}</label>
                <input id="tg-reset-confirm" name="confirm" type="password" autocomplete="new-password" required
                    aria-invalid=move || (touched.get() && !matches()).to_string()
                    aria-describedby="tg-reset-confirm-hint"
                    on:input=move |ev| set_confirm.set(event_target_value(&ev)) />
                <p id="tg-reset-confirm-hint" class="tg-hint" class:tg-error-text=move || touched.get() && !matches()>
                    {move || if touched.get() && !matches() { mismatch.clone() } else { String::new() }}
                </p>
            </div>
            <button type="submit" class="tg-submit" aria-disabled=move || (busy.get() || outcome.get() == Outcome::Done).to_string()>
                {move || if busy.get() { busy_label.clone() } else { submit.clone() }}
            </button>
            <div class="tg-status" role="status" aria-live="polite">
                {move || match outcome.get() {
                    Outcome::None => ().into_any(),
                    Outcome::Done => view! { <p class="tg-success">{done.clone()}</p> }.into_any(),
                    Outcome::Failed(msg) => view! { <p class="tg-error">{msg}</p> }.into_any(),
                }}
            </div>
        </form>
    }
}
