//! Writes the seed corpus, `fuzz/corpus/<target>/seed-*`, from `tests/fixtures/`.
//!
//!     cargo run --manifest-path fuzz/Cargo.toml --example gen_seeds
//!
//! Each fixture becomes a structured input (its exact headers, body, secrets, client ids,
//! `now` and tolerance), plus a variant whose proof header is re-signed correctly so the
//! verified path is in the corpus from the start. Every seed is decoded back and compared
//! with what was encoded, so a change to the input format cannot silently break the seeds.
//! Old `seed-*` files are replaced; what libFuzzer adds to the corpus is left alone.

use std::fs;
use std::path::{Path, PathBuf};

use arbitrary::Unstructured;
use signhook::Provider;
use signhook_fuzz::checks::DiagnoseInput;
use signhook_fuzz::codec::{Reader, Writer};
use signhook_fuzz::focused::{
    BoldSignHeaderInput, DocuSealHeaderInput, DocuSealValue, HeaderText, Rfc3339Input, Stamp,
    StampText, TagInput, TagSource, YousignHeaderInput, ZignedHeaderInput,
};
use signhook_fuzz::inbody::{Data, EventBody, HashVal, Meta};
use signhook_fuzz::input::{
    Body, Casing, Delivery, HeaderSpec, MaxAge, MaxBody, Name, Now, Part, PartVal, Signed,
    Tolerance, Ts, Value,
};
use signhook_fuzz::jsondoc::{single_object_providers, Doc, Edit, Item, JsonInput};
use signhook_fuzz::pandadoc::{Elem, MaxEvents, Note, PBody, PandaInput, Param, SigVal, Url, When};

struct Fixture {
    provider: Provider,
    name: String,
    headers: Vec<(String, String)>,
    secrets: Vec<String>,
    client_ids: Vec<String>,
    now: i64,
    tolerance: Option<u64>,
    /// The request URL's query (PandaDoc's proof), when the case gives one.
    query: Option<String>,
    body: Vec<u8>,
}

fn strings(v: &serde_json::Value, key: &str) -> Vec<String> {
    v[key]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|s| s.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

fn fixtures(root: &Path) -> Vec<Fixture> {
    let mut out = Vec::new();
    for provider in Provider::ALL {
        let dir = root.join(provider.as_str());
        let Ok(entries) = fs::read_dir(&dir) else {
            continue;
        };
        let mut cases: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
        cases.sort();
        for case in cases {
            let (Ok(json), Ok(body)) = (
                fs::read_to_string(case.join("case.json")),
                fs::read(case.join("body")),
            ) else {
                continue;
            };
            let v: serde_json::Value = serde_json::from_str(&json).expect("case.json is JSON");
            let headers = v["headers"]
                .as_object()
                .map(|m| {
                    m.iter()
                        .map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_owned()))
                        .collect()
                })
                .unwrap_or_default();
            out.push(Fixture {
                provider,
                name: case.file_name().unwrap().to_string_lossy().into_owned(),
                headers,
                secrets: strings(&v, "secrets"),
                client_ids: strings(&v, "client_ids"),
                now: v["now"].as_i64().unwrap_or(1_731_340_000),
                tolerance: v["tolerance"].as_u64(),
                query: v["query"].as_str().map(str::to_owned),
                body,
            });
        }
    }
    out
}

