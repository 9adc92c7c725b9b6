//! Why a delivery does or does not verify: the validator page's (and the CLI's) diagnosis.
//!
//! [`diagnose`] runs the real [`verify`] first and reports its verdict unchanged; nothing
//! here relaxes it. When the proof fails it tests the usual causes as hypotheses, each by
//! computing the MAC with the crate's own HMAC: the signature sent in another header, in hex
//! where base64 is expected (or the reverse), with a `sha256=` prefix, a body whose trailing
//! newline, line endings or JSON whitespace changed on the way, a secret with surrounding
//! whitespace, a `whsec_` prefix or decoded from base64, a Zigned signature over the body
//! alone, another provider's scheme. A [`Finding`] is reported only when the computed MAC
//! reproduces the presented signature under that hypothesis; the few findings that are plain
//! facts about the request (a missing header, a timestamp outside the window) say so.
//!
//! This path is for offline inspection by a person (the page, the CLI). It compares
//! computed tags with `==`, builds `serde_json` values and tries many variants; the Worker's
//! hot path never calls it.

use std::borrow::Cow;

use serde::de::IgnoredAny;
use serde::Serialize;

use crate::error::{Error, ErrorKind};
use crate::event::{Covers, Event, EventType};
use crate::headers::Headers;
use crate::providers::{
    normalize_unverified_all, verify, Enc, MacScheme, Provider, Signed, Verified, VerifyConfig,
};
use crate::secret::Secret;
use crate::time::format_unix_millis;
use crate::verify::{base64_decode, hex_decode, Tagger, TAG_LEN};

/// Bodies larger than this are verified but not searched for variants: every variant costs
/// one HMAC pass per secret form.
const MAX_SEARCH_BYTES: usize = 1 << 20;

/// Above this, a Zigned `t` is milliseconds (as the verifier reads it).
use crate::providers::grammar::{self, Unit, MILLIS_THRESHOLD};
/// Bodies above this size are not re-laid out as JSON (the other variants still apply).
const MAX_REFORMAT_BYTES: usize = 64 * 1024;
/// Nor are bodies nested deeper than this (real webhook payloads nest a few levels).
const MAX_REFORMAT_DEPTH: usize = 64;
/// At most this many distinct Zigned-style stamps are tried.
const MAX_STAMPS: usize = 4;

/// The outcome, in one word.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// The proof checked out under [`verify`].
    Verified,
    /// [`verify`] refused the delivery; `code` says why.
    NotVerified,
    /// Nothing to check against: no secret or client id given, or no provider known.
    Unverifiable,
}

impl Verdict {
    /// `verified`, `not_verified` or `unverifiable`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Verdict::Verified => "verified",
            Verdict::NotVerified => "not_verified",
            Verdict::Unverifiable => "unverifiable",
        }
    }
}

/// One explanation, with a stable snake_case `code` and a message for people.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// Stable code, e.g. `body_trailing_newline`, `signature_hex_not_base64`.
    pub code: &'static str,
    /// What was found, and what to do about it.
    pub message: String,
}

impl Finding {
    fn new(code: &'static str, message: impl Into<String>) -> Finding {
        Finding {
            code,
            message: message.into(),
        }
    }
}

/// The provider event name and the type it maps to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Mapping {
    /// The provider's own event name, when the payload names one.
    pub provider_event: Option<String>,
    /// The normalized type.
    #[serde(rename = "type")]
    pub event_type: EventType,
    /// Whether the name is in the provider's mapping table (else it is `esign.other`).
    pub known: bool,
}

/// What [`diagnose`] found. Serializes to the JSON the validator page shows.
#[derive(Debug, Clone, Serialize)]
pub struct Diagnosis {
    /// The provider checked against: the one given, else the one detected.
    pub provider: Option<Provider>,
    /// The provider detected from the headers, whatever was given.
    pub detected: Option<Provider>,
    /// The verdict of [`verify`] (or `unverifiable`).
    pub verdict: Verdict,
    /// The [`ErrorKind`] code when not verified, else `null`.
    pub code: Option<&'static str>,
    /// The verdict in words.
    pub message: String,
    /// Explanations, most useful first.
    pub findings: Vec<Finding>,
    /// `true` only when `event` comes from a verified delivery.
    pub event_verified: bool,
    /// The normalized event: verified, or else the UNVERIFIED normalization of the body
    /// when it parses (`event_verified: false`, `data.verification: null`).
    pub event: Option<Event>,
    /// For a provider whose deliveries hold several events (PandaDoc), all of them, in order
    /// (`event` is the first); empty (and not serialized) otherwise.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub events: Vec<Event>,
    /// Provider event → type, when there is an event.
    pub mapping: Option<Mapping>,
}

impl Diagnosis {
    /// The diagnosis as indented JSON.
    pub fn to_json_pretty(&self) -> String {
        // Strings, booleans and already-valid raw JSON only: this cannot fail.
        serde_json::to_string_pretty(self).unwrap_or_default()
    }

    /// Whether a finding with `code` was reported.
    pub fn has(&self, code: &str) -> bool {
        self.findings.iter().any(|f| f.code == code)
    }
}

/// The provider whose proof header is present (names compare case-insensitively), else the
/// one a near-miss header name points at (`X-Zoho-Signature`, `X_ZS_WEBHOOK_SIGNATURE`,
/// `x-zigned-signature`, `X-Yousign-Signature`, `X-Adobe-Sign-Client-Id`, …).
///
/// `Authorization` (OneSpan Sign's) counts only with the `Basic` scheme: a bearer token
/// there says nothing about the sender.
pub fn detect_provider(headers: &Headers) -> Option<Provider> {
    Provider::ALL
        .into_iter()
        .find(|p| match headers.get(p.proof_header()) {
            Some(value) if p.proof_header().eq_ignore_ascii_case("authorization") => {
                let value = crate::headers::trim_ows(value);
                value
                    .split([' ', '\t'])
                    .next()
                    .is_some_and(|scheme| scheme.eq_ignore_ascii_case("basic"))
            }
            Some(_) => true,
            None => false,
        })
        .or_else(|| headers.iter().find_map(|(name, _)| hinted_provider(name)))
}

/// Verifies with [`verify`] and explains the outcome. `provider: None` uses the detected
/// one. `now` is Unix seconds. Never panics.
pub fn diagnose(
    provider: Option<Provider>,
    headers: &Headers,
    body: &[u8],
    config: &VerifyConfig,
    now: i64,
) -> Diagnosis {
    let detected = detect_provider(headers);
    let Some(chosen) = provider.or(detected) else {
        return undetermined(headers, body, config, detected);
    };
    let mut diagnosis = match verify(chosen, headers, body, config, now) {
        Ok(verified) => verified_diagnosis(&verified, headers, config),
        Err(err) => failed_diagnosis(chosen, &err, headers, body, config, now),
    };
    diagnosis.detected = detected;
    diagnosis
}

/// DocuSign's `X-DocuSign-Signature-<n>` whose tag is the body's under the matched secret
/// (base64, or hex), when the provider numbers its proof headers.
fn matched_numbered_header(
    verified: &Verified<'_>,
    headers: &Headers,
    config: &VerifyConfig,
) -> Option<String> {
    if verified.provider() != Provider::DocuSign {
        return None;
    }
    let secret = config.secrets.get(verified.verification().key)?;
    let tag = crate::verify::hmac_sha256(secret, &[verified.body()]);
    let stem = Provider::DocuSign.proof_header().strip_suffix("1")?;
    (1..=100).map(|n| format!("{stem}{n}")).find(|name| {
        headers.get(name).is_some_and(|value| {
            let value = crate::headers::trim_ows(value);
            base64_decode(value).as_deref() == Some(&tag[..])
                || hex_decode(value).as_deref() == Some(&tag[..])
        })
    })
}

fn verified_diagnosis(
    verified: &Verified<'_>,
    headers: &Headers,
    config: &VerifyConfig,
) -> Diagnosis {
    let provider = verified.provider();
    let verification = verified.verification();
    let key = verification.key + 1;
    let header = provider.proof_header();
    let mut findings = Vec::new();
    let message = match verification.covers {
        Covers::ClientId => {
            findings.push(Finding::new(
                "client_id_only",
                "Acrobat Sign proves the sender only by its client id, which is public (it is in \
                 every OAuth link): the body is not signed, and anyone who knows the id can send \
                 this. The signhook Worker also requires a secret URL token \
                 (/hooks/acrobat-sign/<token>); even then, treat the content as a hint and fetch \
                 the agreement from the Acrobat Sign API before acting on it. Answer with the \
                 client id echoed back.",
            ));
            format!(
                "{header} {:?} is allowed client id #{key}",
                verified.client_id().unwrap_or_default()
            )
        }
        Covers::TimestampAndBody => {
            let at = verified
                .signed_at()
                .and_then(|s| s.checked_mul(1000))
                .and_then(format_unix_millis)
                .unwrap_or_default();
            format!("{header} matches \"<t>.<body>\" under secret #{key}, signed at {at}, within the {} s tolerance", config.tolerance_seconds)
        }
        Covers::Body => {
            // DocuSign sends one numbered header per active key: name the one that matched.
            let header = matched_numbered_header(verified, headers, config)
                .map_or(Cow::Borrowed(header), Cow::Owned);
            format!("{header} matches the body under secret #{key}")
        }
        // A bearer secret sent as is (Documenso, OneSpan Sign); the Worker also sets it
        // after Acrobat Sign's URL token.
        Covers::SharedSecret => {
            findings.push(Finding::new(
                "shared_secret_only",
                format!(
                    "{} sends a shared secret, not a signature: the body has no integrity \
                     protection and no timestamp, so whoever holds the secret (or captured one \
                     delivery) can send any content. Treat the content as a hint and fetch the \
                     resource from the {} API before acting on it.",
                    title(provider),
                    title(provider)
                ),
            ));
            format!("{header} holds configured secret #{key}")
        }
        // SignWell, Dropbox Sign: an HMAC of the event's type and time, in the body.
        Covers::EventMetadata => {
            findings.push(Finding::new(
                "event_metadata_only",
                format!(
                    "{} signs only the event's type and time ({header} in the body), not the \
                     payload: whoever captured one delivery can send its proof with any other \
                     content. Treat the content as a hint and fetch the document from the {} \
                     API before acting on it.",
                    title(provider),
                    title(provider)
                ),
            ));
            format!("{header} matches the event's type and time under key #{key}")
        }
    };
    if config.secrets.len() + config.client_ids.len() > 1 && headers.contains(header) {
        // Rotation is normal; say which entry matched so the old one can be retired.
        findings.push(Finding::new(
            "matched_key",
            format!(
                "entry #{key} of the {} given matched",
                count_keys(provider, config)
            ),
        ));
    }
    let mut too_old = None;
    let mut events = Vec::new();
    let (event, body_finding) = match verified.normalize_all() {
        Ok(all) => {
            let first = all.first().cloned();
            if provider.is_batch() {
                events = all;
            }
            (first, None)
        }
        // The delivery is refused as `verify` + `normalize` would refuse it, although the
        // proof checks out: a replay bound, a clock bound, the events' count.
        Err(err)
            if matches!(
                err.kind(),
                ErrorKind::EventTooOld | ErrorKind::EventTooNew | ErrorKind::TooManyEvents
            ) =>
        {
            too_old = Some(err.code());
            let advice = match err.kind() {
                ErrorKind::EventTooOld => "A captured delivery replayed later fails by design: send a fresh one, or raise the maximum age only for testing.",
                ErrorKind::EventTooNew => "The event's own time is ahead of this clock by more than the allowed skew: check the clock (or `now`) of whoever signed it; a future time would mark every later event of its envelope stale.",
                _ => "The delivery holds more events than one delivery may: the edge refuses it rather than build them all.",
            };
            (
                None,
                Some(Finding::new(
                    err.code(),
                    format!("the proof checks out, but {}. {advice}", err.message()),
                )),
            )
        }
        Err(err) => (
            None,
            Some(Finding::new(
                "body_not_json",
                format!(
                    "the proof checks out, but no event can be made: {}",
                    err.message()
                ),
            )),
        ),
    };
    findings.extend(body_finding);
    let mapping = event.as_ref().map(|e| mapping_of(provider, e));
    Diagnosis {
        provider: Some(provider),
        detected: None,
        // A replay bound refuses the delivery as `verify` + `normalize` would.
        verdict: if too_old.is_some() {
            Verdict::NotVerified
        } else {
            Verdict::Verified
        },
        code: too_old,
        message,
        findings,
        event_verified: true,
        event,
        events,
        mapping,
    }
}

