//! The npm package's boundary (feature `js`, built by wasm-pack): the only module that
//! imports `wasm_bindgen` and `js_sys`.
//!
//! These exports are the raw layer. The package's small JS adapter (`npm/src/api.js`)
//! wraps them: it reads `now` from `Date` (the core never reads a clock:
//! `SystemTime::now()` panics on wasm32), turns a `Headers` object, a plain object or an
//! array of pairs into two string lists, turns a string or `ArrayBuffer` body into bytes,
//! and `JSON.parse`s the event. The event crosses the boundary as one JSON string
//! ([`Event::to_json`]): cheaper than building a JS object field by field, and it can only
//! produce plain objects, arrays and `null`, never a `Map` or `undefined`.
//!
//! Every failure is thrown as a JS `Error` whose `code` is the core's stable code
//! ([`ErrorKind::code`]) and whose `status` is the HTTP status an edge would answer.

use wasm_bindgen::prelude::*;

#[cfg(feature = "js-diagnose")]
use crate::{detect_provider, diagnose};
use crate::{
    normalize_unverified_all, sign as core_sign, sign_body as core_sign_body,
    sign_query as core_sign_query, verify as core_verify, Error, ErrorKind, Event, EventType,
    Headers, ProofAt, Provider, Secret, VerifyConfig,
};

// ---- the host's SHA-256 and HMAC ------------------------------------------------------

#[wasm_bindgen]
extern "C" {
    /// The host's digest function (a JS `Function`).
    #[wasm_bindgen(extends = js_sys::Function)]
    type DigestFunction;

    /// `Function.prototype.call` with the key (`undefined` for a plain SHA-256) and four
    /// message parts. The slices reach JavaScript as views of the wasm memory, not copies
    /// (wasm-bindgen's glue for `&[u8]` arguments of imports); the host hashes them before
    /// returning, so no view outlives the call.
    #[wasm_bindgen(method, catch, js_name = call)]
    fn call_digest(
        this: &DigestFunction,
        context: &JsValue,
        key: Option<&[u8]>,
        a: &[u8],
        b: &[u8],
        c: &[u8],
        d: &[u8],
    ) -> Result<JsValue, JsValue>;
}

thread_local! {
    static HOST_DIGEST: std::cell::RefCell<Option<DigestFunction>> =
        const { std::cell::RefCell::new(None) };
}

/// The registered host function's digest over `parts` (at most four), or `None` (then
/// the core uses its own): no function, more parts, a throw, or not 32 bytes back.
fn host_digest(key: Option<&[u8]>, parts: &[&[u8]]) -> Option<[u8; 32]> {
    let none = &[][..];
    let (a, b, c, d) = match parts {
        [a] => (*a, none, none, none),
        [a, b] => (*a, *b, none, none),
        [a, b, c] => (*a, *b, *c, none),
        [a, b, c, d] => (*a, *b, *c, *d),
        _ => return None,
    };
    HOST_DIGEST.with(|cell| {
        let borrowed = cell.borrow();
        let function = borrowed.as_ref()?;
        // A throwing host is no host: the software digest answers instead.
        let out = function.call_digest(&JsValue::NULL, key, a, b, c, d).ok()?;
        let bytes = out.dyn_into::<js_sys::Uint8Array>().ok()?;
        let mut digest = [0u8; 32];
        if bytes.length() != 32 {
            return None;
        }
        bytes.copy_to(&mut digest);
        Some(digest)
    })
}

/// Registers the host's synchronous SHA-256 and HMAC-SHA256, `(key, a, b, c, d) => digest`
/// over the concatenation `a ‖ b ‖ c ‖ d`, keyed with `key`, or a plain SHA-256 when `key` is
/// `undefined` (the package's Node entry passes one built on `node:crypto`), used for
/// messages of `minBytes` or more (default 4096: below that the wasm one is faster); or
/// `undefined` for the wasm one. Results are the same bit for bit; tags are still compared
/// in constant time in wasm.
#[wasm_bindgen(js_name = setHostDigest)]
pub fn set_host_digest(function: Option<js_sys::Function>, min_bytes: Option<u32>) {
    let registered = function.is_some();
    HOST_DIGEST.with(|cell| *cell.borrow_mut() = function.map(JsCast::unchecked_into));
    let min_bytes = min_bytes.map_or(crate::verify::HOST_MIN_BYTES, |n| n as usize);
    crate::verify::set_host_digest(
        registered.then_some(host_digest as crate::verify::HostDigest),
        min_bytes,
    );
}

