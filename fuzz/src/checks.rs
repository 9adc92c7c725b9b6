//! The invariants every target asserts, over the public API only.
//!
//! A failed `assert!` is a finding like a panic inside the crate: libFuzzer saves the input.

use signhook::{
    diagnose, normalize_unverified, verify, Covers, Event, Headers, Provider, Secret, Verdict,
    VerifyConfig,
};

use crate::inbody;
use crate::input::{
    signed_names, tag_names, Delivery, Header, Materialized, BOX_ALGORITHM, BOX_PRIMARY,
    BOX_SECONDARY, BOX_TIMESTAMP, BOX_VERSION, SWH_ID, SWH_TIMESTAMP,
};
use crate::oracle::{
    base64_decode_lenient, base64_padded, has_other_whitespace, hex_decode, hex_lower, hmac_sha256,
    is_ows, rfc3339_millis, standard_webhooks_key, trim_ows, within, zigned_seconds,
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

/// What each provider's proof covers, as its module documents it. `None` for a provider
/// these checks do not know yet (add it here with its module).
pub fn documented_covers(p: Provider) -> Option<Covers> {
    Some(match p {
        Provider::ZohoSign | Provider::Yousign | Provider::DocuSign | Provider::Signable => {
            Covers::Body
        }
        Provider::Zigned
        | Provider::DocuSeal
        | Provider::BoldSign
        | Provider::BoxSign
        | Provider::SignatureApi => Covers::TimestampAndBody,
        Provider::AcrobatSign => Covers::ClientId,
        Provider::Documenso | Provider::OneSpanSign => Covers::SharedSecret,
        Provider::SignWell | Provider::DropboxSign | Provider::XodoSign => Covers::EventMetadata,
        _ => return None,
    })
}

/// A signed `t` text as Unix seconds, per the documented grammar: digits only (at most
/// 18), read as seconds; Zigned's as seconds or milliseconds; Box Sign's is RFC 3339 (the
/// reference parser), floored to seconds.
pub fn signed_seconds(p: Provider, t: &str) -> Option<i64> {
    if p == Provider::BoxSign {
        return rfc3339_millis(t).map(|ms| ms.div_euclid(1000));
    }
    let n = (!t.is_empty() && t.len() <= 18 && t.bytes().all(|b| b.is_ascii_digit()))
        .then(|| t.parse().ok())
        .flatten()?;
    Some(match p {
        Provider::Zigned => zigned_seconds(n),
        _ => n,
    })
}

/// Whether a signed timestamp lies in the provider's documented window around `now`:
/// within `tolerance` either side; Box Sign's at most 600 s old (as Box's SDKs check) and
/// at most `tolerance` ahead.
pub fn signed_window_ok(p: Provider, signed_at: i64, now: i64, tolerance: u64) -> bool {
    match p {
        Provider::BoxSign => {
            let (at, now) = (i128::from(signed_at), i128::from(now));
            at >= now - 600 && at <= now + i128::from(tolerance)
        }
        _ => within(signed_at, now, tolerance),
    }
}

/// The HMAC key a configured secret stands for: its UTF-8 bytes, but SignatureAPI's
/// `whsec_<base64>` decoded (`oracle::standard_webhooks_key`).
pub fn mac_key(p: Provider, secret: &str) -> Vec<u8> {
    match p {
        Provider::SignatureApi => standard_webhooks_key(secret),
        _ => secret.as_bytes().to_vec(),
    }
}

/// Whether `name` is one of DocuSign's signature headers: `X-DocuSign-Signature-<n>`,
/// `n` in 1..=100 written without leading zeros.
pub fn is_docusign_signature(name: &str) -> bool {
    const PREFIX: &str = "x-docusign-signature-";
    let lower = name.to_ascii_lowercase();
    let Some(n) = lower.strip_prefix(PREFIX) else {
        return false;
    };
    !n.is_empty()
        && n.len() <= 3
        && !n.starts_with('0')
        && n.bytes().all(|b| b.is_ascii_digit())
        && n.parse::<u32>().is_ok_and(|n| (1..=100).contains(&n))
}

/// The values (duplicates joined, as `Headers` does) of the headers that carry `target`'s
/// proof: its proof header, or for DocuSign every numbered signature header.
pub fn proof_values(target: Provider, headers: &Headers) -> Vec<&str> {
    headers
        .iter()
        .filter(|(n, _)| {
            if target == Provider::DocuSign {
                is_docusign_signature(n)
            } else {
                n.eq_ignore_ascii_case(target.proof_header())
            }
        })
        .map(|(_, v)| v)
        .collect()
}

/// DocuSign's `x-authorization-digest`: absent, empty or `HMACSHA256` (any case).
pub fn docusign_digest_ok(headers: &Headers) -> bool {
    headers
        .get("x-authorization-digest")
        .map(trim_ows)
        .is_none_or(|v| v.is_empty() || v.eq_ignore_ascii_case("HMACSHA256"))
}

/// Soundness: a verified delivery presents the proof of the matched secret, recomputed
/// here independently, in the proof header's value(s).
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
        // DocuSign's numbered headers, Signable's `Signature`: the base64 MAC of the body.
        Provider::DocuSign | Provider::Signable => {
            let mac = hmac_sha256(key, &[body]);
            assert!(
                values
                    .iter()
                    .any(|v| base64_decode_lenient(trim_ows(v)).as_deref() == Some(&mac[..])),
                "{provider} verified, but no proof header value is the base64 MAC {} of the matched secret: {values:?}",
                base64_padded(&mac)
            );
        }
        Provider::Yousign => {
            let hex = hex_lower(&hmac_sha256(key, &[body]));
            assert!(
                lower.iter().any(|v| v.contains(&hex)),
                "yousign verified, but no value carries the MAC {hex}: {values:?}"
            );
        }
        Provider::Zigned | Provider::BoldSign => {
            let ts = t_candidates(values);
            let found = ts.iter().any(|t| {
                let hex = hex_lower(&hmac_sha256(key, &[t.as_bytes(), b".", body]));
                lower.iter().any(|v| v.contains(&hex)) && signed_seconds(provider, t) == signed_at
            });
            assert!(
                found,
                "{provider} verified, but no t in {values:?} has its MAC present with signed_at {signed_at:?}"
            );
        }
        Provider::DocuSeal => {
            let found = values.iter().any(|v| {
                trim_ows(v).split_once('.').is_some_and(|(t, hex)| {
                    hex_decode(hex).as_deref()
                        == Some(&hmac_sha256(key, &[t.as_bytes(), b".", body])[..])
                        && signed_seconds(provider, t) == signed_at
                })
            });
            assert!(
                found,
                "docuseal verified, but {values:?} is not <t>.<hex MAC of t.body> with t = signed_at {signed_at:?}"
            );
        }
        Provider::Documenso => assert!(
            values.iter().any(|v| trim_ows(v) == secret),
            "documenso verified, but no value is the matched secret: {values:?}"
        ),
        Provider::OneSpanSign => assert!(
            values.iter().any(|v| {
                let v = trim_ows(v);
                v.len() > 5
                    && v[..5].eq_ignore_ascii_case("basic")
                    && v[5..].starts_with(is_ows)
                    && trim_ows(&v[5..]) == secret
            }),
            "onespan-sign verified, but no value is \"Basic <matched key>\": {values:?}"
        ),
        _ => {}
    }
}

