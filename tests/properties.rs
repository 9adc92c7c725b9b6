//! Properties over arbitrary input: nothing panics, every single-byte change to a signed
//! delivery is caught, and any JSON object normalizes.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use proptest::prelude::*;
use signhook::{
    diagnose, normalize_unverified, sign, sign_body, sign_query, verify, Covers, ErrorKind,
    Headers, ProofAt, Provider, Secret, VerifyConfig,
};

const NOW: i64 = 1_731_340_000;

/// The key every property signs with: a `whsec_<base64>` text, which every provider takes
/// (as its text, or decoded where the scheme says so: SignatureAPI).
const KEY: &str = "whsec_czNjcmV0LWtleS0wMTIzNDU2Nzg5";

fn config() -> VerifyConfig {
    VerifyConfig {
        secrets: vec![Secret::new(KEY).unwrap(), Secret::new("other").unwrap()],
        client_ids: vec!["client-a".into()],
        ..VerifyConfig::default()
    }
}

fn provider() -> impl Strategy<Value = Provider> {
    prop::sample::select(Provider::ALL.to_vec())
}

/// Every provider proven by an HMAC over the body (all but Acrobat Sign's client id, the
/// bearer secrets of Documenso and OneSpan Sign, and SignWell's MAC of the event's type and
/// time only, in the body).
fn hmac_providers() -> Vec<Provider> {
    Provider::ALL
        .into_iter()
        .filter(|p| {
            !p.takes_client_ids()
                && !shared_secret_providers().contains(p)
                && p.proof_at() == ProofAt::Header
        })
        .collect()
}

/// The providers whose proof is a bearer secret sent as is (no MAC).
fn shared_secret_providers() -> Vec<Provider> {
    vec![Provider::Documenso, Provider::OneSpanSign]
}

/// What `data.raw` must hold for `p`: the payload with the string values of its
/// credential keys replaced (a tree model of the core's streaming redaction).
fn redacted_model(p: Provider, value: &serde_json::Value) -> serde_json::Value {
    use serde_json::Value;
    let keys: &[&str] = match p {
        Provider::Documenso => &["token", "password"],
        Provider::DropboxSign => &["signing_url"],
        Provider::PandaDoc => &["shared_link"],
        _ => &[],
    };
    match value {
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| {
                    let v = match v {
                        Value::String(_) if keys.contains(&k.as_str()) => {
                            Value::String("[redacted]".into())
                        }
                        other => redacted_model(p, other),
                    };
                    (k.clone(), v)
                })
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(|v| redacted_model(p, v)).collect()),
        other => other.clone(),
    }
}

/// The providers the HMAC properties below cover are exactly those whose signed delivery
/// verifies as an HMAC over the body (with or without a signed timestamp).
#[test]
fn the_hmac_providers_are_those_that_mac_the_body() {
    let body = b"{}";
    for p in Provider::ALL {
        let headers: Headers = sign(p, KEY, body, NOW).unwrap().into_iter().collect();
        let covers = verify(p, &headers, body, &config(), NOW)
            .ok()
            .map(|v| v.verification().covers);
        let macs_body = matches!(covers, Some(Covers::Body | Covers::TimestampAndBody));
        assert_eq!(hmac_providers().contains(&p), macs_body, "{p}: {covers:?}");
    }
}

#[test]
fn shared_secret_providers_take_the_secret_itself() {
    for p in shared_secret_providers() {
        assert!(!p.takes_client_ids() && !p.signs_timestamp());
        let body = br#"{"event":"DOCUMENT_SIGNED","name":"PACKAGE_COMPLETE"}"#;
        let headers: Headers = sign(p, "other", body, NOW).unwrap().into_iter().collect();
        let verified = verify(p, &headers, body, &config(), NOW).unwrap();
        let v = verified.verification();
        assert_eq!(
            (v.key, v.covers, v.scheme),
            (
                1,
                signhook::Covers::SharedSecret,
                signhook::Scheme::SharedSecret
            ),
            "{p}"
        );
        // No MAC: any body passes with the secret (the reason origin must re-fetch).
        assert!(verify(p, &headers, b"{}", &config(), NOW).is_ok());
        let wrong: Headers = sign(p, "s3cret-", body, NOW).unwrap().into_iter().collect();
        assert_eq!(
            verify(p, &wrong, body, &config(), NOW).unwrap_err().kind(),
            ErrorKind::SignatureMismatch,
            "{p}"
        );
    }
}

