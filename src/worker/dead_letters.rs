//! Dead letters: kept durably in one SQLite-backed Durable Object (binding `DEAD_LETTERS`,
//! class `DeadLetters`, object `dead-letters`), listed and replayed through the admin
//! routes:
//!
//! | route | answer |
//! |---|---|
//! | `GET /admin/dead-letters` | `{"dead_letters": [...]}`, newest first |
//! | `POST /admin/dead-letters/<id>/replay` | re-enqueues one dead letter |
//! | `POST /admin/dead-letters/replay` | re-enqueues every dead letter |
//!
//! All behind `Authorization: Bearer <ADMIN_TOKEN>` (checked in `admin.rs`); each takes
//! `?tenant=` to see or replay only one tenant's. A replay carries the next generation of
//! the event key, so the ledger lets it through although the key was seen before, while
//! Queues' redeliveries of the replay itself stay deduplicated.

use ::worker::{durable_object, DurableObject, Env, Request, Response, SqlStorage, State};
use serde::{Deserialize, Serialize};

use super::ledger::{call, now_ms};
use super::queue::{self, Job};
use super::{Refusal, Reply, JSON};
use crate::{Error, ErrorKind};

const BINDING: &str = "DEAD_LETTERS";
const OBJECT: &str = "dead-letters";

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

/// `/record`.
#[derive(Serialize, Deserialize)]
struct Record {
    key: String,
    gen: i64,
    provider: Option<String>,
    #[serde(rename = "type")]
    event_type: Option<String>,
    event_id: Option<String>,
    subject: Option<String>,
    reason: String,
    attempts: i64,
    job: String,
    #[serde(default)]
    tenant: Option<String>,
}

/// One dead letter as the admin list shows it (the event itself is not repeated).
#[derive(Serialize, Deserialize)]
struct Listed {
    id: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
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
    dead_at: String,
    state: String,
    replays: i64,
}

/// `/take`: one id, or every dead letter still `dead` that matches the filters; `/list`:
/// one tenant's (`tenant` only).
#[derive(Default, Serialize, Deserialize)]
struct Take {
    id: Option<i64>,
    #[serde(default)]
    tenant: Option<String>,
    #[serde(default)]
    provider: Option<String>,
    #[serde(default, rename = "type")]
    event_type: Option<String>,
    /// Dead since / until, Unix ms.
    #[serde(default)]
    since_ms: Option<i64>,
    #[serde(default)]
    until_ms: Option<i64>,
}

/// The filters of `POST /admin/dead-letters/replay`, in the body or the query.
#[derive(Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct Filters {
    provider: Option<String>,
    tenant: Option<String>,
    #[serde(rename = "type")]
    event_type: Option<String>,
    since: Option<String>,
    until: Option<String>,
}

#[derive(Serialize, Deserialize)]
struct Taken {
    id: i64,
    gen: i64,
    job: String,
}

#[derive(Serialize, Deserialize)]
struct Ids {
    ids: Vec<i64>,
}

#[derive(Serialize, Deserialize)]
struct Done {
    ok: bool,
}

/// Dead letters taken per replay call.
const TAKE_PAGE: usize = 100;

/// At most this many characters of a sender-chosen text in a listing.
const LISTED_TEXT: usize = 256;

fn clipped(text: Option<&str>) -> Option<String> {
    text.map(|t| super::clip(t, LISTED_TEXT).to_owned())
}

/// Records `job` (its message text `text`) as dead for `reason`. Idempotent per event key
/// and generation.
pub(super) async fn record(
    env: &Env,
    text: &str,
    job: &Job,
    reason: &str,
    attempts: i64,
) -> ::worker::Result<()> {
    let record = Record {
        key: job.key.clone(),
        gen: job.gen,
        provider: Some(job.provider.clone()),
        event_type: Some(job.event_type.clone()),
        event_id: clipped(Some(&job.id)),
        subject: clipped(job.subject.as_deref()),
        reason: reason.to_owned(),
        attempts,
        job: text.to_owned(),
        tenant: job.tenant.clone(),
    };
    let _: Done = call(env, BINDING, OBJECT, "/record", &record).await?;
    Ok(())
}

/// Records a message that is not a job, under its queue message id.
pub(super) async fn record_poison(env: &Env, msg_id: &str, why: &str) -> ::worker::Result<()> {
    let record = Record {
        key: format!("poison_{msg_id}"),
        gen: 0,
        provider: None,
        event_type: None,
        event_id: None,
        subject: None,
        reason: why.to_owned(),
        attempts: 0,
        job: String::new(),
        tenant: None,
    };
    let _: Done = call(env, BINDING, OBJECT, "/record", &record).await?;
    Ok(())
}

// ---- the admin routes (behind admin.rs's token check) ----

