//! Events for the page (`on(event, fn)` in the JS API): a `tollgate` CustomEvent dispatched on
//! the widget's host element with `{name, payload}`; the loader routes it to listeners.

use wasm_bindgen::{JsCast, JsValue};
use web_sys::{CustomEvent, CustomEventInit};

/// The page's first element matching `selector` (none for an invalid selector).
pub fn query(selector: &str) -> Option<web_sys::Element> {
    web_sys::window()?.document()?.query_selector(selector).ok().flatten()
}

/// A plain JS object with text properties (small event payloads).
pub fn object(entries: &[(&str, &str)]) -> JsValue {
    let o = js_sys::Object::new();
    for (k, v) in entries {
        let _ = js_sys::Reflect::set(&o, &(*k).into(), &(*v).into());
    }
    o.into()
}

/// Dispatches event `name` with `payload` (a plain JS object, see [`crate::api::to_js`] and
/// [`object`]) on the host of instance `instance`.
pub fn emit(instance: &str, name: &str, payload: &JsValue) {
    let Some(host) = query(&format!("[data-tollgate-instance=\"{instance}\"]")) else {
        return;
    };
    let detail = js_sys::Object::new();
    let _ = js_sys::Reflect::set(&detail, &"name".into(), &name.into());
    let _ = js_sys::Reflect::set(&detail, &"payload".into(), payload);
    let init = CustomEventInit::new();
    init.set_detail(&detail);
    init.set_bubbles(true);
    if let Ok(ev) = CustomEvent::new_with_event_init_dict("tollgate", &init) {
        let _ = host.dispatch_event(&ev);
    }
}

/// Runs the page's `validator` of an additional sign-up field (kept by the loader, as functions
/// cannot travel as options): `{valid, hint}`; a missing or throwing validator passes.
pub fn validate_field(instance: &str, field: &str, value: &str) -> (bool, Option<String>) {
    let result = (|| -> Option<JsValue> {
        let window = web_sys::window()?;
        let registry = js_sys::Reflect::get(&window, &"__tollgateValidators".into()).ok()?;
        let f = js_sys::Reflect::get(&registry, &format!("{instance}:{field}").into()).ok()?;
        let f: js_sys::Function = f.dyn_into().ok()?;
        f.call1(&JsValue::NULL, &value.into()).ok()
    })();
    match result {
        Some(r) => {
            let valid = js_sys::Reflect::get(&r, &"valid".into())
                .ok()
                .and_then(|v| v.as_bool())
                .unwrap_or(true);
            let hint = js_sys::Reflect::get(&r, &"hint".into())
                .ok()
                .and_then(|v| v.as_string());
            (valid, hint)
        }
        None => (true, None),
    }
}
