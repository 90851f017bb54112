//! A log stream receiver of native tests: it keeps every request it gets and answers as told
//! (2xx, a status, no connection, a timeout), so delivery, back-off and suspension can be watched.

use std::cell::{Cell, RefCell};

use async_trait::async_trait;

use super::{TestEnv, KEK};
use crate::core::logs::delivery::{self, Next};
use crate::core::logs::RequestEvents;
use crate::core::platform::outbound::{HttpClient, OutboundError, OutboundRequest, OutboundResponse};
use crate::core::Core;

/// How the receiver answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SinkFault {
    /// `200`.
    None,
    /// This status.
    Status(u16),
    /// No connection.
    Down,
    /// No answer in time.
    Timeout,
}

/// The receiver.
pub struct FakeSink {
    /// Requests received (also those answered with a fault), in order.
    pub requests: RefCell<Vec<OutboundRequest>>,
    /// How it answers now.
    pub fault: Cell<SinkFault>,
}

impl Default for FakeSink {
    fn default() -> Self {
        Self {
            requests: RefCell::default(),
            fault: Cell::new(SinkFault::None),
        }
    }
}

impl FakeSink {
    /// The `log_id`s of every event received (any of the three body shapes), in order.
    pub fn log_ids(&self) -> Vec<String> {
        self.events()
            .iter()
            .filter_map(|e| e["log_id"].as_str().map(str::to_owned))
            .collect()
    }

    /// Every event envelope received (`{"log_id", "data"}`), in order.
    pub fn events(&self) -> Vec<serde_json::Value> {
        let mut out = Vec::new();
        for r in self.requests.borrow().iter() {
            let text = String::from_utf8_lossy(&r.body);
            match serde_json::from_str::<serde_json::Value>(&text) {
                Ok(serde_json::Value::Array(items)) => out.extend(items),
                Ok(one) => out.push(one),
                Err(_) => out.extend(text.lines().filter_map(|l| serde_json::from_str(l).ok())),
            }
        }
        out
    }

    /// A header of the `n`-th request.
    pub fn header(&self, n: usize, name: &str) -> Option<String> {
        self.requests.borrow().get(n).and_then(|r| {
            r.headers
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(name))
                .map(|(_, v)| v.clone())
        })
    }
}

#[async_trait(?Send)]
impl HttpClient for FakeSink {
    async fn send(&self, req: OutboundRequest) -> Result<OutboundResponse, OutboundError> {
        let timeout = req.timeout_ms;
        self.requests.borrow_mut().push(req);
        match self.fault.get() {
            SinkFault::None => Ok(OutboundResponse {
                status: 200,
                body: b"ok".to_vec(),
            }),
            SinkFault::Status(status) => Ok(OutboundResponse {
                status,
                body: b"{\"error\":\"nope\"}".to_vec(),
            }),
            SinkFault::Down => Err(OutboundError::Connect("connection refused".into())),
            SinkFault::Timeout => Err(OutboundError::Timeout(timeout.unwrap_or(0))),
        }
    }

    async fn pause(&self, _ms: u64) {}
}

impl TestEnv {
    /// One run of log stream delivery (what the Worker's queue consumer does with a tick), with
    /// `sink` as the outbound HTTP client.
    pub async fn deliver_streams(&self, sink: &FakeSink) -> Next {
        let events = RequestEvents::default();
        let core = Core {
            http: sink,
            events: &events,
            ..self.core()
        };
        let next = delivery::deliver(&core, Some(&KEK)).await.expect("delivery runs");
        // What the Worker's queue consumer does after a run: its events are stored.
        crate::core::logs::write(
            &self.db,
            events.take(),
            crate::core::Clock::now_ms(&self.clock),
            &crate::core::OsRng,
        )
        .await
        .expect("events written");
        next
    }
}
