//! Proofs carried in the body (SignWell's `event.hash`; Dropbox Sign's `event.event_hash`
//! has the same shape; Xodo Sign's `event_hash` sits at the top level): a generator of such
//! bodies, and an independent reference verifier.
//!
//! The body is `{"event": {<type>, <time>, <hash>}, "data": <generated JSON>}` (for a
//! top-level proof, `{<type>, <time>, <hash>, "data": …}`) with the layout varied (key order, whitespace, escapes, repeated keys: the last one wins, as in
//! `JSON.parse`), and the hash correct for the metadata under a configured key, or not.
//! The reference reads the body with serde_json maps (last key wins), not with the crate's
//! wire structs.

use std::collections::HashMap;
use std::ops::Range;

use serde_json::value::RawValue;
use signhook::Provider;

use crate::codec::{Reader, Writer};
use crate::json;
use crate::oracle::{hex_decode, hex_lower, hmac_sha256};

/// Where a provider puts its in-body proof, and what it MACs.
#[derive(Debug, Clone, Copy)]
pub struct InBodyScheme {
    /// The object holding type, time and hash; `None`: they are top-level keys (Xodo Sign).
    pub event_key: Option<&'static str>,
    pub type_key: &'static str,
    pub time_key: &'static str,
    pub hash_key: &'static str,
    /// The MACed message from the type and time texts.
    pub message: fn(&str, &str) -> String,
    /// The message joins type and time without a separator (Dropbox Sign), so the split
    /// must be the only one possible: when a hash is present, a time that is not 1 to 18
    /// ASCII digits, or a type that is empty or starts with a digit, is
    /// `malformed_signature` (security review T3-5: a re-split proof would carry no
    /// time).
    pub unambiguous: bool,
}

/// SignWell: `event.hash` = hex HMAC(webhook id, `<event.type>@<event.time>`).
pub const SIGNWELL: InBodyScheme = InBodyScheme {
    event_key: Some("event"),
    type_key: "type",
    time_key: "time",
    hash_key: "hash",
    message: |t, time| format!("{t}@{time}"),
    unambiguous: false,
};

/// Dropbox Sign: `event.event_hash` = hex HMAC(API key, `<event_time><event_type>`), no
/// separator (hellosign-openapi's EventCallbackHelper in every SDK).
pub const DROPBOX_SIGN: InBodyScheme = InBodyScheme {
    event_key: Some("event"),
    type_key: "event_type",
    time_key: "event_time",
    hash_key: "event_hash",
    message: |t, time| format!("{time}{t}"),
    unambiguous: true,
};

/// Xodo Sign: top-level `event_hash` = hex HMAC(API access key, `<event_time><event_type>`),
/// no separator (the published integration's construction, as its module documents), so
/// split one way only as Dropbox Sign's.
pub const XODO_SIGN: InBodyScheme = InBodyScheme {
    event_key: None,
    type_key: "event_type",
    time_key: "event_time",
    hash_key: "event_hash",
    message: |t, time| format!("{time}{t}"),
    unambiguous: true,
};

/// The in-body scheme of `provider`, if its proof is in the body: one line per provider.
pub fn scheme_of(provider: Provider) -> Option<InBodyScheme> {
    match provider {
        Provider::SignWell => Some(SIGNWELL),
        Provider::DropboxSign => Some(DROPBOX_SIGN),
        Provider::XodoSign => Some(XODO_SIGN),
        _ => None,
    }
}

