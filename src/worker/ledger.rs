//! The delivery ledger: a SQLite-backed Durable Object per envelope (binding `LEDGER`,
//! class `Ledger`), named by [`envelope_key`](crate::envelope_key) (or by the event key for
//! events that name no envelope). It records, per event key, whether the event is
//! `accepted`, `delivering` (with the queue message that holds the lease), `delivered` or
//! `dead`, with the attempt count, whether a queue job for it was written, and when its
//! next attempt is due (one retry budget and one backoff per event, however many copies
//! arrive); per envelope, the `sequence` counter and, per verification key, the latest
//! provider time already forwarded (so that one account's events never mark another's
//! `stale`).
//!
//! Every decision is one synchronous run of SQL with no `.await` inside, so it is atomic in
//! the object (Durable Objects' input gate), and its answer leaves only once the write is
//! durable (output gate). An alarm deletes keys, and latest times, older than
//! `LEDGER_RETENTION_HOURS`.

use ::worker::wasm_bindgen::JsValue;
use ::worker::{
    durable_object, DurableObject, Env, Method, Request, RequestInit, Response, SqlStorage,
    SqlStorageValue, State,
};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use super::config;

/// The binding of the ledger's namespace.
const BINDING: &str = "LEDGER";

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

/// Calls `path` on the Durable Object `name` of namespace `binding` with a JSON body and
/// parses its JSON answer. Any failure (binding missing, object unreachable, non-2xx,
/// unexpected answer) is an `Err`: callers treat the ledger as unavailable.
pub(super) async fn call<Q: Serialize, A: DeserializeOwned>(
    env: &Env,
    binding: &str,
    name: &str,
    path: &str,
    body: &Q,
) -> ::worker::Result<A> {
    let stub = env.durable_object(binding)?.get_by_name(name)?;
    let body = serde_json::to_string(body)?;
    let mut init = RequestInit::new();
    init.with_method(Method::Post)
        .with_body(Some(JsValue::from_str(&body)));
    // Durable Object stubs need an absolute URL; the host is never resolved.
    let request = Request::new_with_init(&format!("https://signhook.internal{path}"), &init)?;
    let mut response = stub.fetch_with_request(request).await?;
    if response.status_code() != 200 {
        let text = response.text().await.unwrap_or_default();
        return Err(::worker::Error::RustError(format!(
            "{binding} {path} answered {}: {}",
            response.status_code(),
            text.chars().take(200).collect::<String>()
        )));
    }
    response.json().await
}

/// The current time, in Unix milliseconds, from the Workers clock.
pub(super) fn now_ms() -> i64 {
    i64::try_from(::worker::Date::now().as_millis()).unwrap_or(i64::MAX)
}

/// A nullable integer for SQL.
fn int(value: Option<i64>) -> SqlStorageValue {
    value.map_or(SqlStorageValue::Null, SqlStorageValue::Integer)
}

// ---- the protocol ----

/// `/accept`: the fetch handler, before enqueueing.
#[derive(Serialize, Deserialize)]
pub(super) struct Accept {
    pub(super) key: String,
    /// Whether to give the event a `sequence` number (it names an envelope).
    pub(super) sequenced: bool,
    pub(super) time_ms: Option<i64>,
}

/// What the ledger knows of an accepted key.
#[derive(Serialize, Deserialize)]
pub(super) struct Accepted {
    pub(super) seq: Option<i64>,
    pub(super) state: String,
    /// A queue job for the key was written and the key is not settled: a copy needs no
    /// job of its own (it would only spend the same retry budget faster).
    #[serde(default)]
    pub(super) live: bool,
}

/// `/enqueued`: the fetch handler, once Queues confirmed the job's write.
#[derive(Serialize, Deserialize)]
pub(super) struct Enqueued {
    pub(super) key: String,
}

/// `/claim`: the consumer, before one attempt.
#[derive(Serialize, Deserialize)]
pub(super) struct Claim {
    pub(super) key: String,
    /// The queue message id: stable across Queues' retries and the dead-letter move, so
    /// the message that holds a lease takes it back after a crash.
    pub(super) msg: String,
    /// 0, or the replay generation (each replay of a dead letter is one higher).
    pub(super) gen: i64,
    pub(super) time_ms: Option<i64>,
    pub(super) lease_ms: i64,
    /// Whose latest time the staleness check reads: the verification key's index.
    #[serde(default)]
    pub(super) scope: String,
}

