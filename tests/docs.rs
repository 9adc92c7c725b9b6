//! README's generated tables match the code: the event mapping (from each provider's
//! table) and the error codes (from `ErrorKind`); so does every other generated block
//! (README, `docs/worker.md`, the npm package, the page, the Worker's config and tests).
//! `UPDATE_README=1 cargo test --test docs` rewrites them between their markers.
//! `docs/worker.md`'s configuration and bindings tables name what `wrangler.toml` and
//! `.dev.vars.example` define.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;

use signhook::{ErrorKind, EventType, ProofAt, Provider};

fn mapping_table() -> String {
    // type → provider → names
    let mut rows: BTreeMap<usize, BTreeMap<usize, Vec<&str>>> = BTreeMap::new();
    for (pi, provider) in Provider::ALL.iter().enumerate() {
        for (name, t) in provider.event_types() {
            let ti = EventType::ALL.iter().position(|x| x == t).unwrap();
            rows.entry(ti)
                .or_default()
                .entry(pi)
                .or_default()
                .push(name);
        }
    }
    let mut out = String::from("| type | ");
    out += &Provider::ALL.map(|p| p.as_str()).join(" | ");
    out += " |\n|";
    out += &"---|".repeat(Provider::ALL.len() + 1);
    out += "\n";
    for (ti, t) in EventType::ALL.iter().enumerate() {
        let by_provider = rows.remove(&ti).unwrap_or_default();
        let cells: Vec<String> = (0..Provider::ALL.len())
            .map(|pi| {
                by_provider
                    .get(&pi)
                    .map(|names| {
                        names
                            .iter()
                            .map(|n| format!("`{n}`"))
                            .collect::<Vec<_>>()
                            .join("<br>")
                    })
                    .unwrap_or_else(|| "—".into())
            })
            .collect();
        let note = if *t == EventType::Other {
            " (and every unknown name)"
        } else {
            ""
        };
        writeln!(out, "| `{}`{note} | {} |", t.as_str(), cells.join(" | ")).unwrap();
    }
    out
}

fn error_table() -> String {
    let mut out = String::from("| code | HTTP | meaning | what to do |\n|---|---|---|---|\n");
    for kind in ErrorKind::ALL {
        writeln!(
            out,
            "| `{}` | {} | {} | {} |",
            kind.code(),
            kind.http_status(),
            kind.title(),
            kind.remedy().replace('|', "\\|")
        )
        .unwrap();
    }
    out
}

fn section(readme: &str, name: &str) -> Option<(usize, usize)> {
    let begin = format!("<!-- BEGIN GENERATED: {name} -->\n");
    let end = format!("<!-- END GENERATED: {name} -->");
    let start = readme.find(&begin)? + begin.len();
    let stop = start + readme[start..].find(&end)?;
    Some((start, stop))
}

/// Held by every test that reads and (with UPDATE_README=1) rewrites a file, so that two
/// rewrites of README.md cannot interleave and lose one another's changes.
static REWRITE: std::sync::Mutex<()> = std::sync::Mutex::new(());

#[test]
fn readme_tables_match_the_code() {
    let _rewrite = REWRITE.lock().unwrap_or_else(|e| e.into_inner());
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md");
    let mut readme = std::fs::read_to_string(&path).unwrap();
    let mut stale = Vec::new();
    for (name, table) in [("events", mapping_table()), ("errors", error_table())] {
        let (start, stop) =
            section(&readme, name).unwrap_or_else(|| panic!("README lacks the {name} markers"));
        if readme[start..stop] != table {
            stale.push(name);
            readme.replace_range(start..stop, &table);
        }
    }
    if std::env::var_os("UPDATE_README").is_some() {
        std::fs::write(&path, readme).unwrap();
        return;
    }
    assert!(
        stale.is_empty(),
        "README tables {stale:?} are stale: run UPDATE_README=1 cargo test --test docs"
    );
}