/// The provider's name for people.
fn title(provider: Provider) -> &'static str {
    provider.title()
}

fn count_keys(provider: Provider, config: &VerifyConfig) -> usize {
    if provider.takes_client_ids() {
        config.client_ids.len()
    } else {
        config.secrets.len()
    }
}

fn mapping_of(provider: Provider, event: &Event) -> Mapping {
    let known = event
        .providerevent
        .as_deref()
        .is_some_and(|name| provider.event_types().iter().any(|(n, _)| *n == name));
    Mapping {
        provider_event: event.providerevent.clone(),
        event_type: event.event_type,
        known,
    }
}

fn failed_diagnosis(
    provider: Provider,
    err: &Error,
    headers: &Headers,
    body: &[u8],
    config: &VerifyConfig,
    now: i64,
) -> Diagnosis {
    let verdict = match err.kind() {
        ErrorKind::NoSecretConfigured => Verdict::Unverifiable,
        _ => Verdict::NotVerified,
    };
    let mut findings = Vec::new();
    if err.kind() == ErrorKind::PayloadTooLarge {
        findings.push(Finding::new(
            "body_too_large",
            format!(
                "the body has {} bytes, over the {}-byte limit",
                body.len(),
                config.max_body_bytes
            ),
        ));
    } else {
        match mac_scheme(provider) {
            Some(scheme) => {
                mac_findings(provider, scheme, headers, body, config, now, &mut findings)
            }
            None => client_id_findings(provider, err.kind(), headers, config, &mut findings),
        }
    }
    let all = normalize_unverified_all(provider, body).unwrap_or_default();
    let event = all.first().cloned();
    let events = if provider.is_batch() { all } else { Vec::new() };
    let mapping = event.as_ref().map(|e| mapping_of(provider, e));
    let message = match verdict {
        Verdict::Unverifiable if provider.takes_client_ids() => format!(
            "no client id given: enter the allowed {} client id(s) to check the delivery against",
            title(provider)
        ),
        Verdict::Unverifiable => format!(
            "no secret given: enter the {} webhook secret to check the signature",
            title(provider)
        ),
        _ => err.message().to_owned(),
    };
    Diagnosis {
        provider: Some(provider),
        detected: None,
        verdict,
        code: Some(err.code()),
        message,
        findings,
        event_verified: false,
        event,
        events,
        mapping,
    }
}

/// No provider given and none detected.
fn undetermined(
    headers: &Headers,
    body: &[u8],
    config: &VerifyConfig,
    detected: Option<Provider>,
) -> Diagnosis {
    let names: Vec<&str> = Provider::ALL.iter().map(|p| p.proof_header()).collect();
    let mut findings = vec![Finding::new(
        "no_provider_header",
        format!(
            "none of the providers' proof headers ({}) is in the request, nor a header resembling one",
            names.join(", ")
        ),
    )];
    // With a secret, try every provider's scheme on every signature-like header value.
    let sources = signature_sources(headers);
    if !config.secrets.is_empty() && !sources.is_empty() && body.len() <= MAX_SEARCH_BYTES {
        let hits = search(
            &sources,
            &key_variants(&config.secrets),
            &body_variants(body),
        );
        let best = Provider::ALL
            .into_iter()
            .filter_map(|p| Some((p, mac_scheme(p)?)))
            .flat_map(|(p, scheme)| hits.iter().map(move |hit| (p, explain(hit, p, scheme, p))))
            .min_by_key(|(_, f)| f.len());
        if let Some((p, mut explained)) = best {
            let first = explained
                .first()
                .map(|f| f.message.clone())
                .unwrap_or_default();
            explained.retain(|f| f.code != "header_misnamed");
            findings.push(Finding::new(
                "signature_matches_provider",
                format!(
                    "{first} This looks like a {} delivery: choose {}.",
                    title(p),
                    title(p)
                ),
            ));
            findings.extend(explained);
        }
    }
    Diagnosis {
        provider: None,
        detected,
        verdict: Verdict::Unverifiable,
        code: Some(ErrorKind::UnknownProvider.code()),
        message: "no provider could be determined from the headers: choose one".to_owned(),
        findings,
        event_verified: false,
        event: None,
        events: Vec::new(),
        mapping: None,
    }
}

// ---------------------------------------------------------------------------------------
// Header names

/// Lowercase ASCII letters and digits of a header name: `X_ZS_Webhook-Signature` and
/// `x-zs-webhook-signature` squash alike.
fn squash(name: &str) -> String {
    name.chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

/// The provider a header name points at, if any (its registry `name_hints`).
fn hinted_provider(name: &str) -> Option<Provider> {
    let n = squash(name);
    Provider::ALL
        .into_iter()
        .find(|p| p.spec().name_hints.iter().any(|hint| n.contains(hint)))
}

/// Whether a header name looks like it could carry a proof.
fn looks_like_proof_header(name: &str) -> bool {
    let n = squash(name);
    ["signature", "sig", "hmac", "clientid", "digest", "token"]
        .iter()
        .any(|w| n.contains(w))
        || hinted_provider(name).is_some()
}

/// The provider whose proof header `name` is, exactly (case-insensitively).
fn owner_of(name: &str) -> Option<Provider> {
    Provider::ALL
        .into_iter()
        .find(|p| p.proof_header().eq_ignore_ascii_case(name))
}

// ---------------------------------------------------------------------------------------
// MAC schemes and presented signatures

fn mac_scheme(provider: Provider) -> Option<MacScheme> {
    provider.spec().mac
}

/// One signature as presented in a header, decoded leniently.
#[derive(Debug, Clone)]
struct Presented {
    tag: Vec<u8>,
    enc: Enc,
    prefixed: bool,
    /// The `t` of a `t=…,v1=…` header, as sent.
    t: Option<String>,
}

fn decode_any(text: &str) -> Option<(Vec<u8>, Enc)> {
    let text = text.trim();
    if let Some(tag) = hex_decode(text).filter(|t| t.len() == TAG_LEN) {
        return Some((tag, Enc::Hex));
    }
    base64_decode(text)
        .filter(|t| t.len() == TAG_LEN)
        .map(|tag| (tag, Enc::Base64))
}

fn strip_prefix_ci<'v>(value: &'v str, prefix: &str) -> Option<&'v str> {
    let head = value.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix)
        .then(|| value.get(prefix.len()..))
        .flatten()
}

/// Every HMAC-SHA256-sized tag in a header value: a bare tag (hex or base64, optionally
/// after `sha256=`), or the tags of `t=<ts>,v1=<tag>,…` pairs.
fn parse_presented(value: &str) -> Vec<Presented> {
    let value = value.trim();
    // The pairs grammar's own tokenizer (`providers::grammar`), read leniently: every part
    // with a tag-sized value is a candidate, whatever its key.
    let pairs: Vec<(&str, &str)> = grammar::parts(value).filter_map(Result::ok).collect();
    if let Some((_, t)) = pairs.iter().find(|(k, _)| *k == "t") {
        return pairs
            .iter()
            .filter(|(k, _)| *k != "t")
            .filter_map(|(_, v)| {
                let (v, prefixed) = match strip_prefix_ci(v, "sha256=") {
                    Some(rest) => (rest, true),
                    None => (*v, false),
                };
                let (tag, enc) = decode_any(v)?;
                Some(Presented {
                    tag,
                    enc,
                    prefixed,
                    t: Some((*t).to_owned()),
                })
            })
            .collect();
    }
    // DocuSeal's `<unix seconds>.<hex>`: the stamp, then the tag.
    if let Some((t, tag)) = value.split_once('.') {
        if !t.is_empty() && t.len() <= 18 && t.bytes().all(|b| b.is_ascii_digit()) {
            if let Some((tag, enc)) = decode_any(tag) {
                return vec![Presented {
                    tag,
                    enc,
                    prefixed: false,
                    t: Some(t.to_owned()),
                }];
            }
        }
    }
    let (bare, prefixed) = match strip_prefix_ci(value, "sha256=") {
        Some(rest) => (rest, true),
        None => (value, false),
    };
    decode_any(bare)
        .map(|(tag, enc)| Presented {
            tag,
            enc,
            prefixed,
            t: None,
        })
        .into_iter()
        .collect()
}

/// A header whose value holds at least one signature-sized tag.
struct Source {
    header: String,
    presented: Vec<Presented>,
}

fn signature_sources(headers: &Headers) -> Vec<Source> {
    // The providers' proof headers first, then other names in arrival order.
    let mut sources: Vec<Source> = headers
        .iter()
        .filter_map(|(name, value)| {
            let presented = parse_presented(value);
            (!presented.is_empty()).then(|| Source {
                header: name.to_owned(),
                presented,
            })
        })
        .collect();
    sources.sort_by_key(|s| owner_of(&s.header).is_none());
    sources
}

// ---------------------------------------------------------------------------------------
// Secret and body variants

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum KeyKind {
    AsIs,
    Trimmed,
    WhsecStripped,
    WhsecDecoded,
    Base64Decoded,
    HexDecoded,
}

struct KeyVariant {
    /// 1-based, as people count the secrets they entered.
    number: usize,
    kind: KeyKind,
    key: Secret,
}

