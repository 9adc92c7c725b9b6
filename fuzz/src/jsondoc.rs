//! The `json` target: the crate's own JSON reader (`src/json.rs` of the crate, private),
//! reached through the public normalize functions, against serde_json.
//!
//! - One object: `normalize_unverified` of a provider whose body is one JSON object succeeds
//!   exactly when serde_json reads the body as one JSON value that is an object (its
//!   `RawValue`: RFC 8259's grammar, any depth, lone surrogate escapes and numbers beyond
//!   f64 included); whatever `serde_json::Map<String, Value>` reads (stricter: depth 128,
//!   no lone surrogates, numbers within f64) it reads too; `data.raw` is the body's text
//!   without its surrounding whitespace.
//! - The PandaDoc batch reader: `normalize_unverified_all` splits a JSON array into exactly
//!   the elements serde_json sees (each must be an object), in order, one event each, equal
//!   to that element normalized alone; more than the default 100 elements is
//!   `too_many_events`, counted before anything is built ([`batch_reference`]); ids are
//!   `<32 hex of the body's hash>:<index>`.
//!
//! Inputs: raw bytes, a generated object (`src/json.rs` of this crate), arrays of objects,
//! scalars and raw text with any whitespace (also what JSON does not allow), the same item
//! repeated past the limit, deep nesting, and any of these with a few bytes edited.

use std::collections::HashMap;

use serde::de::{Deserializer as _, SeqAccess, Visitor};
use serde_json::value::RawValue;
use sha2::{Digest, Sha256};
use signhook::{normalize_unverified, normalize_unverified_all, Event, Provider};

use crate::checks::check_event;
use crate::codec::{Reader, Writer};
use crate::json;
use crate::oracle::hex_lower;

/// What the crate's batch reader splits at most, unverified (`normalize_unverified_all`;
/// a verified delivery takes `VerifyConfig::max_events_per_delivery`, default the same).
pub const UNVERIFIED_MAX_EVENTS: usize = 100;

/// JSON's four whitespace bytes.
pub const JSON_WS: [char; 4] = [' ', '\t', '\n', '\r'];

pub const MALFORMED: &str = "malformed_payload";
pub const TOO_MANY: &str = "too_many_events";

/// Separators put between tokens: JSON's whitespace, and what JSON does not allow.
const WS: &[&str] = &[
    "", " ", "\n", "\t", "\r\n", " \t\n\r ", "\u{a0}", "\u{c}", "\u{feff}", "\u{b}", "\0",
    "\u{2028}",
];