/// The ledger's decision on a claim.
#[derive(Serialize, Deserialize)]
#[serde(tag = "decision", rename_all = "snake_case")]
pub(super) enum Claimed {
    /// Go: this is attempt `attempt`; `stale` when the envelope already has a later event
    /// delivered.
    Proceed { attempt: i64, stale: bool },
    /// Another copy of the event holds a live lease, or the backoff after the last failed
    /// attempt (`backoff`) has not run out; ask again in `retry_ms`.
    Busy {
        retry_ms: i64,
        #[serde(default)]
        backoff: bool,
    },
    /// Already delivered or dead (or an older generation): nothing to do.
    Duplicate { state: String },
}

/// `/complete`: the consumer, after an attempt (or the dead-letter consumer).
#[derive(Serialize, Deserialize)]
pub(super) struct Complete {
    pub(super) key: String,
    pub(super) msg: String,
    pub(super) gen: i64,
    /// `delivered`, `failed` or `dead`.
    pub(super) outcome: String,
    pub(super) time_ms: Option<i64>,
    /// `failed`: the backoff before the next attempt, in ms; no copy attempts before.
    #[serde(default)]
    pub(super) retry_ms: i64,
    #[serde(default)]
    pub(super) scope: String,
}

/// The key's state after `/complete`.
#[derive(Serialize, Deserialize)]
pub(super) struct Completed {
    pub(super) state: String,
}

/// Asks shard `shard` of the ledger.
pub(super) async fn ask<Q: Serialize, A: DeserializeOwned>(
    env: &Env,
    shard: &str,
    path: &str,
    body: &Q,
) -> ::worker::Result<A> {
    call(env, BINDING, shard, path, body).await
}

// ---- the Durable Object ----

#[derive(Deserialize)]
struct Row {
    state: String,
    seq: Option<i64>,
    gen: i64,
    attempts: i64,
    lease_owner: Option<String>,
    lease_until: i64,
    enqueued: i64,
    next_at: i64,
}

/// The ledger of one envelope.
#[durable_object]
pub struct Ledger {
    state: State,
    env: Env,
    sql: SqlStorage,
}

impl DurableObject for Ledger {
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

    async fn fetch(&self, mut req: Request) -> ::worker::Result<Response> {
        let path = req.path();
        let body = req.text().await?;
        let now = now_ms();
        let answer = match path.as_str() {
            "/accept" => {
                let accepted = self.accept(&serde_json::from_str(&body)?, now)?;
                self.arm().await?;
                serde_json::to_string(&accepted)?
            }
            "/claim" => {
                let claimed = self.claim(&serde_json::from_str(&body)?, now)?;
                self.arm().await?;
                serde_json::to_string(&claimed)?
            }
            "/complete" => {
                serde_json::to_string(&self.complete(&serde_json::from_str(&body)?, now)?)?
            }
            "/enqueued" => {
                let e: Enqueued = serde_json::from_str(&body)?;
                self.sql.exec(
                    "UPDATE events SET enqueued = 1 WHERE key = ?",
                    vec![e.key.as_str().into()],
                )?;
                "{}".to_owned()
            }
            _ => return Response::error("no such ledger route", 404),
        };
        Response::ok(answer)
    }

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

