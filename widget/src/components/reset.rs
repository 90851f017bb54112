//! The reset-password screen behind a mailed link (`/lo/reset?ticket=`).

use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::password::FormatArg;
use shared::wire::{DbConnectionInfo, ErrorCode, ResetDone, ResetInfo, ResetRequest};

use super::form::{Field, FormShell, FormState, Heading, Kind, Status};
use super::new_password::NewPassword;
use crate::api::{get_json, post_json};
use crate::context::use_i18n;
use crate::i18n::Form;

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
    // `None` while loading, then the ticket's account and policy (or `Err` for a dead link).
    let info = RwSignal::new(None::<Result<ResetInfo, ()>>);
    let info_url = format!(
        "{api_base}/lo/reset/info?ticket={}",
        js_sys::encode_uri_component(&ticket)
    );
    spawn_local(async move {
        let answer = get_json::<ResetInfo>(&info_url).await.map_err(|_| ());
        info.try_set(Some(answer));
    });
    let post_url = format!("{api_base}/lo/reset");
    let i18n = use_i18n();
    view! {
        <div class="tg-widget">
            {move || match info.get() {
                None => view! { <p class="tg-hint" role="status">{i18n.t("loading")}</p> }.into_any(),
                Some(Err(())) => view! { <LinkExpired /> }.into_any(),
                Some(Ok(ResetInfo { email, connection })) => view! {
                    <ResetReady email connection ticket=ticket.clone() url=post_url.clone() />
                }
                .into_any(),
            }}
        </div>
    }
}

/// A reset link that is invalid, used or expired.
#[component]
fn LinkExpired() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <div role="alert">
            <h2 class="tg-title">{i18n.t("linkExpiredTitle")}</h2>
            <p class="tg-error">{i18n.t("linkExpired")}</p>
        </div>
    }
}

#[component]
fn ResetReady(email: String, connection: DbConnectionInfo, ticket: String, url: String) -> impl IntoView {
    let policy = connection.policy();
    let password = RwSignal::new(String::new());
    let confirm = RwSignal::new(String::new());
    let matches = move || password.get() == confirm.get();
    let i18n = use_i18n();
    let submit_i18n = i18n.clone();
    let state = FormState::new(move || {
        let body = ResetRequest {
            ticket: Some(ticket.clone()),
            password: Some(password.get_untracked()),
        };
        let (url, i18n) = (url.clone(), submit_i18n.clone());
        async move {
            match post_json::<_, ResetDone>(&url, &body, false).await {
                Ok(_) => Status::Done(i18n.t("success.reset")),
                Err(f) if f.code() == Some(ErrorCode::InvalidTicket) => Status::Failed(i18n.t("linkExpired")),
                Err(f) => Status::Failed(i18n.error(Form::SignUp, &f, false)),
            }
        }
    })
    .single_use();
    let touched = state.touched;
    let mismatch = Signal::derive(move || touched.get() && !matches());
    let mismatch_text = i18n.t("passwordsDoNotMatch");
    let mismatch_hint = Signal::derive(move || {
        if mismatch.get() {
            mismatch_text.clone()
        } else {
            String::new()
        }
    });
    let (title, hint) = (
        i18n.t("resetTitle"),
        i18n.tf("resetFor", &[FormatArg::Str(email.clone())]),
    );
    let (new_label, confirm_label) = (i18n.t("newPasswordLabel"), i18n.t("confirmPasswordLabel"));
    view! {
        <FormShell id="tg-reset-form" state submit=i18n.t("resetSubmitLabel") busy_label=i18n.t("busy.reset")
            valid=Callback::new(move |_| policy.check(&password.get_untracked()) && matches())>
            <Heading title hint />
            // Lets password managers file the new password under the right account.
            <input class="tg-sr" type="email" name="username" autocomplete="username" value=email
                readonly tabindex="-1" aria-hidden="true" />
            <NewPassword id="tg-reset-password" label=new_label policy password touched />
            <Field id="tg-reset-confirm" name="confirm" kind=Kind::Password label=confirm_label
                value=confirm autocomplete="new-password" invalid=mismatch hint=mismatch_hint />
        </FormShell>
    }
}
