//! The `verify_pandadoc` target: PandaDoc's proof is `?signature=<hex HMAC-SHA256(key, raw
//! body)>` in the request URL's query, given to the core with `Headers::set_query` (or
//! `set_query_from_url`). The delivery model of `src/input.rs` carries no query, so this
//! target has its own input: a query built from parameters (the right signature under a
//! configured key in lower, upper or mixed case, another key's, a truncated one, raw
//! bytes or text, empty; the name or value percent-encoded, padded, without `=`; other
//! parameters; a fragment), the `X-PandaDoc-Webhook-Event-Id` header or not, the bounds
//! (`max_event_age_seconds`, `max_clock_skew_seconds`, `max_events_per_delivery`, the body
//! limit), and a body that is an array of notifications (times at and around the bounds),
//! generated objects and scalars, one item repeated past the event limit, a bare object,
//! or raw bytes.
//!
//! Checked, against references that share no code with the crate:
//! - `verify`'s exact verdict (key index or error code) from a reference query parser
//!   (split on `&`, percent-decoding, exact name) and HMAC; `precheck` agrees;
//! - verified ⇒ the one `signature` value is the hex HMAC of the exact body under the
//!   matched secret; one changed body byte is `signature_mismatch`; the event-id header
//!   changes nothing;
//! - `normalize_all`'s exact outcome: one event per element, in order, each equal (but for
//!   its id) to its element normalized alone, ids `<32 hex of the body's hash>:<index>`
//!   whatever the header says (security review T3-1); or `too_many_events` (more than
//!   `max_events_per_delivery`, counted first), `malformed_payload`, `event_too_new` /
//!   `event_too_old` for the first event whose time lies beyond a bound; `normalize` agrees.

use signhook::{precheck, verify, Headers, Provider, VerifyConfig};

use crate::checks::{bound_verdict, setup, Outcome};
use crate::codec::{Reader, Writer};
use crate::input::{MaxAge, MaxBody, Now, Tolerance};
use crate::json;
use crate::jsondoc::{alone_events, batch_reference, check_batch_events};
use crate::oracle::{format_millis, hex_decode, hex_lower, hmac_sha256};

pub const EVENT_ID_HEADER: &str = "X-PandaDoc-Webhook-Event-Id";
/// The URL the query is appended to when the input gives a whole URL.
const URL: &str = "https://edge.example/hooks/pandadoc";
/// A key no input configures (a correct MAC under it is a well-formed mismatch).
const OTHER_KEY: &str = "pandadoc-unconfigured-key";
/// Used when a signed value names a secret and none is configured.
const FALLBACK_SECRET: &str = "pandadoc-fuzz-key";

const STATUSES: &[&str] = &[
    "document.draft",
    "document.sent",
    "document.viewed",
    "document.completed",
    "document.declined",
    "document.cancelled",
    "document.expired",
    "document.paid",
    "document.voided",
    "document.uploaded",
    "",
    "other",
];

const TIME_KEYS: &[&str] = &["date_modified", "action_date", "date_created"];

const EVENT_IDS: &[&str] = &[
    "c0d1e2f3-a4b5-4c6d-8e7f-9a0b1c2d3e4f",
    "evt-1",
    "",
    " evt-2\t",
];

/// How a `signature` value is signed, before encoding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SigVal {
    /// The hex HMAC of the body under configured secret `key` (modulo their count);
    /// `case` 0 lower, 1 upper, 2 mixed.
    Correct {
        key: u8,
        case: u8,
    },
    /// The hex HMAC under a key that is not configured.
    OtherKey,
    /// The right hex HMAC under `key` without its last `cut % 64` digits.
    Truncated {
        key: u8,
        cut: u8,
    },
    /// These bytes in hex.
    Bytes(Vec<u8>),
    Raw(String),
    Empty,
}

/// One query parameter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Param {
    /// The proof parameter. `name`: 0 `signature`, 1 `%73ignature`, 2 `signatur%65`,
    /// 3 `Signature` (another name), 4 `signature%20`, 5 `sig`. `enc` bit flags on the
    /// value: 1 every byte percent-encoded, 2 as `%XX` in uppercase, 4 padded with
    /// `%20` both sides, 8 padded with `+` (not a space in this query), 16 padded with
    /// `%09`, 32 no `=` at all (then no value), 64 a bare `%` appended.
    Sig {
        value: SigVal,
        name: u8,
        enc: u8,
    },
    Other {
        key: String,
        value: String,
    },
    Raw(String),
}