#[test]
fn every_provider_event_name_is_listed_once() {
    for provider in Provider::ALL {
        let mut names: Vec<_> = provider.event_types().iter().map(|(n, _)| *n).collect();
        let total = names.len();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), total, "{provider} lists a name twice");
        for name in names {
            assert_eq!(
                provider.event_type(name),
                provider
                    .event_types()
                    .iter()
                    .find(|(n, _)| *n == name)
                    .unwrap()
                    .1
            );
        }
        assert_eq!(provider.event_type("never.heard.of.it"), EventType::Other);
    }
}

/// The providers with a `tests/fixtures/<provider>/<file>` catalogue, each with the fewest
/// names its list may hold (`known`'s count, else 1): every provider of `known` must have
/// one, and any other provider that has one is checked too.
fn catalogues(known: &[(Provider, usize)], file: &str) -> Vec<(Provider, usize)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    Provider::ALL
        .into_iter()
        .filter_map(|p| {
            let least = known.iter().find(|(k, _)| *k == p).map(|(_, n)| *n);
            (least.is_some() || root.join(p.as_str()).join(file).exists())
                .then(|| (p, least.unwrap_or(1)))
        })
        .collect()
}

/// Every event name a provider's own webhook page lists, as extracted into
/// `tests/fixtures/<provider>/DOCUMENTED.txt` (the page named in its header), is mapped.
/// One way only: the tables also map names those pages leave out (aliases, older names).
#[test]
fn provider_catalogues_are_fully_mapped() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    // The pages list 36 Acrobat agreement events, 66 Zigned names and 26 or more Yousign
    // events; fewer means a list was cut.
    let known = [
        (Provider::AcrobatSign, 36),
        (Provider::Zigned, 66),
        (Provider::Yousign, 26),
    ];
    for (provider, at_least) in catalogues(&known, "DOCUMENTED.txt") {
        let path = root.join(provider.as_str()).join("DOCUMENTED.txt");
        let text =
            std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let listed: Vec<&str> = text
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .collect();
        assert!(
            listed.len() >= at_least,
            "{provider}: only {}",
            listed.len()
        );
        for name in listed {
            assert!(
                provider.event_types().iter().any(|(n, _)| *n == name),
                "{provider}: {name} is documented but unmapped"
            );
        }
    }
}

/// Every event name a provider documents, as listed (with its sources) in
/// `tests/fixtures/<provider>/EVENTS.txt`, is mapped, and the table holds no other name.
#[test]
fn listed_event_names_are_fully_mapped() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let known = [
        (Provider::DocuSign, 26),
        (Provider::DocuSeal, 11),
        (Provider::Documenso, 14),
        (Provider::OneSpanSign, 3),
        (Provider::BoldSign, 34),
        (Provider::SignWell, 14),
    ];
    for (provider, at_least) in catalogues(&known, "EVENTS.txt") {
        let path = root.join(provider.as_str()).join("EVENTS.txt");
        let text =
            std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let listed: Vec<&str> = text
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .collect();
        assert!(
            listed.len() >= at_least,
            "{provider}: parsed only {listed:?}"
        );
        for name in &listed {
            assert!(
                provider.event_types().iter().any(|(n, _)| n == name),
                "{provider}: {name} is listed in {} but unmapped",
                path.display()
            );
        }
        for (name, _) in provider.event_types() {
            assert!(
                listed.contains(name),
                "{provider}: {name} is mapped but not listed in {}",
                path.display()
            );
        }
    }
}

/// Every fake value published in `.dev.vars.example` and on the validator page is one the
/// Worker refuses outside local development (`signhook::PUBLIC_EXAMPLE_VALUES`).
#[test]
fn published_example_values_are_known() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut values = Vec::new();
    let dev_vars = std::fs::read_to_string(root.join(".dev.vars.example")).unwrap();
    for line in dev_vars
        .lines()
        .filter(|l| !l.trim_start().starts_with('#'))
    {
        let Some((name, value)) = line.split_once('=') else {
            continue;
        };
        let value = value.trim().trim_matches('"');
        if name.ends_with("_SECRETS") || name.ends_with("_CLIENT_IDS") || name == "FORWARD_SECRET" {
            values.extend(value.split_whitespace().map(str::to_owned));
        }
    }
    let app = std::fs::read_to_string(root.join("www/app.js")).unwrap();
    let keys = app
        .split_once("const LOCAL_DEV_KEYS = {")
        .and_then(|(_, rest)| rest.split_once("};"))
        .map(|(body, _)| body)
        .expect("www/app.js has LOCAL_DEV_KEYS");
    for line in keys.lines() {
        if let Some((_, value)) = line.split_once(':') {
            values.push(
                value
                    .trim()
                    .trim_end_matches(',')
                    .trim_matches('"')
                    .to_owned(),
            );
        }
    }
    let token = app
        .split_once("const LOCAL_DEV_URL_TOKEN = \"")
        .and_then(|(_, rest)| rest.split_once('"'))
        .map(|(token, _)| token.to_owned())
        .expect("www/app.js has LOCAL_DEV_URL_TOKEN");
    values.push(token);
    assert!(values.len() >= 10, "parsed only {values:?}");
    for value in &values {
        assert!(
            signhook::is_public_example(value),
            "{value} is published but not refused"
        );
    }
}

