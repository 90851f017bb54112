//! A new-password input with the live policy checklist, shared by sign-up and reset.

use leptos::prelude::*;
use shared::PasswordPolicy;

use super::checklist::PasswordChecklist;
use super::form::{Field, Kind};

/// Password input (`autocomplete="new-password"`) described by the policy checklist
/// (`{id}-checklist`) that follows it; invalid once `touched` while the policy is not met.
#[component]
pub fn NewPassword(
    /// Element id of the input.
    #[prop(into)]
    id: String,
    /// Label text.
    #[prop(into)]
    label: String,
    /// The connection's policy.
    policy: PasswordPolicy,
    /// The password.
    password: RwSignal<String>,
    /// Whether the form was submitted.
    touched: RwSignal<bool>,
) -> impl IntoView {
    let checklist_id = format!("{id}-checklist");
    let invalid = Signal::derive(move || touched.get() && !policy.check(&password.get()));
    view! {
        <Field id name="password" kind=Kind::Password label value=password autocomplete="new-password"
            invalid describedby=checklist_id.clone() />
        <PasswordChecklist policy password id=checklist_id />
    }
}
