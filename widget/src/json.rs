//! JSON in the widget without serde: the browser's own `JSON.parse` / `JSON.stringify` and a small
//! value type to read and build bodies. serde's visitors and serde_json's parser and number
//! formatting were about a fifth of the wasm; the browser already ships a JSON implementation.

use js_sys::{Array, Object, Reflect};
use wasm_bindgen::{JsCast, JsValue};

/// A JSON value. Objects keep their keys in order.
#[derive(Debug, Clone, Default, PartialEq)]
pub enum Json {
    /// `null` (also what `undefined`, functions and symbols become).
    #[default]
    Null,
    /// `true` / `false`.
    Bool(bool),
    /// A number.
    Num(f64),
    /// A string.
    Str(String),
    /// An array.
    Arr(Vec<Json>),
    /// An object.
    Obj(Vec<(String, Json)>),
}

/// An object from `key => value` pairs; values convert with `Json::from`.
#[macro_export]
macro_rules! obj {
    ($($k:expr => $v:expr),* $(,)?) => {
        $crate::json::Json::Obj(vec![$((String::from($k), $crate::json::Json::from($v))),*])
    };
}

static NULL: Json = Json::Null;

impl Json {
    /// Member `key` of an object (`Null` when absent or not an object).
    pub fn get(&self, key: &str) -> &Json {
        match self {
            Json::Obj(m) => m.iter().find(|(k, _)| k == key).map_or(&NULL, |(_, v)| v),
            _ => &NULL,
        }
    }

    /// Sets member `key` of an object (replacing it); does nothing on other values.
    pub fn set(&mut self, key: &str, value: impl Into<Json>) {
        if let Json::Obj(m) = self {
            let value = value.into();
            match m.iter_mut().find(|(k, _)| k == key) {
                Some((_, v)) => *v = value,
                None => m.push((key.to_owned(), value)),
            }
        }
    }

    /// The string, if this is one.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Json::Str(s) => Some(s),
            _ => None,
        }
    }

    /// Member `key` as an owned string.
    pub fn str(&self, key: &str) -> Option<String> {
        self.get(key).as_str().map(str::to_owned)
    }

    /// The boolean, if this is one.
    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Json::Bool(b) => Some(*b),
            _ => None,
        }
    }

    /// The number, if this is one.
    pub fn as_f64(&self) -> Option<f64> {
        match self {
            Json::Num(n) => Some(*n),
            _ => None,
        }
    }

    /// The elements of an array (none for other values).
    pub fn items(&self) -> &[Json] {
        match self {
            Json::Arr(a) => a,
            _ => &[],
        }
    }

    /// The members of an object (none for other values).
    pub fn members(&self) -> &[(String, Json)] {
        match self {
            Json::Obj(m) => m,
            _ => &[],
        }
    }

    /// Whether this is `null`.
    pub fn is_null(&self) -> bool {
        matches!(self, Json::Null)
    }

    /// A scalar as text: strings as they are, booleans as `true`/`false`, integers in decimal;
    /// `None` for null, fractions, arrays and objects.
    pub fn to_text(&self) -> Option<String> {
        match self {
            Json::Str(s) => Some(s.clone()),
            Json::Bool(b) => Some(b.to_string()),
            Json::Num(n) if n.fract() == 0.0 && n.abs() < 1e15 => Some((*n as i64).to_string()),
            _ => None,
        }
    }

    /// Converts a JavaScript value.
    pub fn from_js(v: &JsValue) -> Json {
        if let Some(b) = v.as_bool() {
            Json::Bool(b)
        } else if let Some(n) = v.as_f64() {
            Json::Num(n)
        } else if let Some(s) = v.as_string() {
            Json::Str(s)
        } else if Array::is_array(v) {
            Json::Arr(Array::from(v).iter().map(|x| Json::from_js(&x)).collect())
        } else if v.is_object() && !v.is_function() {
            let entries = Object::entries(v.unchecked_ref());
            Json::Obj(
                entries
                    .iter()
                    .map(|e| {
                        let e = Array::from(&e);
                        (e.get(0).as_string().unwrap_or_default(), Json::from_js(&e.get(1)))
                    })
                    .collect(),
            )
        } else {
            Json::Null
        }
    }

    /// Converts to a JavaScript value.
    pub fn to_js(&self) -> JsValue {
        match self {
            Json::Null => JsValue::NULL,
            Json::Bool(b) => JsValue::from_bool(*b),
            Json::Num(n) => JsValue::from_f64(*n),
            Json::Str(s) => JsValue::from_str(s),
            Json::Arr(a) => a.iter().map(Json::to_js).collect::<Array>().into(),
            Json::Obj(m) => {
                let o = Object::new();
                for (k, v) in m {
                    let _ = Reflect::set(&o, &JsValue::from_str(k), &v.to_js());
                }
                o.into()
            }
        }
    }

    /// Parses JSON text with the browser's parser.
    pub fn parse(text: &str) -> Option<Json> {
        js_sys::JSON::parse(text).ok().map(|v| Json::from_js(&v))
    }

    /// JSON text, by the browser's serializer.
    pub fn stringify(&self) -> String {
        js_sys::JSON::stringify(&self.to_js())
            .ok()
            .and_then(|s| s.as_string())
            .unwrap_or_default()
    }
}

impl From<&str> for Json {
    fn from(s: &str) -> Self {
        Json::Str(s.to_owned())
    }
}

impl From<String> for Json {
    fn from(s: String) -> Self {
        Json::Str(s)
    }
}

impl From<&String> for Json {
    fn from(s: &String) -> Self {
        Json::Str(s.clone())
    }
}

impl From<bool> for Json {
    fn from(b: bool) -> Self {
        Json::Bool(b)
    }
}

impl From<u16> for Json {
    fn from(n: u16) -> Self {
        Json::Num(f64::from(n))
    }
}

impl<T: Into<Json>> From<Option<T>> for Json {
    fn from(v: Option<T>) -> Self {
        v.map_or(Json::Null, Into::into)
    }
}

impl From<Vec<(String, Json)>> for Json {
    fn from(m: Vec<(String, Json)>) -> Self {
        Json::Obj(m)
    }
}

impl From<&Json> for Json {
    fn from(v: &Json) -> Self {
        v.clone()
    }
}

/// Test helper: a `serde_json` value (from a literal or a file) as [`Json`].
#[cfg(test)]
pub fn from_serde(v: &serde_json::Value) -> Json {
    use serde_json::Value;
    match v {
        Value::Null => Json::Null,
        Value::Bool(b) => Json::Bool(*b),
        Value::Number(n) => Json::Num(n.as_f64().unwrap_or_default()),
        Value::String(s) => Json::Str(s.clone()),
        Value::Array(a) => Json::Arr(a.iter().map(from_serde).collect()),
        Value::Object(m) => Json::Obj(m.iter().map(|(k, v)| (k.clone(), from_serde(v))).collect()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn read_and_build() {
        let mut v = obj! {"a" => "x", "n" => Json::Num(3.0), "b" => true, "none" => None::<String>};
        assert_eq!(v.str("a").as_deref(), Some("x"));
        assert_eq!(v.get("n").to_text().as_deref(), Some("3"));
        assert_eq!(v.get("b").to_text().as_deref(), Some("true"));
        assert!(v.get("none").is_null() && v.get("missing").is_null());
        assert_eq!(Json::Num(1.5).to_text(), None);
        v.set("a", "y");
        v.set("c", "z");
        assert_eq!(v.str("a").as_deref(), Some("y"));
        assert_eq!(v.members().len(), 5);
        assert_eq!(Json::Str("s".into()).get("a"), &Json::Null);
    }
}
