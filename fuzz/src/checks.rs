//! The invariants every target asserts, over the public API only.
//!
//! A failed `assert!` is a finding like a panic inside the crate: libFuzzer saves the input.

use signhook::{
    diagnose, normalize_unverified, verify, Event, Headers, Provider, Secret, Verdict, VerifyConfig,
};

use crate::input::{Delivery, Header, Materialized};
use crate::oracle::{
    base64_padded, has_other_whitespace, hex_lower, hmac_sha256, trim_ows, within, zigned_seconds,
};

/// The configuration, built field by field (fields are being added to `VerifyConfig`).
/// `valid` are the secret strings `Secret::new` accepted, in config order.
pub struct Setup {
    pub config: VerifyConfig,
    pub valid_secrets: Vec<String>,
}

pub fn setup(
    secrets: &[String],
    client_ids: &[String],
    tolerance: Option<u64>,
    max_body: Option<usize>,
    max_age: Option<u64>,
) -> Setup {
    let mut config = VerifyConfig::default();
    let mut valid_secrets = Vec::new();
    let mut list = Vec::new();
    for s in secrets {
        if let Ok(secret) = Secret::new(s) {
            list.push(secret);
            valid_secrets.push(s.clone());
        }
    }
    config.secrets = list;
    config.client_ids = client_ids.to_vec();
    if let Some(t) = tolerance {
        config.tolerance_seconds = t;
    }
    if let Some(m) = max_body {
        config.max_body_bytes = m;
    }
    #[cfg(not(feature = "old-api"))]
    {
        config.max_event_age_seconds = max_age;
    }
    #[cfg(feature = "old-api")]
    let _ = max_age;
    Setup {
        config,
        valid_secrets,
    }
}

pub fn headers_of(list: &[Header]) -> Headers {
    list.iter()
        .map(|h| (h.name.clone(), h.value.clone()))
        .collect()
}

/// Every value sent under `name` (any case), in order.
pub fn values_named<'h>(list: &'h [Header], name: &str) -> Vec<&'h Header> {
    list.iter()
        .filter(|h| h.name.eq_ignore_ascii_case(name))
        .collect()
}

const PROOF_FAILURES: &[&str] = &[
    "missing_signature",
    "malformed_signature",
    "signature_mismatch",
    "no_secret_configured",
    "missing_client_id",
    "unknown_client_id",
];

/// `t` candidates in Zigned-style values: every `t=` pair, trimmed either way.
fn t_candidates<'v>(values: &[&'v str]) -> Vec<&'v str> {
    let mut out = Vec::new();
    for v in values {
        for pair in v.split(',') {
            if let Some((k, val)) = pair.split_once('=') {
                if k.trim() == "t" {
                    out.push(val.trim());
                    out.push(trim_ows(val));
                }
            }
        }
    }
    out
}

/// Soundness: a verified HMAC delivery presents the MAC of the matched secret, recomputed
/// here independently, somewhere in the proof header's value(s).
pub fn assert_mac_present(
    provider: Provider,
    secret: &str,
    values: &[&str],
    body: &[u8],
    signed_at: Option<i64>,
) {
    let key = secret.as_bytes();
    let lower: Vec<String> = values.iter().map(|v| v.to_ascii_lowercase()).collect();
    match provider {
        Provider::ZohoSign => {
            let b64 = base64_padded(&hmac_sha256(key, &[body]));
            let bare = b64.trim_end_matches('=');
            assert!(
                values.iter().any(|v| v.contains(bare)),
                "zoho-sign verified, but no value carries the MAC {b64} of the matched secret: {values:?}"
            );
        }
        Provider::Yousign => {
            let hex = hex_lower(&hmac_sha256(key, &[body]));
            assert!(
                lower.iter().any(|v| v.contains(&hex)),
                "yousign verified, but no value carries the MAC {hex}: {values:?}"
            );
        }
        Provider::Zigned => {
            let ts = t_candidates(values);
            let found = ts.iter().any(|t| {
                let hex = hex_lower(&hmac_sha256(key, &[t.as_bytes(), b".", body]));
                let parsed = t.parse::<i64>().ok().map(zigned_seconds);
                lower.iter().any(|v| v.contains(&hex)) && (parsed == signed_at)
            });
            assert!(
                found,
                "zigned verified, but no t in {values:?} has its MAC present with signed_at {signed_at:?}"
            );
        }
        _ => {}
    }
}

