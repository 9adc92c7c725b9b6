//! [`Spec`]: what one provider file declares, and everything else derives from: the name
//! (route, CLI, npm, config var), the proof and how to check it, the payload and how to
//! read it, the event table, and what the diagnosis needs to explain a failure.

use super::grammar::Grammar;
use super::{Fields, Proof, ProofAt, VerifyConfig};
use crate::error::Error;
use crate::event::{Event, EventType};
use crate::headers::Headers;
use crate::secret::Secret;

/// A provider's payload reader: the body (and the verified signed timestamp, if any) to
/// the fields it names and the raw payload.
/// Where a provider requires its client id echoed in the `200` that acknowledges a
/// delivery (and its intent check): a response header and a JSON field of the body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Echo {
    /// The response header (`X-AdobeSign-ClientId`).
    pub header: &'static str,
    /// The JSON body's field (`xAdobeSignClientId`).
    pub field: &'static str,
}

/// A provider's headers for a signed test delivery: `(secret, key text, body, timestamp)`
/// to `(name, value)` pairs.
pub(crate) type SignHeaders = fn(&Secret, &str, &[u8], i64) -> Vec<(&'static str, String)>;

/// What a provider's `verify` checks of the headers before it reads the body
/// ([`Spec::precheck`]).
pub(crate) type HeaderCheck = fn(&Headers) -> Result<(), Error>;

pub(crate) type Normalize = for<'a> fn(&'a [u8], Option<i64>) -> Result<(Fields, &'a str), Error>;

/// One provider, as its file declares it: `pub(super) const SPEC: Spec = Spec { name, title,
/// …, ..Spec::DEFAULT }`. The fields a provider must set come first; the rest have
/// defaults in [`Spec::DEFAULT`], so that a new field touches only the providers it
/// concerns. Everything else about a provider (the Worker's routes and vars, the npm
/// package's lists, the page's choices, README's tables, `.dev.vars.example`) derives
/// from this, in code or in generated blocks that `tests/docs.rs` checks.
pub(crate) struct Spec {
    /// The route, CLI and npm name: lowercase, `-` separated (`zoho-sign`).
    pub(crate) name: &'static str,
    /// The name for people (`Zoho Sign`).
    pub(crate) title: &'static str,
    /// The header carrying the proof; for a provider whose proof is in the body, where in
    /// the body (`event.hash`); in the query, the parameter's name (`signature`).
    pub(crate) proof_header: &'static str,
    /// Where the proof travels: a header, the body (SignWell's `event.hash`: the Worker's
    /// precheck then only checks that a key is configured, and [`sign_body`] writes the
    /// proof into the body), or the URL's query (PandaDoc's `?signature=`, [`sign_query`]).
    ///
    /// [`sign_body`]: super::sign_body
    /// [`sign_query`]: super::sign_query
    pub(crate) proof_at: ProofAt,
    /// The Worker var holding what deliveries are checked against (`ZOHO_SIGN_SECRETS`).
    pub(crate) config_var: &'static str,
    /// What that var holds.
    pub(crate) keys: Keys,
    /// Whether the proof signs a timestamp checked against `tolerance_seconds`.
    pub(crate) signs_timestamp: bool,
    /// The documented event names and the type each maps to.
    pub(crate) events: &'static [(&'static str, EventType)],
    /// Checks the proof over the exact bytes (`now` in Unix seconds).
    pub(crate) verify: fn(&Headers, &[u8], &VerifyConfig, i64) -> Result<Proof, Error>,
    /// Reads the payload (`signed_at`: the verified signed timestamp, if any).
    pub(crate) normalize: Normalize,
    /// The proof header's value for `body` (`key` as given; `secret` is it, checked); for a
    /// provider whose proof is in the body, the body with the proof written into it.
    pub(crate) sign: fn(&Secret, &str, &[u8], i64) -> String,
    /// For a provider whose proof takes more than one header (a signed timestamp in its
    /// own header, a delivery id): every proof header `sign` writes, in order. `None`: the
    /// one header [`Spec::proof_header`] = `sign`'s value.
    pub(crate) sign_headers: Option<SignHeaders>,
    /// Whether the proof is a secret sent as is in its header (Documenso, OneSpan Sign: no
    /// MAC, the body is not covered): then [`precheck`](super::precheck) checks it in full
    /// before the body is read.
    pub(crate) bearer: bool,
    /// For a proof that takes more than its one [`Spec::proof_header`] (Box Sign's second
    /// key and signed-time headers, SignatureAPI's `webhook-id` and `webhook-timestamp`):
    /// everything `verify` checks of the headers before it reads the body, the same
    /// function `verify` itself runs first, so that [`precheck`](super::precheck) gives
    /// exactly `verify`'s answer about them. `None`: the proof header's presence.
    pub(crate) precheck: Option<HeaderCheck>,
    /// The HMAC scheme, for the diagnosis; `None` for a provider without a MAC.
    pub(crate) mac: Option<MacScheme>,
    /// When and how the provider sends its proof header (said when it is missing).
    pub(crate) header_note: &'static str,
    /// Fragments of header names that point at this provider (squashed: lowercase
    /// letters and digits only), for detection and "header misnamed" findings.
    pub(crate) name_hints: &'static [&'static str],
    /// JSON object keys whose string values are credentials (a recipient's signing token,
    /// a document password): replaced by `"[redacted]"` in `data.raw`, at any depth, every
    /// other byte kept as received (`redact.rs`). Credentials never leave the edge.
    pub(crate) redact: &'static [&'static str],
    /// Whether a verified event is the provider's setup handshake (BoldSign's
    /// `Verification`): the Worker answers it 200 and delivers nothing, in every mode.
    pub(crate) handshake: Option<fn(&Event) -> bool>,
    /// The exact body the provider requires in the `200` that acknowledges a delivery
    /// (Dropbox Sign's `Hello API Event Received`); `None`: any 2xx will do, and the Worker
    /// answers its JSON acknowledgement.
    pub(crate) answer: Option<&'static str>,
    /// For a provider proven by a client id that must be echoed back (Acrobat Sign): the
    /// answer's header and JSON field that carry it; `None`: no echo.
    pub(crate) echo: Option<Echo>,
    /// Whether a delivery's body is a JSON array of events (PandaDoc), each normalized on
    /// its own by `normalize`; a bare object is one event.
    pub(crate) batch: bool,
    /// The public, fake value of the provider's var for local development
    /// (`.dev.vars.example`, the page's test delivery, the Worker tests): anyone can read
    /// it, so the deployed Worker refuses it ([`crate::secret::is_public_example`]).
    pub(crate) example_secret: &'static str,
    /// What the provider's var holds, for people: docs/worker.md's configuration table and
    /// `.dev.vars.example` (`the webhooks' secrets (…)`).
    pub(crate) secrets_note: &'static str,
    /// Where the provider's own event time is in the body and how it is written, when the
    /// replay bound reads it there: `signhook sign` rewrites it to the signing time.
    pub(crate) signed_time: Option<SignedTime>,
    /// Sample deliveries, one per event the validator page offers in its test-delivery
    /// panel (`www/samples.js` is generated from them); the first is also the body the
    /// npm and property tests sign and verify for every provider.
    pub(crate) samples: &'static [Sample],
    /// Where the payload names the provider account it belongs to, a dotted path
    /// (`data.accountId`), for tenants' account binding; `None`: it names none.
    pub(crate) account_field: Option<&'static str>,
    /// What the page says under a signed test delivery: how the provider proves it and
    /// what origin should know (`None`: that the Worker must hold the same secret).
    pub(crate) delivery_note: Option<&'static str>,
    /// For the diagnosis of a verified timestamped MAC: the message it covers, as people
    /// read it (default `"<t>.<body>"`).
    pub(crate) signed_message: &'static str,
    /// For the diagnosis of a verified timestamped MAC: the window its time must lie in
    /// (`None`: within `tolerance_seconds` of now, either way).
    pub(crate) time_window: Option<&'static str>,
    /// For a provider that sends its proof in more than one header (DocuSign's numbered
    /// headers, Box Sign's primary and secondary): which one matched under the secret that
    /// verified, for the diagnosis. `None`: [`Spec::proof_header`].
    pub(crate) matched_header: Option<MatchedHeader>,
}

