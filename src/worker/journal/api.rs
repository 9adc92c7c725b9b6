//! The delivery log read back through the admin API (`admin.rs` dispatches to these
//! handlers, behind its token check): `GET /admin/events`, `GET /admin/events/<webhook-id>`,
//! `GET /admin/stats` and `GET /admin/metrics`.

use std::collections::{BTreeMap, HashMap};

use ::worker::wasm_bindgen::JsValue;
use ::worker::D1Database;
use serde::{Deserialize, Serialize};

use super::{unavailable, Attempt, End, Outcome};
use crate::worker::clip;
use crate::worker::query::query_value;
use crate::worker::reply::{Refusal, Reply, JSON};
use crate::{Error, ErrorKind};

/// Records per page of `GET /admin/events`.
const PAGE: u32 = 100;

/// One record as stored.
#[derive(Deserialize)]
struct Row {
    id: i64,
    received_ms: f64,
    tenant: Option<String>,
    provider: Option<String>,
    outcome: String,
    code: Option<String>,
    event_id: Option<String>,
    #[serde(rename = "type")]
    event_type: Option<String>,
    subject: Option<String>,
    webhook_id: Option<String>,
    attempts: String,
    end_state: Option<String>,
}

/// A record as the API shows it.
#[derive(Serialize)]
struct Shown {
    received_at: String,
    tenant: Option<String>,
    provider: Option<String>,
    outcome: String,
    code: Option<String>,
    event_id: Option<String>,
    #[serde(rename = "type")]
    event_type: Option<String>,
    subject: Option<String>,
    webhook_id: Option<String>,
    attempts: Vec<Attempt>,
    end: Option<String>,
}

impl From<Row> for Shown {
    /// The stored record, shown (times as RFC 3339, attempts parsed).
    fn from(r: Row) -> Shown {
        Shown {
            received_at: crate::time::format_unix_millis(r.received_ms as i64).unwrap_or_default(),
            tenant: r.tenant,
            provider: r.provider,
            outcome: r.outcome,
            code: r.code,
            event_id: r.event_id,
            event_type: r.event_type,
            subject: r.subject,
            webhook_id: r.webhook_id,
            attempts: serde_json::from_str(&r.attempts).unwrap_or_default(),
            end: r.end_state,
        }
    }
}

/// The columns a record is read with.
const COLUMNS: &str = "id, received_ms, tenant, provider, outcome, code, event_id, type, subject, webhook_id, attempts, end_state";

/// `400 malformed_payload`: a bad query parameter.
fn bad(message: impl Into<String>) -> Refusal {
    Refusal {
        status: Some(400),
        ..Refusal::from(Error::new(ErrorKind::MalformedPayload, message.into()))
    }
}

/// An RFC 3339 time or Unix seconds, as Unix ms.
fn time_param(url: &str, name: &str) -> Result<Option<i64>, Refusal> {
    let Some(value) = query_value(url, name) else {
        return Ok(None);
    };
    let value = value.replace("%3A", ":").replace("%3a", ":");
    if let Ok(seconds) = value.parse::<i64>() {
        return Ok(Some(seconds.saturating_mul(1000)));
    }
    crate::time::parse_rfc3339_millis(&value)
        .map(Some)
        .ok_or_else(|| bad(format!("{name} must be RFC 3339 or Unix seconds")))
}

/// `GET /admin/events`: a page of records, newest first, filtered by the query
/// (`provider`, `tenant`, `type`, `outcome`, `since`, `until`, `cursor`).
pub(in crate::worker) async fn list(db: &D1Database, url: &str) -> Result<Reply, Refusal> {
    let mut sql = format!("SELECT {COLUMNS} FROM deliveries WHERE 1 = 1");
    let mut values: Vec<JsValue> = Vec::new();
    for (param, column) in [
        ("provider", "provider"),
        ("tenant", "tenant"),
        ("type", "type"),
        ("outcome", "outcome"),
    ] {
        if let Some(value) = query_value(url, param) {
            values.push(JsValue::from_str(&value));
            sql.push_str(&format!(" AND {column} = ?{}", values.len()));
        }
    }
    for (param, op) in [("since", ">="), ("until", "<")] {
        if let Some(ms) = time_param(url, param)? {
            values.push(JsValue::from_f64(ms as f64));
            sql.push_str(&format!(" AND received_ms {op} ?{}", values.len()));
        }
    }
    if let Some(cursor) = query_value(url, "cursor") {
        let cursor: i64 = cursor
            .parse()
            .map_err(|_| bad("cursor is the number a previous page gave"))?;
        values.push(JsValue::from_f64(cursor as f64));
        sql.push_str(&format!(" AND id < ?{}", values.len()));
    }
    sql.push_str(&format!(" ORDER BY id DESC LIMIT {PAGE}"));
    let rows: Vec<Row> = db
        .prepare(sql)
        .bind(&values)
        .map_err(unavailable)?
        .all()
        .await
        .map_err(unavailable)?
        .results()
        .map_err(unavailable)?;
    let cursor = (rows.len() == PAGE as usize)
        .then(|| rows.last().map(|r| r.id))
        .flatten();
    let events: Vec<Shown> = rows.into_iter().map(Shown::from).collect();
    Ok(Reply::new(
        200,
        JSON,
        serde_json::json!({ "events": events, "cursor": cursor.map(|c| c.to_string()) })
            .to_string(),
    ))
}

