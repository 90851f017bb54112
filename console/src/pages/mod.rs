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

/// An ISO date, shown as a short UTC date-time (`—` when there is none).
pub fn when(v: Option<&str>) -> String {
    match v {
        Some(s) if s.len() >= 16 => s[..16].replace('T', " "),
        Some(s) => s.to_owned(),
        None => "—".into(),
    }
}
