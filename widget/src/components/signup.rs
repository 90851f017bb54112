//! The sign-up screen: email, optional username, password with the live checklist, the page's
//! additional fields and the terms checkbox.

use leptos::prelude::*;
use serde_json::{Map, Value};
use shared::password::FormatArg;
use shared::wire::{SignupRequest, SignupResponse};

use super::email_field::{email_ok, EmailField};
use super::extra_field::{ExtraFieldInput, ExtraValue};
use super::form::{Field, FormShell, FormState, Kind, Status};
use super::new_password::NewPassword;
use super::passkeys::PasskeyButton;
use crate::api::{js_value, post_json};
use crate::context::{identifier_email, passkeys_offered, use_screen, use_widget, Mode, PendingMfa, Screen};
use crate::events::object;
use crate::flow::{log_in, AuthorizationError, Next};
use crate::i18n::Form;
use crate::passkey::Purpose;

/// Puts the additional fields into the sign-up request: Auth0's root attributes where the page
/// asked for `storage: "root"`, everything else into `user_metadata`.
fn apply_extras(body: &mut SignupRequest, extras: &[ExtraValue]) {
    let mut meta = Map::new();
    for x in extras {
        let v = x.value.get_untracked();
        let root = x.field.storage.as_deref() == Some("root");
        let slot = match x.field.name.as_str() {
            "given_name" if root => &mut body.given_name,
            "family_name" if root => &mut body.family_name,
            "name" if root => &mut body.name,
            "nickname" if root => &mut body.nickname,
            "picture" if root => &mut body.picture,
            name => {
                meta.insert(name.to_owned(), Value::String(v));
                continue;
            }
        };
        *slot = Some(v);
    }
    if !meta.is_empty() {
        body.user_metadata = Some(meta);
    }
}

/// The terms checkbox that must be ticked to sign up.
#[component]
fn Terms(
    /// Element id.
    #[prop(into)]
    id: String,
    /// `"true"` once ticked.
    accepted: RwSignal<String>,
    /// Whether the form was submitted.
    touched: RwSignal<bool>,
) -> impl IntoView {
    let ctx = use_widget();
    let invalid = Signal::derive(move || touched.get() && accepted.get() != "true");
    let message = ctx.t("mustAcceptTerms");
    let hint = Signal::derive(move || if invalid.get() { message.clone() } else { String::new() });
    view! { <Field id name="terms" kind=Kind::Checkbox label=ctx.t("signUpTerms") value=accepted invalid hint /> }
}