/// `schema/event.schema.json`'s enums are the code's: every `type`, `provider`, `source`,
/// envelope status, verification scheme and coverage level, in the code's order.
#[test]
fn schema_enums_match_the_code() {
    use signhook::{Covers, EnvelopeStatus, Scheme};
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let schema: serde_json::Value =
        serde_json::from_slice(&std::fs::read(root.join("schema/event.schema.json")).unwrap())
            .unwrap();
    let expected: [(&str, Vec<String>); 6] = [
        (
            "/properties/type/enum",
            EventType::ALL
                .iter()
                .map(|t| t.as_str().to_owned())
                .collect(),
        ),
        (
            "/properties/provider/enum",
            Provider::ALL
                .iter()
                .map(|p| p.as_str().to_owned())
                .collect(),
        ),
        (
            "/properties/source/enum",
            Provider::ALL
                .iter()
                .map(|p| format!("signhook/{}", p.as_str()))
                .collect(),
        ),
        (
            "/$defs/envelope/properties/status/enum",
            EnvelopeStatus::ALL
                .iter()
                .map(|s| s.as_str().to_owned())
                .collect(),
        ),
        (
            "/$defs/verification/properties/scheme/enum",
            Scheme::ALL.iter().map(json_text).collect(),
        ),
        (
            "/$defs/verification/properties/covers/enum",
            Covers::ALL.iter().map(json_text).collect(),
        ),
    ];
    let path = root.join("schema/event.schema.json");
    let mut text = std::fs::read_to_string(&path).unwrap();
    let _rewrite = REWRITE.lock().unwrap_or_else(|e| e.into_inner());
    let update = std::env::var_os("UPDATE_README").is_some();
    for (pointer, want) in expected {
        let got: Vec<String> = schema
            .pointer(pointer)
            .and_then(|v| v.as_array())
            .unwrap_or_else(|| panic!("schema has no {pointer}"))
            .iter()
            .map(|v| v.as_str().unwrap().to_owned())
            .collect();
        if update && got != want {
            // A new provider (or type) is written into the schema where the list is, in the
            // file's own layout; the rest of the file is left byte for byte.
            if let Some(rewritten) = rewrite_string_list(&text, &got, &want) {
                text = rewritten;
                std::fs::write(&path, &text).unwrap();
                continue;
            }
        }
        assert_eq!(
            got,
            want,
            "schema/event.schema.json {pointer} drifted from the code; it must be:\n{}",
            serde_json::to_string(&want).unwrap()
        );
    }
}

/// `text` with the JSON string list `old` (one value per line, as the schema lays lists
/// out) replaced by `new` in the same layout; `None` when `old` is not found exactly once.
fn rewrite_string_list(text: &str, old: &[String], new: &[String]) -> Option<String> {
    let first = format!("\"{}\"", old.first()?);
    let line_start = |at: usize| text[..at].rfind('\n').map_or(0, |i| i + 1);
    let mut found = None;
    for (at, _) in text.match_indices(&first) {
        let indent = &text[line_start(at)..at];
        if !indent.chars().all(|c| c == ' ') {
            continue;
        }
        let separator = format!(",\n{indent}");
        let old_text = old
            .iter()
            .map(|v| format!("\"{v}\""))
            .collect::<Vec<_>>()
            .join(&separator);
        if text[at..].starts_with(&old_text) && !text[at + old_text.len()..].starts_with(',') {
            if found.is_some() {
                return None;
            }
            let new_text = new
                .iter()
                .map(|v| format!("\"{v}\""))
                .collect::<Vec<_>>()
                .join(&separator);
            found = Some((at, old_text.len(), new_text));
        }
    }
    let (at, len, new_text) = found?;
    Some(format!("{}{new_text}{}", &text[..at], &text[at + len..]))
}

