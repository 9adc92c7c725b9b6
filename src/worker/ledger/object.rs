//! The `Ledger` Durable Object itself: its SQLite schema, its router (matching the paths
//! the protocol in `mod.rs` declares), the decisions, and the expiry alarm.
//!
//! Every decision is one synchronous run of SQL with no `.await` inside, so it is atomic in
//! the object (Durable Objects' input gate), and its answer leaves only once the write is
//! durable (output gate). An alarm deletes keys, and latest times, older than
//! `LEDGER_RETENTION_HOURS`.

use ::worker::{
    durable_object, DurableObject, Env, Request, Response, SqlStorage, SqlStorageValue, State,
};
use serde::Deserialize;

use super::{
    Accept, Accepted, Claim, Claimed, Complete, Completed, Enqueued, KeyState, Outcome, Wait,
};
use crate::worker::durable::{self, Noted, Operation};
use crate::worker::{config, now_ms};

/// The ledger's tables: event keys, counters, latest times per verification key.
const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS events(
  key TEXT PRIMARY KEY,
  state TEXT NOT NULL,
  seq INTEGER,
  gen INTEGER NOT NULL DEFAULT 0,
  attempts INTEGER NOT NULL DEFAULT 0,
  lease_owner TEXT,
  lease_until INTEGER NOT NULL DEFAULT 0,
  time_ms INTEGER,
  updated_ms INTEGER NOT NULL,
  enqueued INTEGER NOT NULL DEFAULT 0,
  next_at INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS meta(name TEXT PRIMARY KEY, value INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS latest(scope TEXT PRIMARY KEY, time_ms INTEGER NOT NULL, updated_ms INTEGER NOT NULL);
DELETE FROM meta WHERE name = 'latest_delivered_ms';
";

/// Columns added since the first schema, for objects created before them (SQLite has no
/// `ADD COLUMN IF NOT EXISTS`: each runs once, and fails harmlessly afterwards).
const MIGRATIONS: [&str; 2] = [
    "ALTER TABLE events ADD COLUMN enqueued INTEGER NOT NULL DEFAULT 0",
    "ALTER TABLE events ADD COLUMN next_at INTEGER NOT NULL DEFAULT 0",
];

/// A nullable integer for SQL.
fn int(value: Option<i64>) -> SqlStorageValue {
    value.map_or(SqlStorageValue::Null, SqlStorageValue::Integer)
}

/// A key's state for SQL: its stored name.
fn state(value: KeyState) -> SqlStorageValue {
    value.as_str().into()
}

/// One event key's row.
#[derive(Deserialize)]
struct Row {
    state: KeyState,
    seq: Option<i64>,
    gen: i64,
    attempts: i64,
    lease_owner: Option<String>,
    lease_until: i64,
    enqueued: i64,
    next_at: i64,
}

impl Row {
    /// A key just (re)started at generation `gen`: accepted, no attempt, no lease.
    fn fresh(gen: i64, seq: Option<i64>, enqueued: i64) -> Row {
        Row {
            state: KeyState::Accepted,
            seq,
            gen,
            attempts: 0,
            lease_owner: None,
            lease_until: 0,
            enqueued,
            next_at: 0,
        }
    }
}

/// The ledger of one envelope.
#[durable_object]
pub struct Ledger {
    state: State,
    env: Env,
    sql: SqlStorage,
}

impl DurableObject for Ledger {
    /// The ledger, its schema created or migrated.
    fn new(state: State, env: Env) -> Self {
        let sql = state.storage().sql();
        // Cheap and idempotent; runs on every construction. A failure surfaces on the
        // first query, as an error answer the caller retries.
        for migration in MIGRATIONS {
            // Fails once the column exists, which is the point.
            let _ = sql.exec(migration, None);
        }
        if let Err(e) = sql.exec(SCHEMA, None) {
            ::worker::console_error!("ledger schema: {e}");
        }
        Ledger { state, env, sql }
    }

    /// The router: one operation per path, as the protocol declares it.
    async fn fetch(&self, mut req: Request) -> ::worker::Result<Response> {
        let path = req.path();
        let body = req.text().await?;
        let now = now_ms();
        let answer = match path.as_str() {
            Accept::PATH => {
                let accepted = self.accept(&durable::request(&body)?, now)?;
                self.arm().await?;
                durable::answer::<Accept>(&accepted)?
            }
            Claim::PATH => {
                let claimed = self.claim(&durable::request(&body)?, now)?;
                self.arm().await?;
                durable::answer::<Claim>(&claimed)?
            }
            Complete::PATH => {
                durable::answer::<Complete>(&self.complete(&durable::request(&body)?, now)?)?
            }
            Enqueued::PATH => {
                self.mark_enqueued(&durable::request(&body)?)?;
                durable::answer::<Enqueued>(&Noted {})?
            }
            _ => return Response::error("no such ledger route", 404),
        };
        Response::ok(answer)
    }

    /// The expiry alarm: forgets what is older than the retention, and sets the next alarm.
    async fn alarm(&self) -> ::worker::Result<Response> {
        let horizon = now_ms().saturating_sub(config::retention_ms(&self.env));
        self.sql.exec(
            "DELETE FROM events WHERE updated_ms < ?",
            vec![horizon.into()],
        )?;
        // A latest time expires too: a wrong one (a provider's clock, a forgery under a
        // leaked no-MAC secret) marks later events stale for the retention at most.
        self.sql.exec(
            "DELETE FROM latest WHERE updated_ms < ?",
            vec![horizon.into()],
        )?;
        /// The oldest update left.
        #[derive(Deserialize)]
        struct Oldest {
            oldest: Option<i64>,
        }
        let oldest: Oldest = self
            .sql
            .exec(
                "SELECT MIN(m) AS oldest FROM (SELECT MIN(updated_ms) AS m FROM events UNION ALL SELECT MIN(updated_ms) FROM latest)",
                None,
            )?
            .one()?;
        // The sequence counter (meta) stays: an envelope that comes back after the
        // retention keeps counting upwards.
        if let Some(oldest) = oldest.oldest {
            let due = oldest.saturating_add(config::retention_ms(&self.env));
            self.state
                .storage()
                .set_alarm(due.saturating_sub(now_ms()).max(1_000))
                .await?;
        }
        Response::ok("expired")
    }
}

impl Ledger {
    /// Sets the expiry alarm when none is set.
    async fn arm(&self) -> ::worker::Result<()> {
        let storage = self.state.storage();
        if storage.get_alarm().await?.is_none() {
            storage.set_alarm(config::retention_ms(&self.env)).await?;
        }
        Ok(())
    }

    /// The row of event key `key`, if the ledger holds it.
    fn row(&self, key: &str) -> ::worker::Result<Option<Row>> {
        Ok(self
            .sql
            .exec(
                "SELECT state, seq, gen, attempts, lease_owner, lease_until, enqueued, next_at FROM events WHERE key = ?",
                vec![key.into()],
            )?
            .to_array::<Row>()?
            .into_iter()
            .next())
    }

    /// The envelope's counter `name` (`seq`).
    fn meta(&self, name: &str) -> ::worker::Result<Option<i64>> {
        /// A counter's value.
        #[derive(Deserialize)]
        struct Value {
            value: i64,
        }
        Ok(self
            .sql
            .exec("SELECT value FROM meta WHERE name = ?", vec![name.into()])?
            .to_array::<Value>()?
            .into_iter()
            .next()
            .map(|v| v.value))
    }

    /// Sets the envelope's counter `name`.
    fn set_meta(&self, name: &str, value: i64) -> ::worker::Result<()> {
        self.sql.exec(
            "INSERT INTO meta(name, value) VALUES(?, ?) ON CONFLICT(name) DO UPDATE SET value = excluded.value",
            vec![name.into(), value.into()],
        )?;
        Ok(())
    }

    /// The latest provider time delivered under `scope` (a verification key).
    fn latest(&self, scope: &str) -> ::worker::Result<Option<i64>> {
        /// A latest time.
        #[derive(Deserialize)]
        struct Value {
            time_ms: i64,
        }
        Ok(self
            .sql
            .exec(
                "SELECT time_ms FROM latest WHERE scope = ?",
                vec![scope.into()],
            )?
            .to_array::<Value>()?
            .into_iter()
            .next()
            .map(|v| v.time_ms))
    }

    /// Moves `scope`'s latest delivered time to `time_ms` if that is later.
    fn raise_latest(&self, scope: &str, time_ms: i64, now: i64) -> ::worker::Result<()> {
        if self.latest(scope)?.is_none_or(|l| time_ms > l) {
            self.sql.exec(
                "INSERT INTO latest(scope, time_ms, updated_ms) VALUES(?, ?, ?) ON CONFLICT(scope) DO UPDATE SET time_ms = excluded.time_ms, updated_ms = excluded.updated_ms",
                vec![scope.into(), time_ms.into(), now.into()],
            )?;
        }
        Ok(())
    }

    /// `/enqueued`: the key's queue job is written.
    fn mark_enqueued(&self, e: &Enqueued) -> ::worker::Result<()> {
        self.sql.exec(
            "UPDATE events SET enqueued = 1 WHERE key = ?",
            vec![e.key.as_str().into()],
        )?;
        Ok(())
    }

    /// Records the key as accepted with the envelope's next sequence number, or says what
    /// is known of it already (a provider's retry keeps its first number).
    fn accept(&self, a: &Accept, now: i64) -> ::worker::Result<Accepted> {
        if let Some(row) = self.row(&a.key)? {
            let live =
                row.enqueued != 0 && matches!(row.state, KeyState::Accepted | KeyState::Delivering);
            return Ok(Accepted {
                seq: row.seq,
                state: row.state,
                live,
            });
        }
        let seq = if a.sequenced {
            let next = self.meta("seq")?.unwrap_or(0).saturating_add(1);
            self.set_meta("seq", next)?;
            Some(next)
        } else {
            None
        };
        self.sql.exec(
            "INSERT INTO events(key, state, seq, time_ms, updated_ms) VALUES(?, ?, ?, ?, ?)",
            vec![
                a.key.as_str().into(),
                state(KeyState::Accepted),
                int(seq),
                int(a.time_ms),
                now.into(),
            ],
        )?;
        Ok(Accepted {
            seq,
            state: KeyState::Accepted,
            live: false,
        })
    }

    /// The row a claim decides on: a key the ledger no longer holds (expired, a replay
    /// weeks later, or never accepted here) is recorded anew; a replay's higher generation
    /// starts from scratch.
    fn claimable_row(&self, c: &Claim, now: i64) -> ::worker::Result<Row> {
        Ok(match self.row(&c.key)? {
            None => {
                self.sql.exec(
                    "INSERT INTO events(key, state, gen, time_ms, updated_ms, enqueued) VALUES(?, ?, ?, ?, ?, 1)",
                    vec![
                        c.key.as_str().into(),
                        state(KeyState::Accepted),
                        c.gen.into(),
                        int(c.time_ms),
                        now.into(),
                    ],
                )?;
                Row::fresh(c.gen, None, 1)
            }
            Some(row) if c.gen > row.gen => {
                // A deliberate replay: a new generation starts from scratch.
                self.sql.exec(
                    "UPDATE events SET state = ?, gen = ?, attempts = 0, lease_owner = NULL, lease_until = 0, next_at = 0, updated_ms = ? WHERE key = ?",
                    vec![
                        state(KeyState::Accepted),
                        c.gen.into(),
                        now.into(),
                        c.key.as_str().into(),
                    ],
                )?;
                Row::fresh(c.gen, row.seq, row.enqueued)
            }
            Some(row) => row,
        })
    }

    /// `/claim`: nothing to do (settled, or an older generation), wait (another copy's
    /// lease, or the event's backoff), or go with the next attempt, leased to `c.msg`.
    fn claim(&self, c: &Claim, now: i64) -> ::worker::Result<Claimed> {
        let row = self.claimable_row(c, now)?;
        if c.gen < row.gen || row.state.is_settled() {
            return Ok(Claimed::Duplicate { state: row.state });
        }
        let other_owner = row.lease_owner.as_deref().is_some_and(|o| o != c.msg);
        if other_owner && row.lease_until > now {
            return Ok(Claimed::Busy {
                retry_ms: row.lease_until - now,
                wait: Wait::Lease,
            });
        }
        // One backoff per event: no copy attempts before the failed attempt's delay ran out.
        if row.next_at > now {
            return Ok(Claimed::Busy {
                retry_ms: row.next_at - now,
                wait: Wait::Backoff,
            });
        }
        let attempt = row.attempts.saturating_add(1);
        self.sql.exec(
            "UPDATE events SET state = ?, attempts = ?, lease_owner = ?, lease_until = ?, updated_ms = ? WHERE key = ?",
            vec![
                state(KeyState::Delivering),
                attempt.into(),
                c.msg.as_str().into(),
                now.saturating_add(c.lease_ms).into(),
                now.into(),
                c.key.as_str().into(),
            ],
        )?;
        let latest = self.latest(&c.scope)?;
        let stale = matches!((c.time_ms, latest), (Some(t), Some(l)) if t < l);
        Ok(Claimed::Proceed { attempt, stale })
    }

    /// `/complete` for a key the ledger no longer holds (expired meanwhile): the outcome
    /// is remembered anyway.
    fn complete_expired(&self, c: &Complete, now: i64) -> ::worker::Result<Completed> {
        let settled = c.outcome.settled_state();
        self.sql.exec(
            "INSERT INTO events(key, state, gen, time_ms, updated_ms) VALUES(?, ?, ?, ?, ?)",
            vec![
                c.key.as_str().into(),
                state(settled),
                c.gen.into(),
                int(c.time_ms),
                now.into(),
            ],
        )?;
        Ok(Completed { state: settled })
    }

    /// `/complete`: the key's new state after an attempt's outcome; a failure frees the
    /// lease (unless another copy holds it) and sets the backoff before the next attempt.
    fn complete(&self, c: &Complete, now: i64) -> ::worker::Result<Completed> {
        let Some(row) = self.row(&c.key)? else {
            return self.complete_expired(c, now);
        };
        if c.gen != row.gen || row.state == KeyState::Delivered {
            // Another generation, or delivered by another copy: the outcome is not news.
            return Ok(Completed { state: row.state });
        }
        let next = match c.outcome {
            Outcome::Delivered => {
                // Never past the edge's own clock, whatever the event said.
                if let Some(t) = c.time_ms.map(|t| t.min(now)) {
                    self.raise_latest(&c.scope, t, now)?;
                }
                KeyState::Delivered
            }
            Outcome::Dead => KeyState::Dead,
            // A failed attempt frees the lease at once, so the retry (or a copy) goes on.
            Outcome::Failed if row.state == KeyState::Dead => KeyState::Dead,
            Outcome::Failed => KeyState::Accepted,
        };
        let owner = (next == KeyState::Accepted
            && row.lease_owner.as_deref() != Some(c.msg.as_str()))
        .then_some(row.lease_owner)
        .flatten();
        let lease_until = if owner.is_some() { row.lease_until } else { 0 };
        let next_at = if c.outcome == Outcome::Failed {
            now.saturating_add(c.retry_ms.max(0))
        } else {
            0
        };
        self.sql.exec(
            "UPDATE events SET state = ?, lease_owner = ?, lease_until = ?, next_at = MAX(next_at, ?), updated_ms = ? WHERE key = ?",
            vec![
                state(next),
                owner.map_or(SqlStorageValue::Null, SqlStorageValue::String),
                lease_until.into(),
                next_at.into(),
                now.into(),
                c.key.as_str().into(),
            ],
        )?;
        Ok(Completed { state: next })
    }
}
