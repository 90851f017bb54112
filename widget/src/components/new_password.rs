//! A new-password input with the live policy checklist, shared by sign-up and reset.

use leptos::prelude::*;
use shared::PasswordPolicy;

use super::checklist::PasswordChecklist;
use super::password_input::PasswordInput;

/// Password input (`autocomplete="new-password"`) described by the policy checklist.
#[component]
pub fn NewPasswordField(
    /// Element id of the input; the checklist gets `{id}-checklist`.
    #[prop(into)]
    id: String,
    /// Visible label.
    #[prop(into)]
    label: String,
    /// The connection's policy.
    policy: PasswordPolicy,
    /// The password typed so far (written by this field).
    password: RwSignal<String>,
    /// Whether the form was submitted once (shows the invalid state).
    #[prop(into)]
    touched: Signal<bool>,
) -> impl IntoView {
    let checklist_id = format!("{id}-checklist");
    let check = policy;
    view! {
        <PasswordInput id=id label autocomplete="new-password" password describedby=checklist_id.clone()
            invalid=Signal::derive(move || touched.get() && !check.check(&password.get())) />
        <PasswordChecklist policy=policy password=password id=checklist_id />
    }
}