/// A JS `Error` carrying the core's stable `code` and the matching HTTP `status`.
fn to_js_error(err: &Error) -> JsValue {
    let js_err = js_sys::Error::new(err.message());
    // Reflect::set fails only on frozen or proxied targets; a fresh Error is neither, and
    // the message alone still says what failed.
    let _ = js_sys::Reflect::set(&js_err, &"code".into(), &err.code().into());
    let _ = js_sys::Reflect::set(
        &js_err,
        &"status".into(),
        &JsValue::from(err.kind().http_status()),
    );
    js_err.into()
}

/// A `TypeError` for an argument of the wrong shape (a caller's bug, not a delivery's).
fn type_error(message: &str) -> JsValue {
    js_sys::TypeError::new(message).into()
}

fn provider(name: &str) -> Result<Provider, JsValue> {
    name.parse().map_err(|err: Error| to_js_error(&err))
}

/// Unix seconds from a JS number: finite, truncated toward negative infinity.
fn unix_seconds(value: f64, what: &str) -> Result<i64, JsValue> {
    if !value.is_finite() {
        return Err(type_error(&format!(
            "signhook: {what} must be a finite number of Unix seconds"
        )));
    }
    // `as` saturates for out-of-range floats: no panic, and the core's tolerance check
    // then rejects an absurd value.
    Ok(value.floor() as i64)
}

/// Whole seconds from a finite, non-negative JS number.
fn tolerance(value: f64) -> Result<u64, JsValue> {
    if !value.is_finite() || value < 0.0 {
        return Err(type_error(
            "signhook: toleranceSeconds must be a finite number >= 0",
        ));
    }
    // Saturating: an enormous tolerance means "any timestamp", not a panic.
    Ok(value.floor() as u64)
}

fn headers_from(
    names: Vec<String>,
    values: Vec<String>,
    url: Option<String>,
) -> Result<Headers, JsValue> {
    if names.len() != values.len() {
        return Err(type_error(
            "signhook: header names and values differ in length",
        ));
    }
    let mut headers: Headers = names.into_iter().zip(values).collect();
    if let Some(url) = url {
        headers.set_query_from_url(&url);
        if headers.query().is_none() {
            // A URL without a query: the query is empty, not unknown.
            headers.set_query("");
        }
    }
    Ok(headers)
}

/// The one event of a delivery, or the JS error saying why there is not exactly one.
fn single(events: Vec<Event>) -> Result<Event, JsValue> {
    crate::providers::single(events).map_err(|err| to_js_error(&err))
}

/// How the events cross to JavaScript.
#[derive(Clone, Copy)]
enum Shape {
    /// One event's complete JSON text (`verifyText`), or with `all` a JSON array's.
    Text { all: bool },
    /// Per event `[json, documents, start, end]`: the event's JSON with `data.raw` as
    /// `null` and `data.documents` as `[]`, the documents' JSON text (`null` when there are
    /// none), and where the raw payload lies in the body, for the adapter to parse those two
    /// only on first access (they are most of an event, and most callers read neither); or
    /// `[json, documents, rawText]` when the payload is not a plain slice of the body
    /// (redacted, a multipart field, an array's element). `all`: an array of those.
    Parts { all: bool },
}

fn events_out(events: Vec<Event>, body: &[u8], shape: Shape) -> Result<JsValue, JsValue> {
    match shape {
        Shape::Text { all: true } => Ok(JsValue::from(Event::batch_json(&events))),
        Shape::Text { all: false } => Ok(JsValue::from(single(events)?.to_json())),
        Shape::Parts { all: true } => Ok(events
            .into_iter()
            .map(|e| event_parts(e, body))
            .collect::<js_sys::Array>()
            .into()),
        Shape::Parts { all: false } => Ok(event_parts(single(events)?, body).into()),
    }
}

