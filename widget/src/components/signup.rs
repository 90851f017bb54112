//! The sign-up screen: email, optional username, password with the live checklist, the page's
//! additional fields and the terms checkbox.

use reactive_graph::prelude::*;
use reactive_graph::signal::RwSignal;
use shared::password::FormatArg;
use wasm_bindgen_futures::spawn_local;
use web_sys::Node;

use super::email_field::{email_field, email_ok};
use super::extra_field::{extra_input, ExtraValue};
use super::form::{Field, FormState, Kind, Shell, Status};
use super::new_password::new_password;
use crate::api::post_json;
use crate::context::{identifier_email, use_widget, Mode};
use crate::flow::log_in;
use crate::json::Json;
use crate::obj;

/// Puts the additional fields into the `/dbconnections/signup` body: Auth0's root attributes where
/// the page asked for `storage: "root"`, everything else into `user_metadata`.
fn apply_extras(body: &mut Json, extras: &[ExtraValue]) {
    let mut meta = Vec::new();
    for x in extras {
        let v = x.value.get_untracked();
        let root = x.field.storage.as_deref() == Some("root");
        match x.field.name.as_str() {
            name @ ("given_name" | "family_name" | "name" | "nickname" | "picture") if root => body.set(name, v),
            _ => meta.push((x.field.name.clone(), Json::Str(v))),
        }
    }
    if !meta.is_empty() {
        body.set("user_metadata", meta);
    }
}

/// Sign-up on the widget's database connection. Validation runs while typing with the same
/// `shared` code the edge enforces; the server's answer is announced through an `aria-live`
/// region. With `loginAfterSignUp` (the default) the new user is logged in right away.
pub fn signup_form() -> Node {
    let ctx = use_widget();
    let policy = ctx.connection.policy();
    let rules = ctx.connection.username_rules();
    let requires_username = ctx.connection.requires_username;
    let login_after = ctx.opts.login_after_sign_up || matches!(ctx.mode, Mode::Hosted { .. });
    let email = RwSignal::new(identifier_email());
    let username = RwSignal::new(ctx.opts.prefill.username.clone().unwrap_or_default());
    let password = RwSignal::new(String::new());
    let terms = RwSignal::new("false".to_string());
    let must_accept = ctx.opts.must_accept_terms;
    let extras: Vec<ExtraValue> = ctx
        .opts
        .additional_sign_up_fields
        .iter()
        .filter(|f| f.valid_name())
        .map(|f| ExtraValue::new(f.clone()))
        .collect();
    let state = FormState::new();
    let touched = state.touched;

    let username_ok = move || {
        !requires_username
            || rules
                .issues_normalized(&crate::text::lower(username.get().trim()))
                .is_empty()
    };
    let terms_ok = move || !must_accept || terms.get() == "true";
    let password_ok = move || policy.check(&password.get());
    let instance = ctx.opts.instance.clone();
    let extras_ok = {
        let extras = extras.clone();
        move || extras.iter().all(|x| x.check(&instance).0)
    };

    let submit_ctx = ctx.clone();
    let submit_extras = extras.clone();
    let on_submit = move || {
        let valid = email_ok(&email.get_untracked()) && username_ok() && password_ok() && extras_ok() && terms_ok();
        if !state.begin(valid) {
            return;
        }
        let ctx = submit_ctx.clone();
        let typed_password = password.get_untracked();
        let mut body = obj! {
            "client_id" => &ctx.client_id,
            "connection" => &ctx.connection.name,
            "email" => email.get_untracked(),
            "password" => &typed_password,
        };
        if requires_username {
            body.set("username", username.get_untracked());
        }
        apply_extras(&mut body, &submit_extras);
        ctx.emit("signup submit", &obj! {});
        spawn_local(async move {
            match post_json(&ctx.url("/dbconnections/signup"), &body).await {
                Ok(v) => {
                    ctx.emit("signup success", &v);
                    let who = v.str("email").unwrap_or_default();
                    if login_after {
                        // The account exists either way: a failed login leaves the success message
                        // and tells the page through `authorization_error`.
                        match log_in(ctx.clone(), who.clone(), typed_password).await {
                            Ok(true) => return,
                            Ok(false) => {}
                            Err(f) => ctx.emit("authorization_error", &crate::flow::authorization_error(&f)),
                        }
                    }
                    state.finish(Status::Done(ctx.tf("success.signUp", &[FormatArg::Str(who)])));
                }
                Err(f) => {
                    ctx.emit(
                        "signup error",
                        &obj! {"error" => f.code(), "description" => f.description()},
                    );
                    state.finish(Status::Failed(ctx.i18n.signup_error(&f.code(), f.name().as_deref())));
                }
            }
        });
    };

    let t = |k: &str| ctx.t(k);
    let mut body = vec![email_field(&ctx.id("signup-email"), email, touched)];
    if requires_username {
        let hint = ctx.tf(
            "usernameFormatErrorHint",
            &[FormatArg::Num(rules.min), FormatArg::Num(rules.max)],
        );
        body.push(
            Field::new(
                ctx.id("signup-username"),
                "username",
                Kind::Text,
                t("usernameLabel"),
                username,
            )
            .autocomplete("username")
            .invalid(move || touched.get() && !username_ok())
            .hint(move || hint.clone())
            .view(),
        );
    }
    body.extend(new_password(
        &ctx.id("signup-password"),
        t("passwordLabel"),
        policy,
        password,
        touched,
    ));
    body.extend(extras.into_iter().map(|x| extra_input(x, touched)));
    if must_accept {
        body.push(
            Field::new(ctx.id("signup-terms"), "terms", Kind::Checkbox, t("signUpTerms"), terms)
                .invalid(move || touched.get() && !terms_ok())
                .error(t("mustAcceptTerms"))
                .view(),
        );
    }
    let shell = Shell {
        id: ctx.id("signup-form"),
        state,
        submit: t("signUpSubmitLabel"),
        busy_label: t("busy.signUp"),
    };
    shell.view(Box::new(on_submit), body, Vec::new())
}
