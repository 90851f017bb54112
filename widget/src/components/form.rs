//! The parts every screen is built from: one form shell and one field renderer. Screens describe
//! their fields as data ([`Field`]) instead of writing their own markup, because in the wasm every
//! distinct view type carries its own build, rebuild and teardown code — a handful of shared shapes
//! is what keeps the widget small.

use std::sync::Arc;

use reactive_graph::graph::untrack;
use reactive_graph::owner::{use_context, LocalStorage, StoredValue};
use reactive_graph::prelude::*;
use reactive_graph::signal::RwSignal;
use wasm_bindgen::JsValue;
use web_sys::{Element, Node};

use crate::context::{focus_first_invalid, use_i18n, WidgetCtx};
use crate::dom::{el, target_checked, target_value};

/// What the last submit left to say, announced through the form's `aria-live` region.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Status {
    /// Nothing (yet).
    None,
    /// Success text.
    Done(String),
    /// Error text.
    Failed(String),
}

/// The state a form's submit handler and its markup share.
#[derive(Debug, Clone, Copy)]
pub struct FormState {
    /// The `<form>` element once rendered, for moving focus to its first invalid field (gone
    /// when the screen was left while a request was in flight).
    pub form: StoredValue<Option<Element>, LocalStorage>,
    /// Whether the form was submitted once (fields show their invalid state from then on).
    pub touched: RwSignal<bool>,
    /// A request is in flight: further submits are ignored.
    pub busy: RwSignal<bool>,
    /// The outcome of the last submit.
    pub status: RwSignal<Status>,
    /// One success ends the form (a reset ticket is used up): later submits are ignored and the
    /// button stays disabled.
    pub single_use: bool,
}

impl FormState {
    /// A fresh form.
    pub fn new() -> Self {
        Self {
            form: StoredValue::new_local(None),
            touched: RwSignal::new(false),
            busy: RwSignal::new(false),
            status: RwSignal::new(Status::None),
            single_use: false,
        }
    }

    /// A form that one success ends (see [`FormState::single_use`]).
    pub fn single_use() -> Self {
        Self {
            single_use: true,
            ..Self::new()
        }
    }

    /// Whether the form no longer takes submits: a request is in flight, or a single-use form
    /// succeeded. Tracked, so the submit button follows it.
    pub fn closed(&self) -> bool {
        self.busy.get() || (self.single_use && matches!(self.status.get(), Status::Done(_)))
    }

    /// Starts a submit: marks the form touched and says whether to send it — not while the form
    /// is [closed](Self::closed), and not when a field is invalid (focus then moves to the first one).
    pub fn begin(&self, valid: bool) -> bool {
        self.touched.set(true);
        if untrack(|| self.closed()) {
            return false;
        }
        if !valid {
            focus_first_invalid(self.form.try_get_value().flatten());
            return false;
        }
        self.busy.set(true);
        self.status.set(Status::None);
        true
    }

    /// Ends a submit with `status`; after a failure focus returns to the first invalid field.
    pub fn finish(&self, status: Status) {
        let failed = matches!(status, Status::Failed(_));
        self.status.set(status);
        self.busy.set(false);
        if failed {
            focus_first_invalid(self.form.try_get_value().flatten());
        }
    }
}

impl Default for FormState {
    fn default() -> Self {
        Self::new()
    }
}

/// A form: `body` (heading, fields), the submit button with its busy label, `after` (links under
/// the button) and the status region.
pub struct Shell {
    /// Element id of the form.
    pub id: String,
    /// Its state.
    pub state: FormState,
    /// Submit button label.
    pub submit: String,
    /// Submit button label while busy.
    pub busy_label: String,
}

