//! The bindings under `wasm-bindgen-test`, what JavaScript sees; run under Node by
//! wasm-bindgen-test-runner (`scripts/test-npm.sh`):
//! `cargo test --target wasm32-unknown-unknown --features js --lib`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use super::*;
use wasm_bindgen_test::wasm_bindgen_test;

// Zoho Sign's own published vector (its webhook docs): verifies, but is not JSON.
const ZOHO_SAMPLE: &[u8] = br#"{{"requests":{"request_name":"Test Name"},"notifications":{"operation_type":"RequestSigningSuccess"}}"#;
const ZOHO_SECRET: &str = "thisisthesamplekeyfortestingpurposes";
const ZOHO_SIGNATURE: &str = "drbSrM4H816RYKpZiRBLddUa0yHaTrwjtY04sIZFZus=";
const ZOHO_JSON: &[u8] = br#"{"requests":{"request_id":"42","request_name":"NDA","request_status":"inprogress"},"notifications":{"operation_type":"RequestSigningSuccess","performed_at":1700000000000,"performed_by_email":"a@example.com"}}"#;

fn code_of(err: &JsValue) -> Option<String> {
    js_sys::Reflect::get(err, &"code".into()).ok()?.as_string()
}

fn status_of(err: &JsValue) -> Option<f64> {
    js_sys::Reflect::get(err, &"status".into()).ok()?.as_f64()
}

fn names(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| (*s).to_owned()).collect()
}

#[wasm_bindgen_test]
fn same_bytes_is_slice_equality() {
    let text: Vec<u8> = (0..40u8).collect();
    for len in 0..text.len() {
        let a = &text[..len];
        let copy = Vec::from(a);
        assert!(same_bytes(a, &copy));
        assert!(!same_bytes(a, &text[..len + 1]));
        for flip in 0..len {
            let mut b = a.to_vec();
            b[flip] ^= 1;
            assert!(!same_bytes(a, &b), "{len} {flip}");
        }
    }
}

#[wasm_bindgen_test]
fn published_zoho_vector_verifies_then_fails_to_normalize_as_malformed() {
    let err = verify_json(
        "zoho-sign",
        names(&["x-zs-webhook-signature"]),
        names(&[ZOHO_SIGNATURE]),
        ZOHO_SAMPLE,
        names(&[ZOHO_SECRET]),
        vec![],
        1_700_000_000.0,
        300.0,
        None,
        None,
        false,
        true,
    )
    .unwrap_err();
    assert!(err.is_instance_of::<js_sys::Error>());
    // Past the MAC: the failure is the body, not the signature.
    assert_eq!(code_of(&err).as_deref(), Some("malformed_payload"));
    assert_eq!(status_of(&err), Some(400.0));
}

#[wasm_bindgen_test]
fn signed_zoho_delivery_round_trips_to_an_event() {
    let headers = sign_headers("zoho-sign", "s3cret", ZOHO_JSON, 0.0).unwrap();
    let signature = js_sys::Reflect::get(&headers, &"X-ZS-WEBHOOK-SIGNATURE".into())
        .unwrap()
        .as_string()
        .unwrap();
    let json = verify_json(
        "zoho-sign",
        names(&["Content-Type", "X-ZS-WEBHOOK-SIGNATURE"]),
        vec!["application/json".into(), signature],
        ZOHO_JSON,
        names(&["old", "s3cret"]),
        vec![],
        1_700_000_000.0,
        300.0,
        None,
        None,
        false,
        true,
    )
    .unwrap();
    let event = js_sys::JSON::parse(&json.as_string().unwrap()).unwrap();
    let get = |obj: &JsValue, key: &str| js_sys::Reflect::get(obj, &key.into()).unwrap();
    assert_eq!(
        get(&event, "type").as_string().as_deref(),
        Some("esign.participant.signed")
    );
    assert_eq!(get(&event, "subject").as_string().as_deref(), Some("42"));
    let data = get(&event, "data");
    // The second secret matched: rotation reports which one.
    assert_eq!(get(&get(&data, "verification"), "key").as_f64(), Some(1.0));
    // Absent optional parts are null, never undefined.
    assert!(get(&data, "reason").is_null());
}

