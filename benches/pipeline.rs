//! verify + normalize + serialize, per provider, at 1, 8 and 64 KiB, beside the bare
//! HMAC-SHA256 of the same bytes (no verifier can do less) and that HMAC plus one JSON
//! scan (`IgnoredAny`), the floor the pipeline is measured against.
//!
//! Run: `cargo bench --bench pipeline`. Compare each provider's median with `hmac_floor`
//! at the same size.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;
use signhook::{sign, verify, Headers, Provider, Secret, VerifyConfig};

const SIZES: [usize; 3] = [1024, 8 * 1024, 64 * 1024];
// 2025-11-11T19:01:40Z: after every event time in the bodies below, within the default age bound.
const NOW: i64 = 1_762_887_700;

fn main() {
    divan::main();
}

/// A realistic delivery of about `size` bytes: the provider's envelope with enough
/// documents to fill it.
fn body(provider: Provider, size: usize) -> Vec<u8> {
    let doc = |i: usize| match provider {
        Provider::ZohoSign => format!(
            r#"{{"document_name":"Contract part {i}.pdf","document_size":115138,"document_order":"{i}","is_editable":false,"total_pages":3,"document_id":"2220080000000{i:05}"}}"#
        ),
        Provider::AcrobatSign => format!(
            r#"{{"id":"3AAABLKmtbUAz51oinPNFxC4CVK06zUbX3V4vvcpIFJWSDqiT3T{i:05}","numPages":1,"mimeType":"application/pdf","name":"Contract part {i}.pdf"}}"#
        ),
        Provider::Zigned => format!(
            r#""doc_{i}":{{"data":{{"id":"cmhuxsgh9037hjfvvm1g{i:05}","filename":"Contract part {i}.pdf","created_at":"2025-11-11T19:00:50.157Z"}}}}"#
        ),
        _ => format!(
            r#"{{"id":"9a2b1c3d-0e4f-4a5b-8c6d-7e8f9a{i:05}","nature":"signable_document","filename":"Contract part {i}.pdf","content_type":"application/pdf"}}"#
        ),
    };
    let mut docs = Vec::new();
    let mut len = 600;
    while len < size {
        let d = doc(docs.len());
        len += d.len() + 1;
        docs.push(d);
    }
    let docs = docs.join(",");
    let text = match provider {
        Provider::ZohoSign => format!(
            r#"{{"requests":{{"request_status":"completed","request_name":"Beer Olympics Waiver","request_id":"222008000000016075","document_ids":[{docs}],"actions":[{{"action_type":"SIGN","action_id":"222008000000016078","recipient_email":"a@example.com","recipient_name":"TestUser","action_status":"SIGNED"}}]}},"notifications":{{"performed_by_email":"System Generated","performed_at":1762887000000,"activity":"Document has been completed","operation_type":"RequestCompleted","performed_by_name":"System Generated","ip_address":"203.0.113.17"}}}}"#
        ),
        Provider::AcrobatSign => format!(
            r#"{{"webhookId":"d6128c34-eef7-498b-a689-05d6778ca78a","webhookNotificationId":"c2c736a1-e8ff-4dd2-b07b-2bdf9e379827","event":"AGREEMENT_WORKFLOW_COMPLETED","eventDate":"2024-04-25T20:53:36Z","eventResourceType":"agreement","participantUserEmail":"signer@example.com","actingUserEmail":"signer@example.com","agreement":{{"id":"CBJCHBCAABAAmDDrjaJHSS2X0iJCVx072w7vyii6yjXv","name":"test agreement","status":"SIGNED","documentsInfo":{{"documents":[{docs}]}}}}}}"#
        ),
        Provider::Zigned => format!(
            r#"{{"event":"agreement.lifecycle.finalized","data":{{"id":"cmhupv03i09q8liy4ht8y67i4","title":"Hyresavtal","status":"fulfilled","test_mode":true,"documents":{{{docs}}},"updated_at":"2025-11-11T19:00:55.474Z"}}}}"#
        ),
        _ => format!(
            r#"{{"event_id":"b6c63685-c556-4a30-8fe9-b6f2b187d936","event_name":"signature_request.done","event_time":"1762887000","subscription_id":"d09f0367","sandbox":false,"data":{{"signature_request":{{"id":"9a2b1c3d-0e4f-4a5b-8c6d-7e8f9a0b1c2d","name":"Lease","status":"done","documents":[{docs}]}}}}}}"#
        ),
    };
    text.into_bytes()
}

struct Delivery {
    provider: Provider,
    headers: Headers,
    body: Vec<u8>,
    config: VerifyConfig,
}