impl Shell {
    /// Renders the form; `on_submit` runs after the browser's submit was prevented.
    pub fn view(self, on_submit: Box<dyn Fn()>, body: Vec<Node>, after: Vec<Node>) -> Node {
        let Self {
            id,
            state,
            submit,
            busy_label,
        } = self;
        let FormState { busy, status, .. } = state;
        let button = el("button")
            .attr("type", "submit")
            .attr("class", "tg-submit")
            .attr_with("aria-disabled", move || state.closed().to_string())
            .text_with(move || if busy.get() { busy_label.clone() } else { submit.clone() });
        let status = el("div")
            .attr("class", "tg-status")
            .attr("role", "status")
            .attr("aria-live", "polite")
            .dynamic(
                move || status.get(),
                |s| {
                    let (class, text) = match s {
                        Status::None => return Vec::new(),
                        Status::Done(text) => ("tg-success", text),
                        Status::Failed(text) => ("tg-error", text),
                    };
                    vec![el("p").attr("class", class).text(&text).node()]
                },
            );
        let form = el("form");
        state.form.set_value(Some(form.element().clone()));
        form.attr("id", &id)
            .attr("class", "tg-form")
            .flag("novalidate", true)
            .attr_with("aria-busy", move || busy.get().to_string())
            .on("submit", move |ev| {
                ev.prevent_default();
                on_submit();
            })
            .children(body)
            .child(button.node())
            .children(after)
            .child(status.node())
            .node()
    }
}

/// A screen's heading and introduction.
pub fn heading(title: String, hint: String) -> [Node; 2] {
    [
        el("h2").attr("class", "tg-title").text(&title).node(),
        el("p").attr("class", "tg-hint").text(&hint).node(),
    ]
}

/// A button styled as a link, in its own paragraph (`Forgot your password?`, `Back`).
pub fn aside_link(label: String, on_click: Box<dyn Fn()>) -> Node {
    let button = el("button")
        .attr("type", "button")
        .attr("class", "tg-link")
        .on("click", move |_| on_click())
        .text(&label);
    el("p").attr("class", "tg-aside").child(button.node()).node()
}

/// What kind of control a [`Field`] is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Kind {
    /// `<input type=text>`.
    Text,
    /// `<input type=email>`.
    Email,
    /// `<input type=password>` with the show-password toggle (unless the page turned it off).
    Password,
    /// `<input type=checkbox>`, the label after it; the value is `"true"` or `"false"`.
    Checkbox,
    /// `<select>` with an empty first choice and `(value, label)` options.
    Select(Vec<(String, String)>),
    /// `<input type=hidden>`, no label.
    Hidden,
}

/// One labelled control bound to a string signal.
pub struct Field {
    id: String,
    name: String,
    kind: Kind,
    label: String,
    autocomplete: Option<&'static str>,
    required: bool,
    value: RwSignal<String>,
    invalid: Arc<dyn Fn() -> bool + Send + Sync>,
    hint: Option<Arc<dyn Fn() -> String + Send + Sync>>,
    describedby: Option<String>,
}

impl Field {
    /// A required, valid-until-told-otherwise field without hint.
    pub fn new(
        id: impl Into<String>,
        name: impl Into<String>,
        kind: Kind,
        label: String,
        value: RwSignal<String>,
    ) -> Self {
        Self {
            id: id.into(),
            name: name.into(),
            kind,
            label,
            autocomplete: None,
            required: true,
            value,
            invalid: Arc::new(|| false),
            hint: None,
            describedby: None,
        }
    }

    /// The `autocomplete` token.
    pub fn autocomplete(mut self, token: &'static str) -> Self {
        self.autocomplete = Some(token);
        self
    }

    /// Not required.
    pub fn optional(mut self) -> Self {
        self.required = false;
        self
    }

    /// When to mark the control `aria-invalid`.
    pub fn invalid(mut self, invalid: impl Fn() -> bool + Send + Sync + 'static) -> Self {
        self.invalid = Arc::new(invalid);
        self
    }

    /// A hint under the control (`{id}-hint`, describing it), in the error colour while invalid;
    /// empty hints are not shown.
    pub fn hint(mut self, text: impl Fn() -> String + Send + Sync + 'static) -> Self {
        self.describedby = Some(format!("{}-hint", self.id));
        self.hint = Some(Arc::new(text));
        self
    }