/// `[json, documents, start, end]` or `[json, documents, raw text]` (see [`Shape::Parts`]).
fn event_parts(mut event: Event, body: &[u8]) -> js_sys::Array {
    let raw = std::mem::replace(&mut event.data.raw, crate::RawJson::parsed("null"));
    let documents = std::mem::take(&mut event.data.documents);
    let documents = if documents.is_empty() {
        JsValue::NULL
    } else {
        let mut text = String::with_capacity(96 * documents.len());
        crate::event::write_documents(&mut text, &documents);
        JsValue::from(text)
    };
    let json = JsValue::from(event.to_json());
    let text = raw.get();
    // The payload of a whole body is the body without surrounding whitespace.
    let start = body
        .iter()
        .position(|b| !matches!(b, b' ' | b'\t' | b'\n' | b'\r'))
        .unwrap_or(0);
    if body
        .get(start..start + text.len())
        .is_some_and(|slice| same_bytes(slice, text.as_bytes()))
    {
        // Offsets below 2^53: exact as JS numbers.
        js_sys::Array::of4(
            &json,
            &documents,
            &JsValue::from(start as f64),
            &JsValue::from((start + text.len()) as f64),
        )
    } else {
        js_sys::Array::of3(&json, &documents, &JsValue::from(text))
    }
}

/// `a == b`, eight bytes at a time: wasm's `memcmp` goes byte by byte, and this compares
/// a whole payload per event (docs/benchmarks.md, "npm package", has what this saved).
fn same_bytes(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let (wide_a, wide_b) = (a.chunks_exact(8), b.chunks_exact(8));
    let tails_equal = wide_a.remainder() == wide_b.remainder();
    tails_equal
        && wide_a.zip(wide_b).all(|(x, y)| {
            let word = |c: &[u8]| <[u8; 8]>::try_from(c).map(u64::from_ne_bytes).unwrap_or(0);
            word(x) == word(y)
        })
}

fn secrets_from(secrets: Vec<String>) -> Result<Vec<Secret>, JsValue> {
    secrets
        .iter()
        .map(|s| Secret::new(s).map_err(|err| to_js_error(&err)))
        .collect()
}

/// What a delivery is checked against, from the adapter's arguments.
fn config_from(
    secrets: Vec<String>,
    client_ids: Vec<String>,
    tolerance_seconds: f64,
    max_event_age_seconds: Option<f64>,
) -> Result<VerifyConfig, JsValue> {
    Ok(VerifyConfig {
        secrets: secrets_from(secrets)?,
        client_ids,
        tolerance_seconds: tolerance(tolerance_seconds)?,
        max_event_age_seconds: max_event_age_seconds.map(tolerance).transpose()?,
        ..VerifyConfig::default()
    })
}

