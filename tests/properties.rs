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
    normalize_unverified, sign, verify, ErrorKind, Headers, Provider, Secret, VerifyConfig,
};

const NOW: i64 = 1_731_340_000;

fn config() -> VerifyConfig {
    VerifyConfig {
        secrets: vec![
            Secret::new("s3cret").unwrap(),
            Secret::new("other").unwrap(),
        ],
        client_ids: vec!["client-a".into()],
        ..VerifyConfig::default()
    }
}

fn provider() -> impl Strategy<Value = Provider> {
    prop::sample::select(Provider::ALL.to_vec())
}

/// Header names that matter, plus noise; values from the shapes the parsers expect.
fn headers() -> impl Strategy<Value = Headers> {
    let name = prop::sample::select(vec![
        "X-ZS-WEBHOOK-SIGNATURE",
        "x-yousign-signature-256",
        "X-Zigned-Request-Signature",
        "X-AdobeSign-ClientId",
        "content-type",
    ]);
    let value = prop_oneof![
        ".*",
        "(t=[0-9]{0,20}|v1=[0-9a-f]{0,70}|v0=x|[ ,=]){0,6}",
        "(sha256=)?[0-9a-fA-F]{0,70}",
        "[A-Za-z0-9+/=]{0,50}",
        Just("client-a".to_owned()),
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
    fn no_input_panics(p in provider(), h in headers(), body in prop::collection::vec(any::<u8>(), 0..256), now in any::<i64>(), tol in any::<u64>()) {
        let mut config = config();
        config.tolerance_seconds = tol;
        if let Ok(v) = verify(p, &h, &body, &config, now) {
            let _ = v.normalize();
        }
        let _ = normalize_unverified(p, &body);
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
        prop_assert_eq!(&json["data"]["raw"], &serde_json::from_slice::<serde_json::Value>(&body).unwrap());
    }

    #[test]
    fn flipping_a_body_byte_is_a_mismatch(p in prop::sample::select(vec![Provider::ZohoSign, Provider::Zigned, Provider::Yousign]), body in prop::collection::vec(any::<u8>(), 1..200), index in any::<prop::sample::Index>(), bit in 0u8..8) {
        let signed = sign(p, "s3cret", &body, NOW).unwrap();
        let headers: Headers = signed.into_iter().collect();
        prop_assert!(verify(p, &headers, &body, &config(), NOW).is_ok());
        let mut tampered = body.clone();
        let i = index.index(tampered.len());
        tampered[i] ^= 1 << bit;
        let err = verify(p, &headers, &tampered, &config(), NOW).unwrap_err();
        prop_assert_eq!(err.kind(), ErrorKind::SignatureMismatch);
    }

    #[test]
    fn flipping_a_signature_bit_is_a_mismatch(p in prop::sample::select(vec![Provider::ZohoSign, Provider::Zigned, Provider::Yousign]), body in prop::collection::vec(any::<u8>(), 0..200), byte in 0usize..32, bit in 0u8..8) {
        use base64::Engine as _;
        let b64 = base64::engine::general_purpose::STANDARD;
        let signed: Headers = sign(p, "s3cret", &body, NOW).unwrap().into_iter().collect();
        let value = signed.get(p.proof_header()).unwrap().to_owned();
        // Decode the tag, flip one bit, encode it back the provider's way.
        let forged = match p {
            Provider::ZohoSign => {
                let mut tag = b64.decode(&value).unwrap();
                tag[byte] ^= 1 << bit;
                b64.encode(tag)
            }
            Provider::Yousign => format!("sha256={}", flip_hex(value.trim_start_matches("sha256="), byte, bit)),
            _ => {
                let (t, v1) = value.split_once(",v1=").unwrap();
                format!("{t},v1={}", flip_hex(v1, byte, bit))
            }
        };
        let headers: Headers = [(p.proof_header(), forged)].into_iter().collect();
        let err = verify(p, &headers, &body, &config(), NOW).unwrap_err();
        prop_assert_eq!(err.kind(), ErrorKind::SignatureMismatch);
    }
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
