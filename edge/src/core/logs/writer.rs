//! Group commit of tenant log rows within one isolate.
//!
//! A request's events are turned into inserts when its response is sent and handed to the
//! isolate's [`Pending`] queue. When no writer is running, that request becomes the writer: after
//! its response (`ctx.wait_until`) it writes everything queued in one batch, then whatever the
//! requests served meanwhile queued, and so on until the queue is empty. An isolate under load thus
//! writes one batch per D1 round trip instead of one per request (each batch call costs the isolate
//! a few milliseconds of glue — more than the rest of a token request), and an idle isolate writes a
//! request's events at once, as before.
//!
//! Bounded: the queue holds at most [`PENDING_MAX`] inserts (a request that finds it full writes its
//! own, as before); a writer writes at most [`WRITER_ROUNDS`] batches, the last taken after handing
//! the writer's role back, so rows queued while it is written start a writer of their own and no row
//! waits for a request that may never come.

use crate::core::platform::db::{Database, Stmt};

/// Inserts one isolate queues at most.
pub const PENDING_MAX: usize = 400;
/// Batches one writer writes at most (one request's `wait_until` stays short).
pub const WRITER_ROUNDS: usize = 8;
/// How long a writer lets inserts gather before each batch (the Worker's `wait` in [`drain`]).
pub const GATHER_MS: u64 = 25;

/// An isolate's inserts waiting for its writer.
#[derive(Debug, Default)]
pub struct Pending {
    stmts: Vec<Stmt>,
    writing: bool,
}

/// What [`Pending::push`] asks of the request that pushed.
#[derive(Debug, PartialEq)]
pub enum Admit {
    /// Queued, and no writer runs: the request becomes the writer ([`drain`] after its response).
    Write,
    /// Queued for the running writer.
    Queued,
    /// The queue is full: the request writes these itself.
    Full(Vec<Stmt>),
}

/// A writer's next batch.
#[derive(Debug)]
pub struct Batch {
    /// The inserts, in the order they were queued.
    pub stmts: Vec<Stmt>,
    /// The writer's last batch: the role is already handed back.
    pub last: bool,
}

impl Pending {
    /// Queues one request's inserts (none: nothing to do).
    pub fn push(&mut self, stmts: Vec<Stmt>) -> Admit {
        if stmts.is_empty() {
            return Admit::Queued;
        }
        if self.stmts.len() + stmts.len() > PENDING_MAX {
            return Admit::Full(stmts);
        }
        self.stmts.extend(stmts);
        if self.writing {
            Admit::Queued
        } else {
            self.writing = true;
            Admit::Write
        }
    }

    /// The writer's batch number `round` (from 0): everything queued, or `None` when nothing is
    /// (the writer stops and the role is free again).
    pub fn next(&mut self, round: usize) -> Option<Batch> {
        if self.stmts.is_empty() {
            self.writing = false;
            return None;
        }
        let last = round + 1 >= WRITER_ROUNDS;
        if last {
            self.writing = false;
        }
        Some(Batch {
            stmts: std::mem::take(&mut self.stmts),
            last,
        })
    }

    /// The writer cannot write at all (no database): drops what is queued and frees the role, so
    /// the next request tries again instead of queueing behind a writer that never runs.
    pub fn abandon(&mut self) -> usize {
        self.writing = false;
        std::mem::take(&mut self.stmts).len()
    }

    /// Inserts queued.
    pub fn len(&self) -> usize {
        self.stmts.len()
    }

    /// Nothing queued.
    pub fn is_empty(&self) -> bool {
        self.stmts.is_empty()
    }
}

