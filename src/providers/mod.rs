//! The providers: one file each, and the dispatch over them.
//!
//! Data path: [`verify`] checks the proof over the exact request bytes and returns a
//! [`Verified`]; only then does [`Verified::normalize`] parse the body (lazily, with private
//! borrowing wire structs) into an [`Event`]. [`normalize_unverified`] is the one, loudly
//! named, way around the proof, for the validator page and the CLI's `normalize`.

mod account;
mod fresh;
pub(crate) mod grammar;
mod multipart;
mod redact;
mod spec;
mod wire;

// The providers' files, one each (declared here, not in `registry!`, so that `cargo fmt`
// and every other tool sees them).
mod acrobat_sign;
mod boldsign;
mod box_sign;
mod documenso;
mod docuseal;
mod docusign;
mod dropbox_sign;
mod onespan_sign;
mod pandadoc;
mod signable;
mod signatureapi;
mod signwell;
mod xodo_sign;
mod yousign;
mod zigned;
mod zoho_sign;

use std::fmt;
use std::str::FromStr;

use serde::{Serialize, Serializer};

use crate::error::{Error, ErrorKind};
use crate::event::{
    Actor, Covers, Document, Envelope, EnvelopeStatus, Event, EventData, EventType, Participant,
    RawJson, Scheme, Verification,
};
use crate::headers::Headers;
use crate::secret::Secret;
use crate::time;
use crate::verify::{find_key, hex_encode, sha256};

pub use account::{account_field, account_id};
pub use fresh::{refresh as refresh_times, time_in_body};

pub use spec::{Echo, Sample};
pub(crate) use spec::{Enc, Keys, MacScheme, Signed, Spec};

