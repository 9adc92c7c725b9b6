//! Structured deliveries: headers (duplicates, odd casing, near-miss names, correctly signed
//! values under a transform), secrets, client ids, `now` and tolerance including extremes,
//! the body limit, and a body that is raw bytes, generated JSON or deep nesting.

use signhook::Provider;

use crate::codec::{Reader, Writer};
use crate::inbody::{self, EventBody, Rendered};
use crate::json;
use crate::oracle::{
    base64_padded, format_millis, hex_lower, hmac_sha256, standard_webhooks_key, trim_ows,
};

/// A typical `now` (the fixtures' era); `Now::Near` is relative to it.
pub const BASE_NOW: i64 = 1_731_340_000;
/// Used when a signed value names a secret and none is configured.
pub const FALLBACK_SECRET: &str = "fuzz-secret";
pub const FALLBACK_CLIENT: &str = "fuzz-client";

/// Header names that resemble a provider's proof header (for `diagnose`'s detection).
pub const NEAR_MISS: &[&str] = &[
    "X-Zoho-Signature",
    "X_ZS_WEBHOOK_SIGNATURE",
    "x-zs-signature",
    "X-ZS-WEBHOOK-SIGNATURE-256",
    "x-zigned-signature",
    "X-Zigned-Request-Signature-V1",
    "X-Yousign-Signature",
    "x-yousign-signature-sha256",
    "X-Adobe-Sign-Client-Id",
    "X-AdobeSign-Client-Id",
    "webhook-signature",
    "X-Hub-Signature-256",
    "X-Signature",
    "signature",
    "Authorization",
    "X-Webhook-Signature",
    // DocuSign: the numbered headers beyond -1 (rotation), the cap and past it, leading
    // zeros, no number, and the algorithm header.
    "X-DocuSign-Signature-2",
    "x-docusign-signature-3",
    "X-DocuSign-Signature-100",
    "X-DocuSign-Signature-101",
    "X-DocuSign-Signature-0",
    "X-DocuSign-Signature-01",
    "X-DocuSign-Signature",
    "X-DocuSign-Signature-1 ",
    "x-authorization-digest",
    "X-Docuseal-Signature-256",
    "X-BoldSign-Event",
    "X-BoldSign-Signatures",
    "X-Documenso-Signature",
    "X-Documenso-Secret-Key",
    "Proxy-Authorization",
    "X-SignWell-Signature",
    // Appended (an index is taken modulo the count, so the names above keep theirs for the
    // bytes below the old count): Box Sign's and SignatureAPI's other signed headers, so
    // that raw values reach them; Signable's unsigned timestamp and a near name.
    BOX_SECONDARY,
    BOX_TIMESTAMP,
    BOX_VERSION,
    BOX_ALGORITHM,
    SWH_ID,
    SWH_TIMESTAMP,
    "X-Signable-Webhook",
    "X-Signable-Signature",
];

/// Box Sign's headers beside its proof header (`BOX-SIGNATURE-PRIMARY`): the second tag
/// (the other signature key's), the signed timestamp, and the scheme's version and
/// algorithm, which must be `1` and `HmacSHA256`.
pub const BOX_PRIMARY: &str = "BOX-SIGNATURE-PRIMARY";
pub const BOX_SECONDARY: &str = "BOX-SIGNATURE-SECONDARY";
pub const BOX_TIMESTAMP: &str = "BOX-DELIVERY-TIMESTAMP";
pub const BOX_VERSION: &str = "BOX-SIGNATURE-VERSION";
pub const BOX_ALGORITHM: &str = "BOX-SIGNATURE-ALGORITHM";
/// SignatureAPI's (Standard Webhooks) headers beside `webhook-signature`: both are MACed.
pub const SWH_ID: &str = "webhook-id";
pub const SWH_TIMESTAMP: &str = "webhook-timestamp";

/// Every header `provider`'s proof is made of: its proof header and, for Box Sign and
/// SignatureAPI, the others the MAC or the scheme reads. A header of one of these names
/// that a signed value did not write can change the verdict.
pub fn signed_names(provider: Provider) -> Vec<&'static str> {
    match provider {
        Provider::BoxSign => vec![
            BOX_PRIMARY,
            BOX_SECONDARY,
            BOX_TIMESTAMP,
            BOX_VERSION,
            BOX_ALGORITHM,
        ],
        Provider::SignatureApi => vec![provider.proof_header(), SWH_ID, SWH_TIMESTAMP],
        _ => vec![provider.proof_header()],
    }
}

/// The headers that may carry `provider`'s tag: Box Sign's primary or secondary, else the
/// proof header. None of them present: `missing_signature`.
pub fn tag_names(provider: Provider) -> Vec<&'static str> {
    match provider {
        Provider::BoxSign => vec![BOX_PRIMARY, BOX_SECONDARY],
        _ => vec![provider.proof_header()],
    }
}

/// `x-authorization-digest` values (DocuSign): only `HMACSHA256` (any case) or empty pass.
pub const DIGESTS: &[&str] = &[
    "HMACSHA256",
    "hmacsha256",
    " HMACSHA256\t",
    "",
    "HMACSHA1",
    "sha256",
];

