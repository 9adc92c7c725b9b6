//! The `signhook` command line, driven the way other tools drive it: exit codes, stdout
//! and stderr, on fixture deliveries signed outside this crate.

// Spawns the native binary: nothing to run on wasm32.
#![cfg(not(target_arch = "wasm32"))]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

fn fixture(provider: &str, case: &str) -> (PathBuf, serde_json::Value) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(provider)
        .join(case);
    let case: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("case.json")).unwrap()).unwrap();
    (dir.join("body"), case)
}

fn signhook(args: &[&str], stdin: Option<&[u8]>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_signhook"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut pipe = child.stdin.take().unwrap();
    pipe.write_all(stdin.unwrap_or_default()).unwrap();
    drop(pipe);
    child.wait_with_output().unwrap()
}

/// `signhook verify` arguments for a fixture case.
fn verify_args(provider: &str, body: &Path, case: &serde_json::Value) -> Vec<String> {
    let mut args = vec![
        "verify".to_owned(),
        "--provider".into(),
        provider.into(),
        "--body".into(),
        body.display().to_string(),
        "--now".into(),
        case["now"].to_string(),
        // The captures are years older than their `now`; the bound has its own test.
        "--max-age".into(),
        "none".into(),
    ];
    for (name, value) in case["headers"].as_object().unwrap() {
        args.extend([
            "--header".into(),
            format!("{name}: {}", value.as_str().unwrap()),
        ]);
    }
    for s in case["secrets"].as_array().into_iter().flatten() {
        args.extend(["--secret".into(), s.as_str().unwrap().to_owned()]);
    }
    for c in case["client_ids"].as_array().into_iter().flatten() {
        args.extend(["--client-id".into(), c.as_str().unwrap().to_owned()]);
    }
    if let Some(t) = case.get("tolerance") {
        args.extend(["--tolerance".into(), t.to_string()]);
    }
    if let Some(q) = case.get("query").and_then(|q| q.as_str()) {
        args.extend(["--query".into(), q.to_owned()]);
    }
    args
}

#[test]
fn a_pandadoc_array_prints_every_event_and_sign_prints_the_query() {
    let (body, spec) = fixture("pandadoc", "array-of-three-rotation");
    let args = verify_args("pandadoc", &body, &spec);
    let out = signhook(&args.iter().map(String::as_str).collect::<Vec<_>>(), None);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let events: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).unwrap();
    let ids: Vec<&str> = events.iter().map(|e| e["id"].as_str().unwrap()).collect();
    // The ids come from what the MAC covers: the body's hash and the index; the
    // X-PandaDoc-Webhook-Event-Id header the case carries names nothing (T3-1).
    let base = ids[0].split_once(':').unwrap().0;
    assert_eq!(base.len(), 32, "{ids:?}");
    assert_eq!(ids, [0, 1, 2].map(|i| format!("{base}:{i}")));
    let mut other = args.clone();
    let at = other
        .iter()
        .position(|a| a.starts_with("X-PandaDoc-Webhook-Event-Id"))
        .unwrap();
    other[at] = "X-PandaDoc-Webhook-Event-Id: evt-replayed".into();
    let out = signhook(&other.iter().map(String::as_str).collect::<Vec<_>>(), None);
    let again: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        again
            .iter()
            .map(|e| e["id"].as_str().unwrap())
            .collect::<Vec<_>>(),
        ids
    );
    // The same URL given whole, as a request target.
    let mut whole = args.clone();
    let at = whole.iter().position(|a| a == "--query").unwrap();
    whole[at + 1] = format!("/hooks/pandadoc?{}", whole[at + 1]);
    let out = signhook(&whole.iter().map(String::as_str).collect::<Vec<_>>(), None);
    assert_eq!(out.status.code(), Some(0));
    // Without the query: refused, with the code.
    let at = args.iter().position(|a| a == "--query").unwrap();
    let mut bare = args.clone();
    bare.drain(at..at + 2);
    let out = signhook(&bare.iter().map(String::as_str).collect::<Vec<_>>(), None);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).starts_with("error[missing_signature]"));
    // sign prints the query first, then the headers.
    let out = signhook(
        &[
            "sign",
            "--provider",
            "pandadoc",
            "--secret",
            "pandadoc-shared-key",
            "--body",
            body.to_str().unwrap(),
        ],
        None,
    );
    let text = String::from_utf8(out.stdout).unwrap();
    let first = text.lines().next().unwrap();
    // The signed body follows a blank line: its date_modified set to now (the replay
    // bound reads it), said on stderr; the signature covers exactly those bytes.
    let (_, sent) = text.split_once("\n\n").unwrap();
    let sent = sent.strip_suffix('\n').unwrap();
    let expected = hmac_hex("pandadoc-shared-key", sent.as_bytes());
    assert_eq!(first, format!("?signature={expected}"));
    assert!(text.contains("Content-Type: application/json"));
    let note = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(note.contains("set date_modified"), "{note}");
    assert_eq!(
        note.matches("date_modified").count(),
        1,
        "each field once: {note}"
    );
    let original = std::fs::read_to_string(&body).unwrap();
    assert_ne!(sent, original);
    let elements: Vec<serde_json::Value> = serde_json::from_str(sent).unwrap();
    assert_eq!(
        elements.len(),
        3,
        "the same three events, only their times changed"
    );
}