fn key_variants(secrets: &[Secret]) -> Vec<KeyVariant> {
    let mut out = Vec::new();
    for (i, secret) in secrets.iter().enumerate() {
        let raw = secret.expose();
        let mut seen: Vec<Vec<u8>> = Vec::new();
        let mut push = |kind: KeyKind, bytes: &[u8]| {
            if seen.iter().any(|s| s == bytes) {
                return;
            }
            if let Ok(key) = Secret::from_bytes(bytes) {
                seen.push(bytes.to_vec());
                out.push(KeyVariant {
                    number: i + 1,
                    kind,
                    key,
                });
            }
        };
        push(KeyKind::AsIs, raw);
        let trimmed = raw.trim_ascii();
        push(KeyKind::Trimmed, trimmed);
        let text = std::str::from_utf8(trimmed).unwrap_or_default();
        if let Some(rest) = strip_prefix_ci(text, "whsec_") {
            push(KeyKind::WhsecStripped, rest.as_bytes());
            if let Some(decoded) = base64_decode(rest) {
                push(KeyKind::WhsecDecoded, &decoded);
            }
        } else if text.len() >= 16 {
            if let Some(decoded) = hex_decode(text) {
                push(KeyKind::HexDecoded, &decoded);
            } else if let Some(decoded) = base64_decode(text) {
                push(KeyKind::Base64Decoded, &decoded);
            }
        }
    }
    out
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum BodyKind {
    Raw,
    NewlineRemoved,
    Trimmed,
    NewlineAdded,
    CrlfToLf,
    LfToCrlf,
    Compact,
    Indent2,
    Indent4,
    Python,
    Php,
}

fn body_variants<'a>(body: &'a [u8]) -> Vec<(BodyKind, Cow<'a, [u8]>)> {
    let mut out: Vec<(BodyKind, Cow<'a, [u8]>)> = vec![(BodyKind::Raw, Cow::Borrowed(body))];
    let mut add = |kind: BodyKind, bytes: Cow<'a, [u8]>| {
        if !out.iter().any(|(_, b)| *b == bytes) {
            out.push((kind, bytes));
        }
    };
    if let Some(rest) = body
        .strip_suffix(b"\r\n")
        .or_else(|| body.strip_suffix(b"\n"))
    {
        add(BodyKind::NewlineRemoved, Cow::Borrowed(rest));
    }
    add(BodyKind::Trimmed, Cow::Borrowed(body.trim_ascii()));
    let mut with_newline = body.to_vec();
    with_newline.push(b'\n');
    add(BodyKind::NewlineAdded, Cow::Owned(with_newline));
    if body.windows(2).any(|w| w == b"\r\n") {
        add(BodyKind::CrlfToLf, Cow::Owned(crlf_to_lf(body)));
    }
    if body.contains(&b'\n') {
        add(BodyKind::LfToCrlf, Cow::Owned(lf_to_crlf(body)));
    }
    // Re-layouts only for bodies small and shallow enough: an indented layout writes
    // width × depth spaces per line, so deep nesting would cost quadratic time and memory.
    if body.len() <= MAX_REFORMAT_BYTES
        && nesting_depth(body) <= MAX_REFORMAT_DEPTH
        && serde_json::from_slice::<IgnoredAny>(body).is_ok()
    {
        if let Ok(text) = std::str::from_utf8(body) {
            for (kind, style) in [
                (BodyKind::Compact, Style::Compact),
                (BodyKind::Indent2, Style::Indent(2)),
                (BodyKind::Indent4, Style::Indent(4)),
                (BodyKind::Python, Style::Python),
                (BodyKind::Php, Style::Php),
            ] {
                add(kind, Cow::Owned(reformat(text, style).into_bytes()));
            }
        }
    }
    out
}

/// The deepest nesting of `[`/`{` outside strings (stops counting past the cap).
fn nesting_depth(body: &[u8]) -> usize {
    let (mut depth, mut max, mut in_string, mut escaped) = (0usize, 0usize, false, false);
    for &b in body {
        if in_string {
            match (escaped, b) {
                (true, _) => escaped = false,
                (false, b'\\') => escaped = true,
                (false, b'"') => in_string = false,
                _ => {}
            }
            continue;
        }
        match b {
            b'"' => in_string = true,
            b'[' | b'{' => {
                depth += 1;
                max = max.max(depth);
                if max > MAX_REFORMAT_DEPTH {
                    return max;
                }
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    max
}

fn crlf_to_lf(body: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(body.len());
    let mut bytes = body.iter().peekable();
    while let Some(&b) = bytes.next() {
        if b == b'\r' && bytes.peek() == Some(&&b'\n') {
            continue;
        }
        out.push(b);
    }
    out
}

fn lf_to_crlf(body: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(body.len() + body.len() / 16);
    let mut previous = 0u8;
    for &b in body {
        if b == b'\n' && previous != b'\r' {
            out.push(b'\r');
        }
        out.push(b);
        previous = b;
    }
    out
}

/// How a JSON serializer lays out its output.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Style {
    /// No whitespace (JSON.stringify, serde_json::to_string).
    Compact,
    /// One member per line, this many spaces per level (JSON.stringify(v, null, n),
    /// serde_json::to_string_pretty for 2, Python json.dumps(indent=4)).
    Indent(usize),
    /// Python's json.dumps defaults: `", "` and `": "`, non-ASCII as `\uXXXX`.
    Python,
    /// PHP's json_encode defaults: compact, non-ASCII as `\uXXXX`, `/` as `\/`.
    Php,
}

/// Re-lays out valid JSON `text` in `style`, keeping key order, number and string text
/// exactly (only whitespace between tokens, and escapes in the Python and PHP styles, change).
fn reformat(text: &str, style: Style) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 4);
    let chars: Vec<char> = text.chars().collect();
    let mut depth = 0usize;
    let mut i = 0usize;
    let newline = |out: &mut String, depth: usize| {
        if let Style::Indent(width) = style {
            out.push('\n');
            out.extend(std::iter::repeat_n(' ', width * depth));
        }
    };
    while let Some(&c) = chars.get(i) {
        i += 1;
        match c {
            '"' => {
                out.push('"');
                while let Some(&s) = chars.get(i) {
                    i += 1;
                    match s {
                        '\\' => {
                            out.push('\\');
                            if let Some(&escaped) = chars.get(i) {
                                out.push(escaped);
                                i += 1;
                            }
                        }
                        '"' => {
                            out.push('"');
                            break;
                        }
                        '/' if style == Style::Php => out.push_str("\\/"),
                        _ if !s.is_ascii() && matches!(style, Style::Python | Style::Php) => {
                            let mut units = [0u16; 2];
                            for unit in s.encode_utf16(&mut units) {
                                out.push_str(&format!("\\u{unit:04x}"));
                            }
                        }
                        _ => out.push(s),
                    }
                }
            }
            ' ' | '\t' | '\n' | '\r' => {}
            '{' | '[' => {
                out.push(c);
                let close = if c == '{' { '}' } else { ']' };
                let mut j = i;
                while chars
                    .get(j)
                    .is_some_and(|w| matches!(w, ' ' | '\t' | '\n' | '\r'))
                {
                    j += 1;
                }
                if chars.get(j) == Some(&close) {
                    out.push(close);
                    i = j + 1;
                } else {
                    depth += 1;
                    newline(&mut out, depth);
                }
            }
            '}' | ']' => {
                depth = depth.saturating_sub(1);
                newline(&mut out, depth);
                out.push(c);
            }
            ',' => {
                out.push(',');
                match style {
                    Style::Indent(_) => newline(&mut out, depth),
                    Style::Python => out.push(' '),
                    Style::Compact | Style::Php => {}
                }
            }
            ':' => {
                out.push(':');
                if matches!(style, Style::Indent(_) | Style::Python) {
                    out.push(' ');
                }
            }
            _ => out.push(c),
        }
    }
    out
}

// ---------------------------------------------------------------------------------------
// The search

/// A combination of header, secret form, signed message and body form whose computed MAC
/// equals a presented tag.
#[derive(Debug, Clone)]
struct Hit {
    header: String,
    enc: Enc,
    prefixed: bool,
    pairs: bool,
    key_number: usize,
    key_kind: KeyKind,
    signed: Signed,
    body: BodyKind,
}

