//! Dead letters: kept durably in one SQLite-backed Durable Object (binding `DEAD_LETTERS`,
//! class `DeadLetters`, object `dead-letters`, `object.rs`), spoken to only through
//! [`Store`] (its protocol declared here once, `durable::Operation` on each request type),
//! and the handlers of the admin routes `admin.rs` dispatches to (`api.rs`):
//!
//! | route | handler | answer |
//! |---|---|---|
//! | `GET /admin/dead-letters` | `api::list` | `{"dead_letters": [...]}`, newest first |
//! | `POST /admin/dead-letters/<id>/replay` | `api::replay_one` | re-enqueues one dead letter |
//! | `POST /admin/dead-letters/replay` | `api::replay_matching` | re-enqueues every dead letter that matches |
//!
//! Each takes `?tenant=` to see or replay only one tenant's. A replay carries the next
//! generation of the event key, so the ledger lets it through although the key was seen
//! before, while Queues' redeliveries of the replay itself stay deduplicated.

/// The admin API's handlers.
pub(super) mod api;
/// The Durable Object.
mod object;

use ::worker::Env;
use serde::{Deserialize, Serialize};

use super::clip;
use super::durable::{self, Operation};
use super::queue::Job;

/// The binding of the store's namespace.
const BINDING: &str = "DEAD_LETTERS";
/// The one object's name.
const OBJECT: &str = "dead-letters";

/// `/record`: keep one dead letter (idempotent per key and generation).
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

impl Operation for Record {
    const PATH: &'static str = "/record";
    type Answer = Done;
}

/// `/list`: the dead letters, newest first; `tenant`: only that tenant's.
#[derive(Default, Serialize, Deserialize)]
struct Listing {
    #[serde(default)]
    tenant: Option<String>,
}

impl Operation for Listing {
    const PATH: &'static str = "/list";
    type Answer = List;
}

/// The answer to `/list`, which is also the admin route's answer.
#[derive(Serialize, Deserialize)]
struct List {
    dead_letters: Vec<Listed>,
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

/// `/take`: one id, or every dead letter still `dead` that matches the filters (a page
/// of them), marked `replayed` as they are taken.
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
    /// Only dead letters after this one (a previous replay's cursor).
    #[serde(default)]
    after: Option<i64>,
}

impl Operation for Take {
    const PATH: &'static str = "/take";
    type Answer = TakenList;
}

/// The answer to `/take`.
#[derive(Serialize, Deserialize)]
struct TakenList {
    taken: Vec<Taken>,
}

/// One dead letter taken for a replay: its job, and the generation the replay carries.
#[derive(Serialize, Deserialize)]
struct Taken {
    id: i64,
    gen: i64,
    job: String,
}

/// `/restore`: put taken dead letters back (their replay could not be enqueued).
#[derive(Serialize, Deserialize)]
struct Ids {
    ids: Vec<i64>,
}

impl Operation for Ids {
    const PATH: &'static str = "/restore";
    type Answer = Done;
}

/// The answer of `/record` and `/restore`.
#[derive(Serialize, Deserialize)]
struct Done {
    ok: bool,
}

/// The dead-letter store (the one `DeadLetters` object), one method per operation.
struct Store<'a> {
    env: &'a Env,
}

impl<'a> Store<'a> {
    /// The store of this deployment.
    fn new(env: &'a Env) -> Store<'a> {
        Store { env }
    }

    /// Keeps one dead letter.
    async fn record(&self, request: &Record) -> ::worker::Result<Done> {
        self.ask(request).await
    }

    /// The dead letters, newest first.
    async fn list(&self, request: &Listing) -> ::worker::Result<List> {
        self.ask(request).await
    }

    /// Takes dead letters for a replay.
    async fn take(&self, request: &Take) -> ::worker::Result<TakenList> {
        self.ask(request).await
    }

    /// Puts taken dead letters back.
    async fn restore(&self, request: &Ids) -> ::worker::Result<Done> {
        self.ask(request).await
    }

    /// Posts `request` to the store.
    async fn ask<O: Operation>(&self, request: &O) -> ::worker::Result<O::Answer> {
        durable::call(self.env, BINDING, OBJECT, request).await
    }
}

/// Dead letters taken per replay call.
const TAKE_PAGE: usize = 100;

/// At most this many characters of a sender-chosen text in a listing.
const LISTED_TEXT: usize = 256;

/// `text`, clipped for a listing.
fn clipped(text: Option<&str>) -> Option<String> {
    text.map(|t| clip(t, LISTED_TEXT).to_owned())
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
    Store::new(env).record(&record).await?;
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
    Store::new(env).record(&record).await?;
    Ok(())
}