/// Scalar and odd items.
const SCALARS: &[&str] = &[
    "null",
    "true",
    "1",
    "-0",
    "1e400",
    "\"x\"",
    "\"\\ud800\"",
    "[]",
    "[{}]",
    "{}",
    "{\"a\":1}",
    "{\"event\":\"document_state_changed\",\"data\":{\"status\":\"document.completed\"}}",
    "{\"\\ud800\":1}",
    "01",
    "1.",
    "\"\\x\"",
    "{\"a\" 1}",
    "[1,]",
    "{,}",
    "tru",
    "",
    "\"\u{1}\"",
];

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Item {
    /// Bytes driving the JSON generator (always an object).
    Object(Vec<u8>),
    /// `SCALARS[i % len]`.
    Scalar(u8),
    Raw(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Edit {
    pub at: u16,
    /// 0: replace, 1: insert before, 2: delete.
    pub op: u8,
    pub byte: u8,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Doc {
    Raw(Vec<u8>),
    /// A generated object (`json::generate`).
    Object(Vec<u8>),
    /// `[item, item, …]` with `WS[ws % len]` around every token; `form` bit flags: 1 no
    /// leading whitespace, 2 no trailing whitespace, 4 a trailing comma, 8 no closing
    /// bracket, 16 a leading BOM, 32 trailing `x`.
    Array {
        ws: u8,
        form: u8,
        items: Vec<Item>,
    },
    /// One item `count % 256` times (fewer past the size cap): arrays around the event
    /// limit.
    Repeat {
        ws: u8,
        count: u16,
        item: Item,
    },
    /// `open × depth`, `core`, `close × depth`.
    Nest {
        open: Vec<u8>,
        close: Vec<u8>,
        depth: u16,
        core: Vec<u8>,
    },
    /// Another document with a few bytes edited.
    Edited {
        edits: Vec<Edit>,
        base: Box<Doc>,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JsonInput {
    /// The one-object provider checked: `single_object_providers()[i % len]`.
    pub provider: u8,
    pub doc: Doc,
}

/// Providers whose body is one JSON object (not PandaDoc's batch).
pub fn single_object_providers() -> Vec<Provider> {
    Provider::ALL
        .into_iter()
        .filter(|p| !p.is_batch())
        .collect()
}

impl Item {
    fn decode(r: &mut Reader) -> Item {
        match r.tag(4) {
            0 | 3 => Item::Object(r.short_bytes()),
            1 => Item::Scalar(r.u8()),
            _ => Item::Raw(r.short_string()),
        }
    }
    fn encode(&self, w: &mut Writer) {
        match self {
            Item::Object(b) => {
                w.tag(0);
                w.short_bytes(b)
            }
            Item::Scalar(i) => {
                w.tag(1);
                w.u8(*i)
            }
            Item::Raw(s) => {
                w.tag(2);
                w.short_string(s)
            }
        }
    }
    pub fn text(&self) -> Vec<u8> {
        match self {
            Item::Object(b) => json::generate(b),
            Item::Scalar(i) => SCALARS[usize::from(*i) % SCALARS.len()].as_bytes().to_vec(),
            Item::Raw(s) => s.as_bytes().to_vec(),
        }
    }
}

impl Doc {
    pub fn decode(r: &mut Reader) -> Doc {
        Doc::decode_at(r, true)
    }
    fn decode_at(r: &mut Reader, top: bool) -> Doc {
        match r.tag(if top { 7 } else { 6 }) {
            0 => Doc::Raw(r.rest()),
            1 => Doc::Object(r.rest()),
            2 | 5 => {
                let ws = r.u8();
                let form = r.u8();
                let n = r.count(24);
                Doc::Array {
                    ws,
                    form,
                    items: (0..n).map(|_| Item::decode(r)).collect(),
                }
            }
            3 => Doc::Repeat {
                ws: r.u8(),
                count: r.u16(),
                item: Item::decode(r),
            },
            4 => {
                let open = r.short_bytes();
                let close = r.short_bytes();
                let depth = r.u16();
                Doc::Nest {
                    open,
                    close,
                    depth,
                    core: r.rest(),
                }
            }
            _ => {
                let n = 1 + r.count(4);
                let edits = (0..n)
                    .map(|_| Edit {
                        at: r.u16(),
                        op: r.u8(),
                        byte: r.u8(),
                    })
                    .collect();
                Doc::Edited {
                    edits,
                    base: Box::new(Doc::decode_at(r, false)),
                }
            }
        }
    }
    pub fn encode(&self, w: &mut Writer) {
        match self {
            Doc::Raw(b) => {
                w.tag(0);
                w.rest(b)
            }
            Doc::Object(b) => {
                w.tag(1);
                w.rest(b)
            }
            Doc::Array { ws, form, items } => {
                w.tag(2);
                w.u8(*ws);
                w.u8(*form);
                w.count(items.len());
                for i in items {
                    i.encode(w);
                }
            }
            Doc::Repeat { ws, count, item } => {
                w.tag(3);
                w.u8(*ws);
                w.u16(*count);
                item.encode(w)
            }
            Doc::Nest {
                open,
                close,
                depth,
                core,
            } => {
                w.tag(4);
                w.short_bytes(open);
                w.short_bytes(close);
                w.u16(*depth);
                w.rest(core)
            }
            Doc::Edited { edits, base } => {
                w.tag(6);
                w.count(edits.len() - 1);
                for e in edits {
                    w.u16(e.at);
                    w.u8(e.op);
                    w.u8(e.byte);
                }
                base.encode(w)
            }
        }
    }

    /// The document's bytes (nesting and repetition capped at about `cap` bytes).
    pub fn bytes(&self, cap: usize) -> Vec<u8> {
        match self {
            Doc::Raw(b) => b.clone(),
            Doc::Object(b) => json::generate(b),
            Doc::Array { ws, form, items } => {
                let texts: Vec<Vec<u8>> = items.iter().map(Item::text).collect();
                array(WS[usize::from(*ws) % WS.len()], *form, &texts)
            }
            Doc::Repeat { ws, count, item } => {
                let text = item.text();
                let n = usize::from(*count % 256).min(cap / (text.len() + 1).max(1));
                array(WS[usize::from(*ws) % WS.len()], 0, &vec![text; n])
            }
            Doc::Nest {
                open,
                close,
                depth,
                core,
            } => {
                let unit = (open.len() + close.len()).max(1);
                let depth = usize::from(*depth).min(cap / unit);
                let mut out = Vec::with_capacity(depth * unit + core.len());
                for _ in 0..depth {
                    out.extend_from_slice(open);
                }
                out.extend_from_slice(core);
                for _ in 0..depth {
                    out.extend_from_slice(close);
                }
                out
            }
            Doc::Edited { edits, base } => {
                let mut out = base.bytes(cap);
                for e in edits {
                    let len = out.len();
                    match e.op % 3 {
                        0 if len > 0 => out[usize::from(e.at) % len] = e.byte,
                        2 if len > 0 => {
                            out.remove(usize::from(e.at) % len);
                        }
                        _ => out.insert(usize::from(e.at) % (len + 1), e.byte),
                    }
                }
                out
            }
        }
    }
}

/// `[a, b, …]` with `ws` around every token, shaped by `form` (see [`Doc::Array`]).
pub fn array(ws: &str, form: u8, items: &[Vec<u8>]) -> Vec<u8> {
    let mut out = Vec::new();
    if form & 16 != 0 {
        out.extend_from_slice("\u{feff}".as_bytes());
    }
    if form & 1 == 0 {
        out.extend_from_slice(ws.as_bytes());
    }
    out.push(b'[');
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        out.extend_from_slice(ws.as_bytes());
        out.extend_from_slice(item);
        out.extend_from_slice(ws.as_bytes());
    }
    if form & 4 != 0 {
        out.push(b',');
    }
    if form & 8 == 0 {
        out.push(b']');
    }
    if form & 2 == 0 {
        out.extend_from_slice(ws.as_bytes());
    }
    if form & 32 != 0 {
        out.push(b'x');
    }
    out
}

impl JsonInput {
    pub fn decode(r: &mut Reader) -> JsonInput {
        JsonInput {
            provider: r.u8(),
            doc: Doc::decode(r),
        }
    }
    pub fn encode(&self, w: &mut Writer) {
        w.u8(self.provider);
        self.doc.encode(w);
    }
}
crate::arbitrary_via_decode!(JsonInput);

/// Bodies stay under this (nesting can grow large; the verdict is what matters).
pub const JSON_BODY_CAP: usize = 64 * 1024;

// ---------------------------------------------------------------------------------------
// the references

/// Whether serde_json reads `body` as one JSON value that is an object: its grammar, any
/// depth (`RawValue` skips values without recursing), lone surrogates and huge numbers
/// included.
pub fn is_object(body: &[u8]) -> bool {
    std::str::from_utf8(body).is_ok_and(|text| {
        text.trim_start_matches(JSON_WS).starts_with('{')
            && serde_json::from_str::<&RawValue>(text).is_ok()
    })
}

/// Collects the first `max` elements of a JSON array, as serde_json reads them.
struct Firsts<'a, 'o> {
    max: usize,
    out: &'o mut Vec<&'a str>,
}

impl<'de> Visitor<'de> for Firsts<'de, '_> {
    type Value = ();
    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("an array")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while self.out.len() < self.max {
            match seq.next_element::<&'de RawValue>()? {
                Some(v) => self.out.push(v.get()),
                None => break,
            }
        }
        Ok(())
    }
}

/// The reference batch reader (PandaDoc): the element texts of `body` in order, or the
/// error code.
///
/// - Not UTF-8: `malformed_payload`.
/// - A JSON array: more than `max` elements is `too_many_events`, decided as the crate
///   decides it, before anything else is read: the first `max` elements are valid JSON and
///   another one starts (a `,` after the `max`-th; for `max` 0, anything but `]` after the
///   `[`), whatever follows. Otherwise the whole text must be one JSON array (serde_json)
///   whose every element is an object.
/// - Anything else: one element when it is a JSON object.
pub fn batch_reference(body: &[u8], max: usize) -> Result<Vec<&str>, &'static str> {
    let text = std::str::from_utf8(body).map_err(|_| MALFORMED)?;
    let start = text.trim_start_matches(JSON_WS);
    if !start.starts_with('[') {
        return if is_object(body) {
            Ok(vec![text.trim_matches(JSON_WS)])
        } else {
            Err(MALFORMED)
        };
    }
    let mut firsts = Vec::new();
    let mut de = serde_json::Deserializer::from_str(text);
    // Stops after `max` elements: serde_json then reports the rest, which is ignored here.
    let _ = de.deserialize_seq(Firsts {
        max,
        out: &mut firsts,
    });
    if firsts.len() == max {
        let end = match firsts.last() {
            Some(last) => last.as_ptr() as usize - text.as_ptr() as usize + last.len(),
            None => text.len() - start.len() + 1,
        };
        let rest = text[end..].trim_start_matches(JSON_WS);
        let another = if max == 0 {
            !rest.starts_with(']')
        } else {
            rest.starts_with(',')
        };
        if another {
            return Err(TOO_MANY);
        }
    }
    let all: Vec<&RawValue> = serde_json::from_str(text).map_err(|_| MALFORMED)?;
    if all.iter().all(|e| e.get().starts_with('{')) {
        Ok(all.into_iter().map(RawValue::get).collect())
    } else {
        Err(MALFORMED)
    }
}

/// The id prefix of a batch's events: the first 16 bytes of SHA-256 over
/// `signhook/<provider>\n` and the body, in hex (what the crate documents as "the body's
/// hash"; written out here over sha2).
pub fn body_hash_id(provider: Provider, body: &[u8]) -> String {
    let mut h = Sha256::new();
    h.update(b"signhook/");
    h.update(provider.as_str().as_bytes());
    h.update(b"\n");
    h.update(body);
    hex_lower(&h.finalize()[..16])
}

/// An event's JSON with its id blanked, for comparing events that differ only there.
pub fn without_id(event: &Event) -> String {
    let mut e = event.clone();
    e.id = String::new();
    e.to_json()
}

/// Each distinct element of a batch normalized alone (PandaDoc), by its text: a batch that
/// repeats one element is normalized once here.
pub fn alone_events<'e>(elements: &[&'e str]) -> HashMap<&'e str, Event> {
    let mut out = HashMap::new();
    for (i, element) in elements.iter().enumerate() {
        out.entry(*element).or_insert_with(|| {
            normalize_unverified(Provider::PandaDoc, element.as_bytes())
                .unwrap_or_else(|e| panic!("element {i} alone does not normalize: {}", e.code()))
        });
    }
    out
}