#[wasm_bindgen_test]
fn tampered_body_is_a_signature_mismatch() {
    let err = verify_json(
        "zoho-sign",
        names(&["X-ZS-WEBHOOK-SIGNATURE"]),
        names(&[ZOHO_SIGNATURE]),
        b"{}",
        names(&[ZOHO_SECRET]),
        vec![],
        0.0,
        300.0,
        None,
        None,
        false,
        true,
    )
    .unwrap_err();
    assert_eq!(code_of(&err).as_deref(), Some("signature_mismatch"));
    assert_eq!(status_of(&err), Some(401.0));
}

#[wasm_bindgen_test]
fn zigned_timestamp_is_checked_against_the_given_now() {
    let body = br#"{"event":"agreement.fulfilled","data":{"id":"agr_1"}}"#;
    let headers = sign_headers("zigned", "k", body, 1_000.0).unwrap();
    let value = js_sys::Reflect::get(&headers, &"x-zigned-request-signature".into())
        .unwrap()
        .as_string()
        .unwrap();
    let run = |now: f64| {
        verify_json(
            "zigned",
            names(&["x-zigned-request-signature"]),
            vec![value.clone()],
            body,
            names(&["k"]),
            vec![],
            now,
            300.0,
            None,
            None,
            false,
            true,
        )
    };
    assert!(run(1_200.0).is_ok());
    let err = run(1_301.0).unwrap_err();
    assert_eq!(code_of(&err).as_deref(), Some("timestamp_out_of_tolerance"));
}

#[wasm_bindgen_test]
fn bad_arguments_throw_with_codes_or_type_errors() {
    let err = normalize_unverified_json("no-such-provider", b"{}", false).unwrap_err();
    assert_eq!(code_of(&err).as_deref(), Some("unknown_provider"));

    let err = sign_headers("yousign", "", b"{}", 0.0).unwrap_err();
    assert_eq!(code_of(&err).as_deref(), Some("invalid_secret"));

    let err = verify_json(
        "yousign",
        vec![],
        vec![],
        b"{}",
        names(&["k"]),
        vec![],
        f64::NAN,
        300.0,
        None,
        None,
        false,
        true,
    )
    .unwrap_err();
    assert!(err.is_instance_of::<js_sys::TypeError>());
    assert_eq!(code_of(&err), None);

    let err = verify_json(
        "yousign",
        vec![],
        vec![],
        b"{}",
        vec![],
        vec![],
        0.0,
        300.0,
        None,
        None,
        false,
        true,
    )
    .unwrap_err();
    assert_eq!(code_of(&err).as_deref(), Some("no_secret_configured"));
}