/// A unit-like enum value's JSON string.
fn json_text<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_value(value)
        .unwrap()
        .as_str()
        .unwrap()
        .to_owned()
}

/// The first backticked cell of each row of the table that follows `after` in `doc`.
fn table_names(doc: &str, after: &str) -> Vec<String> {
    let start = doc
        .find(after)
        .unwrap_or_else(|| panic!("docs/worker.md has no {after:?}"));
    doc[start..]
        .lines()
        .skip_while(|l| !l.starts_with('|'))
        .take_while(|l| l.starts_with('|'))
        .skip(2) // header and separator
        .filter_map(|l| l.split('`').nth(1).map(str::to_owned))
        .collect()
}

/// The Worker's configuration and bindings tables (`docs/worker.md`) name exactly what
/// `wrangler.toml` and `.dev.vars.example` define, and the reverse.
#[test]
fn worker_config_matches_wrangler_and_dev_vars() {
    use std::collections::BTreeSet;
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let worker_doc = std::fs::read_to_string(root.join("docs/worker.md")).unwrap();
    let wrangler = std::fs::read_to_string(root.join("wrangler.toml")).unwrap();
    let dev_vars = std::fs::read_to_string(root.join(".dev.vars.example")).unwrap();
    let quoted = |line: &str| line.split('"').nth(1).map(str::to_owned);

    // Vars: wrangler.toml's [vars] table and .dev.vars.example's NAME= lines.
    let mut defined = BTreeSet::new();
    let mut section = "";
    for line in wrangler.lines().map(str::trim) {
        if line.starts_with('[') {
            section = line;
            continue;
        }
        if section == "[vars]" && !line.starts_with('#') {
            if let Some((name, _)) = line.split_once('=') {
                defined.insert(name.trim().to_owned());
            }
        }
    }
    for line in dev_vars.lines().map(str::trim) {
        if let Some((name, _)) = line.split_once('=').filter(|_| !line.starts_with('#')) {
            defined.insert(name.trim().to_owned());
        }
    }
    let documented: BTreeSet<String> = table_names(&worker_doc, "\n## Configuration\n")
        .into_iter()
        .chain(table_names(&worker_doc, "| name | default | meaning |"))
        .collect();
    assert_eq!(
        documented, defined,
        "docs/worker.md's configuration table vs wrangler.toml [vars] + .dev.vars.example"
    );

    // Bindings: producers, consumers' queues, Durable Objects, R2, assets.
    let mut bound = BTreeSet::new();
    let mut section = "";
    for line in wrangler.lines().map(str::trim) {
        if line.starts_with('[') {
            section = line;
        }
        let key = line.split('=').next().unwrap_or_default().trim();
        match (section, key) {
            (_, "binding") => bound.extend(quoted(line)),
            ("[[queues.consumers]]", "queue") => bound.extend(quoted(line)),
            _ if line.starts_with("{ name = ") => bound.extend(quoted(line)),
            _ => {}
        }
    }
    let documented: BTreeSet<String> = table_names(&worker_doc, "| binding | kind | what |")
        .into_iter()
        .collect();
    assert_eq!(
        documented, bound,
        "docs/worker.md's bindings table vs wrangler.toml"
    );
    assert!(bound.len() >= 7, "parsed only {bound:?}");
}

/// The providers' table in README: every name the other tools use.
fn providers_table() -> String {
    let mut out = String::from(
        "| name (route, CLI, npm) | provider | Worker var | proof |\n|---|---|---|---|\n",
    );
    for p in Provider::ALL {
        writeln!(
            out,
            "| `{}` | {} | `{}` | {} |",
            p.as_str(),
            p.title(),
            p.config_var(),
            match p.proof_at() {
                ProofAt::Header => format!("header `{}`", p.proof_header()),
                ProofAt::Body => format!("in the body, `{}`", p.proof_header()),
                ProofAt::Query => format!("in the URL, `?{}=`", p.proof_header()),
                _ => unreachable!(),
            }
        )
        .unwrap();
    }
    out
}