/// The checks on a batch's events: one per element, in order, each equal but for its id
/// to that element normalized alone (`alone`, from [`alone_events`]); ids
/// `<prefix>:<index>` with one prefix for all, the body's hash. Each distinct event also
/// passes [`check_event`].
pub fn check_batch_events(
    body: &[u8],
    elements: &[&str],
    events: &[Event],
    alone: &HashMap<&str, Event>,
) {
    let p = Provider::PandaDoc;
    assert_eq!(
        events.len(),
        elements.len(),
        "the batch reader split {} events where serde_json sees {} elements",
        events.len(),
        elements.len()
    );
    let prefix = body_hash_id(p, body);
    let mut seen: HashMap<&str, String> = HashMap::new();
    for (i, (event, element)) in events.iter().zip(elements).enumerate() {
        assert_eq!(
            event.id,
            format!("{prefix}:{i}"),
            "event {i}'s id is not <the body's hash>:<index>"
        );
        let got = without_id(event);
        if let Some(want) = seen.get(element) {
            assert_eq!(&got, want, "event {i} differs from an identical element's");
            continue;
        }
        check_event(p, event, body);
        let mut one = alone[element].clone();
        // PandaDoc redacts `shared_link` (its key may be escaped) inside data.raw.
        if !element.contains("shared_link") && !element.contains('\\') {
            assert_eq!(
                one.data.raw.get(),
                *element,
                "element {i} alone: data.raw is not its text"
            );
        }
        one.data.verification = event.data.verification;
        let want = without_id(&one);
        assert_eq!(
            got, want,
            "event {i} of the batch differs from its element normalized alone"
        );
        seen.insert(element, want);
    }
}

