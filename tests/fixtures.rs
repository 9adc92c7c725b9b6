//! Runs every fixture folder under tests/fixtures through `verify` and `normalize`, and
//! compares the event with the folder's `event.json` snapshot. See tests/fixtures/README.md.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::fs;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use signhook::{verify, Headers, Provider, Secret, VerifyConfig};

#[derive(Deserialize)]
struct Case {
    source: String,
    headers: serde_json::Map<String, serde_json::Value>,
    #[serde(default)]
    secrets: Vec<String>,
    #[serde(default)]
    client_ids: Vec<String>,
    now: i64,
    tolerance: Option<u64>,
    /// The request URL's query (PandaDoc's `signature=…`).
    query: Option<String>,
    expect: Expect,
}

#[derive(Deserialize)]
struct Expect {
    error: Option<String>,
    #[serde(default)]
    verified: bool,
    #[serde(rename = "type")]
    event_type: Option<String>,
    subject: Option<String>,
    #[serde(default)]
    key: usize,
    /// What the proof must cover (`event-metadata`, …), when the case says.
    covers: Option<String>,
    /// Credentials in the body (each as its JSON string text, without quotes) that the
    /// event must carry only as `"[redacted]"`.
    #[serde(default)]
    redacted: Vec<String>,
    /// How many events the delivery holds (PandaDoc arrays); `type` and `subject` are the
    /// first's.
    count: Option<usize>,
}

fn cases() -> Vec<(Provider, PathBuf)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let mut out = Vec::new();
    for provider in Provider::ALL {
        let dir = root.join(provider.as_str());
        let mut entries: Vec<_> = fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
            .map(|e| e.unwrap().path())
            .filter(|p| p.is_dir())
            .collect();
        entries.sort();
        assert!(!entries.is_empty(), "no fixtures for {provider}");
        out.extend(entries.into_iter().map(|p| (provider, p)));
    }
    out
}

