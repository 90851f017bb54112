//! A new-password input with the live policy checklist, shared by sign-up and reset.

use leptos::prelude::*;
use shared::PasswordPolicy;

use super::checklist::PasswordChecklist;

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
    view! {
        <div class="tg-field">
            <label for=id.clone()>{label}</label>
            <input id=id name="password" type="password" autocomplete="new-password" required
                aria-invalid=move || (touched.get() && !policy.check(&password.get())).to_string()
                aria-describedby=checklist_id.clone()
                on:input=move |ev| password.set(event_target_value(&ev)) />
            <PasswordChecklist policy=policy password=password id=checklist_id />
        </div>
    }
}
