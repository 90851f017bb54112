//! A password input with its label and the show-password toggle.

use leptos::prelude::*;

use crate::context::{use_i18n, WidgetCtx};

/// Password input. The toggle is a real button (keyboard operable, `aria-pressed`) and is left
/// out when the page set `allowShowPassword: false`.
#[component]
pub fn PasswordInput(
    /// Element id.
    #[prop(into)]
    id: String,
    /// `current-password` or `new-password`.
    autocomplete: &'static str,
    /// The value (written by this input).
    password: RwSignal<String>,
    /// Whether to mark the input invalid.
    #[prop(into)]
    invalid: Signal<bool>,
    /// Label; "Password" when absent.
    #[prop(optional, into)]
    label: Option<String>,
    /// Id of the element describing the input (the checklist).
    #[prop(optional, into)]
    describedby: Option<String>,
    /// Input `name`.
    #[prop(default = "password")]
    name: &'static str,
) -> impl IntoView {
    let i18n = use_i18n();
    let toggle = use_context::<WidgetCtx>().is_none_or(|c| c.opts.allow_show_password);
    let (show, set_show) = signal(false);
    let label = label.unwrap_or_else(|| i18n.t("passwordLabel"));
    let (show_label, hide_label) = (i18n.t("showPassword"), i18n.t("hidePassword"));
    let controls = id.clone();
    view! {
        <div class="tg-field">
            <label for=id.clone()>{label}</label>
            <div class="tg-password">
                <input id=id name=name type=move || if show.get() { "text" } else { "password" }
                    autocomplete=autocomplete required
                    prop:value=move || password.get()
                    aria-invalid=move || invalid.get().to_string()
                    aria-describedby=describedby
                    on:input=move |ev| password.set(event_target_value(&ev)) />
                {toggle.then(|| view! {
                    <button type="button" class="tg-link tg-show" aria-controls=controls aria-pressed=move || show.get().to_string()
                        on:click=move |_| set_show.update(|s| *s = !*s)>
                        {move || if show.get() { hide_label.clone() } else { show_label.clone() }}
                    </button>
                })}
            </div>
        </div>
    }
}