fn delivery(f: &Fixture, resign: bool) -> Delivery {
    // Re-signed, the signed value writes the proof's other headers itself (Box Sign's
    // timestamp, version, algorithm and secondary; SignatureAPI's id and timestamp).
    let written = signhook_fuzz::input::signed_names(f.provider);
    let headers = f
        .headers
        .iter()
        .filter(|(name, _)| {
            !resign
                || name.eq_ignore_ascii_case(f.provider.proof_header())
                || !written.iter().any(|w| name.eq_ignore_ascii_case(w))
        })
        .map(|(name, value)| {
            let is_proof = name.eq_ignore_ascii_case(f.provider.proof_header());
            let value = if resign && is_proof {
                Value::Signed(Signed {
                    scheme: 0,
                    key: 0,
                    ts: Ts::NowDelta(0),
                    how: 0,
                })
            } else {
                Value::Raw(value.clone())
            };
            HeaderSpec {
                name: Name::Raw(name.clone()),
                casing: Casing::AsIs,
                value,
            }
        })
        .collect::<Vec<_>>();
    let mut headers = headers;
    let in_body = f.provider.proof_in_body();
    if resign
        && !in_body
        && !f
            .headers
            .iter()
            .any(|(n, _)| n.eq_ignore_ascii_case(f.provider.proof_header()))
    {
        headers.push(HeaderSpec {
            name: Name::Own,
            casing: Casing::AsIs,
            value: Value::Signed(Signed {
                scheme: 0,
                key: 0,
                ts: Ts::NowDelta(0),
                how: 0,
            }),
        });
    }
    let mut secrets = f.secrets.clone();
    let mut client_ids = f.client_ids.clone();
    if resign && secrets.is_empty() && !f.provider.takes_client_ids() {
        secrets.push("fuzz-secret".into());
    }
    if resign && client_ids.is_empty() && f.provider.takes_client_ids() {
        client_ids.push("fuzz-client".into());
    }
    // A proof in the body: re-signed as an event body with the fixture's metadata and data.
    let body = if resign && in_body {
        event_body(f.provider, &f.body)
    } else {
        Body::Raw(f.body.clone())
    };
    Delivery {
        headers,
        secrets,
        client_ids,
        now: Now::Explicit(f.now),
        tolerance: f.tolerance.map_or(Tolerance::Default, Tolerance::Explicit),
        max_body: MaxBody::Default,
        max_age: MaxAge::Unset,
        flip_at: 7,
        flip_xor: 1,
        body,
    }
}

/// An in-body-proof fixture as an event body for its provider's scheme: its type and time
/// as written, a correct hash, and its `data` verbatim (for a top-level proof, Xodo
/// Sign's, the rest of the object).
fn event_body(provider: Provider, body: &[u8]) -> Body {
    let scheme = signhook_fuzz::inbody::scheme_of(provider).expect("an in-body scheme");
    let v: serde_json::Value = serde_json::from_slice(body).unwrap_or_default();
    let event = match scheme.event_key {
        Some(k) => v[k].clone(),
        None => v.clone(),
    };
    // Nested: `event.type` and `event.time`, as these seeds have always been read (SignWell's
    // keys; Dropbox Sign's re-signed seeds so carry null metadata, unchanged here).
    let (type_key, time_key) = match scheme.event_key {
        Some(_) => ("type", "time"),
        None => (scheme.type_key, scheme.time_key),
    };
    let meta = |k: &str| match &event[k] {
        serde_json::Value::String(s) => Meta::Str(s.clone()),
        serde_json::Value::Null => Meta::Raw("null".into()),
        other => Meta::Raw(other.to_string()),
    };
    let data = match scheme.event_key {
        Some(_) => v["data"].clone(),
        None => {
            let mut rest = v.clone();
            if let Some(map) = rest.as_object_mut() {
                for k in [scheme.type_key, scheme.time_key, scheme.hash_key] {
                    map.remove(k);
                }
            }
            rest
        }
    };
    Body::Event(EventBody {
        etype: meta(type_key),
        time: meta(time_key),
        hash: HashVal::Correct {
            key: 0,
            upper: false,
        },
        layout: 0,
        data: Data::Raw(data.to_string().into_bytes()),
    })
}

/// Encodes, decodes back, and insists on equality.
fn roundtrip<T: PartialEq + std::fmt::Debug>(
    value: &T,
    encode: impl Fn(&T, &mut Writer),
    decode: impl Fn(&mut Reader) -> T,
) -> Vec<u8> {
    let mut w = Writer::default();
    encode(value, &mut w);
    let mut u = Unstructured::new(&w.out);
    let back = decode(&mut Reader::new(&mut u));
    assert_eq!(&back, value, "seed does not decode back to itself");
    w.out
}

struct Out {
    root: PathBuf,
    count: usize,
}