/// Checks an event made from a verified or unverified body.
pub fn check_event(provider: Provider, event: &Event, body: &[u8]) {
    // `provider` is a `Provider` or its name, depending on the version: compare as JSON.
    assert_eq!(
        serde_json::to_value(event.provider).expect("provider serializes"),
        serde_json::Value::from(provider.as_str())
    );
    assert_eq!(event.specversion, "1.0");
    assert_eq!(event.source, format!("signhook/{provider}"));
    assert!(!event.id.is_empty(), "empty event id");
    let json = serde_json::to_string(event).expect("an event serializes");
    // Re-reading is the costly part: only for events of ordinary size.
    if json.len() > REPARSE_LIMIT {
        return check_time(event);
    }
    match serde_json::from_str::<serde_json::Value>(&json) {
        Ok(back) => assert!(back.is_object()),
        // `data.raw` is the body verbatim. RFC 8259's grammar allows lone surrogate escapes
        // and numbers beyond f64, which serde_json's `Value` refuses: the event may be as
        // strict as its body, no less.
        Err(e) => assert!(
            serde_json::from_slice::<serde_json::Value>(body).is_err(),
            "the event is not JSON ({e}) although its body is"
        ),
    }
    check_time(event);
}

/// Events and diagnoses longer than this are not parsed back (it would dominate the cost).
const REPARSE_LIMIT: usize = 16 * 1024;

fn check_time(event: &Event) {
    if let Some(time) = &event.time {
        // Our formatter's output for the crate's own instant must be identical.
        let ms = crate::oracle::rfc3339_millis(time)
            .unwrap_or_else(|| panic!("event time {time:?} is not RFC 3339"));
        assert_eq!(
            crate::oracle::format_millis(ms).as_deref(),
            Some(time.as_str()),
            "event time is not in the canonical UTC form"
        );
    }
}

/// The age in seconds (`now` minus the event time, floored to seconds) of an event time
/// the proof covers (the whole body is signed), if any.
fn covered_age(v: &signhook::Verified<'_>, event: &Event, now: i64) -> Option<i64> {
    if v.verification().covers != signhook::Covers::Body {
        return None;
    }
    let ms = crate::oracle::rfc3339_millis(event.time.as_deref()?)?;
    Some(now.saturating_sub(ms.div_euclid(1000)))
}

