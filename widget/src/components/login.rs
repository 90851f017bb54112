//! The login screen: email (or username) and password.

use crate::api::js_value;
use crate::events::object;
use leptos::prelude::*;

use super::form::{AsideLink, Field, FormShell, FormState, Kind, Status};
use super::passkeys::{start_autofill, PasskeyButton};
use crate::context::{passkeys_offered, use_identifier, use_screen, use_widget, AfterEnroll, PendingMfa, Screen};
use crate::flow::{log_in, AuthorizationError, Next};
use crate::i18n::Form;
use crate::passkey::Purpose;

/// The login form.
#[component]
pub fn LoginForm() -> impl IntoView {
    let ctx = use_widget();
    let screen = use_screen();
    let by_username = ctx.connection.requires_username;
    let identifier = use_identifier();
    let password = RwSignal::new(String::new());
    let show_forgot = ctx.connection.show_forgot && ctx.opts.allow_forgot_password();
    let id_ok = move || !identifier.get().trim().is_empty();
    let pw_ok = move || !password.get().is_empty();

    let after_enroll = expect_context::<AfterEnroll>().0;
    let pending_mfa = expect_context::<PendingMfa>().0;
    // Passkeys: the email field's autofill while this screen shows, ended by any other ceremony.
    let passkeys = passkeys_offered(&ctx);
    let autofill = StoredValue::new_local(if passkeys { start_autofill(&ctx) } else { None });
    let end_autofill = move || {
        if let Some(c) = autofill.get_value() {
            crate::passkey::abort(&c);
        }
    };
    on_cleanup(end_autofill);
    let submit_ctx = ctx.clone();
    let state = FormState::new(move || {
        let (u, p) = (identifier.get_untracked(), password.get_untracked());
        let ctx = submit_ctx.clone();
        ctx.emit("signin submit", &object(&[]));
        async move {
            match log_in(ctx.clone(), u, p).await {
                // The browser is leaving: stay pending, so nothing is submitted twice.
                Ok(Next::Leaving) => std::future::pending().await,
                Ok(Next::Stay) => Status::Done(ctx.t("success.logIn")),
                Ok(Next::Enroll(offered)) => {
                    after_enroll.set(Some(offered));
                    screen.set(Screen::EnrollPasskey);
                    std::future::pending().await
                }
                Ok(Next::Mfa(step)) => {
                    pending_mfa.set(Some(step));
                    screen.set(Screen::Mfa);
                    std::future::pending().await
                }
                Err(f) => {
                    ctx.emit("authorization_error", &js_value(&AuthorizationError::from(&f)));
                    Status::Failed(ctx.i18n.error(Form::Login, &f, by_username))
                }
            }
        }
    });
    let touched = state.touched;
    let label = ctx.t(if by_username {
        "usernameOrEmailLabel"
    } else {
        "emailLabel"
    });
    let kind = if by_username { Kind::Text } else { Kind::Email };
    let id_autocomplete = if passkeys { "username webauthn" } else { "username" };
    let passkey_button = passkeys.then(|| {
        view! {
            <PasskeyButton label=ctx.t("passkeyLogin") purpose=Signal::derive(|| Some(Purpose::Login))
                before=Callback::new(move |_| { end_autofill(); true }) />
        }
    });
    let forgot = show_forgot.then(|| {
        view! {
            <AsideLink label=ctx.t("forgotPasswordAction") on_click=Callback::new(move |_| screen.set(Screen::ForgotPassword)) />
        }
    });
    // The other way in, under the button: a code by email.
    let passwordless = ctx.passwordless.is_some().then(|| {
        view! {
            <AsideLink label=ctx.t("passwordlessAction") on_click=Callback::new(move |_| screen.set(Screen::Passwordless)) />
        }
        .into_any()
    });
    view! {
        <FormShell id=ctx.id("login-form") state submit=ctx.t("loginSubmitLabel") busy_label=ctx.t("busy.login")
            valid=Callback::new(move |_| id_ok() && pw_ok()) after=passwordless.unwrap_or_else(|| ().into_any())>
            <Field id=ctx.id("login-id") name="username" kind label value=identifier autocomplete=id_autocomplete
                invalid=Signal::derive(move || touched.get() && !id_ok()) />
            <Field id=ctx.id("login-password") name="password" kind=Kind::Password label=ctx.t("passwordLabel")
                value=password autocomplete="current-password"
                invalid=Signal::derive(move || touched.get() && !pw_ok()) />
            {forgot}
        </FormShell>
        {passkey_button}
    }
}
