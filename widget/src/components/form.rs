//! The parts every screen is built from: one form shell and one field renderer. Screens describe
//! their fields as data ([`Field`]) instead of writing their own markup, because in the wasm every
//! distinct view type carries its own build, rebuild and teardown code — a handful of shared shapes
//! is what keeps the widget small.

use std::sync::Arc;

use leptos::html::Form;
use leptos::prelude::*;

use crate::context::{focus_first_invalid, WidgetCtx};
use crate::i18n::I18n;

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
    /// Whether the form was submitted once (fields show their invalid state from then on).
    pub touched: RwSignal<bool>,
    /// A request is in flight: further submits are ignored.
    pub busy: RwSignal<bool>,
    /// The outcome of the last submit.
    pub status: RwSignal<Status>,
    /// The `<form>` element, for moving focus to the first invalid field.
    pub node: NodeRef<Form>,
    /// One success ends the form (a reset ticket is used up): later submits are ignored and the
    /// button stays disabled.
    pub single_use: bool,
}

impl FormState {
    /// A fresh form.
    pub fn new() -> Self {
        Self {
            touched: RwSignal::new(false),
            busy: RwSignal::new(false),
            status: RwSignal::new(Status::None),
            node: NodeRef::new(),
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
            focus_first_invalid(self.node);
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
            focus_first_invalid(self.node);
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
    pub id: &'static str,
    /// Its state.
    pub state: FormState,
    /// Submit button label.
    pub submit: String,
    /// Submit button label while busy.
    pub busy_label: String,
}

impl Shell {
    /// Renders the form; `on_submit` runs after the browser's submit was prevented.
    pub fn view(self, on_submit: Box<dyn Fn()>, body: Vec<AnyView>, after: Vec<AnyView>) -> AnyView {
        let Self {
            id,
            state,
            submit,
            busy_label,
        } = self;
        let FormState { busy, status, node, .. } = state;
        let disabled = move || state.closed().to_string();
        view! {
            <form id=id node_ref=node class="tg-form" novalidate aria-busy=move || busy.get().to_string()
                on:submit=move |ev| {
                    ev.prevent_default();
                    on_submit();
                }>
                {body}
                <button type="submit" class="tg-submit" aria-disabled=disabled>
                    {move || if busy.get() { busy_label.clone() } else { submit.clone() }}
                </button>
                {after}
                <div class="tg-status" role="status" aria-live="polite">
                    {move || match status.get() {
                        Status::None => None,
                        Status::Done(text) => Some(view! { <p class="tg-success">{text}</p> }),
                        Status::Failed(text) => Some(view! { <p class="tg-error">{text}</p> }),
                    }}
                </div>
            </form>
        }
        .into_any()
    }
}

/// A screen's heading and introduction.
pub fn heading(title: String, hint: String) -> AnyView {
    view! {
        <h2 class="tg-title">{title}</h2>
        <p class="tg-hint">{hint}</p>
    }
    .into_any()
}

/// A button styled as a link, in its own paragraph (`Forgot your password?`, `Back`).
pub fn aside_link(label: String, on_click: Box<dyn Fn()>) -> AnyView {
    view! {
        <p class="tg-aside">
            <button type="button" class="tg-link" on:click=move |_| on_click()>{label}</button>
        </p>
    }
    .into_any()
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
    pub fn view(self) -> AnyView {
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
        let hint_id = format!("{id}-hint");
        let hint = hint.map(|text| {
            let invalid = Arc::clone(&invalid);
            view! { <p id=hint_id class="tg-hint" class:tg-error-text=move || invalid()>{move || text()}</p> }
        });
        let aria_invalid = move || invalid().to_string();
        let set = move |ev| value.set(event_target_value(&ev));
        match kind {
            Kind::Hidden => view! { <input type="hidden" name=name prop:value=move || value.get() /> }.into_any(),
            Kind::Checkbox => view! {
                <div class="tg-field tg-check">
                    <input id=id.clone() name=name type="checkbox" required=required
                        aria-invalid=aria_invalid aria-describedby=describedby
                        prop:checked=move || value.get() == "true"
                        on:change=move |ev| value.set(event_target_checked(&ev).to_string()) />
                    <label for=id>{label}</label>
                    {hint}
                </div>
            }
            .into_any(),
            Kind::Select(options) => {
                let options = options
                    .into_iter()
                    .map(|(v, l)| {
                        let selected = v == value.get_untracked();
                        view! { <option value=v selected=selected>{l}</option> }
                    })
                    .collect::<Vec<_>>();
                view! {
                    <div class="tg-field">
                        <label for=id.clone()>{label}</label>
                        <select id=id name=name required=required aria-invalid=aria_invalid aria-describedby=describedby
                            prop:value=move || value.get() on:change=set>
                            <option value="">"—"</option>
                            {options}
                        </select>
                        {hint}
                    </div>
                }
                .into_any()
            }
            kind => {
                let password = kind == Kind::Password;
                let base = match kind {
                    Kind::Email => "email",
                    Kind::Password => "password",
                    _ => "text",
                };
                let toggle = password && use_context::<WidgetCtx>().is_none_or(|c| c.opts.allow_show_password);
                let show = RwSignal::new(false);
                let toggle = toggle.then(|| {
                    let i18n = expect_context::<std::sync::Arc<I18n>>();
                    let (show_label, hide_label) = (i18n.t("showPassword"), i18n.t("hidePassword"));
                    view! {
                        <button type="button" class="tg-link tg-show" aria-controls=id.clone()
                            aria-pressed=move || show.get().to_string()
                            on:click=move |_| show.update(|s| *s = !*s)>
                            {move || if show.get() { hide_label.clone() } else { show_label.clone() }}
                        </button>
                    }
                });
                view! {
                    <div class="tg-field">
                        <label for=id.clone()>{label}</label>
                        <div class="tg-input" class:tg-password=password>
                            <input id=id name=name type=move || if show.get() { "text" } else { base }
                                autocomplete=autocomplete required=required
                                aria-invalid=aria_invalid aria-describedby=describedby
                                prop:value=move || value.get() on:input=set />
                            {toggle}
                        </div>
                        {hint}
                    </div>
                }
                .into_any()
            }
        }
    }
}