/// Verify + normalize for one provider, with every invariant that is cheap to state.
pub fn check_delivery(target: Provider, input: &Delivery, body_cap: usize) {
    let m: Materialized = input.materialize(target, body_cap);
    let body = &m.body[..];
    let max_body = input.max_body.value(body.len());
    let s = setup(
        &input.secrets,
        &input.client_ids,
        input.tolerance.value(),
        max_body,
        input.max_age.value(),
    );
    let config = &s.config;
    let headers = headers_of(&m.headers);
    let now = m.now;
    let proof = target.proof_header();
    let named = values_named(&m.headers, proof);
    let values: Vec<&str> = named.iter().map(|h| h.value.as_str()).collect();

    // Normalization never panics, verified or not.
    if let Ok(event) = normalize_unverified(target, body) {
        check_event(target, &event, body);
        assert!(event.data.verification.is_none());
    }

    let result = verify(target, &headers, body, config, now);

    // precheck (the body-less part of verify, run before the body is read) gives the same
    // answer as verify wherever it answers.
    #[cfg(not(feature = "old-api"))]
    if body.len() <= config.max_body_bytes {
        const BODILESS: &[&str] = &[
            "no_secret_configured",
            "missing_signature",
            "missing_client_id",
        ];
        match (signhook::precheck(target, &headers, config), &result) {
            (Err(p), Err(e)) => assert_eq!(p.code(), e.code(), "precheck and verify disagree"),
            (Err(p), Ok(_)) => panic!("precheck refused ({}) what verify accepts", p.code()),
            (Ok(()), Err(e)) => assert!(
                !BODILESS.contains(&e.code()),
                "precheck passed, verify says {}",
                e.code()
            ),
            (Ok(()), Ok(_)) => {}
        }
    }
    match &result {
        Ok(v) => {
            assert_eq!(v.provider(), target);
            assert!(
                std::ptr::eq(v.body(), body),
                "Verified must borrow the exact bytes"
            );
            assert!(body.len() <= config.max_body_bytes);
            let key = v.verification().key;
            if target == Provider::AcrobatSign {
                assert!(key < config.client_ids.len());
                let id = v.client_id().expect("acrobat gives the client id");
                assert_eq!(config.client_ids[key], id, "client id key index");
                assert!(
                    values.iter().any(|v| v.contains(id)),
                    "echoed client id {id:?} not presented in {values:?}"
                );
            } else {
                assert!(key < config.secrets.len(), "key index {key} out of range");
                assert_mac_present(target, &s.valid_secrets[key], &values, body, v.signed_at());
                if let Some(at) = v.signed_at() {
                    assert!(
                        within(at, now, config.tolerance_seconds),
                        "signed_at {at} outside the window of {now}"
                    );
                }
                // One byte changed: the MAC no longer matches.
                if !body.is_empty() {
                    let mut mutated = body.to_vec();
                    let i = usize::from(input.flip_at) % mutated.len();
                    mutated[i] ^= input.flip_xor.max(1);
                    let again = verify(target, &headers, &mutated, config, now);
                    assert!(
                        again.is_err(),
                        "a body with byte {i} changed still verifies"
                    );
                }
            }
            // Verified ⇒ normalize never panics, and agrees with the unverified reading.
            let max_age = input.max_age.value();
            match v.normalize() {
                Ok(event) => {
                    check_event(target, &event, body);
                    assert_eq!(event.data.verification, Some(v.verification()));
                    if let (Some(max), Some(age)) = (max_age, covered_age(&v, &event, now)) {
                        assert!(
                            age <= 0 || age.unsigned_abs() <= max,
                            "event {age} s old passed a {max} s bound"
                        );
                    }
                    let plain = normalize_unverified(target, body);
                    if target != Provider::Zigned {
                        let plain = plain.expect("normalize_unverified agrees with normalize");
                        assert_eq!(plain.id, event.id);
                        assert_eq!(plain.event_type, event.event_type);
                        assert_eq!(plain.time, event.time);
                    }
                }
                Err(e) if e.code() == "event_too_old" => {
                    // Only with a bound, only for a covered time, only beyond the bound.
                    let max = max_age.expect("event_too_old without a maximum age");
                    let event = normalize_unverified(target, body).expect("it parsed");
                    let age =
                        covered_age(&v, &event, now).expect("event_too_old without a covered time");
                    assert!(
                        age > 0 && age.unsigned_abs() > max,
                        "refused as too old at {age} s with a {max} s bound"
                    );
                }
                Err(e) => assert_eq!(
                    e.code(),
                    "malformed_payload",
                    "normalize fails only as malformed_payload or event_too_old"
                ),
            }
            if target == Provider::AcrobatSign {
                // The body is not covered: any other body (within the limit) passes too.
                let again = verify(target, &headers, &body[..0], config, now);
                assert!(again.is_ok(), "acrobat's verdict depends on the body");
            }
        }
        Err(e) => {
            assert!(!e.code().is_empty() && !e.message().is_empty());
            let configured = if target == Provider::AcrobatSign {
                !config.client_ids.is_empty()
            } else {
                !config.secrets.is_empty()
            };
            if body.len() > config.max_body_bytes {
                assert_eq!(e.code(), "payload_too_large");
            } else if !configured {
                assert_eq!(
                    e.code(),
                    "no_secret_configured",
                    "fail closed without secrets"
                );
            } else if named.is_empty() {
                let want = if target == Provider::AcrobatSign {
                    "missing_client_id"
                } else {
                    "missing_signature"
                };
                assert_eq!(e.code(), want);
            }
        }
    }

    // Completeness: one proof header, correctly signed under a configured secret with a
    // transform the provider's grammar accepts, inside the limits ⇒ it verifies.
    if named.len() == 1
        && body.len() <= config.max_body_bytes
        && !has_other_whitespace(&named[0].value)
    {
        let h = named[0];
        if target == Provider::AcrobatSign {
            let presented = trim_ows(&h.value);
            let expected = (!presented.is_empty())
                .then(|| config.client_ids.iter().position(|c| c == presented))
                .flatten();
            match (expected, &result) {
                (Some(k), Ok(v)) => assert_eq!(v.verification().key, k),
                (Some(_), Err(e)) => panic!("allowed client id refused: {}", e.code()),
                (None, Ok(_)) if !config.client_ids.is_empty() => {
                    panic!("unlisted client id {presented:?} accepted")
                }
                _ => {}
            }
        } else if let Some(p) = &h.promise {
            let valid = s.valid_secrets.iter().any(|v| *v == p.key);
            let window_ok = match &p.t {
                Some(t) => t
                    .parse::<i64>()
                    .is_ok_and(|t| within(zigned_seconds(t), now, config.tolerance_seconds)),
                None => true,
            };
            if p.provider == target && p.accepted && valid && window_ok {
                // The first configured secret whose MAC matches (HMAC keys can be
                // equivalent: "k" and "k\0", or a long key and its hash).
                let message: Vec<&[u8]> = match &p.t {
                    Some(t) => vec![t.as_bytes(), b".", body],
                    None => vec![body],
                };
                let want = hmac_sha256(p.key.as_bytes(), &message);
                let first = s
                    .valid_secrets
                    .iter()
                    .position(|k| hmac_sha256(k.as_bytes(), &message) == want);
                match &result {
                    Ok(v) => assert_eq!(Some(v.verification().key), first, "matched key index"),
                    Err(e) => {
                        assert!(
                            !PROOF_FAILURES.contains(&e.code())
                                && e.code() != "timestamp_out_of_tolerance",
                            "a correctly signed delivery was refused: {} ({}); header {:?}",
                            e.code(),
                            e.message(),
                            h.value
                        );
                    }
                }
            }
        }
    }
}