pub fn check_json(input: &JsonInput) {
    let body = input.doc.bytes(JSON_BODY_CAP);
    let body = &body[..];
    let object = is_object(body);
    // serde_json's own map reader is stricter than the grammar (depth 128, no lone
    // surrogates, numbers within f64): whatever it reads, the crate reads too.
    let map = serde_json::from_slice::<serde_json::Map<String, serde_json::Value>>(body).is_ok();
    assert!(!map || object, "serde_json reads a map from a non-object");

    // One object, through a provider whose body is one.
    let singles = single_object_providers();
    let p = singles[usize::from(input.provider) % singles.len()];
    // Dropbox Sign reads a body opening with `--` as multipart/form-data.
    if !(p == Provider::DropboxSign && body.starts_with(b"--")) {
        let got = normalize_unverified(p, body);
        match &got {
            Ok(event) => {
                check_event(p, event, body);
                let text = std::str::from_utf8(body).expect("an event from a non-UTF-8 body");
                // Documenso and Dropbox Sign redact credentials inside data.raw.
                if !matches!(p, Provider::Documenso | Provider::DropboxSign) {
                    assert_eq!(
                        event.data.raw.get(),
                        text.trim_matches(JSON_WS),
                        "data.raw is not the body's text"
                    );
                }
            }
            Err(e) => assert_eq!(
                e.code(),
                MALFORMED,
                "{p}: a body fails to normalize as {}",
                e.code()
            ),
        }
        assert_eq!(
            got.is_ok(),
            object,
            "{p}: the crate's reader and serde_json disagree on a JSON object: {:?}",
            got.as_ref().err()
        );
        assert!(
            !map || got.is_ok(),
            "{p}: refuses a body serde_json reads as a map"
        );
    }

    // The batch reader.
    let want = batch_reference(body, UNVERIFIED_MAX_EVENTS);
    let got = normalize_unverified_all(Provider::PandaDoc, body);
    match (&want, &got) {
        (Ok(elements), Ok(events)) => {
            assert!(events.iter().all(|e| e.data.verification.is_none()));
            check_batch_events(body, elements, events, &alone_events(elements));
        }
        (Err(w), Err(g)) => assert_eq!(
            g.code(),
            *w,
            "batch reader: {} ({}) where the reference says {w}",
            g.code(),
            g.message()
        ),
        (Ok(elements), Err(g)) => panic!(
            "batch reader refuses ({}: {}) what serde_json splits into {} objects",
            g.code(),
            g.message(),
            elements.len()
        ),
        (Err(w), Ok(events)) => panic!(
            "batch reader splits {} events where the reference says {w}",
            events.len()
        ),
    }
    // The single-event reading of the same body: one event, or why not exactly one (for a
    // few events: it builds them all again).
    if want.as_ref().is_ok_and(|e| e.len() > 4) {
        return;
    }
    let one = normalize_unverified(Provider::PandaDoc, body);
    match (&want, &one) {
        (Ok(e), Ok(_)) => assert_eq!(e.len(), 1),
        (Ok(e), Err(g)) => assert_eq!(
            g.code(),
            if e.is_empty() {
                MALFORMED
            } else {
                "multiple_events"
            },
            "normalize_unverified of {} events",
            e.len()
        ),
        (Err(w), Err(g)) => assert_eq!(g.code(), *w),
        (Err(w), Ok(_)) => {
            panic!("normalize_unverified reads one event where the reference says {w}")
        }
    }
}