/// Verifies one delivery over the exact `body` bytes and returns its CloudEvent as JSON.
///
/// `header_names[i]` goes with `header_values[i]`. `now` is Unix seconds (read by the
/// caller), `tolerance_seconds` the allowed distance of a signed timestamp from `now`,
/// `max_event_age_seconds` (when given) the oldest a body-covered provider event time may be,
/// `url` the request URL or target (its query carries PandaDoc's proof). With `all`, every
/// event of the delivery; without, the one event (`multiple_events` when a PandaDoc array
/// holds several). With `text`, as complete JSON text; without, as parts (see [`Shape`]).
///
/// # Errors
/// Throws an `Error` with `code`: `unknown_provider`, `invalid_secret`,
/// `payload_too_large`, `no_secret_configured`, `missing_signature`,
/// `malformed_signature`, `signature_mismatch`, `timestamp_out_of_tolerance`,
/// `missing_client_id`, `unknown_client_id`, `malformed_payload`; a `TypeError` for a
/// non-finite `now` or a negative or non-finite tolerance.
#[wasm_bindgen(js_name = verifyJson)]
#[allow(clippy::too_many_arguments)]
pub fn verify_json(
    provider_name: &str,
    header_names: Vec<String>,
    header_values: Vec<String>,
    body: &[u8],
    secrets: Vec<String>,
    client_ids: Vec<String>,
    now: f64,
    tolerance_seconds: f64,
    max_event_age_seconds: Option<f64>,
    url: Option<String>,
    all: bool,
    text: bool,
) -> Result<JsValue, JsValue> {
    let provider = provider(provider_name)?;
    let headers = headers_from(header_names, header_values, url)?;
    let now = unix_seconds(now, "now")?;
    let config = config_from(
        secrets,
        client_ids,
        tolerance_seconds,
        max_event_age_seconds,
    )?;
    let verified =
        core_verify(provider, &headers, body, &config, now).map_err(|err| to_js_error(&err))?;
    let events = verified.normalize_all().map_err(|err| to_js_error(&err))?;
    let shape = if text {
        Shape::Text { all }
    } else {
        Shape::Parts { all }
    };
    events_out(events, body, shape)
}

/// Normalizes a body WITHOUT checking any proof (`data.verification` is `null`), as JSON;
/// with `all`, every event as a JSON array.
///
/// # Errors
/// Throws an `Error` with `code` `unknown_provider`, `malformed_payload` or
/// `multiple_events`.
#[wasm_bindgen(js_name = normalizeUnverifiedJson)]
pub fn normalize_unverified_json(
    provider_name: &str,
    body: &[u8],
    all: bool,
) -> Result<JsValue, JsValue> {
    let provider = provider(provider_name)?;
    let events = normalize_unverified_all(provider, body).map_err(|err| to_js_error(&err))?;
    events_out(events, body, Shape::Parts { all })
}

/// The query string to append to the URL for a provider whose proof travels there
/// (PandaDoc: `signature=<hex>`); empty for the others.
///
/// # Errors
/// Throws an `Error` with `code` `unknown_provider` or `invalid_secret` (empty key); a
/// `TypeError` for a non-finite timestamp.
#[wasm_bindgen(js_name = signQuery)]
pub fn sign_query(
    provider_name: &str,
    key: &str,
    body: &[u8],
    timestamp: f64,
) -> Result<String, JsValue> {
    let provider = provider(provider_name)?;
    let timestamp = unix_seconds(timestamp, "timestamp")?;
    core_sign_query(provider, key, body, timestamp).map_err(|err| to_js_error(&err))
}

/// The headers `provider` would send with `body`, as a plain object (`Content-Type` and the
/// proof header). `key` is the secret, or Acrobat Sign's client id; `timestamp` (Unix
/// seconds) is signed by Zigned, DocuSeal and BoldSign and ignored by the others.
///
/// # Errors
/// Throws an `Error` with `code` `unknown_provider` or `invalid_secret` (empty key); a
/// `TypeError` for a non-finite timestamp.
#[wasm_bindgen(js_name = signHeaders)]
pub fn sign_headers(
    provider_name: &str,
    key: &str,
    body: &[u8],
    timestamp: f64,
) -> Result<js_sys::Object, JsValue> {
    let provider = provider(provider_name)?;
    let timestamp = unix_seconds(timestamp, "timestamp")?;
    let headers = core_sign(provider, key, body, timestamp).map_err(|err| to_js_error(&err))?;
    let object = js_sys::Object::new();
    for (name, value) in headers {
        js_sys::Reflect::set(&object, &name.into(), &value.into())?;
    }
    Ok(object)
}

/// The body to send with [`sign_headers`]' headers: for a provider whose proof is in the
/// body (SignWell's `event.hash`), `body` with the proof written into it; else `body`.
///
/// # Errors
/// Throws an `Error` with `code` `unknown_provider`, `invalid_secret` (empty key) or
/// `malformed_payload` (the proof goes in the body and it is not a JSON object with an
/// `event` object); a `TypeError` for a non-finite timestamp.
#[wasm_bindgen(js_name = signBody)]
pub fn sign_body(
    provider_name: &str,
    key: &str,
    body: &[u8],
    timestamp: f64,
) -> Result<Vec<u8>, JsValue> {
    let provider = provider(provider_name)?;
    let timestamp = unix_seconds(timestamp, "timestamp")?;
    core_sign_body(provider, key, body, timestamp).map_err(|err| to_js_error(&err))
}

