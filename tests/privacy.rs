//! No real person's data in the repository: every e-mail address in a fixture, a document,
//! an example or the code is at a domain reserved for examples, and every person named in a
//! fixture's payload has a made-up name. The exceptions are listed here, each with its
//! reason.

#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

use std::fs;
use std::path::{Path, PathBuf};

/// Where the repository keeps text a person could have come from (everything but the
/// build outputs and installed packages).
const ROOTS: &[&str] = &[
    "README.md",
    "CONTRIBUTING.md",
    "CHANGELOG.md",
    "docs",
    "npm/README.md",
    "npm/src",
    "examples",
    "www",
    "src",
    "tests",
    "bench",
    "schema",
    "fuzz/corpus",
    "fuzz/src",
    "fuzz/fuzz_targets",
    "fuzz/README.md",
];

/// Address-shaped text that is no address, or an address that must stay as it is.
const ALLOWED: &[(&str, &str)] = &[(
    "event.type@event.time",
    "SignWell's signed string, <event.type>@<event.time>, spelled out in a comment",
)];

/// Domains reserved for examples (RFC 2606 and RFC 6761).
fn reserved(domain: &str) -> bool {
    let domain = domain.to_ascii_lowercase();
    ["example.com", "example.org", "example.net"]
        .iter()
        .any(|d| domain == *d || domain.ends_with(&format!(".{d}")))
        || [".example", ".invalid", ".test", ".localhost"]
            .iter()
            .any(|tld| domain.ends_with(tld))
}

#[path = "support/walk.rs"]
mod walk;

/// This file (its own examples of what it refuses), and what libFuzzer added to a corpus
/// (it stays on the machine that ran it; the repository's corpus is the seeds).
fn skip(path: &Path, name: &str) -> bool {
    path.ends_with("tests/privacy.rs")
        || (path.starts_with("fuzz/corpus") && path.is_file() && !name.starts_with("seed-"))
}

fn files(root: &Path, out: &mut Vec<PathBuf>) {
    walk::files(root, &skip, out);
}

/// The e-mail addresses in `text`: `local@domain.tld`, read around each `@`.
fn addresses(text: &[u8]) -> Vec<String> {
    let local = |b: u8| b.is_ascii_alphanumeric() || b"._%+-".contains(&b);
    let host = |b: u8| b.is_ascii_alphanumeric() || b".-".contains(&b);
    let mut found = Vec::new();
    for (at, _) in text.iter().enumerate().filter(|(_, b)| **b == b'@') {
        let start = text[..at]
            .iter()
            .rposition(|b| !local(*b))
            .map_or(0, |i| i + 1);
        let end = text[at + 1..]
            .iter()
            .position(|b| !host(*b))
            .map_or(text.len(), |i| at + 1 + i);
        let (user, domain) = (&text[start..at], text[at + 1..end].trim_ascii());
        let domain = domain.strip_suffix(b".").unwrap_or(domain);
        let tld_ok = domain
            .rsplit(|b| *b == b'.')
            .next()
            .is_some_and(|tld| tld.len() >= 2 && tld.iter().all(u8::is_ascii_alphabetic));
        if !user.is_empty() && domain.contains(&b'.') && tld_ok {
            found.push(format!(
                "{}@{}",
                String::from_utf8_lossy(user),
                String::from_utf8_lossy(domain)
            ));
        }
    }
    found
}

#[test]
fn every_address_is_at_a_reserved_domain() {
    let mut paths = Vec::new();
    for root in ROOTS {
        files(Path::new(root), &mut paths);
    }
    assert!(
        paths.len() > 100,
        "the walk found only {} files",
        paths.len()
    );
    let mut bad = Vec::new();
    for path in &paths {
        let Ok(bytes) = fs::read(path) else { continue };
        for address in addresses(&bytes) {
            let domain = address.rsplit_once('@').map_or("", |(_, d)| d);
            if !reserved(domain) && !ALLOWED.iter().any(|(a, _)| *a == address) {
                bad.push(format!("{}: {address}", path.display()));
            }
        }
    }
    assert!(
        bad.is_empty(),
        "addresses outside example.com/.org/.net (make them up, or list the exception in \
         ALLOWED with its reason):\n{}",
        bad.join("\n")
    );
}

