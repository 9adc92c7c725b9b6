//! The core's answers to the second security review (T3-1, T3-3, T3-5, T3-7, T3-8): each
//! test fails on the code before its fix. The Worker's side (ledger, queue, logs, origin
//! URL) is in `tests/worker/security.test.mjs` and `queue.test.mjs`.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use signhook::{
    sign, sign_body, sign_query, verify, Covers, ErrorKind, Headers, Provider, Secret,
    VerifyConfig, DEFAULT_MAX_EVENT_AGE_SECONDS,
};

const NOW: i64 = 1_800_000_000;

fn config(secret: &str) -> VerifyConfig {
    VerifyConfig::with_secrets(vec![Secret::new(secret).unwrap()])
}

fn headers(pairs: Vec<(&'static str, String)>) -> Headers {
    pairs.into_iter().collect()
}

fn rfc3339(unix: i64) -> String {
    // Days from civil (Howard Hinnant), enough for the years used here.
    let days = unix.div_euclid(86_400);
    let secs = unix.rem_euclid(86_400);
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        secs / 3600,
        secs / 60 % 60,
        secs % 60
    )
}

/// A PandaDoc delivery of `body`, signed in the query, with `event_id` in the header.
fn pandadoc(body: &str, event_id: Option<&str>) -> Headers {
    let mut h = headers(sign(Provider::PandaDoc, "pd-key", body.as_bytes(), NOW).unwrap());
    h.set_query(&sign_query(Provider::PandaDoc, "pd-key", body.as_bytes(), NOW).unwrap());
    if let Some(id) = event_id {
        h.append("X-PandaDoc-Webhook-Event-Id", id);
    }
    h
}

fn pandadoc_body(elements: usize) -> String {
    let element = format!(
        r#"{{"event":"document_state_changed","data":{{"id":"doc-RT1","name":"Order form","status":"document.completed","date_modified":"{}"}}}}"#,
        rfc3339(NOW - 60)
    );
    format!("[{}]", vec![element; elements].join(","))
}

#[test]
fn t3_1_pandadoc_ids_come_from_the_signed_body_only() {
    let body = pandadoc_body(2);
    let ids = |event_id| {
        verify(
            Provider::PandaDoc,
            &pandadoc(&body, event_id),
            body.as_bytes(),
            &config("pd-key"),
            NOW,
        )
        .unwrap()
        .normalize_all()
        .unwrap()
        .into_iter()
        .map(|e| e.id)
        .collect::<Vec<_>>()
    };
    let plain = ids(None);
    assert_eq!(plain.len(), 2);
    assert!(plain[0].ends_with(":0") && plain[1].ends_with(":1"));
    // The review's replay: the same signed body under other header values is the same
    // events, so the ledger answers `duplicate` and origin sees one `webhook-id`.
    for header in ["evt-1", "evt-2", "", "x"] {
        assert_eq!(ids(Some(header)), plain, "header {header:?}");
    }
}

#[test]
fn t3_1_docusign_and_documenso_retries_keep_their_id() {
    let docusign = |retry: u32| {
        format!(
            r#"{{"event":"envelope-completed","apiVersion":"v2.1","uri":"/restapi/v2.1/accounts/a/envelopes/e","retryCount":{retry},"configurationId":10476521,"generatedDateTime":"{}","data":{{"accountId":"a","userId":"u","envelopeId":"e"}}}}"#,
            rfc3339(NOW - 60)
        )
    };
    let id = |provider, secret: &str, body: &str| {
        let h = headers(sign(provider, secret, body.as_bytes(), NOW).unwrap());
        verify(provider, &h, body.as_bytes(), &config(secret), NOW)
            .unwrap()
            .normalize()
            .unwrap()
            .id
    };
    let first = id(Provider::DocuSign, "ds-key", &docusign(0));
    assert_eq!(first, id(Provider::DocuSign, "ds-key", &docusign(3)));
    // Another envelope, or another event, is another id.
    let other = docusign(0).replace("envelope-completed", "envelope-sent");
    assert_ne!(first, id(Provider::DocuSign, "ds-key", &other));

    let documenso = |created: i64| {
        format!(
            r#"{{"event":"DOCUMENT_COMPLETED","payload":{{"id":7,"envelopeId":"envelope_abcdefghijklmnop","status":"COMPLETED"}},"createdAt":"{}","webhookEndpoint":"https://example.com/hook"}}"#,
            rfc3339(created)
        )
    };
    let first = id(Provider::Documenso, "dm-secret", &documenso(NOW - 60));
    assert_eq!(
        first,
        id(Provider::Documenso, "dm-secret", &documenso(NOW - 1))
    );
    let other = documenso(NOW - 60).replace("\"id\":7", "\"id\":8");
    assert_ne!(first, id(Provider::Documenso, "dm-secret", &other));
}

