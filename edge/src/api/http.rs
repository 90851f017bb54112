//! Runtime-neutral HTTP types. The Worker adapter converts `worker::Request`/`Response` to and from
//! these; native tests build them directly.

use serde::Serialize;

/// Largest request body the API reads, in bytes. Larger bodies get 413 before any work is done.
pub const MAX_BODY_BYTES: usize = 64 * 1024;

/// Largest import file upload (`/api/v2/jobs/users-imports`): Workers accept 100 MB bodies.
pub const MAX_IMPORT_BYTES: usize = 100 * 1024 * 1024;

/// The body limit of a path: import uploads may be large, everything else is small.
pub fn body_limit(path: &str) -> usize {
    if path == "/api/v2/jobs/users-imports" {
        MAX_IMPORT_BYTES
    } else {
        MAX_BODY_BYTES
    }
}

/// An incoming request.
#[derive(Debug, Clone, Default)]
pub struct Request {
    /// Upper-case method.
    pub method: String,
    /// Path without the query string.
    pub path: String,
    /// Query string without `?`.
    pub query: String,
    /// Headers with lower-case names.
    pub headers: Vec<(String, String)>,
    /// Body bytes (at most [`MAX_BODY_BYTES`]; the adapter stops reading beyond).
    pub body: Vec<u8>,
    /// Client IP as the platform reports it (`CF-Connecting-IP` where Cloudflare sets it; `None`
    /// elsewhere, and every such client shares one per-IP counter).
    pub ip: Option<String>,
    /// The body as it arrives, when the adapter streams it (import uploads in the Worker) instead
    /// of reading it into `body`.
    pub stream: BodyStream,
}

/// Pieces of a request body as they arrive, or why reading stopped. `Send` because the multipart
/// parser asks for it (the Worker's single-threaded stream is wrapped by its adapter).
pub type BodyChunks = futures_util::stream::BoxStream<'static, Result<Vec<u8>, String>>;

/// A streamed request body; taken once by the handler that reads it.
#[derive(Clone, Default)]
pub struct BodyStream(std::rc::Rc<std::cell::RefCell<Option<BodyChunks>>>);

impl BodyStream {
    /// A body read from `chunks`.
    pub fn new(chunks: BodyChunks) -> Self {
        Self(std::rc::Rc::new(std::cell::RefCell::new(Some(chunks))))
    }

    /// The stream, if the adapter set one and nobody took it yet.
    pub fn take(&self) -> Option<BodyChunks> {
        self.0.borrow_mut().take()
    }
}

impl std::fmt::Debug for BodyStream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(if self.0.borrow().is_some() {
            "BodyStream(..)"
        } else {
            "BodyStream(none)"
        })
    }
}

impl Request {
    /// A request with method and path (tests and benchmarks).
    pub fn new(method: &str, path_and_query: &str) -> Self {
        let (path, query) = path_and_query.split_once('?').unwrap_or((path_and_query, ""));
        Self {
            method: method.to_owned(),
            path: path.to_owned(),
            query: query.to_owned(),
            ..Self::default()
        }
    }

    /// A request from its head as one text, the way the Worker hands it over in a single call across
    /// the wasm boundary: method, path, search (`?…` or empty), then each header's name and value,
    /// all separated by `\n` — which neither a parsed URL's path or search nor a header's name or
    /// value can contain.
    pub fn from_head(head: &str) -> Self {
        let mut parts = head.split('\n');
        let method = parts.next().unwrap_or_default().to_ascii_uppercase();
        let path = parts.next().filter(|p| !p.is_empty()).unwrap_or("/").to_owned();
        let search = parts.next().unwrap_or_default();
        let query = search.strip_prefix('?').unwrap_or(search).to_owned();
        let mut headers = Vec::new();
        while let (Some(name), Some(value)) = (parts.next(), parts.next()) {
            headers.push((name.to_ascii_lowercase(), value.to_owned()));
        }
        Self {
            method,
            path,
            query,
            headers,
            ..Self::default()
        }
    }

    /// Adds a header.
    pub fn with_header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.to_ascii_lowercase(), value.to_owned()));
        self
    }

    /// Sets a JSON body and its content type.
    pub fn with_json(self, body: &serde_json::Value) -> Self {
        let mut r = self.with_header("content-type", "application/json");
        r.body = body.to_string().into_bytes();
        r
    }

    /// The first header named `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The value of cookie `name`.
    pub fn cookie(&self, name: &str) -> Option<&str> {
        self.header("cookie")?
            .split(';')
            .filter_map(|c| c.trim().split_once('='))
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v)
    }

    /// The media type of the body without parameters, lower-cased (`application/json`).
    pub fn media_type(&self) -> Option<String> {
        self.header("content-type")
            .map(|ct| ct.split(';').next().unwrap_or("").trim().to_ascii_lowercase())
    }
}

