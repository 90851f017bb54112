//! Passkey controls: "Continue with a passkey" on the login screen (and the email field's
//! autofill), "Sign up with a passkey" on the sign-up screen, and the hosted page's offer to add
//! one after a password login.

use leptos::prelude::*;
use wasm_bindgen::JsValue;

use super::form::{Heading, Status, StatusRegion};
use crate::context::{use_widget, AfterEnroll, Offered, WidgetCtx};
use crate::events::object;
use crate::flow::{navigate, AuthorizationError};
use crate::i18n::Form;
use crate::passkey::{self, Failure, Purpose};

/// What a failed ceremony says (nothing when the person dismissed the browser's dialog).
fn failed(ctx: &WidgetCtx, f: &Failure) -> Option<Status> {
    match f {
        Failure::Cancelled => Some(Status::Failed(ctx.t("passkeyCancelled"))),
        Failure::Api(a) => {
            ctx.emit(
                "authorization_error",
                &crate::api::js_value(&AuthorizationError::from(a)),
            );
            Some(Status::Failed(ctx.i18n.error(Form::Passkey, a, false)))
        }
    }
}

/// A button that runs a passkey ceremony, with its own busy state and status line. `before`
/// runs first (it may refuse by returning `false`, or end a pending autofill request).
#[component]
pub fn PasskeyButton(
    /// Its label.
    #[prop(into)]
    label: String,
    /// What to do.
    purpose: Signal<Option<Purpose>>,
    /// Runs before the ceremony; `false` stops it.
    #[prop(optional)]
    before: Option<Callback<(), bool>>,
) -> impl IntoView {
    let ctx = use_widget();
    let busy = RwSignal::new(false);
    let status = RwSignal::new(None::<Status>);
    let busy_label = ctx.t("busy.passkey");
    let click = move |_| {
        if busy.get_untracked() || before.is_some_and(|b| !b.run(())) {
            return;
        }
        let Some(purpose) = purpose.get_untracked() else {
            return;
        };
        let ctx = ctx.clone();
        busy.set(true);
        status.set(None);
        ctx.emit("signin submit", &object(&[]));
        leptos::task::spawn_local(async move {
            let done = passkey::run(ctx.clone(), purpose, None, None).await;
            busy.set(false);
            match done {
                Ok(true) => busy.set(true),
                Ok(false) => status.set(Some(Status::Done(ctx.t("success.logIn")))),
                Err(f) => status.set(failed(&ctx, &f)),
            }
        });
    };
    view! {
        <button type="button" class="tg-secondary" aria-disabled=move || busy.get().to_string() on:click=click>
            {move || if busy.get() { busy_label.clone() } else { label.clone() }}
        </button>
        <StatusRegion status=Signal::derive(move || status.get()) />
    }
}

/// Starts the email field's passkey autofill (conditional mediation) while the login screen is
/// shown; returns the controller that ends it (before another ceremony or a password login).
pub fn start_autofill(ctx: &WidgetCtx) -> Option<JsValue> {
    let (controller, signal) = passkey::abort_controller()?;
    let ctx = ctx.clone();
    leptos::task::spawn_local(async move {
        if !passkey::autofill_available().await {
            return;
        }
        match passkey::run(ctx.clone(), Purpose::Login, Some("conditional"), Some(signal)).await {
            Ok(_) | Err(Failure::Cancelled) => {}
            Err(Failure::Api(a)) => ctx.emit(
                "authorization_error",
                &crate::api::js_value(&AuthorizationError::from(&a)),
            ),
        }
    });
    Some(controller)
}

/// The offer after a password login: add a passkey, or not now (hosted page: then on to the
/// application; embedded: then the tokens go to the page).
#[component]
pub fn EnrollPasskey() -> impl IntoView {
    let ctx = use_widget();
    let after = expect_context::<AfterEnroll>().0;
    let skipping = RwSignal::new(false);
    let skipped = RwSignal::new(false);
    let skip_ctx = ctx.clone();
    let skip = move |_| {
        if skipping.get_untracked() || skipped.get_untracked() {
            return;
        }
        skipping.set(true);
        let ctx = skip_ctx.clone();
        leptos::task::spawn_local(async move {
            match after.get_untracked() {
                Some(Offered::Embedded(tokens)) => {
                    passkey::skip_offered(ctx.clone(), *tokens).await;
                    skipping.set(false);
                    skipped.set(true);
                }
                offered => {
                    if passkey::skip(ctx).await.is_err() {
                        // The offer is only an offer: on any failure, go on.
                        if let Some(Offered::Hosted(url)) = offered {
                            navigate(&url);
                        }
                    }
                }
            }
        });
    };
    let purpose = Signal::derive(move || match after.get() {
        Some(Offered::Embedded(tokens)) => Some(Purpose::Offered(tokens)),
        Some(Offered::Hosted(_)) => Some(Purpose::Enroll),
        None => None,
    });
    let done_text = ctx.t("success.logIn");
    let done = Signal::derive(move || skipped.get().then(|| Status::Done(done_text.clone())));
    view! {
        <div class="tg-form">
            <Heading title=ctx.t("enrollTitle") hint=ctx.t("enrollHint") />
            <Show when=move || !skipped.get()>
                <PasskeyButton label=ctx.t("enrollAction") purpose />
                <p class="tg-aside">
                    <button type="button" class="tg-link" aria-disabled=move || skipping.get().to_string() on:click=skip.clone()>
                        {ctx.t("enrollSkip")}
                    </button>
                </p>
            </Show>
            <StatusRegion status=done />
        </div>
    }
}