/// Any `i64`, with the edges drawn often.
fn extreme_i64() -> impl Strategy<Value = i64> {
    prop_oneof![
        any::<i64>(),
        Just(i64::MIN),
        Just(i64::MAX),
        Just(0),
        Just(NOW),
        Just(NOW * 1000),
    ]
}

/// Header names that matter, plus noise; values from the shapes the parsers expect.
fn headers() -> impl Strategy<Value = Headers> {
    let name = prop::sample::select(vec![
        "X-ZS-WEBHOOK-SIGNATURE",
        "x-yousign-signature-256",
        "X-Zigned-Request-Signature",
        "X-AdobeSign-ClientId",
        "X-DocuSign-Signature-1",
        "x-docusign-signature-2",
        "x-authorization-digest",
        "X-Docuseal-Signature",
        "X-Documenso-Secret",
        "Authorization",
        "content-type",
    ]);
    let value = prop_oneof![
        ".*",
        "(t=-?[0-9]{0,20}|v1=[0-9a-f]{0,70}|v0=x|[ ,=]){0,6}",
        Just("t=-9223372036854775808,v1=abab".to_owned()),
        "(sha256=)?[0-9a-fA-F]{0,70}",
        "-?[0-9]{0,20}\\.[0-9a-f]{0,70}",
        "[A-Za-z0-9+/=]{0,50}",
        Just("client-a".to_owned()),
        Just(KEY.to_owned()),
        "(Basic|basic|Bearer)?[ \t]{0,2}(s3cret|other)?[ \t]{0,2}",
    ];
    prop::collection::vec((name, value), 0..4).prop_map(|pairs| pairs.into_iter().collect())
}

