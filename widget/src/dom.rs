//! The widget's DOM layer: elements built once with `web-sys`, kept current by Leptos' reactive
//! graph (`reactive_graph`: the signals, effects, owners and context behind Leptos).
//!
//! Leptos' view renderer gives every distinct view type its own build, rebuild and teardown code;
//! for a widget of a dozen fixed shapes that generic code was over a third of the wasm and kept it
//! above its size budget. Here each reactive part of an element — an attribute, a class, a
//! property, a text, a region of children — is one render effect that writes just that part. An
//! effect lives as long as the owner it was created under: the mount's root, or the build of the
//! region that made it, so a region that rebuilds (another screen) disposes of what it replaced.

use reactive_graph::effect::RenderEffect;
use reactive_graph::graph::untrack;
use reactive_graph::owner::{on_cleanup, Owner};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{Element, Event, Node};

#[wasm_bindgen]
extern "C" {
    /// The page's `document` (its node factories, without web-sys' error wrapping: they only
    /// fail for invalid tag names, which are all literals here).
    type Doc;
    #[wasm_bindgen(thread_local_v2, js_name = document)]
    static DOC: Doc;
    #[wasm_bindgen(method, js_name = createElement)]
    fn create_element(this: &Doc, tag: &str) -> Element;
    #[wasm_bindgen(method, js_name = createTextNode)]
    fn create_text(this: &Doc, text: &str) -> Node;
    #[wasm_bindgen(method, js_name = createComment)]
    fn create_comment(this: &Doc, text: &str) -> Node;
    #[wasm_bindgen(method, js_name = getElementById)]
    fn by_id(this: &Doc, id: &str) -> Option<Element>;
    #[wasm_bindgen(method, catch, js_name = querySelector)]
    fn query(this: &Doc, selector: &str) -> Result<Option<Element>, JsValue>;
}

/// The element with id `id` on the page.
pub fn by_id(id: &str) -> Option<Element> {
    DOC.with(|d| d.by_id(id))
}

/// The page's first element matching `selector` (none for an invalid selector).
pub fn query(selector: &str) -> Option<Element> {
    DOC.with(|d| d.query(selector)).ok().flatten()
}

/// Runs `f` now, and again whenever a signal it read changes, until the current owner is
/// cleaned up. Views are built under an owner (see [`mount_to`]); without one the effect would
/// stop at once.
pub fn effect(f: impl FnMut() + 'static) {
    effect_boxed(Box::new(f));
}

fn effect_boxed(mut f: Box<dyn FnMut()>) {
    let effect = RenderEffect::new(move |_| f());
    on_cleanup(move || drop(effect));
}

fn remove(node: &Node) {
    if let Some(parent) = node.parent_node() {
        let _ = parent.remove_child(node);
    }
}

/// A region's build: under the region's owner, `None` when the key did not change, else the
/// build's owner and nodes.
type Build = dyn FnMut(&Owner) -> Option<(Owner, Vec<Node>)>;

/// An element being built. Static parts are written at once; the `*_with` parts follow their
/// closures.
pub struct El(Element);

/// A new `<tag>`.
pub fn el(tag: &str) -> El {
    El(DOC.with(|d| d.create_element(tag)))
}

/// A text node.
pub fn text(text: &str) -> Node {
    DOC.with(|d| d.create_text(text))
}

impl El {
    /// Attribute `name="value"`.
    pub fn attr(self, name: &str, value: &str) -> Self {
        let _ = self.0.set_attribute(name, value);
        self
    }

    /// Attribute `name="value"` when there is a value.
    pub fn attr_opt(self, name: &str, value: Option<&str>) -> Self {
        match value {
            Some(v) => self.attr(name, v),
            None => self,
        }
    }

    /// Boolean attribute `name` (present or absent).
    pub fn flag(self, name: &str, on: bool) -> Self {
        if on {
            self.attr(name, "")
        } else {
            self
        }
    }

    /// Attribute `name`, following `value`.
    pub fn attr_with(self, name: &'static str, value: impl Fn() -> String + 'static) -> Self {
        let el = self.0.clone();
        effect(move || {
            let _ = el.set_attribute(name, &value());
        });
        self
    }

    /// Class `class` while `on` holds.
    pub fn class_when(self, class: &'static str, on: impl Fn() -> bool + 'static) -> Self {
        let el = self.0.clone();
        effect(move || {
            let _ = el.class_list().toggle_with_force(class, on());
        });
        self
    }