/// An outgoing response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Response {
    /// Status code.
    pub status: u16,
    /// Headers.
    pub headers: Vec<(String, String)>,
    /// Body bytes.
    pub body: Vec<u8>,
    /// An internal error behind a 5xx, for the adapter to log; never sent.
    pub internal_error: Option<String>,
    /// Stored job files (keys in the `FileStore`) the adapter sends after `body`, in order,
    /// streaming them (an export download).
    pub objects: Vec<String>,
}

impl Response {
    /// A response with a body and content type.
    pub fn new(status: u16, content_type: &str, body: Vec<u8>) -> Self {
        Self {
            status,
            headers: vec![("content-type".into(), content_type.into())],
            body,
            internal_error: None,
            objects: Vec::new(),
        }
    }

    /// A JSON response.
    pub fn json<T: Serialize>(status: u16, value: &T) -> Self {
        let body = serde_json::to_vec(value).unwrap_or_else(|_| b"{}".to_vec());
        Self::new(status, "application/json; charset=utf-8", body)
    }

    /// A plain-text response.
    pub fn text(status: u16, text: &str) -> Self {
        Self::new(status, "text/plain; charset=utf-8", text.as_bytes().to_vec())
    }

    /// Adds a header.
    pub fn with_header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.to_owned(), value.to_owned()));
        self
    }

    /// The first header named `name`.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The headers as one text, the counterpart of [`Request::from_head`] for the Worker's single
    /// call that builds the platform's response: each header's name and value, separated by `\n`.
    /// `None` if a name or value holds a line break, which no HTTP header may carry (the platform's
    /// `Headers` refuses them too).
    pub fn head(&self) -> Option<String> {
        let mut head = String::with_capacity(self.headers.iter().map(|(k, v)| k.len() + v.len() + 2).sum());
        for (k, v) in &self.headers {
            if k.contains(['\n', '\r']) || v.contains(['\n', '\r']) {
                return None;
            }
            if !head.is_empty() {
                head.push('\n');
            }
            head.push_str(k);
            head.push('\n');
            head.push_str(v);
        }
        Some(head)
    }

    /// The body parsed as JSON (tests).
    pub fn json_body(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).unwrap_or(serde_json::Value::Null)
    }
}

#[cfg(test)]
mod tests {
    use super::{Request, Response};

    #[test]
    fn a_head_in_one_text_is_the_request() {
        let r = Request::from_head(
            "post\n/oauth/token\n?a=1&b=%20\ncontent-type\napplication/json\nx-empty\n\nCookie\na=b; c=d",
        );
        assert_eq!(r.method, "POST");
        assert_eq!(r.path, "/oauth/token");
        assert_eq!(r.query, "a=1&b=%20");
        assert_eq!(
            r.headers,
            vec![
                ("content-type".to_owned(), "application/json".to_owned()),
                ("x-empty".to_owned(), String::new()),
                ("cookie".to_owned(), "a=b; c=d".to_owned()),
            ]
        );
        let bare = Request::from_head("GET\n/healthz\n");
        assert_eq!((bare.path.as_str(), bare.query.as_str()), ("/healthz", ""));
        assert!(bare.headers.is_empty());
    }

    #[test]
    fn the_headers_in_one_text_and_never_a_line_break() {
        let r = Response::text(200, "hi")
            .with_header("x-empty", "")
            .with_header("set-cookie", "a=b; Path=/");
        assert_eq!(
            r.head().as_deref(),
            Some("content-type\ntext/plain; charset=utf-8\nx-empty\n\nset-cookie\na=b; Path=/")
        );
        // Read back the way the Worker's JavaScript reads it: name, value, name, value.
        let head = r.head().unwrap_or_default();
        let parts: Vec<&str> = head.split('\n').collect();
        let pairs: Vec<(String, String)> = parts.chunks(2).map(|p| (p[0].to_owned(), p[1].to_owned())).collect();
        assert_eq!(pairs, r.headers);
        let mut bare = Response::text(204, "");
        bare.headers.clear();
        assert_eq!(bare.head().as_deref(), Some(""));
        for (k, v) in [("location", "/a\nset-cookie: x=1"), ("x\rb", "1"), ("x", "a\r\n")] {
            assert_eq!(Response::text(302, "").with_header(k, v).head(), None, "{k:?}: {v:?}");
        }
    }
}