/// Lines of `text`, each indented by `indent`, newline-terminated.
fn indented(indent: &str, lines: &[String]) -> String {
    lines.iter().map(|l| format!("{indent}{l}\n")).collect()
}

/// Checks (or with UPDATE_README=1 rewrites) every `BEGIN GENERATED: <name>` block of
/// `path` whose name `generate` knows; the block's indentation is its BEGIN line's.
fn check_blocks(path: &str, generate: &dyn Fn(&str) -> Option<Vec<String>>) -> Vec<String> {
    let _rewrite = REWRITE.lock().unwrap_or_else(|e| e.into_inner());
    let full = Path::new(env!("CARGO_MANIFEST_DIR")).join(path);
    let text = std::fs::read_to_string(&full).unwrap();
    let mut out = String::new();
    let mut stale = Vec::new();
    let mut lines = text.split_inclusive('\n');
    let mut found = 0;
    while let Some(line) = lines.next() {
        out.push_str(line);
        let Some((indent, rest)) = line.split_once("BEGIN GENERATED: ") else {
            continue;
        };
        let name: String = rest
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '-')
            .collect();
        let indent: String = indent.chars().take_while(|c| c.is_whitespace()).collect();
        let Some(wanted) = generate(&name) else {
            continue;
        };
        found += 1;
        let mut current = String::new();
        let mut end = None;
        for inner in lines.by_ref() {
            if inner.contains(&format!("END GENERATED: {name}")) {
                end = Some(inner);
                break;
            }
            current.push_str(inner);
        }
        let end = end.unwrap_or_else(|| panic!("{path}: no END GENERATED: {name}"));
        let wanted = indented(&indent, &wanted);
        if current != wanted {
            stale.push(format!("{path}: {name}"));
        }
        out.push_str(&wanted);
        out.push_str(end);
    }
    assert!(found > 0, "{path} has no generated block");
    if std::env::var_os("UPDATE_README").is_some() {
        std::fs::write(&full, out).unwrap();
        return Vec::new();
    }
    stale
}