/// Checks one case; returns a description of what went wrong.
fn check(provider: Provider, dir: &Path) -> Result<(), String> {
    let case: Case = serde_json::from_slice(&fs::read(dir.join("case.json")).unwrap())
        .map_err(|e| format!("case.json: {e}"))?;
    assert!(!case.source.is_empty());
    let body = fs::read(dir.join("body")).unwrap();
    let mut headers: Headers = case
        .headers
        .iter()
        .map(|(n, v)| (n.clone(), v.as_str().unwrap_or_default().to_owned()))
        .collect();
    if let Some(query) = &case.query {
        headers.set_query(query);
    }
    let config = VerifyConfig {
        secrets: case
            .secrets
            .iter()
            .map(|s| Secret::new(s).unwrap())
            .collect(),
        client_ids: case.client_ids.clone(),
        tolerance_seconds: case.tolerance.unwrap_or(300),
        // Captures are years older than their `now`; the bound has its own tests (cli.rs,
        // the Worker's security suite). The clock bound (event_too_new) stays on.
        max_event_age_seconds: None,
        ..VerifyConfig::default()
    };
    let verified = verify(provider, &headers, &body, &config, case.now);
    let expect = &case.expect;
    let verified = match (verified, &expect.error, expect.verified) {
        (Err(e), Some(code), false) if e.code() == code => return Ok(()),
        (Err(e), _, _) => return Err(format!("verify failed: error[{}]: {}", e.code(), e)),
        (Ok(_), Some(code), false) => return Err(format!("verified, expected error {code}")),
        (Ok(v), _, _) => v,
    };
    if verified.verification().key != expect.key {
        return Err(format!(
            "matched key {}, expected {}",
            verified.verification().key,
            expect.key
        ));
    }
    if let Some(covers) = &expect.covers {
        let got = serde_json::to_value(verified.verification().covers).unwrap();
        if got != covers.as_str() {
            return Err(format!("covers {got}, expected {covers}"));
        }
    }
    let events = match (verified.normalize_all(), &expect.error) {
        (Err(e), Some(code)) if e.code() == code => return Ok(()),
        (Err(e), _) => return Err(format!("normalize failed: error[{}]: {e}", e.code())),
        (Ok(_), Some(code)) => return Err(format!("normalized, expected error {code}")),
        (Ok(events), None) => events,
    };
    if events.len() != expect.count.unwrap_or(1) {
        return Err(format!(
            "{} events, expected {:?}",
            events.len(),
            expect.count
        ));
    }
    // `normalize` gives the one event, and refuses a delivery of several.
    match verified.normalize() {
        Ok(one) if events.len() == 1 && one.to_json() == events[0].to_json() => {}
        Err(e) if events.len() > 1 && e.code() == "multiple_events" => {}
        other => {
            return Err(format!(
                "normalize disagrees with normalize_all: {:?}",
                other.map(|e| e.to_json())
            ))
        }
    }
    let event = &events[0];
    if let Some(t) = &expect.event_type {
        if event.event_type.as_str() != t {
            return Err(format!("type {}, expected {t}", event.event_type));
        }
    }
    if expect.subject != event.subject {
        return Err(format!(
            "subject {:?}, expected {:?}",
            event.subject, expect.subject
        ));
    }
    // The raw payload travels untouched, but for the redacted credentials (a batch: each
    // event's raw is its element of the array).
    let payload = std::str::from_utf8(payload_of(&body)).unwrap().trim();
    let parts: Vec<String> = if provider.is_batch() && payload.starts_with('[') {
        serde_json::from_str::<Vec<&serde_json::value::RawValue>>(payload)
            .unwrap()
            .iter()
            .map(|r| r.get().to_owned())
            .collect()
    } else {
        vec![payload.to_owned()]
    };
    let mut redacted_seen = vec![false; expect.redacted.len()];
    for (event, mut expected_raw) in events.iter().zip(parts) {
        for (i, value) in expect.redacted.iter().enumerate() {
            let literal = format!("\"{value}\"");
            if expected_raw.contains(&literal) {
                redacted_seen[i] = true;
            }
            expected_raw = expected_raw.replace(&literal, "\"[redacted]\"");
            let decoded: String = serde_json::from_str(&literal).unwrap();
            let json = event.to_json();
            if json.contains(value.as_str()) || json.contains(&decoded) {
                return Err(format!("the credential {value} leaves the edge"));
            }
        }
        if event.data.raw.get() != expected_raw {
            return Err("data.raw differs from the body".into());
        }
        // `to_json` writes the event by hand and data.raw as it is; serde's derive writes it
        // field by field and checks data.raw again. Both must give the same bytes.
        if event.to_json() != serde_json::to_string(event).unwrap() {
            return Err("to_json differs from serde_json::to_string".into());
        }
    }
    if provider.is_batch() {
        let checked: Vec<String> = events
            .iter()
            .map(|e| serde_json::to_string(e).unwrap())
            .collect();
        if signhook::Event::batch_json(&events) != format!("[{}]", checked.join(",")) {
            return Err("batch_json differs from serde_json".into());
        }
    }
    if let Some(i) = redacted_seen.iter().position(|seen| !seen) {
        return Err(format!(
            "redacted value {} is not in the body",
            expect.redacted[i]
        ));
    }
    let json = if provider.is_batch() {
        let pretty: Vec<String> = events.iter().map(|e| e.to_json_pretty()).collect();
        format!("[\n{}\n]\n", pretty.join(",\n"))
    } else {
        event.to_json_pretty() + "\n"
    };
    let snapshot = dir.join("event.json");
    if std::env::var_os("UPDATE_SNAPSHOTS").is_some() {
        fs::write(&snapshot, &json).unwrap();
        return Ok(());
    }
    match fs::read_to_string(&snapshot) {
        Ok(expected) if expected == json => Ok(()),
        Ok(_) => Err(format!(
            "event differs from {}; run UPDATE_SNAPSHOTS=1 cargo test --test fixtures and review the diff\n{json}",
            snapshot.display()
        )),
        Err(_) => Err(format!("no snapshot {}; run with UPDATE_SNAPSHOTS=1\n{json}", snapshot.display())),
    }
}

#[test]
fn every_fixture() {
    let mut failures = Vec::new();
    let all = cases();
    for (provider, dir) in &all {
        if let Err(why) = check(*provider, dir) {
            failures.push(format!("{}: {why}", dir.display()));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} fixtures failed:\n{}",
        failures.len(),
        all.len(),
        failures.join("\n")
    );
}

#[test]
fn each_provider_has_an_external_vector_and_negative_cases() {
    for provider in Provider::ALL {
        let mut external = 0;
        let mut negative = 0;
        for (_, dir) in cases().iter().filter(|(p, _)| *p == provider) {
            let case: Case =
                serde_json::from_slice(&fs::read(dir.join("case.json")).unwrap()).unwrap();
            if ["[DOC]", "[OBS]", "[IMPL]"]
                .iter()
                .any(|tag| case.source.starts_with(tag))
            {
                external += 1;
            }
            if case.expect.error.is_some() {
                negative += 1;
            }
        }
        assert!(
            external >= 1,
            "{provider} has no vector from docs or a published implementation"
        );
        assert!(negative >= 3, "{provider} has fewer than 3 negative cases");
    }
}

/// The JSON payload of a fixture body: a multipart body's `json` field (Dropbox Sign, as
/// `generate.py` lays it out: one part, CRLF), else the body itself.
fn payload_of(body: &[u8]) -> &[u8] {
    let text = std::str::from_utf8(body).unwrap();
    let Some(first_line) = text.strip_prefix("--").and_then(|t| t.split("\r\n").next()) else {
        return body;
    };
    let start = text.find("name=\"json\"\r\n\r\n").unwrap() + "name=\"json\"\r\n\r\n".len();
    let end = text[start..].find(&format!("\r\n--{first_line}")).unwrap() + start;
    &body[start..end]
}