/// `/admin/dead-letters…`; `tenant`: only that tenant's (`?tenant=`).
pub(super) async fn admin(
    req: &mut Request,
    env: &Env,
    method: &str,
    segments: &[&str],
    tenant: Option<&str>,
) -> Result<Reply, Refusal> {
    match (method, segments) {
        ("GET", ["dead-letters"]) => list(env, tenant).await,
        ("POST", ["dead-letters", "replay"]) => {
            let take = filters(req, tenant).await?;
            replay(env, take).await
        }
        ("POST", ["dead-letters", id, "replay"]) => match id.parse::<i64>() {
            Ok(id) => {
                let take = Take {
                    id: Some(id),
                    tenant: tenant.map(str::to_owned),
                    ..Take::default()
                };
                replay(env, take).await
            }
            Err(_) => Err(Error::new(ErrorKind::NotFound, "dead letter ids are numbers").into()),
        },
        (_, ["dead-letters"]) => Err(super::method_not_allowed(method, "GET")),
        (_, ["dead-letters", "replay"] | ["dead-letters", _, "replay"]) => {
            Err(super::method_not_allowed(method, "POST"))
        }
        _ => Err(Error::new(ErrorKind::NotFound, "no such admin route").into()),
    }
}

fn unavailable(e: ::worker::Error) -> Refusal {
    Error::new(
        ErrorKind::EnqueueFailed,
        format!(
            "the dead-letter store is unavailable: {}",
            super::clip(&e.to_string(), 200)
        ),
    )
    .into()
}

async fn list(env: &Env, tenant: Option<&str>) -> Result<Reply, Refusal> {
    #[derive(Serialize, Deserialize)]
    struct List {
        dead_letters: Vec<Listed>,
    }
    let list: List = call(
        env,
        BINDING,
        OBJECT,
        "/list",
        &Take {
            tenant: tenant.map(str::to_owned),
            ..Take::default()
        },
    )
    .await
    .map_err(unavailable)?;
    Ok(Reply::new(
        200,
        JSON,
        serde_json::to_string(&list).unwrap_or_default(),
    ))
}

/// The filters of a replay of several, from the JSON body (if any) and the query (the
/// query wins): `provider`, `tenant`, `type`, `since`, `until` (RFC 3339 or Unix seconds,
/// on when the event died).
async fn filters(req: &mut Request, tenant: Option<&str>) -> Result<Take, Refusal> {
    let bad = |why: String| Refusal {
        status: Some(400),
        ..Refusal::from(Error::new(ErrorKind::MalformedPayload, why))
    };
    let text = req.text().await.unwrap_or_default();
    let mut f: Filters = if text.trim().is_empty() {
        Filters::default()
    } else {
        serde_json::from_str(&text).map_err(|e| bad(format!("the filters are not {{\"provider\", \"tenant\", \"type\", \"since\", \"until\"}}: {e}")))?
    };
    let url = req.inner().url();
    for (name, slot) in [
        ("provider", &mut f.provider),
        ("type", &mut f.event_type),
        ("since", &mut f.since),
        ("until", &mut f.until),
    ] {
        if let Some(v) = super::admin::query_value(&url, name) {
            *slot = Some(v.replace("%3A", ":").replace("%3a", ":"));
        }
    }
    if let Some(t) = tenant {
        f.tenant = Some(t.to_owned());
    }
    if let Some(p) = &f.provider {
        p.parse::<crate::Provider>()
            .map_err(|e| bad(e.message().to_owned()))?;
    }
    let time = |value: &Option<String>, name: &str| -> Result<Option<i64>, Refusal> {
        value
            .as_deref()
            .map(|v| {
                v.parse::<i64>()
                    .map(|s| s.saturating_mul(1000))
                    .ok()
                    .or_else(|| crate::time::parse_rfc3339_millis(v))
                    .ok_or_else(|| bad(format!("{name} must be RFC 3339 or Unix seconds")))
            })
            .transpose()
    };
    Ok(Take {
        id: None,
        since_ms: time(&f.since, "since")?,
        until_ms: time(&f.until, "until")?,
        tenant: f.tenant,
        provider: f.provider,
        event_type: f.event_type,
    })
}

