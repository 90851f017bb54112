//! The second factor's screen: enrolment (an authenticator app's QR code and key, or a code by
//! email, with the recovery code to save) or a challenge (the app's code, the mailed code, or a
//! recovery code), then the new recovery code when one was used.

use leptos::prelude::*;

use super::form::{AsideLink, Field, FormShell, FormState, Heading, Kind, Status};
use crate::api::js_value;
use crate::context::{use_widget, PendingMfa};
use crate::flow::{navigate, AuthorizationError};
use crate::i18n::Form;
use crate::mfa::{begin, finish, Answer, Done, Setup};

/// The MFA screen.
#[component]
pub fn MfaScreen() -> impl IntoView {
    let ctx = use_widget();
    let step = expect_context::<PendingMfa>().0.get_untracked();
    let setup = RwSignal::new(None::<Setup>);
    let failed = RwSignal::new(None::<String>);
    let fresh = RwSignal::new(None::<(String, Option<String>)>);
    if let Some(step) = step.clone() {
        let ctx = ctx.clone();
        leptos::task::spawn_local(async move {
            match begin(&ctx, &step).await {
                Ok(s) => setup.set(Some(s)),
                Err(f) => failed.set(Some(ctx.i18n.error(Form::Mfa, &f, false))),
            }
        });
    }
    let loading = ctx.t("mfaLoading");
    provide_context(Remember(RwSignal::new(String::new())));
    view! {
        {move || match (fresh.get(), setup.get(), failed.get()) {
            (Some((code, then)), _, _) => view! { <NewRecoveryCode code then /> }.into_any(),
            (None, Some(Setup::Key), _) => view! { <KeyOnly fresh /> }.into_any(),
            (None, Some(s), _) => view! { <CodeForm setup=s fresh /> }.into_any(),
            (None, None, Some(text)) => view! { <div class="tg-form"><p class="tg-error" role="alert">{text}</p></div> }.into_any(),
            _ => view! { <div class="tg-form"><p class="tg-hint" role="status">{loading.clone()}</p></div> }.into_any(),
        }}
    }
}

/// "Remember this browser": the checkbox's value (`"true"`), shared by the code and the key.
#[derive(Clone, Copy)]
struct Remember(RwSignal<String>);

impl Remember {
    fn asked() -> bool {
        use_context::<Remember>().is_some_and(|r| r.0.get_untracked() == "true")
    }
}

/// The "Remember this browser for N days" checkbox, when the hosted page offers it.
#[component]
fn RememberBox() -> impl IntoView {
    let ctx = use_widget();
    let days = expect_context::<PendingMfa>()
        .0
        .get_untracked()
        .and_then(|s| s.remember_days)
        .filter(|_| matches!(ctx.mode, crate::context::Mode::Hosted { .. }));
    let value = expect_context::<Remember>().0;
    days.map(|d| {
        let label = ctx.t("mfaRemember").replace("{days}", &d.to_string());
        view! {
            <Field id=ctx.id("mfa-remember") name="remember" kind=Kind::Checkbox label optional=true value />
        }
    })
}