/// Declares the providers: for each, its `Provider` variant and its module (one file under
/// `src/providers/`, declared above, which holds its `SPEC`). Everything else derives from
/// the list.
macro_rules! registry {
    ($($(#[$doc:meta])* $variant:ident => $module:ident,)*) => {

        /// An e-signature provider whose webhooks this crate verifies and normalizes.
        #[non_exhaustive]
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Provider {
            $($(#[$doc])* $variant,)*
        }

        /// How many providers there are.
        const COUNT: usize = [$(stringify!($variant),)*].len();

        impl Provider {
            /// Every provider, in documentation order.
            pub const ALL: [Provider; COUNT] = [$(Provider::$variant,)*];

            /// The provider's declaration (its file's `SPEC`).
            pub(crate) const fn spec(self) -> &'static Spec {
                match self {
                    $(Provider::$variant => &$module::SPEC,)*
                }
            }
        }
    };
}

// The registry: one line per provider. A new provider is a new file, its `mod` line above
// and a line here (CONTRIBUTING.md walks through it).
registry! {
    /// Zoho Sign: base64 HMAC-SHA256 of the body in `X-ZS-WEBHOOK-SIGNATURE`.
    ZohoSign => zoho_sign,
    /// Adobe Acrobat Sign: an allow-listed `X-AdobeSign-ClientId`, echoed back.
    AcrobatSign => acrobat_sign,
    /// Zigned: `t=<ts>,v1=<hex>` over `<t>.<body>` in `x-zigned-request-signature`.
    Zigned => zigned,
    /// Yousign: `sha256=<hex>` of the body in `X-Yousign-Signature-256`.
    Yousign => yousign,
    /// DocuSign Connect: base64 HMAC-SHA256 of the body in `X-DocuSign-Signature-1..N`.
    DocuSign => docusign,
    /// DocuSeal: `<ts>.<hex>` over `<ts>.<body>` in `X-Docuseal-Signature`.
    DocuSeal => docuseal,
    /// Documenso: the webhook secret as is in `X-Documenso-Secret` (no MAC).
    Documenso => documenso,
    /// OneSpan Sign: `Authorization: Basic <callback key>`, the raw key (no MAC).
    OneSpanSign => onespan_sign,
    /// BoldSign: `t=<ts>, s0=<hex>[, s1=<hex>]` over `<t>.<body>` in `X-BoldSign-Signature`.
    BoldSign => boldsign,
    /// SignWell: `event.hash` in the body, hex HMAC of `<event.type>@<event.time>` keyed
    /// with the webhook id (the payload itself is not covered).
    SignWell => signwell,
    /// Dropbox Sign: `event.event_hash` in the body (multipart field `json`), hex HMAC of
    /// `<event_time><event_type>` keyed with the API key (the payload itself is not covered).
    DropboxSign => dropbox_sign,
    /// PandaDoc: `?signature=<hex>` in the URL, hex HMAC of the body (a JSON array: one
    /// event per element).
    PandaDoc => pandadoc,
    /// Signable: base64 HMAC-SHA256 of the body in `Signature`.
    Signable => signable,
    /// Xodo Sign (formerly eversign): `event_hash` in the body, hex HMAC of
    /// `<event_time><event_type>` keyed with the API access key (the payload itself is not
    /// covered).
    XodoSign => xodo_sign,
    /// Box Sign: base64 HMAC-SHA256 of the body followed by `BOX-DELIVERY-TIMESTAMP` in
    /// `BOX-SIGNATURE-PRIMARY` / `-SECONDARY`, at most 600 s old.
    BoxSign => box_sign,
    /// SignatureAPI: Standard Webhooks, `v1,<base64>` over `<id>.<timestamp>.<body>` in
    /// `webhook-signature`.
    SignatureApi => signatureapi,
}

impl Provider {
    /// The route, CLI and npm name: `zoho-sign`, `acrobat-sign`, `zigned`, `yousign`,
    /// `docusign`, `docuseal`, `documenso`, `onespan-sign`, `boldsign`, `signwell`,
    /// `dropbox-sign`, `pandadoc`.
    pub const fn as_str(self) -> &'static str {
        self.spec().name
    }

    /// The name for people: `Zoho Sign`, `Acrobat Sign`, …
    pub const fn title(self) -> &'static str {
        self.spec().title
    }

    /// The header carrying the provider's proof; for a provider whose proof is in the body
    /// ([`Provider::proof_in_body`]), its dotted path there (`event.hash`).
    pub const fn proof_header(self) -> &'static str {
        self.spec().proof_header
    }

    /// Where the proof travels: a header, the body, or the URL's query.
    pub const fn proof_at(self) -> ProofAt {
        self.spec().proof_at
    }

    /// Whether the proof travels in the body (SignWell's `event.hash`) rather than a header.
    pub const fn proof_in_body(self) -> bool {
        matches!(self.spec().proof_at, ProofAt::Body)
    }

    /// Whether a delivery's body is a list of events (PandaDoc's JSON array): use
    /// [`Verified::normalize_all`].
    pub const fn is_batch(self) -> bool {
        self.spec().batch
    }

    /// The Worker var holding the provider's secrets (or, for a provider proven by an
    /// allow-listed client id, the client ids): `ZOHO_SIGN_SECRETS`, …
    pub const fn config_var(self) -> &'static str {
        self.spec().config_var
    }

    /// The public, fake value of [`Provider::config_var`] used in local development
    /// (`.dev.vars.example`, the page's test delivery): refused by a deployed Worker.
    pub const fn example_secret(self) -> &'static str {
        self.spec().example_secret
    }

    /// Sample deliveries in the provider's documented shape (made-up ids and people), one
    /// per event: the validator page's test deliveries.
    pub const fn samples(self) -> &'static [Sample] {
        self.spec().samples
    }

    /// What to know about a signed test delivery of this provider (how it proves a
    /// delivery, what origin should check), if more than "the Worker holds the secret".
    pub const fn delivery_note(self) -> Option<&'static str> {
        self.spec().delivery_note
    }

    /// What [`Provider::config_var`] holds, for people (README's configuration table,
    /// `.dev.vars.example`).
    pub const fn secrets_note(self) -> &'static str {
        self.spec().secrets_note
    }

    /// Whether deliveries are checked against allow-listed client ids (echoed back in the
    /// answer) rather than secrets.
    pub fn takes_client_ids(self) -> bool {
        self.spec().keys == Keys::ClientIds
    }

    /// Whether the proof signs a timestamp checked against `tolerance_seconds`.
    pub const fn signs_timestamp(self) -> bool {
        self.spec().signs_timestamp
    }

    /// The provider's documented event names and the type each maps to.
    pub fn event_types(self) -> &'static [(&'static str, EventType)] {
        self.spec().events
    }

    /// Whether `event` (verified and normalized) is the provider's setup handshake
    /// (BoldSign's `Verification`): to be answered 200 and never delivered.
    pub fn is_handshake(self, event: &Event) -> bool {
        self.spec().handshake.is_some_and(|is| is(event))
    }

    /// Where the provider requires its client id echoed back in the answer (Acrobat Sign's
    /// `X-AdobeSign-ClientId` header and `xAdobeSignClientId` field), if it does.
    pub const fn echo(self) -> Option<Echo> {
        self.spec().echo
    }

    /// The exact body the provider requires in the `200` acknowledging a delivery (Dropbox
    /// Sign: `Hello API Event Received`), if it requires one.
    pub fn answer(self) -> Option<&'static str> {
        self.spec().answer
    }

    /// The normalized type of a provider event name; `esign.other` when unknown.
    pub fn event_type(self, provider_event: &str) -> EventType {
        self.event_types()
            .iter()
            .find(|(name, _)| *name == provider_event)
            .map_or(EventType::Other, |(_, t)| *t)
    }
}

