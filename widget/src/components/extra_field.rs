//! The page's `additionalSignUpFields`: text, select, checkbox and hidden inputs, checked by the
//! page's `validator` (text) or for presence (text, select).

use leptos::prelude::*;

use super::form::{Field, Kind};
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

/// The control for one additional field; its hint is the validator's message, or "required".
#[component]
pub fn ExtraFieldInput(
    /// The field and its value.
    x: ExtraValue,
    /// Whether the form was submitted.
    touched: RwSignal<bool>,
) -> impl IntoView {
    let ctx = use_widget();
    let id = ctx.id(&format!("signup-{}", x.field.name));
    let label = x.field.placeholder.clone().unwrap_or_else(|| x.field.name.clone());
    let kind = match x.field.kind() {
        "hidden" => Kind::Hidden,
        "checkbox" => Kind::Checkbox,
        "select" => Kind::Select(
            x.field
                .options
                .iter()
                .map(|o| {
                    let value = o.value.clone().unwrap_or_default();
                    (value.clone(), o.label.clone().unwrap_or(value))
                })
                .collect(),
        ),
        _ => Kind::Text,
    };
    let name = x.field.name.clone();
    let value = x.value;
    if matches!(x.field.kind(), "hidden" | "checkbox") {
        return view! { <Field id name kind label value optional=true /> }.into_any();
    }
    let required = ctx.t("requiredField");
    let instance = ctx.opts.instance.clone();
    // One run of the page's validator per change gives both the invalid state and the hint.
    let verdict = Memo::new(move |_| x.check(&instance));
    let invalid = Signal::derive(move || touched.get() && !verdict.get().0);
    let hint = Signal::derive(move || match (touched.get(), verdict.get()) {
        (false, _) | (true, (true, _)) => String::new(),
        (true, (false, h)) => h.unwrap_or_else(|| required.clone()),
    });
    view! { <Field id name kind label value invalid hint /> }.into_any()
}
