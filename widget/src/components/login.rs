//! The login screen: email (or username) and password.

use crate::obj;
use reactive_graph::prelude::*;
use reactive_graph::signal::RwSignal;
use wasm_bindgen_futures::spawn_local;
use web_sys::Node;

use super::form::{aside_link, Field, FormState, Kind, Shell, Status};
use crate::context::{use_identifier, use_screen, use_widget, Screen};
use crate::flow::{authorization_error, log_in};

/// The login form.
pub fn login_form() -> Node {
    let ctx = use_widget();
    let screen = use_screen();
    let by_username = ctx.connection.requires_username;
    let identifier = use_identifier();
    let password = RwSignal::new(String::new());
    let state = FormState::new();
    let touched = state.touched;
    let show_forgot = ctx.connection.show_forgot && ctx.opts.allow_forgot_password;
    let id_ok = move || !identifier.get().trim().is_empty();
    let pw_ok = move || !password.get().is_empty();

    let submit_ctx = ctx.clone();
    let on_submit = move || {
        if !state.begin(id_ok() && pw_ok()) {
            return;
        }
        let (u, p) = (identifier.get_untracked(), password.get_untracked());
        let ctx = submit_ctx.clone();
        ctx.emit("signin submit", &obj! {});
        spawn_local(async move {
            match log_in(ctx.clone(), u, p).await {
                // The browser is leaving; stay busy so nothing is submitted twice.
                Ok(true) => {}
                Ok(false) => state.finish(Status::Done(ctx.t("success.logIn"))),
                Err(f) => {
                    ctx.emit("authorization_error", &authorization_error(&f));
                    state.finish(Status::Failed(ctx.i18n.login_error(
                        &f.code(),
                        &f.description(),
                        by_username,
                    )));
                }
            }
        });
    };

    let label = ctx.t(if by_username {
        "usernameOrEmailLabel"
    } else {
        "emailLabel"
    });
    let kind = if by_username { Kind::Text } else { Kind::Email };
    let mut body = vec![
        Field::new(ctx.id("login-id"), "username", kind, label, identifier)
            .autocomplete("username")
            .invalid(move || touched.get() && !id_ok())
            .view(),
        Field::new(
            ctx.id("login-password"),
            "password",
            Kind::Password,
            ctx.t("passwordLabel"),
            password,
        )
        .autocomplete("current-password")
        .invalid(move || touched.get() && !pw_ok())
        .view(),
    ];
    if show_forgot {
        body.push(aside_link(
            ctx.t("forgotPasswordAction"),
            Box::new(move || screen.set(Screen::ForgotPassword)),
        ));
    }
    let shell = Shell {
        id: ctx.id("login-form"),
        state,
        submit: ctx.t("loginSubmitLabel"),
        busy_label: ctx.t("busy.login"),
    };
    shell.view(Box::new(on_submit), body, Vec::new())
}
