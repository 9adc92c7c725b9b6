//! The admin API over dead letters (`/admin/dead-letters…`): the handlers `admin.rs`
//! dispatches to, behind its token check. A replay takes dead letters from the store
//! (marked `replayed` as they are taken, and so is each one's record in the delivery
//! log), re-enqueues each with the next generation, and puts back what could not be
//! enqueued.

use ::worker::{Env, Request};
use serde::{Deserialize, Serialize};

use super::{Ids, Listing, Store, Take, TAKE_PAGE};
use crate::worker::clip;
use crate::worker::journal::{self, End};
use crate::worker::query::query_value;
use crate::worker::queue::{self, Job};
use crate::worker::reply::{Refusal, Reply, JSON};
use crate::{Error, ErrorKind};

/// The store failed: `503 enqueue_failed`, the platform's words clipped.
fn unavailable(e: ::worker::Error) -> Refusal {
    Error::new(
        ErrorKind::EnqueueFailed,
        format!(
            "the dead-letter store is unavailable: {}",
            clip(&e.to_string(), 200)
        ),
    )
    .into()
}

/// `GET /admin/dead-letters`; `tenant`: only that tenant's (`?tenant=`).
pub(in crate::worker) async fn list(env: &Env, tenant: Option<&str>) -> Result<Reply, Refusal> {
    let listing = Listing {
        tenant: tenant.map(str::to_owned),
    };
    let list = Store::new(env).list(&listing).await.map_err(unavailable)?;
    Ok(Reply::new(
        200,
        JSON,
        serde_json::to_string(&list).unwrap_or_default(),
    ))
}

/// `POST /admin/dead-letters/<id>/replay`: the dead letter `id` (of `tenant`, if given).
pub(in crate::worker) async fn replay_one(
    env: &Env,
    id: &str,
    tenant: Option<&str>,
) -> Result<Reply, Refusal> {
    let Ok(id) = id.parse::<i64>() else {
        return Err(Error::new(ErrorKind::NotFound, "dead letter ids are numbers").into());
    };
    let take = Take {
        id: Some(id),
        tenant: tenant.map(str::to_owned),
        ..Take::default()
    };
    replay(env, take).await
}

/// `POST /admin/dead-letters/replay`: every dead letter still `dead` that matches the
/// filters (body or query), a page per call.
pub(in crate::worker) async fn replay_matching(
    req: &mut Request,
    env: &Env,
    tenant: Option<&str>,
) -> Result<Reply, Refusal> {
    let take = filters(req, tenant).await?;
    replay(env, take).await
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
    /// A previous answer's `cursor`: continue after the dead letter it names.
    cursor: Option<String>,
}

/// The filters of a replay of several, from the JSON body (if any) and the query (the
/// query wins): `provider`, `tenant`, `type`, `since`, `until` (RFC 3339 or Unix seconds,
/// on when the event died), and `cursor` (a previous answer's, to continue after it).
async fn filters(req: &mut Request, tenant: Option<&str>) -> Result<Take, Refusal> {
    let bad = |why: String| Refusal {
        status: Some(400),
        ..Refusal::from(Error::new(ErrorKind::MalformedPayload, why))
    };
    let text = req.text().await.unwrap_or_default();
    let mut f: Filters = if text.trim().is_empty() {
        Filters::default()
    } else {
        serde_json::from_str(&text).map_err(|e| bad(format!("the filters are not {{\"provider\", \"tenant\", \"type\", \"since\", \"until\", \"cursor\"}}: {e}")))?
    };
    let url = req.inner().url();
    for (name, slot) in [
        ("provider", &mut f.provider),
        ("type", &mut f.event_type),
        ("since", &mut f.since),
        ("until", &mut f.until),
        ("cursor", &mut f.cursor),
    ] {
        if let Some(v) = query_value(&url, name) {
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
    let after = f
        .cursor
        .as_deref()
        .map(|c| {
            c.parse::<i64>()
                .map_err(|_| bad("cursor is the value a previous replay answered".to_owned()))
        })
        .transpose()?;
    Ok(Take {
        id: None,
        after,
        since_ms: time(&f.since, "since")?,
        until_ms: time(&f.until, "until")?,
        tenant: f.tenant,
        provider: f.provider,
        event_type: f.event_type,
    })
}

/// Takes what `take` names and re-enqueues each with the next generation; what could not
/// be enqueued is put back.
async fn replay(env: &Env, take: Take) -> Result<Reply, Refusal> {
    let id = take.id;
    let store = Store::new(env);
    let taken = store.take(&take).await.map_err(unavailable)?;
    if let (Some(id), true) = (id, taken.taken.is_empty()) {
        return Err(Error::new(
            ErrorKind::NotFound,
            format!("no dead letter {id} is waiting for a replay"),
        )
        .into());
    }
    let mut replayed = Vec::new();
    // What the answer names: the dead letter's id for one, the events' webhook-ids for a
    // replay of several (docs/worker.md's contract).
    let mut named: Vec<serde_json::Value> = Vec::new();
    let mut failed = None;
    for (index, t) in taken.taken.iter().enumerate() {
        let sent = match serde_json::from_str::<Job>(&t.job) {
            Ok(mut job) => {
                job.gen = t.gen;
                let key = job.key.clone();
                let alert = job.is_alert();
                // The log says `replayed` before the replay can be attempted (its attempt
                // then ends it), and `dead` again if it could not be enqueued.
                if !alert {
                    journal::end(env, &key, End::Replayed).await;
                }
                let sent = queue::enqueue(env, job).await;
                if sent.is_ok() {
                    named.push(match id {
                        Some(id) => id.into(),
                        None => key.into(),
                    });
                } else if !alert {
                    journal::end(env, &key, End::Dead).await;
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
                let _ = store.restore(&Ids { ids }).await;
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
    /// The answer: what was replayed, and where the next page starts.
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
