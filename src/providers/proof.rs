//! What a delivery is checked against ([`VerifyConfig`]), the check itself ([`verify`] →
//! [`Verified`], [`precheck`], [`verify_intent`]), and the proof helpers the provider files
//! share.

use crate::error::{Error, ErrorKind};
use crate::event::{Covers, Scheme, Verification};
use crate::headers::Headers;
use crate::secret::Secret;
use crate::verify::{find_key, hex_encode};

use super::{acrobat_sign, grammar, Keys, ProofAt, Provider};

/// What a delivery is checked against.
#[derive(Debug, Clone)]
pub struct VerifyConfig {
    /// HMAC secrets, several at once during rotation (every provider but Acrobat Sign).
    pub secrets: Vec<Secret>,
    /// Allowed client ids (Acrobat Sign).
    pub client_ids: Vec<String>,
    /// How far a signed timestamp may lie from `now`, either side (Zigned, DocuSeal,
    /// BoldSign).
    /// Default 300 s.
    pub tolerance_seconds: u64,
    /// Larger bodies fail with `payload_too_large`. Default 10 MiB, Acrobat Sign's own limit.
    pub max_body_bytes: usize,
    /// The oldest a provider's own event time may be, in seconds before `now`, when the
    /// proof covers it (Zoho Sign `performed_at`, Yousign `event_time`, DocuSign
    /// `generatedDateTime` in a signed body; Dropbox Sign `event_time`, SignWell
    /// `event.time` in the signed event metadata): an older delivery fails
    /// [`Verified::normalize`] with `event_too_old`, so that a captured delivery cannot be
    /// replayed forever. Where the proof also covers a signed timestamp (BoldSign,
    /// DocuSeal, Box Sign, SignatureAPI, Zigned), that timestamp's tolerance is the replay
    /// bound instead. Default [`DEFAULT_MAX_EVENT_AGE_SECONDS`] (7 days), as in the Worker
    /// and the npm package; `None` checks nothing.
    pub max_event_age_seconds: Option<u64>,
    /// How far a provider's own event time that the proof covers may lie after `now`, in
    /// seconds: a later one fails [`Verified::normalize`] with `event_too_new` (a forged or
    /// broken clock must not order genuine events behind it). Default 300.
    pub max_clock_skew_seconds: u64,
    /// The most events one delivery may hold (a PandaDoc array), counted before any is
    /// built: more is `too_many_events`. Default 100.
    pub max_events_per_delivery: usize,
}

/// Seven days: longer than every provider's retry schedule (Yousign retries for about
/// 4 days, Acrobat Sign 72 h, Dropbox Sign about 3 days), so a genuine retry is never
/// refused as too old.
pub const DEFAULT_MAX_EVENT_AGE_SECONDS: u64 = 7 * 24 * 3600;

/// Default allowed lead of a provider's event time over `now`, in seconds.
pub const DEFAULT_MAX_CLOCK_SKEW_SECONDS: u64 = 300;

/// Default most events per delivery.
pub const DEFAULT_MAX_EVENTS_PER_DELIVERY: usize = 100;

/// Default signed-timestamp tolerance, in seconds.
pub const DEFAULT_TOLERANCE_SECONDS: u64 = 300;
/// Default body size limit, in bytes.
pub const DEFAULT_MAX_BODY_BYTES: usize = 10 * 1024 * 1024;

impl Default for VerifyConfig {
    fn default() -> VerifyConfig {
        VerifyConfig {
            secrets: Vec::new(),
            client_ids: Vec::new(),
            tolerance_seconds: DEFAULT_TOLERANCE_SECONDS,
            max_body_bytes: DEFAULT_MAX_BODY_BYTES,
            max_event_age_seconds: Some(DEFAULT_MAX_EVENT_AGE_SECONDS),
            max_clock_skew_seconds: DEFAULT_MAX_CLOCK_SKEW_SECONDS,
            max_events_per_delivery: DEFAULT_MAX_EVENTS_PER_DELIVERY,
        }
    }
}

impl VerifyConfig {
    /// A config holding `secrets`, with default tolerance and size limit.
    pub fn with_secrets(secrets: Vec<Secret>) -> VerifyConfig {
        VerifyConfig {
            secrets,
            ..VerifyConfig::default()
        }
    }

    /// A config holding Acrobat Sign `client_ids`, with default size limit.
    pub fn with_client_ids(client_ids: Vec<String>) -> VerifyConfig {
        VerifyConfig {
            client_ids,
            ..VerifyConfig::default()
        }
    }
}

