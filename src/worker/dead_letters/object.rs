//! The `DeadLetters` Durable Object itself: its SQLite schema and its router (matching the
//! paths the protocol in `mod.rs` declares). Taking dead letters for a replay marks them in
//! the same synchronous run that reads them.

use ::worker::{durable_object, DurableObject, Env, Request, Response, SqlStorage, State};
use serde::Deserialize;

use super::{Done, Ids, List, Listed, Listing, Record, Take, Taken, TakenList};
use crate::worker::durable::{self, Operation};
use crate::worker::now_ms;

/// The store's table.
const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS dead_letters(
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  key TEXT NOT NULL,
  gen INTEGER NOT NULL,
  provider TEXT,
  type TEXT,
  event_id TEXT,
  subject TEXT,
  reason TEXT NOT NULL,
  attempts INTEGER NOT NULL,
  dead_ms INTEGER NOT NULL,
  state TEXT NOT NULL,
  replays INTEGER NOT NULL DEFAULT 0,
  job TEXT NOT NULL,
  tenant TEXT,
  UNIQUE(key, gen)
);
";

/// Columns added since the first schema (each fails harmlessly once it exists).
const MIGRATIONS: [&str; 1] = ["ALTER TABLE dead_letters ADD COLUMN tenant TEXT"];

/// The store of dead letters (one object).
#[durable_object]
pub struct DeadLetters {
    sql: SqlStorage,
}

impl DurableObject for DeadLetters {
    /// The store, its schema created or migrated.
    fn new(state: State, _env: Env) -> Self {
        let sql = state.storage().sql();
        if let Err(e) = sql.exec(SCHEMA, None) {
            ::worker::console_error!("dead-letter schema: {e}");
        }
        for migration in MIGRATIONS {
            let _ = sql.exec(migration, None);
        }
        DeadLetters { sql }
    }

    /// The router: one operation per path, as the protocol declares it.
    async fn fetch(&self, mut req: Request) -> ::worker::Result<Response> {
        let path = req.path();
        let body = req.text().await?;
        let answer = match path.as_str() {
            Record::PATH => {
                self.keep(durable::request(&body)?)?;
                durable::answer::<Record>(&Done { ok: true })?
            }
            Listing::PATH => {
                // A body that says nothing usable lists every tenant's.
                let listing = durable::request(&body).unwrap_or_default();
                durable::answer::<Listing>(&self.list(listing)?)?
            }
            Take::PATH => durable::answer::<Take>(&self.take(durable::request(&body)?)?)?,
            Ids::PATH => {
                self.restore(durable::request(&body)?)?;
                durable::answer::<Ids>(&Done { ok: true })?
            }
            _ => return Response::error("no such route", 404),
        };
        Response::ok(answer)
    }
}

impl DeadLetters {
    /// `/record`.
    fn keep(&self, r: Record) -> ::worker::Result<()> {
        self.sql.exec(
            "INSERT INTO dead_letters(key, gen, provider, type, event_id, subject, reason, attempts, dead_ms, state, job, tenant)
             VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, 'dead', ?, ?) ON CONFLICT(key, gen) DO NOTHING",
            vec![
                r.key.into(),
                r.gen.into(),
                opt(r.provider),
                opt(r.event_type),
                opt(r.event_id),
                opt(r.subject),
                r.reason.into(),
                r.attempts.into(),
                now_ms().into(),
                r.job.into(),
                opt(r.tenant),
            ],
        )?;
        Ok(())
    }

    /// `/list`: the last 1,000, newest first.
    fn list(&self, listing: Listing) -> ::worker::Result<List> {
        /// One stored dead letter.
        #[derive(Deserialize)]
        struct Row {
            id: i64,
            tenant: Option<String>,
            key: String,
            gen: i64,
            provider: Option<String>,
            #[serde(rename = "type")]
            event_type: Option<String>,
            event_id: Option<String>,
            subject: Option<String>,
            reason: String,
            attempts: i64,
            dead_ms: i64,
            state: String,
            replays: i64,
        }
        let rows: Vec<Row> = self
            .sql
            .exec(
                "SELECT id, tenant, key, gen, provider, type, event_id, subject, reason, attempts, dead_ms, state, replays
                 FROM dead_letters WHERE ?1 IS NULL OR tenant = ?1 ORDER BY id DESC LIMIT 1000",
                vec![opt(listing.tenant)],
            )?
            .to_array()?;
        let dead_letters = rows
            .into_iter()
            .map(|r| Listed {
                id: r.id,
                tenant: r.tenant,
                key: r.key,
                gen: r.gen,
                provider: r.provider,
                event_type: r.event_type,
                event_id: r.event_id,
                subject: r.subject,
                reason: r.reason,
                attempts: r.attempts,
                dead_at: crate::time::format_unix_millis(r.dead_ms).unwrap_or_default(),
                state: r.state,
                replays: r.replays,
            })
            .collect();
        Ok(List { dead_letters })
    }

    /// `/take`: marked `replayed` in the same synchronous run that reads them, so two
    /// concurrent replays cannot both take one dead letter.
    fn take(&self, t: Take) -> ::worker::Result<TakenList> {
        let taken: Vec<Taken> = match t.id {
            Some(id) => self.sql.exec(
                "SELECT id, gen + 1 AS gen, job FROM dead_letters WHERE id = ?1 AND state = 'dead' AND job != '' AND (?2 IS NULL OR tenant = ?2)",
                vec![id.into(), opt(t.tenant)],
            )?,
            None => self.sql.exec(
                "SELECT id, gen + 1 AS gen, job FROM dead_letters WHERE state = 'dead' AND job != ''
                   AND (?1 IS NULL OR tenant = ?1) AND (?2 IS NULL OR provider = ?2) AND (?3 IS NULL OR type = ?3)
                   AND (?4 IS NULL OR dead_ms >= ?4) AND (?5 IS NULL OR dead_ms < ?5)
                   AND (?6 IS NULL OR id > ?6)
                 ORDER BY id LIMIT 100",
                vec![
                    opt(t.tenant),
                    opt(t.provider),
                    opt(t.event_type),
                    t.since_ms.map_or(::worker::SqlStorageValue::Null, Into::into),
                    t.until_ms.map_or(::worker::SqlStorageValue::Null, Into::into),
                    t.after.map_or(::worker::SqlStorageValue::Null, Into::into),
                ],
            )?,
        }
        .to_array()?;
        for row in &taken {
            self.sql.exec(
                "UPDATE dead_letters SET state = 'replayed', replays = replays + 1 WHERE id = ?",
                vec![row.id.into()],
            )?;
        }
        Ok(TakenList { taken })
    }

    /// `/restore`: back to `dead`, one replay fewer.
    fn restore(&self, ids: Ids) -> ::worker::Result<()> {
        for id in ids.ids {
            self.sql.exec(
                "UPDATE dead_letters SET state = 'dead', replays = replays - 1 WHERE id = ? AND state = 'replayed'",
                vec![id.into()],
            )?;
        }
        Ok(())
    }
}

/// A nullable text for SQL.
fn opt(value: Option<String>) -> ::worker::SqlStorageValue {
    value.map_or(::worker::SqlStorageValue::Null, Into::into)
}