    fn meta(&self, name: &str) -> ::worker::Result<Option<i64>> {
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

    /// The latest provider time delivered under `scope` (a verification key).
    fn latest(&self, scope: &str) -> ::worker::Result<Option<i64>> {
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

    fn set_meta(&self, name: &str, value: i64) -> ::worker::Result<()> {
        self.sql.exec(
            "INSERT INTO meta(name, value) VALUES(?, ?) ON CONFLICT(name) DO UPDATE SET value = excluded.value",
            vec![name.into(), value.into()],
        )?;
        Ok(())
    }

    /// Records the key as accepted with the envelope's next sequence number, or says what
    /// is known of it already (a provider's retry keeps its first number).
    fn accept(&self, a: &Accept, now: i64) -> ::worker::Result<Accepted> {
        if let Some(row) = self.row(&a.key)? {
            let live = row.enqueued != 0 && (row.state == "accepted" || row.state == "delivering");
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
            "INSERT INTO events(key, state, seq, time_ms, updated_ms) VALUES(?, 'accepted', ?, ?, ?)",
            vec![a.key.as_str().into(), int(seq), int(a.time_ms), now.into()],
        )?;
        Ok(Accepted {
            seq,
            state: "accepted".to_owned(),
            live: false,
        })
    }

    fn claim(&self, c: &Claim, now: i64) -> ::worker::Result<Claimed> {
        let row = match self.row(&c.key)? {
            // Expired from the ledger (a replay weeks later), or never accepted here.
            None => {
                self.sql.exec(
                    "INSERT INTO events(key, state, gen, time_ms, updated_ms, enqueued) VALUES(?, 'accepted', ?, ?, ?, 1)",
                    vec![c.key.as_str().into(), c.gen.into(), int(c.time_ms), now.into()],
                )?;
                Row {
                    state: "accepted".to_owned(),
                    seq: None,
                    gen: c.gen,
                    attempts: 0,
                    lease_owner: None,
                    lease_until: 0,
                    enqueued: 1,
                    next_at: 0,
                }
            }
            Some(row) if c.gen > row.gen => {
                // A deliberate replay: a new generation starts from scratch.
                self.sql.exec(
                    "UPDATE events SET state = 'accepted', gen = ?, attempts = 0, lease_owner = NULL, lease_until = 0, next_at = 0, updated_ms = ? WHERE key = ?",
                    vec![c.gen.into(), now.into(), c.key.as_str().into()],
                )?;
                Row {
                    state: "accepted".to_owned(),
                    gen: c.gen,
                    attempts: 0,
                    lease_owner: None,
                    lease_until: 0,
                    next_at: 0,
                    ..row
                }
            }
            Some(row) => row,
        };
        if c.gen < row.gen || row.state == "delivered" || row.state == "dead" {
            return Ok(Claimed::Duplicate { state: row.state });
        }
        let other_owner = row.lease_owner.as_deref().is_some_and(|o| o != c.msg);
        if other_owner && row.lease_until > now {
            return Ok(Claimed::Busy {
                retry_ms: row.lease_until - now,
                backoff: false,
            });
        }
        // One backoff per event: no copy attempts before the failed attempt's delay ran out.
        if row.next_at > now {
            return Ok(Claimed::Busy {
                retry_ms: row.next_at - now,
                backoff: true,
            });
        }
        let attempt = row.attempts.saturating_add(1);
        self.sql.exec(
            "UPDATE events SET state = 'delivering', attempts = ?, lease_owner = ?, lease_until = ?, updated_ms = ? WHERE key = ?",
            vec![
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

    fn complete(&self, c: &Complete, now: i64) -> ::worker::Result<Completed> {
        let Some(row) = self.row(&c.key)? else {
            // Expired meanwhile: remember the outcome anyway.
            let state = if c.outcome == "failed" {
                "accepted"
            } else {
                c.outcome.as_str()
            };
            self.sql.exec(
                "INSERT INTO events(key, state, gen, time_ms, updated_ms) VALUES(?, ?, ?, ?, ?)",
                vec![
                    c.key.as_str().into(),
                    state.into(),
                    c.gen.into(),
                    int(c.time_ms),
                    now.into(),
                ],
            )?;
            return Ok(Completed {
                state: state.to_owned(),
            });
        };
        if c.gen != row.gen || row.state == "delivered" {
            // Another generation, or delivered by another copy: the outcome is not news.
            return Ok(Completed { state: row.state });
        }
        let state = match c.outcome.as_str() {
            "delivered" => {
                // Never past the edge's own clock, whatever the event said.
                if let Some(t) = c.time_ms.map(|t| t.min(now)) {
                    if self.latest(&c.scope)?.is_none_or(|l| t > l) {
                        self.sql.exec(
                            "INSERT INTO latest(scope, time_ms, updated_ms) VALUES(?, ?, ?) ON CONFLICT(scope) DO UPDATE SET time_ms = excluded.time_ms, updated_ms = excluded.updated_ms",
                            vec![c.scope.as_str().into(), t.into(), now.into()],
                        )?;
                    }
                }
                "delivered"
            }
            "dead" => "dead",
            // A failed attempt frees the lease at once, so the retry (or a copy) goes on.
            _ if row.state == "dead" => "dead",
            _ => "accepted",
        };
        let owner = (state == "accepted" && row.lease_owner.as_deref() != Some(c.msg.as_str()))
            .then_some(row.lease_owner)
            .flatten();
        let lease_until = if owner.is_some() { row.lease_until } else { 0 };
        let next_at = if c.outcome == "failed" {
            now.saturating_add(c.retry_ms.max(0))
        } else {
            0
        };
        self.sql.exec(
            "UPDATE events SET state = ?, lease_owner = ?, lease_until = ?, next_at = MAX(next_at, ?), updated_ms = ? WHERE key = ?",
            vec![
                state.into(),
                owner.map_or(SqlStorageValue::Null, SqlStorageValue::String),
                lease_until.into(),
                next_at.into(),
                now.into(),
                c.key.as_str().into(),
            ],
        )?;
        Ok(Completed {
            state: state.to_owned(),
        })
    }
}