/// Soundness for a proof made of several headers (Box Sign, SignatureAPI; a no-op for the
/// others): a verified delivery presents the tag of the matched secret, recomputed here
/// over the values of the headers it covers (each trimmed of SP/HTAB, as every header is
/// read), and `signed_at` is what the signed timestamp says.
/// - Box Sign: `BOX-SIGNATURE-VERSION` is `1` and `-ALGORITHM` `HmacSHA256`; the primary
///   or the secondary is the base64 HMAC of the body followed by `BOX-DELIVERY-TIMESTAMP`.
/// - SignatureAPI: one of at most 8 `v1,<base64>` entries of `webhook-signature` (space
///   separated) is the HMAC of `<webhook-id>.<webhook-timestamp>.<body>` under the
///   `whsec_` key decoded.
pub fn assert_signed_headers_present(
    provider: Provider,
    secret: &str,
    headers: &Headers,
    body: &[u8],
    signed_at: Option<i64>,
) {
    let get = |name: &str| headers.get(name).map(trim_ows);
    match provider {
        Provider::BoxSign => {
            assert_eq!(
                (get(BOX_VERSION), get(BOX_ALGORITHM)),
                (Some("1"), Some("HmacSHA256")),
                "box-sign verified with another version or algorithm"
            );
            let t = get(BOX_TIMESTAMP)
                .unwrap_or_else(|| panic!("box-sign verified without {BOX_TIMESTAMP}"));
            let mac = hmac_sha256(secret.as_bytes(), &[body, t.as_bytes()]);
            let tags: Vec<&str> = [BOX_PRIMARY, BOX_SECONDARY]
                .into_iter()
                .filter_map(get)
                .collect();
            assert!(
                tags.iter()
                    .any(|v| base64_decode_lenient(v).as_deref() == Some(&mac[..])),
                "box-sign verified, but neither signature header is the base64 MAC {} of the body followed by {t:?}: {tags:?}",
                base64_padded(&mac)
            );
            assert_eq!(
                signed_seconds(provider, t),
                signed_at,
                "box-sign signed_at is not {BOX_TIMESTAMP} {t:?}"
            );
        }
        Provider::SignatureApi => {
            let name = provider.proof_header();
            let (Some(value), Some(id), Some(t)) = (get(name), get(SWH_ID), get(SWH_TIMESTAMP))
            else {
                panic!("signatureapi verified without {name}, {SWH_ID} and {SWH_TIMESTAMP}");
            };
            let mac = hmac_sha256(
                &standard_webhooks_key(secret),
                &[id.as_bytes(), b".", t.as_bytes(), b".", body],
            );
            let v1: Vec<&str> = value
                .split(' ')
                .filter_map(|entry| entry.split_once(','))
                .filter(|(version, _)| *version == "v1")
                .map(|(_, tag)| tag)
                .collect();
            assert!(
                v1.len() <= 8,
                "signatureapi verified with {} v1 entries",
                v1.len()
            );
            assert!(
                v1.iter()
                    .any(|tag| base64_decode_lenient(tag).as_deref() == Some(&mac[..])),
                "signatureapi verified, but no v1 entry is the base64 MAC {} of {id:?}.{t:?}.<body>: {value:?}",
                base64_padded(&mac)
            );
            assert_eq!(
                signed_seconds(provider, t),
                signed_at,
                "signatureapi signed_at is not {SWH_TIMESTAMP} {t:?}"
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
    // `to_json` writes data.raw without checking it again; serde's path checks it: the two
    // must agree byte for byte.
    assert_eq!(
        event.to_json(),
        json,
        "to_json differs from serde_json::to_string"
    );
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

/// What `normalize` answers for a verified delivery whose body parses, from the event time
/// (RFC 3339, the crate's own reading) and the bounds; only a time the proof covers counts
/// (the whole body is signed, or the event metadata with its time):
/// - more than `skew` seconds after `now` (the time floored to seconds): `event_too_new`;
/// - more than `max_age` seconds before `now`: `event_too_old`;
/// - no readable time: passes for a body proof, but is `event_too_old` for a proof of the
///   event metadata only when a maximum age is set (security review T3-5);
/// - under a timestamped MAC (the body with a signed timestamp), only the first rule, on
///   the body's own time (the caller passes none where the signed timestamp is the
///   event's time): the timestamp's window is the replay bound.
pub fn bound_verdict(
    covers: Covers,
    time: Option<&str>,
    now: i64,
    max_age: Option<u64>,
    skew: u64,
) -> Result<(), &'static str> {
    if !matches!(
        covers,
        Covers::Body | Covers::EventMetadata | Covers::TimestampAndBody
    ) {
        return Ok(());
    }
    let Some(ms) = time.and_then(crate::oracle::rfc3339_millis) else {
        return match (covers, max_age) {
            (Covers::EventMetadata, Some(_)) => Err("event_too_old"),
            _ => Ok(()),
        };
    };
    let at = ms.div_euclid(1000);
    let ahead = at.saturating_sub(now);
    if ahead > 0 && ahead.unsigned_abs() > skew {
        return Err("event_too_new");
    }
    // Under a timestamped MAC the timestamp's window is the replay bound: no age here.
    if covers == Covers::TimestampAndBody {
        return Ok(());
    }
    let age = now.saturating_sub(at);
    match max_age {
        Some(max) if age > 0 && age.unsigned_abs() > max => Err("event_too_old"),
        _ => Ok(()),
    }
}

/// The outcome a reference predicts: the matched key index, or an error code.
pub type Outcome = Result<usize, &'static str>;

pub fn outcome_of(got: &Result<signhook::Verified<'_>, signhook::Error>) -> Outcome {
    match got {
        Ok(v) => Ok(v.verification().key),
        // Codes are `&'static str` in the crate.
        Err(e) => Err(e.code()),
    }
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
    let clients = target.takes_client_ids();
    let in_body = inbody::scheme_of(target);
    let named = values_named(&m.headers, target.proof_header());
    // Headers that may carry the tag (Box Sign: the primary or the secondary).
    let carriers: Vec<&Header> = tag_names(target)
        .into_iter()
        .flat_map(|n| values_named(&m.headers, n))
        .collect();
    let values = proof_values(target, &headers);

    // Normalization never panics, verified or not.
    let normalized = normalize_unverified(target, body);
    if let Ok(event) = &normalized {
        check_event(target, event, body);
        assert!(event.data.verification.is_none());
    }
    // A provider whose body is one JSON object normalizes exactly the bodies serde_json
    // reads as an object: the crate's own JSON reader neither refuses valid JSON nor
    // accepts anything else. (Dropbox Sign also takes multipart; PandaDoc takes arrays.)
    if !matches!(target, Provider::DropboxSign | Provider::PandaDoc) {
        let object = std::str::from_utf8(body).is_ok_and(|text| {
            text.trim_start_matches([' ', '\t', '\n', '\r'])
                .starts_with('{')
                && serde_json::from_str::<&serde_json::value::RawValue>(text).is_ok()
        });
        assert_eq!(
            normalized.is_ok(),
            object,
            "normalize and serde_json disagree on a JSON object: {:?}",
            normalized.as_ref().err()
        );
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
            // A proof in the body is only looked for once the body is read.
            (Ok(()), Err(e)) if in_body.is_some() && e.code() == "missing_signature" => {}
            (Ok(()), Err(e)) => assert!(
                !BODILESS.contains(&e.code()),
                "precheck passed, verify says {}",
                e.code()
            ),
            (Ok(()), Ok(_)) => {}
        }
    }

    // A proof in the body: the exact outcome, against the reference reader.
    if let Some(scheme) = &in_body {
        if body.len() <= config.max_body_bytes {
            // Dropbox Sign's multipart body: compared when it has the canonical layout the
            // reference reads (`inbody::json_payload`); other layouts are the crate's reader's.
            if let Some(json) = inbody::json_payload(target, body) {
                let want = inbody::reference(scheme, json, &s.valid_secrets);
                assert_eq!(outcome_of(&result), want, "in-body proof of {target}");
            }
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
            let verification = v.verification();
            let key = verification.key;
            if let Some(covers) = documented_covers(target) {
                assert_eq!(verification.covers, covers, "what {target}'s proof covers");
            }
            assert_eq!(
                v.signed_at().is_some(),
                target.signs_timestamp(),
                "signed_at for {target}"
            );
            if clients {
                assert!(key < config.client_ids.len());
                let id = v
                    .client_id()
                    .expect("a client-id provider gives the client id");
                assert_eq!(config.client_ids[key], id, "client id key index");
                assert!(
                    values.iter().any(|v| v.contains(id)),
                    "echoed client id {id:?} not presented in {values:?}"
                );
            } else {
                assert!(key < config.secrets.len(), "key index {key} out of range");
                if in_body.is_none() {
                    let secret = &s.valid_secrets[key];
                    assert_mac_present(target, secret, &values, body, v.signed_at());
                    assert_signed_headers_present(target, secret, &headers, body, v.signed_at());
                }
                if target == Provider::DocuSign {
                    assert!(
                        docusign_digest_ok(&headers),
                        "docusign verified with another digest algorithm"
                    );
                }
                if let Some(at) = v.signed_at() {
                    assert!(
                        signed_window_ok(target, at, now, config.tolerance_seconds),
                        "signed_at {at} outside the window of {now}"
                    );
                }
            }
            match verification.covers {
                // One byte changed: the MAC no longer matches.
                Covers::Body | Covers::TimestampAndBody if !body.is_empty() => {
                    let mut mutated = body.to_vec();
                    let i = usize::from(input.flip_at) % mutated.len();
                    mutated[i] ^= input.flip_xor.max(1);
                    let again = verify(target, &headers, &mutated, config, now);
                    assert!(
                        again.is_err(),
                        "a body with byte {i} changed still verifies"
                    );
                }
                // The body is not covered: any other body (within the limit) passes too.
                Covers::ClientId | Covers::SharedSecret => {
                    let again = verify(target, &headers, &body[..0], config, now);
                    assert!(again.is_ok(), "{target}'s verdict depends on the body");
                }
                Covers::EventMetadata => {
                    let scheme =
                        in_body.expect("an event-metadata proof without an in-body scheme");
                    check_metadata_mutations(
                        target,
                        &scheme,
                        input,
                        &m,
                        &headers,
                        config,
                        &s.valid_secrets,
                        key,
                    );
                }
                _ => {}
            }
            // Verified ⇒ normalize never panics, agrees with the unverified reading, and
            // answers exactly what the bounds say of the time the proof covers.
            let max_age = input.max_age.value();
            #[cfg(not(feature = "old-api"))]
            let skew = config.max_clock_skew_seconds;
            #[cfg(feature = "old-api")]
            let skew = u64::MAX;
            let expected: Result<(), &str> = match &normalized {
                Err(e) => Err(e.code()),
                Ok(plain) => {
                    // Under a timestamped MAC, the body's own time only: Zigned's event
                    // time is always its signed `t`, and a time equal to the signed one
                    // is the timestamp's, checked with the proof.
                    let time = match verification.covers {
                        Covers::TimestampAndBody
                            if target == Provider::Zigned
                                || plain
                                    .time
                                    .as_deref()
                                    .and_then(crate::oracle::rfc3339_millis)
                                    .map(|ms| ms.div_euclid(1000))
                                    == v.signed_at() =>
                        {
                            None
                        }
                        _ => plain.time.as_deref(),
                    };
                    bound_verdict(verification.covers, time, now, max_age, skew)
                }
            };
            let got = v.normalize();
            assert_eq!(
                got.as_ref().map(|_| ()).map_err(|e| e.code()),
                expected,
                "normalize: {:?} (covers {:?}, time {:?}, now {now}, max age {max_age:?}, skew {skew})",
                got.as_ref().err().map(|e| e.message()),
                verification.covers,
                normalized.as_ref().ok().and_then(|p| p.time.clone()),
            );
            if let (Ok(event), Ok(plain)) = (&got, &normalized) {
                check_event(target, event, body);
                assert_eq!(event.data.verification, Some(verification));
                assert_eq!(plain.event_type, event.event_type);
                // A signed timestamp may stand in for a missing time (and id).
                if !target.signs_timestamp() {
                    assert_eq!(plain.id, event.id);
                    assert_eq!(plain.time, event.time);
                }
            }
        }
        Err(e) => {
            assert!(!e.code().is_empty() && !e.message().is_empty());
            let configured = if clients {
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
            } else if carriers.is_empty() && in_body.is_none() {
                let want = if clients {
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
    if in_body.is_none()
        && named.len() == 1
        && body.len() <= config.max_body_bytes
        && !has_other_whitespace(&named[0].value)
    {
        let h = named[0];
        if clients {
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
            let valid = s.valid_secrets.contains(&p.key);
            let window_ok = match &p.t {
                Some(t) => signed_seconds(p.provider, t).is_some_and(|t| {
                    signed_window_ok(p.provider, t, now, config.tolerance_seconds)
                }),
                None => true,
            };
            let digest_ok = target != Provider::DocuSign || docusign_digest_ok(&headers);
            // The other headers of the proof (Box Sign, SignatureAPI) are the ones written
            // with this value and no others of their names, without other whitespace.
            let alone = signed_names(target)
                .into_iter()
                .filter(|n| !n.eq_ignore_ascii_case(target.proof_header()))
                .all(|n| {
                    let mine = p
                        .companions
                        .iter()
                        .filter(|(c, _)| c.eq_ignore_ascii_case(n))
                        .count();
                    values_named(&m.headers, n).len() == mine
                })
                && p.companions.iter().all(|(_, v)| !has_other_whitespace(v));
            if p.provider == target && p.accepted && valid && window_ok && digest_ok && alone {
                let first = if documented_covers(target) == Some(Covers::SharedSecret) {
                    // A bearer secret: the first configured one equal to it.
                    s.valid_secrets.iter().position(|k| *k == p.key)
                } else {
                    // The first configured secret whose MAC matches (HMAC keys can be
                    // equivalent: "k" and "k\0", or a long key and its hash).
                    let message: Vec<&[u8]> = match (p.provider, &p.t, &p.id) {
                        (Provider::BoxSign, Some(t), _) => vec![body, t.as_bytes()],
                        (Provider::SignatureApi, Some(t), Some(id)) => {
                            vec![id.as_bytes(), b".", t.as_bytes(), b".", body]
                        }
                        (_, Some(t), _) => vec![t.as_bytes(), b".", body],
                        _ => vec![body],
                    };
                    let want = hmac_sha256(&mac_key(target, &p.key), &message);
                    s.valid_secrets
                        .iter()
                        .position(|k| hmac_sha256(&mac_key(target, k), &message) == want)
                };
                match &result {
                    // DocuSign: another numbered header may carry an earlier key's MAC.
                    Ok(v) if target == Provider::DocuSign => assert!(
                        first.is_some_and(|f| v.verification().key <= f),
                        "matched key index {} after {first:?}",
                        v.verification().key
                    ),
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

/// An event-metadata proof (SignWell): one changed byte anywhere, in `data`, and in each
/// covered value; the verdict always equals the reference's. A changed `data` with the
/// same metadata still verifies (the payload is not covered); a changed type, time or
/// hash is refused.
#[allow(clippy::too_many_arguments)]
fn check_metadata_mutations(
    target: Provider,
    scheme: &inbody::InBodyScheme,
    input: &Delivery,
    m: &Materialized,
    headers: &Headers,
    config: &signhook::VerifyConfig,
    valid: &[String],
    key: usize,
) {
    let body = &m.body[..];
    // The payload the proof is read from (Dropbox Sign's multipart `json` field in its
    // canonical layout; else the body): mutations stay inside it.
    let Some(json) = inbody::json_payload(target, body) else {
        return;
    };
    if json.is_empty() {
        return;
    }
    let offset = json.as_ptr() as usize - body.as_ptr() as usize;
    let original = inbody::extract(scheme, json);
    assert!(original.is_ok(), "a verified body is a JSON object");
    let tag_of = |e: &inbody::Extracted| -> Option<(Option<Vec<u8>>, Option<String>)> {
        e.as_ref()
            .ok()
            .map(|(h, msg)| (h.as_deref().and_then(|h| hex_decode(h.trim())), msg.clone()))
    };
    let at = |r: &std::ops::Range<usize>| {
        (!r.is_empty()).then(|| r.start + usize::from(input.flip_at) % r.len())
    };
    let mut spots: Vec<(usize, &str)> =
        vec![(offset + usize::from(input.flip_at) % json.len(), "anywhere")];
    if let (Some(r), 0) = (&m.rendered, offset) {
        spots.extend(r.data_at.as_ref().and_then(at).map(|i| (i, "data")));
        spots.extend(at(&r.type_at).map(|i| (i, "type")));
        spots.extend(at(&r.time_at).map(|i| (i, "time")));
        spots.extend(r.hash_at.as_ref().and_then(at).map(|i| (i, "hash")));
    }
    for (i, part) in spots {
        let mut mutated = body.to_vec();
        mutated[i] ^= input.flip_xor.max(1);
        let got = verify(target, headers, &mutated, config, m.now);
        let Some(payload) = inbody::json_payload(target, &mutated) else {
            continue;
        };
        let want = inbody::reference(scheme, payload, valid);
        assert_eq!(
            outcome_of(&got),
            want,
            "{part} byte {i} changed: verdict differs from the reference"
        );
        let now_read = inbody::extract(scheme, payload);
        if part == "data" && now_read == original {
            assert_eq!(
                outcome_of(&got),
                Ok(key),
                "data changed, metadata the same: must still verify (covers event metadata only)"
            );
        }
        if part != "data" && part != "anywhere" && tag_of(&now_read) != tag_of(&original) {
            assert!(got.is_err(), "{part} changed and the proof still verifies");
        }
    }
}

/// The `diagnose` target's input: an optional provider and a delivery.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DiagnoseInput {
    /// 0: none (detect), `i` in 1..=`Provider::ALL.len()`: `Provider::ALL[i - 1]`.
    pub provider: u8,
    pub delivery: Delivery,
}

impl DiagnoseInput {
    pub fn decode(r: &mut crate::codec::Reader) -> DiagnoseInput {
        let provider = r.tag(Provider::ALL.len() as u8 + 1);
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
            // Accepted: verify passes and normalize does not refuse it by a bound (a
            // replay, a time ahead of the clock, too many events).
            let verified = verify(p, &headers, body, &s.config, m.now);
            let accepted = match &verified {
                Ok(v) => !matches!(
                    v.normalize_all(),
                    Err(e) if matches!(e.code(), "event_too_old" | "event_too_new" | "too_many_events")
                ),
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