/// How the query reaches the core.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Url {
    /// `set_query(<query>)`.
    Query,
    /// `set_query("?" + <query>)`.
    Prefixed,
    /// `set_query_from_url(URL + "?" + <query>)`.
    Full,
    /// `set_query_from_url(URL)`: no `?`, no query.
    Bare,
    /// No query given at all.
    None,
}

/// An element's time, relative to `now` and the bounds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum When {
    Absent,
    /// `now + secs`, plus `ms % 1000` milliseconds.
    Delta {
        secs: i32,
        ms: u16,
    },
    /// At a bound: `which % 6`: 0 `now - max_age`, 1 one second older, 2 `now + skew`,
    /// 3 one second later, 4 `now`, 5 `now - max_age` minus a millisecond; the age bound is
    /// a week when unset.
    Bound {
        which: u8,
        ms: u16,
    },
    Raw(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Note {
    /// `Provider::PandaDoc.event_types()[i % len]`.
    pub event: u16,
    pub status: u8,
    pub when: When,
    pub time_key: u8,
    /// Generator bytes for extra members (`json::generate`), or none.
    pub extra: Vec<u8>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Elem {
    Note(Note),
    /// A generated object.
    Generated(Vec<u8>),
    /// A scalar or odd item (`jsondoc::Item::Scalar`).
    Scalar(u8),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PBody {
    Raw(Vec<u8>),
    /// `[e, e, …]`; `ws` picks the whitespace (0 none, 1 space, 2 newlines and indent).
    Array {
        ws: u8,
        elems: Vec<Elem>,
    },
    Bare(Elem),
    /// One element `count % 256` times (fewer past the size cap; the limit is 100 by
    /// default).
    Repeat {
        count: u16,
        elem: Elem,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MaxEvents {
    Default,
    Zero,
    Small(u8),
    Explicit(u32),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PandaInput {
    pub secrets: Vec<String>,
    pub now: Now,
    pub max_body: MaxBody,
    pub max_age: MaxAge,
    pub skew: Tolerance,
    pub max_events: MaxEvents,
    /// `EVENT_IDS[i - 1]` when `1..=len`, a raw value above, none at 0.
    pub event_id: u8,
    pub event_id_raw: String,
    pub url: Url,
    pub params: Vec<Param>,
    /// `#<this>` after the query, when not empty.
    pub fragment: String,
    pub flip_at: u16,
    pub flip_xor: u8,
    pub body: PBody,
}

// ---------------------------------------------------------------------------------------
// decode / encode

impl SigVal {
    fn decode(r: &mut Reader) -> SigVal {
        match r.tag(8) {
            0..=2 => SigVal::Correct {
                key: r.u8(),
                case: r.u8() % 3,
            },
            3 => SigVal::OtherKey,
            4 => SigVal::Truncated {
                key: r.u8(),
                cut: r.u8(),
            },
            5 => SigVal::Bytes(r.short_bytes()),
            6 => SigVal::Raw(r.short_string()),
            _ => SigVal::Empty,
        }
    }
    fn encode(&self, w: &mut Writer) {
        match self {
            SigVal::Correct { key, case } => {
                w.tag(0);
                w.u8(*key);
                w.u8(*case)
            }
            SigVal::OtherKey => w.tag(3),
            SigVal::Truncated { key, cut } => {
                w.tag(4);
                w.u8(*key);
                w.u8(*cut)
            }
            SigVal::Bytes(b) => {
                w.tag(5);
                w.short_bytes(b)
            }
            SigVal::Raw(s) => {
                w.tag(6);
                w.short_string(s)
            }
            SigVal::Empty => w.tag(7),
        }
    }
}

impl Param {
    fn decode(r: &mut Reader) -> Param {
        match r.tag(5) {
            0..=2 => Param::Sig {
                name: r.u8() % 6,
                enc: r.u8(),
                value: SigVal::decode(r),
            },
            3 => Param::Other {
                key: r.short_string(),
                value: r.short_string(),
            },
            _ => Param::Raw(r.short_string()),
        }
    }
    fn encode(&self, w: &mut Writer) {
        match self {
            Param::Sig { value, name, enc } => {
                w.tag(0);
                w.u8(*name);
                w.u8(*enc);
                value.encode(w)
            }
            Param::Other { key, value } => {
                w.tag(3);
                w.short_string(key);
                w.short_string(value)
            }
            Param::Raw(s) => {
                w.tag(4);
                w.short_string(s)
            }
        }
    }
}

impl Url {
    fn decode(r: &mut Reader) -> Url {
        match r.tag(8) {
            0..=2 => Url::Query,
            3 => Url::Prefixed,
            4 | 5 => Url::Full,
            6 => Url::Bare,
            _ => Url::None,
        }
    }
    fn encode(&self, w: &mut Writer) {
        w.tag(match self {
            Url::Query => 0,
            Url::Prefixed => 3,
            Url::Full => 4,
            Url::Bare => 6,
            Url::None => 7,
        })
    }
}

impl When {
    fn decode(r: &mut Reader) -> When {
        match r.tag(6) {
            0 => When::Absent,
            1 | 2 => When::Delta {
                secs: r.u32() as i32,
                ms: r.u16(),
            },
            3 | 4 => When::Bound {
                which: r.u8(),
                ms: r.u16(),
            },
            _ => When::Raw(r.short_string()),
        }
    }
    fn encode(&self, w: &mut Writer) {
        match self {
            When::Absent => w.tag(0),
            When::Delta { secs, ms } => {
                w.tag(1);
                w.u32(*secs as u32);
                w.u16(*ms)
            }
            When::Bound { which, ms } => {
                w.tag(3);
                w.u8(*which);
                w.u16(*ms)
            }
            When::Raw(s) => {
                w.tag(5);
                w.short_string(s)
            }
        }
    }
}

impl Elem {
    fn decode(r: &mut Reader) -> Elem {
        match r.tag(5) {
            0..=2 => Elem::Note(Note {
                event: r.u16(),
                status: r.u8(),
                time_key: r.u8(),
                when: When::decode(r),
                extra: r.short_bytes(),
            }),
            3 => Elem::Generated(r.short_bytes()),
            _ => Elem::Scalar(r.u8()),
        }
    }
    fn encode(&self, w: &mut Writer) {
        match self {
            Elem::Note(n) => {
                w.tag(0);
                w.u16(n.event);
                w.u8(n.status);
                w.u8(n.time_key);
                n.when.encode(w);
                w.short_bytes(&n.extra)
            }
            Elem::Generated(b) => {
                w.tag(3);
                w.short_bytes(b)
            }
            Elem::Scalar(i) => {
                w.tag(4);
                w.u8(*i)
            }
        }
    }
}

impl PBody {
    fn decode(r: &mut Reader) -> PBody {
        match r.tag(6) {
            0 => PBody::Raw(r.rest()),
            1 | 4 => {
                let ws = r.u8();
                let n = r.count(12);
                PBody::Array {
                    ws,
                    elems: (0..n).map(|_| Elem::decode(r)).collect(),
                }
            }
            2 => PBody::Bare(Elem::decode(r)),
            _ => PBody::Repeat {
                count: r.u16(),
                elem: Elem::decode(r),
            },
        }
    }
    fn encode(&self, w: &mut Writer) {
        match self {
            PBody::Raw(b) => {
                w.tag(0);
                w.rest(b)
            }
            PBody::Array { ws, elems } => {
                w.tag(1);
                w.u8(*ws);
                w.count(elems.len());
                for e in elems {
                    e.encode(w);
                }
            }
            PBody::Bare(e) => {
                w.tag(2);
                e.encode(w)
            }
            PBody::Repeat { count, elem } => {
                w.tag(3);
                w.u16(*count);
                elem.encode(w)
            }
        }
    }
}

impl MaxEvents {
    fn decode(r: &mut Reader) -> MaxEvents {
        match r.tag(6) {
            0 | 4 => MaxEvents::Default,
            1 => MaxEvents::Zero,
            2 | 5 => MaxEvents::Small(r.u8()),
            _ => MaxEvents::Explicit(r.u32()),
        }
    }
    fn encode(&self, w: &mut Writer) {
        match self {
            MaxEvents::Default => w.tag(0),
            MaxEvents::Zero => w.tag(1),
            MaxEvents::Small(n) => {
                w.tag(2);
                w.u8(*n)
            }
            MaxEvents::Explicit(n) => {
                w.tag(3);
                w.u32(*n)
            }
        }
    }
    /// `None` keeps the config's default.
    pub fn value(&self) -> Option<usize> {
        match self {
            MaxEvents::Default => None,
            MaxEvents::Zero => Some(0),
            MaxEvents::Small(n) => Some(usize::from(*n)),
            MaxEvents::Explicit(n) => Some(*n as usize),
        }
    }
}

impl PandaInput {
    pub fn decode(r: &mut Reader) -> PandaInput {
        let n = r.count(4);
        let secrets = (0..n).map(|_| r.short_string()).collect();
        let now = Now::decode(r);
        let max_body = MaxBody::decode(r);
        let max_age = MaxAge::decode(r);
        let skew = Tolerance::decode(r);
        let max_events = MaxEvents::decode(r);
        let event_id = r.u8();
        let event_id_raw = if usize::from(event_id) > EVENT_IDS.len() {
            r.short_string()
        } else {
            String::new()
        };
        let url = Url::decode(r);
        let n = r.count(6);
        let params = (0..n).map(|_| Param::decode(r)).collect();
        let fragment = r.short_string();
        let flip_at = r.u16();
        let flip_xor = r.u8();
        PandaInput {
            secrets,
            now,
            max_body,
            max_age,
            skew,
            max_events,
            event_id,
            event_id_raw,
            url,
            params,
            fragment,
            flip_at,
            flip_xor,
            body: PBody::decode(r),
        }
    }
    pub fn encode(&self, w: &mut Writer) {
        w.count(self.secrets.len());
        for s in &self.secrets {
            w.short_string(s);
        }
        self.now.encode(w);
        self.max_body.encode(w);
        self.max_age.encode(w);
        self.skew.encode(w);
        self.max_events.encode(w);
        w.u8(self.event_id);
        if usize::from(self.event_id) > EVENT_IDS.len() {
            w.short_string(&self.event_id_raw);
        }
        self.url.encode(w);
        w.count(self.params.len());
        for p in &self.params {
            p.encode(w);
        }
        w.short_string(&self.fragment);
        w.u16(self.flip_at);
        w.u8(self.flip_xor);
        self.body.encode(w);
    }
}
crate::arbitrary_via_decode!(PandaInput);

// ---------------------------------------------------------------------------------------
// materialize

/// Bodies stay under this.
pub const PANDADOC_BODY_CAP: usize = 32 * 1024;

/// The bounds in force (the config's), for placing times.
pub struct Bounds {
    pub now: i64,
    pub max_age: Option<u64>,
    pub skew: u64,
}

impl When {
    /// The time's JSON text, if any.
    fn json(&self, b: &Bounds) -> Option<String> {
        let stamp = |secs: Option<i64>, ms: u16| -> Option<String> {
            let ms = secs?.checked_mul(1000)?.checked_add(i64::from(ms % 1000))?;
            format_millis(ms).map(|t| format!("\"{t}\""))
        };
        match self {
            When::Absent => None,
            When::Delta { secs, ms } => stamp(b.now.checked_add(i64::from(*secs)), *ms),
            When::Bound { which, ms } => {
                let age = b.max_age.unwrap_or(7 * 24 * 3600);
                let age = i64::try_from(age).ok();
                let skew = i64::try_from(b.skew).ok();
                let oldest = age.and_then(|a| b.now.checked_sub(a));
                let latest = skew.and_then(|s| b.now.checked_add(s));
                match which % 6 {
                    0 => stamp(oldest, 0),
                    1 => stamp(oldest.and_then(|t| t.checked_sub(1)), *ms),
                    2 => stamp(latest, *ms),
                    3 => stamp(latest.and_then(|t| t.checked_add(1)), *ms),
                    4 => stamp(Some(b.now), *ms),
                    _ => stamp(oldest.and_then(|t| t.checked_sub(1)), 999),
                }
            }
            When::Raw(s) => Some(serde_json::to_string(s).unwrap_or_default()),
        }
    }
}

impl Elem {
    fn text(&self, index: usize, b: &Bounds) -> String {
        match self {
            Elem::Note(n) => {
                let names = Provider::PandaDoc.event_types();
                let event = names
                    .get(usize::from(n.event) % names.len().max(1))
                    .map_or("", |(name, _)| name);
                let status = STATUSES[usize::from(n.status) % STATUSES.len()];
                let mut data = format!(
                    "{{\"id\":\"doc-{index}\",\"name\":\"Document {index}\",\"status\":\"{status}\""
                );
                if let Some(t) = n.when.json(b) {
                    let key = TIME_KEYS[usize::from(n.time_key) % TIME_KEYS.len()];
                    data.push_str(&format!(",\"{key}\":{t}"));
                }
                if !n.extra.is_empty() {
                    data.push_str(",\"extra\":");
                    data.push_str(&String::from_utf8_lossy(&json::generate(&n.extra)));
                }
                data.push('}');
                format!("{{\"event\":\"{event}\",\"data\":{data}}}")
            }
            Elem::Generated(bytes) => String::from_utf8_lossy(&json::generate(bytes)).into_owned(),
            Elem::Scalar(i) => {
                String::from_utf8_lossy(&crate::jsondoc::Item::Scalar(*i).text()).into_owned()
            }
        }
    }
}

impl PBody {
    pub fn bytes(&self, b: &Bounds) -> Vec<u8> {
        let array = |ws: u8, texts: Vec<String>| -> Vec<u8> {
            let (sep, indent, end) = match ws % 3 {
                0 => (",", "", ""),
                1 => (", ", " ", " "),
                _ => (",\n", "\n  ", "\n"),
            };
            let mut out = String::from("[");
            for (i, t) in texts.iter().enumerate() {
                if i > 0 {
                    out.push_str(sep);
                } else {
                    out.push_str(indent);
                }
                out.push_str(t);
            }
            if !texts.is_empty() {
                out.push_str(end);
            }
            out.push(']');
            out.into_bytes()
        };
        match self {
            PBody::Raw(bytes) => bytes.clone(),
            PBody::Array { ws, elems } => array(
                *ws,
                elems
                    .iter()
                    .enumerate()
                    .map(|(i, e)| e.text(i, b))
                    .collect(),
            ),
            PBody::Bare(e) => e.text(0, b).into_bytes(),
            PBody::Repeat { count, elem } => {
                let one = elem.text(0, b);
                let n = usize::from(*count % 256).min(PANDADOC_BODY_CAP / (one.len() + 1));
                let mut out = Vec::with_capacity(n * (one.len() + 1) + 2);
                out.push(b'[');
                for i in 0..n {
                    if i > 0 {
                        out.push(b',');
                    }
                    out.extend_from_slice(one.as_bytes());
                }
                out.push(b']');
                out
            }
        }
    }
}

fn pick<'s>(list: &'s [String], i: u8, fallback: &'s str) -> &'s str {
    if list.is_empty() {
        fallback
    } else {
        &list[usize::from(i) % list.len()]
    }
}

fn percent_all(text: &str, upper: bool) -> String {
    text.bytes()
        .map(|b| {
            if upper {
                format!("%{b:02X}")
            } else {
                format!("%{b:02x}")
            }
        })
        .collect()
}

impl Param {
    fn text(&self, secrets: &[String], body: &[u8]) -> String {
        match self {
            Param::Sig { value, name, enc } => {
                let mac = |key: &str| hex_lower(&hmac_sha256(key.as_bytes(), &[body]));
                let mut v = match value {
                    SigVal::Correct { key, case } => {
                        let hex = mac(pick(secrets, *key, FALLBACK_SECRET));
                        match case % 3 {
                            0 => hex,
                            1 => hex.to_ascii_uppercase(),
                            _ => hex
                                .chars()
                                .enumerate()
                                .map(|(i, c)| {
                                    if i % 3 == 0 {
                                        c.to_ascii_uppercase()
                                    } else {
                                        c
                                    }
                                })
                                .collect(),
                        }
                    }
                    SigVal::OtherKey => mac(OTHER_KEY),
                    SigVal::Truncated { key, cut } => {
                        let hex = mac(pick(secrets, *key, FALLBACK_SECRET));
                        hex[..64 - usize::from(*cut % 64).max(1)].to_owned()
                    }
                    SigVal::Bytes(b) => hex_lower(b),
                    SigVal::Raw(s) => s.clone(),
                    SigVal::Empty => String::new(),
                };
                if enc & 1 != 0 {
                    v = percent_all(&v, enc & 2 != 0);
                }
                if enc & 4 != 0 {
                    v = format!("%20{v}%20");
                }
                if enc & 8 != 0 {
                    v = format!("+{v}+");
                }
                if enc & 16 != 0 {
                    v = format!("%09{v}");
                }
                if enc & 64 != 0 {
                    v.push('%');
                }
                let name = match name % 6 {
                    0 => "signature",
                    1 => "%73ignature",
                    2 => "signatur%65",
                    3 => "Signature",
                    4 => "signature%20",
                    _ => "sig",
                };
                if enc & 32 != 0 {
                    name.to_owned()
                } else {
                    format!("{name}={v}")
                }
            }
            Param::Other { key, value } => format!("{key}={value}"),
            Param::Raw(s) => s.clone(),
        }
    }
}

/// The concrete request.
pub struct PandaRequest {
    pub body: Vec<u8>,
    /// The query as built (before `set_query`'s trimming), and how it is given.
    pub query: String,
    pub event_id: Option<String>,
}

impl PandaInput {
    /// The config, but for the body limit (it may depend on the body's length), and the
    /// secrets `Secret::new` accepted, in config order.
    pub fn config(&self) -> (VerifyConfig, Vec<String>) {
        let s = setup(&self.secrets, &[], None, None, self.max_age.value());
        let mut config = s.config;
        if let Some(t) = self.skew.value() {
            config.max_clock_skew_seconds = t;
        }
        if let Some(m) = self.max_events.value() {
            config.max_events_per_delivery = m;
        }
        (config, s.valid_secrets)
    }

    pub fn bounds(&self, config: &VerifyConfig) -> Bounds {
        Bounds {
            now: self.now.value(),
            max_age: config.max_event_age_seconds,
            skew: config.max_clock_skew_seconds,
        }
    }

    pub fn materialize(&self, secrets: &[String], b: &Bounds) -> PandaRequest {
        let mut body = self.body.bytes(b);
        body.truncate(PANDADOC_BODY_CAP);
        let mut query = self
            .params
            .iter()
            .map(|p| p.text(secrets, &body))
            .collect::<Vec<_>>()
            .join("&");
        if !self.fragment.is_empty() {
            query.push('#');
            query.push_str(&self.fragment);
        }
        let event_id = match usize::from(self.event_id) {
            0 => None,
            i if i <= EVENT_IDS.len() => Some(EVENT_IDS[i - 1].to_owned()),
            _ => Some(self.event_id_raw.clone()),
        };
        PandaRequest {
            body,
            query,
            event_id,
        }
    }

    /// The headers: the query as the input gives it, and the event-id header if any.
    pub fn headers(&self, req: &PandaRequest, event_id: Option<&str>) -> Headers {
        let mut h = Headers::new();
        h.append("Content-Type", "application/json");
        if let Some(id) = event_id {
            h.append(EVENT_ID_HEADER, id);
        }
        match self.url {
            Url::Query => h.set_query(&req.query),
            Url::Prefixed => h.set_query(&format!("?{}", req.query)),
            Url::Full => h.set_query_from_url(&format!("{URL}?{}", req.query)),
            Url::Bare => h.set_query_from_url(URL),
            Url::None => {}
        }
        h
    }
}

// ---------------------------------------------------------------------------------------
// references

/// The query string the core sees, by the documented rules of `set_query` (a leading `?`
/// dropped, cut at `#`) and `set_query_from_url` (what follows the first `?`, if any).
pub fn seen_query(url: &Url, query: &str) -> Option<String> {
    let set = |q: &str| {
        let q = q.strip_prefix('?').unwrap_or(q);
        q.split('#').next().unwrap_or("").to_owned()
    };
    match url {
        Url::Query => Some(set(query)),
        Url::Prefixed => Some(set(&format!("?{query}"))),
        Url::Full => format!("{URL}?{query}")
            .split_once('?')
            .map(|(_, q)| set(q)),
        Url::Bare | Url::None => None,
    }
}

/// `%XX` (hex of either case) decoded; the text unchanged when a `%` is not followed by two
/// hex digits or the result is not UTF-8; `+` is not a space.
pub fn percent_decode(text: &str) -> String {
    let b = text.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            match b.get(i + 1..i + 3).and_then(|h| {
                let h = std::str::from_utf8(h).ok()?;
                h.bytes()
                    .all(|c| c.is_ascii_hexdigit())
                    .then(|| u8::from_str_radix(h, 16).ok())
                    .flatten()
            }) {
                Some(v) => {
                    out.push(v);
                    i += 3;
                }
                None => return text.to_owned(),
            }
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8(out).unwrap_or_else(|_| text.to_owned())
}

/// Every value of the query parameter `name`, in order, decoded.
pub fn query_values(query: &str, name: &str) -> Vec<String> {
    query
        .split('&')
        .filter_map(|pair| {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            (percent_decode(k) == name).then(|| percent_decode(v))
        })
        .collect()
}

/// The body-less part of the verdict (what `precheck` answers): a configured secret, and
/// exactly one non-blank `signature` value, which is returned.
pub fn precheck_reference(query: Option<&str>, secrets: &[String]) -> Result<String, &'static str> {
    if secrets.is_empty() {
        return Err("no_secret_configured");
    }
    let query = query.ok_or("missing_signature")?;
    let mut values = query_values(query, "signature");
    match values.len() {
        0 => Err("missing_signature"),
        1 => {
            let v = values.pop().unwrap_or_default();
            if v.trim().is_empty() {
                Err("missing_signature")
            } else {
                Ok(v)
            }
        }
        _ => Err("malformed_signature"),
    }
}

/// `verify`'s verdict: the first configured secret whose hex HMAC of the body is the one
/// `signature` value (trimmed, hex of either case, 32 bytes), or the error code.
pub fn verify_reference(
    query: Option<&str>,
    secrets: &[String],
    body: &[u8],
    max_body: usize,
) -> Outcome {
    if body.len() > max_body {
        return Err("payload_too_large");
    }
    let value = precheck_reference(query, secrets)?;
    let tag = match hex_decode(value.trim()) {
        Some(t) if t.len() == 32 => t,
        _ => return Err("malformed_signature"),
    };
    secrets
        .iter()
        .position(|k| hmac_sha256(k.as_bytes(), &[body])[..] == tag[..])
        .ok_or("signature_mismatch")
}

// ---------------------------------------------------------------------------------------
// the check

pub fn check_pandadoc(input: &PandaInput) {
    let p = Provider::PandaDoc;
    let (mut config, secrets) = input.config();
    let bounds = input.bounds(&config);
    let req = input.materialize(&secrets, &bounds);
    let body = &req.body[..];
    if let Some(m) = input.max_body.value(body.len()) {
        config.max_body_bytes = m;
    }
    let now = bounds.now;
    let headers = input.headers(&req, req.event_id.as_deref());
    let seen = seen_query(&input.url, &req.query);
    assert_eq!(headers.query(), seen.as_deref(), "the query the core sees");

    let result = verify(p, &headers, body, &config, now);
    let want = verify_reference(seen.as_deref(), &secrets, body, config.max_body_bytes);
    let got: Outcome = match &result {
        Ok(v) => Ok(v.verification().key),
        Err(e) => Err(e.code()),
    };
    assert_eq!(got, want, "verify: query {:?}", req.query);

    // precheck: the same answer wherever it answers (it reads no body).
    let pre = precheck(p, &headers, &config);
    match (precheck_reference(seen.as_deref(), &secrets), &pre) {
        (Ok(_), Ok(())) => {}
        (Err(w), Err(e)) => assert_eq!(e.code(), w, "precheck"),
        (w, g) => panic!(
            "precheck: {:?} where the reference says {w:?}",
            g.as_ref().err().map(|e| e.code())
        ),
    }

    let Ok(v) = &result else { return };
    let key = v.verification().key;
    assert_eq!(v.verification().covers, signhook::Covers::Body);
    assert!(v.signed_at().is_none());
    assert!(
        std::ptr::eq(v.body(), body),
        "Verified must borrow the exact bytes"
    );

    // Soundness: the one signature value is the matched secret's MAC of these bytes.
    let values = query_values(seen.as_deref().unwrap_or_default(), "signature");
    let mac = hex_lower(&hmac_sha256(secrets[key].as_bytes(), &[body]));
    assert!(
        values.len() == 1 && values[0].trim().eq_ignore_ascii_case(&mac),
        "verified, but the query's signature {values:?} is not the MAC {mac} of the body under the matched secret"
    );

    // One changed byte: refused.
    if !body.is_empty() {
        let mut mutated = body.to_vec();
        let i = usize::from(input.flip_at) % mutated.len();
        mutated[i] ^= input.flip_xor.max(1);
        let again = verify(p, &headers, &mutated, &config, now);
        assert_eq!(
            again.err().map(|e| e.code()),
            Some("signature_mismatch"),
            "a body with byte {i} changed"
        );
    }

    // normalize_all's exact outcome.
    let all = v.normalize_all();
    let elements = batch_reference(body, config.max_events_per_delivery);
    let alone = match &elements {
        Ok(elements) => alone_events(elements),
        Err(_) => Default::default(),
    };
    let expected: Result<(), &'static str> = match &elements {
        Err(e) => Err(*e),
        Ok(elements) => elements.iter().try_for_each(|el| {
            bound_verdict(
                signhook::Covers::Body,
                alone[el].time.as_deref(),
                now,
                bounds.max_age,
                bounds.skew,
            )
        }),
    };
    match (&all, &expected, &elements) {
        (Ok(events), Ok(()), Ok(elements)) => {
            assert!(events
                .iter()
                .all(|e| e.data.verification == Some(v.verification())));
            check_batch_events(body, elements, events, &alone);
            // The ids (checked above: the body's hash and the index) depend on the body
            // alone: another event-id header, or none, changes none of them.
            // (For batches of a few events: the rule does not depend on the count.)
            if events.len() <= 8 {
                let other = match req.event_id {
                    Some(_) => None,
                    None => Some("evt-other"),
                };
                let again = verify(p, &input.headers(&req, other), body, &config, now)
                    .expect("the same delivery with another event-id header")
                    .normalize_all()
                    .expect("normalizes as before");
                assert!(
                    again.iter().map(|e| &e.id).eq(events.iter().map(|e| &e.id)),
                    "the event-id header {other:?} changes the ids"
                );
            }
        }
        (Err(e), Err(w), _) => assert_eq!(
            e.code(),
            *w,
            "normalize_all: {} ({}) where the reference says {w}",
            e.code(),
            e.message()
        ),
        (Ok(events), Err(w), _) => {
            panic!(
                "normalize_all gives {} events where the reference says {w}",
                events.len()
            )
        }
        (Err(e), Ok(()), _) => panic!(
            "normalize_all refuses ({}: {}) a delivery the reference accepts",
            e.code(),
            e.message()
        ),
        (Ok(_), Ok(()), Err(_)) => unreachable!("an expected outcome without elements"),
    }
    // normalize: the one event, or why not exactly one (for a few events: it builds them
    // all again).
    if all.as_ref().is_ok_and(|events| events.len() > 4) {
        return;
    }
    let one = v.normalize();
    match (&all, &one) {
        (Ok(events), Ok(_)) => assert_eq!(events.len(), 1),
        (Ok(events), Err(e)) => assert_eq!(
            e.code(),
            if events.is_empty() {
                "malformed_payload"
            } else {
                "multiple_events"
            }
        ),
        (Err(a), Err(e)) => assert_eq!(a.code(), e.code()),
        (Err(a), Ok(_)) => panic!("normalize passes what normalize_all refuses ({})", a.code()),
    }
}