/// `GET /admin/events/<webhook-id>`: one event's journey (its accepted record first).
pub(in crate::worker) async fn journey(
    db: &D1Database,
    webhook_id: &str,
) -> Result<Reply, Refusal> {
    let row: Option<Row> = db
        .prepare(format!(
            "SELECT {COLUMNS} FROM deliveries WHERE webhook_id = ?1 ORDER BY outcome = 'accepted' DESC, id DESC LIMIT 1"
        ))
        .bind(&[JsValue::from_str(webhook_id)])
        .map_err(unavailable)?
        .first(None)
        .await
        .map_err(unavailable)?;
    let row = row.ok_or_else(|| {
        Refusal::from(Error::new(
            ErrorKind::NotFound,
            format!("no event {:?} in the delivery log", clip(webhook_id, 40)),
        ))
    })?;
    Ok(Reply::new(
        200,
        JSON,
        serde_json::to_string(&Shown::from(row)).unwrap_or_default(),
    ))
}

/// The counters of one provider (or tenant).
#[derive(Default, Serialize)]
struct Counters {
    received: u64,
    accepted: u64,
    refused: BTreeMap<String, u64>,
    delivered: u64,
    retried: u64,
    dead: u64,
    latency_ms: Latency,
}

/// Delivery latency percentiles, ms.
#[derive(Default, Serialize)]
struct Latency {
    p50: Option<u64>,
    p95: Option<u64>,
}

/// One group of records, counted.
#[derive(Deserialize)]
struct Group {
    provider: Option<String>,
    tenant: Option<String>,
    outcome: String,
    code: Option<String>,
    end_state: Option<String>,
    n: f64,
    retried: f64,
}

/// One delivered record's latency.
#[derive(Deserialize)]
struct Latencies {
    provider: Option<String>,
    tenant: Option<String>,
    ms: f64,
}