/// The provider list everywhere outside the crate derives from the registry: the npm
/// constants and types, the page's lists and titles, README's names table and provider
/// list, the Worker's vars and account fields (`docs/worker.md`), each a generated block.
#[test]
fn provider_lists_derive_from_the_registry() {
    let q = |s: &str| serde_json::to_string(s).unwrap();
    let js_key = |s: &str| {
        if s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            s.to_owned()
        } else {
            q(s)
        }
    };
    let names = || {
        Provider::ALL
            .iter()
            .map(|p| q(p.as_str()))
            .collect::<Vec<_>>()
    };
    // Every provider's example value as a JS object literal between `open` and `close`.
    let example_secrets = |open: &str, close: &str| -> Vec<String> {
        let mut v = vec![open.to_owned()];
        for p in Provider::ALL {
            v.push(format!(
                "  {}: {},",
                js_key(p.as_str()),
                q(p.example_secret())
            ));
        }
        v.push(close.to_owned());
        v
    };
    let generate = |name: &str| -> Option<Vec<String>> {
        Some(match name {
            "providers" => {
                let mut v = vec![
                    "/** Every provider, in documentation order. */".to_owned(),
                    format!(
                        "export const PROVIDERS = Object.freeze([{}]);",
                        names().join(", ")
                    ),
                    String::new(),
                    "/** The header carrying each provider's proof (what `sign` sets); a provider whose proof is in the body (SignWell's `event.hash`, written by `signBody`) or the URL (PandaDoc's `?signature=`, from `signQuery`) has none. */"
                        .to_owned(),
                    "export const PROOF_HEADERS = Object.freeze({".to_owned(),
                ];
                for p in Provider::ALL
                    .into_iter()
                    .filter(|p| p.proof_at() == ProofAt::Header)
                {
                    v.push(format!(
                        "  {}: {},",
                        js_key(p.as_str()),
                        q(p.proof_header())
                    ));
                }
                v.push("});".to_owned());
                v
            }
            "provider-type" => vec![
                "/** A provider whose webhooks signhook verifies and normalizes. */".to_owned(),
                format!("export type Provider = {};", names().join(" | ")),
            ],
            "proof-headers-type" => {
                let mut v = vec![
                    "/** The header each provider puts its proof in (none when it is in the body). */"
                        .to_owned(),
                    "export interface ProofHeaders {".to_owned(),
                ];
                for p in Provider::ALL
                    .into_iter()
                    .filter(|p| p.proof_at() == ProofAt::Header)
                {
                    v.push(format!(
                        "  {}: {};",
                        js_key(p.as_str()),
                        q(p.proof_header())
                    ));
                }
                v.push("}".to_owned());
                v
            }
            "provider-options" => Provider::ALL
                .iter()
                .map(|p| format!("<option value=\"{}\">{}</option>", p.as_str(), p.title()))
                .collect(),
            "titles" => {
                let mut v = vec!["const TITLES = {".to_owned()];
                for p in Provider::ALL {
                    v.push(format!("  {}: {},", js_key(p.as_str()), q(p.title())));
                }
                v.push("};".to_owned());
                v
            }
            "providers-table" => providers_table().lines().map(str::to_owned).collect(),
            "provider-vars" => {
                let mut v = vec!["| name | holds |".to_owned(), "|---|---|".to_owned()];
                for p in Provider::ALL {
                    v.push(format!(
                        "| `{}` | {}: {} |",
                        p.config_var(),
                        p.title(),
                        p.secrets_note()
                    ));
                }
                v
            }
            "provider-vars-list" => {
                // `# A, B, …` lines of at most 90 characters.
                let mut v: Vec<String> = Vec::new();
                for p in Provider::ALL {
                    let name = p.config_var();
                    match v.last_mut() {
                        Some(line) if line.len() + name.len() + 2 <= 90 => {
                            line.push_str(", ");
                            line.push_str(name);
                        }
                        _ => {
                            if let Some(line) = v.last_mut() {
                                line.push(',');
                            }
                            v.push(format!("# {name}"));
                        }
                    }
                }
                if let Some(line) = v.last_mut() {
                    line.push('.');
                }
                v
            }
            "provider-secrets" => Provider::ALL
                .iter()
                .flat_map(|p| {
                    [
                        format!("# {}: {}.", p.title(), p.secrets_note().replace("**", "")),
                        format!("{}={}", p.config_var(), q(p.example_secret())),
                    ]
                })
                .collect(),
            "local-dev-keys" => example_secrets("const LOCAL_DEV_KEYS = {", "};"),
            "account-fields" => {
                let mut v = vec![
                    "| provider | account id |".to_owned(),
                    "|---|---|".to_owned(),
                ];
                for p in Provider::ALL {
                    if let Some(field) = signhook::account_field(p) {
                        let note = if p.proof_in_body() {
                            format!(" (the payload is not covered by {}'s MAC, so this binds only honest deliveries)", p.title())
                        } else {
                            String::new()
                        };
                        v.push(format!("| {} | `{field}`{note} |", p.title()));
                    }
                }
                v
            }
            "provider-pages" => Provider::ALL
                .iter()
                .map(|p| {
                    let page = format!("docs/providers/{}.md", p.as_str());
                    assert!(
                        Path::new(env!("CARGO_MANIFEST_DIR")).join(&page).exists(),
                        "{p} has no {page}"
                    );
                    format!("- [{page}]({page}): {}", p.title())
                })
                .collect(),
            "deploy-secrets" => Provider::ALL
                .iter()
                .map(|p| {
                    format!(
                        "npx wrangler secret put {:<24} # {}",
                        p.config_var(),
                        p.title()
                    )
                })
                .collect(),
            "signed-times" => {
                let mut v = vec!["const SIGNED_TIMES = {".to_owned()];
                for p in Provider::ALL {
                    let Some(time) = p.signed_time() else {
                        continue;
                    };
                    let paths: Vec<String> = time
                        .paths
                        .iter()
                        .map(|path| serde_json::to_string(path).unwrap())
                        .collect();
                    let format = match time.format {
                        signhook::TimeFormat::EpochMillis => "epoch-millis".to_owned(),
                        signhook::TimeFormat::EpochSeconds => "epoch-seconds".to_owned(),
                        signhook::TimeFormat::EpochSecondsText => "epoch-seconds-text".to_owned(),
                        signhook::TimeFormat::Rfc3339 { fraction_digits } => {
                            format!("rfc3339:{fraction_digits}")
                        }
                        other => panic!("{p}: no page format for {other:?}"),
                    };
                    v.push(format!(
                        "  {}: {{ paths: [{}], format: {} }},",
                        js_key(p.as_str()),
                        paths.join(", "),
                        q(&format)
                    ));
                }
                v.push("};".to_owned());
                v
            }
            "delivery-notes" => {
                let mut v = vec!["const DELIVERY_NOTES = {".to_owned()];
                for p in Provider::ALL {
                    if let Some(note) = p.delivery_note() {
                        v.push(format!("  {}: {},", js_key(p.as_str()), q(note)));
                    }
                }
                v.push("};".to_owned());
                v
            }
            "samples" => {
                let mut v = vec!["export const SAMPLES = {".to_owned()];
                for p in Provider::ALL {
                    v.push(format!("  {}: [", js_key(p.as_str())));
                    for sample in p.samples() {
                        // The body as written (its keys in the provider's order), once
                        // checked to be JSON.
                        serde_json::from_str::<serde_json::Value>(sample.body)
                            .unwrap_or_else(|e| panic!("{p} sample {}: {e}", sample.event));
                        let pretty = sample.body;
                        v.push("    {".to_owned());
                        v.push(format!("      event: {},", q(sample.event)));
                        let mut lines = pretty.lines();
                        v.push(format!("      body: {}", lines.next().unwrap_or_default()));
                        v.extend(lines.map(|l| format!("      {l}")));
                        if let Some(last) = v.last_mut() {
                            last.push(',');
                        }
                        v.push("    },".to_owned());
                    }
                    v.push("  ],".to_owned());
                }
                v.push("};".to_owned());
                v
            }
            "example-secrets" => {
                example_secrets("export const EXAMPLE_SECRETS = Object.freeze({", "});")
            }
            "provider-titles" => {
                let titles: Vec<String> = Provider::ALL
                    .iter()
                    .map(|p| format!("**{}**", p.title()))
                    .collect();
                let (last, rest) = titles.split_last().unwrap();
                vec![format!("{} and {last}", rest.join(", "))]
            }
            _ => return None,
        })
    };
    let mut stale = Vec::new();
    for path in [
        "npm/src/api.js",
        "npm/index.d.ts",
        "www/index.html",
        "www/app.js",
        "README.md",
        "docs/worker.md",
        "npm/README.md",
        ".dev.vars.example",
        "wrangler.toml",
        "tests/worker/harness.mjs",
        "www/samples.js",
    ] {
        stale.extend(check_blocks(path, &generate));
    }
    assert!(
        stale.is_empty(),
        "generated blocks {stale:?} are stale: run UPDATE_README=1 cargo test --test docs"
    );
}

/// The crate's, the npm package's and the crate docs' one-line descriptions name no
/// provider: a hand-written list drifts from the registry (they once named 8 of 12). The
/// lists people read are README's generated tables.
#[test]
fn descriptions_carry_no_provider_list() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    for (path, take) in [
        ("Cargo.toml", "description = "),
        ("npm/package.json", "\"description\": "),
        ("src/lib.rs", "//! "),
    ] {
        let text = std::fs::read_to_string(root.join(path)).unwrap();
        let line = text
            .lines()
            .find(|l| l.trim_start().starts_with(take))
            .unwrap_or_else(|| panic!("{path} has no {take:?} line"));
        let named: Vec<&str> = Provider::ALL
            .iter()
            .map(|p| p.title())
            .filter(|t| line.contains(t))
            .collect();
        assert!(named.is_empty(), "{path}: {line:?} names {named:?}");
    }
}