/// JSON values whose object keys are the ones the providers' wire structs read, so that
/// every field sees every kind of value (string, number, null, array, object).
fn json_value() -> impl Strategy<Value = serde_json::Value> {
    use serde_json::Value;
    let key = prop::sample::select(vec![
        "requests",
        "notifications",
        "operation_type",
        "performed_at",
        "request_id",
        "actions",
        "action_id",
        "document_ids",
        "event",
        "event_type",
        "data",
        "id",
        "agreement",
        "documents",
        "participant",
        "event_id",
        "event_name",
        "event_time",
        "sandbox",
        "signature_request",
        "signer",
        "info",
        "webhookNotificationId",
        "eventDate",
        "agreement",
        "participantSetsInfo",
        "participantSets",
        "memberInfos",
        "documentsInfo",
        "actionType",
        "updated_at",
        "test_mode",
        "status",
        "email",
        "name",
        "generatedDateTime",
        "envelopeId",
        "recipientId",
        "envelopeSummary",
        "recipients",
        "signers",
        "envelopeDocuments",
        "sender",
        "timestamp",
        "submission",
        "submission_id",
        "template",
        "decline_reason",
        "payload",
        "token",
        "password",
        "Recipient",
        "signingStatus",
        "createdAt",
        "packageId",
        "createdDate",
        "x",
    ]);
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_map(Value::from),
        ".{0,12}".prop_map(Value::String),
        Just(Value::String("2024-05-30T22:57:28Z".into())),
    ];
    leaf.prop_recursive(4, 48, 6, move |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::vec((key.clone(), inner), 0..6).prop_map(|kv| {
                Value::Object(kv.into_iter().map(|(k, v)| (k.to_owned(), v)).collect())
            }),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn no_input_panics(p in provider(), h in headers(), body in prop::collection::vec(any::<u8>(), 0..256), now in extreme_i64(), tol in prop_oneof![any::<u64>(), Just(u64::MAX), Just(0u64)]) {
        let mut config = config();
        config.tolerance_seconds = tol;
        if let Ok(v) = verify(p, &h, &body, &config, now) {
            let _ = v.normalize();
        }
        let _ = normalize_unverified(p, &body);
        // The diagnosis too (security review L-1), with or without a provider.
        let _ = diagnose(Some(p), &h, &body, &config, now);
        let _ = diagnose(None, &h, &body, &config, now);
    }

    #[test]
    fn any_json_object_normalizes(p in provider(), fields in prop::collection::vec((".{0,8}", json_value()), 0..4), inner in json_value()) {
        let mut object: serde_json::Map<String, serde_json::Value> = fields.into_iter().collect();
        object.insert("data".into(), inner.clone());
        object.insert("requests".into(), inner.clone());
        object.insert("agreement".into(), inner);
        let body = serde_json::to_vec(&serde_json::Value::Object(object)).unwrap();
        let event = normalize_unverified(p, &body).unwrap();
        let json: serde_json::Value = serde_json::from_str(&event.to_json()).unwrap();
        let sent: serde_json::Value = serde_json::from_slice(&body).unwrap();
        prop_assert_eq!(&json["data"]["raw"], &redacted_model(p, &sent));
    }

    #[test]
    fn redaction_keeps_json_valid_and_only_touches_credentials(value in json_value(), pretty in any::<bool>(), p in provider()) {
        let object = serde_json::json!({ "event": "DOCUMENT_SIGNED", "payload": value.clone(), "x": [value] });
        let body = if pretty { serde_json::to_vec_pretty(&object) } else { serde_json::to_vec(&object) }.unwrap();
        let event = normalize_unverified(p, &body).unwrap();
        let raw = event.data.raw.get();
        // Still valid JSON, equal to the model, and nothing else changed.
        let parsed: serde_json::Value = serde_json::from_str(raw).unwrap();
        // Compared with the body as parsed (floats may not round-trip through the text).
        let sent: serde_json::Value = serde_json::from_slice(&body).unwrap();
        let model = redacted_model(p, &sent);
        prop_assert_eq!(&parsed, &model);
        if model == sent {
            prop_assert_eq!(raw.as_bytes(), body.as_slice());
        }
        // to_json writes the event by hand, data.raw as it is; serde's derive: the same bytes.
        prop_assert_eq!(event.to_json(), serde_json::to_string(&event).unwrap());
        prop_assert!(serde_json::from_str::<serde_json::Value>(&event.to_json()).is_ok());
    }

    #[test]
    fn flipping_a_body_byte_is_a_mismatch(p in prop::sample::select(hmac_providers()), body in prop::collection::vec(any::<u8>(), 1..200), index in any::<prop::sample::Index>(), bit in 0u8..8) {
        let signed = sign(p, KEY, &body, NOW).unwrap();
        let headers: Headers = signed.into_iter().collect();
        prop_assert!(verify(p, &headers, &body, &config(), NOW).is_ok());
        let mut tampered = body.clone();
        let i = index.index(tampered.len());
        tampered[i] ^= 1 << bit;
        let err = verify(p, &headers, &tampered, &config(), NOW).unwrap_err();
        prop_assert_eq!(err.kind(), ErrorKind::SignatureMismatch);
    }

    #[test]
    fn flipping_a_signature_bit_is_a_mismatch(p in prop::sample::select(hmac_providers()), body in prop::collection::vec(any::<u8>(), 0..200), byte in 0usize..32, bit in 0u8..8) {
        use base64::Engine as _;
        let b64 = base64::engine::general_purpose::STANDARD;
        let signed: Headers = sign(p, KEY, &body, NOW).unwrap().into_iter().collect();
        let value = signed.get(p.proof_header()).unwrap().to_owned();
        // The tag in the proof header, wherever the provider writes it (64 hex digits, or
        // 44 characters of base64), with one bit flipped and encoded back the same way.
        let forged = match hex_run(&value) {
            Some(at) => format!("{}{}{}", &value[..at], flip_hex(&value[at..at + 64], byte, bit), &value[at + 64..]),
            None => {
                let at = value.len() - 44;
                let mut tag = b64.decode(&value[at..]).unwrap();
                tag[byte] ^= 1 << bit;
                format!("{}{}", &value[..at], b64.encode(tag))
            }
        };
        let headers: Headers = signed
            .iter()
            .map(|(n, v)| {
                // Every header carrying the same signature (Box Sign's primary and secondary).
                let v = if v == value { forged.as_str() } else { v };
                (n.to_owned(), v.to_owned())
            })
            .collect();
        let err = verify(p, &headers, &body, &config(), NOW).unwrap_err();
        prop_assert_eq!(err.kind(), ErrorKind::SignatureMismatch);
    }
}

