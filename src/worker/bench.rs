//! Built only with the cargo feature `bench` (`bench/worker/isolate.mjs` builds it into its
//! own folder; `scripts/build-worker.sh`, hence every deployed Worker, never has it).
//!
//! `POST /hooks/<provider>?bench=<n>`, after the usual checks and the body read, runs the
//! pure part of a delivery `n` times inside the isolate: verify the proof over the bytes,
//! normalize, serialize the event as the inspect answer does. It answers
//! `{"iterations":n,"elapsed_ms":…,"bytes":…}` (`performance.now()` around the loop), so the
//! time per event excludes the HTTP round trip that dominates a single request.
//!
//! `…?bench=<n>&stages=1` times each stage of one event in its own loop of `n` and answers
//! `{"iterations":n,"stages_us":{…}}`, microseconds per event: `copy` (the body, as a JS
//! `Uint8Array`, into wasm memory, as the body read does per chunk), `mac` (the proof:
//! `verify`), `utf8` (the body checked as UTF-8), `scan` (the JSON reader over the whole
//! body, nothing kept), `id` (the SHA-256 of provider and body that names an event without
//! an id of its own), `normalize` (all of the event's reading: UTF-8, reader, mapping, id),
//! `write` (the event as JSON), `answer` (that JSON into the runtime's `Response`).
//!
//! `…&host_min=<bytes>` first sets the body length from which the runtime's `node:crypto`
//! computes the digests (`crate::verify::HOST_MIN_BYTES` by default), for the isolate.

use std::hint::black_box;

use wasm_bindgen::JsValue;

use super::reply::{Refusal, Reply, JSON};
use crate::{Event, Headers, Provider, VerifyConfig};

/// The request's `bench` query parameter, 1 to 100,000.
pub(super) fn iterations(headers: &Headers) -> Option<u32> {
    let value = headers.query_values("bench").pop()?;
    value.parse().ok().filter(|n| (1..=100_000).contains(n))
}

/// `performance.now()` in milliseconds (workerd advances it only across I/O when deployed;
/// locally, where this runs, it is the wall clock).
fn now_ms() -> f64 {
    let global = js_sys::global();
    js_sys::Reflect::get(&global, &JsValue::from_str("performance"))
        .and_then(|performance| {
            let now = js_sys::Reflect::get(&performance, &JsValue::from_str("now"))?;
            js_sys::Function::from(now).call0(&performance)
        })
        .ok()
        .and_then(|ms| ms.as_f64())
        .unwrap_or_else(js_sys::Date::now)
}

/// One delivery as the hook received it, verified and normalized again and again.
pub(super) struct Case<'a> {
    pub(super) provider: Provider,
    pub(super) headers: &'a Headers,
    pub(super) body: &'a [u8],
    pub(super) config: &'a VerifyConfig,
    pub(super) now: i64,
}

impl Case<'_> {
    /// The proof checked.
    fn verify(&self) -> Result<crate::Verified<'_>, crate::Error> {
        crate::verify(
            self.provider,
            self.headers,
            self.body,
            self.config,
            self.now,
        )
    }
}

/// The events as the inspect answer writes them: one event, or a batch.
fn answer_text(events: &[Event]) -> String {
    match events {
        [event] => event.to_json(),
        events => Event::batch_json(events),
    }
}

/// Runs verify, normalize and serialize `iterations` times and answers how long it took
/// (or, with `stages=1`, each stage apart).
pub(super) fn run(case: &Case<'_>, iterations: u32) -> Result<Reply, Refusal> {
    if let Some(min_bytes) = case.headers.query_values("host_min").pop() {
        super::host::set_threshold(min_bytes.parse().unwrap_or(crate::verify::HOST_MIN_BYTES));
    }
    if case.headers.query_values("stages").pop().as_deref() == Some("1") {
        return stages(case, iterations);
    }
    let started = now_ms();
    let mut bytes = 0;
    for _ in 0..iterations {
        bytes += answer_text(&case.verify()?.normalize_all()?).len();
    }
    let elapsed = now_ms() - started;
    Ok(Reply::new(
        200,
        JSON,
        format!(r#"{{"iterations":{iterations},"elapsed_ms":{elapsed},"bytes":{bytes}}}"#),
    ))
}

/// Microseconds per run of `step`, over `iterations` runs.
fn per_event(iterations: u32, mut step: impl FnMut()) -> f64 {
    let started = now_ms();
    for _ in 0..iterations {
        step();
    }
    (now_ms() - started) * 1000.0 / f64::from(iterations)
}

/// Each stage of one event in its own loop (see the module's doc).
fn stages(case: &Case<'_>, iterations: u32) -> Result<Reply, Refusal> {
    let Case { provider, body, .. } = *case;
    let verified = case.verify()?;
    let events = verified.normalize_all()?;
    let json = answer_text(&events);
    let text = std::str::from_utf8(body).unwrap_or_default();
    let host_body = js_sys::Uint8Array::from(body);
    let mut figures = Vec::new();
    figures.push((
        "copy",
        per_event(iterations, || {
            black_box(host_body.to_vec());
        }),
    ));
    figures.push((
        "mac",
        per_event(iterations, || {
            let _ = black_box(case.verify());
        }),
    ));
    figures.push((
        "utf8",
        per_event(iterations, || {
            let _ = black_box(std::str::from_utf8(black_box(body)));
        }),
    ));
    figures.push((
        "scan",
        per_event(iterations, || {
            let _ = black_box(crate::json::Reader::new(black_box(text)).skip());
        }),
    ));
    let name = provider.as_str().as_bytes();
    figures.push((
        "id",
        per_event(iterations, || {
            black_box(crate::verify::sha256(&[b"signhook/", name, b"\n", body]));
        }),
    ));
    figures.push((
        "normalize",
        per_event(iterations, || {
            let _ = black_box(verified.normalize_all());
        }),
    ));
    figures.push((
        "write",
        per_event(iterations, || {
            black_box(answer_text(&events));
        }),
    ));
    // The answers are made before the clock starts: the real path moves its string in.
    let mut answers: Vec<Reply> = (0..iterations)
        .map(|_| Reply::new(200, JSON, json.clone()))
        .collect();
    figures.push((
        "answer",
        per_event(iterations, || {
            if let Some(reply) = answers.pop() {
                let _ = black_box(reply.into_response());
            }
        }),
    ));
    let stages = figures
        .iter()
        .map(|(name, us)| format!(r#""{name}":{us}"#))
        .collect::<Vec<_>>()
        .join(",");
    Ok(Reply::new(
        200,
        JSON,
        format!(r#"{{"iterations":{iterations},"stages_us":{{{stages}}}}}"#),
    ))
}