/// The made-up given and family names the fixtures use. A person (an object with an
/// e-mail address, or a field named for a person) in a fixture's payload is named with
/// these words only; a new name is added here, after checking it is nobody's.
const MADE_UP_NAMES: &[&str] = &[
    "Ada",
    "Linden",
    "Grace",
    "Holm",
    "Sam",
    "Sender",
    "Bob",
    "Guarantor",
    "Carl",
    "Carol",
    "Dee",
    "Tenant",
    "Robin",
    "Sample",
    "Saga",
    "Märta",
    "Ek",
    "SAGA",
    "MÄRTA",
    "EK",
    "Casey",
    "cjones",
    "preview1",
    "test",
    "user",
    "TestUser",
    "System",
    "Generated",
    "Test",
    "User",
    "Signer",
    "Boss",
    "Jane",
    "John",
    "Doe",
    "Alice",
    "Example",
];

/// Fields that name a person wherever they appear.
const PERSON_FIELDS: &[&str] = &[
    "first_name",
    "last_name",
    "firstName",
    "lastName",
    "full_name",
    "fullName",
    "owner_first_name",
    "owner_last_name",
    "recipient_name",
    "signer_name",
    "signerName",
    "userName",
    "performed_by_name",
    "sender_name",
];

fn check_people(value: &serde_json::Value, where_: &str, bad: &mut Vec<String>) {
    match value {
        serde_json::Value::Object(map) => {
            let is_person = map.keys().any(|k| {
                ["email", "email_address", "emailaddress"]
                    .contains(&k.to_ascii_lowercase().as_str())
            });
            for (key, field) in map {
                let names_person =
                    PERSON_FIELDS.contains(&key.as_str()) || (is_person && key == "name");
                if let (true, Some(text)) = (names_person, field.as_str()) {
                    for word in text.split(|c: char| c.is_whitespace() || c == ',') {
                        if !word.is_empty() && !MADE_UP_NAMES.contains(&word) {
                            bad.push(format!("{where_}: {key} = {text:?}"));
                        }
                    }
                }
                check_people(field, where_, bad);
            }
        }
        serde_json::Value::Array(items) => {
            for item in items {
                check_people(item, where_, bad);
            }
        }
        _ => {}
    }
}

#[test]
fn every_person_in_a_fixture_is_made_up() {
    let mut paths = Vec::new();
    files(Path::new("tests/fixtures"), &mut paths);
    let mut bad = Vec::new();
    let mut people_seen = 0;
    for path in paths.iter().filter(|p| p.ends_with("body")) {
        let bytes = fs::read(path).unwrap();
        let text = String::from_utf8_lossy(&bytes);
        // A multipart body (Dropbox Sign) carries its JSON in one part: read from the first
        // `{` to the last `}`.
        let (Some(start), Some(end)) = (text.find('{'), text.rfind('}')) else {
            continue;
        };
        let Ok(value) = serde_json::from_str::<serde_json::Value>(&text[start..=end]) else {
            continue;
        };
        let before = bad.len();
        check_people(&value, &path.display().to_string(), &mut bad);
        people_seen += usize::from(text.contains("name\"") && bad.len() == before);
    }
    assert!(
        people_seen > 10,
        "the check read only {people_seen} payloads with names"
    );
    assert!(
        bad.is_empty(),
        "names not in MADE_UP_NAMES (make them up):\n{}",
        bad.join("\n")
    );
}

#[test]
fn the_checks_find_what_they_look_for() {
    assert_eq!(
        addresses(b"to: someone@gmail.com, a@b.example.com; not.an@address"),
        ["someone@gmail.com", "a@b.example.com"]
    );
    assert!(!reserved("gmail.com") && reserved("b.example.com") && reserved("evil.example"));
    let mut bad = Vec::new();
    let payload = serde_json::json!({"signer": {"email": "x@example.com", "name": "Real Person"}});
    check_people(&payload, "t", &mut bad);
    assert_eq!(bad.len(), 2, "{bad:?}");
}