/// The JSON payload the in-body proof is read from: the body itself, or for Dropbox Sign's
/// `multipart/form-data` body (it opens with `--`) the `json` field, but only in the
/// canonical layout its fixtures use: `--B CRLF`, `Content-Disposition: form-data;
/// name="json"` (the field name exactly, the rest in any case), an empty line, the payload, `CRLF --B--` and an optional CRLF.
/// `None` for any other multipart layout (no reference for it here).
pub fn json_payload(provider: Provider, body: &[u8]) -> Option<&[u8]> {
    if provider != Provider::DropboxSign || !body.starts_with(b"--") {
        return Some(body);
    }
    let text = std::str::from_utf8(body).ok()?;
    let (first, rest) = text.split_once("\r\n")?;
    let boundary = first.strip_prefix("--")?;
    if boundary.is_empty() || boundary.len() > 70 || boundary.contains([' ', '\t']) {
        return None;
    }
    let (header, rest) = rest.split_once("\r\n\r\n")?;
    // Header name, `form-data` and `name` in any case; the field name itself exactly.
    let (name, value) = header.split_once(':')?;
    let (disposition, field) = value.trim().split_once("; ")?;
    let (param, field) = field.split_once('=')?;
    if !name.eq_ignore_ascii_case("content-disposition")
        || !disposition.eq_ignore_ascii_case("form-data")
        || !param.eq_ignore_ascii_case("name")
        || field != "\"json\""
    {
        return None;
    }
    let closing = format!("\r\n--{boundary}--");
    let payload = rest
        .strip_suffix("\r\n")
        .unwrap_or(rest)
        .strip_suffix(closing.as_str())?;
    if payload.contains(&format!("\n--{boundary}")) {
        return None;
    }
    let start = body.len() - rest.len();
    body.get(start..start + payload.len())
}

