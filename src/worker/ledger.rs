//! The delivery ledger: a SQLite-backed Durable Object per envelope (binding `LEDGER`,
//! class `Ledger`), named by [`envelope_key`](crate::envelope_key) (or by the event key for
//! events that name no envelope). It records, per event key, whether the event is
//! `accepted`, `delivering` (with the queue message that holds the lease), `delivered` or
//! `dead`, with the attempt count; per envelope, the `sequence` counter and the latest
//! provider time already forwarded.
//!
//! Every decision is one synchronous run of SQL with no `.await` inside, so it is atomic in
//! the object (Durable Objects' input gate), and its answer leaves only once the write is
//! durable (output gate). An alarm deletes keys older than `LEDGER_RETENTION_HOURS`.

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
  updated_ms INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS meta(name TEXT PRIMARY KEY, value INTEGER NOT NULL);
";

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
}

/// The ledger's decision on a claim.
#[derive(Serialize, Deserialize)]
#[serde(tag = "decision", rename_all = "snake_case")]
pub(super) enum Claimed {
    /// Go: this is attempt `attempt`; `stale` when the envelope already has a later event
    /// delivered.
    Proceed { attempt: i64, stale: bool },
    /// Another copy of the event holds a live lease; ask again in `retry_ms`.
    Busy { retry_ms: i64 },
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
        #[derive(Deserialize)]
        struct Oldest {
            oldest: Option<i64>,
        }
        let oldest: Oldest = self
            .sql
            .exec("SELECT MIN(updated_ms) AS oldest FROM events", None)?
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
                "SELECT state, seq, gen, attempts, lease_owner, lease_until FROM events WHERE key = ?",
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
            return Ok(Accepted {
                seq: row.seq,
                state: row.state,
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
        })
    }

    fn claim(&self, c: &Claim, now: i64) -> ::worker::Result<Claimed> {
        let row = match self.row(&c.key)? {
            // Expired from the ledger (a replay weeks later), or never accepted here.
            None => {
                self.sql.exec(
                    "INSERT INTO events(key, state, gen, time_ms, updated_ms) VALUES(?, 'accepted', ?, ?, ?)",
                    vec![c.key.as_str().into(), c.gen.into(), int(c.time_ms), now.into()],
                )?;
                Row {
                    state: "accepted".to_owned(),
                    seq: None,
                    gen: c.gen,
                    attempts: 0,
                    lease_owner: None,
                    lease_until: 0,
                }
            }
            Some(row) if c.gen > row.gen => {
                // A deliberate replay: a new generation starts from scratch.
                self.sql.exec(
                    "UPDATE events SET state = 'accepted', gen = ?, attempts = 0, lease_owner = NULL, lease_until = 0, updated_ms = ? WHERE key = ?",
                    vec![c.gen.into(), now.into(), c.key.as_str().into()],
                )?;
                Row {
                    state: "accepted".to_owned(),
                    gen: c.gen,
                    attempts: 0,
                    lease_owner: None,
                    lease_until: 0,
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
        let latest = self.meta("latest_delivered_ms")?;
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
                if let Some(t) = c.time_ms {
                    if self.meta("latest_delivered_ms")?.is_none_or(|l| t > l) {
                        self.set_meta("latest_delivered_ms", t)?;
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
        self.sql.exec(
            "UPDATE events SET state = ?, lease_owner = ?, lease_until = ?, updated_ms = ? WHERE key = ?",
            vec![
                state.into(),
                owner.map_or(SqlStorageValue::Null, SqlStorageValue::String),
                lease_until.into(),
                now.into(),
                c.key.as_str().into(),
            ],
        )?;
        Ok(Completed {
            state: state.to_owned(),
        })
    }
}