/// The `diagnose` target's input: an optional provider and a delivery.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DiagnoseInput {
    /// 0: none (detect), 1..=4: `Provider::ALL[i - 1]`.
    pub provider: u8,
    pub delivery: Delivery,
}

impl DiagnoseInput {
    pub fn decode(r: &mut crate::codec::Reader) -> DiagnoseInput {
        let provider = r.tag(5);
        DiagnoseInput {
            provider,
            delivery: Delivery::decode(r),
        }
    }
    pub fn encode(&self, w: &mut crate::codec::Writer) {
        w.tag(self.provider);
        self.delivery.encode(w);
    }
}
crate::arbitrary_via_decode!(DiagnoseInput);

/// Generated bodies for `diagnose` stay under this: deep enough for nesting (80k levels),
/// small enough that each run stays cheap (its variant search HMACs the body ~100 times).
pub const DIAGNOSE_BODY_CAP: usize = 160 * 1024;

pub fn check_diagnose(input: &DiagnoseInput) {
    let given = input
        .provider
        .checked_sub(1)
        .map(|i| Provider::ALL[usize::from(i)]);
    let target = given.unwrap_or(Provider::ZohoSign);
    let d = &input.delivery;
    let m = d.materialize(target, DIAGNOSE_BODY_CAP);
    let body = &m.body[..];
    let s = setup(
        &d.secrets,
        &d.client_ids,
        d.tolerance.value(),
        d.max_body.value(body.len()),
        d.max_age.value(),
    );
    let headers = headers_of(&m.headers);

    let diagnosis = diagnose(given, &headers, body, &s.config, m.now);

    // It reports verify's verdict unchanged.
    let detected = signhook::detect_provider(&headers);
    assert_eq!(diagnosis.detected, detected);
    match given.or(detected) {
        Some(p) => {
            assert_eq!(diagnosis.provider, Some(p));
            // Accepted: verify passes and normalize does not refuse it as a replay.
            let verified = verify(p, &headers, body, &s.config, m.now);
            let accepted = match &verified {
                Ok(v) => !matches!(v.normalize(), Err(e) if e.code() == "event_too_old"),
                Err(_) => false,
            };
            assert_eq!(
                diagnosis.verdict == Verdict::Verified,
                accepted,
                "diagnose's verdict differs from verify + normalize"
            );
            if diagnosis.event_verified {
                assert!(
                    verified.is_ok(),
                    "event_verified without a verified delivery"
                );
            }
        }
        None => assert_eq!(diagnosis.verdict, Verdict::Unverifiable),
    }
    if diagnosis.verdict == Verdict::Verified {
        assert!(diagnosis.code.is_none());
    } else {
        assert!(diagnosis.code.is_some() || diagnosis.provider.is_none());
    }
    let json = diagnosis.to_json_pretty();
    assert!(!json.is_empty(), "the diagnosis did not serialize");
    if json.len() > REPARSE_LIMIT {
        return;
    }
    match serde_json::from_str::<serde_json::Value>(&json) {
        Ok(value) => assert!(value.is_object()),
        // As for events: the body is carried verbatim, no stricter than it came.
        Err(e) => assert!(
            serde_json::from_slice::<serde_json::Value>(body).is_err(),
            "the diagnosis is not JSON ({e}) although the body is"
        ),
    }
}