impl fmt::Display for Provider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Provider {
    type Err = Error;

    fn from_str(name: &str) -> Result<Provider, Error> {
        Provider::ALL
            .into_iter()
            .find(|p| p.as_str() == name)
            .ok_or_else(|| {
                let names: Vec<&str> = Provider::ALL.iter().map(|p| p.as_str()).collect();
                Error::new(
                    ErrorKind::UnknownProvider,
                    format!(
                        "unknown provider {name:?}, expected one of {}",
                        names.join(", ")
                    ),
                )
            })
    }
}

impl Serialize for Provider {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

/// Where a provider's proof travels.
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProofAt {
    /// A request header ([`Provider::proof_header`]).
    Header,
    /// The body, at [`Provider::proof_header`]'s dotted path (SignWell, Dropbox Sign).
    Body,
    /// The request URL's query parameter [`Provider::proof_header`] (PandaDoc's
    /// `?signature=`): give it with [`Headers::set_query`].
    Query,
}

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
    /// replayed forever. `None` (the library's default) checks nothing; the Worker sets
    /// [`DEFAULT_MAX_EVENT_AGE_SECONDS`] unless told otherwise.
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
    provider: Provider,
    body: &'a [u8],
    verification: Verification,
    signed_at: Option<i64>,
    client_id: Option<String>,
    /// `now` and the bounds `normalize` checks.
    now: i64,
    max_event_age_seconds: Option<u64>,
    max_clock_skew_seconds: u64,
    max_events_per_delivery: usize,
}

impl<'a> Verified<'a> {
    /// The provider.
    pub fn provider(&self) -> Provider {
        self.provider
    }