#[test]
fn sign_refuses_a_flag_without_effect_and_prints_a_curl_line() {
    let (body, _) = fixture("acrobat-sign", "agreement-created");
    let body = body.to_str().unwrap();
    let out = signhook(
        &[
            "sign",
            "--provider",
            "acrobat-sign",
            "--secret",
            "c",
            "--body",
            body,
            "--timestamp",
            "5",
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--timestamp has no effect"));
    let out = signhook(
        &[
            "sign",
            "--provider",
            "acrobat-sign",
            "--secret",
            "c",
            "--body",
            body,
            "--curl",
            "http://127.0.0.1:8787",
        ],
        None,
    );
    assert_eq!(
        out.status.code(),
        Some(2),
        "Acrobat Sign's route needs --url-token"
    );
    let (zoho, _) = fixture("zoho-sign", "request-completed");
    let out = signhook(
        &[
            "sign",
            "--provider",
            "zoho-sign",
            "--secret",
            "s",
            "--body",
            zoho.to_str().unwrap(),
            "--url-token",
            "t",
            "--curl",
            "http://x",
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(2));
    let out = signhook(
        &[
            "sign",
            "--provider",
            "zoho-sign",
            "--secret",
            "s",
            "--body",
            zoho.to_str().unwrap(),
            "--curl",
            "http://127.0.0.1:8787/",
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(0));
    let line = String::from_utf8(out.stdout).unwrap();
    assert!(line.starts_with("printf -- '{"), "{line}");
    assert!(line.contains("| curl -sS -w '\\n' -X POST 'http://127.0.0.1:8787/hooks/zoho-sign' -H 'Content-Type: application/json' -H 'X-ZS-WEBHOOK-SIGNATURE: "), "{line}");
    assert!(line.ends_with(" --data-binary @-\n"));
    assert_eq!(line.lines().count(), 1);
}

#[test]
fn the_curl_line_sends_every_byte_and_a_vain_timestamp_is_refused() {
    let dir = std::env::temp_dir().join(format!("signhook-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    // Not UTF-8 (a Latin-1 é), UTF-8, and what a shell or printf would otherwise read.
    let mut body = b"{\"a\":\"caf".to_vec();
    body.extend_from_slice(&[0xe9, 0xff]);
    body.extend_from_slice("\u{e9} 100% 'q' \\ \\n $HOME `x`\t\r\n\"}".as_bytes());
    let path = dir.join("body");
    std::fs::write(&path, &body).unwrap();
    let out = signhook(
        &[
            "sign",
            "--provider",
            "zigned",
            "--secret",
            "s",
            "--body",
            path.to_str().unwrap(),
            "--curl",
            "http://127.0.0.1:9",
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let line = String::from_utf8(out.stdout).unwrap();
    assert_eq!(line.lines().count(), 1);
    // The command's first half writes the body: run it alone and compare the bytes.
    let (printf, _) = line.split_once(" | curl ").unwrap();
    let written = Command::new("sh").arg("-c").arg(printf).output().unwrap();
    assert_eq!(written.stdout, body, "byte for byte");
    // Zoho Sign signs no time but the body's, and this body has none.
    std::fs::write(&path, b"{}").unwrap();
    let command = format!(
        "sign --provider zoho-sign --secret s --body {}",
        path.display()
    );
    let args: Vec<&str> = command.split(' ').collect();
    let out = signhook(&args, None);
    assert_eq!(
        out.status.code(),
        Some(0),
        "without --timestamp: signed as it is"
    );
    let out = signhook(&[&args[..], &["--timestamp", "1800000000"]].concat(), None);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--timestamp has no effect"));
    std::fs::remove_dir_all(&dir).unwrap();
}

/// Hex HMAC-SHA256, written out with the `hmac` crate (not signhook's code).
fn hmac_hex(key: &str, body: &[u8]) -> String {
    use hmac::digest::KeyInit;
    use hmac::{Hmac, Mac};
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(key.as_bytes()).unwrap();
    mac.update(body);
    mac.finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[test]
fn verify_prints_the_event_for_each_provider() {
    for (provider, case) in [
        ("zoho-sign", "request-completed"),
        ("acrobat-sign", "agreement-created"),
        ("zigned", "derived-vector"),
        ("yousign", "signer-done"),
        ("docusign", "recipient-completed-rotation"),
        ("docuseal", "form-completed-rotation"),
        ("documenso", "document-signed-token-redacted"),
        ("onespan-sign", "package-activate-rotation"),
        ("boldsign", "document-signed-rotation"),
        ("signwell", "document-completed-rotation"),
        ("dropbox-sign", "signature-request-signed-multipart"),
    ] {
        let (body, spec) = fixture(provider, case);
        let args = verify_args(provider, &body, &spec);
        let out = signhook(&args.iter().map(String::as_str).collect::<Vec<_>>(), None);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(0), "{provider}/{case}: {stderr}");
        let stdout = String::from_utf8(out.stdout).unwrap();
        // Exactly one JSON object (data.raw keeps the provider's own line breaks).
        let mut stream =
            serde_json::Deserializer::from_str(&stdout).into_iter::<serde_json::Value>();
        let event = stream.next().unwrap().unwrap();
        assert!(
            stream.next().is_none(),
            "more than one JSON value on stdout"
        );
        assert_eq!(event["type"], spec["expect"]["type"], "{provider}/{case}");
        assert_eq!(
            event["subject"], spec["expect"]["subject"],
            "{provider}/{case}"
        );
        assert_eq!(event["provider"], provider);
    }
}

#[test]
fn failures_print_the_code_and_exit_1() {
    for (provider, case) in [
        ("zoho-sign", "tampered"),
        ("zoho-sign", "reserialized"),
        ("zoho-sign", "unsigned"),
        ("zigned", "stale"),
        ("yousign", "tampered"),
        ("acrobat-sign", "unknown-client-id"),
        ("docusign", "tampered"),
        ("docuseal", "stale"),
        ("documenso", "empty-header"),
        ("onespan-sign", "wrong-secret"),
        ("boldsign", "stale"),
        ("signwell", "time-changed"),
        ("dropbox-sign", "time-changed"),
        ("pandadoc", "tampered"),
        ("pandadoc", "no-signature"),
    ] {
        let (body, spec) = fixture(provider, case);
        let args = verify_args(provider, &body, &spec);
        let out = signhook(&args.iter().map(String::as_str).collect::<Vec<_>>(), None);
        let code = spec["expect"]["error"].as_str().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{provider}/{case}: {stderr}");
        assert!(
            stderr.starts_with(&format!("error[{code}]: ")),
            "{provider}/{case}: {stderr}"
        );
        assert!(out.stdout.is_empty());
    }
}

#[test]
fn now_defaults_to_the_clock() {
    // The Zigned vector was signed in 2024: against the real clock it is stale.
    let (body, spec) = fixture("zigned", "derived-vector");
    let mut args = verify_args("zigned", &body, &spec);
    let at = args.iter().position(|a| a == "--now").unwrap();
    args.drain(at..at + 2);
    let out = signhook(&args.iter().map(String::as_str).collect::<Vec<_>>(), None);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).starts_with("error[timestamp_out_of_tolerance]"));
}

#[test]
fn usage_errors_exit_2() {
    for args in [
        &[][..],
        &["frobnicate"],
        &["verify", "--provider", "zoho-sign"],
        &["verify", "--provider", "no-such-provider", "--body", "-"],
        &[
            "verify",
            "--provider",
            "zigned",
            "--body",
            "-",
            "--now",
            "soon",
        ],
        &["sign", "--provider", "yousign", "--body", "-"],
        &[
            "normalize",
            "--provider",
            "yousign",
            "--body",
            "-",
            "--secret",
            "x",
        ],
        &[
            "verify",
            "--provider",
            "yousign",
            "--body",
            "/nonexistent/file",
        ],
    ] {
        let out = signhook(args, None);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(String::from_utf8_lossy(&out.stderr).contains("usage:"));
    }
}

#[test]
fn sign_output_round_trips_through_verify_on_stdin() {
    let body = br#"{"event":"agreement.lifecycle.pending","data":{"id":"cmX"}}"#;
    let out = signhook(
        &[
            "sign",
            "--provider",
            "zigned",
            "--secret",
            "k",
            "--body",
            "-",
            "--timestamp",
            "1700000000",
        ],
        Some(body),
    );
    assert_eq!(out.status.code(), Some(0));
    let lines = String::from_utf8(out.stdout).unwrap();
    let header = lines
        .lines()
        .find(|l| l.starts_with("x-zigned-request-signature: t=1700000000,v1="))
        .unwrap()
        .to_owned();
    let out = signhook(
        &[
            "verify",
            "--provider",
            "zigned",
            "--body",
            "-",
            "--secret",
            "k",
            "--now",
            "1700000010",
            "--header",
            &header,
        ],
        Some(body),
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let event: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(event["type"], "esign.envelope.sent");
    assert_eq!(event["time"], "2023-11-14T22:13:20Z");
}

#[test]
fn normalize_says_it_did_not_verify() {
    let (body, _) = fixture("yousign", "signer-done");
    let out = signhook(
        &[
            "normalize",
            "--provider",
            "yousign",
            "--body",
            body.to_str().unwrap(),
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not verified"));
    let event: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(event["data"]["verification"], serde_json::Value::Null);
    assert_eq!(event["type"], "esign.participant.signed");
}

#[test]
fn failures_come_with_the_diagnosis() {
    let (body, spec) = fixture("zoho-sign", "reserialized");
    let args = verify_args("zoho-sign", &body, &spec);
    let out = signhook(&args.iter().map(String::as_str).collect::<Vec<_>>(), None);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1));
    let mut lines = stderr.lines();
    assert!(lines
        .next()
        .unwrap()
        .starts_with("error[signature_mismatch]: "));
    assert!(lines.any(|l| l.starts_with("hint[")), "{stderr}");
}

#[test]
fn max_age_refuses_a_replayed_delivery() {
    let (body, case) = fixture("zoho-sign", "request-completed");
    let mut args = verify_args("zoho-sign", &body, &case);
    let argv: Vec<&str> = args.iter().map(String::as_str).collect();
    assert!(signhook(&argv, None).status.success(), "--max-age none");
    // The fixture's performed_at is 2021; its `now` is 2023. Without --max-age the bound
    // is the Worker's, 7 days (security review T3-8).
    let at = args.iter().position(|a| a == "--max-age").unwrap();
    args.drain(at..at + 2);
    for extra in [&[][..], &["--max-age", "604800"][..]] {
        let mut argv: Vec<&str> = args.iter().map(String::as_str).collect();
        argv.extend(extra);
        let out = signhook(&argv, None);
        assert_eq!(out.status.code(), Some(1));
        let stderr = String::from_utf8(out.stderr).unwrap();
        assert!(stderr.starts_with("error[event_too_old]: "), "{stderr}");
        assert!(stderr.contains("hint[event_too_old]"), "{stderr}");
    }
}

#[test]
fn a_duplicated_proof_header_is_malformed() {
    let (body, case) = fixture("zoho-sign", "request-completed");
    let mut args = verify_args("zoho-sign", &body, &case);
    let value = case["headers"]["X-ZS-WEBHOOK-SIGNATURE"].as_str().unwrap();
    args.extend([
        "--header".into(),
        format!("x-zs-webhook-signature: {value}"),
    ]);
    let argv: Vec<&str> = args.iter().map(String::as_str).collect();
    let out = signhook(&argv, None);
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(
        stderr.starts_with("error[malformed_signature]: "),
        "{stderr}"
    );
}