/// A delivery whose proof checked out. Only this can be normalized without saying
/// "unverified".
#[derive(Debug, Clone)]
pub struct Verified<'a> {
    pub(super) provider: Provider,
    pub(super) body: &'a [u8],
    pub(super) verification: Verification,
    pub(super) signed_at: Option<i64>,
    pub(super) client_id: Option<String>,
    /// `now` and the bounds `normalize` checks.
    pub(super) now: i64,
    pub(super) max_event_age_seconds: Option<u64>,
    pub(super) max_clock_skew_seconds: u64,
    pub(super) max_events_per_delivery: usize,
}

/// Verifies one delivery: the provider's proof over the exact `body` bytes, before any
/// parsing. `now` is Unix seconds (the core never reads a clock).
///
/// # Errors
/// `payload_too_large`, `no_secret_configured`, `missing_signature`,
/// `malformed_signature`, `signature_mismatch`, `timestamp_out_of_tolerance`,
/// `missing_client_id`, `unknown_client_id`.
pub fn verify<'a>(
    provider: Provider,
    headers: &Headers,
    body: &'a [u8],
    config: &VerifyConfig,
    now: i64,
) -> Result<Verified<'a>, Error> {
    if body.len() > config.max_body_bytes {
        return Err(Error::new(
            ErrorKind::PayloadTooLarge,
            format!(
                "body has {} bytes, the limit is {}",
                body.len(),
                config.max_body_bytes
            ),
        ));
    }
    let proof = (provider.spec().verify)(headers, body, config, now)?;
    Ok(Verified {
        provider,
        body,
        verification: proof.verification,
        signed_at: proof.signed_at,
        client_id: proof.client_id,
        now,
        max_event_age_seconds: config.max_event_age_seconds,
        max_clock_skew_seconds: config.max_clock_skew_seconds,
        max_events_per_delivery: config.max_events_per_delivery,
    })
}

/// The checks of [`verify`] that need no body: a configured secret (or client id) and a
/// proof header present, or for a proof spread over several headers (Box Sign,
/// SignatureAPI) every header `verify` reads before the body. The Worker runs them before
/// it reads a byte of the body, so an unsigned request or an unconfigured route costs
/// nothing (security review M-1).
///
/// # Errors
/// `no_secret_configured`, `missing_signature`, `missing_client_id`; for the providers
/// proven by a bearer secret or a client id alone, or by several headers, whatever
/// [`verify`] would say about the headers (`malformed_signature`, `signature_mismatch`,
/// `unknown_client_id`). Always the same error [`verify`] would give.
pub fn precheck(provider: Provider, headers: &Headers, config: &VerifyConfig) -> Result<(), Error> {
    match provider.spec().keys {
        // A client id is checked from the headers alone.
        Keys::ClientIds => (provider.spec().verify)(headers, &[], config, 0).map(|_| ()),
        Keys::Secrets => {
            require_secrets(provider, &config.secrets)?;
            match provider.proof_at() {
                // A proof in the body is looked for once the body is read.
                ProofAt::Body => Ok(()),
                ProofAt::Query => query_proof(headers, provider.proof_header()).map(|_| ()),
                // A bearer secret (Documenso, OneSpan Sign) is the whole proof and ignores
                // the body: checked in full here (fuzz finding F-1: `Basic` without a key
                // passed a presence check, and the body was read for nothing). A MAC the
                // diagnosis cannot recompute (`mac: None`) is no bearer secret: it covers
                // the body, which is not read yet.
                ProofAt::Header if provider.spec().bearer => {
                    (provider.spec().verify)(headers, &[], config, 0).map(|_| ())
                }
                ProofAt::Header => match provider.spec().precheck {
                    // Every header `verify` reads before the body (fuzz finding F-3: Box
                    // Sign's secondary key alone was refused here, and a missing signed
                    // time passed).
                    Some(check) => check(headers),
                    None => signature_header(headers, provider.proof_header()).map(|_| ()),
                },
            }
        }
    }
}

/// Acrobat Sign's "verification of intent" (the GET on webhook creation): the client id
/// to echo when it is allowed.
///
/// # Errors
/// `no_secret_configured` with no client ids, `missing_client_id`, `unknown_client_id`.
pub fn verify_intent(headers: &Headers, client_ids: &[String]) -> Result<String, Error> {
    let proof = acrobat_sign::verify(headers, client_ids)?;
    Ok(proof.client_id.unwrap_or_default())
}