/// The code to type (and, at enrolment, what to scan and save).
#[component]
fn CodeForm(setup: Setup, fresh: RwSignal<Option<(String, Option<String>)>>) -> impl IntoView {
    let ctx = use_widget();
    let step = expect_context::<PendingMfa>().0;
    let recovery_mode = RwSignal::new(false);
    let code = RwSignal::new(String::new());
    let code_ok = move || {
        let c = code.get();
        let c = c.trim();
        if recovery_mode.get() {
            c.len() >= 16
        } else {
            c.len() == 6 && c.bytes().all(|b| b.is_ascii_digit())
        }
    };
    let enrolling = matches!(setup, Setup::Otp { .. } | Setup::Email { recovery: Some(_), .. });
    let oob = match &setup {
        Setup::Email { oob_code, .. } => Some(oob_code.clone()),
        _ => None,
    };
    let send_ctx = ctx.clone();
    let state = FormState::new(move || {
        let ctx = send_ctx.clone();
        let typed = code.get_untracked().trim().to_owned();
        let answer = match (recovery_mode.get_untracked(), &oob) {
            (true, _) => Answer::Recovery(typed),
            (false, Some(oob_code)) => Answer::Oob {
                oob_code: oob_code.clone(),
                code: typed,
            },
            (false, None) => Answer::Otp(typed),
        };
        let step = step.get_untracked();
        async move {
            let Some(step) = step else {
                return Status::Failed(ctx.t("error.mfa.expired"));
            };
            match finish(ctx.clone(), step, answer, Remember::asked()).await {
                Ok(Done::Leaving) => std::future::pending().await,
                Ok(Done::Stay) => Status::Done(ctx.t("success.logIn")),
                Ok(Done::NewRecoveryCode { code, then }) => {
                    fresh.set(Some((code, then)));
                    std::future::pending().await
                }
                Err(f) => {
                    ctx.emit("authorization_error", &js_value(&AuthorizationError::from(&f)));
                    Status::Failed(ctx.i18n.error(Form::Mfa, &f, false))
                }
            }
        }
    });
    let (title, hint) = match &setup {
        Setup::Otp { .. } => (ctx.t("mfaEnrollTitle"), ctx.t("mfaEnrollOtp")),
        Setup::Email { .. } if enrolling => (ctx.t("mfaEnrollTitle"), ctx.t("mfaEmailSent")),
        Setup::Email { .. } => (ctx.t("mfaTitle"), ctx.t("mfaEmailSent")),
        Setup::App => (ctx.t("mfaTitle"), ctx.t("mfaOtpPrompt")),
        Setup::Key => (ctx.t("mfaTitle"), ctx.t("mfaKeyHint")),
    };
    let scan = match &setup {
        Setup::Otp { svg, secret, .. } => {
            let src = format!("data:image/svg+xml;utf8,{}", js_sys::encode_uri_component(svg));
            Some(view! {
                <img class="tg-qr" src=src alt=ctx.t("mfaQrAlt") width="200" height="200" />
                <p class="tg-hint">{ctx.t("mfaKeyLabel")}": "<code class="tg-secret">{secret.clone()}</code></p>
            })
        }
        _ => None,
    };
    let save = match &setup {
        Setup::Otp { recovery: Some(r), .. } | Setup::Email { recovery: Some(r), .. } => Some(view! {
            <p class="tg-hint">{ctx.t("mfaRecoverySave")}</p>
            <p><code class="tg-secret" id=ctx.id("mfa-recovery")>{r.clone()}</code></p>
        }),
        _ => None,
    };
    let (code_label, recovery_label) = (ctx.t("mfaCodeLabel"), ctx.t("mfaRecoveryLabel"));
    let recovery_hint = ctx.t("mfaRecoveryPrompt");
    let toggle = (!enrolling).then(|| {
        view! {
            <AsideLink label=ctx.t("mfaUseRecovery") on_click=Callback::new(move |_| {
                recovery_mode.update(|r| *r = !*r);
                code.set(String::new());
            }) />
        }
        .into_any()
    });
    let field_id = ctx.id("mfa-code");
    let key = key_offered(&ctx, &step).then(|| view! { <KeyButton fresh /> });
    view! {
        <FormShell id=ctx.id("mfa-form") state submit=ctx.t("mfaVerify") busy_label=ctx.t("busy.mfa")
            valid=Callback::new(move |_| code_ok()) after=toggle.unwrap_or_else(|| ().into_any())>
            {move || {
                let hint = if recovery_mode.get() { recovery_hint.clone() } else { hint.clone() };
                view! { <Heading title=title.clone() hint /> }
            }}
            {scan}
            {save}
            {move || {
                let label = if recovery_mode.get() { recovery_label.clone() } else { code_label.clone() };
                view! {
                    <Field id=field_id.clone() name="code" kind=Kind::Text label value=code autocomplete="one-time-code"
                        invalid=Signal::derive(move || state.touched.get() && !code_ok()) />
                }
            }}
            <RememberBox />
        </FormShell>
        {key}
    }
}