proptest! {
    /// A proof in the URL (PandaDoc's `?signature=`) covers the exact body: any body signed
    /// verifies; one flipped bit is a mismatch; the same parameter twice is malformed.
    #[test]
    fn query_proofs_cover_the_body(body in prop::collection::vec(any::<u8>(), 1..200), index in any::<prop::sample::Index>(), bit in 0u8..8) {
        for p in Provider::ALL.into_iter().filter(|p| p.proof_at() == ProofAt::Query) {
            let query = sign_query(p, KEY, &body, NOW).unwrap();
            let mut headers: Headers = sign(p, KEY, &body, NOW).unwrap().into_iter().collect();
            headers.set_query(&query);
            prop_assert!(verify(p, &headers, &body, &config(), NOW).is_ok());
            let mut tampered = body.clone();
            tampered[index.index(body.len())] ^= 1 << bit;
            prop_assert_eq!(verify(p, &headers, &tampered, &config(), NOW).unwrap_err().kind(), ErrorKind::SignatureMismatch);
            headers.set_query(&format!("{query}&{query}"));
            prop_assert_eq!(verify(p, &headers, &body, &config(), NOW).unwrap_err().kind(), ErrorKind::MalformedSignature);
        }
    }
}

/// A payload of `p` (a provider whose proof is a MAC of event metadata in the body): its
/// first sample delivery with the signed event time set to `time` (where the registry
/// says it is) and `data` added at the top level, where no proof reaches.
fn metadata_payload(p: Provider, time: i64, data: &serde_json::Value) -> serde_json::Value {
    let sample = p.samples()[0].body.as_bytes();
    let (body, _) = signhook::refresh_times(p, sample, time)
        .unwrap_or_else(|| panic!("{p}'s first sample has no signed time"));
    let mut value: serde_json::Value = serde_json::from_slice(&body).unwrap();
    value["extra"] = data.clone();
    value
}

proptest! {
    /// SignWell and Dropbox Sign MAC only the event's type and time: any payload with a
    /// signed event verifies as `event-metadata`; another time under the same proof fails.
    #[test]
    fn metadata_proofs_cover_the_event_only(p in prop::sample::select(Provider::ALL.into_iter().filter(|p| p.proof_in_body()).collect::<Vec<_>>()), time in 0i64..4_000_000_000, data in json_value(), other in json_value()) {
        let body = serde_json::to_vec(&metadata_payload(p, time, &data)).unwrap();
        let signed = sign_body(p, KEY, &body, NOW).unwrap();
        let headers: Headers = sign(p, KEY, &signed, NOW).unwrap().into_iter().collect();
        let verified = verify(p, &headers, &signed, &config(), NOW).unwrap();
        prop_assert_eq!(verified.verification().covers, Covers::EventMetadata);
        // The same proof with another payload: still verifies (the payload is not covered).
        let value: serde_json::Value = serde_json::from_slice(&signed).unwrap();
        let proof = value.pointer(&format!("/{}", p.proof_header().replace('.', "/"))).unwrap();
        let swapped = with_proof(p, metadata_payload(p, time, &other), proof);
        prop_assert!(verify(p, &headers, &swapped, &config(), NOW).is_ok());
        // Another time under the same proof: refused.
        let moved = with_proof(p, metadata_payload(p, time + 1, &data), proof);
        prop_assert_eq!(verify(p, &headers, &moved, &config(), NOW).unwrap_err().kind(), ErrorKind::SignatureMismatch);
    }
}

/// `payload` with `proof` written at `p`'s proof path (`event.hash`, `event_hash`), as
/// bytes.
fn with_proof(p: Provider, mut payload: serde_json::Value, proof: &serde_json::Value) -> Vec<u8> {
    // `event.hash` → under `/event`; a top-level `event_hash` → at the root.
    let (parent, key) = p
        .proof_header()
        .rsplit_once('.')
        .map_or((String::new(), p.proof_header()), |(parent, key)| {
            (format!("/{}", parent.replace('.', "/")), key)
        });
    payload
        .pointer_mut(&parent)
        .unwrap()
        .as_object_mut()
        .unwrap()
        .insert(key.to_owned(), proof.clone());
    serde_json::to_vec(&payload).unwrap()
}

/// Where the first run of 64 hex digits starts in `value`.
fn hex_run(value: &str) -> Option<usize> {
    let bytes = value.as_bytes();
    (0..=bytes.len().saturating_sub(64)).find(|&i| {
        bytes.len() >= i + 64
            && bytes[i..i + 64].iter().all(u8::is_ascii_hexdigit)
            && (i == 0 || !bytes[i - 1].is_ascii_hexdigit())
    })
}

fn flip_hex(hex: &str, byte: usize, bit: u8) -> String {
    let mut bytes: Vec<u8> = (0..hex.len() / 2)
        .map(|i| u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).unwrap())
        .collect();
    bytes[byte] ^= 1 << bit;
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[test]
fn rotation_reports_the_matching_key_index() {
    let body = br#"{"event_name":"signer.done"}"#;
    let headers: Headers = sign(Provider::Yousign, "other", body, NOW)
        .unwrap()
        .into_iter()
        .collect();
    let verified = verify(Provider::Yousign, &headers, body, &config(), NOW).unwrap();
    assert_eq!(verified.verification().key, 1);
    assert!(
        !format!("{verified:?}").contains("other"),
        "a secret leaked through Debug"
    );
}