#[test]
fn t3_3_a_covered_future_time_is_event_too_new() {
    let body = |at: i64| {
        format!(
            r#"{{"event_id":"e-1","event_name":"signature_request.done","event_time":"{at}","sandbox":false,"data":{{"signature_request":{{"id":"sr-B","status":"done"}}}}}}"#
        )
    };
    let run = |at: i64, cfg: &VerifyConfig| {
        let body = body(at);
        let h = headers(sign(Provider::Yousign, "ys-key", body.as_bytes(), NOW).unwrap());
        verify(Provider::Yousign, &h, body.as_bytes(), cfg, NOW)
            .unwrap()
            .normalize()
    };
    let cfg = config("ys-key");
    assert!(run(NOW + 300, &cfg).is_ok(), "within the default skew");
    // The review's year-2100 event.
    for at in [NOW + 301, 4_102_444_800] {
        let err = run(at, &cfg).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::EventTooNew, "{err}");
        assert_eq!(err.kind().http_status(), 401);
    }
    let strict = VerifyConfig {
        max_clock_skew_seconds: 0,
        ..config("ys-key")
    };
    assert_eq!(
        run(NOW + 1, &strict).unwrap_err().kind(),
        ErrorKind::EventTooNew
    );
}

#[test]
fn t3_3_a_future_body_time_under_a_timestamped_mac_is_event_too_new() {
    // BoldSign signs `t` and the body: a fresh `t` with an `event.created` in 2100 is a
    // future time the proof covers, so it is refused like Yousign's; an old `created`
    // under a fresh `t` is not a replay (the timestamp's tolerance is that bound).
    let run = |created: i64| {
        let body = format!(
            r#"{{"event":{{"id":"ev-1","created":{created},"eventType":"Signed","environment":"Test"}},"data":{{"object":"document","documentId":"doc-1","status":"InProgress"}}}}"#
        );
        let h = headers(sign(Provider::BoldSign, "bs-key", body.as_bytes(), NOW).unwrap());
        let verified = verify(
            Provider::BoldSign,
            &h,
            body.as_bytes(),
            &config("bs-key"),
            NOW,
        )
        .unwrap();
        assert_eq!(verified.verification().covers, Covers::TimestampAndBody);
        verified.normalize()
    };
    assert!(run(NOW + 300).is_ok(), "within the default skew");
    assert!(
        run(NOW - 30 * 86_400).is_ok(),
        "an old event time under a fresh timestamp"
    );
    for created in [NOW + 301, 4_102_444_800] {
        let err = run(created).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::EventTooNew, "{err}");
    }
}