/// Whether the page offers a security key or passkey as the second factor.
fn key_offered(ctx: &crate::context::WidgetCtx, step: &RwSignal<Option<shared::wire::MfaStep>>) -> bool {
    matches!(ctx.mode, crate::context::Mode::Hosted { .. })
        && crate::passkey::supported()
        && step
            .get_untracked()
            .is_some_and(|s| s.factors.iter().any(|f| f == "webauthn"))
}

/// "Add" or "Use a security key or passkey": the ceremony, then on (or the new recovery code).
#[component]
fn KeyButton(fresh: RwSignal<Option<(String, Option<String>)>>) -> impl IntoView {
    let ctx = use_widget();
    let step = expect_context::<PendingMfa>().0;
    let enroll = step.get_untracked().is_some_and(|s| s.enroll);
    let busy = RwSignal::new(false);
    let status = RwSignal::new(None::<Status>);
    let label = ctx.t(if enroll { "mfaKeyEnroll" } else { "mfaKeyUse" });
    let busy_label = ctx.t("busy.passkey");
    let click = move |_| {
        let Some(s) = step.get_untracked() else { return };
        if busy.get_untracked() {
            return;
        }
        busy.set(true);
        status.set(None);
        let ctx = ctx.clone();
        leptos::task::spawn_local(async move {
            match crate::passkey::second_factor(ctx.clone(), s.mfa_token, s.enroll, Remember::asked()).await {
                Ok(Some((code, then))) => fresh.set(Some((code, Some(then)))),
                Ok(None) => {}
                Err(crate::passkey::Failure::Cancelled) => {
                    busy.set(false);
                    status.set(Some(Status::Failed(ctx.t("passkeyCancelled"))));
                }
                Err(crate::passkey::Failure::Api(f)) => {
                    busy.set(false);
                    status.set(Some(Status::Failed(ctx.i18n.error(Form::Mfa, &f, false))));
                }
            }
        });
    };
    view! {
        <button type="button" class="tg-secondary" aria-disabled=move || busy.get().to_string() on:click=click>
            {move || if busy.get() { busy_label.clone() } else { label.clone() }}
        </button>
        <super::form::StatusRegion status=Signal::derive(move || status.get()) />
    }
}

/// Only a security key or passkey is offered.
#[component]
fn KeyOnly(fresh: RwSignal<Option<(String, Option<String>)>>) -> impl IntoView {
    let ctx = use_widget();
    let enroll = expect_context::<PendingMfa>()
        .0
        .get_untracked()
        .is_some_and(|s| s.enroll);
    let (title, hint) = if enroll {
        (ctx.t("mfaEnrollTitle"), ctx.t("mfaKeyEnrollHint"))
    } else {
        (ctx.t("mfaTitle"), ctx.t("mfaKeyHint"))
    };
    view! {
        <div class="tg-form">
            <Heading title hint />
            <RememberBox />
            <KeyButton fresh />
        </div>
    }
}

/// After a recovery code: the new one, shown once, then on.
#[component]
fn NewRecoveryCode(code: String, then: Option<String>) -> impl IntoView {
    let ctx = use_widget();
    let go = move |_| {
        if let Some(url) = &then {
            navigate(url);
        }
    };
    view! {
        <div class="tg-form">
            <Heading title=ctx.t("mfaNewRecoveryTitle") hint=ctx.t("mfaRecoverySave") />
            <p><code class="tg-secret" id=ctx.id("mfa-new-recovery")>{code}</code></p>
            <button type="button" class="tg-submit" on:click=go>{ctx.t("mfaContinue")}</button>
        </div>
    }
}