/// The proof in the query parameter `name`: `missing_signature` when absent or empty
/// (or no query was given), `malformed_signature` when given more than once.
pub(super) fn query_proof(headers: &Headers, name: &str) -> Result<String, Error> {
    let mut values = headers.query_values(name);
    match values.len() {
        0 if headers.query().is_none() => Err(Error::new(
            ErrorKind::MissingSignature,
            format!("no request URL was given: the proof is its ?{name}= query parameter"),
        )),
        0 => Err(Error::new(
            ErrorKind::MissingSignature,
            format!("the request URL has no ?{name}= query parameter"),
        )),
        1 => {
            let value = values.pop().unwrap_or_default();
            if value.trim().is_empty() {
                return Err(Error::new(
                    ErrorKind::MissingSignature,
                    format!("the URL's {name} query parameter is empty"),
                ));
            }
            Ok(value)
        }
        n => Err(Error::new(
            ErrorKind::MalformedSignature,
            format!("the request URL has {n} {name} query parameters; the provider sends one"),
        )),
    }
}

/// What a provider's `verify` proved.
pub(crate) struct Proof {
    pub(super) verification: Verification,
    pub(super) signed_at: Option<i64>,
    pub(super) client_id: Option<String>,
}

impl Proof {
    /// The proof of an HMAC-SHA256 that covers `covers`, made with configured key `key`,
    /// over the signed timestamp `signed_at` if it has one.
    pub(super) fn hmac(covers: Covers, key: usize, signed_at: Option<i64>) -> Proof {
        Proof {
            verification: Verification {
                scheme: Scheme::HmacSha256,
                covers,
                key,
            },
            signed_at,
            client_id: None,
        }
    }
}

/// Fails closed when nothing is configured to check against.
pub(super) fn require_secrets(provider: Provider, secrets: &[Secret]) -> Result<(), Error> {
    if secrets.is_empty() {
        return Err(Error::new(
            ErrorKind::NoSecretConfigured,
            format!("no secret configured for {provider}: refusing every delivery"),
        ));
    }
    Ok(())
}

/// The proof of an HMAC over `<t>.<body>` (Zigned, DocuSeal, BoldSign): which secret
/// produced one of `tags`, then whether `signed_at` (the seconds `t` says) lies within
/// `tolerance` of `now`. The MAC first: a forged request learns nothing about our clock.
/// `mismatch` says, for the error, what did not match.
#[allow(clippy::too_many_arguments)]
pub(super) fn timestamped_proof(
    secrets: &[Secret],
    t: &str,
    signed_at: i64,
    tags: &[Vec<u8>],
    body: &[u8],
    now: i64,
    tolerance: u64,
    mismatch: &str,
) -> Result<Proof, Error> {
    let key = find_key(secrets, &[t.as_bytes(), b".", body], tags).ok_or_else(|| {
        Error::new(
            ErrorKind::SignatureMismatch,
            format!("{mismatch} under any configured secret"),
        )
    })?;
    crate::verify::check_window(signed_at, now, tolerance)?;
    Ok(Proof::hmac(Covers::TimestampAndBody, key, Some(signed_at)))
}

/// The proof of a provider whose header is written in the pairs grammar (Zigned,
/// BoldSign): the header parsed by `grammar`, its hex tags tried against every secret over
/// `<t>.<body>`, then the window.
pub(super) fn pairs_proof(
    grammar: &grammar::Grammar,
    provider: Provider,
    headers: &Headers,
    body: &[u8],
    config: &VerifyConfig,
    now: i64,
) -> Result<Proof, Error> {
    require_secrets(provider, &config.secrets)?;
    let pairs = grammar.parse(signature_header(headers, grammar.header)?)?;
    let signed_at = grammar.seconds(pairs.t)?;
    let tags = pairs
        .tags
        .iter()
        .map(|(key, text)| crate::verify::decode_tag(text, crate::verify::hex_decode, key, "hex"))
        .collect::<Result<Vec<_>, _>>()?;
    timestamped_proof(
        &config.secrets,
        pairs.t,
        signed_at,
        &tags,
        body,
        now,
        config.tolerance_seconds,
        &format!(
            "no {} in {} matches \"<t>.<body>\"",
            grammar.tags.first(),
            grammar.header
        ),
    )
}