/// A metadata value (`event.type` or `event.time`) as written in the body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Meta {
    /// One of the provider's event names, as a JSON string.
    Name(u16),
    /// A JSON number: `now + delta`.
    Now(i32),
    /// A JSON string holding `now + delta`.
    NowText(i32),
    /// Any text, as a JSON string (escaped by serde_json).
    Str(String),
    /// Raw JSON text placed as is (`1.7e9`, `-0`, `null`, `{}`, `"\ud800"`, or not JSON).
    Raw(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HashVal {
    /// The right MAC under configured key `key` (modulo their count), lower or upper hex.
    Correct { key: u8, upper: bool },
    /// The MAC under a key that is not configured.
    Other,
    /// These bytes in hex.
    Bytes(Vec<u8>),
    /// Raw JSON text.
    Raw(String),
    /// No hash key.
    Absent,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventBody {
    pub etype: Meta,
    pub time: Meta,
    pub hash: HashVal,
    /// Bit flags: 1 hash first, 2 whitespace everywhere, 4 type string as `\u` escapes,
    /// 8 a decoy event object first (the real one wins), 16 `data` before `event`,
    /// 32 a decoy `type` first inside the event, 64 spaces inside the hash string,
    /// 128 no `data`.
    pub layout: u8,
    pub data: Data,
}

/// The `data` value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Data {
    /// Bytes driving the JSON generator (`json::generate`).
    Generated(Vec<u8>),
    /// Raw text (a fixture's `data`, or anything).
    Raw(Vec<u8>),
}

impl Meta {
    fn decode(r: &mut Reader) -> Meta {
        match r.tag(5) {
            0 => Meta::Name(r.u16()),
            1 => Meta::Now(r.u32() as i32),
            2 => Meta::NowText(r.u32() as i32),
            3 => Meta::Str(r.short_string()),
            _ => Meta::Raw(r.short_string()),
        }
    }
    fn encode(&self, w: &mut Writer) {
        match self {
            Meta::Name(i) => {
                w.tag(0);
                w.u16(*i)
            }
            Meta::Now(d) => {
                w.tag(1);
                w.u32(*d as u32)
            }
            Meta::NowText(d) => {
                w.tag(2);
                w.u32(*d as u32)
            }
            Meta::Str(s) => {
                w.tag(3);
                w.short_string(s)
            }
            Meta::Raw(s) => {
                w.tag(4);
                w.short_string(s)
            }
        }
    }
    /// The JSON text written.
    fn json(&self, provider: Provider, now: i64, escape: bool) -> String {
        let string = |s: &str| {
            if escape {
                let mut out = String::from("\"");
                for c in s.chars() {
                    if c.is_ascii() {
                        out.push_str(&format!("\\u{:04x}", c as u32));
                    } else {
                        out.push(c);
                    }
                }
                out.push('"');
                out
            } else {
                serde_json::to_string(s).unwrap_or_default()
            }
        };
        match self {
            Meta::Name(i) => {
                let names = provider.event_types();
                let name = names
                    .get(usize::from(*i) % names.len().max(1))
                    .map_or("", |(n, _)| n);
                string(name)
            }
            Meta::Now(d) => now.saturating_add(i64::from(*d)).to_string(),
            Meta::NowText(d) => string(&now.saturating_add(i64::from(*d)).to_string()),
            Meta::Str(s) => string(s),
            Meta::Raw(s) => s.clone(),
        }
    }
}

impl HashVal {
    fn decode(r: &mut Reader) -> HashVal {
        match r.tag(6) {
            0 | 5 => HashVal::Correct {
                key: r.u8(),
                upper: r.u8() & 1 == 1,
            },
            1 => HashVal::Other,
            2 => HashVal::Bytes(r.short_bytes()),
            3 => HashVal::Raw(r.short_string()),
            _ => HashVal::Absent,
        }
    }
    fn encode(&self, w: &mut Writer) {
        match self {
            HashVal::Correct { key, upper } => {
                w.tag(0);
                w.u8(*key);
                w.u8(u8::from(*upper))
            }
            HashVal::Other => w.tag(1),
            HashVal::Bytes(b) => {
                w.tag(2);
                w.short_bytes(b)
            }
            HashVal::Raw(s) => {
                w.tag(3);
                w.short_string(s)
            }
            HashVal::Absent => w.tag(4),
        }
    }
}

impl EventBody {
    pub fn decode(r: &mut Reader) -> EventBody {
        let etype = Meta::decode(r);
        let time = Meta::decode(r);
        let hash = HashVal::decode(r);
        let layout = r.u8();
        let data = if r.u8() & 1 == 0 {
            Data::Generated(r.rest())
        } else {
            Data::Raw(r.rest())
        };
        EventBody {
            etype,
            time,
            hash,
            layout,
            data,
        }
    }
    pub fn encode(&self, w: &mut Writer) {
        self.etype.encode(w);
        self.time.encode(w);
        self.hash.encode(w);
        w.u8(self.layout);
        match &self.data {
            Data::Generated(b) => {
                w.u8(0);
                w.rest(b)
            }
            Data::Raw(b) => {
                w.u8(1);
                w.rest(b)
            }
        }
    }
}

/// Where the parts of a rendered body are.
#[derive(Debug, Clone, Default)]
pub struct Rendered {
    pub type_at: Range<usize>,
    pub time_at: Range<usize>,
    pub hash_at: Option<Range<usize>>,
    pub data_at: Option<Range<usize>>,
}

fn push(out: &mut String, text: &str) -> Range<usize> {
    let start = out.len();
    out.push_str(text);
    start..out.len()
}

/// The body, for `scheme` (event names from `provider`), hashed under `secrets` (or
/// `fallback` when there are none).
pub fn render(
    spec: &EventBody,
    scheme: &InBodyScheme,
    provider: Provider,
    secrets: &[String],
    fallback: &str,
    now: i64,
) -> (Vec<u8>, Rendered) {
    let l = spec.layout;
    let ws = if l & 2 != 0 { " \n\t" } else { "" };
    let type_json = spec.etype.json(provider, now, l & 4 != 0);
    let time_json = spec.time.json(provider, now, false);
    let hash_json = {
        let hex = match &spec.hash {
            HashVal::Correct { key, upper } => {
                let key = if secrets.is_empty() {
                    fallback
                } else {
                    &secrets[usize::from(*key) % secrets.len()]
                };
                let message = match (metadata_text(&type_json), metadata_text(&time_json)) {
                    (Some(t), Some(time)) => (scheme.message)(&t, &time),
                    _ => String::new(),
                };
                let h = hex_lower(&hmac_sha256(key.as_bytes(), &[message.as_bytes()]));
                Some(if *upper { h.to_ascii_uppercase() } else { h })
            }
            HashVal::Other => Some(hex_lower(&hmac_sha256(b"unconfigured", &[b"x"]))),
            HashVal::Bytes(b) => Some(hex_lower(b)),
            HashVal::Raw(_) | HashVal::Absent => None,
        };
        match (&spec.hash, hex) {
            (_, Some(h)) if l & 64 != 0 => Some(format!("\" {h} \"")),
            (_, Some(h)) => Some(format!("\"{h}\"")),
            (HashVal::Raw(s), None) => Some(s.clone()),
            _ => None,
        }
    };
    let key = |k: &str| format!("{ws}\"{k}\"{ws}:{ws}");
    let mut out = String::new();
    let mut at = Rendered::default();
    let data_json = match &spec.data {
        Data::Generated(b) => json::generate(b),
        Data::Raw(b) => b.clone(),
    };
    let data = |out: &mut String, at: &mut Rendered| {
        if l & 128 == 0 {
            out.push_str(&key("data"));
            at.data_at = Some(push(out, &String::from_utf8_lossy(&data_json)));
            out.push_str(ws);
            out.push(',');
        }
    };
    out.push('{');
    if l & 16 != 0 {
        data(&mut out, &mut at);
    }
    // A decoy event object first, or for a top-level proof decoy keys first (the real
    // ones come later and win).
    let decoy = format!(
        "\"{}\":\"decoy\",\"{}\":0,\"{}\":\"{}\"",
        scheme.type_key,
        scheme.time_key,
        scheme.hash_key,
        "0".repeat(64)
    );
    if l & 8 != 0 {
        match scheme.event_key {
            Some(k) => {
                out.push_str(&key(k));
                out.push_str(&format!("{{{decoy}}},"));
            }
            None => {
                out.push_str(&decoy);
                out.push(',');
            }
        }
    }
    if let Some(k) = scheme.event_key {
        out.push_str(&key(k));
        out.push('{');
    }
    let mut first = true;
    let mut sep = |out: &mut String| {
        if !first {
            out.push_str(ws);
            out.push(',');
        }
        first = false;
    };
    let hash = |out: &mut String, at: &mut Rendered, sep: &mut dyn FnMut(&mut String)| {
        if let Some(h) = &hash_json {
            sep(out);
            out.push_str(&key(scheme.hash_key));
            at.hash_at = Some(push(out, h));
        }
    };
    if l & 1 != 0 {
        hash(&mut out, &mut at, &mut sep);
    }
    if l & 32 != 0 {
        sep(&mut out);
        out.push_str(&key(scheme.type_key));
        out.push_str("\"decoy\"");
    }
    sep(&mut out);
    out.push_str(&key(scheme.type_key));
    at.type_at = push(&mut out, &type_json);
    sep(&mut out);
    out.push_str(&key(scheme.time_key));
    at.time_at = push(&mut out, &time_json);
    if l & 1 == 0 {
        hash(&mut out, &mut at, &mut sep);
    }
    if scheme.event_key.is_some() {
        out.push_str(ws);
        out.push('}');
    }
    if l & 16 == 0 && l & 128 == 0 {
        out.push(',');
        // `data` re-uses the key helper; drop the trailing comma it adds.
        data(&mut out, &mut at);
        out.pop();
    }
    out.push_str(ws);
    out.push('}');
    (out.into_bytes(), at)
}

// ---------------------------------------------------------------------------------------
// the reference

/// `<type>`/`<time>` from a raw JSON value: a string's value, a number's exact text;
/// anything else (null, bool, object, array, an undecodable string) is nothing.
pub fn metadata_text(raw: &str) -> Option<String> {
    let t = raw.trim_matches([' ', '\t', '\n', '\r']);
    match t.as_bytes().first() {
        Some(b'"') => serde_json::from_str::<String>(t).ok(),
        Some(b'-' | b'0'..=b'9') => Some(t.to_owned()),
        _ => None,
    }
}

/// The hash field read as text, as every field the crate reads: a string's value (absent
/// when it does not decode), `true`/`false`, a number as written (a whole float within
/// i64 as its integer, `-0` as `0`); null, objects and arrays absent; empty is absent.
fn text_of(raw: &str) -> Option<String> {
    let t = raw.trim_matches([' ', '\t', '\n', '\r']);
    let v = match t.as_bytes().first()? {
        b'"' => serde_json::from_str::<String>(t).ok()?,
        b't' => "true".to_owned(),
        b'f' => "false".to_owned(),
        b'-' | b'0'..=b'9' => {
            if !t.contains(['.', 'e', 'E']) {
                if t == "-0" {
                    "0".to_owned()
                } else {
                    t.to_owned()
                }
            } else {
                match t.parse::<f64>() {
                    Ok(v) if v.is_finite() && v.fract() == 0.0 && v.abs() < 9.0e18 => {
                        (v as i64).to_string()
                    }
                    _ => t.to_owned(),
                }
            }
        }
        _ => return None,
    };
    (!v.is_empty()).then_some(v)
}

/// What the reference reads from a body: `Err(code)` for a body that is not a JSON
/// object; else the hash text (if any) and the message (if both parts are scalars).
/// An object key as serde_json's raw string reader gives it: escapes decoded, and a lone
/// surrogate escape (valid JSON, as `JSON.parse` agrees) kept as bytes that match no name,
/// where a `String` key would refuse the whole body.
#[derive(PartialEq, Eq, Hash)]
struct KeyBytes(Vec<u8>);

impl std::borrow::Borrow<[u8]> for KeyBytes {
    fn borrow(&self) -> &[u8] {
        &self.0
    }
}

impl<'de> serde::Deserialize<'de> for KeyBytes {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<KeyBytes, D::Error> {
        struct Bytes;
        impl serde::de::Visitor<'_> for Bytes {
            type Value = KeyBytes;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a key")
            }
            fn visit_bytes<E>(self, v: &[u8]) -> Result<KeyBytes, E> {
                Ok(KeyBytes(v.to_vec()))
            }
            fn visit_str<E>(self, v: &str) -> Result<KeyBytes, E> {
                Ok(KeyBytes(v.as_bytes().to_vec()))
            }
        }
        d.deserialize_bytes(Bytes)
    }
}