    /// The exact bytes that were verified.
    pub fn body(&self) -> &'a [u8] {
        self.body
    }

    /// How it was verified, and which key matched.
    pub fn verification(&self) -> Verification {
        self.verification
    }

    /// The signed timestamp, in Unix seconds (Zigned, DocuSeal, BoldSign).
    pub fn signed_at(&self) -> Option<i64> {
        self.signed_at
    }

    /// Acrobat Sign: the client id to echo back in the answer.
    pub fn client_id(&self) -> Option<&str> {
        self.client_id.as_deref()
    }

    /// Parses the verified body into the unified [`Event`].
    ///
    /// Fails with `malformed_payload` when the body is not a JSON object, and with
    /// `event_too_old` when [`VerifyConfig::max_event_age_seconds`] is set, the proof
    /// covers the body, and the provider's event time in it is older than that. Unknown
    /// events and odd fields become `esign.other` or `null`, never an error. A delivery of
    /// several events (PandaDoc) fails with `multiple_events`: use
    /// [`Verified::normalize_all`], so that none is dropped.
    pub fn normalize(&self) -> Result<Event, Error> {
        single(self.normalize_all()?)
    }

    /// Parses the verified body into every [`Event`] it holds: one for most providers,
    /// one per element of a PandaDoc array (in order; ids `<X-PandaDoc-Webhook-Event-Id>:<index>`,
    /// stable across retries). Fails as [`Verified::normalize`] does, for the whole
    /// delivery if any event fails: nothing is half accepted.
    pub fn normalize_all(&self) -> Result<Vec<Event>, Error> {
        let events = normalize_events(
            self.provider,
            self.body,
            Some(self.verification),
            self.signed_at,
            self.max_events_per_delivery,
        )?;
        for event in &events {
            self.check_age(event)?;
        }
        Ok(events)
    }

    /// The replay bound and the clock bound, on a time the proof covers only: the body's
    /// (the proof covers the body) or the event metadata's (Dropbox Sign's `event_time`,
    /// SignWell's `event.time`, MACed with the type).
    ///
    /// - More than `max_clock_skew_seconds` after `now`: `event_too_new` (a future time
    ///   would otherwise order every later genuine event of its envelope behind it).
    /// - More than `max_event_age_seconds` before `now`: `event_too_old`.
    /// - No readable time: passes when the proof covers the body (the payloads seen always
    ///   carry one; refusing would reject a genuine delivery that lacks it), but fails as
    ///   `event_too_old` for a metadata-only proof when an age bound is set: there the
    ///   signed time is the only thing that stops a captured proof from being replayed
    ///   with any payload, for ever.
    fn check_age(&self, event: &Event) -> Result<(), Error> {
        let covers = self.verification.covers;
        if !matches!(covers, Covers::Body | Covers::EventMetadata) {
            return Ok(());
        }
        let Some(at_ms) = event
            .time
            .as_deref()
            .and_then(crate::time::parse_rfc3339_millis)
        else {
            if covers == Covers::EventMetadata {
                if let Some(max_age) = self.max_event_age_seconds {
                    return Err(Error::new(
                        ErrorKind::EventTooOld,
                        format!(
                            "the signed event time is missing or unreadable, so the {max_age} s maximum age cannot be checked: the proof covers only the event's type and time"
                        ),
                    ));
                }
            }
            return Ok(());
        };
        let at = at_ms.div_euclid(1000);
        let ahead = at.saturating_sub(self.now);
        if ahead > 0 && ahead.unsigned_abs() > self.max_clock_skew_seconds {
            return Err(Error::new(
                ErrorKind::EventTooNew,
                format!(
                    "the event time {} is {ahead} s after now, beyond the {} s allowed clock skew",
                    event.time.as_deref().unwrap_or_default(),
                    self.max_clock_skew_seconds
                ),
            ));
        }
        let Some(max_age) = self.max_event_age_seconds else {
            return Ok(());
        };
        let age = self.now.saturating_sub(at);
        if age > 0 && age.unsigned_abs() > max_age {
            return Err(Error::new(
                ErrorKind::EventTooOld,
                format!(
                    "the event time {} is {age} s before now, beyond the {max_age} s maximum age: a replay, or a retry older than any provider's schedule",
                    event.time.as_deref().unwrap_or_default()
                ),
            ));
        }
        Ok(())
    }
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
/// proof header present. The Worker runs them before it reads a byte of the body, so an
/// unsigned request or an unconfigured route costs nothing (security review M-1).
///
/// # Errors
/// `no_secret_configured`, `missing_signature`, `missing_client_id`; for the providers
/// proven by a bearer secret or a client id alone, whatever [`verify`] would say about the
/// headers (`malformed_signature`, `signature_mismatch`, `unknown_client_id`). Always the
/// same error [`verify`] would give.
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
                ProofAt::Header => signature_header(headers, provider.proof_header()).map(|_| ()),
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