/// The `p` percentile (nearest rank) of `sorted`.
fn percentile(sorted: &[u64], p: f64) -> Option<u64> {
    if sorted.is_empty() {
        return None;
    }
    let rank = ((p * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
    sorted.get(rank - 1).copied()
}

/// The counters per provider and per tenant of the records since `since_ms`.
async fn counters(
    db: &D1Database,
    since_ms: i64,
) -> Result<(BTreeMap<String, Counters>, BTreeMap<String, Counters>), Refusal> {
    let since = JsValue::from_f64(since_ms as f64);
    let groups: Vec<Group> = db
        .prepare("SELECT provider, tenant, outcome, code, end_state, COUNT(*) AS n, SUM(json_array_length(attempts) > 1) AS retried FROM deliveries WHERE received_ms >= ?1 GROUP BY provider, tenant, outcome, code, end_state")
        .bind(std::slice::from_ref(&since))
        .map_err(unavailable)?
        .all()
        .await
        .map_err(unavailable)?
        .results()
        .map_err(unavailable)?;
    let latencies: Vec<Latencies> = db
        .prepare("SELECT provider, tenant, delivered_ms - received_ms AS ms FROM deliveries WHERE received_ms >= ?1 AND delivered_ms IS NOT NULL LIMIT 200000")
        .bind(&[since])
        .map_err(unavailable)?
        .all()
        .await
        .map_err(unavailable)?
        .results()
        .map_err(unavailable)?;
    let mut providers: BTreeMap<String, Counters> = BTreeMap::new();
    let mut tenants: BTreeMap<String, Counters> = BTreeMap::new();
    for g in &groups {
        let n = g.n as u64;
        let add = |c: &mut Counters| {
            c.received += n;
            match Outcome::parse(&g.outcome) {
                Some(Outcome::Accepted) => c.accepted += n,
                Some(Outcome::Refused) => {
                    *c.refused
                        .entry(g.code.clone().unwrap_or_default())
                        .or_default() += n
                }
                _ => {}
            }
            match g.end_state.as_deref().and_then(End::parse) {
                Some(End::Delivered) => c.delivered += n,
                Some(End::Dead) => c.dead += n,
                _ => {}
            }
            c.retried += g.retried as u64;
        };
        add(providers
            .entry(g.provider.clone().unwrap_or_else(|| "unknown".into()))
            .or_default());
        if let Some(t) = &g.tenant {
            add(tenants.entry(t.clone()).or_default());
        }
    }
    let mut by_provider: HashMap<String, Vec<u64>> = HashMap::new();
    let mut by_tenant: HashMap<String, Vec<u64>> = HashMap::new();
    for l in latencies {
        let ms = l.ms.max(0.0) as u64;
        by_provider
            .entry(l.provider.unwrap_or_else(|| "unknown".into()))
            .or_default()
            .push(ms);
        if let Some(t) = l.tenant {
            by_tenant.entry(t).or_default().push(ms);
        }
    }
    for (map, lat) in [(&mut providers, by_provider), (&mut tenants, by_tenant)] {
        for (name, mut values) in lat {
            values.sort_unstable();
            let c = map.entry(name).or_default();
            c.latency_ms = Latency {
                p50: percentile(&values, 0.50),
                p95: percentile(&values, 0.95),
            };
        }
    }
    Ok((providers, tenants))
}

/// `GET /admin/stats`: the counters per provider (and tenant) since `?since=`.
pub(in crate::worker) async fn stats(db: &D1Database, url: &str) -> Result<Reply, Refusal> {
    let since = time_param(url, "since")?.unwrap_or(0);
    let (providers, tenants) = counters(db, since).await?;
    let mut out = serde_json::json!({
        "since": crate::time::format_unix_millis(since).unwrap_or_default(),
        "providers": providers,
    });
    if !tenants.is_empty() {
        if let Some(map) = out.as_object_mut() {
            map.insert(
                "tenants".into(),
                serde_json::to_value(&tenants).unwrap_or_default(),
            );
        }
    }
    Ok(Reply::new(200, JSON, out.to_string()))
}

/// `GET /admin/metrics`: the same counters in the Prometheus text format (gauges over
/// what the log keeps).
pub(in crate::worker) async fn metrics(db: &D1Database) -> Result<Reply, Refusal> {
    let (providers, tenants) = counters(db, 0).await?;
    let mut out = String::new();
    let family = |out: &mut String, name: &str, help: &str| {
        out.push_str(&format!("# HELP {name} {help}\n# TYPE {name} gauge\n"));
    };
    family(
        &mut out,
        "signhook_deliveries",
        "Hook requests in the delivery log (LOG_RETENTION_DAYS), by outcome.",
    );
    let label = |v: &str| {
        v.replace('\\', "\\\\")
            .replace('"', "\\\"")
            .replace('\n', "\\n")
    };
    for (scope, map) in [("provider", &providers), ("tenant", &tenants)] {
        for (name, c) in map {
            let who = format!("{scope}=\"{}\"", label(name));
            for (outcome, n) in [
                ("received", c.received),
                ("accepted", c.accepted),
                ("delivered", c.delivered),
                ("retried", c.retried),
                ("dead", c.dead),
            ] {
                out.push_str(&format!(
                    "signhook_deliveries{{{who},outcome=\"{outcome}\"}} {n}\n"
                ));
            }
            for (code, n) in &c.refused {
                out.push_str(&format!(
                    "signhook_deliveries{{{who},outcome=\"refused\",code=\"{}\"}} {n}\n",
                    label(code)
                ));
            }
        }
    }
    family(
        &mut out,
        "signhook_delivery_latency_ms",
        "Time from acceptance to origin's 2xx, by provider.",
    );
    for (name, c) in &providers {
        for (q, v) in [("0.5", c.latency_ms.p50), ("0.95", c.latency_ms.p95)] {
            if let Some(v) = v {
                out.push_str(&format!(
                    "signhook_delivery_latency_ms{{provider=\"{}\",quantile=\"{q}\"}} {v}\n",
                    label(name)
                ));
            }
        }
    }
    Ok(Reply::new(
        200,
        "text/plain; version=0.0.4; charset=utf-8",
        out,
    ))
}