pub fn provider_index(p: Provider) -> u8 {
    Provider::ALL.iter().position(|q| *q == p).unwrap_or(0) as u8
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Name {
    /// The proof header of `Provider::ALL[i % Provider::ALL.len()]`.
    Proof(u8),
    /// `X-DocuSign-Signature-<n>` (DocuSign's rotation headers: 1..=100 are read).
    Numbered(u8),
    /// `x-authorization-digest` (DocuSign), with `DIGESTS[i % len]` as its value in place of
    /// a raw one.
    Digest(u8),
    /// The target provider's own proof header.
    Own,
    NearMiss(u8),
    ContentType,
    Raw(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Casing {
    AsIs,
    Lower,
    Upper,
    /// Flip the ASCII case of character `i` when bit `i % 32` is set.
    Mixed(u32),
}

/// A Zigned `t` value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ts {
    /// `now + delta` seconds.
    NowDelta(i16),
    /// `now * 1000 + delta` (milliseconds).
    NowMillis(i32),
    Explicit(i64),
    Text(String),
}

/// A header value signed correctly for `body` (then transformed).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signed {
    /// Even: the target provider; odd: `Provider::ALL[(scheme / 2) % Provider::ALL.len()]`.
    pub scheme: u8,
    /// Index into the configured secrets (or client ids), modulo their count.
    pub key: u8,
    /// The signed timestamp (Zigned, DocuSeal, BoldSign, SignatureAPI; Box Sign's as
    /// RFC 3339, `box_time`).
    pub ts: Ts,
    /// Which transform (see `materialize`).
    pub how: u8,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    Raw(String),
    Signed(Signed),
    /// `t=…,v1=…`-style list built from parts.
    Parts(Vec<Part>),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Part {
    /// 0..=4: the list's keys (`ZIGNED_KEYS`: `t`, `v1`, `v0`, `T`, `V1`; or
    /// `BOLDSIGN_KEYS`), 5: raw key.
    pub key: u8,
    pub raw_key: String,
    pub val: PartVal,
    /// Bit flags: 1 space before the key, 2 space before `=`, 4 space after `=`,
    /// 8 space after the value, 16 HTAB instead of SP, 32 no `=` at all, 64 `, ` joiner.
    pub spacing: u8,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PartVal {
    Ts(Ts),
    /// Hex HMAC over `<t>.<body>`, `t` from this `Ts`, under configured secret `key`.
    Mac {
        key: u8,
        ts: Ts,
        upper: bool,
    },
    /// Hex HMAC over the body alone.
    BodyMac {
        key: u8,
    },
    Hex(Vec<u8>),
    Raw(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeaderSpec {
    pub name: Name,
    pub casing: Casing,
    pub value: Value,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Now {
    Explicit(i64),
    Min,
    Max,
    Zero,
    Near(i32),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Tolerance {
    Default,
    Zero,
    Max,
    Explicit(u64),
    Small(u16),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MaxBody {
    Default,
    Explicit(u32),
    /// The body's length minus this many bytes (saturating): right at the limit.
    BodyMinus(u8),
    Zero,
}

/// `VerifyConfig::max_event_age_seconds`: the replay bound on covered event times.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MaxAge {
    Unset,
    Zero,
    Week,
    Max,
    Explicit(u64),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Body {
    Raw(Vec<u8>),
    /// Bytes driving the JSON generator (`json::generate`).
    Json(Vec<u8>),
    /// `open × depth`, `core`, `close × depth`.
    Nest {
        open: Vec<u8>,
        close: Vec<u8>,
        depth: u16,
        core: Vec<u8>,
    },
    /// An event object carrying an in-body proof (`src/inbody.rs`), for the target's
    /// in-body scheme (SignWell's by default).
    Event(EventBody),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delivery {
    pub headers: Vec<HeaderSpec>,
    pub secrets: Vec<String>,
    pub client_ids: Vec<String>,
    pub now: Now,
    pub tolerance: Tolerance,
    pub max_body: MaxBody,
    pub max_age: MaxAge,
    pub flip_at: u16,
    pub flip_xor: u8,
    pub body: Body,
}

// ---------------------------------------------------------------------------------------
// decode / encode

impl Ts {
    pub fn decode(r: &mut Reader) -> Ts {
        match r.tag(4) {
            0 => Ts::NowDelta(r.u16() as i16),
            1 => Ts::NowMillis(r.u32() as i32),
            2 => Ts::Explicit(r.i64()),
            _ => Ts::Text(r.short_string()),
        }
    }
    pub fn encode(&self, w: &mut Writer) {
        match self {
            Ts::NowDelta(d) => {
                w.tag(0);
                w.u16(*d as u16)
            }
            Ts::NowMillis(d) => {
                w.tag(1);
                w.u32(*d as u32)
            }
            Ts::Explicit(v) => {
                w.tag(2);
                w.i64(*v)
            }
            Ts::Text(s) => {
                w.tag(3);
                w.short_string(s)
            }
        }
    }
    pub fn text(&self, now: i64) -> String {
        match self {
            Ts::NowDelta(d) => now.saturating_add(i64::from(*d)).to_string(),
            Ts::NowMillis(d) => now
                .saturating_mul(1000)
                .saturating_add(i64::from(*d))
                .to_string(),
            Ts::Explicit(v) => v.to_string(),
            Ts::Text(s) => s.clone(),
        }
    }
}

impl PartVal {
    fn decode(r: &mut Reader) -> PartVal {
        match r.tag(5) {
            0 => PartVal::Ts(Ts::decode(r)),
            1 => {
                let key = r.u8();
                let upper = r.u8() & 1 == 1;
                PartVal::Mac {
                    key,
                    ts: Ts::decode(r),
                    upper,
                }
            }
            2 => PartVal::BodyMac { key: r.u8() },
            3 => PartVal::Hex(r.short_bytes()),
            _ => PartVal::Raw(r.short_string()),
        }
    }
    fn encode(&self, w: &mut Writer) {
        match self {
            PartVal::Ts(ts) => {
                w.tag(0);
                ts.encode(w)
            }
            PartVal::Mac { key, ts, upper } => {
                w.tag(1);
                w.u8(*key);
                w.u8(u8::from(*upper));
                ts.encode(w)
            }
            PartVal::BodyMac { key } => {
                w.tag(2);
                w.u8(*key)
            }
            PartVal::Hex(b) => {
                w.tag(3);
                w.short_bytes(b)
            }
            PartVal::Raw(s) => {
                w.tag(4);
                w.short_string(s)
            }
        }
    }
}

impl Part {
    pub fn decode(r: &mut Reader) -> Part {
        let key = r.tag(6);
        let raw_key = if key == 5 {
            r.short_string()
        } else {
            String::new()
        };
        let spacing = r.u8();
        Part {
            key,
            raw_key,
            val: PartVal::decode(r),
            spacing,
        }
    }
    pub fn encode(&self, w: &mut Writer) {
        w.tag(self.key);
        if self.key == 5 {
            w.short_string(&self.raw_key);
        }
        w.u8(self.spacing);
        self.val.encode(w);
    }
}

pub fn decode_parts(r: &mut Reader) -> Vec<Part> {
    let n = r.count(8);
    (0..n).map(|_| Part::decode(r)).collect()
}

pub fn encode_parts(parts: &[Part], w: &mut Writer) {
    w.count(parts.len());
    for p in parts {
        p.encode(w);
    }
}

impl Value {
    fn decode(r: &mut Reader) -> Value {
        match r.tag(4) {
            0 | 3 => Value::Raw(r.short_string()),
            1 => {
                let scheme = r.u8();
                let key = r.u8();
                let how = r.u8();
                Value::Signed(Signed {
                    scheme,
                    key,
                    how,
                    ts: Ts::decode(r),
                })
            }
            _ => Value::Parts(decode_parts(r)),
        }
    }
    fn encode(&self, w: &mut Writer) {
        match self {
            Value::Raw(s) => {
                w.tag(0);
                w.short_string(s)
            }
            Value::Signed(s) => {
                w.tag(1);
                w.u8(s.scheme);
                w.u8(s.key);
                w.u8(s.how);
                s.ts.encode(w)
            }
            Value::Parts(parts) => {
                w.tag(2);
                encode_parts(parts, w)
            }
        }
    }
}

impl HeaderSpec {
    fn decode(r: &mut Reader) -> HeaderSpec {
        let name = match r.tag(8) {
            0..=3 => Name::Proof(r.u8()),
            4 | 5 => Name::Own,
            6 => Name::NearMiss(r.u8()),
            _ => match r.u8() % 4 {
                0 => Name::ContentType,
                1 => Name::Raw(r.short_string()),
                2 => Name::Numbered(r.u8()),
                _ => Name::Digest(r.u8()),
            },
        };
        let casing = match r.tag(4) {
            0 => Casing::AsIs,
            1 => Casing::Lower,
            2 => Casing::Upper,
            _ => Casing::Mixed(r.u32()),
        };
        HeaderSpec {
            name,
            casing,
            value: Value::decode(r),
        }
    }
    fn encode(&self, w: &mut Writer) {
        match &self.name {
            Name::Proof(i) => {
                w.tag(0);
                w.u8(*i)
            }
            Name::Numbered(n) => {
                w.tag(7);
                w.u8(2);
                w.u8(*n)
            }
            Name::Digest(i) => {
                w.tag(7);
                w.u8(3);
                w.u8(*i)
            }
            Name::Own => w.tag(4),
            Name::NearMiss(i) => {
                w.tag(6);
                w.u8(*i)
            }
            Name::ContentType => {
                w.tag(7);
                w.u8(0)
            }
            Name::Raw(s) => {
                w.tag(7);
                w.u8(1);
                w.short_string(s)
            }
        }
        match self.casing {
            Casing::AsIs => w.tag(0),
            Casing::Lower => w.tag(1),
            Casing::Upper => w.tag(2),
            Casing::Mixed(m) => {
                w.tag(3);
                w.u32(m)
            }
        }
        self.value.encode(w);
    }
}

impl Now {
    pub fn decode(r: &mut Reader) -> Now {
        match r.tag(8) {
            0 => Now::Explicit(r.i64()),
            1 => Now::Min,
            2 => Now::Max,
            3 => Now::Zero,
            _ => Now::Near(r.u32() as i32),
        }
    }
    pub fn encode(&self, w: &mut Writer) {
        match self {
            Now::Explicit(v) => {
                w.tag(0);
                w.i64(*v)
            }
            Now::Min => w.tag(1),
            Now::Max => w.tag(2),
            Now::Zero => w.tag(3),
            Now::Near(d) => {
                w.tag(4);
                w.u32(*d as u32)
            }
        }
    }
    pub fn value(&self) -> i64 {
        match self {
            Now::Explicit(v) => *v,
            Now::Min => i64::MIN,
            Now::Max => i64::MAX,
            Now::Zero => 0,
            Now::Near(d) => BASE_NOW + i64::from(*d),
        }
    }
}

impl Tolerance {
    pub fn decode(r: &mut Reader) -> Tolerance {
        match r.tag(5) {
            0 => Tolerance::Default,
            1 => Tolerance::Zero,
            2 => Tolerance::Max,
            3 => Tolerance::Explicit(r.u64()),
            _ => Tolerance::Small(r.u16()),
        }
    }
    pub fn encode(&self, w: &mut Writer) {
        match self {
            Tolerance::Default => w.tag(0),
            Tolerance::Zero => w.tag(1),
            Tolerance::Max => w.tag(2),
            Tolerance::Explicit(v) => {
                w.tag(3);
                w.u64(*v)
            }
            Tolerance::Small(v) => {
                w.tag(4);
                w.u16(*v)
            }
        }
    }
    /// `None` keeps the config's default.
    pub fn value(&self) -> Option<u64> {
        match self {
            Tolerance::Default => None,
            Tolerance::Zero => Some(0),
            Tolerance::Max => Some(u64::MAX),
            Tolerance::Explicit(v) => Some(*v),
            Tolerance::Small(v) => Some(u64::from(*v)),
        }
    }
}

impl MaxBody {
    pub fn decode(r: &mut Reader) -> MaxBody {
        match r.tag(6) {
            0 | 4 | 5 => MaxBody::Default,
            1 => MaxBody::Explicit(r.u32()),
            2 => MaxBody::BodyMinus(r.u8()),
            _ => MaxBody::Zero,
        }
    }
    pub fn encode(&self, w: &mut Writer) {
        match self {
            MaxBody::Default => w.tag(0),
            MaxBody::Explicit(v) => {
                w.tag(1);
                w.u32(*v)
            }
            MaxBody::BodyMinus(v) => {
                w.tag(2);
                w.u8(*v)
            }
            MaxBody::Zero => w.tag(3),
        }
    }
    pub fn value(&self, body_len: usize) -> Option<usize> {
        match self {
            MaxBody::Default => None,
            MaxBody::Explicit(v) => Some(*v as usize),
            MaxBody::BodyMinus(k) => Some(body_len.saturating_sub(usize::from(*k))),
            MaxBody::Zero => Some(0),
        }
    }
}

impl MaxAge {
    pub fn decode(r: &mut Reader) -> MaxAge {
        match r.tag(6) {
            0 | 5 => MaxAge::Unset,
            1 => MaxAge::Zero,
            2 => MaxAge::Week,
            3 => MaxAge::Max,
            _ => MaxAge::Explicit(r.u64()),
        }
    }
    pub fn encode(&self, w: &mut Writer) {
        match self {
            MaxAge::Unset => w.tag(0),
            MaxAge::Zero => w.tag(1),
            MaxAge::Week => w.tag(2),
            MaxAge::Max => w.tag(3),
            MaxAge::Explicit(v) => {
                w.tag(4);
                w.u64(*v)
            }
        }
    }
    pub fn value(&self) -> Option<u64> {
        match self {
            MaxAge::Unset => None,
            MaxAge::Zero => Some(0),
            MaxAge::Week => Some(7 * 24 * 3600),
            MaxAge::Max => Some(u64::MAX),
            MaxAge::Explicit(v) => Some(*v),
        }
    }
}

impl Body {
    pub fn decode(r: &mut Reader) -> Body {
        match r.tag(4) {
            0 => Body::Raw(r.rest()),
            1 => Body::Json(r.rest()),
            3 => Body::Event(EventBody::decode(r)),
            _ => {
                let open = r.short_bytes();
                let close = r.short_bytes();
                let depth = r.u16();
                Body::Nest {
                    open,
                    close,
                    depth,
                    core: r.rest(),
                }
            }
        }
    }
    pub fn encode(&self, w: &mut Writer) {
        match self {
            Body::Raw(b) => {
                w.tag(0);
                w.rest(b)
            }
            Body::Json(b) => {
                w.tag(1);
                w.rest(b)
            }
            Body::Nest {
                open,
                close,
                depth,
                core,
            } => {
                w.tag(2);
                w.short_bytes(open);
                w.short_bytes(close);
                w.u16(*depth);
                w.rest(core)
            }
            Body::Event(e) => {
                w.tag(3);
                e.encode(w)
            }
        }
    }
    /// The body bytes, at most about `cap` bytes for the nested shape; an event body for
    /// `target`'s in-body scheme (SignWell's when it has none), hashed under `secrets`.
    pub fn render(
        &self,
        cap: usize,
        target: Provider,
        secrets: &[String],
        now: i64,
    ) -> (Vec<u8>, Option<Rendered>) {
        match self {
            Body::Event(e) => {
                let scheme = inbody::scheme_of(target).unwrap_or(inbody::SIGNWELL);
                let provider = if inbody::scheme_of(target).is_some() {
                    target
                } else {
                    Provider::SignWell
                };
                let (body, at) =
                    inbody::render(e, &scheme, provider, secrets, FALLBACK_SECRET, now);
                (body, Some(at))
            }
            _ => (self.bytes(cap), None),
        }
    }

    /// The body bytes, at most about `cap` bytes for the nested shape (an event body
    /// under the fallback secret).
    pub fn bytes(&self, cap: usize) -> Vec<u8> {
        match self {
            Body::Event(_) => self.render(cap, Provider::SignWell, &[], BASE_NOW).0,
            Body::Raw(b) => b.clone(),
            Body::Json(b) => json::generate(b),
            Body::Nest {
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
        }
    }
}

impl Delivery {
    pub fn decode(r: &mut Reader) -> Delivery {
        let n = r.count(9);
        let headers = (0..n).map(|_| HeaderSpec::decode(r)).collect();
        let n = r.count(4);
        let secrets = (0..n).map(|_| r.short_string()).collect();
        let n = r.count(4);
        let client_ids = (0..n).map(|_| r.short_string()).collect();
        let now = Now::decode(r);
        let tolerance = Tolerance::decode(r);
        let max_body = MaxBody::decode(r);
        let max_age = MaxAge::decode(r);
        let flip_at = r.u16();
        let flip_xor = r.u8();
        let body = Body::decode(r);
        Delivery {
            headers,
            secrets,
            client_ids,
            now,
            tolerance,
            max_body,
            max_age,
            flip_at,
            flip_xor,
            body,
        }
    }
    pub fn encode(&self, w: &mut Writer) {
        w.count(self.headers.len());
        for h in &self.headers {
            h.encode(w);
        }
        w.count(self.secrets.len());
        for s in &self.secrets {
            w.short_string(s);
        }
        w.count(self.client_ids.len());
        for s in &self.client_ids {
            w.short_string(s);
        }
        self.now.encode(w);
        self.tolerance.encode(w);
        self.max_body.encode(w);
        self.max_age.encode(w);
        w.u16(self.flip_at);
        w.u8(self.flip_xor);
        self.body.encode(w);
    }
}
crate::arbitrary_via_decode!(Delivery);

// ---------------------------------------------------------------------------------------
// materialize: from the spec to real headers, with what the oracles need to know

/// What a correctly signed header value promises.
#[derive(Debug, Clone)]
pub struct Promise {
    /// The scheme it was signed under.
    pub provider: Provider,
    /// The secret string (or client id) it was made with.
    pub key: String,
    /// Whether the transform keeps it valid under the provider's documented grammar.
    pub accepted: bool,
    /// The `t` text signed (Zigned, DocuSeal, BoldSign, Box Sign, SignatureAPI).
    pub t: Option<String>,
    /// The `webhook-id` signed (SignatureAPI).
    pub id: Option<String>,
    /// The other headers written with it (Box Sign, SignatureAPI: `signed_set`).
    pub companions: Vec<(String, String)>,
}

/// One real header, and the promise when its value was signed.
#[derive(Debug, Clone)]
pub struct Header {
    pub name: String,
    pub value: String,
    pub promise: Option<Promise>,
}

pub fn apply_casing(name: &str, casing: &Casing) -> String {
    match casing {
        Casing::AsIs => name.to_owned(),
        Casing::Lower => name.to_ascii_lowercase(),
        Casing::Upper => name.to_ascii_uppercase(),
        Casing::Mixed(mask) => name
            .chars()
            .enumerate()
            .map(|(i, c)| {
                if mask >> (i % 32) & 1 == 1 {
                    if c.is_ascii_lowercase() {
                        c.to_ascii_uppercase()
                    } else {
                        c.to_ascii_lowercase()
                    }
                } else {
                    c
                }
            })
            .collect(),
    }
}

fn pick<'s>(list: &'s [String], i: u8, fallback: &'s str) -> &'s str {
    if list.is_empty() {
        fallback
    } else {
        &list[usize::from(i) % list.len()]
    }
}

fn space(flag: bool, tab: bool) -> &'static str {
    match (flag, tab) {
        (false, _) => "",
        (true, false) => " ",
        (true, true) => "\t",
    }
}

/// A `t=…,v1=…` list from parts.
pub fn render_parts(parts: &[Part], secrets: &[String], body: &[u8], now: i64) -> String {
    render_parts_with(ZIGNED_KEYS, parts, secrets, body, now)
}

/// Part keys 0..=4 for Zigned's `t=…,v1=…` (5 is a raw key).
pub const ZIGNED_KEYS: [&str; 5] = ["t", "v1", "v0", "T", "V1"];
/// Part keys 0..=4 for BoldSign's `t=…, s0=…, s1=…`.
pub const BOLDSIGN_KEYS: [&str; 5] = ["t", "s0", "s1", "S0", "s12"];

/// A `key=value` list from parts, keys 0..=4 from `keys`.
pub fn render_parts_with(
    keys: [&str; 5],
    parts: &[Part],
    secrets: &[String],
    body: &[u8],
    now: i64,
) -> String {
    let mut out = String::new();
    for (i, p) in parts.iter().enumerate() {
        let tab = p.spacing & 16 != 0;
        if i > 0 {
            out.push_str(if p.spacing & 64 != 0 { ", " } else { "," });
        }
        out.push_str(space(p.spacing & 1 != 0, tab));
        out.push_str(keys.get(usize::from(p.key)).copied().unwrap_or(&p.raw_key));
        if p.spacing & 32 == 0 {
            out.push_str(space(p.spacing & 2 != 0, tab));
            out.push('=');
            out.push_str(space(p.spacing & 4 != 0, tab));
        }
        let val = match &p.val {
            PartVal::Ts(ts) => ts.text(now),
            PartVal::Mac { key, ts, upper } => {
                let secret = pick(secrets, *key, FALLBACK_SECRET);
                let t = ts.text(now);
                let hex = hex_lower(&hmac_sha256(secret.as_bytes(), &[t.as_bytes(), b".", body]));
                if *upper {
                    hex.to_ascii_uppercase()
                } else {
                    hex
                }
            }
            PartVal::BodyMac { key } => {
                let secret = pick(secrets, *key, FALLBACK_SECRET);
                hex_lower(&hmac_sha256(secret.as_bytes(), &[body]))
            }
            PartVal::Hex(b) => hex_lower(b),
            PartVal::Raw(s) => s.clone(),
        };
        out.push_str(&val);
        out.push_str(space(p.spacing & 8 != 0, tab));
    }
    out
}

/// A value signed for `provider`, transformed by `how`; and whether the transform keeps it
/// valid (documented grammar: see each provider module's header comment).
fn signed_value(
    provider: Provider,
    how: u8,
    secret: &str,
    client: &str,
    t: &str,
    body: &[u8],
) -> (String, bool) {
    let key = secret.as_bytes();
    match provider {
        Provider::ZohoSign => {
            let mac = hmac_sha256(key, &[body]);
            let b64 = base64_padded(&mac);
            match how % 9 {
                0 => (b64, true),
                1 => (b64.trim_end_matches('=').to_owned(), true),
                2 => (format!(" \t{b64} "), true),
                3 => (hex_lower(&mac), false),
                4 => (b64.to_ascii_lowercase(), b64 == b64.to_ascii_lowercase()),
                5 => (b64[..b64.len() - 2].to_owned(), false),
                6 => (format!("{b64}A"), false),
                7 => {
                    let url = b64.replace('+', "-").replace('/', "_");
                    let same = url == b64;
                    (url, same)
                }
                _ => (format!("sha256={b64}"), false),
            }
        }
        Provider::Yousign => {
            let hex = hex_lower(&hmac_sha256(key, &[body]));
            match how % 10 {
                0 => (format!("sha256={hex}"), true),
                1 => (format!("sha256={}", hex.to_ascii_uppercase()), true),
                2 => (hex, true),
                3 => (format!("SHA256={hex}"), true),
                4 => (format!(" sha256 =\t{hex} "), true),
                5 => (
                    format!("sha256={}", base64_padded(&hmac_sha256(key, &[body]))),
                    false,
                ),
                6 => (format!("sha256={}", &hex[..62]), false),
                7 => (format!("sha512={hex}"), false),
                8 => {
                    let mixed: String = hex
                        .chars()
                        .enumerate()
                        .map(|(i, c)| {
                            if i % 3 == 0 {
                                c.to_ascii_uppercase()
                            } else {
                                c
                            }
                        })
                        .collect();
                    (format!("sHa256={mixed}"), true)
                }
                _ => (format!("sha256=0x{hex}"), false),
            }
        }
        Provider::Zigned => {
            let hex = hex_lower(&hmac_sha256(key, &[t.as_bytes(), b".", body]));
            // A well-formed v1 no key produces: the right MAC with one bit flipped.
            let mut flipped = hmac_sha256(key, &[t.as_bytes(), b".", body]);
            flipped[0] ^= 1;
            let wrong = hex_lower(&flipped);
            match how % 11 {
                0 => (format!("t={t},v1={hex}"), true),
                1 => (format!("t={t},v1={}", hex.to_ascii_uppercase()), true),
                2 => (format!("v1={hex},t={t}"), true),
                3 => (format!(" t = {t} ,\tv1= {hex} "), true),
                4 => (format!("t={t},v0=whatever,v1={hex}"), true),
                5 => (format!("t={t},v1={wrong},v1={hex}"), true),
                6 => (format!(",t={t},,v1={hex},"), true),
                7 => (
                    format!("t={t},v1={}", hex_lower(&hmac_sha256(key, &[body]))),
                    false,
                ),
                8 => (format!("t={t},v1={}", &hex[..63]), false),
                9 => (format!("t={t}0,v1={hex}"), false),
                _ => (format!("t={t};v1={hex}"), false),
            }
        }
        // The same proof: the base64 HMAC of the body (DocuSign's `X-DocuSign-Signature-1`,
        // Signable's `Signature`).
        Provider::DocuSign | Provider::Signable => {
            let mac = hmac_sha256(key, &[body]);
            let b64 = base64_padded(&mac);
            match how % 9 {
                0 => (b64, true),
                1 => (b64.trim_end_matches('=').to_owned(), true),
                2 => (format!(" \t{b64} "), true),
                3 => (hex_lower(&mac), false),
                4 => {
                    let url = b64.replace('+', "-").replace('/', "_");
                    let same = url == b64;
                    (url, same)
                }
                5 => (b64[..b64.len() - 4].to_owned(), false),
                6 => (format!("{b64}A"), false),
                7 => (format!("sha256={b64}"), false),
                // Two values in one header (a duplicated name is joined with ", ").
                _ => (format!("{b64}, {b64}"), false),
            }
        }
        Provider::DocuSeal => {
            let mac = hmac_sha256(key, &[t.as_bytes(), b".", body]);
            let hex = hex_lower(&mac);
            match how % 10 {
                0 => (format!("{t}.{hex}"), true),
                1 => (format!("{t}.{}", hex.to_ascii_uppercase()), true),
                2 => (format!(" {t}.{hex}\t"), true),
                3 => (format!("t={t},v1={hex}"), false),
                4 => (format!("{t}.{hex}."), false),
                5 => (hex, false),
                6 => (format!("{t} .{hex}"), false),
                7 => (format!("{t}.sha256={hex}"), false),
                8 => (
                    format!("{t}.{}", hex_lower(&hmac_sha256(key, &[body]))),
                    false,
                ),
                _ => (format!("{t}.{}", base64_padded(&mac)), false),
            }
        }
        Provider::BoldSign => {
            let mac = hmac_sha256(key, &[t.as_bytes(), b".", body]);
            let hex = hex_lower(&mac);
            let mut flipped = mac;
            flipped[0] ^= 1;
            let wrong = hex_lower(&flipped);
            match how % 16 {
                0 => (format!("t={t}, s0={hex}"), true),
                1 => (format!("t={t},s0={hex}"), true),
                2 => (format!("s0={hex}, t={t}"), true),
                3 => (format!("t={t}, s0={wrong}, s1={hex}"), true),
                4 => (format!(" t = {t} ,\ts0= {hex} ,"), true),
                5 => (format!("t={t}, s0={}", hex.to_ascii_uppercase()), true),
                6 => (format!("t={t}, s0={hex}, v=junk"), true),
                7 => (format!("t={t}, s0={hex}, t={t}"), false),
                8 => (format!("t={t}, v1={hex}"), false),
                9 => (format!("t={t}, s={hex}"), false),
                10 => (format!("t={t}, s0={}", &hex[..63]), false),
                11 => (format!("t={t}; s0={hex}"), false),
                12 => (format!("t={t}, s12={hex}"), true),
                13 => (format!("t={t}, S0={hex}"), false),
                14 => {
                    let mut v = format!("t={t}");
                    for _ in 0..8 {
                        v.push_str(&format!(", s0={wrong}"));
                    }
                    (format!("{v}, s1={hex}"), false)
                }
                _ => (format!("t={t}, s0=, s1={hex}"), false),
            }
        }
        Provider::Documenso => {
            // Compared as is after trimming SP/HTAB: a secret with outer OWS never matches.
            let plain = trim_ows(secret) == secret;
            match how % 6 {
                0 => (secret.to_owned(), plain),
                1 => (format!(" {secret}\t"), plain),
                2 => {
                    let up = secret.to_ascii_uppercase();
                    let same = up == secret && plain;
                    (up, same)
                }
                3 => (format!("{secret}x"), false),
                4 => (format!("Bearer {secret}"), false),
                _ => (secret.chars().skip(1).collect(), false),
            }
        }
        Provider::OneSpanSign => {
            let plain = trim_ows(secret) == secret;
            match how % 8 {
                0 => (format!("Basic {secret}"), plain),
                1 => (format!("basic  {secret}"), plain),
                2 => (format!(" BASIC\t{secret} "), plain),
                3 => (format!("Bearer {secret}"), false),
                4 => (secret.to_owned(), false),
                5 => (format!("Basic {}", base64_padded(secret.as_bytes())), false),
                6 => (format!("Basic {secret}x"), false),
                _ => (format!("Basic:{secret}"), false),
            }
        }
        Provider::AcrobatSign => match how % 5 {
            0 => (client.to_owned(), true),
            1 => (format!(" {client}\t"), true),
            2 => {
                let up = client.to_ascii_uppercase();
                let same = up == client;
                (up, same)
            }
            3 => (format!("{client}x"), false),
            _ => (client.chars().skip(1).collect(), client.is_empty()),
        },
        // A proof in the body (SignWell) or a provider these inputs do not know yet: the
        // header value is the key, which proves nothing.
        _ => (secret.to_owned(), false),
    }
}

/// Box Sign's `BOX-DELIVERY-TIMESTAMP` for `ts`: RFC 3339 of the seconds (or, for
/// `Ts::NowMillis`, milliseconds) it says, in UTC with `Z` (`form` 0), at offset `-07:00`
/// (1, as Box's SDK vectors) or `+05:30` (2), or with lowercase `t` and `z` (3); its digits
/// as they are when the instant cannot be written (years beyond 0000–9999); `Ts::Text` as is.
pub fn box_time(ts: &Ts, now: i64, form: u8) -> String {
    let ms = match ts {
        Ts::Text(s) => return s.clone(),
        Ts::NowDelta(d) => now.saturating_add(i64::from(*d)).checked_mul(1000),
        Ts::NowMillis(d) => now
            .checked_mul(1000)
            .and_then(|ms| ms.checked_add(i64::from(*d))),
        Ts::Explicit(v) => v.checked_mul(1000),
    };
    let offset_minutes: i64 = match form % 4 {
        1 => -7 * 60,
        2 => 5 * 60 + 30,
        _ => 0,
    };
    let text = ms
        .and_then(|ms| ms.checked_add(offset_minutes * 60_000))
        .and_then(format_millis)
        .map(|utc| {
            let local = utc.trim_end_matches('Z');
            match form % 4 {
                1 => format!("{local}-07:00"),
                2 => format!("{local}+05:30"),
                3 => format!("{}z", local.replace('T', "t")),
                _ => utc,
            }
        });
    text.unwrap_or_else(|| ts.text(now))
}

/// A signed value and what comes with it.
pub struct SignedSet {
    /// The value of the header it is written to.
    pub value: String,
    /// The other headers the scheme reads (Box Sign, SignatureAPI), in the order written.
    pub companions: Vec<(String, String)>,
    /// Whether the transform keeps the whole set valid under the documented scheme.
    pub accepted: bool,
    /// The `webhook-id` signed (SignatureAPI).
    pub id: Option<String>,
}

/// A tag in base64, and the tag with one bit flipped (a well-formed wrong signature).
fn base64_right_and_wrong(mac: [u8; 32]) -> (String, String) {
    let mut flipped = mac;
    flipped[0] ^= 1;
    (base64_padded(&mac), base64_padded(&flipped))
}

/// The headers written beside a signed value, in order: those given a value.
fn present<const N: usize>(headers: [(&str, Option<String>); N]) -> Vec<(String, String)> {
    headers
        .into_iter()
        .filter_map(|(name, value)| Some((name.to_owned(), value?)))
        .collect()
}

/// A value signed for `provider` with the headers its scheme needs beside it, transformed
/// by `how`: Box Sign's (`t` is `BOX-DELIVERY-TIMESTAMP`'s text, MACed after the body) and
/// SignatureAPI's (`<webhook-id>.<t>.<body>` under the `whsec_` key decoded); every other
/// provider's is `signed_value`'s one header.
pub fn signed_set(
    provider: Provider,
    how: u8,
    secret: &str,
    client: &str,
    t: &str,
    body: &[u8],
) -> SignedSet {
    let key = secret.as_bytes();
    // The sender writes its values without surrounding whitespace (HTTP strips it).
    let plain = trim_ows(t) == t;
    match provider {
        Provider::BoxSign => {
            let mac = hmac_sha256(key, &[body, t.as_bytes()]);
            let (tag, wrong) = base64_right_and_wrong(mac);
            // As Box sends them: both tags, the timestamp, version 1 and HmacSHA256.
            let mut secondary = Some(tag.clone());
            let mut timestamp = Some(t.to_owned());
            let mut version = "1".to_owned();
            let mut algorithm = "HmacSHA256".to_owned();
            let (value, accepted) = match how % 16 {
                0 => (tag.clone(), true),
                1 => {
                    secondary = None;
                    (tag.clone(), true)
                }
                // Either header may match (the keys rotate one at a time).
                2 => (wrong.clone(), true),
                3 => {
                    secondary = None;
                    (tag.trim_end_matches('=').to_owned(), true)
                }
                4 => (format!(" {tag}\t"), true),
                5 => {
                    version = "2".to_owned();
                    (tag.clone(), false)
                }
                6 => {
                    algorithm = "HmacSHA1".to_owned();
                    (tag.clone(), false)
                }
                7 => {
                    algorithm = "hmacsha256".to_owned();
                    (tag.clone(), false)
                }
                8 => {
                    timestamp = None;
                    (tag.clone(), false)
                }
                9 => {
                    secondary = None;
                    (base64_padded(&hmac_sha256(key, &[body])), false)
                }
                10 => {
                    secondary = None;
                    (
                        base64_padded(&hmac_sha256(key, &[t.as_bytes(), body])),
                        false,
                    )
                }
                11 => {
                    secondary = Some("not base64!".to_owned());
                    (tag.clone(), false)
                }
                12 => {
                    secondary = None;
                    (hex_lower(&mac), false)
                }
                13 => {
                    version = " 1\t".to_owned();
                    algorithm = "\tHmacSHA256 ".to_owned();
                    (tag.clone(), true)
                }
                14 => {
                    secondary = Some(wrong.clone());
                    (wrong.clone(), false)
                }
                _ => {
                    secondary = None;
                    let url = tag.replace('+', "-").replace('/', "_");
                    let same = url == tag;
                    (url, same)
                }
            };
            SignedSet {
                value,
                companions: present([
                    (BOX_TIMESTAMP, timestamp),
                    (BOX_VERSION, Some(version)),
                    (BOX_ALGORITHM, Some(algorithm)),
                    (BOX_SECONDARY, secondary),
                ]),
                accepted: accepted && plain,
                id: None,
            }
        }
        Provider::SignatureApi => {
            const IDS: [&str; 4] = [
                "msg_p5jXN8AQM9LWM0D4loKWxJek",
                "msg_2",
                "evt.with.dots",
                "msg_\u{fc}",
            ];
            let id = IDS[usize::from(how / 16) % IDS.len()];
            let message: [&[u8]; 5] = [id.as_bytes(), b".", t.as_bytes(), b".", body];
            let mac = hmac_sha256(&standard_webhooks_key(secret), &message);
            let (b64, wrong) = base64_right_and_wrong(mac);
            let mut id_header = Some(id.to_owned());
            let mut t_header = Some(t.to_owned());
            let (value, accepted) = match how % 16 {
                0 => (format!("v1,{b64}"), true),
                // Rotation: any v1 entry may match.
                1 => (format!("v1,{wrong} v1,{b64}"), true),
                // Other versions are ignored.
                2 => (format!("v2,{wrong} v1a,x v1,{b64}"), true),
                3 => (format!("v1,{}", b64.trim_end_matches('=')), true),
                4 => (format!("  v1,{wrong}  v1,{b64} "), true),
                5 => {
                    id_header = None;
                    (format!("v1,{b64}"), false)
                }
                6 => {
                    t_header = None;
                    (format!("v1,{b64}"), false)
                }
                7 => (format!("v1={b64}"), false),
                8 => (format!("v1,{}", hex_lower(&mac)), false),
                9 => (format!("V1,{b64}"), false),
                // Keyed with the secret's text: valid only when that is the key.
                10 => {
                    let as_text = hmac_sha256(key, &message);
                    (format!("v1,{}", base64_padded(&as_text)), as_text == mac)
                }
                // Eight v1 entries are tried, a ninth is malformed.
                11 => (
                    format!("{}v1,{b64}", format!("v1,{wrong} ").repeat(7)),
                    true,
                ),
                12 => (
                    format!("{}v1,{b64}", format!("v1,{wrong} ").repeat(8)),
                    false,
                ),
                13 => (format!("v1,{wrong}\tv1,{b64}"), false),
                14 => {
                    id_header = Some(format!(" {id}\t"));
                    (format!("v1,{b64}"), true)
                }
                _ => (format!("v1,{b64} junk"), false),
            };
            SignedSet {
                value,
                companions: present([(SWH_ID, id_header), (SWH_TIMESTAMP, t_header)]),
                accepted: accepted && plain,
                id: Some(id.to_owned()),
            }
        }
        _ => {
            let (value, accepted) = signed_value(provider, how, secret, client, t, body);
            SignedSet {
                value,
                companions: Vec::new(),
                accepted,
                id: None,
            }
        }
    }
}

/// The concrete request: headers, body, and the promises made by signed values.
pub struct Materialized {
    pub headers: Vec<Header>,
    pub body: Vec<u8>,
    pub now: i64,
    /// Where the parts of an event body are (`Body::Event`).
    pub rendered: Option<Rendered>,
}

/// The provider a signed value is made for: even `scheme`, the target; odd, one of all.
pub fn scheme_provider(scheme: u8, target: Provider) -> Provider {
    if scheme.is_multiple_of(2) {
        target
    } else {
        Provider::ALL[usize::from(scheme / 2) % Provider::ALL.len()]
    }
}

impl Delivery {
    pub fn materialize(&self, target: Provider, body_cap: usize) -> Materialized {
        let now = self.now.value();
        let (body, rendered) = self.body.render(body_cap, target, &self.secrets, now);
        let mut headers = Vec::new();
        for h in &self.headers {
            let base = match &h.name {
                Name::Proof(i) => Provider::ALL[usize::from(*i) % Provider::ALL.len()]
                    .proof_header()
                    .to_owned(),
                Name::Numbered(n) => format!("X-DocuSign-Signature-{n}"),
                Name::Digest(_) => "x-authorization-digest".to_owned(),
                Name::Own => target.proof_header().to_owned(),
                Name::NearMiss(i) => NEAR_MISS[usize::from(*i) % NEAR_MISS.len()].to_owned(),
                Name::ContentType => "Content-Type".to_owned(),
                Name::Raw(s) => s.clone(),
            };
            let name = apply_casing(&base, &h.casing);
            let (value, promise) = match (&h.name, &h.value) {
                (Name::Digest(i), Value::Raw(_)) => {
                    (DIGESTS[usize::from(*i) % DIGESTS.len()].to_owned(), None)
                }
                (_, Value::Raw(s)) => (s.clone(), None),
                (_, Value::Parts(parts)) => (render_parts(parts, &self.secrets, &body, now), None),
                (_, Value::Signed(s)) => {
                    let provider = scheme_provider(s.scheme, target);
                    let secret = pick(&self.secrets, s.key, FALLBACK_SECRET);
                    let client = pick(&self.client_ids, s.key, FALLBACK_CLIENT);
                    // Box Sign's timestamp is RFC 3339, the others' Unix digits.
                    let t = if provider == Provider::BoxSign {
                        box_time(&s.ts, now, s.how / 16)
                    } else {
                        s.ts.text(now)
                    };
                    let set = signed_set(provider, s.how, secret, client, &t, &body);
                    // The headers written beside it, in the value's casing.
                    let companions: Vec<(String, String)> = set
                        .companions
                        .into_iter()
                        .map(|(n, v)| (apply_casing(&n, &h.casing), v))
                        .collect();
                    headers.extend(companions.iter().map(|(n, v)| Header {
                        name: n.clone(),
                        value: v.clone(),
                        promise: None,
                    }));
                    let (key, fallback) = if provider.takes_client_ids() {
                        (client, self.client_ids.is_empty())
                    } else {
                        (secret, self.secrets.is_empty())
                    };
                    let promise = (!fallback).then(|| Promise {
                        provider,
                        key: key.to_owned(),
                        accepted: set.accepted,
                        t: provider.signs_timestamp().then_some(t),
                        id: set.id,
                        companions,
                    });
                    (set.value, promise)
                }
            };
            headers.push(Header {
                name,
                value,
                promise,
            });
        }
        Materialized {
            headers,
            body,
            now,
            rendered,
        }
    }
}