#[test]
fn size_limit_comes_first() {
    let config = VerifyConfig {
        max_body_bytes: 8,
        ..config()
    };
    let err = verify(
        Provider::ZohoSign,
        &Headers::new(),
        b"123456789",
        &config,
        NOW,
    )
    .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::PayloadTooLarge);
}

// security review L-3: a verified body never fails normalization because of a value in a
// field we read (the field becomes absent), and ids keep their exact text.
#[test]
fn odd_values_in_read_fields_are_absent_not_errors() {
    let cases: &[(Provider, &str)] = &[
        (
            Provider::ZohoSign,
            r#"{"requests":{"request_id":1e400,"request_name":"\ud800"},"notifications":{"operation_type":"RequestCompleted","performed_at":1e999}}"#,
        ),
        (
            Provider::Yousign,
            r#"{"event_id":"e-1","event_name":"signer.done","event_time":"\udc00","data":{"signature_request":{"id":-1e400,"name":"\ud800x"}}}"#,
        ),
        (
            Provider::Zigned,
            r#"{"event":"agreement.lifecycle.finalized","data":{"id":1e400,"title":"\ud83d"}}"#,
        ),
    ];
    for (provider, body) in cases {
        let headers: Headers = sign(*provider, KEY, body.as_bytes(), NOW)
            .unwrap()
            .into_iter()
            .collect();
        let verified = verify(*provider, &headers, body.as_bytes(), &config(), NOW).unwrap();
        let event = verified
            .normalize()
            .unwrap_or_else(|e| panic!("{provider}: {e}"));
        assert_eq!(event.data.raw.get(), *body, "the payload travels untouched");
    }
    // Integers beyond f64's precision keep every digit.
    let body = br#"{"event_id":123456789012345678901234567890,"event_name":"signer.done","data":{"signature_request":{"id":98765432109876543210}}}"#;
    let event = normalize_unverified(Provider::Yousign, body).unwrap();
    assert_eq!(event.id, "123456789012345678901234567890");
    assert_eq!(event.subject.as_deref(), Some("98765432109876543210"));
}

// security review M-4: where the proof covers the body, the provider's own time in it
// bounds replays.
#[test]
fn event_time_bounds_replays_when_asked() {
    let at = NOW - 3600; // an hour before now
    let zoho = format!(
        r#"{{"requests":{{"request_id":"r-1"}},"notifications":{{"operation_type":"RequestCompleted","performed_at":{}}}}}"#,
        at * 1000
    );
    let yousign = format!(
        r#"{{"event_id":"e-1","event_name":"signer.done","event_time":"{at}","data":{{}}}}"#
    );
    for (provider, body) in [(Provider::ZohoSign, zoho), (Provider::Yousign, yousign)] {
        let headers: Headers = sign(provider, KEY, body.as_bytes(), NOW)
            .unwrap()
            .into_iter()
            .collect();
        let check = |max: Option<u64>, now: i64| {
            let config = VerifyConfig {
                max_event_age_seconds: max,
                ..config()
            };
            verify(provider, &headers, body.as_bytes(), &config, now)
                .unwrap()
                .normalize()
                .map(|_| ())
                .map_err(|e| e.kind())
        };
        assert_eq!(
            check(None, NOW + 10 * 365 * 86400),
            Ok(()),
            "None: no age bound"
        );
        assert_eq!(check(Some(3600), NOW), Ok(()), "exactly at the limit");
        assert_eq!(check(Some(3599), NOW), Err(ErrorKind::EventTooOld));
        assert_eq!(
            check(Some(0), at - 60),
            Ok(()),
            "a time ahead of now, within the clock skew, is not old"
        );
        assert_eq!(check(Some(0), at - 301), Err(ErrorKind::EventTooNew));
        assert_eq!(check(Some(1), i64::MAX), Err(ErrorKind::EventTooOld));
        assert_eq!(check(Some(1), i64::MIN), Err(ErrorKind::EventTooNew));
    }
    // Acrobat Sign's eventDate is not covered by its proof: no bound applies.
    let body = br#"{"webhookNotificationId":"n","event":"AGREEMENT_CREATED","eventDate":"2001-01-01T00:00:00Z"}"#;
    let headers: Headers = [("X-AdobeSign-ClientId", "client-a")].into_iter().collect();
    let config = VerifyConfig {
        max_event_age_seconds: Some(1),
        ..config()
    };
    assert!(verify(Provider::AcrobatSign, &headers, body, &config, NOW)
        .unwrap()
        .normalize()
        .is_ok());
}