fn delivery(provider: Provider, size: usize) -> Delivery {
    let body = body(provider, size);
    let key = if provider == Provider::AcrobatSign {
        "client-id"
    } else {
        "bench-secret"
    };
    let headers = sign(provider, key, &body, NOW)
        .unwrap()
        .into_iter()
        .collect();
    let config = VerifyConfig {
        secrets: vec![Secret::new("bench-secret").unwrap()],
        client_ids: vec!["client-id".into()],
        ..VerifyConfig::default()
    };
    Delivery {
        provider,
        headers,
        body,
        config,
    }
}

fn run(d: &Delivery) -> usize {
    let verified = verify(d.provider, &d.headers, &d.body, &d.config, NOW).unwrap();
    verified.normalize().unwrap().to_json().len()
}

#[divan::bench(args = SIZES)]
fn hmac_floor(bencher: divan::Bencher, size: usize) {
    let body = body(Provider::Yousign, size);
    bencher.bench(|| {
        let mut mac = Hmac::<Sha256>::new_from_slice(b"bench-secret").unwrap();
        mac.update(divan::black_box(&body));
        mac.finalize().into_bytes()
    });
}

/// The floor: one HMAC and one JSON scan (`serde::de::IgnoredAny`: every byte
/// tokenized and validated, nothing built) of the same bytes.
#[divan::bench(args = SIZES)]
fn hmac_and_scan_floor(bencher: divan::Bencher, size: usize) {
    let body = body(Provider::Yousign, size);
    bencher.bench(|| {
        let mut mac = Hmac::<Sha256>::new_from_slice(b"bench-secret").unwrap();
        mac.update(divan::black_box(&body));
        let tag = mac.finalize().into_bytes();
        let _: serde::de::IgnoredAny = serde_json::from_slice(divan::black_box(&body)).unwrap();
        tag
    });
}

/// The crate's JSON reader alone over the Zoho Sign and Yousign bodies (every byte
/// tokenized and checked, nothing kept): its throughput, against serde_json's `IgnoredAny`
/// over the same bytes.
fn json_scan(bencher: divan::Bencher, provider: Provider, size: usize) {
    let body = String::from_utf8(body(provider, size)).unwrap();
    bencher
        .counter(divan::counter::BytesCount::new(body.len()))
        .bench(|| signhook::__json_scan(divan::black_box(&body)));
}

#[divan::bench(args = SIZES)]
fn json_scan_zoho_sign(bencher: divan::Bencher, size: usize) {
    json_scan(bencher, Provider::ZohoSign, size);
}

#[divan::bench(args = SIZES)]
fn json_scan_yousign(bencher: divan::Bencher, size: usize) {
    json_scan(bencher, Provider::Yousign, size);
}

#[divan::bench(args = SIZES)]
fn json_scan_serde_ignored_any(bencher: divan::Bencher, size: usize) {
    let body = String::from_utf8(body(Provider::Yousign, size)).unwrap();
    bencher
        .counter(divan::counter::BytesCount::new(body.len()))
        .bench(|| serde_json::from_str::<serde::de::IgnoredAny>(divan::black_box(&body)).is_ok());
}

#[divan::bench(args = SIZES)]
fn zoho_sign(bencher: divan::Bencher, size: usize) {
    let d = delivery(Provider::ZohoSign, size);
    bencher.bench(|| run(divan::black_box(&d)));
}

#[divan::bench(args = SIZES)]
fn acrobat_sign(bencher: divan::Bencher, size: usize) {
    let d = delivery(Provider::AcrobatSign, size);
    bencher.bench(|| run(divan::black_box(&d)));
}

#[divan::bench(args = SIZES)]
fn zigned(bencher: divan::Bencher, size: usize) {
    let d = delivery(Provider::Zigned, size);
    bencher.bench(|| run(divan::black_box(&d)));
}

#[divan::bench(args = SIZES)]
fn yousign(bencher: divan::Bencher, size: usize) {
    let d = delivery(Provider::Yousign, size);
    bencher.bench(|| run(divan::black_box(&d)));
}

/// The same path with a `serde_json::Value` tree, as a naive normalizer would build:
/// the design choice (borrowing wire structs) measured against its alternative.
#[divan::bench(args = SIZES)]
fn yousign_value_tree_baseline(bencher: divan::Bencher, size: usize) {
    let d = delivery(Provider::Yousign, size);
    bencher.bench(|| {
        verify(d.provider, &d.headers, &d.body, &d.config, NOW).unwrap();
        let v: serde_json::Value = serde_json::from_slice(divan::black_box(&d.body)).unwrap();
        serde_json::to_string(&serde_json::json!({"type": v["event_name"], "data": {"raw": v}}))
            .unwrap()
            .len()
    });
}