pub type Extracted = Result<(Option<String>, Option<String>), &'static str>;

pub fn extract(scheme: &InBodyScheme, body: &[u8]) -> Extracted {
    let (hash, etype, time) = extract_parts(scheme, body)?;
    let message = match (etype, time) {
        (Some(t), Some(time)) => Some((scheme.message)(&t, &time)),
        _ => None,
    };
    Ok((hash, message))
}

/// The hash text, and the type and time texts (each when a string or number), or
/// `Err(code)` for a body that is not a JSON object.
pub type Parts = (Option<String>, Option<String>, Option<String>);

pub fn extract_parts(scheme: &InBodyScheme, body: &[u8]) -> Result<Parts, &'static str> {
    let text = std::str::from_utf8(body).map_err(|_| "malformed_payload")?;
    // Strict syntax first: the byte reader behind `KeyBytes` lets control bytes through.
    serde_json::from_str::<&RawValue>(text).map_err(|_| "malformed_payload")?;
    let top: HashMap<KeyBytes, Box<RawValue>> =
        serde_json::from_str(text).map_err(|_| "malformed_payload")?;
    let event: HashMap<KeyBytes, Box<RawValue>> = match scheme.event_key {
        None => top,
        Some(k) => match top.get(k.as_bytes()) {
            Some(raw) if raw.get().starts_with('{') => {
                serde_json::from_str(raw.get()).map_err(|_| "malformed_payload")?
            }
            _ => HashMap::new(),
        },
    };
    let hash = event
        .get(scheme.hash_key.as_bytes())
        .and_then(|r| text_of(r.get()));
    let etype = event
        .get(scheme.type_key.as_bytes())
        .and_then(|r| metadata_text(r.get()));
    let time = event
        .get(scheme.time_key.as_bytes())
        .and_then(|r| metadata_text(r.get()));
    Ok((hash, etype, time))
}