    /// A hint that reads `message` while the control is invalid and is hidden otherwise (set
    /// [`Field::invalid`] first).
    pub fn error(self, message: String) -> Self {
        let invalid = Arc::clone(&self.invalid);
        self.hint(move || if invalid() { message.clone() } else { String::new() })
    }

    /// The element that describes the control (the password checklist).
    pub fn describedby(mut self, id: String) -> Self {
        self.describedby = Some(id);
        self
    }

    /// The markup. Invalid state, hint and value follow their signals.
    pub fn view(self) -> Node {
        let Self {
            id,
            name,
            kind,
            label,
            autocomplete,
            required,
            value,
            invalid,
            hint,
            describedby,
        } = self;
        // The control's `value` property follows the signal (input, select and hidden alike).
        let bound = move || JsValue::from_str(&value.get());
        if kind == Kind::Hidden {
            return el("input")
                .attr("type", "hidden")
                .attr("name", &name)
                .prop_with("value", bound)
                .node();
        }
        let hint = hint.map(|text| {
            let invalid = Arc::clone(&invalid);
            el("p")
                .attr("id", &format!("{id}-hint"))
                .attr("class", "tg-hint")
                .class_when("tg-error-text", move || invalid())
                .text_with(move || text())
                .node()
        });
        let control = |tag: &str| {
            let invalid = Arc::clone(&invalid);
            el(tag)
                .attr("id", &id)
                .attr("name", &name)
                .flag("required", required)
                .attr_with("aria-invalid", move || invalid().to_string())
                .attr_opt("aria-describedby", describedby.as_deref())
        };
        let label = el("label").attr("for", &id).text(&label).node();
        let set = move |ev: web_sys::Event| value.set(target_value(&ev));
        let class = if kind == Kind::Checkbox {
            "tg-field tg-check"
        } else {
            "tg-field"
        };
        let field = el("div").attr("class", class);
        let field = match kind {
            Kind::Checkbox => {
                let input = control("input")
                    .attr("type", "checkbox")
                    .prop_with("checked", move || JsValue::from_bool(value.get() == "true"))
                    .on("change", move |ev| value.set(target_checked(&ev).to_string()));
                field.child(input.node()).child(label)
            }
            Kind::Select(options) => {
                let current = value.get_untracked();
                let mut select = control("select").child(el("option").attr("value", "").text("—").node());
                for (v, l) in options {
                    let option = el("option").attr("value", &v).flag("selected", v == current).text(&l);
                    select = select.child(option.node());
                }
                let select = select.prop_with("value", bound).on("change", set);
                field.child(label).child(select.node())
            }
            kind => {
                let password = kind == Kind::Password;
                let base = match kind {
                    Kind::Email => "email",
                    Kind::Password => "password",
                    _ => "text",
                };
                let show = RwSignal::new(false);
                let input = control("input")
                    .attr_with("type", move || (if show.get() { "text" } else { base }).to_owned())
                    .attr_opt("autocomplete", autocomplete)
                    .prop_with("value", bound)
                    .on("input", set);
                let mut wrap = el("div")
                    .attr("class", if password { "tg-input tg-password" } else { "tg-input" })
                    .child(input.node());
                if password && use_context::<WidgetCtx>().is_none_or(|c| c.opts.allow_show_password) {
                    let i18n = use_i18n();
                    let (show_label, hide_label) = (i18n.t("showPassword"), i18n.t("hidePassword"));
                    let toggle = el("button")
                        .attr("type", "button")
                        .attr("class", "tg-link tg-show")
                        .attr("aria-controls", &id)
                        .attr_with("aria-pressed", move || show.get().to_string())
                        .on("click", move |_| show.update(|s| *s = !*s))
                        .text_with(move || {
                            if show.get() {
                                hide_label.clone()
                            } else {
                                show_label.clone()
                            }
                        });
                    wrap = wrap.child(toggle.node());
                }
                field.child(label).child(wrap.node())
            }
        };
        match hint {
            Some(hint) => field.child(hint),
            None => field,
        }
        .node()
    }
}
