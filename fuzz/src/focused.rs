//! Focused input shapes for the hand-written parsers, each checked against a reference
//! (differential): the Zigned `t=…,v1=…` grammar, the Yousign `sha256=` header, base64 and
//! hex tag decoding (Zoho Sign, Yousign), RFC 3339 on the normalize path, BoldSign's
//! `t=…, s0=…` grammar and DocuSeal's `<ts>.<hex>` header.
//!
//! The parsers are private, so they are reached through `verify` / `normalize` with one
//! header and fixed bodies and secrets; the reference predicts the exact error code.

use signhook::{normalize_unverified, verify, Headers, Provider};

use crate::checks::{assert_mac_present, check_event, setup, signed_seconds};
use crate::codec::{Reader, Writer};
use crate::input::{
    decode_parts, encode_parts, render_parts, render_parts_with, Now, Part, Tolerance, Ts,
    BOLDSIGN_KEYS,
};
use crate::oracle::{
    base64_decode_lenient, base64_padded, format_millis, has_other_whitespace, hex_decode,
    hex_lower, hmac_sha256, rfc3339_millis, trim_ows, within,
};

/// Fixed bodies (fixture-like, empty, odd).
pub const BODIES: &[&[u8]] = &[
    br#"{"event":"agreement.lifecycle.finalized","data":{"id":"cm0testagreement000000000","test_mode":true}}"#,
    br#"{"event_id":"e-1","event_name":"signer.done","event_time":"1700000000","data":{"signature_request":{"id":"sr-1","status":"ongoing"}}}"#,
    b"",
    b"{}",
    b"not json\n",
];

/// Fixed secret sets: one, rotation, none, HMAC-equivalent keys ("k" and "k\0").
pub fn secret_set(sel: u8) -> Vec<String> {
    match sel % 4 {
        0 => vec!["zigned_test_secret".into()],
        1 => vec!["old-secret".into(), "zigned_test_secret".into()],
        2 => vec![],
        _ => vec!["k\0".into(), "k".into()],
    }
}

fn single(name: &str, value: &str) -> Headers {
    [(name, value)].into_iter().collect()
}

/// The outcome a reference predicts: the matched key index, or an error code.
type Outcome = Result<usize, &'static str>;

fn compare(
    what: &str,
    value: &str,
    expected: Outcome,
    got: &Result<signhook::Verified<'_>, signhook::Error>,
) {
    let got_o: Outcome = match got {
        Ok(v) => Ok(v.verification().key),
        Err(e) => Err(e.code()),
    };
    assert_eq!(got_o, expected, "{what}: header {value:?}");
}

fn first_key(secrets: &[String], message: &[&[u8]], tags: &[Vec<u8>]) -> Option<usize> {
    secrets.iter().position(|s| {
        tags.iter()
            .any(|t| t[..] == hmac_sha256(s.as_bytes(), message))
    })
}

