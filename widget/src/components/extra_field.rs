//! The page's `additionalSignUpFields`: text, select, checkbox and hidden inputs, checked by the
//! page's `validator` (text) or for presence (text, select).

use reactive_graph::prelude::*;
use reactive_graph::signal::RwSignal;
use web_sys::Node;

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
pub fn extra_input(x: ExtraValue, touched: RwSignal<bool>) -> Node {
    let ctx = use_widget();
    let id = ctx.id(&format!("signup-{}", x.field.name));
    let label = x.field.placeholder.clone().unwrap_or_else(|| x.field.name.clone());
    let required = ctx.t("requiredField");
    let instance = ctx.opts.instance.clone();
    let (check, hint_x, hint_instance) = (x.clone(), x.clone(), instance.clone());
    let optional = matches!(x.field.kind(), "hidden" | "checkbox");
    let kind = match x.field.kind() {
        "hidden" => Kind::Hidden,
        "checkbox" => Kind::Checkbox,
        "select" => Kind::Select(
            x.field
                .options
                .iter()
                .map(|o| (o.value.clone(), o.label.clone()))
                .collect(),
        ),
        _ => Kind::Text,
    };
    let field = Field::new(id, x.field.name.clone(), kind, label, x.value);
    if optional {
        return field.optional().view();
    }
    field
        .invalid(move || touched.get() && !check.check(&instance).0)
        .hint(move || {
            if !touched.get() {
                return String::new();
            }
            match hint_x.check(&hint_instance) {
                (true, _) => String::new(),
                (false, h) => h.unwrap_or_else(|| required.clone()),
            }
        })
        .view()
}
