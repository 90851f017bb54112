//! The console's pages, one per navigation link, and the small parts they share.

pub mod applications;
pub mod attack;
pub mod connections;
pub mod hooks;
pub mod jobs;
pub mod log_streams;
pub mod logs;
pub mod members;
pub mod mfa;
pub mod migration;
pub mod passwordless;
pub mod users;

use leptos::prelude::*;
use serde::de::DeserializeOwned;

use crate::api::{self, ApiError};

/// A page over one collection of the Management API (`GET /api/v2/{path}`): the list, fetched
/// again after each change, and what the last change said (shown by [`Flash`]).
pub struct Listing<T: 'static> {
    pub items: LocalResource<Result<Vec<T>, ApiError>>,
    pub message: RwSignal<Result<String, String>>,
    changed: RwSignal<u32>,
}

impl<T> Clone for Listing<T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T> Copy for Listing<T> {}

impl<T: DeserializeOwned + 'static> Listing<T> {
    pub fn new(path: &'static str) -> Self {
        let changed = RwSignal::new(0u32);
        let items = LocalResource::new(move || {
            changed.get();
            api::get::<Vec<T>>(path)
        });
        Listing {
            items,
            message: RwSignal::new(Ok(String::new())),
            changed,
        }
    }

    /// Shows a change's outcome (the notice, or the API's refusal) and fetches the list again.
    pub fn done(self, outcome: Result<String, ApiError>) {
        self.message.set(outcome.map_err(|e| e.to_string()));
        self.changed.update(|v| *v += 1);
    }
}

/// A [`Listing`]'s table: "Loading {caption}…" until it comes, the API's error, `empty` for an
/// empty list (when given), else one `row` per item under the column `headers`.
#[component]
pub fn ListTable<T, R, V>(
    items: LocalResource<Result<Vec<T>, ApiError>>,
    /// The table's name for screen readers, lower-cased in "Loading …".
    caption: &'static str,
    headers: &'static [&'static str],
    /// Shown instead of an empty table.
    #[prop(optional)]
    empty: Option<&'static str>,
    row: R,
) -> impl IntoView
where
    T: Clone + 'static,
    R: Fn(T) -> V + Clone + Send + Sync + 'static,
    V: IntoView + 'static,
{
    let loading = format!("Loading {}…", caption.to_lowercase());
    view! {
        <Suspense fallback=move || view! { <p>{loading.clone()}</p> }>
            {move || items.get().map(|r| match r {
                Err(e) => view! { <p class="error" role="alert">{e.to_string()}</p> }.into_any(),
                Ok(list) if list.is_empty() && empty.is_some() => view! { <p class="hint">{empty}</p> }.into_any(),
                Ok(list) => view! {
                    <table class="list">
                        <caption class="sr">{caption}</caption>
                        <thead><tr>{headers.iter().map(|h| view! { <th scope="col">{*h}</th> }).collect_view()}</tr></thead>
                        <tbody>{list.into_iter().map(row.clone()).collect_view()}</tbody>
                    </table>
                }.into_any(),
            })}
        </Suspense>
    }
}

/// A message for the operator: an API error (role="alert") or a notice (role="status").
#[component]
pub fn Flash(
    /// `Err`: an error; `Ok`: a notice. Empty: nothing shown.
    message: RwSignal<Result<String, String>>,
) -> impl IntoView {
    move || match message.get() {
        Ok(m) if m.is_empty() => None,
        Ok(m) => Some(view! { <p class="notice" role="status">{m}</p> }.into_any()),
        Err(e) => Some(view! { <p class="error" role="alert">{e}</p> }.into_any()),
    }
}

/// "Delete…", which asks once more before `on_yes` runs: the question, "Yes, delete {noun}" and
/// "Cancel" in a group named "Confirm {noun} deletion".
#[component]
pub fn ConfirmDelete(
    /// The button's accessible name ("Delete SIEM…").
    #[prop(into)]
    label: String,
    /// What is deleted ("stream", "hook", "passkey", "factor").
    noun: &'static str,
    /// The question ("Delete this stream? ").
    #[prop(into)]
    question: String,
    /// Runs on "Yes".
    on_yes: Callback<()>,
    /// Runs when the question opens (clearing an earlier message).
    #[prop(optional)]
    on_ask: Option<Callback<()>>,
) -> impl IntoView {
    let asking = RwSignal::new(false);
    let ask = move |_| {
        if let Some(c) = on_ask {
            c.run(());
        }
        asking.set(true);
    };
    view! {
        <Show when=move || asking.get()
            fallback=move || view! { <button type="button" class="danger" aria-label=label.clone() on:click=ask>"Delete…"</button> }>
            <span class="confirm" role="group" aria-label=format!("Confirm {noun} deletion")>
                {question.clone()}
                <button type="button" class="danger" on:click=move |_| { asking.set(false); on_yes.run(()) }>
                    {format!("Yes, delete {noun}")}</button>
                <button type="button" on:click=move |_| asking.set(false)>"Cancel"</button>
            </span>
        </Show>
    }
}

/// An ISO date, shown as a short UTC date-time (`—` when there is none).
pub fn when(v: Option<&str>) -> String {
    match v {
        Some(s) if s.len() >= 16 => s[..16].replace('T', " "),
        Some(s) => s.to_owned(),
        None => "—".into(),
    }
}