#[wasm_bindgen_test]
fn unverified_normalize_has_null_verification() {
    // [json with raw null, documents (none here: null), start, end]: the raw payload is
    // the whole body.
    let parts: js_sys::Array = normalize_unverified_json("zoho-sign", ZOHO_JSON, false)
        .unwrap()
        .dyn_into()
        .unwrap();
    let json = parts.get(0).as_string().unwrap();
    assert!(parts.get(1).is_null());
    assert_eq!(parts.get(2).as_f64(), Some(0.0));
    assert_eq!(parts.get(3).as_f64(), Some(ZOHO_JSON.len() as f64));
    let event = js_sys::JSON::parse(&json).unwrap();
    let data = js_sys::Reflect::get(&event, &"data".into()).unwrap();
    assert!(js_sys::Reflect::get(&data, &"verification".into())
        .unwrap()
        .is_null());
    assert!(js_sys::Reflect::get(&data, &"raw".into())
        .unwrap()
        .is_null());
    // With documents: they travel apart, as their own JSON text, `[]` in the event.
    let body = br#"{"requests":{"request_id":"42","document_ids":[{"document_id":"7","document_name":"NDA.pdf"}]},"notifications":{"operation_type":"RequestSigningSuccess"}}"#;
    let parts: js_sys::Array = normalize_unverified_json("zoho-sign", body, false)
        .unwrap()
        .dyn_into()
        .unwrap();
    assert_eq!(
        parts.get(1).as_string().as_deref(),
        Some(r#"[{"id":"7","name":"NDA.pdf"}]"#)
    );
    let event = js_sys::JSON::parse(&parts.get(0).as_string().unwrap()).unwrap();
    let data = js_sys::Reflect::get(&event, &"data".into()).unwrap();
    let documents: js_sys::Array = js_sys::Reflect::get(&data, &"documents".into())
        .unwrap()
        .dyn_into()
        .unwrap();
    assert_eq!(documents.length(), 0);
}

#[cfg(feature = "js-diagnose")]
#[wasm_bindgen_test]
fn diagnose_reports_a_verdict_not_an_error() {
    // A trailing newline added on the way: not verified, and the finding says why.
    let mut body = ZOHO_JSON.to_vec();
    let headers = sign_headers("zoho-sign", "k", &body, 0.0).unwrap();
    let signature = js_sys::Reflect::get(&headers, &"X-ZS-WEBHOOK-SIGNATURE".into())
        .unwrap()
        .as_string()
        .unwrap();
    body.push(b'\n');
    let run = |provider: Option<String>, secrets: Vec<String>| {
        let json = diagnose_json(
            provider,
            names(&["X-ZS-WEBHOOK-SIGNATURE"]),
            vec![signature.clone()],
            &body,
            secrets,
            vec![],
            0.0,
            300.0,
            None,
            None,
        )
        .unwrap();
        js_sys::JSON::parse(&json).unwrap()
    };
    let get = |obj: &JsValue, key: &str| js_sys::Reflect::get(obj, &key.into()).unwrap();
    let d = run(None, names(&["k"]));
    assert_eq!(
        get(&d, "verdict").as_string().as_deref(),
        Some("not_verified")
    );
    assert_eq!(
        get(&d, "code").as_string().as_deref(),
        Some("signature_mismatch")
    );
    assert_eq!(
        get(&d, "detected").as_string().as_deref(),
        Some("zoho-sign")
    );
    assert_eq!(get(&d, "event_verified").as_bool(), Some(false));
    let d = run(Some("zoho-sign".into()), vec![]);
    assert_eq!(
        get(&d, "verdict").as_string().as_deref(),
        Some("unverifiable")
    );
    let err = diagnose_json(
        Some("no-such-provider".into()),
        vec![],
        vec![],
        b"{}",
        vec![],
        vec![],
        0.0,
        300.0,
        None,
        None,
    )
    .unwrap_err();
    assert_eq!(code_of(&err).as_deref(), Some("unknown_provider"));
}

#[cfg(feature = "js-diagnose")]
#[wasm_bindgen_test]
fn detects_the_provider_from_headers() {
    assert_eq!(
        detect_provider_name(names(&["X-Yousign-Signature-256"]), names(&["x"])).unwrap(),
        Some("yousign".to_owned())
    );
    assert_eq!(
        detect_provider_name(names(&["content-type"]), names(&["x"])).unwrap(),
        None
    );
    assert!(detect_provider_name(names(&["a"]), vec![]).is_err());
}

#[wasm_bindgen_test]
fn lists_match_the_core() {
    assert_eq!(provider_names().len(), Provider::ALL.len());
    assert_eq!(event_type_names().len(), EventType::ALL.len());
    assert_eq!(error_codes()[2], "signature_mismatch");
    let with_header = Provider::ALL
        .iter()
        .filter(|p| p.proof_at() == ProofAt::Header)
        .count();
    assert_eq!(proof_headers().len(), 2 * with_header);
}
