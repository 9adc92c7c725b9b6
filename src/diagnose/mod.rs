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
//! This path is for offline inspection by a person (the page, the CLI). It tries many
//! variants and serializes through `serde_json`; the Worker's hot path never calls it.
//!
//! This file holds the public API: [`diagnose`], [`detect_provider`] and the serialized
//! [`Diagnosis`], with the failed and undetermined outcomes. The hypotheses live one family
//! per file:
//!
//! - `detect.rs`: which provider, by header names (proof headers, name hints), and the
//!   facts about a missing or empty proof header;
//! - `presented.rs`: the signatures a request presents, parsed leniently from its headers;
//! - `variants.rs`: the secret's and the body's variants (key forms, whitespace, line
//!   endings, JSON re-layouts through `src/json/`);
//! - `search.rs`: the MAC search over those variants, what a hit says, and the findings
//!   of a failed HMAC provider;
//! - `timestamps.rs`: a signed time outside the tolerance window;
//! - `client_id.rs`: Acrobat Sign's client ids;
//! - `verified.rs`: what a verified delivery's diagnosis says;
//! - `fixtures.rs` (tests only): the payloads and builders the tests share.
//!
//! Each file's tests sit beside its code, in its `tests` module.

use serde::Serialize;

use crate::error::{Error, ErrorKind};
use crate::event::{Event, EventType};
use crate::headers::Headers;
use crate::providers::{
    normalize_unverified_all, verify, MacScheme, ProofAt, Provider, VerifyConfig,
};

mod client_id;
mod detect;
mod presented;
mod search;
mod timestamps;
mod variants;
mod verified;

#[cfg(test)]
mod fixtures;

use client_id::client_id_findings;
use detect::hinted_provider;
use presented::signature_sources;
use search::{explain, mac_findings, search};
use variants::{body_variants, key_variants};
use verified::verified_diagnosis;

/// Bodies larger than this are verified but not searched for variants: every variant costs
/// one HMAC pass per secret form.
const MAX_SEARCH_BYTES: usize = 1 << 20;

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
    /// A finding with `code` and `message`.
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
        .find(|p| match p.proof_at() {
            // A proof in the URL is looked for there (PandaDoc's `?signature=`: a header of
            // that name is another provider's, Signable's).
            ProofAt::Query => !headers.query_values(p.proof_header()).is_empty(),
            ProofAt::Header => match headers.get(p.proof_header()) {
                Some(value) if p.proof_header().eq_ignore_ascii_case("authorization") => {
                    let value = crate::headers::trim_ows(value);
                    value
                        .split([' ', '\t'])
                        .next()
                        .is_some_and(|scheme| scheme.eq_ignore_ascii_case("basic"))
                }
                Some(_) => true,
                None => false,
            },
            // A proof in the body names no header.
            _ => false,
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

/// The provider's name for people.
fn title(provider: Provider) -> &'static str {
    provider.title()
}

/// The provider's HMAC scheme; `None` for a provider whose proof is no MAC over the
/// body (a client id, a shared secret, an in-body proof).
fn mac_scheme(provider: Provider) -> Option<MacScheme> {
    provider.spec().mac
}

/// The event's provider name and type, and whether the provider's table names it.
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

/// The diagnosis of a delivery [`verify`] refused: its verdict and message unchanged, the
/// findings of the provider's family (a MAC, or a client id), and the unverified event.
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

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]
mod tests {
    use super::*;
    use crate::diagnose::fixtures::*;
    use crate::providers::sign;
    use crate::secret::Secret;
    use crate::verify::hex_encode;

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
    }
}
