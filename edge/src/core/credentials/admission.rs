//! Overload answered by us: a bounded amount of password work in flight per isolate, a bounded
//! wait queue in front of it, and past the queue Tollgate's own `503` with `Retry-After` — never a
//! request dropped by the runtime, and nothing written half-way (a flow is admitted before its
//! first write).
//!
//! ```text
//! login / sign-up / password set ──enter──▶ a permit free? ──yes──▶ run (argon2id + its D1 batch)
//!                                               │ no
//!                                               ▼
//!                                    fewer than `queue` waiting? ──yes──▶ wait in line (FIFO), run
//!                                               │ no
//!                                               ▼
//!                              503 temporarily_unavailable, Retry-After ≈ the queue's length in work
//! ```
//! One argon2id (m=19 MiB) is ~30–50 ms of CPU in workerd; the queue bounds how long a request may
//! wait (`queue` × that ÷ `permits`) and how much memory waiting requests hold. A permit spans the
//! whole flow (its D1 round trips included), so `permits` > 1 lets one flow hash while another
//! waits for D1.
//!
//! Waiting is a timer, not a promise another request resolves: workerd cancels a request whose only
//! pending work is a promise of a different request ("the Worker's code had hung"), which a
//! waker-based semaphore is. A waiting flow holds a ticket in a FIFO line and looks again after a
//! pause (`HttpClient::pause`, `setTimeout` in the Worker) that grows with its place in the line.

use std::collections::VecDeque;
use std::sync::{Mutex, MutexGuard};

use crate::core::error::{CoreError, CoreResult};
use crate::core::platform::outbound::HttpClient;
use crate::core::Clock;

/// Flows that may do password work at once per isolate, by default.
pub const DEFAULT_PERMITS: usize = 2;
/// Flows that may wait for a permit per isolate, by default (at ~40 ms of work each and two
/// permits: about 5 s of queue).
pub const DEFAULT_QUEUE: usize = 256;
/// What one admitted flow is taken to cost until flows have been timed (one argon2id in workerd
/// and its round trips); afterwards a moving average of the permits' hold times.
const NOMINAL_FLOW_MS: f64 = 40.0;

/// The gate in front of password work (see the module diagram).
#[derive(Debug)]
pub struct Admission {
    permits: usize,
    queue: usize,
    line: Mutex<Line>,
}

#[derive(Debug)]
struct Line {
    /// Permits held now.
    in_use: usize,
    /// The tickets of waiting flows, first in line first.
    waiting: VecDeque<u64>,
    next_ticket: u64,
    /// Moving average of how long a flow holds its permit (ms).
    flow_ms: f64,
}

/// A flow's right to do password work; the permit returns when it is dropped.
pub struct Permit<'a> {
    held: Option<(&'a Admission, &'a dyn Clock, i64)>,
}

impl std::fmt::Debug for Permit<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Permit").field("gated", &self.held.is_some()).finish()
    }
}

impl Permit<'_> {
    /// A permit of no gate (hashers without admission).
    pub fn free() -> Self {
        Self { held: None }
    }
}

impl Drop for Permit<'_> {
    fn drop(&mut self) {
        if let Some((gate, clock, since)) = self.held {
            let took = (clock.now_ms() - since).clamp(0, 60_000) as f64;
            let mut line = gate.line();
            line.in_use = line.in_use.saturating_sub(1);
            line.flow_ms = 0.9 * line.flow_ms + 0.1 * took.max(1.0);
        }
    }
}

/// A place in the line, given up when its flow goes away while waiting (the request was dropped).
struct Ticket<'a> {
    gate: &'a Admission,
    id: u64,
}

impl Drop for Ticket<'_> {
    fn drop(&mut self) {
        self.gate.line().waiting.retain(|t| *t != self.id);
    }
}

impl Admission {
    /// A gate with `permits` flows at work and at most `queue` waiting.
    pub fn new(permits: usize, queue: usize) -> Self {
        Self {
            permits: permits.max(1),
            queue,
            line: Mutex::new(Line {
                in_use: 0,
                waiting: VecDeque::new(),
                next_ticket: 0,
                flow_ms: NOMINAL_FLOW_MS,
            }),
        }
    }