impl Out {
    fn target(&self, target: &str) {
        let dir = self.root.join(target);
        fs::create_dir_all(&dir).expect("create corpus dir");
        for e in fs::read_dir(&dir).expect("read corpus dir").flatten() {
            if e.file_name().to_string_lossy().starts_with("seed-") {
                fs::remove_file(e.path()).expect("remove old seed");
            }
        }
    }
    fn write(&mut self, target: &str, name: &str, bytes: &[u8]) {
        let safe: String = name
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '-' {
                    c
                } else {
                    '-'
                }
            })
            .collect();
        fs::write(self.root.join(target).join(format!("seed-{safe}")), bytes).expect("write seed");
        self.count += 1;
    }
}

fn date_strings(v: &serde_json::Value, out: &mut Vec<String>) {
    match v {
        serde_json::Value::String(s)
            if s.len() >= 19 && s.as_bytes().get(4) == Some(&b'-') && s.contains(':') =>
        {
            out.push(s.clone())
        }
        serde_json::Value::Array(a) => a.iter().for_each(|x| date_strings(x, out)),
        serde_json::Value::Object(m) => m.values().for_each(|x| date_strings(x, out)),
        _ => {}
    }
}

fn main() {
    let fuzz_dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let fixtures = fixtures(&fuzz_dir.join("../tests/fixtures"));
    assert!(
        !fixtures.is_empty(),
        "no fixtures found under tests/fixtures"
    );
    let mut out = Out {
        root: fuzz_dir.join("corpus"),
        count: 0,
    };

    // One target per provider: that provider's fixtures, as is and re-signed.
    // PandaDoc's proof is in the URL's query, which the input model does not carry: it has
    // no target (its verify is property-tested in tests/properties.rs).
    for p in Provider::ALL
        .into_iter()
        .filter(|p| p.proof_at() != signhook::ProofAt::Query)
    {
        let target = format!("verify_{}", p.as_str().replace('-', "_"));
        out.target(&target);
        for f in fixtures.iter().filter(|f| f.provider == p) {
            for resign in [false, true] {
                let d = delivery(f, resign);
                let bytes = roundtrip(&d, Delivery::encode, Delivery::decode);
                out.write(
                    &target,
                    &format!("{}{}", f.name, if resign { "-resigned" } else { "" }),
                    &bytes,
                );
            }
        }
    }

    // diagnose: every fixture, with its provider given and detected, plus shapes.
    out.target("diagnose");
    for f in &fixtures {
        for (given, tag) in [
            (
                1 + signhook_fuzz::input::provider_index(f.provider),
                "given",
            ),
            (0, "detect"),
        ] {
            for resign in [false, true] {
                let d = DiagnoseInput {
                    provider: given,
                    delivery: delivery(f, resign),
                };
                let bytes = roundtrip(&d, DiagnoseInput::encode, DiagnoseInput::decode);
                let name = format!(
                    "{}-{}-{tag}{}",
                    f.provider,
                    f.name,
                    if resign { "-resigned" } else { "" }
                );
                out.write("diagnose", &name, &bytes);
            }
        }
    }
    // Shapes go through the whole diagnosis: a Zoho Sign fixture with a secret and a
    // (wrong) signature, so the variant search runs over the shaped body.
    let zoho = fixtures
        .iter()
        .find(|f| {
            f.provider == Provider::ZohoSign && !f.secrets.is_empty() && !f.headers.is_empty()
        })
        .expect("a Zoho Sign fixture with a secret");
    let base = delivery(zoho, false);
    let shapes = [
        (
            "nested-json",
            Body::Nest {
                open: b"[".to_vec(),
                close: b"]".to_vec(),
                depth: 64,
                core: Vec::new(),
            },
        ),
        (
            "nested-object",
            Body::Nest {
                open: br#"{"a":"#.to_vec(),
                close: b"}".to_vec(),
                depth: 32,
                core: b"1".to_vec(),
            },
        ),
        (
            "generated-json",
            Body::Json(vec![5, 1, 20, 3, 0, 7, 2, 1, 9, 4]),
        ),
    ];
    for (name, body) in shapes {
        let d = DiagnoseInput {
            provider: 1,
            delivery: Delivery {
                body,
                ..base.clone()
            },
        };
        out.write(
            "diagnose",
            name,
            &roundtrip(&d, DiagnoseInput::encode, DiagnoseInput::decode),
        );
    }

    // Zigned header grammar: the fixtures' header values, and a correct list.
    out.target("zigned_header");
    for f in fixtures.iter().filter(|f| f.provider == Provider::Zigned) {
        for (_, value) in f
            .headers
            .iter()
            .filter(|(n, _)| n.eq_ignore_ascii_case(Provider::Zigned.proof_header()))
        {
            let z = ZignedHeaderInput {
                secrets: 0,
                body: 0,
                now: Now::Explicit(f.now),
                tolerance: f.tolerance.map_or(Tolerance::Default, Tolerance::Explicit),
                value: HeaderText::Raw(value.clone()),
            };
            out.write(
                "zigned_header",
                &f.name,
                &roundtrip(&z, ZignedHeaderInput::encode, ZignedHeaderInput::decode),
            );
        }
    }
    let part = |key: u8, val: PartVal| Part {
        key,
        raw_key: String::new(),
        val,
        spacing: 0,
    };
    let correct = ZignedHeaderInput {
        secrets: 1,
        body: 0,
        now: Now::Near(0),
        tolerance: Tolerance::Default,
        value: HeaderText::Parts(vec![
            part(0, PartVal::Ts(Ts::NowDelta(-5))),
            part(2, PartVal::Raw("legacy".into())),
            part(
                1,
                PartVal::Mac {
                    key: 1,
                    ts: Ts::NowDelta(-5),
                    upper: false,
                },
            ),
        ]),
    };
    out.write(
        "zigned_header",
        "parts-correct",
        &roundtrip(
            &correct,
            ZignedHeaderInput::encode,
            ZignedHeaderInput::decode,
        ),
    );
    let millis = ZignedHeaderInput {
        value: HeaderText::Parts(vec![
            part(0, PartVal::Ts(Ts::NowMillis(1234))),
            part(
                1,
                PartVal::Mac {
                    key: 1,
                    ts: Ts::NowMillis(1234),
                    upper: true,
                },
            ),
        ]),
        ..correct.clone()
    };
    out.write(
        "zigned_header",
        "parts-millis",
        &roundtrip(
            &millis,
            ZignedHeaderInput::encode,
            ZignedHeaderInput::decode,
        ),
    );

    // BoldSign header grammar: the fixtures' values, and correct lists (rotation too).
    out.target("boldsign_header");
    for f in fixtures.iter().filter(|f| f.provider == Provider::BoldSign) {
        for (_, value) in f
            .headers
            .iter()
            .filter(|(n, _)| n.eq_ignore_ascii_case(Provider::BoldSign.proof_header()))
        {
            let b = BoldSignHeaderInput {
                secrets: 0,
                body: 0,
                now: Now::Explicit(f.now),
                tolerance: f.tolerance.map_or(Tolerance::Default, Tolerance::Explicit),
                value: HeaderText::Raw(value.clone()),
            };
            out.write(
                "boldsign_header",
                &f.name,
                &roundtrip(&b, BoldSignHeaderInput::encode, BoldSignHeaderInput::decode),
            );
        }
    }
    let spaced = |key: u8, val: PartVal| Part {
        key,
        raw_key: String::new(),
        val,
        spacing: 64,
    };
    for (name, parts) in [
        (
            "parts-correct",
            vec![
                spaced(0, PartVal::Ts(Ts::NowDelta(-5))),
                spaced(
                    1,
                    PartVal::Mac {
                        key: 0,
                        ts: Ts::NowDelta(-5),
                        upper: false,
                    },
                ),
            ],
        ),
        (
            "parts-rotation",
            vec![
                spaced(0, PartVal::Ts(Ts::NowDelta(3))),
                spaced(1, PartVal::Hex(vec![7; 32])),
                spaced(
                    2,
                    PartVal::Mac {
                        key: 1,
                        ts: Ts::NowDelta(3),
                        upper: false,
                    },
                ),
            ],
        ),
    ] {
        let b = BoldSignHeaderInput {
            secrets: 1,
            body: 1,
            now: Now::Near(0),
            tolerance: Tolerance::Default,
            value: HeaderText::Parts(parts),
        };
        out.write(
            "boldsign_header",
            name,
            &roundtrip(&b, BoldSignHeaderInput::encode, BoldSignHeaderInput::decode),
        );
    }

    // DocuSeal header: the fixtures' values, and the right tag under each separator.
    out.target("docuseal_header");
    for f in fixtures.iter().filter(|f| f.provider == Provider::DocuSeal) {
        for (_, value) in f
            .headers
            .iter()
            .filter(|(n, _)| n.eq_ignore_ascii_case(Provider::DocuSeal.proof_header()))
        {
            let d = DocuSealHeaderInput {
                secrets: 0,
                body: 0,
                now: Now::Explicit(f.now),
                tolerance: f.tolerance.map_or(Tolerance::Default, Tolerance::Explicit),
                value: DocuSealValue::Raw(value.clone()),
            };
            out.write(
                "docuseal_header",
                &f.name,
                &roundtrip(&d, DocuSealHeaderInput::encode, DocuSealHeaderInput::decode),
            );
        }
    }
    for sep in 0..8u8 {
        let d = DocuSealHeaderInput {
            secrets: 1,
            body: 0,
            now: Now::Near(0),
            tolerance: Tolerance::Default,
            value: DocuSealValue::Built {
                t: Ts::NowDelta(-10),
                sep,
                pad: 0,
                tag: TagSource::Correct(sep % 3),
            },
        };
        out.write(
            "docuseal_header",
            &format!("sep-{sep}"),
            &roundtrip(&d, DocuSealHeaderInput::encode, DocuSealHeaderInput::decode),
        );
    }

    // Yousign header: the fixtures' values verbatim (empty algorithm and separator), and
    // each algorithm spelling with the right tag.
    out.target("yousign_header");
    for f in fixtures.iter().filter(|f| f.provider == Provider::Yousign) {
        for (_, value) in f
            .headers
            .iter()
            .filter(|(n, _)| n.eq_ignore_ascii_case(Provider::Yousign.proof_header()))
        {
            let y = YousignHeaderInput {
                secrets: 0,
                body: 1,
                algo: 5,
                sep: 1,
                pad: 0,
                tag: TagSource::Raw(value.clone()),
            };
            out.write(
                "yousign_header",
                &f.name,
                &roundtrip(&y, YousignHeaderInput::encode, YousignHeaderInput::decode),
            );
        }
    }
    for algo in 0..10u8 {
        let y = YousignHeaderInput {
            secrets: 1,
            body: 1,
            algo,
            sep: 0,
            pad: 0,
            tag: TagSource::Correct(algo % 3),
        };
        out.write(
            "yousign_header",
            &format!("algo-{algo}"),
            &roundtrip(&y, YousignHeaderInput::encode, YousignHeaderInput::decode),
        );
    }

    // Tag decoding: Zoho Sign and Yousign fixture values, and each encoding of the right tag.
    out.target("tag_decoding");
    for f in fixtures
        .iter()
        .filter(|f| matches!(f.provider, Provider::ZohoSign | Provider::Yousign))
    {
        for (_, value) in f
            .headers
            .iter()
            .filter(|(n, _)| n.eq_ignore_ascii_case(f.provider.proof_header()))
        {
            let t = TagInput {
                which: u8::from(f.provider == Provider::Yousign),
                secrets: 0,
                body: 1,
                encoding: 5,
                op: 3,
                pos: 0,
                byte: 0,
                source: TagSource::Raw(value.clone()),
            };
            out.write(
                "tag_decoding",
                &format!("{}-{}", f.provider, f.name),
                &roundtrip(&t, TagInput::encode, TagInput::decode),
            );
        }
    }
    for which in 0..2u8 {
        for encoding in 0..5u8 {
            let t = TagInput {
                which,
                secrets: 1,
                body: 0,
                encoding,
                op: 3,
                pos: 0,
                byte: b'A',
                source: TagSource::Correct(0),
            };
            out.write(
                "tag_decoding",
                &format!("enc-{which}-{encoding}"),
                &roundtrip(&t, TagInput::encode, TagInput::decode),
            );
        }
    }

    // RFC 3339: every date-time string in the fixture bodies, and structured stamps.
    out.target("rfc3339");
    let mut dates = Vec::new();
    for f in &fixtures {
        if let Ok(v) = serde_json::from_slice::<serde_json::Value>(&f.body) {
            date_strings(&v, &mut dates);
        }
    }
    dates.sort();
    dates.dedup();
    for (i, d) in dates.iter().enumerate() {
        for path in 0..3u8 {
            let r = Rfc3339Input {
                path,
                text: StampText::Raw(d.clone()),
            };
            out.write(
                "rfc3339",
                &format!("fixture-{i}-{path}"),
                &roundtrip(&r, Rfc3339Input::encode, Rfc3339Input::decode),
            );
        }
    }
    let stamp = Stamp {
        year: 2024,
        month: 2,
        day: 29,
        sep: 0,
        hour: 23,
        minute: 59,
        second: 60,
        frac: vec![9, 1, 0, 0, 0, 0, 0],
        dot: true,
        offset: 2,
        off_h: 5,
        off_m: 30,
        lead: 0,
        trail: 0,
    };
    for offset in 0..8u8 {
        let r = Rfc3339Input {
            path: offset % 3,
            text: StampText::Stamp(Stamp {
                offset,
                ..stamp.clone()
            }),
        };
        out.write(
            "rfc3339",
            &format!("stamp-{offset}"),
            &roundtrip(&r, Rfc3339Input::encode, Rfc3339Input::decode),
        );
    }
    let edge = Stamp {
        year: 0,
        month: 1,
        day: 1,
        hour: 0,
        minute: 0,
        second: 0,
        frac: vec![],
        dot: false,
        offset: 0,
        ..stamp
    };
    let r = Rfc3339Input {
        path: 0,
        text: StampText::Stamp(edge),
    };
    out.write(
        "rfc3339",
        "stamp-year-0",
        &roundtrip(&r, Rfc3339Input::encode, Rfc3339Input::decode),
    );

    pandadoc_seeds(&mut out, &fixtures);
    json_seeds(&mut out, &fixtures);

    println!("wrote {} seeds under {}", out.count, out.root.display());
}

