//! The sign-up screen: email, optional username, password with the live checklist, the page's
//! additional fields and the terms checkbox.

use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::password::FormatArg;

use super::email_field::{email_ok, EmailField};
use super::extra_field::{ExtraInput, ExtraValue};
use super::new_password::NewPasswordField;
use crate::api::post_json;
use crate::context::{focus_first_invalid, identifier_email, use_widget, Mode};
use crate::flow::log_in;
use crate::json::Json;
use crate::obj;

/// What the last submit produced.
#[derive(Debug, Clone, PartialEq)]
enum Outcome {
    None,
    SignedUp(String),
    Failed(String),
}

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
#[component]
pub fn SignupForm() -> impl IntoView {
    let ctx = use_widget();
    let policy = ctx.connection.policy();
    let rules = ctx.connection.username_rules();
    let requires_username = ctx.connection.requires_username;
    let login_after = ctx.opts.login_after_sign_up || matches!(ctx.mode, Mode::Hosted { .. });
    let email = RwSignal::new(identifier_email());
    let username = RwSignal::new(ctx.opts.prefill.username.clone().unwrap_or_default());
    let password = RwSignal::new(String::new());
    let terms = RwSignal::new(false);
    let must_accept = ctx.opts.must_accept_terms;
    let extras: Vec<ExtraValue> = ctx
        .opts
        .additional_sign_up_fields
        .iter()
        .filter(|f| f.valid_name())
        .map(|f| ExtraValue::new(f.clone()))
        .collect();
    let (busy, set_busy) = signal(false);
    let form_ref = NodeRef::<leptos::html::Form>::new();
    let (outcome, set_outcome) = signal(Outcome::None);
    let (touched, set_touched) = signal(false);

    let username_ok = move || {
        !requires_username
            || rules
                .issues_normalized(&crate::text::lower(username.get().trim()))
                .is_empty()
    };
    let check = policy;
    let password_ok = move || check.check(&password.get());
    let instance = ctx.opts.instance.clone();
    let extras_ok = {
        let extras = extras.clone();
        move || extras.iter().all(|x| x.check(&instance).0)
    };

    let submit_ctx = ctx.clone();
    let submit_extras = extras.clone();
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        set_touched.set(true);
        if busy.get_untracked() {
            return;
        }
        let terms_ok = !must_accept || terms.get_untracked();
        if !(email_ok(&email.get_untracked()) && username_ok() && password_ok() && extras_ok() && terms_ok) {
            focus_first_invalid(form_ref);
            return;
        }
        set_busy.set(true);
        set_outcome.set(Outcome::None);
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
            let fail = |f: crate::api::ApiFailure| {
                ctx.emit(
                    "signup error",
                    &obj! {"error" => f.code(), "description" => f.description()},
                );
                set_outcome.set(Outcome::Failed(ctx.i18n.signup_error(&f.code(), f.name().as_deref())));
                set_busy.set(false);
                focus_first_invalid(form_ref);
            };
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
                    set_outcome.set(Outcome::SignedUp(who));
                    set_busy.set(false);
                }
                Err(f) => fail(f),
            }
        });
    };

    let t = |k: &str| ctx.t(k);
    let (username_label, password_label, submit, busy_label, terms_text, terms_error) = (
        t("usernameLabel"),
        t("passwordLabel"),
        t("signUpSubmitLabel"),
        t("busy.signUp"),
        t("signUpTerms"),
        t("mustAcceptTerms"),
    );
    let username_hint = ctx.tf(
        "usernameFormatErrorHint",
        &[FormatArg::Num(rules.min), FormatArg::Num(rules.max)],
    );
    let success_i18n = ctx.i18n.clone();
    view! {
        <form id="tg-signup-form" node_ref=form_ref class="tg-form" novalidate on:submit=on_submit aria-busy=move || busy.get().to_string()>
            <EmailField id="tg-signup-email" value=email touched />
            {requires_username.then(|| view! {
                <div class="tg-field">
                    <label for="tg-signup-username">{username_label}</label>
                    <input id="tg-signup-username" name="username" type="text" autocomplete="username" required
                        prop:value=move || username.get()
                        aria-invalid=move || (touched.get() && !username_ok()).to_string()
                        aria-describedby="tg-signup-username-hint"
                        on:input=move |ev| username.set(event_target_value(&ev)) />
                    <p id="tg-signup-username-hint" class="tg-hint" class:tg-error-text=move || touched.get() && !username_ok()>
                        {username_hint}
                    </p>
                </div>
            })}
            <NewPasswordField id="tg-signup-password" label=password_label policy password touched />
            {extras.into_iter().map(|x| view! { <ExtraInput x touched /> }).collect_view()}
            {must_accept.then(|| view! {
                <div class="tg-field tg-check">
                    <input id="tg-signup-terms" name="terms" type="checkbox" required
                        prop:checked=move || terms.get()
                        aria-invalid=move || (touched.get() && !terms.get()).to_string()
                        aria-describedby="tg-signup-terms-hint"
                        on:change=move |ev| terms.set(event_target_checked(&ev)) />
                    <label for="tg-signup-terms">{terms_text}</label>
                    <p id="tg-signup-terms-hint" class="tg-hint tg-error-text">
                        {move || if touched.get() && !terms.get() { terms_error.clone() } else { String::new() }}
                    </p>
                </div>
            })}
            <button type="submit" class="tg-submit" aria-disabled=move || busy.get().to_string()>
                {move || if busy.get() { busy_label.clone() } else { submit.clone() }}
            </button>
            <div class="tg-status" role="status" aria-live="polite">
                {move || match outcome.get() {
                    Outcome::None => ().into_any(),
                    Outcome::SignedUp(email) => view! {
                        <p class="tg-success">{success_i18n.tf("success.signUp", &[FormatArg::Str(email)])}</p>
                    }.into_any(),
                    Outcome::Failed(msg) => view! { <p class="tg-error">{msg}</p> }.into_any(),
                }}
            </div>
        </form>
    }
}
