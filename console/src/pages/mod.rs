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