async fn replay(env: &Env, take: Take) -> Result<Reply, Refusal> {
    #[derive(Deserialize)]
    struct TakenList {
        taken: Vec<Taken>,
    }
    let id = take.id;
    let taken: TakenList = call(env, BINDING, OBJECT, "/take", &take)
        .await
        .map_err(unavailable)?;
    if let (Some(id), true) = (id, taken.taken.is_empty()) {
        return Err(Error::new(
            ErrorKind::NotFound,
            format!("no dead letter {id} is waiting for a replay"),
        )
        .into());
    }
    let mut replayed = Vec::new();
    // What the answer names: the dead letter's id for one, the events' webhook-ids for a
    // replay of several (README's contract).
    let mut named: Vec<serde_json::Value> = Vec::new();
    let mut failed = None;
    for (index, t) in taken.taken.iter().enumerate() {
        let sent = match serde_json::from_str::<Job>(&t.job) {
            Ok(mut job) => {
                job.gen = t.gen;
                let key = job.key.clone();
                let sent = queue::enqueue(env, job).await;
                if sent.is_ok() {
                    named.push(match id {
                        Some(id) => id.into(),
                        None => key.into(),
                    });
                }
                sent
            }
            // A poison message has nothing to replay; it stays listed.
            Err(_) => Err(Error::new(
                ErrorKind::MalformedPayload,
                "not a signhook job",
            )),
        };
        match sent {
            Ok(()) => replayed.push(t.id),
            Err(e) => {
                // Put back this one and every one not tried yet.
                let ids = taken.taken.iter().skip(index).map(|t| t.id).collect();
                let _: Result<Done, _> = call(env, BINDING, OBJECT, "/restore", &Ids { ids }).await;
                failed = Some(e);
                break;
            }
        }
    }
    if let Some(e) = failed {
        if replayed.is_empty() || e.kind() == ErrorKind::EnqueueFailed {
            return Err(e.into());
        }
    }
    #[derive(Serialize)]
    struct Replayed {
        replayed: Vec<serde_json::Value>,
        /// Not `null`: a full page was taken, call again for the rest.
        cursor: Option<String>,
    }
    let cursor = (id.is_none() && taken.taken.len() >= TAKE_PAGE)
        .then(|| replayed.last().map(i64::to_string))
        .flatten();
    let replayed = named;
    Ok(Reply::new(
        202,
        JSON,
        serde_json::to_string(&Replayed { replayed, cursor }).unwrap_or_default(),
    ))
}

// ---- the Durable Object ----

/// The store of dead letters (one object).
#[durable_object]
pub struct DeadLetters {
    sql: SqlStorage,
}

impl DurableObject for DeadLetters {
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

    async fn fetch(&self, mut req: Request) -> ::worker::Result<Response> {
        let path = req.path();
        let body = req.text().await?;
        let answer = match path.as_str() {
            "/record" => {
                let r: Record = serde_json::from_str(&body)?;
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
                serde_json::to_string(&Done { ok: true })?
            }
            "/list" => {
                let t: Take = serde_json::from_str(&body).unwrap_or_default();
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
                        vec![opt(t.tenant)],
                    )?
                    .to_array()?;
                let dead_letters: Vec<Listed> = rows
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
                serde_json::json!({ "dead_letters": dead_letters }).to_string()
            }
            "/take" => {
                let t: Take = serde_json::from_str(&body)?;
                // Marked `replayed` in the same synchronous run that reads them: two
                // concurrent replays cannot both take one dead letter.
                let rows: Vec<Taken> = match t.id {
                    Some(id) => self.sql.exec(
                        "SELECT id, gen + 1 AS gen, job FROM dead_letters WHERE id = ?1 AND state = 'dead' AND job != '' AND (?2 IS NULL OR tenant = ?2)",
                        vec![id.into(), opt(t.tenant)],
                    )?,
                    None => self.sql.exec(
                        "SELECT id, gen + 1 AS gen, job FROM dead_letters WHERE state = 'dead' AND job != ''
                           AND (?1 IS NULL OR tenant = ?1) AND (?2 IS NULL OR provider = ?2) AND (?3 IS NULL OR type = ?3)
                           AND (?4 IS NULL OR dead_ms >= ?4) AND (?5 IS NULL OR dead_ms < ?5)
                         ORDER BY id LIMIT 100",
                        vec![
                            opt(t.tenant),
                            opt(t.provider),
                            opt(t.event_type),
                            t.since_ms.map_or(::worker::SqlStorageValue::Null, Into::into),
                            t.until_ms.map_or(::worker::SqlStorageValue::Null, Into::into),
                        ],
                    )?,
                }
                .to_array()?;
                for row in &rows {
                    self.sql.exec(
                        "UPDATE dead_letters SET state = 'replayed', replays = replays + 1 WHERE id = ?",
                        vec![row.id.into()],
                    )?;
                }
                serde_json::json!({ "taken": rows }).to_string()
            }
            "/restore" => {
                let ids: Ids = serde_json::from_str(&body)?;
                for id in ids.ids {
                    self.sql.exec(
                        "UPDATE dead_letters SET state = 'dead', replays = replays - 1 WHERE id = ? AND state = 'replayed'",
                        vec![id.into()],
                    )?;
                }
                serde_json::to_string(&Done { ok: true })?
            }
            _ => return Response::error("no such route", 404),
        };
        Response::ok(answer)
    }
}

fn opt(value: Option<String>) -> ::worker::SqlStorageValue {
    value.map_or(::worker::SqlStorageValue::Null, Into::into)
}