/// Fuzz finding F-1: for a bearer secret, `precheck` (before the body is read) says what
/// `verify` says; `Basic` without a key is `missing_signature` in both.
#[test]
fn precheck_agrees_with_verify_on_bearer_secrets() {
    for value in [
        "Basic",
        " BASIC\t ",
        "Basic \t",
        "Bearer x",
        "Basic wrong",
        "Basic s3cret",
    ] {
        let headers: Headers = [("Authorization", value)].into_iter().collect();
        let pre = signhook::precheck(Provider::OneSpanSign, &headers, &config())
            .err()
            .map(|e| e.kind());
        let full = verify(Provider::OneSpanSign, &headers, b"{}", &config(), NOW)
            .err()
            .map(|e| e.kind());
        assert_eq!(pre, full, "{value:?}");
    }
}

/// Fuzz finding F-3: for a proof spread over several headers, `precheck` checks every
/// header `verify` reads before the body, and says what `verify` says. Box Sign signed
/// with its secondary key alone passed `verify` but not `precheck` (the Worker refused a
/// genuine delivery); without its signed time, or SignatureAPI without `webhook-id` or
/// `webhook-timestamp`, it passed `precheck` and the body was read for nothing.
#[test]
fn precheck_agrees_with_verify_on_several_proof_headers() {
    let config = VerifyConfig {
        secrets: vec![Secret::new(KEY).unwrap()],
        ..VerifyConfig::default()
    };
    for p in [Provider::BoxSign, Provider::SignatureApi] {
        let body = p.samples()[0].body.as_bytes();
        let signed: Vec<(String, String)> = sign(p, KEY, body, NOW)
            .unwrap()
            .into_iter()
            .map(|(k, v)| (k.to_string(), v))
            .collect();
        // Every subset of the signed headers (each left out or kept), and each one emptied.
        let n = signed.len();
        let mut cases: Vec<Vec<(String, String)>> = (0..1u32 << n)
            .map(|mask| {
                signed
                    .iter()
                    .enumerate()
                    .filter(|(i, _)| mask & (1 << i) != 0)
                    .map(|(_, (k, v))| (k.clone(), v.clone()))
                    .collect()
            })
            .collect();
        for i in 0..n {
            let mut emptied = signed.clone();
            emptied[i].1 = String::new();
            cases.push(emptied);
        }
        for case in cases {
            let headers: Headers = case.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
            let pre = signhook::precheck(p, &headers, &config)
                .err()
                .map(|e| e.kind());
            let full = verify(p, &headers, body, &config, NOW)
                .err()
                .map(|e| e.kind());
            let names: Vec<&str> = case
                .iter()
                .map(|(k, v)| if v.is_empty() { "(empty)" } else { k.as_str() })
                .collect();
            match full {
                // A failure about the body's MAC or the clock is `verify`'s alone.
                Some(ErrorKind::SignatureMismatch | ErrorKind::TimestampOutOfTolerance) => {
                    assert_eq!(pre, None, "{p} {names:?}")
                }
                full => assert_eq!(pre, full, "{p} {names:?}"),
            }
        }
    }
}

/// What the Worker checks before it reads a body (`precheck`) lets every correctly signed
/// delivery through, whatever its proof (a MAC over the body is not checked before the
/// body is read: Box Sign's and SignatureAPI's once were, over an empty body).
#[test]
fn a_signed_delivery_passes_the_precheck() {
    let config = VerifyConfig {
        secrets: vec![Secret::new(KEY).unwrap()],
        client_ids: vec![KEY.into()],
        ..VerifyConfig::default()
    };
    for p in Provider::ALL {
        let body = p.samples()[0].body.as_bytes();
        let mut headers: Headers = sign(p, KEY, body, NOW).unwrap().into_iter().collect();
        let query = sign_query(p, KEY, body, NOW).unwrap();
        if !query.is_empty() {
            headers.set_query(&query);
        }
        assert!(
            signhook::precheck(p, &headers, &config).is_ok(),
            "{p}: {:?}",
            signhook::precheck(p, &headers, &config).err()
        );
    }
}
