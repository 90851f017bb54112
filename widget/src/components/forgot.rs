//! The forgot-password screen: asks for the email and mails a reset link.

use crate::obj;
use reactive_graph::prelude::*;
use reactive_graph::signal::RwSignal;
use wasm_bindgen_futures::spawn_local;
use web_sys::Node;

use super::email_field::{email_field, email_ok};
use super::form::{aside_link, heading, FormState, Shell, Status};
use crate::api::post_json;
use crate::context::{identifier_email, use_screen, use_widget, Screen};

/// Requests a reset link (`/dbconnections/change_password`); the answer is the same for every
/// email, so the screen always says to check the inbox.
pub fn forgot_password_form() -> Node {
    let ctx = use_widget();
    let screen = use_screen();
    let email = RwSignal::new(identifier_email());
    let state = FormState::new();
    let submit_ctx = ctx.clone();
    let on_submit = move || {
        if !state.begin(email_ok(&email.get_untracked())) {
            return;
        }
        let ctx = submit_ctx.clone();
        ctx.emit("forgot_password submit", &obj! {});
        let body = obj! {"client_id" => &ctx.client_id, "connection" => &ctx.connection.name, "email" => email.get_untracked()};
        spawn_local(async move {
            state.finish(
                match post_json(&ctx.url("/dbconnections/change_password"), &body).await {
                    Ok(_) => Status::Done(ctx.t("success.forgotPassword")),
                    Err(f) => Status::Failed(ctx.i18n.forgot_error(&f.code())),
                },
            );
        });
    };
    let t = |k: &str| ctx.t(k);
    let mut body = heading(t("forgotPasswordTitle"), t("forgotPasswordInstructions")).to_vec();
    body.push(email_field(&ctx.id("forgot-email"), email, state.touched));
    let after = vec![aside_link(
        t("backToLogin"),
        Box::new(move || screen.set(Screen::Login)),
    )];
    let shell = Shell {
        id: ctx.id("forgot-form"),
        state,
        submit: t("forgotPasswordSubmitLabel"),
        busy_label: t("busy.forgotPassword"),
    };
    shell.view(Box::new(on_submit), body, after)
}