    /// Parses `permits=2,queue=256` (`PASSWORD_WORK`; missing keys keep their defaults).
    pub fn parse(s: &str) -> Result<Self, String> {
        let (mut permits, mut queue) = (DEFAULT_PERMITS, DEFAULT_QUEUE);
        for part in s.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let (k, v) = part
                .split_once('=')
                .ok_or_else(|| format!("expected key=value, got {part:?}"))?;
            let v: usize = v.trim().parse().map_err(|_| format!("{k} must be a number"))?;
            match k.trim() {
                "permits" if (1..=64).contains(&v) => permits = v,
                "queue" if v <= 100_000 => queue = v,
                "permits" | "queue" => return Err(format!("{k}={v} is out of bounds")),
                other => return Err(format!("unknown parameter {other:?}")),
            }
        }
        Ok(Self::new(permits, queue))
    }

    fn line(&self) -> MutexGuard<'_, Line> {
        // A panic while the line was held cannot leave it inconsistent (plain counters).
        self.line.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Flows waiting for a permit now.
    pub fn waiting(&self) -> usize {
        self.line().waiting.len()
    }

    /// Admits a flow: at once, after waiting its turn in line, or `Overloaded` when the line is
    /// full. `timer` pauses between looks at the line; `clock` times the flows.
    pub async fn enter<'a>(&'a self, timer: &dyn HttpClient, clock: &'a dyn Clock) -> CoreResult<Permit<'a>> {
        let permit = || Permit {
            held: Some((self, clock, clock.now_ms())),
        };
        let ticket = {
            let mut line = self.line();
            if line.in_use < self.permits && line.waiting.is_empty() {
                line.in_use += 1;
                return Ok(permit());
            }
            let ahead = line.waiting.len();
            if ahead >= self.queue {
                return Err(CoreError::Overloaded {
                    retry_after_s: self.retry_after_s(ahead, line.flow_ms),
                });
            }
            let id = line.next_ticket;
            line.next_ticket += 1;
            line.waiting.push_back(id);
            Ticket { gate: self, id }
        };
        loop {
            let (place, flow_ms) = {
                let mut line = self.line();
                let place = line.waiting.iter().position(|t| *t == ticket.id).unwrap_or(0);
                if place == 0 && line.in_use < self.permits {
                    line.waiting.pop_front();
                    line.in_use += 1;
                    std::mem::forget(ticket);
                    return Ok(permit());
                }
                (place, line.flow_ms)
            };
            timer.pause(self.pause_ms(place, flow_ms)).await;
        }
    }

    /// How long a flow `place` flows from the front waits before it looks again: the first in line
    /// often, the others about halfway to when their turn may come.
    fn pause_ms(&self, place: usize, flow_ms: f64) -> u64 {
        (place as f64 * flow_ms / self.permits as f64 / 2.0).clamp(2.0, 250.0) as u64
    }

    /// Seconds until a line of `ahead` flows has been served (at least 1).
    fn retry_after_s(&self, ahead: usize, flow_ms: f64) -> u32 {
        let ms = (ahead + self.permits) as f64 * flow_ms / self.permits as f64;
        (ms / 1000.0).ceil().clamp(1.0, 60.0) as u32
    }
}