/// Normalizes a body WITHOUT checking any proof. For inspecting a payload (the validator
/// page, `signhook normalize`); the event's `data.verification` is `null`. A delivery of
/// several events fails with `multiple_events` (see [`normalize_unverified_all`]).
pub fn normalize_unverified(provider: Provider, body: &[u8]) -> Result<Event, Error> {
    single(normalize_unverified_all(provider, body)?)
}

/// Every event of a body, WITHOUT checking any proof (see [`normalize_unverified`]).
pub fn normalize_unverified_all(provider: Provider, body: &[u8]) -> Result<Vec<Event>, Error> {
    normalize_events(provider, body, None, None, DEFAULT_MAX_EVENTS_PER_DELIVERY)
}

/// The one event of a delivery, or why there is not exactly one.
pub(crate) fn single(mut events: Vec<Event>) -> Result<Event, Error> {
    match events.len() {
        1 => events.pop().ok_or_else(|| Error::new(ErrorKind::MalformedPayload, "no event")),
        0 => Err(Error::new(
            ErrorKind::MalformedPayload,
            "the delivery holds no event (an empty array)",
        )),
        n => Err(Error::new(
            ErrorKind::MultipleEvents,
            format!("the delivery holds {n} events: normalize them all (normalize_all, npm verifyAll) so that none is dropped"),
        )),
    }
}

/// The headers `provider` would send with `body`, for producing test deliveries. For a
/// provider whose proof is in the body (SignWell) only `Content-Type`: send the body
/// [`sign_body`] returns.
/// `key` is the secret, or for Acrobat Sign the client id. `timestamp` (Unix seconds)
/// is signed by Zigned, DocuSeal and BoldSign and ignored by the others.
///
/// # Errors
/// `invalid_secret` for an empty key.
pub fn sign(
    provider: Provider,
    key: &str,
    body: &[u8],
    timestamp: i64,
) -> Result<Vec<(&'static str, String)>, Error> {
    let secret = Secret::new(key)?;
    let mut headers = vec![("Content-Type", "application/json".to_owned())];
    if provider.proof_at() == ProofAt::Header {
        match provider.spec().sign_headers {
            Some(sign_headers) => headers.extend(sign_headers(&secret, key, body, timestamp)),
            None => {
                let proof = (provider.spec().sign)(&secret, key, body, timestamp);
                headers.push((provider.proof_header(), proof));
            }
        }
    }
    Ok(headers)
}

/// The body to send with [`sign`]'s headers: for a provider whose proof is in the body
/// (SignWell), `body` with the proof written at [`Provider::proof_header`]'s path
/// (`event.hash`, the JSON re-serialized compactly); for the others, `body` unchanged.
///
/// # Errors
/// `invalid_secret` for an empty key; `malformed_payload` when the proof goes in the body
/// and the body is not a JSON object whose `event` is an object.
pub fn sign_body(
    provider: Provider,
    key: &str,
    body: &[u8],
    timestamp: i64,
) -> Result<Vec<u8>, Error> {
    let secret = Secret::new(key)?;
    if provider.proof_at() != ProofAt::Body {
        return Ok(body.to_vec());
    }
    let malformed = || {
        Error::new(
            ErrorKind::MalformedPayload,
            format!(
                "the body must be a JSON object with an object at {}'s parent to carry the proof",
                provider.proof_header()
            ),
        )
    };
    if multipart::is_multipart(body) {
        // Dropbox Sign's form: the proof goes into the `json` field, every other byte kept.
        let json = multipart::field(body, "json")?;
        let start = json.as_ptr() as usize - body.as_ptr() as usize;
        let signed = sign_body(provider, key, json, timestamp)?;
        let mut out = body.get(..start).ok_or_else(malformed)?.to_vec();
        out.extend_from_slice(&signed);
        out.extend_from_slice(body.get(start + json.len()..).ok_or_else(malformed)?);
        return Ok(out);
    }
    let proof = (provider.spec().sign)(&secret, key, body, timestamp);
    let mut value: serde_json::Value = serde_json::from_slice(body).map_err(|_| malformed())?;
    let mut path: Vec<&str> = provider.proof_header().split('.').collect();
    let last = path.pop().ok_or_else(malformed)?;
    let mut at = &mut value;
    for step in path {
        at = at.get_mut(step).ok_or_else(malformed)?;
    }
    at.as_object_mut()
        .ok_or_else(malformed)?
        .insert(last.to_owned(), serde_json::Value::String(proof));
    serde_json::to_vec(&value).map_err(|_| malformed())
}

