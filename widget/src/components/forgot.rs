//! The forgot-password screen: asks for the email and mails a reset link.

use crate::events::object;
use leptos::prelude::*;
use shared::wire::ChangePasswordRequest;

use super::email_field::{email_ok, EmailField};
use super::form::{AsideLink, FormShell, FormState, Heading, Status};
use crate::api::post_only;
use crate::context::{identifier_email, use_screen, use_widget, Screen};
use crate::i18n::Form;

/// Requests a reset link (`/dbconnections/change_password`); the answer is the same for every
/// email, so the screen always says to check the inbox.
#[component]
pub fn ForgotPasswordForm() -> impl IntoView {
    let ctx = use_widget();
    let screen = use_screen();
    let email = RwSignal::new(identifier_email());
    let submit_ctx = ctx.clone();
    let state = FormState::new(move || {
        let ctx = submit_ctx.clone();
        ctx.emit("forgot_password submit", &object(&[]));
        let body = ChangePasswordRequest {
            client_id: Some(ctx.client_id.clone()),
            connection: Some(ctx.connection.name.clone()),
            email: Some(email.get_untracked()),
        };
        async move {
            match post_only(&ctx.url("/dbconnections/change_password"), &body).await {
                Ok(()) => Status::Done(ctx.t("success.forgotPassword")),
                Err(f) => Status::Failed(ctx.i18n.error(Form::ForgotPassword, &f, false)),
            }
        }
    });
    let back =
        view! { <AsideLink label=ctx.t("backToLogin") on_click=Callback::new(move |_| screen.set(Screen::Login)) /> };
    let (title, hint, email_id) = (
        ctx.t("forgotPasswordTitle"),
        ctx.t("forgotPasswordInstructions"),
        ctx.id("forgot-email"),
    );
    view! {
        <FormShell id=ctx.id("forgot-form") state submit=ctx.t("forgotPasswordSubmitLabel") busy_label=ctx.t("busy.forgotPassword")
            valid=Callback::new(move |_| email_ok(&email.get_untracked())) after=back.into_any()>
            <Heading title hint />
            <EmailField id=email_id value=email touched=state.touched />
        </FormShell>
    }
}