// ---------------------------------------------------------------------------------------
// Zigned header grammar

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HeaderText {
    Parts(Vec<Part>),
    Raw(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ZignedHeaderInput {
    pub secrets: u8,
    pub body: u8,
    pub now: Now,
    pub tolerance: Tolerance,
    pub value: HeaderText,
}

impl ZignedHeaderInput {
    pub fn decode(r: &mut Reader) -> Self {
        let secrets = r.u8();
        let body = r.u8();
        let now = Now::decode(r);
        let tolerance = Tolerance::decode(r);
        let value = if r.u8().is_multiple_of(4) {
            HeaderText::Raw(String::from_utf8_lossy(&r.rest()).into_owned())
        } else {
            HeaderText::Parts(decode_parts(r))
        };
        ZignedHeaderInput {
            secrets,
            body,
            now,
            tolerance,
            value,
        }
    }
    pub fn encode(&self, w: &mut Writer) {
        w.u8(self.secrets);
        w.u8(self.body);
        self.now.encode(w);
        self.tolerance.encode(w);
        match &self.value {
            HeaderText::Raw(s) => {
                w.u8(0);
                w.rest(s.as_bytes())
            }
            HeaderText::Parts(p) => {
                w.u8(1);
                encode_parts(p, w)
            }
        }
    }
}
crate::arbitrary_via_decode!(ZignedHeaderInput);

/// The grammar of `src/providers/grammar.rs`' comment with Zigned's keys: `v1` tags,
/// `t` in seconds or milliseconds.
pub fn zigned_reference(
    value: &str,
    secrets: &[String],
    body: &[u8],
    now: i64,
    tol: u64,
) -> Outcome {
    pairs_reference(
        Provider::Zigned,
        |k| k == "v1",
        value,
        secrets,
        body,
        now,
        tol,
    )
}

pub fn check_zigned_header(input: &ZignedHeaderInput) {
    let secrets = secret_set(input.secrets);
    let body = BODIES[usize::from(input.body) % BODIES.len()];
    let now = input.now.value();
    let value = match &input.value {
        HeaderText::Raw(s) => s.clone(),
        HeaderText::Parts(p) => render_parts(p, &secrets, body, now),
    };
    let s = setup(&secrets, &[], input.tolerance.value(), None, None);
    let headers = single("x-zigned-request-signature", &value);
    let got = verify(Provider::Zigned, &headers, body, &s.config, now);
    if let Ok(v) = &got {
        assert_mac_present(
            Provider::Zigned,
            &secrets[v.verification().key],
            &[&value],
            body,
            v.signed_at(),
        );
        let _ = v.normalize();
    }
    if !has_other_whitespace(&value) {
        let expected = zigned_reference(&value, &secrets, body, now, s.config.tolerance_seconds);
        compare("zigned", &value, expected, &got);
    }
}

// ---------------------------------------------------------------------------------------
// Yousign `sha256=` header

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TagSource {
    /// The right MAC: 0 lower, 1 upper, 2 mixed case.
    Correct(u8),
    /// The MAC under a key that is not configured.
    Other,
    Bytes(Vec<u8>),
    Raw(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct YousignHeaderInput {
    pub secrets: u8,
    pub body: u8,
    /// Index into `ALGOS` (modulo).
    pub algo: u8,
    /// Index into `SEPS` (modulo).
    pub sep: u8,
    /// Bit flags: 1 SP before, 2 HTAB before, 4 SP after, 8 HTAB after, 16 junk suffix.
    pub pad: u8,
    pub tag: TagSource,
}

const ALGOS: &[&str] = &[
    "sha256",
    "SHA256",
    "Sha256",
    "sha512",
    "sha-256",
    "",
    "sha256 ",
    " sha256",
    "hmac-sha256",
    "sha2566",
];
const SEPS: &[&str] = &["=", "", "==", ":", " = ", "=\t", "= ="];

impl TagSource {
    fn decode(r: &mut Reader) -> Self {
        match r.tag(5) {
            0 | 4 => TagSource::Correct(r.u8() % 3),
            1 => TagSource::Other,
            2 => TagSource::Bytes(r.short_bytes()),
            _ => TagSource::Raw(r.short_string()),
        }
    }
    fn encode(&self, w: &mut Writer) {
        match self {
            TagSource::Correct(c) => {
                w.tag(0);
                w.u8(*c)
            }
            TagSource::Other => w.tag(1),
            TagSource::Bytes(b) => {
                w.tag(2);
                w.short_bytes(b)
            }
            TagSource::Raw(s) => {
                w.tag(3);
                w.short_string(s)
            }
        }
    }
    /// The hex text, or the raw text.
    fn hex(&self, key: &str, body: &[u8]) -> String {
        match self {
            TagSource::Correct(case) => {
                let h = hex_lower(&hmac_sha256(key.as_bytes(), &[body]));
                match case {
                    0 => h,
                    1 => h.to_ascii_uppercase(),
                    _ => h
                        .chars()
                        .enumerate()
                        .map(|(i, c)| {
                            if i % 2 == 1 {
                                c.to_ascii_uppercase()
                            } else {
                                c
                            }
                        })
                        .collect(),
                }
            }
            TagSource::Other => hex_lower(&hmac_sha256(b"unconfigured", &[body])),
            TagSource::Bytes(b) => hex_lower(b),
            TagSource::Raw(s) => s.clone(),
        }
    }
}

impl YousignHeaderInput {
    pub fn decode(r: &mut Reader) -> Self {
        YousignHeaderInput {
            secrets: r.u8(),
            body: r.u8(),
            algo: r.u8(),
            sep: r.u8(),
            pad: r.u8(),
            tag: TagSource::decode(r),
        }
    }
    pub fn encode(&self, w: &mut Writer) {
        w.u8(self.secrets);
        w.u8(self.body);
        w.u8(self.algo);
        w.u8(self.sep);
        w.u8(self.pad);
        self.tag.encode(w);
    }
}
crate::arbitrary_via_decode!(YousignHeaderInput);

/// `src/providers/yousign.rs`: `sha256=<hex>` (algorithm name in any case, spaces around
/// either side) or bare hex; another algorithm name is malformed; 32 bytes of hex.
pub fn yousign_reference(value: &str, secrets: &[String], body: &[u8]) -> Outcome {
    if secrets.is_empty() {
        return Err("no_secret_configured");
    }
    let v = trim_ows(value);
    if v.is_empty() {
        return Err("missing_signature");
    }
    let hex = match v.split_once('=') {
        Some((algo, hex)) if trim_ows(algo).eq_ignore_ascii_case("sha256") => trim_ows(hex),
        Some(_) => return Err("malformed_signature"),
        None => v,
    };
    let tag = match hex_decode(hex) {
        Some(t) if t.len() == 32 => t,
        _ => return Err("malformed_signature"),
    };
    first_key(secrets, &[body], &[tag]).ok_or("signature_mismatch")
}

pub fn check_yousign_header(input: &YousignHeaderInput) {
    let secrets = secret_set(input.secrets);
    let body = BODIES[usize::from(input.body) % BODIES.len()];
    let key = secrets.first().map_or("zigned_test_secret", String::as_str);
    let key = if input.secrets % 4 == 1 {
        secrets[1].as_str()
    } else {
        key
    };
    let mut value = String::new();
    if input.pad & 1 != 0 {
        value.push(' ');
    }
    if input.pad & 2 != 0 {
        value.push('\t');
    }
    value.push_str(ALGOS[usize::from(input.algo) % ALGOS.len()]);
    value.push_str(SEPS[usize::from(input.sep) % SEPS.len()]);
    value.push_str(&input.tag.hex(key, body));
    if input.pad & 4 != 0 {
        value.push(' ');
    }
    if input.pad & 8 != 0 {
        value.push('\t');
    }
    if input.pad & 16 != 0 {
        value.push_str("00");
    }
    let s = setup(&secrets, &[], None, None, None);
    let headers = single("X-Yousign-Signature-256", &value);
    let got = verify(Provider::Yousign, &headers, body, &s.config, 0);
    if let Ok(v) = &got {
        assert_mac_present(
            Provider::Yousign,
            &secrets[v.verification().key],
            &[&value],
            body,
            None,
        );
    }
    if !has_other_whitespace(&value) {
        compare(
            "yousign",
            &value,
            yousign_reference(&value, &secrets, body),
            &got,
        );
    }
}

// ---------------------------------------------------------------------------------------
// base64 (Zoho Sign) and hex (Yousign, bare) tag decoding

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TagInput {
    /// Even: Zoho Sign (base64); odd: Yousign (bare hex).
    pub which: u8,
    pub secrets: u8,
    pub body: u8,
    /// 0 padded base64, 1 unpadded, 2 URL-safe, 3 lower hex, 4 upper hex, 5 raw.
    pub encoding: u8,
    /// 0 replace, 1 insert, 2 delete, 3 none.
    pub op: u8,
    pub pos: u8,
    pub byte: u8,
    pub source: TagSource,
}

impl TagInput {
    pub fn decode(r: &mut Reader) -> Self {
        TagInput {
            which: r.u8(),
            secrets: r.u8(),
            body: r.u8(),
            encoding: r.u8(),
            op: r.u8(),
            pos: r.u8(),
            byte: r.u8(),
            source: TagSource::decode(r),
        }
    }
    pub fn encode(&self, w: &mut Writer) {
        for b in [
            self.which,
            self.secrets,
            self.body,
            self.encoding,
            self.op,
            self.pos,
            self.byte,
        ] {
            w.u8(b);
        }
        self.source.encode(w);
    }
}
crate::arbitrary_via_decode!(TagInput);

pub fn check_tag(input: &TagInput) {
    let zoho = input.which.is_multiple_of(2);
    let secrets = secret_set(input.secrets);
    let body = BODIES[usize::from(input.body) % BODIES.len()];
    let key = secrets.last().map_or("zigned_test_secret", String::as_str);
    let bytes: Option<Vec<u8>> = match &input.source {
        TagSource::Correct(_) => Some(hmac_sha256(key.as_bytes(), &[body]).to_vec()),
        TagSource::Other => Some(hmac_sha256(b"unconfigured", &[body]).to_vec()),
        TagSource::Bytes(b) => Some(b.clone()),
        TagSource::Raw(_) => None,
    };
    let mut text = match (&bytes, input.encoding % 6) {
        (Some(b), 0) => base64_padded(b),
        (Some(b), 1) => base64_padded(b).trim_end_matches('=').to_owned(),
        (Some(b), 2) => base64_padded(b).replace('+', "-").replace('/', "_"),
        (Some(b), 3) => hex_lower(b),
        (Some(b), 4) => hex_lower(b).to_ascii_uppercase(),
        (_, _) => match &input.source {
            TagSource::Raw(s) => s.clone(),
            _ => base64_padded(bytes.as_deref().unwrap_or_default()),
        },
    };
    // One edit at a character boundary.
    let chars: Vec<char> = text.chars().collect();
    let at = if chars.is_empty() {
        0
    } else {
        usize::from(input.pos) % (chars.len() + 1)
    };
    let c = char::from(input.byte);
    let mut edited: Vec<char> = chars.clone();
    match input.op % 4 {
        0 if at < edited.len() => edited[at] = c,
        1 => edited.insert(at, c),
        2 if at < edited.len() => {
            edited.remove(at);
        }
        _ => {}
    }
    text = edited.into_iter().collect();

    let s = setup(&secrets, &[], None, None, None);
    let (provider, name) = if zoho {
        (Provider::ZohoSign, "X-ZS-WEBHOOK-SIGNATURE")
    } else {
        (Provider::Yousign, "X-Yousign-Signature-256")
    };
    let got = verify(provider, &single(name, &text), body, &s.config, 0);
    if let Ok(v) = &got {
        assert_mac_present(
            provider,
            &secrets[v.verification().key],
            &[&text],
            body,
            None,
        );
    }
    if has_other_whitespace(&text) {
        return;
    }
    let expected = if zoho {
        if secrets.is_empty() {
            Err("no_secret_configured")
        } else if trim_ows(&text).is_empty() {
            Err("missing_signature")
        } else {
            match base64_decode_lenient(trim_ows(&text)) {
                Some(tag) if tag.len() == 32 => {
                    first_key(&secrets, &[body], &[tag]).ok_or("signature_mismatch")
                }
                _ => Err("malformed_signature"),
            }
        }
    } else {
        yousign_reference(&text, &secrets, body)
    };
    compare(
        if zoho {
            "zoho-sign base64"
        } else {
            "yousign hex"
        },
        &text,
        expected,
        &got,
    );
}

// ---------------------------------------------------------------------------------------
// RFC 3339 on the normalize path (Acrobat Sign `eventDate`, Zigned `updated_at`/`created_at`)

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stamp {
    pub year: u16,
    pub month: u8,
    pub day: u8,
    /// Index into `SEPARATORS`.
    pub sep: u8,
    pub hour: u8,
    pub minute: u8,
    pub second: u8,
    /// Fraction digits (each byte modulo 10); `dot` adds the `.` even when empty.
    pub frac: Vec<u8>,
    pub dot: bool,
    /// 0 `Z`, 1 `z`, 2 `+hh:mm`, 3 `-hh:mm`, 4 `+hhmm`, 5 `-hhmm`, 6 none, 7 `+hh`.
    pub offset: u8,
    pub off_h: u8,
    pub off_m: u8,
    /// Index into `SPACES` for before and after.
    pub lead: u8,
    pub trail: u8,
}

const SEPARATORS: &[&str] = &["T", "t", " ", "_", "TT"];
const SPACES: &[&str] = &["", "", "", " ", "\t", "\n", "\u{a0}", "\u{3000}"];

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StampText {
    Stamp(Stamp),
    Raw(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rfc3339Input {
    /// 0 Acrobat Sign (verified, `eventDate`), 1 Zigned `updated_at`, 2 Zigned `created_at`.
    pub path: u8,
    pub text: StampText,
}

impl Stamp {
    fn decode(r: &mut Reader) -> Stamp {
        Stamp {
            year: r.u16(),
            month: r.u8(),
            day: r.u8(),
            sep: r.u8(),
            hour: r.u8(),
            minute: r.u8(),
            second: r.u8(),
            offset: r.u8(),
            off_h: r.u8(),
            off_m: r.u8(),
            lead: r.u8(),
            trail: r.u8(),
            dot: r.u8() & 1 == 1,
            frac: r.short_bytes(),
        }
    }
    fn encode(&self, w: &mut Writer) {
        w.u16(self.year);
        for b in [
            self.month,
            self.day,
            self.sep,
            self.hour,
            self.minute,
            self.second,
            self.offset,
            self.off_h,
            self.off_m,
            self.lead,
            self.trail,
        ] {
            w.u8(b);
        }
        w.u8(u8::from(self.dot));
        w.short_bytes(&self.frac);
    }
    pub fn render(&self) -> String {
        let mut s = String::new();
        s.push_str(SPACES[usize::from(self.lead) % SPACES.len()]);
        s.push_str(&format!(
            "{:04}-{:02}-{:02}{}{:02}:{:02}:{:02}",
            self.year % 10000,
            self.month % 100,
            self.day % 100,
            SEPARATORS[usize::from(self.sep) % SEPARATORS.len()],
            self.hour % 100,
            self.minute % 100,
            self.second % 100
        ));
        if self.dot || !self.frac.is_empty() {
            s.push('.');
            for d in &self.frac {
                s.push(char::from(b'0' + d % 10));
            }
        }
        let (h, m) = (self.off_h % 100, self.off_m % 100);
        match self.offset % 8 {
            0 => s.push('Z'),
            1 => s.push('z'),
            2 => s.push_str(&format!("+{h:02}:{m:02}")),
            3 => s.push_str(&format!("-{h:02}:{m:02}")),
            4 => s.push_str(&format!("+{h:02}{m:02}")),
            5 => s.push_str(&format!("-{h:02}{m:02}")),
            6 => {}
            _ => s.push_str(&format!("+{h:02}")),
        }
        s.push_str(SPACES[usize::from(self.trail) % SPACES.len()]);
        s
    }
}

impl Rfc3339Input {
    pub fn decode(r: &mut Reader) -> Self {
        let path = r.u8();
        let text = if r.u8().is_multiple_of(4) {
            StampText::Raw(String::from_utf8_lossy(&r.rest()).into_owned())
        } else {
            StampText::Stamp(Stamp::decode(r))
        };
        Rfc3339Input { path, text }
    }
    pub fn encode(&self, w: &mut Writer) {
        w.u8(self.path);
        match &self.text {
            StampText::Raw(s) => {
                w.u8(0);
                w.rest(s.as_bytes())
            }
            StampText::Stamp(st) => {
                w.u8(1);
                st.encode(w)
            }
        }
    }
}
crate::arbitrary_via_decode!(Rfc3339Input);

pub fn check_rfc3339(input: &Rfc3339Input) {
    let text = match &input.text {
        StampText::Stamp(s) => s.render(),
        StampText::Raw(s) => s.clone(),
    };
    let quoted = serde_json::to_string(&text).expect("a string serializes");
    let (provider, body) = match input.path % 3 {
        0 => (
            Provider::AcrobatSign,
            format!(r#"{{"event":"AGREEMENT_CREATED","eventDate":{quoted}}}"#),
        ),
        1 => (
            Provider::Zigned,
            format!(
                r#"{{"event":"agreement.draft.created","data":{{"id":"a","updated_at":{quoted}}}}}"#
            ),
        ),
        _ => (
            Provider::Zigned,
            format!(
                r#"{{"event":"participant.draft.created","data":{{"created_at":{quoted},"agreement":"a"}}}}"#
            ),
        ),
    };
    let event = if provider == Provider::AcrobatSign {
        let s = setup(&[], &["client".to_owned()], None, None, None);
        let verified = verify(
            provider,
            &single("X-AdobeSign-ClientId", "client"),
            body.as_bytes(),
            &s.config,
            0,
        )
        .expect("an allowed client id verifies");
        verified.normalize()
    } else {
        normalize_unverified(provider, body.as_bytes())
    }
    .expect("a JSON object normalizes");
    check_event(provider, &event, body.as_bytes());
    let expected = rfc3339_millis(&text).and_then(format_millis);
    assert_eq!(event.time, expected, "time of {text:?}");
}

// ---------------------------------------------------------------------------------------
// BoldSign `t=…, s0=…[, s1=…]` header grammar (the Zigned input shape, BoldSign's keys)

/// The same shape as [`ZignedHeaderInput`]; part keys 0..=4 are `t`, `s0`, `s1`, `S0`,
/// `s12` ([`BOLDSIGN_KEYS`]).
pub type BoldSignHeaderInput = ZignedHeaderInput;

/// The grammar of `src/providers/grammar.rs`' comment with BoldSign's keys (`s<digits>`,
/// `t` in seconds), as BoldSign's SDKs read it.
pub fn boldsign_reference(
    value: &str,
    secrets: &[String],
    body: &[u8],
    now: i64,
    tol: u64,
) -> Outcome {
    let is_tag =
        |k: &str| k.len() > 1 && k.starts_with('s') && k[1..].bytes().all(|b| b.is_ascii_digit());
    pairs_reference(Provider::BoldSign, is_tag, value, secrets, body, now, tol)
}

/// The signature-header grammar, written again from its comment: comma-separated
/// `key=value` pairs, SP/HTAB-trimmed, empty ones skipped; one `t` (a second is
/// malformed), digits only (at most 18) in the provider's unit; every tag 64 hex digits
/// (at most 8 of them); other keys ignored. The MAC (any tag, first secret) is checked
/// before the window.
fn pairs_reference(
    provider: Provider,
    is_tag: impl Fn(&str) -> bool,
    value: &str,
    secrets: &[String],
    body: &[u8],
    now: i64,
    tol: u64,
) -> Outcome {
    if secrets.is_empty() {
        return Err("no_secret_configured");
    }
    let v = trim_ows(value);
    if v.is_empty() {
        return Err("missing_signature");
    }
    let mut t = None;
    let mut tags = Vec::new();
    for pair in v.split(',') {
        let pair = trim_ows(pair);
        if pair.is_empty() {
            continue;
        }
        let (k, val) = pair.split_once('=').ok_or("malformed_signature")?;
        let (k, val) = (trim_ows(k), trim_ows(val));
        if k == "t" {
            if t.replace(val).is_some() {
                return Err("malformed_signature");
            }
        } else if is_tag(k) {
            if tags.len() == 8 {
                return Err("malformed_signature");
            }
            match hex_decode(val) {
                Some(tag) if tag.len() == 32 => tags.push(tag),
                _ => return Err("malformed_signature"),
            }
        }
    }
    let t = t.ok_or("malformed_signature")?;
    if tags.is_empty() {
        return Err("malformed_signature");
    }
    let n = signed_seconds(provider, t).ok_or("malformed_signature")?;
    let key = first_key(secrets, &[t.as_bytes(), b".", body], &tags).ok_or("signature_mismatch")?;
    if !within(n, now, tol) {
        return Err("timestamp_out_of_tolerance");
    }
    Ok(key)
}

pub fn check_boldsign_header(input: &BoldSignHeaderInput) {
    let secrets = secret_set(input.secrets);
    let body = BODIES[usize::from(input.body) % BODIES.len()];
    let now = input.now.value();
    let value = match &input.value {
        HeaderText::Raw(s) => s.clone(),
        HeaderText::Parts(p) => render_parts_with(BOLDSIGN_KEYS, p, &secrets, body, now),
    };
    let s = setup(&secrets, &[], input.tolerance.value(), None, None);
    let headers = single("X-BoldSign-Signature", &value);
    let got = verify(Provider::BoldSign, &headers, body, &s.config, now);
    if let Ok(v) = &got {
        assert_mac_present(
            Provider::BoldSign,
            &secrets[v.verification().key],
            &[&value],
            body,
            v.signed_at(),
        );
        let _ = v.normalize();
    }
    if !has_other_whitespace(&value) {
        let expected = boldsign_reference(&value, &secrets, body, now, s.config.tolerance_seconds);
        compare("boldsign", &value, expected, &got);
    }
}

// ---------------------------------------------------------------------------------------
// DocuSeal `<ts>.<hex>` header

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DocuSealValue {
    Raw(String),
    Built {
        t: Ts,
        /// Index into `DOCUSEAL_SEPS` (modulo).
        sep: u8,
        /// Bit flags: 1 SP before, 2 HTAB before, 4 SP after, 8 HTAB after, 16 junk suffix.
        pad: u8,
        tag: TagSource,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocuSealHeaderInput {
    pub secrets: u8,
    pub body: u8,
    pub now: Now,
    pub tolerance: Tolerance,
    pub value: DocuSealValue,
}

const DOCUSEAL_SEPS: &[&str] = &[".", "", "..", ",", " .", ". ", ":", ".\t"];

impl DocuSealHeaderInput {
    pub fn decode(r: &mut Reader) -> Self {
        let secrets = r.u8();
        let body = r.u8();
        let now = Now::decode(r);
        let tolerance = Tolerance::decode(r);
        let value = if r.u8().is_multiple_of(4) {
            DocuSealValue::Raw(String::from_utf8_lossy(&r.rest()).into_owned())
        } else {
            let t = Ts::decode(r);
            let sep = r.u8();
            let pad = r.u8();
            DocuSealValue::Built {
                t,
                sep,
                pad,
                tag: TagSource::decode(r),
            }
        };
        DocuSealHeaderInput {
            secrets,
            body,
            now,
            tolerance,
            value,
        }
    }
    pub fn encode(&self, w: &mut Writer) {
        w.u8(self.secrets);
        w.u8(self.body);
        self.now.encode(w);
        self.tolerance.encode(w);
        match &self.value {
            DocuSealValue::Raw(s) => {
                w.u8(0);
                w.rest(s.as_bytes())
            }
            DocuSealValue::Built { t, sep, pad, tag } => {
                w.u8(1);
                t.encode(w);
                w.u8(*sep);
                w.u8(*pad);
                tag.encode(w)
            }
        }
    }
}
crate::arbitrary_via_decode!(DocuSealHeaderInput);

/// `src/providers/docuseal.rs`: `<t>.<hex>` split on the first `.`, SP/HTAB-trimmed as a
/// whole; `t` Unix seconds as digits only (at most 18); 64 hex digits of
/// HMAC(secret, `<t>.<body>`); the MAC before the window.
pub fn docuseal_reference(
    value: &str,
    secrets: &[String],
    body: &[u8],
    now: i64,
    tol: u64,
) -> Outcome {
    if secrets.is_empty() {
        return Err("no_secret_configured");
    }
    let v = trim_ows(value);
    if v.is_empty() {
        return Err("missing_signature");
    }
    let (t, hex) = v.split_once('.').ok_or("malformed_signature")?;
    let n = signed_seconds(Provider::DocuSeal, t).ok_or("malformed_signature")?;
    let tag = match hex_decode(hex) {
        Some(tag) if tag.len() == 32 => tag,
        _ => return Err("malformed_signature"),
    };
    let key =
        first_key(secrets, &[t.as_bytes(), b".", body], &[tag]).ok_or("signature_mismatch")?;
    if !within(n, now, tol) {
        return Err("timestamp_out_of_tolerance");
    }
    Ok(key)
}

pub fn check_docuseal_header(input: &DocuSealHeaderInput) {
    let secrets = secret_set(input.secrets);
    let body = BODIES[usize::from(input.body) % BODIES.len()];
    let now = input.now.value();
    let value = match &input.value {
        DocuSealValue::Raw(s) => s.clone(),
        DocuSealValue::Built { t, sep, pad, tag } => {
            let t = t.text(now);
            let key = match input.secrets % 4 {
                1 => secrets[1].as_str(),
                _ => secrets.first().map_or("zigned_test_secret", String::as_str),
            };
            let mac = |k: &[u8]| hmac_sha256(k, &[t.as_bytes(), b".", body]);
            let hex = match tag {
                TagSource::Correct(0) => hex_lower(&mac(key.as_bytes())),
                TagSource::Correct(1) => hex_lower(&mac(key.as_bytes())).to_ascii_uppercase(),
                TagSource::Correct(_) => base64_padded(&mac(key.as_bytes())),
                TagSource::Other => hex_lower(&mac(b"unconfigured")),
                TagSource::Bytes(b) => hex_lower(b),
                TagSource::Raw(s) => s.clone(),
            };
            let mut v = String::new();
            if pad & 1 != 0 {
                v.push(' ');
            }
            if pad & 2 != 0 {
                v.push('\t');
            }
            v.push_str(&t);
            v.push_str(DOCUSEAL_SEPS[usize::from(*sep) % DOCUSEAL_SEPS.len()]);
            v.push_str(&hex);
            if pad & 4 != 0 {
                v.push(' ');
            }
            if pad & 8 != 0 {
                v.push('\t');
            }
            if pad & 16 != 0 {
                v.push_str("00");
            }
            v
        }
    };
    let s = setup(&secrets, &[], input.tolerance.value(), None, None);
    let headers = single("X-Docuseal-Signature", &value);
    let got = verify(Provider::DocuSeal, &headers, body, &s.config, now);
    if let Ok(v) = &got {
        assert_mac_present(
            Provider::DocuSeal,
            &secrets[v.verification().key],
            &[&value],
            body,
            v.signed_at(),
        );
        let _ = v.normalize();
    }
    if !has_other_whitespace(&value) {
        let expected = docuseal_reference(&value, &secrets, body, now, s.config.tolerance_seconds);
        compare("docuseal", &value, expected, &got);
    }
}
