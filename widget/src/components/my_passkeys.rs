//! "Manage your passkeys" (the hosted page's `/u/passkeys`): the signed-in user's passkeys through
//! Auth0's My Account API — each with when it was added and last used, removed after a
//! confirmation, and "Add a passkey". The token comes from the page's session.

use leptos::prelude::*;
use shared::wire::ErrorCode;
use wasm_bindgen::JsCast;

use super::form::{Heading, Status, StatusRegion};
use crate::api::ApiFailure;
use crate::context::{use_widget, WidgetCtx};
use crate::passkey::{self, Failure, MyPasskey};

/// What a failed call says: a stale login, the last passkey, a cancelled dialog, a lost session.
fn failed(ctx: &WidgetCtx, f: &Failure) -> Status {
    let key = match f {
        Failure::Cancelled => "passkeyCancelled",
        Failure::Api(ApiFailure::Server { status: 401, .. }) => "passkeysSignedOut",
        Failure::Api(ApiFailure::Server { status: 409, .. }) => "passkeysLast",
        Failure::Api(a) if a.code() == Some(ErrorCode::AccessDenied) => "passkeysRelogin",
        Failure::Api(a) if a.code() == Some(ErrorCode::InvalidGrant) => "error.passkey.refused",
        Failure::Api(_) => "error.passkey.lock.fallback",
    };
    Status::Failed(ctx.t(key))
}

/// An ISO 8601 time as a date in the page's language.
fn date(ctx: &WidgetCtx, iso: &str) -> String {
    js_sys::Date::new(&iso.into())
        .to_locale_date_string(&ctx.i18n.lang, &wasm_bindgen::JsValue::UNDEFINED)
        .into()
}

/// The list, its confirmation step, and "Add a passkey".
#[component]
pub fn ManagePasskeys() -> impl IntoView {
    let ctx = use_widget();
    // None while loading.
    let list = RwSignal::new(None::<Vec<MyPasskey>>);
    let status = RwSignal::new(None::<Status>);
    let busy = RwSignal::new(false);
    let confirming = RwSignal::new(None::<String>);
    let token = StoredValue::new(String::new());
    // Runs `work` with the token (fetched once), then lists again; `done` is announced.
    let run = {
        let ctx = ctx.clone();
        move |work: Option<passkey::MyChange>, done: Option<&'static str>| {
            if busy.get_untracked() {
                return;
            }
            busy.set(true);
            let ctx = ctx.clone();
            leptos::task::spawn_local(async move {
                let outcome = async {
                    if token.get_value().is_empty() {
                        token.set_value(passkey::my_token(&ctx).await?);
                    }
                    let t = token.get_value();
                    if let Some(w) = work {
                        passkey::my_change(&ctx, &t, w).await?;
                    }
                    passkey::my_passkeys(&ctx, &t).await
                }
                .await;
                busy.set(false);
                match outcome {
                    Ok(items) => {
                        list.set(Some(items));
                        confirming.set(None);
                        status.set(done.map(|k| Status::Done(ctx.t(k))));
                    }
                    Err(f) => {
                        list.update(|l| {
                            l.get_or_insert_with(Vec::new);
                        });
                        status.set(Some(failed(&ctx, &f)));
                    }
                }
            });
        }
    };
    run(None, None);
    let item_ctx = ctx.clone();
    let remove_run = run.clone();
    let items = move || {
        let ctx = item_ctx.clone();
        let run = remove_run.clone();
        match list.get() {
            None => view! { <p class="tg-hint">{ctx.t("loading")}</p> }.into_any(),
            Some(l) if l.is_empty() => view! { <p class="tg-hint">{ctx.t("passkeysEmpty")}</p> }.into_any(),
            Some(l) => {
                let rows = l
                    .into_iter()
                    .enumerate()
                    .map(|(i, p)| {
                        let label_id = ctx.id(&format!("pk{i}"));
                        let used = p.last_used.as_deref().map_or_else(
                            || ctx.t("passkeysNeverUsed"),
                            |u| ctx.tf("passkeysLastUsed", &[shared::password::FormatArg::Str(date(&ctx, u))]),
                        );
                        let added = ctx.tf(
                            "passkeysAdded",
                            &[shared::password::FormatArg::Str(date(&ctx, &p.created_at))],
                        );
                        let id = p.id.clone();
                        let asking = {
                            let id = id.clone();
                            move || confirming.get().as_deref() == Some(id.as_str())
                        };
                        let (run, ctx2) = (run.clone(), ctx.clone());
                        let confirm_id = ctx.id("confirm");
                        let name_id = label_id.clone();
                        let controls = move || {
                            if asking() {
                                let (run, id) = (run.clone(), id.clone());
                                view! {
                                    <p id=confirm_id.clone()>{ctx2.t("passkeysRemoveConfirm")}</p>
                                    <button type="button" class="tg-secondary" id=ctx2.id("confirm-yes")
                                        aria-describedby=format!("{} {}", label_id, confirm_id)
                                        on:click=move |_| run(Some(passkey::MyChange::Remove(id.clone())), Some("passkeysRemoved"))>
                                        {ctx2.t("passkeysRemoveYes")}
                                    </button>
                                    <button type="button" class="tg-link" on:click=move |_| confirming.set(None)>
                                        {ctx2.t("passkeysCancel")}
                                    </button>
                                }
                                .into_any()
                            } else {
                                let (id, yes) = (id.clone(), ctx2.id("confirm-yes"));
                                view! {
                                    <button type="button" class="tg-link" aria-describedby=label_id.clone()
                                        on:click=move |_| {
                                            status.set(None);
                                            confirming.set(Some(id.clone()));
                                            focus_later(&yes);
                                        }>
                                        {ctx2.t("passkeysRemove")}
                                    </button>
                                }
                                .into_any()
                            }
                        };
                        view! {
                            <li class="tg-passkey">
                                <span id=name_id class="tg-passkey-name">{p.name}</span>
                                <span class="tg-hint">{format!("{added} · {used}")}</span>
                                {controls}
                            </li>
                        }
                    })
                    .collect::<Vec<_>>();
                view! { <ul class="tg-passkeys">{rows}</ul> }.into_any()
            }
        }
    };
    let add_label = ctx.t("passkeysAdd");
    let busy_label = ctx.t("busy.passkey");
    view! {
        <div class="tg-form" aria-busy=move || busy.get().to_string()>
            <Heading title=ctx.t("passkeysTitle") hint=ctx.t("passkeysHint") />
            {items}
            <button type="button" class="tg-submit" aria-disabled=move || busy.get().to_string()
                on:click=move |_| run(Some(passkey::MyChange::Add), Some("passkeysAddedNow"))>
                {move || if busy.get() { busy_label.clone() } else { add_label.clone() }}
            </button>
            <StatusRegion status=Signal::derive(move || status.get()) />
        </div>
    }
}

/// After the next render, focuses the element `id` (the confirmation's button).
fn focus_later(id: &str) {
    let id = id.to_owned();
    set_timeout(
        move || {
            if let Some(el) = document()
                .get_element_by_id(&id)
                .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
            {
                let _ = el.focus();
            }
        },
        std::time::Duration::ZERO,
    );
}
