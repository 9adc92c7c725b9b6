//! Built only with the cargo feature `bench` (`bench/worker/isolate.mjs` builds it into its
//! own folder; `scripts/build-worker.sh`, hence every deployed Worker, never has it).
//!
//! `POST /hooks/<provider>?bench=<n>`, after the usual checks and the body read, runs the
//! pure part of a delivery `n` times inside the isolate: verify the proof over the bytes,
//! normalize, serialize the event as the inspect answer does. It answers
//! `{"iterations":n,"elapsed_ms":…,"bytes":…}` (`performance.now()` around the loop), so the
//! time per event excludes the HTTP round trip that dominates a single request.

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

/// Runs verify, normalize and serialize `iterations` times and answers how long it took.
pub(super) fn run(
    provider: Provider,
    headers: &Headers,
    body: &[u8],
    config: &VerifyConfig,
    now: i64,
    iterations: u32,
) -> Result<Reply, Refusal> {
    let started = now_ms();
    let mut bytes = 0;
    for _ in 0..iterations {
        let events = crate::verify(provider, headers, body, config, now)?.normalize_all()?;
        bytes += match events.as_slice() {
            [event] => event.to_json().len(),
            events => Event::batch_json(events).len(),
        };
    }
    let elapsed = now_ms() - started;
    Ok(Reply::new(
        200,
        JSON,
        format!(r#"{{"iterations":{iterations},"elapsed_ms":{elapsed},"bytes":{bytes}}}"#),
    ))
}