/// The writer: lets inserts gather (`wait`, [`GATHER_MS`] in the Worker), then writes `pending`'s
/// batches to `db` until it is empty or the writer's rounds are spent. A batch that fails is
/// reported to `failed` and dropped, as a request's own write would be.
/// The queue is borrowed only between awaits. Returns the batches written.
pub async fn drain<W: std::future::Future<Output = ()>>(
    pending: &std::cell::RefCell<Pending>,
    db: &dyn Database,
    mut wait: impl FnMut() -> W,
    mut failed: impl FnMut(&crate::core::platform::db::DbError),
) -> usize {
    let mut batches = 0;
    for round in 0..WRITER_ROUNDS {
        wait().await;
        let Some(batch) = pending.borrow_mut().next(round) else {
            break;
        };
        match db.batch(batch.stmts).await {
            Ok(_) => batches += 1,
            Err(e) => failed(&e),
        }
        if batch.last {
            break;
        }
    }
    batches
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use std::cell::RefCell;

    use super::*;
    use crate::core::logs::{statements, Event, Record};
    use crate::sqlite::Sqlite;

    struct Seq;
    impl crate::core::Rng for Seq {
        fn fill(&self, buf: &mut [u8]) -> Result<(), String> {
            buf.fill(7);
            Ok(())
        }
    }

    fn inserts(n: usize, at_ms: i64) -> Vec<Stmt> {
        let records = (0..n)
            .map(|_| Record {
                event: Event::new("sccft", "Successful exchange"),
                ip: None,
                user_agent: None,
            })
            .collect();
        statements(records, at_ms, &Seq)
    }

    fn count(db: &Sqlite) -> i64 {
        let rows = futures_util::FutureExt::now_or_never(db.query(Stmt::new("SELECT COUNT(*) AS n FROM logs")))
            .unwrap()
            .unwrap();
        rows[0]["n"].as_i64().unwrap()
    }

    #[test]
    fn the_first_request_writes_and_the_others_queue_for_it() {
        let mut p = Pending::default();
        assert_eq!(p.push(inserts(1, 1)), Admit::Write);
        assert_eq!(p.push(inserts(2, 2)), Admit::Queued);
        assert_eq!(p.push(Vec::new()), Admit::Queued);
        let b = p.next(0).unwrap();
        assert_eq!((b.stmts.len(), b.last), (3, false));
        // Queued while the batch is written: the running writer's next batch.
        assert_eq!(p.push(inserts(1, 3)), Admit::Queued);
        assert_eq!(p.next(1).unwrap().stmts.len(), 1);
        // Empty: the writer stops and the next request writes again.
        assert!(p.next(2).is_none());
        assert_eq!(p.push(inserts(1, 4)), Admit::Write);
    }

    #[test]
    fn a_writer_hands_its_role_back_before_its_last_batch() {
        let mut p = Pending::default();
        assert_eq!(p.push(inserts(1, 1)), Admit::Write);
        for round in 0..WRITER_ROUNDS - 1 {
            assert!(!p.next(round).unwrap().last);
            assert_eq!(p.push(inserts(1, 2)), Admit::Queued);
        }
        let last = p.next(WRITER_ROUNDS - 1).unwrap();
        assert!(last.last);
        // A row queued while the last batch is written starts a writer of its own.
        assert_eq!(p.push(inserts(1, 3)), Admit::Write);
    }

    #[test]
    fn a_writer_without_a_database_frees_its_role() {
        let mut p = Pending::default();
        assert_eq!(p.push(inserts(2, 1)), Admit::Write);
        assert_eq!(p.abandon(), 2);
        assert_eq!(p.push(inserts(1, 2)), Admit::Write);
    }

    #[test]
    fn a_full_queue_gives_the_request_its_own_rows_back() {
        let mut p = Pending::default();
        assert_eq!(p.push(inserts(PENDING_MAX, 1)), Admit::Write);
        match p.push(inserts(2, 2)) {
            Admit::Full(own) => assert_eq!(own.len(), 2),
            other => panic!("not refused: {other:?}"),
        }
        assert_eq!(p.len(), PENDING_MAX);
    }

    /// On real SQLite: rows queued by three requests while the first writes land in two batch
    /// calls, not three, and every row is stored.
    #[test]
    fn requests_served_while_a_batch_is_written_share_the_next_one() {
        let db = Sqlite::in_memory().unwrap();
        let pending = RefCell::new(Pending::default());
        assert_eq!(pending.borrow_mut().push(inserts(2, 1)), Admit::Write);
        let calls = db.calls();
        let mut waits = 0;
        let batches = futures_util::FutureExt::now_or_never(drain(
            &pending,
            &db,
            || {
                waits += 1;
                // Two requests answered while the first batch was written.
                if waits == 2 {
                    assert_eq!(pending.borrow_mut().push(inserts(1, 2)), Admit::Queued);
                    assert_eq!(pending.borrow_mut().push(inserts(3, 3)), Admit::Queued);
                }
                async {}
            },
            |e| panic!("{e}"),
        ))
        .unwrap();
        assert_eq!(batches, 2);
        assert_eq!(db.calls() - calls, 2);
        assert_eq!(count(&db), 6);
        assert!(pending.borrow().is_empty());
        assert_eq!(pending.borrow_mut().push(inserts(1, 4)), Admit::Write);
    }
}