/// A Dropbox Sign body whose `event_hash` is HMAC(key, `<time><type>`).
fn dropbox(time: &str, event_type: &str, hash_of: &str) -> String {
    let tag = {
        let body =
            format!(r#"{{"event":{{"event_time":"{hash_of}","event_type":"","event_hash":""}}}}"#);
        // sign_body writes the tag for `<event_time><event_type>`: here the whole message
        // in `event_time`, an empty type.
        let signed = sign_body(Provider::DropboxSign, "dbx-key", body.as_bytes(), NOW).unwrap();
        let text = String::from_utf8(signed).unwrap();
        let at = text.find("\"event_hash\":\"").unwrap() + 14;
        text[at..at + 64].to_owned()
    };
    format!(
        r#"{{"event":{{"event_time":"{time}","event_type":"{event_type}","event_hash":"{tag}"}},"signature_request":{{"signature_request_id":"sr-VICTIM","title":"Loan","is_complete":true}}}}"#
    )
}

#[test]
fn t3_5_dropbox_sign_proofs_split_one_way_only() {
    let old = (NOW - 30 * 86_400).to_string();
    let message = format!("{old}signature_request_all_signed");
    let run = |body: &str| {
        verify(
            Provider::DropboxSign,
            &Headers::new(),
            body.as_bytes(),
            &config("dbx-key"),
            NOW,
        )
        .and_then(|v| v.normalize())
    };
    // As captured: refused as too old.
    let captured = dropbox(&old, "signature_request_all_signed", &message);
    assert_eq!(run(&captured).unwrap_err().kind(), ErrorKind::EventTooOld);
    // Re-split so that no time is left, or the time sits in the type: malformed.
    for (time, event_type) in [
        ("", message.as_str()),
        (message.as_str(), ""),
        (&old[..4], &message[4..]),
    ] {
        let body = dropbox(time, event_type, &message);
        let err = run(&body).unwrap_err();
        assert_eq!(
            err.kind(),
            ErrorKind::MalformedSignature,
            "{time:?} {event_type:?}: {err}"
        );
    }
    // A fresh proof passes.
    let now = NOW.to_string();
    let fresh = dropbox(
        &now,
        "signature_request_all_signed",
        &format!("{now}signature_request_all_signed"),
    );
    let event = run(&fresh).unwrap();
    assert_eq!(
        event.data.verification.unwrap().covers,
        Covers::EventMetadata
    );
}

#[test]
fn t3_5_a_metadata_proof_without_a_readable_time_fails_closed() {
    // SignWell: `<type>@<time>`; a time that is no time at all verifies (the MAC is over
    // the text) but cannot be bounded: refused when a maximum age is set.
    let body = br#"{"event":{"type":"document_completed","time":"soon","hash":""},"data":{"object":{"id":"doc-1"}}}"#;
    let signed = sign_body(Provider::SignWell, "sw-webhook-id", body, NOW).unwrap();
    let run = |cfg: &VerifyConfig| {
        verify(Provider::SignWell, &Headers::new(), &signed, cfg, NOW).and_then(|v| v.normalize())
    };
    assert_eq!(
        run(&config("sw-webhook-id")).unwrap_err().kind(),
        ErrorKind::EventTooOld
    );
    let unbounded = VerifyConfig {
        max_event_age_seconds: None,
        ..config("sw-webhook-id")
    };
    assert!(run(&unbounded).is_ok());
}

#[test]
fn t3_7_too_many_events_is_refused_before_they_are_built() {
    let run = |elements: usize, max: Option<usize>| {
        let body = pandadoc_body(elements);
        let mut cfg = config("pd-key");
        if let Some(max) = max {
            cfg.max_events_per_delivery = max;
        }
        verify(
            Provider::PandaDoc,
            &pandadoc(&body, None),
            body.as_bytes(),
            &cfg,
            NOW,
        )
        .unwrap()
        .normalize_all()
    };
    assert_eq!(run(100, None).unwrap().len(), 100, "the default is 100");
    let err = run(101, None).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::TooManyEvents);
    assert_eq!(err.kind().http_status(), 413);
    assert_eq!(
        run(3, Some(2)).unwrap_err().kind(),
        ErrorKind::TooManyEvents
    );
    // The review's 3.4 M `{}`: refused after reading 101 elements, not built.
    let body = format!("[{}]", vec!["{}"; 3_400_000].join(","));
    let err = verify(
        Provider::PandaDoc,
        &pandadoc(&body, None),
        body.as_bytes(),
        &config("pd-key"),
        NOW,
    )
    .unwrap()
    .normalize_all()
    .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::TooManyEvents);
}

#[test]
fn t3_8_the_library_bounds_are_the_workers() {
    let d = VerifyConfig::default();
    assert_eq!(d.max_event_age_seconds, Some(DEFAULT_MAX_EVENT_AGE_SECONDS));
    assert_eq!(d.max_event_age_seconds, Some(604_800));
    assert_eq!(d.max_clock_skew_seconds, 300);
    assert_eq!(d.max_events_per_delivery, 100);
}
