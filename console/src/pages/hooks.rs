//! Hooks: the tenant's HTTPS endpoints called, signed, before a user is created, after, and before
//! a user's tokens are issued (`/api/v2/hooks`, Tollgate's equivalent of Auth0 Actions). Create one
//! (trigger, URL, the Worker secret that signs the calls, what a failed call means), turn it on or
//! off, delete it (confirmed). A trigger has at most one enabled hook; the API's refusals show as
//! they come.

use leptos::prelude::*;
use shared::management::hooks::{CreateHook, FailureMode, Hook, UpdateHook, TRIGGERS};

use super::{ConfirmDelete, Flash, ListTable, Listing};
use crate::api::{self, enc};

fn trigger_text(t: &str) -> &'static str {
    match t {
        "pre-user-registration" => "Before a user is created (may refuse, may add metadata)",
        "post-user-registration" => "After a user is created (notification)",
        "post-login" => "Before tokens are issued (may refuse, may add claims)",
        _ => "Unknown trigger",
    }
}

fn failure_text(f: FailureMode) -> &'static str {
    match f {
        FailureMode::Closed => "Refuse (fail closed)",
        FailureMode::Open => "Go on (fail open)",
    }
}

/// The Hooks page.
#[component]
pub fn Hooks() -> impl IntoView {
    let hooks = Listing::<Hook>::new("hooks");
    let message = hooks.message;
    let name = RwSignal::new(String::new());
    let trigger = RwSignal::new(TRIGGERS[0].to_owned());
    let url = RwSignal::new(String::new());
    let secret = RwSignal::new("CONNECTION_SECRET_HOOKS".to_owned());
    let failure = RwSignal::new(FailureMode::Closed.as_str().to_owned());
    let create = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let body = CreateHook {
            name: name.get_untracked().trim().to_owned(),
            trigger_id: trigger.get_untracked(),
            url: url.get_untracked().trim().to_owned(),
            secret: secret.get_untracked().trim().to_owned(),
            enabled: Some(true),
            failure_mode: Some(FailureMode::parse(&failure.get_untracked())),
            timeout_ms: None,
        };
        leptos::task::spawn_local(async move {
            let r = api::post::<Hook>("hooks", &body).await;
            if r.is_ok() {
                name.set(String::new());
                url.set(String::new());
            }
            hooks.done(r.map(|h| format!("{} is created and enabled: {} calls {}.", h.name, h.trigger_id, h.url)));
        });
    };
    let toggle = move |h: Hook| {
        leptos::task::spawn_local(async move {
            let body = UpdateHook {
                enabled: Some(!h.enabled),
                ..UpdateHook::default()
            };
            let r = api::patch::<Hook>(&format!("hooks/{}", enc(&h.id)), &body).await;
            hooks.done(r.map(|h| format!("{} is {}.", h.name, if h.enabled { "enabled" } else { "disabled" })));
        });
    };
    let remove = move |h: Hook| {
        leptos::task::spawn_local(async move {
            let r = api::delete(&format!("hooks/{}", enc(&h.id))).await;
            hooks.done(r.map(|_| format!("{} is deleted.", h.name)));
        });
    };
    view! {
        <p>"Extend sign-up and login with your own HTTPS endpoint: Tollgate POSTs a signed JSON event (the legacy contract's HMAC, request id and timestamp) and your answer allows, denies with a message for the person, adds metadata or adds namespaced claims to the tokens. A trigger has one enabled hook."</p>
        <Flash message />
        <ListTable items=hooks.items caption="Hooks" empty="No hooks yet."
            headers=&["Name", "Trigger", "URL", "On failure", "Status", "Actions"]
            row=move |h: Hook| {
                let (h_toggle, h_yes) = (h.clone(), h.clone());
                let delete_label = format!("Delete {}…", h.name);
                let toggle_label = format!("{} {}", if h.enabled { "Disable" } else { "Enable" }, h.name);
                view! { <tr>
                    <td>{h.name.clone()}</td>
                    <td><code>{h.trigger_id.clone()}</code><br /><span class="hint">{trigger_text(&h.trigger_id)}</span></td>
                    <td><code>{h.url.clone()}</code><br /><span class="hint">"signed with "<code>{h.secret.clone()}</code></span></td>
                    <td>{failure_text(h.failure_mode)}</td>
                    <td class=if h.enabled { "status-active" } else { "status-paused" }>{if h.enabled { "Enabled" } else { "Disabled" }}</td>
                    <td>
                        <button type="button" aria-label=toggle_label on:click=move |_| toggle(h_toggle.clone())>
                            {if h.enabled { "Disable" } else { "Enable" }}</button>
                        <ConfirmDelete label=delete_label noun="hook" question="Delete this hook? "
                            on_yes=Callback::new(move |_| remove(h_yes.clone())) />
                    </td>
                </tr> }
            } />
        <form class="settings" on:submit=create>
            <h2>"New hook"</h2>
            <label for="hook-name">"Name"</label>
            <input id="hook-name" type="text" required autocomplete="off" placeholder="Block disposable domains"
                prop:value=name on:input=move |ev| name.set(event_target_value(&ev)) />
            <label for="hook-trigger">"Trigger"</label>
            <select id="hook-trigger" prop:value=trigger on:change=move |ev| trigger.set(event_target_value(&ev))>
                {TRIGGERS.iter().map(|t| view! { <option value=*t>{format!("{t} — {}", trigger_text(t))}</option> }).collect_view()}
            </select>
            <label for="hook-url">"URL (https)"</label>
            <input id="hook-url" type="url" required autocomplete="off" placeholder="https://hooks.example.com/pre-registration"
                prop:value=url on:input=move |ev| url.set(event_target_value(&ev)) />
            <label for="hook-secret">"Signing secret (the name of a Worker secret CONNECTION_SECRET_…)"</label>
            <input id="hook-secret" type="text" required autocomplete="off" spellcheck="false"
                prop:value=secret on:input=move |ev| secret.set(event_target_value(&ev)) />
            <label for="hook-failure">"When a call fails"</label>
            <select id="hook-failure" prop:value=failure on:change=move |ev| failure.set(event_target_value(&ev))>
                {[FailureMode::Closed, FailureMode::Open].iter().map(|f| view! { <option value=f.as_str()>{failure_text(*f)}</option> }).collect_view()}
            </select>
            <div class="actions"><button type="submit" class="primary">"Create hook"</button></div>
        </form>
    }
}
