//! The modal dialog of `LoginWidget.mount(null, …)` and Lock's `show()`: an overlay with a
//! labelled dialog, a close button, Escape to close and focus kept inside while it is open.

use std::sync::Arc;

use crate::events::object;
use leptos::prelude::*;
use wasm_bindgen::JsCast;

use crate::i18n::I18n;

/// Asks the loader to close the dialog of `instance` (it restores focus and tells the page `hide`).
fn request_close(instance: &str) {
    crate::events::emit(instance, "__close", &object(&[]));
}

/// The dialog around a widget; `open` says whether it shows.
#[component]
pub fn Modal(
    /// Whether the dialog is open (set by the loader's `show()` / `hide()`).
    open: ArcRwSignal<bool>,
    /// Whether the user may close it (close button, Escape).
    closable: bool,
    /// The widget instance (its close requests go to the loader).
    #[prop(into)]
    instance: String,
    /// The dialog's name (the page's title, else "Log in").
    #[prop(into)]
    title: String,
    /// The strings.
    i18n: Arc<I18n>,
    /// The widget.
    children: Children,
) -> impl IntoView {
    let dialog = NodeRef::<leptos::html::Div>::new();
    let close_instance = instance.clone();
    let on_keydown = move |ev: leptos::ev::KeyboardEvent| {
        if ev.key() == "Escape" && closable {
            ev.prevent_default();
            request_close(&instance);
        } else if ev.key() == "Tab" {
            // Keep focus inside the dialog.
            let Some(dialog) = dialog.get_untracked() else {
                return;
            };
            let Ok(items) =
                dialog.query_selector_all("input:not([type=hidden]):not([tabindex=\"-1\"]), select, button, a[href]")
            else {
                return;
            };
            let item = |i: u32| items.item(i).and_then(|n| n.dyn_into::<web_sys::HtmlElement>().ok());
            let (Some(first), Some(last)) = (item(0), item(items.length().saturating_sub(1))) else {
                return;
            };
            let active = document().active_element();
            if ev.shift_key() && active.as_ref() == Some(first.as_ref()) {
                ev.prevent_default();
                let _ = last.focus();
            } else if !ev.shift_key() && active.as_ref() == Some(last.as_ref()) {
                ev.prevent_default();
                let _ = first.focus();
            }
        }
    };
    let close = closable.then(|| {
        view! {
            <button type="button" class="tg-close" aria-label=i18n.t("closeLabel")
                on:click=move |_| request_close(&close_instance)>"\u{00d7}"</button>
        }
    });
    view! {
        <div class="tg-overlay" hidden=move || !open.get() on:keydown=on_keydown>
            <div class="tg-dialog" role="dialog" aria-modal="true" aria-label=title node_ref=dialog>
                {close}
                {children()}
            </div>
        </div>
    }
}