/// The query string to append to the URL a provider posts `body` to, for a provider whose
/// proof travels in the query (PandaDoc: `signature=<hex>`); empty for the others. Send
/// [`sign`]'s headers to `<url>?<this>`.
///
/// # Errors
/// `invalid_secret` for an empty key.
pub fn sign_query(
    provider: Provider,
    key: &str,
    body: &[u8],
    timestamp: i64,
) -> Result<String, Error> {
    let secret = Secret::new(key)?;
    if provider.proof_at() != ProofAt::Query {
        return Ok(String::new());
    }
    let proof = (provider.spec().sign)(&secret, key, body, timestamp);
    Ok(format!("{}={proof}", provider.proof_header()))
}

/// The proof in the query parameter `name`: `missing_signature` when absent or empty
/// (or no query was given), `malformed_signature` when given more than once.
fn query_proof(headers: &Headers, name: &str) -> Result<String, Error> {
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
    verification: Verification,
    signed_at: Option<i64>,
    client_id: Option<String>,
}

/// Fails closed when nothing is configured to check against.
fn require_secrets(provider: Provider, secrets: &[Secret]) -> Result<(), Error> {
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
fn timestamped_proof(
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
    Ok(Proof {
        verification: Verification {
            scheme: Scheme::HmacSha256,
            covers: Covers::TimestampAndBody,
            key,
        },
        signed_at: Some(signed_at),
        client_id: None,
    })
}

/// The proof of a provider whose header is written in the pairs grammar (Zigned,
/// BoldSign): the header parsed by `grammar`, its hex tags tried against every secret over
/// `<t>.<body>`, then the window.
fn pairs_proof(
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
fn timestamped_tag(secret: &Secret, body: &[u8], timestamp: i64) -> (String, String) {
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
fn metadata_proof(
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
    Ok(Proof {
        verification: Verification {
            scheme: Scheme::HmacSha256,
            covers: Covers::EventMetadata,
            key,
        },
        signed_at: None,
        client_id: None,
    })
}

/// The hex tag an event-metadata proof carries for `message`.
fn metadata_tag(secret: &Secret, message: &str) -> String {
    hex_encode(&crate::verify::hmac_sha256(secret, &[message.as_bytes()]))
}

/// The proof of a body-only HMAC (Zoho Sign, Yousign): which secret produced `tag`.
fn body_hmac_proof(
    secrets: &[Secret],
    body: &[u8],
    tag: Vec<u8>,
    header: &str,
) -> Result<Proof, Error> {
    let key = find_key(secrets, &[body], &[tag]).ok_or_else(|| {
        Error::new(
            ErrorKind::SignatureMismatch,
            format!("{header} does not match the body under any configured secret"),
        )
    })?;
    Ok(Proof {
        verification: Verification {
            scheme: Scheme::HmacSha256,
            covers: Covers::Body,
            key,
        },
        signed_at: None,
        client_id: None,
    })
}

/// The proof header's value, or `missing_signature` when absent or blank.
fn signature_header<'h>(headers: &'h Headers, name: &str) -> Result<&'h str, Error> {
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

/// What a provider module reads out of its payload.
#[derive(Default)]
pub(crate) struct Fields {
    id: Option<String>,
    provider_event: Option<String>,
    /// A type decided from more than the event name (e.g. Acrobat's `actionType`).
    event_type: Option<EventType>,
    subject: Option<String>,
    time_millis: Option<i64>,
    testmode: bool,
    envelope: Envelope,
    participant: Participant,
    actor: Actor,
    documents: Vec<Document>,
    reason: Option<String>,
}

/// The envelope status an event type implies, where it implies one.
fn status_after(event_type: EventType) -> EnvelopeStatus {
    match event_type {
        EventType::EnvelopeCreated => EnvelopeStatus::Draft,
        EventType::EnvelopeSent => EnvelopeStatus::Sent,
        EventType::EnvelopeCompleted => EnvelopeStatus::Completed,
        EventType::EnvelopeDeclined => EnvelopeStatus::Declined,
        EventType::EnvelopeCancelled => EnvelopeStatus::Cancelled,
        EventType::EnvelopeExpired => EnvelopeStatus::Expired,
        EventType::EnvelopeDeleted => EnvelopeStatus::Deleted,
        _ => EnvelopeStatus::Unknown,
    }
}

/// Every event of a delivery: the body's one, or one per element of a batch provider's
/// array, at most `max_events` of them (counted before any is built). A batch's ids are
/// the body's hash and the index: only what the MAC covers names an event (a header beside
/// the proof, such as `X-PandaDoc-Webhook-Event-Id`, is the sender's to choose).
fn normalize_events(
    provider: Provider,
    body: &[u8],
    verification: Option<Verification>,
    signed_at: Option<i64>,
    max_events: usize,
) -> Result<Vec<Event>, Error> {
    if !provider.is_batch() {
        return Ok(vec![normalize_with(
            provider,
            body,
            verification,
            signed_at,
        )?]);
    }
    let malformed = |why: String| Error::new(ErrorKind::MalformedPayload, why);
    let text =
        std::str::from_utf8(body).map_err(|e| malformed(format!("body is not UTF-8: {e}")))?;
    let mut reader = crate::json::Reader::new(text);
    let elements: Vec<&str> = if reader.peek() == Some(b'[') {
        match split_array(&mut reader, max_events) {
            Ok(Some(elements)) => elements,
            Ok(None) => {
                return Err(Error::new(
                    ErrorKind::TooManyEvents,
                    format!(
                        "the delivery holds more than {max_events} events, the limit per delivery"
                    ),
                ))
            }
            Err(e) => return Err(malformed(format!("body is not a JSON array: {e}"))),
        }
    } else {
        // A bare object is one event (some senders unwrap a single notification).
        let value = reader.raw_value().and_then(|v| reader.finish().map(|()| v));
        vec![value.map_err(|e| malformed(format!("body is not JSON: {e}")))?]
    };
    let base = body_id(provider, body);
    elements
        .into_iter()
        .enumerate()
        .map(|(index, element)| {
            let mut event = normalize_with(provider, element.as_bytes(), verification, signed_at)
                .map_err(|e| {
                Error::new(
                    e.kind(),
                    format!("event {index} of the array: {}", e.message()),
                )
            })?;
            event.id = format!("{base}:{index}");
            Ok(event)
        })
        .collect()
}

/// At a JSON array: each element's text, as written; then nothing but whitespace. `None`
/// as soon as there are more than `max` elements (the rest is not read).
fn split_array<'a>(
    reader: &mut crate::json::Reader<'a>,
    max: usize,
) -> Result<Option<Vec<&'a str>>, crate::json::SyntaxError> {
    let mut elements = Vec::new();
    let mut at = reader.enter_array()?;
    while reader.next_element(&mut at)? {
        if elements.len() >= max {
            return Ok(None);
        }
        elements.push(reader.raw_value()?);
    }
    reader.finish()?;
    Ok(Some(elements))
}