    /// DOM property `name` (`value`, `checked`), following `value`.
    pub fn prop_with(self, name: &'static str, value: impl Fn() -> JsValue + 'static) -> Self {
        let el = self.0.clone();
        effect(move || {
            let _ = js_sys::Reflect::set(&el, &JsValue::from_str(name), &value());
        });
        self
    }

    /// Listens to `event`. The listener belongs to the element (the browser frees it with it).
    pub fn on(self, event: &str, f: impl FnMut(Event) + 'static) -> Self {
        let f: Box<dyn FnMut(Event)> = Box::new(f);
        let listener = Closure::wrap(f).into_js_value();
        let _ = self.0.add_event_listener_with_callback(event, listener.unchecked_ref());
        self
    }

    /// Appends text.
    pub fn text(self, value: &str) -> Self {
        self.child(text(value))
    }

    /// Appends a text that follows `value`.
    pub fn text_with(self, value: impl Fn() -> String + 'static) -> Self {
        let node = text("");
        let _ = self.0.append_child(&node);
        effect(move || node.set_text_content(Some(&value())));
        self
    }

    /// Appends a child.
    pub fn child(self, child: impl AsRef<Node>) -> Self {
        let _ = self.0.append_child(child.as_ref());
        self
    }

    /// Appends children.
    pub fn children(self, children: Vec<Node>) -> Self {
        for c in &children {
            let _ = self.0.append_child(c);
        }
        self
    }

    /// Appends a region of children: `build(key())`, built again (untracked) when the value of
    /// `key` changes. What a build created — nodes, effects, signals — goes with the next one.
    pub fn dynamic<K: PartialEq + Clone + 'static>(
        self,
        key: impl Fn() -> K + 'static,
        build: impl Fn(K) -> Vec<Node> + 'static,
    ) -> Self {
        let mut last = None;
        self.region(Box::new(move |parent| {
            let k = key();
            if last.as_ref() == Some(&k) {
                return None;
            }
            last = Some(k.clone());
            // Each build has an owner of its own under the region's, so that the region's
            // re-runs, which only read the key, leave it alone until it is replaced.
            let owner = parent.child();
            let nodes = owner.with(|| untrack(|| build(k)));
            Some((owner, nodes))
        }))
    }

    fn region(self, mut render: Box<Build>) -> Self {
        let anchor = DOC.with(|d| d.create_comment(""));
        let _ = self.0.append_child(&anchor);
        let parent = Owner::current().unwrap_or_default();
        let mut shown: Option<(Owner, Vec<Node>)> = None;
        effect(move || {
            let Some(next) = render(&parent) else {
                return;
            };
            if let Some((owner, nodes)) = shown.take() {
                nodes.iter().for_each(remove);
                owner.cleanup();
            }
            if let Some(at) = anchor.parent_node() {
                for n in &next.1 {
                    let _ = at.insert_before(n, Some(&anchor));
                }
            }
            shown = Some(next);
        });
        self
    }

    /// The element.
    pub fn element(&self) -> &Element {
        &self.0
    }

    /// The finished node.
    pub fn node(self) -> Node {
        self.0.into()
    }
}

/// The value of an event's target (input, select).
pub fn target_value(ev: &Event) -> String {
    target_prop(ev, "value").as_string().unwrap_or_default()
}

/// Whether an event's target (a checkbox) is checked.
pub fn target_checked(ev: &Event) -> bool {
    target_prop(ev, "checked").as_bool().unwrap_or(false)
}

fn target_prop(ev: &Event, name: &str) -> JsValue {
    ev.target()
        .and_then(|t| js_sys::Reflect::get(&t, &JsValue::from_str(name)).ok())
        .unwrap_or(JsValue::UNDEFINED)
}

/// A view mounted into a host element; dropping it removes the view and disposes its effects.
pub struct Mounted {
    owner: Owner,
    nodes: Vec<Node>,
}

/// Builds `view` under a new root owner (its context and effects) and appends it to `host`.
pub fn mount_to(host: &Element, view: impl FnOnce() -> Vec<Node>) -> Mounted {
    // Render effects re-run on the wasm-bindgen executor; a second mount finds it set up.
    let _ = any_spawner::Executor::init_wasm_bindgen();
    let owner = Owner::new();
    let nodes = owner.with(|| untrack(view));
    for n in &nodes {
        let _ = host.append_child(n);
    }
    Mounted { owner, nodes }
}

impl Drop for Mounted {
    fn drop(&mut self) {
        self.nodes.iter().for_each(remove);
        self.owner.cleanup();
    }
}