/// verify_pandadoc: each PandaDoc fixture as is (its query verbatim) and re-signed, then
/// structured deliveries: times at the bounds, the event limit, encodings of the query.
fn pandadoc_seeds(out: &mut Out, fixtures: &[Fixture]) {
    let target = "verify_pandadoc";
    out.target(target);
    let sig = |value: SigVal, name: u8, enc: u8| Param::Sig { value, name, enc };
    let right = || SigVal::Correct { key: 0, case: 0 };
    let base = PandaInput {
        secrets: vec!["pandadoc-test-shared-key".into()],
        now: Now::Explicit(1_772_446_535),
        max_body: MaxBody::Default,
        max_age: MaxAge::Unset,
        skew: Tolerance::Default,
        max_events: MaxEvents::Default,
        event_id: 1,
        event_id_raw: String::new(),
        url: Url::Query,
        params: vec![sig(right(), 0, 0)],
        fragment: String::new(),
        flip_at: 7,
        flip_xor: 1,
        body: PBody::Raw(Vec::new()),
    };
    for f in fixtures.iter().filter(|f| f.provider == Provider::PandaDoc) {
        let event_id = f
            .headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(signhook_fuzz::pandadoc::EVENT_ID_HEADER))
            .map(|(_, v)| v.clone());
        let (event_id, event_id_raw) = match event_id.as_deref() {
            None => (0, String::new()),
            Some("c0d1e2f3-a4b5-4c6d-8e7f-9a0b1c2d3e4f") => (1, String::new()),
            Some(other) => (255, other.to_owned()),
        };
        for resign in [false, true] {
            let params = match (&f.query, resign) {
                (_, true) => vec![sig(right(), 0, 0)],
                (Some(q), false) if !q.is_empty() => vec![Param::Raw(q.clone())],
                _ => vec![],
            };
            let mut secrets = f.secrets.clone();
            if secrets.is_empty() {
                secrets.push("pandadoc-test-shared-key".into());
            }
            let input = PandaInput {
                secrets,
                now: Now::Explicit(f.now),
                event_id,
                event_id_raw: event_id_raw.clone(),
                url: if f.query.is_some() {
                    Url::Query
                } else {
                    Url::None
                },
                params,
                body: PBody::Raw(f.body.clone()),
                ..base.clone()
            };
            let bytes = roundtrip(&input, PandaInput::encode, PandaInput::decode);
            out.write(
                target,
                &format!("{}{}", f.name, if resign { "-resigned" } else { "" }),
                &bytes,
            );
        }
    }
    let note = |event: u16, status: u8, which: u8, time_key: u8| {
        Elem::Note(Note {
            event,
            status,
            time_key,
            when: When::Bound { which, ms: 500 },
            extra: Vec::new(),
        })
    };
    let shapes: Vec<(&str, PandaInput)> = vec![
        (
            "bounds-week",
            PandaInput {
                max_age: MaxAge::Week,
                body: PBody::Array {
                    ws: 2,
                    elems: (0..6).map(|i| note(i, i as u8 % 7, 4, 0)).collect(),
                },
                ..base.clone()
            },
        ),
        (
            "too-old",
            PandaInput {
                max_age: MaxAge::Week,
                body: PBody::Array {
                    ws: 1,
                    elems: vec![note(0, 3, 0, 0), note(3, 1, 1, 1)],
                },
                ..base.clone()
            },
        ),
        (
            "too-new",
            PandaInput {
                body: PBody::Array {
                    ws: 0,
                    elems: vec![note(0, 3, 2, 2), note(0, 3, 3, 0)],
                },
                ..base.clone()
            },
        ),
        (
            "limit-100",
            PandaInput {
                body: PBody::Repeat {
                    count: 100,
                    elem: Elem::Scalar(9),
                },
                ..base.clone()
            },
        ),
        (
            "limit-101",
            PandaInput {
                body: PBody::Repeat {
                    count: 101,
                    elem: Elem::Scalar(9),
                },
                ..base.clone()
            },
        ),
        (
            "limit-small",
            PandaInput {
                max_events: MaxEvents::Small(2),
                body: PBody::Array {
                    ws: 1,
                    elems: vec![note(1, 1, 4, 0), note(2, 2, 4, 0), note(3, 3, 4, 0)],
                },
                ..base.clone()
            },
        ),
        (
            "bare-object",
            PandaInput {
                event_id: 0,
                body: PBody::Bare(note(0, 3, 4, 0)),
                ..base.clone()
            },
        ),
        (
            "empty-array",
            PandaInput {
                body: PBody::Array {
                    ws: 0,
                    elems: vec![],
                },
                ..base.clone()
            },
        ),
        (
            "scalar-element",
            PandaInput {
                body: PBody::Array {
                    ws: 0,
                    elems: vec![note(0, 3, 4, 0), Elem::Scalar(0)],
                },
                ..base.clone()
            },
        ),
        (
            "generated",
            PandaInput {
                body: PBody::Array {
                    ws: 1,
                    elems: vec![Elem::Generated(vec![5, 1, 20, 3, 0, 7, 2, 1, 9, 4])],
                },
                ..base.clone()
            },
        ),
        (
            "percent-encoded-upper",
            PandaInput {
                url: Url::Full,
                params: vec![
                    Param::Other {
                        key: "tenant".into(),
                        value: "a%20b".into(),
                    },
                    sig(SigVal::Correct { key: 0, case: 1 }, 1, 1 | 2 | 4),
                ],
                fragment: "frag".into(),
                body: PBody::Array {
                    ws: 0,
                    elems: vec![note(0, 3, 4, 0)],
                },
                ..base.clone()
            },
        ),
        (
            "repeated-signature",
            PandaInput {
                params: vec![sig(right(), 0, 0), sig(right(), 2, 0)],
                body: PBody::Array {
                    ws: 0,
                    elems: vec![note(0, 3, 4, 0)],
                },
                ..base.clone()
            },
        ),
        (
            "rotation-other-id",
            PandaInput {
                secrets: vec![
                    "pandadoc-old-shared-key".into(),
                    "pandadoc-test-shared-key".into(),
                ],
                event_id: 255,
                event_id_raw: "evt-42".into(),
                url: Url::Prefixed,
                params: vec![sig(SigVal::Correct { key: 1, case: 2 }, 0, 0)],
                body: PBody::Array {
                    ws: 2,
                    elems: vec![note(0, 3, 4, 0), note(3, 0, 4, 1)],
                },
                ..base.clone()
            },
        ),
        (
            "wrong-and-empty",
            PandaInput {
                params: vec![sig(SigVal::OtherKey, 0, 0), sig(SigVal::Empty, 3, 0)],
                body: PBody::Array {
                    ws: 0,
                    elems: vec![note(0, 3, 4, 0)],
                },
                ..base.clone()
            },
        ),
    ];
    for (name, input) in shapes {
        let bytes = roundtrip(&input, PandaInput::encode, PandaInput::decode);
        out.write(target, &format!("shape-{name}"), &bytes);
    }
}