/// Sign-up on the widget's database connection. Validation runs while typing with the same
/// `shared` code the edge enforces; the server's answer is announced through an `aria-live`
/// region. With `loginAfterSignUp` (the default) the new user is logged in right away.
#[component]
pub fn SignupForm() -> impl IntoView {
    let ctx = use_widget();
    let pending_mfa = expect_context::<PendingMfa>().0;
    let screen = use_screen();
    let policy = ctx.connection.policy();
    let rules = ctx.connection.username_rules();
    let requires_username = ctx.connection.requires_username;
    let login_after = ctx.opts.login_after_sign_up() || matches!(ctx.mode, Mode::Hosted { .. });
    let email = RwSignal::new(identifier_email());
    let username = RwSignal::new(ctx.opts.prefill.username.clone().unwrap_or_default());
    let password = RwSignal::new(String::new());
    let terms = RwSignal::new("false".to_string());
    let terms_accepted = terms;
    let must_accept = ctx.opts.must_accept_terms;
    let extras: Vec<ExtraValue> = ctx
        .opts
        .additional_sign_up_fields
        .iter()
        .filter(|f| f.valid_name())
        .map(|f| ExtraValue::new(f.clone()))
        .collect();

    let username_ok = move || {
        !requires_username
            || rules
                .issues_normalized(&crate::text::lower(username.get().trim()))
                .is_empty()
    };
    let instance = ctx.opts.instance.clone();
    let check_extras = extras.clone();
    let valid = Callback::new(move |_| {
        email_ok(&email.get_untracked())
            && username_ok()
            && policy.check(&password.get_untracked())
            && check_extras.iter().all(|x| x.check(&instance).0)
            && (!must_accept || terms.get_untracked() == "true")
    });

    let submit_ctx = ctx.clone();
    let submit_extras = extras.clone();
    let state = FormState::new(move || {
        let ctx = submit_ctx.clone();
        let typed_password = password.get_untracked();
        let mut body = SignupRequest {
            client_id: Some(ctx.client_id.clone()),
            connection: Some(ctx.connection.name.clone()),
            email: Some(email.get_untracked()),
            password: Some(typed_password.clone()),
            username: requires_username.then(|| username.get_untracked()),
            ..SignupRequest::default()
        };
        apply_extras(&mut body, &submit_extras);
        ctx.emit("signup submit", &object(&[]));
        async move {
            match post_json::<_, SignupResponse>(&ctx.url("/dbconnections/signup"), &body, false).await {
                Ok(created) => {
                    ctx.emit("signup success", &js_value(&created));
                    if login_after {
                        // The account exists either way: a failed login leaves the success message
                        // and tells the page through `authorization_error`.
                        match log_in(ctx.clone(), created.email.clone(), typed_password).await {
                            Ok(Next::Leaving) => std::future::pending().await,
                            // Just signed up: no passkey offer on top of it.
                            Ok(Next::Enroll(offered)) => {
                                let hosted = matches!(offered, crate::context::Offered::Hosted(_));
                                crate::flow::decline_offer(&ctx, offered);
                                if hosted {
                                    std::future::pending::<()>().await;
                                }
                            }
                            Ok(Next::Stay) => {}
                            // The tenant asks for a second factor: enrol it now.
                            Ok(Next::Mfa(step)) => {
                                pending_mfa.set(Some(step));
                                screen.set(Screen::Mfa);
                                std::future::pending::<()>().await
                            }
                            Err(f) => ctx.emit("authorization_error", &js_value(&AuthorizationError::from(&f))),
                        }
                    }
                    Status::Done(ctx.tf("success.signUp", &[FormatArg::Str(created.email)]))
                }
                Err(f) => {
                    ctx.emit(
                        "signup error",
                        &object(&[("error", f.code_text()), ("description", &f.description())]),
                    );
                    Status::Failed(ctx.i18n.error(Form::SignUp, &f, false))
                }
            }
        }
    });
    let touched = state.touched;
    let username_field = requires_username.then(|| {
        let hint = ctx.tf(
            "usernameFormatErrorHint",
            &[FormatArg::Num(rules.min), FormatArg::Num(rules.max)],
        );
        view! {
            <Field id=ctx.id("signup-username") name="username" kind=Kind::Text label=ctx.t("usernameLabel")
                value=username autocomplete="username"
                invalid=Signal::derive(move || touched.get() && !username_ok())
                hint=Signal::derive(move || hint.clone()) />
        }
    });
    let extras = extras
        .into_iter()
        .map(|x| view! { <ExtraFieldInput x touched /> })
        .collect_view();
    let terms = must_accept.then(|| view! { <Terms id=ctx.id("signup-terms") accepted=terms touched /> });
    let (email_id, password_id, password_label) = (
        ctx.id("signup-email"),
        ctx.id("signup-password"),
        ctx.t("passwordLabel"),
    );
    // A passkey instead of a password: the same email (and username and terms), no password.
    let passkey_signup = passkeys_offered(&ctx).then(|| {
        let ready = move || {
            email_ok(&email.get_untracked())
                && username_ok()
                && (!must_accept || terms_accepted.get_untracked() == "true")
        };
        let purpose = Signal::derive(move || {
            Some(Purpose::Register {
                email: email.get().trim().to_owned(),
                username: requires_username.then(|| username.get().trim().to_owned()),
            })
        });
        view! {
            <PasskeyButton label=ctx.t("passkeySignup") purpose
                before=Callback::new(move |_| { touched.set(true); ready() }) />
        }
    });
    view! {
        <FormShell id=ctx.id("signup-form") state submit=ctx.t("signUpSubmitLabel") busy_label=ctx.t("busy.signUp") valid>
            <EmailField id=email_id value=email touched />
            {username_field}
            <NewPassword id=password_id label=password_label policy password touched />
            {extras}
            {terms}
        </FormShell>
        {passkey_signup}
    }
}