impl Default for Admission {
    fn default() -> Self {
        Self::new(DEFAULT_PERMITS, DEFAULT_QUEUE)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use async_trait::async_trait;
    use std::future::Future;
    use std::pin::pin;
    use std::task::{Context, Poll, Waker};

    /// A timer whose pause yields once (a poll later it is over).
    struct Yield;

    #[async_trait(?Send)]
    impl HttpClient for Yield {
        async fn send(
            &self,
            _: crate::core::platform::outbound::OutboundRequest,
        ) -> Result<crate::core::platform::outbound::OutboundResponse, crate::core::platform::outbound::OutboundError>
        {
            unreachable!("the line never sends")
        }

        async fn pause(&self, _ms: u64) {
            let mut yielded = false;
            std::future::poll_fn(|_| {
                if yielded {
                    Poll::Ready(())
                } else {
                    yielded = true;
                    Poll::Pending
                }
            })
            .await;
        }
    }

    struct Frozen;

    impl Clock for Frozen {
        fn now_ms(&self) -> i64 {
            0
        }
    }

    fn poll_once<F: Future>(f: std::pin::Pin<&mut F>) -> Poll<F::Output> {
        f.poll(&mut Context::from_waker(Waker::noop()))
    }

    #[test]
    fn permits_then_a_bounded_line_then_overloaded_with_retry_after() {
        let gate = Admission::new(1, 2);
        let Poll::Ready(Ok(held)) = poll_once(pin!(gate.enter(&Yield, &Frozen))) else {
            panic!("the first flow is admitted at once");
        };
        let mut second = pin!(gate.enter(&Yield, &Frozen));
        assert!(poll_once(second.as_mut()).is_pending(), "the second waits in line");
        let mut third = pin!(gate.enter(&Yield, &Frozen));
        assert!(poll_once(third.as_mut()).is_pending());
        assert_eq!(gate.waiting(), 2);
        match poll_once(pin!(gate.enter(&Yield, &Frozen))) {
            Poll::Ready(Err(CoreError::Overloaded { retry_after_s })) => assert!(retry_after_s >= 1),
            other => panic!("the line is full: {other:?}"),
        }
        assert_eq!(gate.waiting(), 2, "a refused flow leaves the line as it was");
        drop(held);
        // The third looks first, but it is not its turn.
        assert!(poll_once(third.as_mut()).is_pending());
        let Poll::Ready(Ok(next)) = poll_once(second.as_mut()) else {
            panic!("first in line goes next");
        };
        assert!(poll_once(third.as_mut()).is_pending(), "the permit is taken again");
        drop(next);
        assert!(matches!(poll_once(third.as_mut()), Poll::Ready(Ok(_))));
        assert_eq!(gate.waiting(), 0);
    }

    #[test]
    fn a_flow_that_goes_away_while_waiting_leaves_the_line() {
        let gate = Admission::new(1, 1);
        let Poll::Ready(Ok(held)) = poll_once(pin!(gate.enter(&Yield, &Frozen))) else {
            panic!("admitted");
        };
        {
            let mut gone = Box::pin(gate.enter(&Yield, &Frozen));
            assert!(poll_once(gone.as_mut()).is_pending());
            assert_eq!(gate.waiting(), 1);
        }
        assert_eq!(gate.waiting(), 0, "dropped mid-wait: no longer in line");
        let mut next = pin!(gate.enter(&Yield, &Frozen));
        assert!(poll_once(next.as_mut()).is_pending(), "there is room in the line again");
        drop(held);
        assert!(
            matches!(poll_once(next.as_mut()), Poll::Ready(Ok(_))),
            "and nobody ahead of it"
        );
    }

    #[test]
    fn parses_configuration() {
        let g = Admission::parse("permits=4, queue=10").unwrap();
        assert_eq!((g.permits, g.queue), (4, 10));
        let g = Admission::parse("").unwrap();
        assert_eq!((g.permits, g.queue), (DEFAULT_PERMITS, DEFAULT_QUEUE));
        assert!(Admission::parse("permits=0").is_err());
        assert!(Admission::parse("queue=x").is_err());
        assert!(Admission::parse("speed=1").is_err());
    }

    #[test]
    fn waits_and_retry_after_grow_with_the_line() {
        let g = Admission::new(2, 10_000);
        assert_eq!(g.retry_after_s(0, 40.0), 1);
        assert!(g.retry_after_s(5_000, 40.0) > g.retry_after_s(500, 40.0));
        assert!(
            g.retry_after_s(500, 400.0) > g.retry_after_s(500, 40.0),
            "slower flows, longer wait"
        );
        assert_eq!(g.retry_after_s(100_000, 40.0), 60, "capped");
        assert_eq!(g.pause_ms(0, 40.0), 2);
        assert!(g.pause_ms(50, 40.0) > g.pause_ms(5, 40.0));
        assert_eq!(g.pause_ms(100_000, 40.0), 250, "capped");
    }

    /// A clock the test moves.
    struct Manual(std::cell::Cell<i64>);

    impl Clock for Manual {
        fn now_ms(&self) -> i64 {
            self.0.get()
        }
    }

    #[test]
    fn the_wait_it_announces_follows_how_long_flows_take() {
        let clock = Manual(std::cell::Cell::new(0));
        let gate = Admission::new(1, 0);
        for _ in 0..40 {
            let Poll::Ready(Ok(p)) = poll_once(pin!(gate.enter(&Yield, &clock))) else {
                panic!("admitted");
            };
            clock.0.set(clock.0.get() + 2_000);
            drop(p);
        }
        let Poll::Ready(Ok(_held)) = poll_once(pin!(gate.enter(&Yield, &clock))) else {
            panic!("admitted");
        };
        match poll_once(pin!(gate.enter(&Yield, &clock))) {
            Poll::Ready(Err(CoreError::Overloaded { retry_after_s })) => {
                assert!(retry_after_s >= 2, "flows take ~2 s here: {retry_after_s}")
            }
            other => panic!("refused: {other:?}"),
        };
    }
}
