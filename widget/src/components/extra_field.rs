//! The page's `additionalSignUpFields`: text, select, checkbox and hidden inputs, checked by the
//! page's `validator` (text) or for presence (text, select).

use leptos::prelude::*;

use crate::context::use_widget;
use crate::events::validate_field;
use crate::options::ExtraField;

/// One additional field and its value.
#[derive(Debug, Clone)]
pub struct ExtraValue {
    /// The field as the page described it.
    pub field: ExtraField,
    /// Current value (`"true"`/`"false"` for a checkbox).
    pub value: RwSignal<String>,
}

impl ExtraValue {
    /// The field with its prefill (or, for `hidden`, its value).
    pub fn new(field: ExtraField) -> Self {
        let initial = match field.kind() {
            "hidden" => field.value.clone().unwrap_or_default(),
            "checkbox" => (field.prefill.as_deref() == Some("true")).to_string(),
            _ => field.prefill.clone().unwrap_or_default(),
        };
        Self {
            field,
            value: RwSignal::new(initial),
        }
    }

    /// `(valid, hint)`: the page's validator decides for text fields; text and select fields
    /// without one must not be empty.
    pub fn check(&self, instance: &str) -> (bool, Option<String>) {
        let v = self.value.get();
        match self.field.kind() {
            "checkbox" | "hidden" => (true, None),
            "text" if self.field.has_validator => validate_field(instance, &self.field.name, &v),
            _ => (!v.trim().is_empty(), None),
        }
    }
}

/// The input for one additional field.
#[component]
pub fn ExtraInput(
    /// The field.
    x: ExtraValue,
    /// Whether the form was submitted once.
    #[prop(into)]
    touched: Signal<bool>,
) -> impl IntoView {
    let ctx = use_widget();
    let id = format!("tg-signup-{}", x.field.name);
    let hint_id = format!("{id}-hint");
    let label = x.field.placeholder.clone().unwrap_or_else(|| x.field.name.clone());
    let name = x.field.name.clone();
    let value = x.value;
    let required = ctx.t("requiredField");
    let instance = ctx.opts.instance.clone();
    let check = x.clone();
    let invalid = move || touched.get() && !check.check(&instance).0;
    let hint_x = x.clone();
    let hint_instance = ctx.opts.instance.clone();
    let hint = move || {
        if !touched.get() {
            return String::new();
        }
        match hint_x.check(&hint_instance) {
            (true, _) => String::new(),
            (false, h) => h.unwrap_or_else(|| required.clone()),
        }
    };
    match x.field.kind() {
        "hidden" => view! { <input type="hidden" name=name prop:value=move || value.get() /> }.into_any(),
        "checkbox" => view! {
            <div class="tg-field tg-check">
                <input id=id.clone() name=name type="checkbox"
                    prop:checked=move || value.get() == "true"
                    on:change=move |ev| value.set(event_target_checked(&ev).to_string()) />
                <label for=id>{label}</label>
            </div>
        }
        .into_any(),
        "select" => {
            let options = x.field.options.clone();
            view! {
                <div class="tg-field">
                    <label for=id.clone()>{label}</label>
                    <select id=id name=name required aria-invalid=move || invalid().to_string() aria-describedby=hint_id.clone()
                        prop:value=move || value.get()
                        on:change=move |ev| value.set(event_target_value(&ev))>
                        <option value="">"—"</option>
                        {options.into_iter().map(|o| view! { <option value=o.value.clone() selected=o.value == value.get_untracked()>{o.label}</option> }).collect_view()}
                    </select>
                    <p id=hint_id class="tg-hint tg-error-text">{hint}</p>
                </div>
            }
            .into_any()
        }
        _ => view! {
            <div class="tg-field">
                <label for=id.clone()>{label}</label>
                <input id=id name=name type="text" required aria-invalid=move || invalid().to_string() aria-describedby=hint_id.clone()
                    prop:value=move || value.get()
                    on:input=move |ev| value.set(event_target_value(&ev)) />
                <p id=hint_id class="tg-hint tg-error-text">{hint}</p>
            </div>
        }
        .into_any(),
    }
}