/// The id of an event whose provider gives none and whose retries are not byte-identical
/// (DocuSign's `retryCount`, Documenso's `createdAt`): the first 16 bytes (hex) of SHA-256
/// over provider and every top-level member of the object `body` except those named in
/// `skip`, each as its key's and value's exact text. `None` when `body` is not one JSON
/// object (the caller's reader then fails anyway).
pub(crate) fn body_id_without(provider: Provider, body: &str, skip: &[&str]) -> Option<String> {
    let mut reader = crate::json::Reader::new(body);
    let mut members = reader.enter_object().ok()?;
    let mut parts: Vec<&[u8]> = vec![b"signhook/", provider.as_str().as_bytes(), b"\n"];
    let mut keys = Vec::new();
    while let Some(key) = reader.next_key(&mut members).ok()? {
        let value = reader.raw_value().ok()?;
        if !skip.contains(&key.as_ref()) {
            keys.push((key, value));
        }
    }
    reader.finish().ok()?;
    for (key, value) in &keys {
        parts.extend([key.as_bytes(), b"\0", value.as_bytes(), b"\0"]);
    }
    let digest = sha256(&parts);
    Some(hex_encode(digest.get(..16).unwrap_or(&digest)))
}

/// The first 16 bytes (hex) of SHA-256 over provider and body: the id of an event whose
/// provider gives none (a byte-identical retry gets the same id).
fn body_id(provider: Provider, body: &[u8]) -> String {
    let digest = sha256(&[b"signhook/", provider.as_str().as_bytes(), b"\n", body]);
    hex_encode(digest.get(..16).unwrap_or(&digest))
}

