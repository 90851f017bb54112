//! The parts every screen is built from: the form shell with its submit button and status region
//! ([`FormShell`]), one labelled control ([`Field`]), a heading ([`Heading`]) and a link-styled
//! button ([`AsideLink`]). Submits are Leptos [`Action`]s: the action's pending state is the
//! form's busy state, and its value is what the status region announces.

use std::future::Future;
use std::pin::Pin;

use leptos::html::Form;
use leptos::prelude::*;

use crate::context::{focus_first_invalid, use_i18n, WidgetCtx};

/// What the last submit left to say, announced through the form's `aria-live` region.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Status {
    /// Success text.
    Done(String),
    /// Error text.
    Failed(String),
}

/// The state a form's submit handler and its markup share.
#[derive(Clone, Copy)]
pub struct FormState {
    /// The `<form>` element, for moving focus to its first invalid field.
    pub form: NodeRef<Form>,
    /// Whether the form was submitted once (fields show their invalid state from then on).
    pub touched: RwSignal<bool>,
    /// The submit: pending while a request is in flight, its value the last outcome.
    pub action: Action<(), Status>,
    /// One success ends the form (a reset ticket is used up): later submits are ignored and the
    /// button stays disabled.
    pub single_use: bool,
}

impl FormState {
    /// A form whose submit runs `send` (after the fields were found valid). On a failure focus
    /// returns to the first invalid field.
    pub fn new<F>(send: impl Fn() -> F + 'static) -> Self
    where
        F: Future<Output = Status> + 'static,
    {
        Self::with(Box::new(move || Box::pin(send())))
    }

    /// [`FormState::new`] for a boxed submit: one action type for every form (the widget is
    /// size-bound; each distinct future type would be another copy of the action's code).
    #[inline(never)]
    fn with(send: Box<dyn Fn() -> Pin<Box<dyn Future<Output = Status>>>>) -> Self {
        let form = NodeRef::new();
        let action = Action::new_local(move |_: &()| {
            let sent = send();
            async move {
                let status = sent.await;
                if matches!(status, Status::Failed(_)) {
                    focus_first_invalid(form);
                }
                status
            }
        });
        Self {
            form,
            touched: RwSignal::new(false),
            action,
            single_use: false,
        }
    }

    /// A form that one success ends (see [`FormState::single_use`]).
    pub fn single_use(self) -> Self {
        Self {
            single_use: true,
            ..self
        }
    }

    /// Whether a request is in flight.
    pub fn busy(&self) -> bool {
        self.action.pending().get()
    }

    /// Whether the form no longer takes submits: a request is in flight, or a single-use form
    /// succeeded. Tracked, so the submit button follows it.
    pub fn closed(&self) -> bool {
        self.busy() || (self.single_use && matches!(self.action.value().get(), Some(Status::Done(_))))
    }

    /// A submit: marks the form touched, then dispatches the action — not while the form is
    /// [closed](Self::closed) (double submits are ignored), and not when a field is invalid
    /// (focus then moves to the first one).
    pub fn submit(&self, valid: bool) {
        self.touched.set(true);
        if untrack(|| self.closed()) {
            return;
        }
        if !valid {
            focus_first_invalid(self.form);
            return;
        }
        self.action.value().set(None);
        self.action.dispatch(());
    }
}

/// A form: its children (heading, fields), the submit button with its busy label, `after` (links
/// under the button) and the status region.
#[component]
pub fn FormShell(
    /// Element id of the form.
    #[prop(into)]
    id: String,
    /// Its state.
    state: FormState,
    /// Submit button label.
    #[prop(into)]
    submit: String,
    /// Submit button label while busy.
    #[prop(into)]
    busy_label: String,
    /// Validates the fields when the form is submitted.
    valid: Callback<(), bool>,
    /// What comes under the button.
    #[prop(optional, into)]
    after: Option<AnyView>,
    /// The form's heading and fields.
    children: Children,
) -> impl IntoView {
    let busy = move || state.busy();
    view! {
        <form id=id node_ref=state.form class="tg-form" novalidate aria-busy=move || busy().to_string()
            on:submit=move |ev| {
                ev.prevent_default();
                state.submit(valid.run(()));
            }>
            {children()}
            <button type="submit" class="tg-submit" aria-disabled=move || state.closed().to_string()>
                {move || if busy() { busy_label.clone() } else { submit.clone() }}
            </button>
            {after}
            <StatusRegion status=Signal::derive(move || state.action.value().get()) />
        </form>
    }
}

/// The form's `aria-live` region: the last outcome, success or error.
#[component]
pub fn StatusRegion(
    /// The outcome, if any.
    status: Signal<Option<Status>>,
) -> impl IntoView {
    view! {
        <div class="tg-status" role="status" aria-live="polite">
            {move || status.get().map(|s| match s {
                Status::Done(text) => view! { <p class="tg-success">{text}</p> },
                Status::Failed(text) => view! { <p class="tg-error">{text}</p> },
            })}
        </div>
    }
}

/// A screen's heading and introduction.
#[component]
pub fn Heading(
    /// Title.
    #[prop(into)]
    title: String,
    /// Introduction.
    #[prop(into)]
    hint: String,
) -> impl IntoView {
    view! {
        <h2 class="tg-title">{title}</h2>
        <p class="tg-hint">{hint}</p>
    }
}

/// A button styled as a link, in its own paragraph (`Forgot your password?`, `Back`).
#[component]
pub fn AsideLink(
    /// Label.
    #[prop(into)]
    label: String,
    /// What a click does.
    on_click: Callback<()>,
) -> impl IntoView {
    view! {
        <p class="tg-aside">
            <button type="button" class="tg-link" on:click=move |_| on_click.run(())>{label}</button>
        </p>
    }
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

/// One labelled control bound to a string signal, with its invalid state and hint.
#[component]
pub fn Field(
    /// Element id (`{id}-hint` is its hint's).
    #[prop(into)]
    id: String,
    /// Form field name.
    #[prop(into)]
    name: String,
    /// The control.
    kind: Kind,
    /// Label text.
    #[prop(into)]
    label: String,
    /// The value, both ways.
    value: RwSignal<String>,
    /// The `autocomplete` token.
    #[prop(optional)]
    autocomplete: Option<&'static str>,
    /// Not required.
    #[prop(optional)]
    optional: bool,
    /// When to mark the control `aria-invalid`.
    #[prop(into, optional)]
    invalid: Signal<bool>,
    /// A hint under the control, in the error colour while invalid; empty hints are not shown.
    #[prop(into, optional)]
    hint: Option<Signal<String>>,
    /// The element that describes the control when it has no hint (the password checklist).
    #[prop(into, optional)]
    describedby: Option<String>,
) -> impl IntoView {
    let required = !optional;
    let hint_id = format!("{id}-hint");
    let describedby = if hint.is_some() {
        Some(hint_id.clone())
    } else {
        describedby
    };
    let hint = hint.map(|text| {
        view! { <p id=hint_id class="tg-hint" class:tg-error-text=move || invalid.get()>{move || text.get()}</p> }
    });
    let aria_invalid = move || invalid.get().to_string();
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
            let current = value.get_untracked();
            let options = options
                .into_iter()
                .map(|(v, l)| {
                    let selected = v == current;
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
            let show = RwSignal::new(false);
            let toggle = (password && use_context::<WidgetCtx>().is_none_or(|c| c.opts.allow_show_password()))
                .then(|| view! { <ShowPassword show controls=id.clone() /> });
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

/// The show-password toggle of a password field.
#[component]
fn ShowPassword(
    /// Whether the password is shown.
    show: RwSignal<bool>,
    /// The input it controls.
    controls: String,
) -> impl IntoView {
    let i18n = use_i18n();
    let (show_label, hide_label) = (i18n.t("showPassword"), i18n.t("hidePassword"));
    view! {
        <button type="button" class="tg-link tg-show" aria-controls=controls
            aria-pressed=move || show.get().to_string()
            on:click=move |_| show.update(|s| *s = !*s)>
            {move || if show.get() { hide_label.clone() } else { show_label.clone() }}
        </button>
    }
}