fn search(
    sources: &[Source],
    keys: &[KeyVariant],
    bodies: &[(BodyKind, Cow<'_, [u8]>)],
) -> Vec<Hit> {
    // Each distinct stamp costs one HMAC over the body per key and body variant: sorted,
    // deduplicated and capped, so that many repeated headers cannot multiply the work.
    let mut stamps: Vec<&str> = sources
        .iter()
        .flat_map(|s| s.presented.iter().filter_map(|p| p.t.as_deref()))
        .collect();
    stamps.sort_unstable();
    stamps.dedup();
    stamps.truncate(MAX_STAMPS);
    let mut hits = Vec::new();
    for key in keys {
        for (body_kind, body) in bodies {
            // Tags are compared through `Mac::verify_slice` (constant time), as in
            // verification: a diagnosis must not become a timing oracle for a MAC.
            let over_body = Tagger::new(&key.key, &[body]);
            let over_stamped: Vec<(&str, Tagger)> = stamps
                .iter()
                .map(|t| (*t, Tagger::new(&key.key, &[t.as_bytes(), b".", body])))
                .collect();
            for source in sources {
                for p in &source.presented {
                    let mut record = |signed: Signed| {
                        hits.push(Hit {
                            header: source.header.clone(),
                            enc: p.enc,
                            prefixed: p.prefixed,
                            pairs: p.t.is_some(),
                            key_number: key.number,
                            key_kind: key.kind,
                            signed,
                            body: *body_kind,
                        });
                    };
                    if over_body.matches(&p.tag) {
                        record(Signed::Body);
                    }
                    if let Some(t) = p.t.as_deref() {
                        if over_stamped
                            .iter()
                            .any(|(s, tagger)| *s == t && tagger.matches(&p.tag))
                        {
                            record(Signed::TimestampDotBody);
                        }
                    }
                }
            }
        }
    }
    hits
}

/// What differs between a hit and `target`'s scheme, as findings. `selected` is the
/// provider the delivery was checked as.
fn explain(hit: &Hit, target: Provider, scheme: MacScheme, selected: Provider) -> Vec<Finding> {
    let mut f = Vec::new();
    let (target_name, selected_name) = (title(target), title(selected));
    let k = hit.key_number;
    let proof = target.proof_header();
    let header = &hit.header;
    if target != selected {
        f.push(Finding::new(
            "secret_matches_other_provider",
            format!(
                "the {header} header verifies under {target_name}'s scheme with secret #{k}: this is a {target_name} delivery, not {selected_name}. Choose {target_name}."
            ),
        ));
    } else if !header.eq_ignore_ascii_case(proof) {
        f.push(Finding::new(
            "header_misnamed",
            format!(
                "the signature is in a header named {header}; {target_name} sends it as {proof}. Under that name it would match the body (secret #{k})."
            ),
        ));
    }
    if hit.enc != scheme.enc {
        let (code, other) = match hit.enc {
            Enc::Hex => ("signature_hex_not_base64", "Yousign's and Zigned's"),
            Enc::Base64 => ("signature_base64_not_hex", "Zoho Sign's"),
        };
        f.push(Finding::new(
            code,
            format!(
                "{header} holds the HMAC in {} ({other} encoding); {target_name} sends {}. The decoded value is the right MAC: the sender (or a tool in between) encoded it wrongly.",
                hit.enc.describe(),
                scheme.enc.describe()
            ),
        ));
    }
    if hit.prefixed && !scheme.prefix_ok {
        f.push(Finding::new(
            "unexpected_sha256_prefix",
            format!(
                "{header} starts with \"sha256=\" (Yousign's style); {target_name} sends the bare signature. Without the prefix it matches."
            ),
        ));
    }
    match (scheme.signed, hit.signed) {
        (Signed::TimestampDotBody, Signed::Body) => {
            let form = scheme
                .pairs
                .map_or_else(|| "<unix time>.<hex>".to_owned(), |g| g.form());
            if !hit.pairs {
                f.push(Finding::new(
                    "timestamp_missing",
                    format!("{header} holds a bare signature; {target_name} sends \"{form}\"."),
                ));
            }
            f.push(Finding::new(
                "body_only_signature",
                format!("the signature is the HMAC of the body alone; {target_name} signs \"<t>.<body>\" (the timestamp, a dot, then the raw body). Fix the sender to sign the timestamped string."),
            ));
        }
        (Signed::Body, Signed::TimestampDotBody) => f.push(Finding::new(
            "unexpected_timestamp_scheme",
            format!(
                "{header} is a Zigned-style \"t=…,v1=…\" signature over \"<t>.<body>\"; {target_name} signs the body alone."
            ),
        )),
        (Signed::Body, Signed::Body) if hit.pairs => f.push(Finding::new(
            "unexpected_signature_format",
            format!("{header} is in \"t=…,v1=…\" form; {target_name} sends the signature alone."),
        )),
        _ => {}
    }
    match hit.key_kind {
        KeyKind::AsIs => {}
        KeyKind::Trimmed => f.push(Finding::new(
            "secret_whitespace",
            format!("secret #{k} has surrounding whitespace (a space, tab or line break); without it the signature matches. Check where the secret is stored (an .env line, a copied value)."),
        )),
        KeyKind::WhsecStripped => f.push(Finding::new(
            "secret_whsec_prefix",
            format!("secret #{k} starts with \"whsec_\"; the signature matches the secret without that prefix. {target_name} uses its secret exactly as issued."),
        )),
        KeyKind::WhsecDecoded => f.push(Finding::new(
            "secret_whsec_prefix",
            format!("secret #{k} starts with \"whsec_\"; the signature matches the base64-decoded bytes after that prefix (Standard Webhooks style). {target_name} uses its secret's text as issued."),
        )),
        KeyKind::Base64Decoded | KeyKind::HexDecoded => f.push(Finding::new(
            "secret_decoded",
            format!(
                "the signature matches secret #{k} {}-decoded into bytes; {target_name} uses the secret's text itself (UTF-8 bytes) as the HMAC key.",
                if hit.key_kind == KeyKind::HexDecoded { "hex" } else { "base64" }
            ),
        )),
    }
    let (code, how) = match hit.body {
        BodyKind::Raw => ("", ""),
        BodyKind::NewlineRemoved => ("body_trailing_newline", "with its trailing newline removed: the signed body had none, yours gained one (an editor, a copy and paste, or a logging layer)"),
        BodyKind::Trimmed => ("body_surrounding_whitespace", "with the whitespace around it removed: the signed body had none, yours gained some"),
        BodyKind::NewlineAdded => ("body_trailing_newline", "with a trailing newline added: the signed body ended with a line break that yours lost"),
        BodyKind::CrlfToLf => ("body_line_endings", "with CRLF line breaks turned into LF: your copy gained Windows line endings"),
        BodyKind::LfToCrlf => ("body_line_endings", "with LF line breaks turned into CRLF: the signed body had Windows line endings that your copy lost (pasting into a browser text area does this)"),
        BodyKind::Compact => ("body_reserialized", "re-serialized as compact JSON (no whitespace, key order kept): the bytes you checked were parsed and pretty-printed or re-formatted on the way"),
        BodyKind::Indent2 => ("body_reserialized", "re-serialized as JSON indented with 2 spaces (key order kept): the bytes you checked were parsed and re-formatted on the way"),
        BodyKind::Indent4 => ("body_reserialized", "re-serialized as JSON indented with 4 spaces (key order kept): the bytes you checked were parsed and re-formatted on the way"),
        BodyKind::Python => ("body_reserialized", "re-serialized the way Python's json.dumps writes JSON (\", \" and \": \" separators, non-ASCII as \\uXXXX): the bytes you checked were parsed and re-written on the way"),
        BodyKind::Php => ("body_reserialized", "re-serialized the way PHP's json_encode writes JSON (compact, \"\\/\" and \\uXXXX escapes): the bytes you checked were parsed and re-written on the way"),
    };
    if !code.is_empty() {
        f.push(Finding::new(
            code,
            format!("the signature matches the body {how}. Verify the raw request bytes, before any parsing or re-formatting."),
        ));
    }
    f
}

/// Findings for a failed HMAC provider.
fn mac_findings(
    provider: Provider,
    scheme: MacScheme,
    headers: &Headers,
    body: &[u8],
    config: &VerifyConfig,
    now: i64,
    findings: &mut Vec<Finding>,
) {
    let proof = provider.proof_header();
    let value = headers.get(proof).map(str::trim);
    match value {
        None | Some("") => findings.extend(header_absent_facts(provider, headers, value.is_some())),
        Some(v) => {
            if parse_presented(v).is_empty() {
                findings.push(Finding::new(
                    "signature_unparseable",
                    format!(
                        "{proof} ({} characters) holds no 32-byte HMAC-SHA256 in hex or base64{}",
                        v.chars().count(),
                        scheme
                            .pairs
                            .map(|g| format!(", nor is it \"{}\"", g.form()))
                            .unwrap_or_default()
                    ),
                ));
            }
        }
    }
    if provider.signs_timestamp() {
        // The stamp as the provider's grammar finds it: `t=` in pairs, else DocuSeal's
        // `<t>.<hex>` (Unix seconds).
        let stamp = value.and_then(|v| match scheme.pairs {
            Some(g) => grammar::parts(v)
                .filter_map(Result::ok)
                .find(|(k, _)| *k == "t")
                .map(|(_, t)| (t, g.unit)),
            None => v.split_once('.').map(|(t, _)| (t, Unit::Seconds)),
        });
        if let Some((t, unit)) = stamp {
            findings.extend(timestamp_findings(
                provider,
                t,
                unit,
                now,
                config.tolerance_seconds,
            ));
        }
    }
    if config.secrets.is_empty() {
        return;
    }
    let sources = signature_sources(headers);
    if sources.is_empty() {
        return;
    }
    if body.len() > MAX_SEARCH_BYTES {
        findings.push(Finding::new(
            "body_too_large_to_search",
            format!("the body is over {MAX_SEARCH_BYTES} bytes: variants were not searched"),
        ));
        return;
    }
    let keys = key_variants(&config.secrets);
    let bodies = body_variants(body);
    let hits = search(&sources, &keys, &bodies);
    let best = hits
        .iter()
        .filter_map(|hit| {
            // A hit in another provider's proof header is judged by that provider's scheme.
            let target = owner_of(&hit.header)
                .filter(|o| *o != provider && mac_scheme(*o).is_some())
                .unwrap_or(provider);
            let scheme = mac_scheme(target)?;
            Some(explain(hit, target, scheme, provider))
        })
        .min_by_key(Vec::len);
    match best {
        Some(explained) => findings.extend(explained),
        None => findings.push(Finding::new(
            "no_variant_matched",
            format!(
                "tried {} form(s) of the {} secret(s) × {} form(s) of the body × hex and base64, with and without the timestamp, on {} signature value(s): none reproduces the signature. Most likely the secret is not this webhook's (a test vs a production webhook, a rotated secret), or the body's content changed, not just its layout.",
                keys.len(),
                config.secrets.len(),
                bodies.len(),
                sources.iter().map(|s| s.presented.len()).sum::<usize>()
            ),
        )),
    }
}

/// Facts about a missing or empty proof header: what is there instead.
fn header_absent_facts(provider: Provider, headers: &Headers, empty: bool) -> Vec<Finding> {
    let proof = provider.proof_header();
    let why = provider.spec().header_note;
    let similar: Vec<&str> = headers
        .iter()
        .map(|(name, _)| name)
        .filter(|name| !name.eq_ignore_ascii_case(proof))
        .filter(|name| owner_of(name).is_none())
        .filter(|name| {
            squash(name) == squash(proof)
                || (looks_like_proof_header(name)
                    && hinted_provider(name).is_none_or(|p| p == provider))
        })
        .collect();
    let mut out = vec![Finding::new(
        if empty {
            "header_empty"
        } else {
            "header_missing"
        },
        format!(
            "{proof} is {} ({why}).{}",
            if empty { "empty" } else { "not in the request" },
            if similar.is_empty() {
                String::new()
            } else {
                format!(" Similarly named: {}.", similar.join(", "))
            }
        ),
    )];
    for other in Provider::ALL {
        if other != provider && headers.contains(other.proof_header()) {
            out.push(Finding::new(
                "header_of_other_provider",
                format!(
                    "the request carries {}, {}'s proof header: is this a {} delivery?",
                    other.proof_header(),
                    title(other),
                    title(other)
                ),
            ));
        }
    }
    out
}

/// A signed `t` outside the window: by how much, and in which unit it was read (the
/// provider's [`Unit`]); readings in other units that would fit.
fn timestamp_findings(
    provider: Provider,
    t: &str,
    unit: Unit,
    now: i64,
    tolerance: u64,
) -> Vec<Finding> {
    let who = title(provider);
    let Some((signed_at, millis)) = unit.read(t) else {
        return vec![Finding::new(
            "timestamp_unparseable",
            format!(
                "t={t:?} is not a whole number of {}: {who} writes Unix {} as digits",
                unit.describe(),
                unit.describe()
            ),
        )];
    };
    let skew = now.abs_diff(signed_at);
    if skew <= tolerance {
        return Vec::new();
    }
    let read_as = if millis { "milliseconds" } else { "seconds" };
    let when = signed_at
        .checked_mul(1000)
        .and_then(format_unix_millis)
        .map(|s| format!(" ({s})"))
        .unwrap_or_default();
    let mut out = Vec::new();
    if signed_at < now {
        out.push(Finding::new(
            "timestamp_too_old",
            format!(
                "t={t} (read as {read_as}){when} is {} old, beyond the {tolerance} s tolerance. A captured delivery replayed later fails by design: send a fresh one, or raise the tolerance only for testing.",
                duration(skew)
            ),
        ));
    } else {
        out.push(Finding::new(
            "timestamp_in_future",
            format!(
                "t={t} (read as {read_as}){when} is {} in the future, beyond the {tolerance} s tolerance: a clock is wrong, or t is in another unit.",
                duration(skew)
            ),
        ));
    }
    // Tested readings of t in other units, and of `now` in milliseconds.
    let fits = |seconds: i64| now.abs_diff(seconds) <= tolerance;
    let n = signed_at.saturating_mul(if millis { 1000 } else { 1 });
    let other_unit = match unit {
        Unit::Seconds if n >= MILLIS_THRESHOLD && fits(n / 1000) => Some("milliseconds"),
        Unit::SecondsOrMillis if n >= MILLIS_THRESHOLD * 1000 && fits(n / 1_000_000) => {
            Some("microseconds")
        }
        _ => None,
    };
    if let Some(other) = other_unit {
        out.push(Finding::new(
            "timestamp_unit",
            format!(
                "t={t} fits the window as {other}; {who}'s t is Unix {}.",
                unit.describe()
            ),
        ));
    }
    if now.unsigned_abs() >= MILLIS_THRESHOLD.unsigned_abs()
        && (now / 1000).abs_diff(signed_at) <= tolerance
    {
        out.push(Finding::new(
            "now_in_milliseconds",
            format!(
                "the current time given ({now}) is in milliseconds; as seconds, t fits the window."
            ),
        ));
    }
    out
}

/// `3 d 4 h`, `2 h 13 min`, `5 min 3 s`, `42 s`.
fn duration(secs: u64) -> String {
    let (d, h, m, s) = (
        secs / 86_400,
        secs % 86_400 / 3600,
        secs % 3600 / 60,
        secs % 60,
    );
    if d > 0 {
        format!("{d} d {h} h")
    } else if h > 0 {
        format!("{h} h {m} min")
    } else if m > 0 {
        format!("{m} min {s} s")
    } else {
        format!("{s} s")
    }
}

/// A client-id provider (Acrobat Sign): near misses, each tested by comparing with the
/// configured ids.
fn client_id_findings(
    provider: Provider,
    kind: ErrorKind,
    headers: &Headers,
    config: &VerifyConfig,
    findings: &mut Vec<Finding>,
) {
    let proof = provider.proof_header();
    match kind {
        ErrorKind::MissingClientId | ErrorKind::NoSecretConfigured
            if headers.get(proof).is_none_or(|v| v.trim().is_empty()) =>
        {
            findings.extend(header_absent_facts(
                provider,
                headers,
                headers.contains(proof),
            ));
            let misnamed = headers.iter().find(|(name, value)| {
                !name.eq_ignore_ascii_case(proof)
                    && config
                        .client_ids
                        .iter()
                        .any(|id| id.trim() == value.trim() && !id.trim().is_empty())
            });
            if let Some((name, _)) = misnamed {
                findings.push(Finding::new(
                    "header_misnamed",
                    format!("an allowed client id arrives in a header named {name}; Acrobat Sign sends it as {proof}."),
                ));
            }
        }
        ErrorKind::UnknownClientId => {
            let presented = headers.get(proof).map(str::trim).unwrap_or_default();
            for (i, id) in config.client_ids.iter().enumerate() {
                let n = i + 1;
                if id.trim() == presented && id != presented {
                    findings.push(Finding::new(
                        "client_id_whitespace",
                        format!("allowed client id #{n} has surrounding whitespace; without it, it is the presented one."),
                    ));
                } else if id.trim().eq_ignore_ascii_case(presented) {
                    findings.push(Finding::new(
                        "client_id_case",
                        format!("allowed client id #{n} differs from the presented one only in letter case; client ids compare exactly."),
                    ));
                }
            }
            if findings.is_empty() {
                findings.push(Finding::new(
                    "client_id_not_allowed",
                    format!(
                        "{proof} is not among the {} allowed id(s), nor close to one. It is the client id of the API application that created the webhook (Acrobat Sign → API applications), not a webhook id or a secret.",
                        config.client_ids.len()
                    ),
                ));
            }
        }
        _ => {}
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]
mod tests {
    use super::*;
    use crate::providers::sign;
    use crate::verify::{base64_encode, hex_encode, hmac_sha256};

    const ZOHO_BODY: &[u8] = br#"{"requests":{"request_name":"NDA","request_id":"2000000123","request_status":"inprogress"},"notifications":{"operation_type":"RequestSigningSuccess","performed_at":1700000000000,"performed_by_email":"ann@example.com"}}"#;
    const YOUSIGN_BODY: &[u8] = br#"{"event_id":"d2d9d1e5-5c3e-4f59-9c0e-3f3b2a7b8c11","event_name":"signer.done","event_time":"1700000000","sandbox":false,"data":{"signature_request":{"id":"sr-1","name":"Lease","status":"ongoing"},"signer":{"id":"s-1","status":"signed","info":{"email":"bo@example.com","first_name":"Bo","last_name":"Lind"}}}}"#;
    const ZIGNED_BODY: &[u8] = br#"{"event":"agreement.lifecycle.finalized","data":{"id":"cm0testagreement000000000","test_mode":true}}"#;
    const ACROBAT_BODY: &[u8] = br#"{"webhookNotificationId":"n-1","event":"AGREEMENT_WORKFLOW_COMPLETED","eventDate":"2024-05-30T22:57:28Z","agreement":{"id":"CBJCHBCAABAA","name":"MSA","status":"SIGNED"}}"#;
    const NOW: i64 = 1_731_340_000;

    fn headers(pairs: &[(&str, &str)]) -> Headers {
        pairs.iter().copied().collect()
    }

    /// The bodies here are dated long before `NOW`: no age bound, unless a test sets one.
    fn secrets(list: &[&str]) -> VerifyConfig {
        VerifyConfig {
            max_event_age_seconds: None,
            ..VerifyConfig::with_secrets(list.iter().map(|s| Secret::new(s).unwrap()).collect())
        }
    }

    fn mac(secret: &str, parts: &[&[u8]]) -> [u8; 32] {
        hmac_sha256(&Secret::new(secret).unwrap(), parts)
    }

    fn codes(d: &Diagnosis) -> Vec<&'static str> {
        d.findings.iter().map(|f| f.code).collect()
    }

    #[test]
    fn shared_secrets_are_detected_verified_and_said_to_cover_no_body() {
        assert_eq!(
            detect_provider(&headers(&[("authorization", "Basic k")])),
            Some(Provider::OneSpanSign)
        );
        assert_eq!(
            detect_provider(&headers(&[("Authorization", "Bearer k")])),
            None
        );
        let body = br#"{"event":"DOCUMENT_SIGNED","payload":{"recipients":[{"token":"tok-123"}]}}"#;
        let h = headers(&[("X-Documenso-Secret", "k")]);
        let d = diagnose(None, &h, body, &secrets(&["old", "k"]), NOW);
        assert_eq!(d.provider, Some(Provider::Documenso));
        assert_eq!(d.verdict, Verdict::Verified);
        assert_eq!(codes(&d), ["shared_secret_only", "matched_key"]);
        let event = d.event.unwrap().to_json();
        assert!(
            !event.contains("tok-123") && event.contains("[redacted]"),
            "{event}"
        );
        let d = diagnose(
            None,
            &headers(&[("X-Documenso-Secret", "")]),
            body,
            &secrets(&["k"]),
            NOW,
        );
        assert_eq!(d.code, Some("missing_signature"));
        // The unverified event shown beside a failure is redacted too.
        assert!(!d.event.unwrap().to_json().contains("tok-123"));
    }

    #[test]
    fn docuseal_stale_timestamp_and_body_only_signature_are_explained() {
        let body = br#"{"event_type":"form.completed","data":{"id":1}}"#;
        let value = sign(Provider::DocuSeal, "whsec_k", body, NOW).unwrap()[1]
            .1
            .clone();
        let h = headers(&[("X-Docuseal-Signature", &value)]);
        let d = diagnose(None, &h, body, &secrets(&["whsec_k"]), NOW + 3600);
        assert_eq!(d.provider, Some(Provider::DocuSeal));
        assert_eq!(d.code, Some("timestamp_out_of_tolerance"));
        assert_eq!(codes(&d), ["timestamp_too_old"]);
        // The HMAC of the body alone, in DocuSeal's `<t>.<hex>` form.
        let bare = hex_encode(&mac("whsec_k", &[body]));
        let value = format!("{NOW}.{bare}");
        let h = headers(&[("X-Docuseal-Signature", &value)]);
        let d = diagnose(None, &h, body, &secrets(&["whsec_k"]), NOW);
        assert_eq!(d.code, Some("signature_mismatch"));
        assert_eq!(codes(&d), ["body_only_signature"]);
        assert!(
            d.findings[0].message.contains("DocuSeal"),
            "{}",
            d.findings[0].message
        );
    }

    #[test]
    fn docusign_rotated_headers_verify_and_a_decoded_key_is_explained() {
        let body = br#"{"event":"envelope-sent","data":{"envelopeId":"e"}}"#;
        let old = base64_encode(&mac("old", &[body]));
        let new = base64_encode(&mac("new", &[body]));
        let h = headers(&[
            ("X-DocuSign-Signature-1", &old),
            ("X-DocuSign-Signature-2", &new),
        ]);
        let d = diagnose(None, &h, body, &secrets(&["new"]), NOW);
        assert_eq!(d.provider, Some(Provider::DocuSign));
        assert_eq!(d.verdict, Verdict::Verified);
        // A base64-looking key decoded before use: DocuSign uses its text.
        let key = "dGVzdC1kb2N1c2lnbi1obWFjLWtleQ==";
        let decoded = base64_encode(&mac("test-docusign-hmac-key", &[body]));
        let h = headers(&[("X-DocuSign-Signature-1", &decoded)]);
        let d = diagnose(None, &h, body, &secrets(&[key]), NOW);
        assert_eq!(d.code, Some("signature_mismatch"));
        assert_eq!(codes(&d), ["secret_decoded"]);
    }

    #[test]
    fn detects_exact_and_near_miss_headers() {
        let cases: &[(&str, Option<Provider>)] = &[
            ("x-zs-webhook-signature", Some(Provider::ZohoSign)),
            ("X-ZS-WEBHOOK-SIGNATURE", Some(Provider::ZohoSign)),
            ("X_ZS_WEBHOOK_SIGNATURE", Some(Provider::ZohoSign)),
            ("X-Zoho-Signature", Some(Provider::ZohoSign)),
            ("x-yousign-signature-256", Some(Provider::Yousign)),
            ("X-Yousign-Signature", Some(Provider::Yousign)),
            ("x-zigned-request-signature", Some(Provider::Zigned)),
            ("x-zigned-signature", Some(Provider::Zigned)),
            ("x-adobesign-clientid", Some(Provider::AcrobatSign)),
            ("X-Adobe-Sign-Client-Id", Some(Provider::AcrobatSign)),
            ("X-Signature", None),
            ("Content-Type", None),
        ];
        for (name, want) in cases {
            assert_eq!(detect_provider(&headers(&[(name, "v")])), *want, "{name}");
        }
        // An exact proof header wins over a hint that comes first.
        let h = headers(&[
            ("X-Yousign-Issued-At", "1"),
            ("x-zs-webhook-signature", "v"),
        ]);
        assert_eq!(detect_provider(&h), Some(Provider::ZohoSign));
    }

    #[test]
    fn zoho_published_vector_verifies() {
        let body = br#"{{"requests":{"request_name":"Test Name"},"notifications":{"operation_type":"RequestSigningSuccess"}}"#;
        let h = headers(&[(
            "X-ZS-WEBHOOK-SIGNATURE",
            "drbSrM4H816RYKpZiRBLddUa0yHaTrwjtY04sIZFZus=",
        )]);
        let d = diagnose(
            None,
            &h,
            body,
            &secrets(&["thisisthesamplekeyfortestingpurposes"]),
            NOW,
        );
        assert_eq!(d.verdict, Verdict::Verified);
        assert_eq!(d.provider, Some(Provider::ZohoSign));
        assert_eq!(d.code, None);
        // Verified but not JSON: said, and no event.
        assert_eq!(codes(&d), ["body_not_json"]);
        assert!(d.event.is_none());
    }

    #[test]
    fn verified_deliveries_of_each_provider_normalize() {
        for (provider, body) in [
            (Provider::ZohoSign, ZOHO_BODY),
            (Provider::Yousign, YOUSIGN_BODY),
            (Provider::Zigned, ZIGNED_BODY),
        ] {
            let h: Headers = sign(provider, "s3cret", body, NOW)
                .unwrap()
                .into_iter()
                .collect();
            let d = diagnose(None, &h, body, &secrets(&["s3cret"]), NOW + 10);
            assert_eq!(d.verdict, Verdict::Verified, "{provider}: {}", d.message);
            assert!(d.event_verified);
            assert!(d.findings.is_empty(), "{provider}: {:?}", d.findings);
            let event = d.event.as_ref().unwrap();
            assert!(event.data.verification.is_some());
            assert!(d.mapping.as_ref().unwrap().known);
        }
        let h = headers(&[("X-AdobeSign-ClientId", "CLIENT123")]);
        let config = VerifyConfig::with_client_ids(vec!["CLIENT123".into()]);
        let d = diagnose(None, &h, ACROBAT_BODY, &config, NOW);
        assert_eq!(d.verdict, Verdict::Verified);
        assert_eq!(codes(&d), ["client_id_only"]);
        let m = d.mapping.unwrap();
        assert_eq!(
            m.provider_event.as_deref(),
            Some("AGREEMENT_WORKFLOW_COMPLETED")
        );
        assert_eq!(m.event_type, EventType::EnvelopeCompleted);
    }

    #[test]
    fn no_secret_is_unverifiable_with_unverified_event() {
        let h = headers(&[("X-Yousign-Signature-256", "sha256=00")]);
        let d = diagnose(None, &h, YOUSIGN_BODY, &VerifyConfig::default(), NOW);
        assert_eq!(d.verdict, Verdict::Unverifiable);
        assert_eq!(d.code, Some("no_secret_configured"));
        assert!(!d.event_verified);
        let event = d.event.unwrap();
        assert!(event.data.verification.is_none());
        assert_eq!(d.mapping.unwrap().event_type, EventType::ParticipantSigned);
    }

    #[test]
    fn no_provider_is_unverifiable() {
        let d = diagnose(
            None,
            &headers(&[("Content-Type", "application/json")]),
            ZOHO_BODY,
            &secrets(&["x"]),
            NOW,
        );
        assert_eq!(d.verdict, Verdict::Unverifiable);
        assert_eq!(d.code, Some("unknown_provider"));
        assert_eq!(codes(&d), ["no_provider_header"]);
    }

    #[test]
    fn generic_header_is_matched_to_a_scheme() {
        let tag = hex_encode(&mac("k", &[YOUSIGN_BODY]));
        let d = diagnose(
            None,
            &headers(&[("X-Signature", &tag)]),
            YOUSIGN_BODY,
            &secrets(&["k"]),
            NOW,
        );
        assert_eq!(d.verdict, Verdict::Unverifiable);
        assert_eq!(
            codes(&d),
            ["no_provider_header", "signature_matches_provider"]
        );
        assert!(
            d.findings[1].message.contains("Yousign"),
            "{}",
            d.findings[1].message
        );
    }

    #[test]
    fn header_missing_is_a_fact() {
        let d = diagnose(
            Some(Provider::ZohoSign),
            &Headers::new(),
            ZOHO_BODY,
            &secrets(&["k"]),
            NOW,
        );
        assert_eq!(d.verdict, Verdict::NotVerified);
        assert_eq!(d.code, Some("missing_signature"));
        assert_eq!(codes(&d), ["header_missing"]);
        let d = diagnose(
            Some(Provider::ZohoSign),
            &headers(&[("X-ZS-WEBHOOK-SIGNATURE", " ")]),
            ZOHO_BODY,
            &secrets(&["k"]),
            NOW,
        );
        assert_eq!(codes(&d), ["header_empty"]);
    }

    #[test]
    fn misnamed_header_is_tested() {
        let tag = base64_encode(&mac("k", &[ZOHO_BODY]));
        for name in ["X-Zoho-Signature", "X-Signature", "X_ZS_WEBHOOK_SIGNATURE"] {
            let h = headers(&[(name, &tag)]);
            let d = diagnose(
                Some(Provider::ZohoSign),
                &h,
                ZOHO_BODY,
                &secrets(&["k"]),
                NOW,
            );
            assert_eq!(d.code, Some("missing_signature"));
            assert_eq!(codes(&d), ["header_missing", "header_misnamed"], "{name}");
            assert!(
                d.findings[0].message.contains(name),
                "{}",
                d.findings[0].message
            );
        }
        // The same header with a wrong secret: only the fact, and the search says so.
        let h = headers(&[("X-Zoho-Signature", &tag)]);
        let d = diagnose(
            Some(Provider::ZohoSign),
            &h,
            ZOHO_BODY,
            &secrets(&["other"]),
            NOW,
        );
        assert_eq!(codes(&d), ["header_missing", "no_variant_matched"]);
    }

    #[test]
    fn zigned_misnamed_header() {
        let value = sign(Provider::Zigned, "k", ZIGNED_BODY, NOW).unwrap()[1]
            .1
            .clone();
        let d = diagnose(
            None,
            &headers(&[("x-zigned-signature", &value)]),
            ZIGNED_BODY,
            &secrets(&["k"]),
            NOW,
        );
        assert_eq!(d.provider, Some(Provider::Zigned));
        assert_eq!(codes(&d), ["header_missing", "header_misnamed"]);
    }

    #[test]
    fn hex_where_base64_expected() {
        let tag = hex_encode(&mac("k", &[ZOHO_BODY]));
        let d = diagnose(
            None,
            &headers(&[("X-ZS-WEBHOOK-SIGNATURE", &tag)]),
            ZOHO_BODY,
            &secrets(&["k"]),
            NOW,
        );
        assert_eq!(d.code, Some("malformed_signature"));
        assert_eq!(codes(&d), ["signature_hex_not_base64"]);
    }

    #[test]
    fn base64_where_hex_expected() {
        let tag = format!("sha256={}", base64_encode(&mac("k", &[YOUSIGN_BODY])));
        let d = diagnose(
            None,
            &headers(&[("X-Yousign-Signature-256", &tag)]),
            YOUSIGN_BODY,
            &secrets(&["k"]),
            NOW,
        );
        assert_eq!(d.code, Some("malformed_signature"));
        assert_eq!(codes(&d), ["signature_base64_not_hex"]);
    }

    #[test]
    fn sha256_prefix_on_zoho() {
        let tag = format!("sha256={}", base64_encode(&mac("k", &[ZOHO_BODY])));
        let d = diagnose(
            None,
            &headers(&[("X-ZS-WEBHOOK-SIGNATURE", &tag)]),
            ZOHO_BODY,
            &secrets(&["k"]),
            NOW,
        );
        assert_eq!(d.verdict, Verdict::NotVerified);
        assert_eq!(codes(&d), ["unexpected_sha256_prefix"]);
        // Hex with a prefix in Zoho's header: both deviations.
        let tag = format!("sha256={}", hex_encode(&mac("k", &[ZOHO_BODY])));
        let d = diagnose(
            None,
            &headers(&[("X-ZS-WEBHOOK-SIGNATURE", &tag)]),
            ZOHO_BODY,
            &secrets(&["k"]),
            NOW,
        );
        assert_eq!(
            codes(&d),
            ["signature_hex_not_base64", "unexpected_sha256_prefix"]
        );
    }

    #[test]
    fn trailing_newline_both_ways() {
        // Signed without, received with.
        let tag = sign(Provider::Yousign, "k", YOUSIGN_BODY, 0).unwrap()[1]
            .1
            .clone();
        let mut received = YOUSIGN_BODY.to_vec();
        received.extend_from_slice(b"\r\n");
        let d = diagnose(
            None,
            &headers(&[("X-Yousign-Signature-256", &tag)]),
            &received,
            &secrets(&["k"]),
            NOW,
        );
        assert_eq!(d.code, Some("signature_mismatch"));
        assert_eq!(codes(&d), ["body_trailing_newline"]);
        assert!(d.findings[0].message.contains("trailing newline removed"));
        // Signed with, received without.
        let mut signed = ZOHO_BODY.to_vec();
        signed.push(b'\n');
        let tag = base64_encode(&mac("k", &[&signed]));
        let d = diagnose(
            None,
            &headers(&[("X-ZS-WEBHOOK-SIGNATURE", &tag)]),
            ZOHO_BODY,
            &secrets(&["k"]),
            NOW,
        );
        assert_eq!(codes(&d), ["body_trailing_newline"]);
        assert!(d.findings[0].message.contains("trailing newline added"));
    }

    #[test]
    fn line_endings() {
        let signed = b"{\r\n  \"event_name\": \"signer.done\"\r\n}";
        let received = b"{\n  \"event_name\": \"signer.done\"\n}";
        let tag = hex_encode(&mac("k", &[signed]));
        let d = diagnose(
            None,
            &headers(&[("X-Yousign-Signature-256", &tag)]),
            received,
            &secrets(&["k"]),
            NOW,
        );
        assert_eq!(codes(&d), ["body_line_endings"]);
        assert!(d.findings[0]
            .message
            .contains("LF line breaks turned into CRLF"));
    }

    #[test]
    fn reserialized_json_names_the_variant() {
        // Received pretty-printed with 2 spaces (as JSON.stringify(v, null, 2) would).
        let received = reformat(std::str::from_utf8(ZIGNED_BODY).unwrap(), Style::Indent(2));
        assert!(received.starts_with(
            "{\n  \"event\": \"agreement.lifecycle.finalized\",\n  \"data\": {\n    \"id\""
        ));
        let value = sign(Provider::Zigned, "k", ZIGNED_BODY, NOW).unwrap()[1]
            .1
            .clone();
        let d = diagnose(
            None,
            &headers(&[("x-zigned-request-signature", &value)]),
            received.as_bytes(),
            &secrets(&["k"]),
            NOW,
        );
        assert_eq!(d.code, Some("signature_mismatch"));
        assert_eq!(codes(&d), ["body_reserialized"]);
        assert!(
            d.findings[0].message.contains("compact JSON"),
            "{}",
            d.findings[0].message
        );
        // And the other way: signed with 4-space indentation, received compact.
        let signed = reformat(std::str::from_utf8(YOUSIGN_BODY).unwrap(), Style::Indent(4));
        let tag = hex_encode(&mac("k", &[signed.as_bytes()]));
        let d = diagnose(
            None,
            &headers(&[("X-Yousign-Signature-256", &tag)]),
            YOUSIGN_BODY,
            &secrets(&["k"]),
            NOW,
        );
        assert_eq!(codes(&d), ["body_reserialized"]);
        assert!(d.findings[0].message.contains("4 spaces"));
    }

    #[test]
    fn python_and_php_layouts() {
        let received = "{\"name\": \"Zoë/Ann\", \"list\": [1, 2.50, {}], \"emoji\": \"😀\"}";
        let compact = reformat(received, Style::Compact);
        assert_eq!(
            compact,
            "{\"name\":\"Zoë/Ann\",\"list\":[1,2.50,{}],\"emoji\":\"😀\"}"
        );
        assert_eq!(
            reformat(&compact, Style::Python),
            "{\"name\": \"Zo\\u00eb/Ann\", \"list\": [1, 2.50, {}], \"emoji\": \"\\ud83d\\ude00\"}"
        );
        assert_eq!(
            reformat(&compact, Style::Php),
            "{\"name\":\"Zo\\u00eb\\/Ann\",\"list\":[1,2.50,{}],\"emoji\":\"\\ud83d\\ude00\"}"
        );
        assert_eq!(reformat("[ ]", Style::Indent(2)), "[]");
        assert_eq!(
            reformat("{\"a\":[1]}", Style::Indent(2)),
            "{\n  \"a\": [\n    1\n  ]\n}"
        );
        // Signed as Python writes it, received compact: found.
        let signed = reformat(&compact, Style::Python);
        let tag = base64_encode(&mac("k", &[signed.as_bytes()]));
        let d = diagnose(
            Some(Provider::ZohoSign),
            &headers(&[("X-ZS-WEBHOOK-SIGNATURE", &tag)]),
            compact.as_bytes(),
            &secrets(&["k"]),
            NOW,
        );
        assert_eq!(codes(&d), ["body_reserialized"]);
        assert!(d.findings[0].message.contains("Python"));
    }

    #[test]
    fn docusign_names_the_numbered_header_that_matched() {
        let body = br#"{"event":"envelope-sent","data":{"envelopeId":"e"}}"#;
        let good = base64_encode(&mac("current-key", &[body]));
        let old = base64_encode(&mac("retired-key", &[body]));
        let h = headers(&[
            ("X-DocuSign-Signature-1", &old),
            ("X-DocuSign-Signature-2", &good),
        ]);
        let d = diagnose(
            Some(Provider::DocuSign),
            &h,
            body,
            &secrets(&["current-key"]),
            NOW,
        );
        assert_eq!(d.verdict, Verdict::Verified);
        assert!(
            d.message
                .starts_with("X-DocuSign-Signature-2 matches the body"),
            "{}",
            d.message
        );
    }

    #[test]
    fn zigned_timestamp_too_old_and_by_how_much() {
        let value = sign(Provider::Zigned, "k", ZIGNED_BODY, NOW).unwrap()[1]
            .1
            .clone();
        let h = headers(&[("x-zigned-request-signature", &value)]);
        let d = diagnose(
            None,
            &h,
            ZIGNED_BODY,
            &secrets(&["k"]),
            NOW + 2 * 3600 + 13 * 60,
        );
        assert_eq!(d.code, Some("timestamp_out_of_tolerance"));
        assert_eq!(codes(&d), ["timestamp_too_old"]);
        assert!(
            d.findings[0].message.contains("2 h 13 min old"),
            "{}",
            d.findings[0].message
        );
        assert!(d.findings[0].message.contains("seconds"));
        let d = diagnose(None, &h, ZIGNED_BODY, &secrets(&["k"]), NOW - 400);
        assert_eq!(codes(&d), ["timestamp_in_future"]);
        assert!(d.findings[0].message.contains("6 min 40 s"));
    }

    #[test]
    fn zigned_milliseconds_and_now_in_milliseconds() {
        let t = (NOW * 1000 + 123).to_string();
        let v1 = hex_encode(&mac("k", &[t.as_bytes(), b".", ZIGNED_BODY]));
        let h = headers(&[("x-zigned-request-signature", &format!("t={t},v1={v1}"))]);
        // Milliseconds within the window verify.
        assert_eq!(
            diagnose(None, &h, ZIGNED_BODY, &secrets(&["k"]), NOW).verdict,
            Verdict::Verified
        );
        let d = diagnose(
            None,
            &h,
            ZIGNED_BODY,
            &secrets(&["k"]),
            NOW + 86_400 * 3 + 3600,
        );
        assert_eq!(codes(&d), ["timestamp_too_old"]);
        assert!(d.findings[0].message.contains("milliseconds"));
        assert!(d.findings[0].message.contains("3 d 1 h"));
        // A caller passing now in milliseconds.
        let d = diagnose(None, &h, ZIGNED_BODY, &secrets(&["k"]), NOW * 1000);
        assert_eq!(codes(&d), ["timestamp_too_old", "now_in_milliseconds"]);
        // Microseconds.
        let t = (NOW * 1_000_000).to_string();
        let v1 = hex_encode(&mac("k", &[t.as_bytes(), b".", ZIGNED_BODY]));
        let h = headers(&[("x-zigned-request-signature", &format!("t={t},v1={v1}"))]);
        let d = diagnose(None, &h, ZIGNED_BODY, &secrets(&["k"]), NOW);
        assert_eq!(codes(&d), ["timestamp_in_future", "timestamp_unit"]);
    }

    /// BoldSign's `t` is Unix seconds only: a `t` in milliseconds is refused by `verify`
    /// and explained as such (the diagnosis once read it with Zigned's rule and found
    /// nothing wrong); an old `t` is read as seconds.
    #[test]
    fn boldsign_timestamp_outside_its_window() {
        let body = br#"{"event":{"id":"e1","eventType":"Completed"},"data":{"documentId":"d1"}}"#;
        let sign = |t: &str| {
            let s0 = hex_encode(&mac("k", &[t.as_bytes(), b".", body]));
            headers(&[("X-BoldSign-Signature", &format!("t={t}, s0={s0}"))])
        };
        let h = sign(&(NOW * 1000).to_string());
        let refused = crate::providers::verify(Provider::BoldSign, &h, body, &secrets(&["k"]), NOW);
        assert_eq!(
            refused.err().map(|e| e.kind()),
            Some(ErrorKind::TimestampOutOfTolerance)
        );
        let d = diagnose(Some(Provider::BoldSign), &h, body, &secrets(&["k"]), NOW);
        assert_ne!(d.verdict, Verdict::Verified);
        assert_eq!(codes(&d), ["timestamp_in_future", "timestamp_unit"]);
        assert!(d.findings[0].message.contains("read as seconds"));
        assert!(d.findings[1]
            .message
            .contains("as milliseconds; BoldSign's t is Unix seconds"));
        let h = sign(&(NOW - 600).to_string());
        let d = diagnose(Some(Provider::BoldSign), &h, body, &secrets(&["k"]), NOW);
        assert_eq!(codes(&d)[0], "timestamp_too_old");
        assert!(d.findings[0].message.contains("(read as seconds)"));
        assert!(d.findings[0].message.contains("10 min"));
    }

    #[test]
    fn zigned_body_only_signature() {
        // the documented derived negative vector: the body-only HMAC of the sample.
        let h = headers(&[(
            "x-zigned-request-signature",
            "t=1731340000,v1=b148f544310a7e9781c5bbb0b30ca10ba497963af1db678fd88392c43ff1c916",
        )]);
        let d = diagnose(
            None,
            &h,
            ZIGNED_BODY,
            &secrets(&["zigned_test_secret"]),
            NOW,
        );
        assert_eq!(d.code, Some("signature_mismatch"));
        assert_eq!(codes(&d), ["body_only_signature"]);
        // And the published positive vector verifies.
        let h = headers(&[(
            "x-zigned-request-signature",
            "t=1731340000,v1=621e2b96e25fa29c8f215cd9d7837b6d57839f809c55098cfda655bf1b692316",
        )]);
        assert_eq!(
            diagnose(
                None,
                &h,
                ZIGNED_BODY,
                &secrets(&["zigned_test_secret"]),
                NOW
            )
            .verdict,
            Verdict::Verified
        );
        // A bare body HMAC, no t= at all.
        let bare = hex_encode(&mac("k", &[ZIGNED_BODY]));
        let d = diagnose(
            None,
            &headers(&[("x-zigned-request-signature", &bare)]),
            ZIGNED_BODY,
            &secrets(&["k"]),
            NOW,
        );
        assert_eq!(d.code, Some("malformed_signature"));
        assert_eq!(codes(&d), ["timestamp_missing", "body_only_signature"]);
    }

    #[test]
    fn secret_of_another_provider_scheme() {
        // A Zigned delivery checked as Yousign.
        let value = sign(Provider::Zigned, "k", ZIGNED_BODY, NOW).unwrap()[1]
            .1
            .clone();
        let h = headers(&[("x-zigned-request-signature", &value)]);
        let d = diagnose(
            Some(Provider::Yousign),
            &h,
            ZIGNED_BODY,
            &secrets(&["k"]),
            NOW,
        );
        assert_eq!(d.detected, Some(Provider::Zigned));
        assert_eq!(d.code, Some("missing_signature"));
        assert_eq!(
            codes(&d),
            [
                "header_missing",
                "header_of_other_provider",
                "secret_matches_other_provider"
            ]
        );
        // A Zigned t=,v1= signature placed in Yousign's header.
        let h = headers(&[("X-Yousign-Signature-256", &value)]);
        let d = diagnose(None, &h, ZIGNED_BODY, &secrets(&["k"]), NOW);
        assert_eq!(codes(&d), ["unexpected_timestamp_scheme"]);
    }

    #[test]
    fn secret_whitespace_whsec_and_decoded() {
        let tag = base64_encode(&mac("k3y-material", &[ZOHO_BODY]));
        let h = headers(&[("X-ZS-WEBHOOK-SIGNATURE", &tag)]);
        let d = diagnose(None, &h, ZOHO_BODY, &secrets(&[" k3y-material\n"]), NOW);
        assert_eq!(codes(&d), ["secret_whitespace"]);
        let d = diagnose(None, &h, ZOHO_BODY, &secrets(&["whsec_k3y-material"]), NOW);
        assert_eq!(codes(&d), ["secret_whsec_prefix"]);
        assert!(d.findings[0].message.contains("without that prefix"));
        // whsec_ + base64 of raw key bytes (Standard Webhooks style).
        let raw_key = [7u8; 24];
        let tag = base64_encode(&hmac_sha256(
            &Secret::from_bytes(&raw_key).unwrap(),
            &[ZOHO_BODY],
        ));
        let h = headers(&[("X-ZS-WEBHOOK-SIGNATURE", &tag)]);
        let whsec = format!("whsec_{}", base64_encode(&raw_key));
        let d = diagnose(None, &h, ZOHO_BODY, &secrets(&[&whsec]), NOW);
        assert_eq!(codes(&d), ["secret_whsec_prefix"]);
        assert!(d.findings[0].message.contains("base64-decoded"));
        let d = diagnose(
            None,
            &h,
            ZOHO_BODY,
            &secrets(&[&base64_encode(&raw_key)]),
            NOW,
        );
        assert_eq!(codes(&d), ["secret_decoded"]);
    }

    #[test]
    fn rotation_reports_matching_secret() {
        let h: Headers = sign(Provider::Yousign, "new", YOUSIGN_BODY, 0)
            .unwrap()
            .into_iter()
            .collect();
        let d = diagnose(None, &h, YOUSIGN_BODY, &secrets(&["old", "new"]), NOW);
        assert_eq!(d.verdict, Verdict::Verified);
        assert!(d.message.contains("secret #2"));
        assert_eq!(codes(&d), ["matched_key"]);
    }

    #[test]
    fn wrong_secret_and_tampered_body() {
        let h: Headers = sign(Provider::ZohoSign, "k", ZOHO_BODY, 0)
            .unwrap()
            .into_iter()
            .collect();
        let mut tampered = ZOHO_BODY.to_vec();
        tampered[30] ^= 1;
        let d = diagnose(None, &h, &tampered, &secrets(&["k"]), NOW);
        assert_eq!(d.code, Some("signature_mismatch"));
        assert_eq!(codes(&d), ["no_variant_matched"]);
        assert!(!d.event_verified);
        let d = diagnose(None, &h, ZOHO_BODY, &secrets(&["wrong"]), NOW);
        assert_eq!(codes(&d), ["no_variant_matched"]);
    }

    #[test]
    fn unparseable_signature() {
        let d = diagnose(
            None,
            &headers(&[("X-ZS-WEBHOOK-SIGNATURE", "not a mac")]),
            ZOHO_BODY,
            &secrets(&["k"]),
            NOW,
        );
        assert_eq!(d.code, Some("malformed_signature"));
        assert_eq!(codes(&d), ["signature_unparseable"]);
    }

    #[test]
    fn acrobat_near_misses() {
        let config = VerifyConfig::with_client_ids(vec!["ABC123 ".into(), "xyz789".into()]);
        let d = diagnose(
            None,
            &headers(&[("X-AdobeSign-ClientId", "ABC123")]),
            ACROBAT_BODY,
            &config,
            NOW,
        );
        assert_eq!(d.code, Some("unknown_client_id"));
        assert_eq!(codes(&d), ["client_id_whitespace"]);
        let d = diagnose(
            None,
            &headers(&[("X-AdobeSign-ClientId", "XYZ789")]),
            ACROBAT_BODY,
            &config,
            NOW,
        );
        assert_eq!(codes(&d), ["client_id_case"]);
        let d = diagnose(
            None,
            &headers(&[("X-AdobeSign-ClientId", "nope")]),
            ACROBAT_BODY,
            &config,
            NOW,
        );
        assert_eq!(codes(&d), ["client_id_not_allowed"]);
        let d = diagnose(
            Some(Provider::AcrobatSign),
            &headers(&[("X-Client-Id", "xyz789")]),
            ACROBAT_BODY,
            &config,
            NOW,
        );
        assert_eq!(d.code, Some("missing_client_id"));
        assert_eq!(codes(&d), ["header_missing", "header_misnamed"]);
    }

    #[test]
    fn serializes_the_page_contract() {
        let h: Headers = sign(Provider::Yousign, "k", YOUSIGN_BODY, 0)
            .unwrap()
            .into_iter()
            .collect();
        let d = diagnose(None, &h, YOUSIGN_BODY, &secrets(&["k"]), NOW);
        let v: serde_json::Value = serde_json::from_str(&d.to_json_pretty()).unwrap();
        assert_eq!(v["verdict"], "verified");
        assert_eq!(v["provider"], "yousign");
        assert_eq!(v["detected"], "yousign");
        assert_eq!(v["code"], serde_json::Value::Null);
        assert_eq!(v["event_verified"], true);
        assert_eq!(v["event"]["type"], "esign.participant.signed");
        assert_eq!(v["mapping"]["provider_event"], "signer.done");
        assert_eq!(v["mapping"]["type"], "esign.participant.signed");
        assert!(v["findings"].as_array().unwrap().is_empty());
    }

    // security review L-1: `i64::MIN` as t or as now overflowed `abs()` (a panic in debug
    // builds, where these tests run).
    #[test]
    fn extreme_timestamps_do_not_overflow() {
        let tag = "ab".repeat(32);
        for t in ["-9223372036854775808", "9223372036854775807", "0"] {
            for now in [i64::MIN, i64::MAX, 0, NOW] {
                let h = headers(&[("x-zigned-request-signature", &format!("t={t},v1={tag}"))]);
                let d = diagnose(
                    Some(Provider::Zigned),
                    &h,
                    ZIGNED_BODY,
                    &secrets(&["zsec"]),
                    now,
                );
                assert_eq!(d.verdict, Verdict::NotVerified);
            }
        }
    }

    // security review M-2: indenting a deeply nested body costs width × depth per line, so
    // deep or large bodies get no re-laid-out variants (40 KB of `[` took 7 s and 2.35 GB).
    #[test]
    fn reformat_variants_are_bounded() {
        let deep = format!("{{\"x\":{}{}}}", "[".repeat(20_000), "]".repeat(20_000));
        let kinds: Vec<BodyKind> = body_variants(deep.as_bytes())
            .iter()
            .map(|(k, _)| *k)
            .collect();
        assert!(!kinds.contains(&BodyKind::Indent2), "{kinds:?}");
        let shallow = br#"{"a":[1,{"b":2}]}"#;
        let kinds: Vec<BodyKind> = body_variants(shallow).iter().map(|(k, _)| *k).collect();
        assert!(kinds.contains(&BodyKind::Indent2), "{kinds:?}");
        assert_eq!(
            nesting_depth(br#"{"a":"[[[[","b":[{}]}"#),
            3,
            "brackets in strings do not count"
        );
        let big = format!("{{\"a\":\"{}\"}}", "x".repeat(MAX_REFORMAT_BYTES));
        let kinds: Vec<BodyKind> = body_variants(big.as_bytes())
            .iter()
            .map(|(k, _)| *k)
            .collect();
        assert!(!kinds.contains(&BodyKind::Compact));
        // The whole diagnosis of the deep body stays quick and never traps.
        let h = headers(&[(
            "X-ZS-WEBHOOK-SIGNATURE",
            "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
        )]);
        let d = diagnose(
            Some(Provider::ZohoSign),
            &h,
            deep.as_bytes(),
            &secrets(&["s3cret"]),
            NOW,
        );
        assert_eq!(d.verdict, Verdict::NotVerified);
    }

    // Many `t=` stamps no longer multiply the work: distinct ones, at most MAX_STAMPS.
    #[test]
    fn stamps_are_deduplicated_and_capped() {
        let tag = "ab".repeat(32);
        let mut h = Headers::new();
        for i in 0..100 {
            h.append(format!("x-sig-{i}"), format!("t={},v1={tag}", i % 3));
        }
        let sources = signature_sources(&h);
        let keys = key_variants(&[Secret::new("k").unwrap()]);
        let bodies = body_variants(b"{}");
        // No hit, and it returns: the search over 3 distinct stamps.
        assert!(search(&sources, &keys, &bodies).is_empty());
    }

    #[test]
    fn duration_forms() {
        assert_eq!(duration(42), "42 s");
        assert_eq!(duration(303), "5 min 3 s");
        assert_eq!(duration(7980), "2 h 13 min");
        assert_eq!(duration(273_600), "3 d 4 h");
    }

    proptest::proptest! {
        #[test]
        fn never_panics(
            body in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..300),
            pairs in proptest::collection::vec((
                proptest::prop_oneof![
                    proptest::strategy::Just("X-ZS-WEBHOOK-SIGNATURE".to_owned()),
                    proptest::strategy::Just("x-zigned-request-signature".to_owned()),
                    proptest::strategy::Just("X-Yousign-Signature-256".to_owned()),
                    proptest::strategy::Just("X-AdobeSign-ClientId".to_owned()),
                    "[ -~]{0,24}",
                ],
                proptest::prop_oneof![
                    "t=[0-9]{0,20},v1=[0-9a-f]{0,70}",
                    "(sha256=)?[A-Za-z0-9+/=]{0,50}",
                    ".{0,60}",
                ],
            ), 0..4),
            secret_list in proptest::collection::vec(".{1,20}", 0..3),
            which in 0usize..5,
            now in proptest::prelude::any::<i64>(),
            json in proptest::prelude::any::<bool>(),
        ) {
            let headers: Headers = pairs.into_iter().collect();
            let body = if json { ZOHO_BODY.to_vec() } else { body };
            let config = VerifyConfig {
                secrets: secret_list.iter().filter_map(|s| Secret::new(s).ok()).collect(),
                client_ids: secret_list.clone(),
                ..VerifyConfig::default()
            };
            let provider = Provider::ALL.get(which).copied();
            let d = diagnose(provider, &headers, &body, &config, now);
            let _ = d.to_json_pretty();
        }

        #[test]
        fn reformat_keeps_json_valid(value in proptest_json()) {
            let text = serde_json::to_string(&value).unwrap();
            for style in [Style::Compact, Style::Indent(2), Style::Indent(4), Style::Python, Style::Php] {
                let out = reformat(&text, style);
                let back: serde_json::Value = serde_json::from_str(&out).unwrap();
                proptest::prop_assert_eq!(&back, &value);
            }
        }
    }

    fn proptest_json() -> impl proptest::strategy::Strategy<Value = serde_json::Value> {
        use proptest::prelude::*;
        let leaf = prop_oneof![
            Just(serde_json::Value::Null),
            any::<bool>().prop_map(serde_json::Value::Bool),
            any::<i32>().prop_map(|n| serde_json::json!(n)),
            "\\PC{0,8}".prop_map(serde_json::Value::String),
        ];
        leaf.prop_recursive(4, 32, 4, |inner| {
            prop_oneof![
                proptest::collection::vec(inner.clone(), 0..4).prop_map(serde_json::Value::Array),
                proptest::collection::btree_map("[a-z/é]{0,4}", inner, 0..4)
                    .prop_map(|m| serde_json::Value::Object(m.into_iter().collect())),
            ]
        })
    }
}