/// Every provider name the core knows, in documentation order.
#[wasm_bindgen(js_name = providerNames)]
pub fn provider_names() -> Vec<String> {
    Provider::ALL
        .iter()
        .map(|p| p.as_str().to_owned())
        .collect()
}

/// Every normalized event type, in documentation order.
#[wasm_bindgen(js_name = eventTypeNames)]
pub fn event_type_names() -> Vec<String> {
    EventType::ALL
        .iter()
        .map(|t| t.as_str().to_owned())
        .collect()
}

/// Every stable error code, in documentation order.
#[wasm_bindgen(js_name = errorCodes)]
pub fn error_codes() -> Vec<String> {
    ErrorKind::ALL.iter().map(|k| k.code().to_owned()).collect()
}

/// Each provider's proof header, as `[provider, header]` pairs flattened; a provider whose
/// proof is in the body (SignWell) or the query (PandaDoc) has none.
#[wasm_bindgen(js_name = proofHeaders)]
pub fn proof_headers() -> Vec<String> {
    Provider::ALL
        .iter()
        .filter(|p| p.proof_at() == ProofAt::Header)
        .flat_map(|p| [p.as_str().to_owned(), p.proof_header().to_owned()])
        .collect()
}

// ---- the diagnosis (feature `js-diagnose`: its own wasm, for the validator page) --------

/// Verifies with the real `verify` and explains the outcome ([`diagnose`]), as JSON: the
/// verdict, the error code, findings, and the event (verified, or else the UNVERIFIED
/// normalization, flagged by `event_verified: false`). `provider_name` `None` uses the
/// provider detected from the headers.
///
/// # Errors
/// Throws an `Error` with `code` `unknown_provider` or `invalid_secret`; a `TypeError` for
/// a non-finite `now` or a negative or non-finite tolerance. A delivery that fails to
/// verify is a verdict, not an error.
#[cfg(feature = "js-diagnose")]
#[wasm_bindgen(js_name = diagnoseJson)]
#[allow(clippy::too_many_arguments)]
pub fn diagnose_json(
    provider_name: Option<String>,
    header_names: Vec<String>,
    header_values: Vec<String>,
    body: &[u8],
    secrets: Vec<String>,
    client_ids: Vec<String>,
    now: f64,
    tolerance_seconds: f64,
    max_event_age_seconds: Option<f64>,
    url: Option<String>,
) -> Result<String, JsValue> {
    let provider = provider_name.as_deref().map(provider).transpose()?;
    let headers = headers_from(header_names, header_values, url)?;
    let now = unix_seconds(now, "now")?;
    let config = config_from(
        secrets,
        client_ids,
        tolerance_seconds,
        max_event_age_seconds,
    )?;
    let diagnosis = diagnose(provider, &headers, body, &config, now);
    serde_json::to_string(&diagnosis).map_err(|err| {
        to_js_error(&Error::new(
            ErrorKind::MalformedPayload,
            format!("diagnosis could not be serialized: {err}"),
        ))
    })
}

/// The provider whose proof header is present (or hinted at by a near-miss header name),
/// or `undefined` (the adapter turns it into `null`).
///
/// # Errors
/// A `TypeError` when the name and value lists differ in length.
#[cfg(feature = "js-diagnose")]
#[wasm_bindgen(js_name = detectProviderName)]
pub fn detect_provider_name(
    header_names: Vec<String>,
    header_values: Vec<String>,
) -> Result<Option<String>, JsValue> {
    let headers = headers_from(header_names, header_values, None)?;
    Ok(detect_provider(&headers).map(|p| p.as_str().to_owned()))
}

#[cfg(all(test, target_arch = "wasm32"))]
mod tests;