/// json: every fixture's body (through its own provider when it is a one-object one), and
/// shapes: arrays, the event limit, nesting, edits.
fn json_seeds(out: &mut Out, fixtures: &[Fixture]) {
    let target = "json";
    out.target(target);
    let singles = single_object_providers();
    for f in fixtures {
        let provider = singles.iter().position(|p| *p == f.provider).unwrap_or(0) as u8;
        let input = JsonInput {
            provider,
            doc: Doc::Raw(f.body.clone()),
        };
        let bytes = roundtrip(&input, JsonInput::encode, JsonInput::decode);
        out.write(target, &format!("{}-{}", f.provider, f.name), &bytes);
    }
    let gen = vec![5, 1, 20, 3, 0, 7, 2, 1, 9, 4];
    let shapes: Vec<(&str, Doc)> = vec![
        ("object", Doc::Object(gen.clone())),
        (
            "array-mixed",
            Doc::Array {
                ws: 1,
                form: 0,
                items: vec![
                    Item::Object(gen.clone()),
                    Item::Scalar(11),
                    Item::Scalar(12),
                    Item::Raw("{\"shared_link\":\"x\"}".into()),
                ],
            },
        ),
        (
            "array-scalar",
            Doc::Array {
                ws: 2,
                form: 0,
                items: vec![Item::Scalar(9), Item::Scalar(0)],
            },
        ),
        (
            "array-trailing-comma",
            Doc::Array {
                ws: 0,
                form: 4,
                items: vec![Item::Scalar(9)],
            },
        ),
        (
            "array-bad-whitespace",
            Doc::Array {
                ws: 6,
                form: 0,
                items: vec![Item::Scalar(9)],
            },
        ),
        (
            "limit-100",
            Doc::Repeat {
                ws: 0,
                count: 100,
                item: Item::Scalar(9),
            },
        ),
        (
            "limit-101",
            Doc::Repeat {
                ws: 1,
                count: 101,
                item: Item::Scalar(9),
            },
        ),
        (
            "limit-101-scalars",
            Doc::Repeat {
                ws: 0,
                count: 101,
                item: Item::Scalar(0),
            },
        ),
        (
            "nested-arrays",
            Doc::Nest {
                open: b"[".to_vec(),
                close: b"]".to_vec(),
                depth: 200,
                core: b"{}".to_vec(),
            },
        ),
        (
            "nested-objects",
            Doc::Nest {
                open: br#"{"a":"#.to_vec(),
                close: b"}".to_vec(),
                depth: 200,
                core: b"1".to_vec(),
            },
        ),
        (
            "edited-object",
            Doc::Edited {
                edits: vec![Edit {
                    at: 3,
                    op: 0,
                    byte: b'\\',
                }],
                base: Box::new(Doc::Object(gen.clone())),
            },
        ),
        (
            "edited-array",
            Doc::Edited {
                edits: vec![Edit {
                    at: 0,
                    op: 1,
                    byte: b' ',
                }],
                base: Box::new(Doc::Array {
                    ws: 0,
                    form: 0,
                    items: vec![Item::Object(gen.clone()), Item::Object(gen)],
                }),
            },
        ),
    ];
    for (name, doc) in shapes {
        let input = JsonInput { provider: 0, doc };
        let bytes = roundtrip(&input, JsonInput::encode, JsonInput::decode);
        out.write(target, &format!("shape-{name}"), &bytes);
    }
}
