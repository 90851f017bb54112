//! The passwordless screen: an email, then the code mailed to it (with a new one after a delay),
//! or — for links — a "check your email" message. The first code or link of a new address signs
//! it up.

use crate::events::object;
use leptos::prelude::*;
use shared::password::FormatArg;
use shared::wire::PasswordlessSend;

use super::email_field::{email_ok, EmailField};
use super::form::{AsideLink, Field, FormShell, FormState, Heading, Kind, Status};
use crate::api::js_value;
use crate::context::{identifier_email, use_screen, use_widget, PendingMfa, Screen};
use crate::flow::{passwordless_send, passwordless_start, passwordless_verify, AuthorizationError, Next};
use crate::i18n::Form;

/// Seconds before another code or link may be asked for.
const RESEND_AFTER_S: i32 = 30;

/// The passwordless screen.
#[component]
pub fn PasswordlessForm() -> impl IntoView {
    let ctx = use_widget();
    let email = RwSignal::new(identifier_email());
    // The address a message went to: the second step is shown while it is set.
    let sent_to = RwSignal::new(None::<String>);
    // Seconds until a new message may be asked for, counted down by one timer of this screen.
    let wait = RwSignal::new(0i32);
    if let Ok(timer) = set_interval_with_handle(
        move || {
            if wait.get_untracked() > 0 {
                wait.update(|w| *w -= 1);
            }
        },
        std::time::Duration::from_secs(1),
    ) {
        on_cleanup(move || timer.clear());
    }
    let tick = move || wait.set(RESEND_AFTER_S);
    let start_ctx = ctx.clone();
    let start = FormState::new(move || {
        let ctx = start_ctx.clone();
        let to = email.get_untracked().trim().to_owned();
        ctx.emit("passwordless submit", &object(&[]));
        async move {
            match passwordless_start(ctx.clone(), to.clone()).await {
                Ok(()) => {
                    sent_to.set(Some(to));
                    tick();
                    Status::Done(ctx.t("success.passwordlessSent"))
                }
                Err(f) => Status::Failed(ctx.i18n.error(Form::Passwordless, &f, false)),
            }
        }
    });
    let step = move || sent_to.get();
    view! {
        {move || match step() {
            None => view! { <AskEmail state=start email /> }.into_any(),
            Some(to) => view! { <Sent to sent_to start wait /> }.into_any(),
        }}
    }
}

/// Step one: the address.
#[component]
fn AskEmail(state: FormState, email: RwSignal<String>) -> impl IntoView {
    let ctx = use_widget();
    let screen = use_screen();
    let link = passwordless_send(&ctx) == PasswordlessSend::Link;
    let (hint, submit) = if link {
        (ctx.t("passwordlessLinkInstructions"), ctx.t("passwordlessSendLink"))
    } else {
        (ctx.t("passwordlessInstructions"), ctx.t("passwordlessSendCode"))
    };
    let back = (!ctx.passwordless_only).then(|| {
        view! { <AsideLink label=ctx.t("usePassword") on_click=Callback::new(move |_| screen.set(Screen::Login)) /> }
            .into_any()
    });
    view! {
        <FormShell id=ctx.id("passwordless-form") state submit busy_label=ctx.t("busy.passwordless")
            valid=Callback::new(move |_| email_ok(&email.get_untracked())) after=back.unwrap_or_else(|| ().into_any())>
            <Heading title=ctx.t("passwordlessTitle") hint />
            <EmailField id=ctx.id("passwordless-email") value=email touched=state.touched />
        </FormShell>
    }
}

/// Step two: the code (or, for links, where to look), a new message after a delay, another
/// address.
#[component]
fn Sent(to: String, sent_to: RwSignal<Option<String>>, start: FormState, wait: RwSignal<i32>) -> impl IntoView {
    let ctx = use_widget();
    let link = passwordless_send(&ctx) == PasswordlessSend::Link;
    let code = RwSignal::new(String::new());
    let code_ok = move || {
        let c = code.get();
        let c = c.trim();
        (4..=10).contains(&c.len()) && c.bytes().all(|b| b.is_ascii_digit())
    };
    let verify_ctx = ctx.clone();
    let address = to.clone();
    let pending_mfa = expect_context::<PendingMfa>().0;
    let screen = use_screen();
    let verify = FormState::new(move || {
        let ctx = verify_ctx.clone();
        let (email, otp) = (address.clone(), code.get_untracked().trim().to_owned());
        ctx.emit("signin submit", &object(&[]));
        async move {
            match passwordless_verify(ctx.clone(), email, otp).await {
                Ok(Next::Mfa(step)) => {
                    pending_mfa.set(Some(step));
                    screen.set(Screen::Mfa);
                    std::future::pending().await
                }
                Ok(Next::Stay) => Status::Done(ctx.t("success.logIn")),
                Ok(_) => std::future::pending().await,
                Err(f) => {
                    ctx.emit("authorization_error", &js_value(&AuthorizationError::from(&f)));
                    Status::Failed(ctx.i18n.error(Form::Passwordless, &f, false))
                }
            }
        }
    });
    let resend_ctx = ctx.clone();
    let resend = move || {
        let waiting = resend_ctx.tf("resendIn", &[FormatArg::Num(u32::try_from(wait.get()).unwrap_or(0))]);
        let label = resend_ctx.t("resendCode");
        view! {
            <p class="tg-aside">
                <button type="button" class="tg-link" aria-disabled=move || (wait.get() > 0 || start.busy()).to_string()
                    on:click=move |_| if wait.get_untracked() == 0 { start.submit(true) }>{label}</button>
            </p>
            {(wait.get() > 0).then(|| view! { <p class="tg-hint">{waiting}</p> })}
        }
    };
    let other = view! {
        <AsideLink label=ctx.t("useOtherEmail") on_click=Callback::new(move |_| sent_to.set(None)) />
    };
    let sent_text = ctx.tf(
        if link { "linkSent" } else { "codeSent" },
        &[FormatArg::Str(to.clone())],
    );
    if link {
        return view! {
            <div class="tg-form">
                <Heading title=ctx.t("linkTitle") hint=sent_text />
                {resend}
                {other}
            </div>
        }
        .into_any();
    }
    let after = view! { {resend} {other} }.into_any();
    view! {
        <FormShell id=ctx.id("code-form") state=verify submit=ctx.t("codeSubmitLabel") busy_label=ctx.t("busy.code")
            valid=Callback::new(move |_| code_ok()) after>
            <Heading title=ctx.t("codeTitle") hint=sent_text />
            <Field id=ctx.id("passwordless-code") name="code" kind=Kind::Text label=ctx.t("codeLabel") value=code
                autocomplete="one-time-code" invalid=Signal::derive(move || verify.touched.get() && !code_ok()) />
        </FormShell>
    }
    .into_any()
}