/// The expected outcome of `verify`: the first configured key whose MAC of the message is
/// the hash, or the error code. Secrets are the ones `Secret::new` accepted.
pub fn reference(
    scheme: &InBodyScheme,
    body: &[u8],
    secrets: &[String],
) -> Result<usize, &'static str> {
    if secrets.is_empty() {
        return Err("no_secret_configured");
    }
    let (hash, etype, time) = extract_parts(scheme, body)?;
    if scheme.unambiguous && hash.is_some() {
        if let Some(t) = &time {
            if t.is_empty() || t.len() > 18 || !t.bytes().all(|b| b.is_ascii_digit()) {
                return Err("malformed_signature");
            }
        }
        if let Some(t) = &etype {
            if t.bytes().next().is_none_or(|b| b.is_ascii_digit()) {
                return Err("malformed_signature");
            }
        }
    }
    let message = match (etype, time) {
        (Some(t), Some(time)) => Some((scheme.message)(&t, &time)),
        _ => None,
    };
    let hash = hash.ok_or("missing_signature")?;
    let tag = match hex_decode(hash.trim()) {
        Some(t) if t.len() == 32 => t,
        _ => return Err("malformed_signature"),
    };
    let message = message.ok_or("signature_mismatch")?;
    secrets
        .iter()
        .position(|k| hmac_sha256(k.as_bytes(), &[message.as_bytes()])[..] == tag[..])
        .ok_or("signature_mismatch")
}