/// Which of a provider's proof headers holds the tag of `body` under `secret`.
pub(crate) type MatchedHeader = fn(&Headers, &[u8], &Secret) -> Option<String>;

/// A sample delivery: the provider's event name and a body (JSON text) in the provider's
/// documented shape, with made-up ids and people.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sample {
    /// The provider's event name (`RequestCompleted`).
    pub event: &'static str,
    /// The unsigned body, JSON text.
    pub body: &'static str,
}

/// A provider's event time in its body: the JSON paths that may hold it (each rewritten
/// where present) and how it is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SignedTime {
    /// The JSON paths (object keys, outermost first) that may hold it.
    pub paths: &'static [&'static [&'static str]],
    /// How it is written there.
    pub format: TimeFormat,
}

/// How a provider writes a time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum TimeFormat {
    /// Unix milliseconds, a JSON number.
    EpochMillis,
    /// Unix seconds, a JSON number.
    EpochSeconds,
    /// Unix seconds, a JSON string.
    EpochSecondsText,
    /// RFC 3339 in UTC (`…Z`) with this many fractional digits, a JSON string.
    Rfc3339 {
        /// Digits after the seconds' point (0: none).
        fraction_digits: usize,
    },
}

impl Spec {
    /// The defaults of the optional fields; the required ones are placeholders that a
    /// provider always sets (`tests/docs.rs` checks every provider's name, title, var and
    /// example value is its own; the fixtures check verify, normalize and sign). The
    /// placeholders fail closed.
    pub(crate) const DEFAULT: Spec = Spec {
        name: "",
        title: "",
        proof_header: "",
        proof_at: ProofAt::Header,
        config_var: "",
        keys: Keys::Secrets,
        signs_timestamp: false,
        events: &[],
        verify: |_, _, _, _| {
            Err(Error::new(
                crate::error::ErrorKind::InvalidConfig,
                "this provider declares no verification",
            ))
        },
        normalize: |_, _| {
            Err(Error::new(
                crate::error::ErrorKind::MalformedPayload,
                "this provider declares no payload reader",
            ))
        },
        sign: |_, _, _, _| String::new(),
        sign_headers: None,
        bearer: false,
        precheck: None,
        mac: None,
        header_note: "",
        name_hints: &[],
        redact: &[],
        handshake: None,
        answer: None,
        echo: None,
        batch: false,
        example_secret: "",
        secrets_note: "",
        signed_time: None,
        samples: &[],
        account_field: None,
        delivery_note: None,
        signed_message: "\"<t>.<body>\"",
        time_window: None,
        matched_header: None,
    };
}

/// What a provider's deliveries are checked against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Keys {
    /// HMAC secrets (`VerifyConfig::secrets`).
    Secrets,
    /// Allow-listed client ids (`VerifyConfig::client_ids`), echoed back in the answer.
    ClientIds,
}

/// How a provider's HMAC is laid out.
#[derive(Debug, Clone, Copy)]
pub(crate) struct MacScheme {
    pub(crate) signed: Signed,
    pub(crate) enc: Enc,
    /// Whether `sha256=` may precede the tag.
    pub(crate) prefix_ok: bool,
    /// The header's `t=…,v1=…` grammar, for a provider that writes its header in pairs.
    pub(crate) pairs: Option<Grammar>,
}

/// The bytes a MAC covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Signed {
    /// The raw body.
    Body,
    /// `<t>.<raw body>`.
    TimestampDotBody,
}

/// How a tag is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Enc {
    Hex,
    Base64,
}

impl Enc {
    pub(crate) fn describe(self) -> &'static str {
        match self {
            Enc::Hex => "hex (64 characters)",
            Enc::Base64 => "standard base64 (44 characters ending in '=')",
        }
    }
}