/// The hex tag over `<timestamp>.<body>` a timestamped provider signs, and the timestamp's
/// text (for the header `sign` writes).
pub(super) fn timestamped_tag(secret: &Secret, body: &[u8], timestamp: i64) -> (String, String) {
    let t = timestamp.to_string();
    let tag = hex_encode(&crate::verify::hmac_sha256(
        secret,
        &[t.as_bytes(), b".", body],
    ));
    (t, tag)
}

/// The proof of an HMAC over the event's metadata, carried in the body (SignWell,
/// Dropbox Sign: `covers: "event-metadata"`). `read` parses the payload into the proof's
/// text and the MACed message (`None` when a part is missing or not a string or number);
/// `signed` describes that message for errors (`"<event.type>@<event.time>"`).
pub(super) fn metadata_proof(
    provider: Provider,
    secrets: &[Secret],
    signed: &str,
    read: impl FnOnce() -> Result<(Option<String>, Option<String>), Error>,
) -> Result<Proof, Error> {
    require_secrets(provider, secrets)?;
    let path = provider.proof_header();
    let (hash, message) = read()?;
    let Some(hash) = hash else {
        return Err(Error::new(
            ErrorKind::MissingSignature,
            format!("the payload has no {path}"),
        ));
    };
    let tag = crate::verify::decode_tag(hash.trim(), crate::verify::hex_decode, path, "hex")?;
    let message = message.ok_or_else(|| {
        Error::new(
            ErrorKind::SignatureMismatch,
            format!("a part of the MACed {signed} is missing from the payload, or not a string or number"),
        )
    })?;
    let key = find_key(secrets, &[message.as_bytes()], &[tag]).ok_or_else(|| {
        Error::new(
            ErrorKind::SignatureMismatch,
            format!("{path} does not match {signed} under any configured key"),
        )
    })?;
    Ok(Proof::hmac(Covers::EventMetadata, key, None))
}

/// A separator-less `<time><type>` message (Dropbox Sign, Xodo Sign) must split one way
/// only: `time` 1 to 18 ASCII digits (Unix seconds), `event_type` not empty and not
/// starting with a digit. Otherwise a captured proof could be re-split (its time moved into
/// the type) to escape the age bound (security review T3-5). Missing parts are left to the
/// MAC check, which refuses them. `fields` name the two parts for the error; `signed` what
/// the MAC covers.
pub(super) fn one_way_split(
    time: Option<&str>,
    event_type: Option<&str>,
    fields: (&str, &str),
    signed: &str,
) -> Result<(), Error> {
    let malformed = |why: String| {
        Error::new(
            ErrorKind::MalformedSignature,
            format!("{why}: the MACed {signed} would not split one way only"),
        )
    };
    if let Some(time) = time {
        if time.is_empty() || time.len() > 18 || !time.bytes().all(|b| b.is_ascii_digit()) {
            return Err(malformed(format!("{} is not 1 to 18 digits", fields.0)));
        }
    }
    if let Some(event_type) = event_type {
        if event_type.bytes().next().is_none_or(|b| b.is_ascii_digit()) {
            return Err(malformed(format!(
                "{} is empty or starts with a digit",
                fields.1
            )));
        }
    }
    Ok(())
}

/// The hex tag an event-metadata proof carries for `message`.
pub(super) fn metadata_tag(secret: &Secret, message: &str) -> String {
    hex_encode(&crate::verify::hmac_sha256(secret, &[message.as_bytes()]))
}

/// The proof of a body-only HMAC (Zoho Sign, Yousign, DocuSign's several headers, …):
/// which secret produced one of `tags`, every tag tried against every secret in constant
/// time. `mismatch` says, for the error, what did not match.
pub(super) fn body_hmac_proof(
    secrets: &[Secret],
    body: &[u8],
    tags: &[Vec<u8>],
    mismatch: &str,
) -> Result<Proof, Error> {
    let key = find_key(secrets, &[body], tags).ok_or_else(|| {
        Error::new(
            ErrorKind::SignatureMismatch,
            format!("{mismatch} under any configured secret"),
        )
    })?;
    Ok(Proof::hmac(Covers::Body, key, None))
}

/// The proof header's value, or `missing_signature` when absent or blank.
pub(super) fn signature_header<'h>(headers: &'h Headers, name: &str) -> Result<&'h str, Error> {
    match headers.get(name).map(crate::headers::trim_ows) {
        Some(value) if !value.is_empty() => Ok(value),
        Some(_) => Err(Error::new(
            ErrorKind::MissingSignature,
            format!("{name} header is empty"),
        )),
        None => Err(Error::new(
            ErrorKind::MissingSignature,
            format!("{name} header is missing"),
        )),
    }
}