fn normalize_with(
    provider: Provider,
    body: &[u8],
    verification: Option<Verification>,
    signed_at: Option<i64>,
) -> Result<Event, Error> {
    let (fields, raw): (Fields, &str) = (provider.spec().normalize)(body, signed_at)?;
    // Credentials inside the payload never leave the edge: the listed keys' string values
    // are replaced, every other byte kept (`redact.rs`).
    let raw = match redact::redact(raw, provider.spec().redact) {
        std::borrow::Cow::Borrowed(raw) => RawJson::parsed(raw),
        std::borrow::Cow::Owned(text) => RawJson::new(&text).map_err(|e| {
            Error::new(
                ErrorKind::MalformedPayload,
                format!("body could not be redacted: {e}"),
            )
        })?,
    };
    let event_type = fields.event_type.unwrap_or_else(|| {
        fields
            .provider_event
            .as_deref()
            .map_or(EventType::Other, |name| provider.event_type(name))
    });
    // Providers without an event id (Zoho Sign, Zigned) retry with the same bytes, so a
    // hash of provider and body gives a retried delivery the same id.
    let id = fields.id.unwrap_or_else(|| body_id(provider, body));
    let subject = fields.subject.or_else(|| fields.envelope.id.clone());
    let mut envelope = fields.envelope;
    // A terminal event says where the envelope stands, whatever status string the payload
    // carries (Acrobat marks a rejected agreement CANCELLED; Zoho's minimal payload has
    // none). `provider_status` keeps the provider's own word.
    match status_after(event_type) {
        EnvelopeStatus::Unknown => {}
        EnvelopeStatus::Sent | EnvelopeStatus::Draft
            if envelope.status != EnvelopeStatus::Unknown => {}
        implied => envelope.status = implied,
    }
    Ok(Event {
        specversion: "1.0",
        id,
        source: format!("signhook/{provider}"),
        event_type,
        subject,
        time: fields.time_millis.and_then(time::format_unix_millis),
        datacontenttype: "application/json",
        provider: provider.as_str(),
        tenant: None,
        providerevent: fields.provider_event,
        testmode: fields.testmode,
        data: EventData {
            envelope,
            participant: (fields.participant != Participant::default())
                .then_some(fields.participant),
            actor: (fields.actor != Actor::default()).then_some(fields.actor),
            documents: fields.documents,
            reason: fields.reason,
            verification,
            raw,
        },
    })
}
