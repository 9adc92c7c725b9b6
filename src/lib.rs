//! Verify and normalize e-signature webhooks from every provider of the registry
//! ([`Provider::ALL`]: README's providers table lists them) into one CloudEvents 1.0 event
//! shape.
//!
//! The proof is checked over the exact request bytes before anything is parsed; only a
//! [`Verified`] delivery normalizes (except through the loudly named
//! [`normalize_unverified`]). The core reads no clock: `now` is a parameter.
//!
//! ```
//! use signhook::{verify, Headers, Provider, Secret, VerifyConfig};
//!
//! // Zoho Sign's own published sample (yes, with two opening braces).
//! let body = br#"{{"requests":{"request_name":"Test Name"},"notifications":{"operation_type":"RequestSigningSuccess"}}"#;
//! let headers: Headers = [("X-ZS-WEBHOOK-SIGNATURE", "drbSrM4H816RYKpZiRBLddUa0yHaTrwjtY04sIZFZus=")]
//!     .into_iter()
//!     .collect();
//! let config = VerifyConfig::with_secrets(vec![Secret::new("thisisthesamplekeyfortestingpurposes")?]);
//! let verified = verify(Provider::ZohoSign, &headers, body, &config, 1_700_000_000)?;
//! assert_eq!(verified.verification().key, 0);
//!
//! // That sample is not JSON, so it verifies but does not normalize:
//! assert_eq!(verified.normalize().unwrap_err().code(), "malformed_payload");
//! # Ok::<(), signhook::Error>(())
//! ```

mod error;
mod event;
mod headers;
mod json;
mod providers;
mod secret;
mod tenant;
mod time;
mod verify;

mod delivery;
mod forward;

mod diagnose;

#[cfg(feature = "js")]
mod js;
#[cfg(feature = "worker")]
mod worker;

#[cfg(not(target_arch = "wasm32"))]
pub use delivery::{check_origin_url, check_url};
pub use delivery::{
    check_parsed_url, envelope_key, ordering_time, sequence_attribute, tenant_envelope_key,
    tenant_webhook_id, url_host_is_loopback, webhook_id, with_delivery_attributes, Next,
    OriginAnswer, ParsedUrl, RetryPolicy,
};
pub use diagnose::{detect_provider, diagnose, Diagnosis, Finding, Mapping, Verdict};
pub use error::{Error, ErrorKind};
pub use event::{
    Actor, Covers, Document, Envelope, EnvelopeStatus, Event, EventData, EventType, Participant,
    RawJson, Scheme, Verification,
};
pub use forward::{
    delivery, signed_delivery, standard_webhooks_signature, Delivery, ForwardSecret,
};
pub use headers::Headers;
pub use providers::{
    account_field, account_id, normalize_unverified, normalize_unverified_all, precheck,
    refresh_times, sign, sign_body, sign_query, time_in_body, verify, verify_intent, Echo, ProofAt,
    Provider, Sample, SignedTime, TimeFormat, Verified, VerifyConfig, DEFAULT_MAX_BODY_BYTES,
    DEFAULT_MAX_CLOCK_SKEW_SECONDS, DEFAULT_MAX_EVENTS_PER_DELIVERY, DEFAULT_MAX_EVENT_AGE_SECONDS,
    DEFAULT_TOLERANCE_SECONDS,
};
pub use secret::{is_public_example, Secret, PUBLIC_EXAMPLE_VALUES};
pub use tenant::{check_tenant_id, fingerprint, TenantKey, MAX_TENANT_ID_LEN, NONCE_LEN};
pub use verify::token_matches;

/// Unix seconds as RFC 3339 UTC (`2026-12-06T21:04:05Z`); empty beyond year 9999.
pub fn format_unix_seconds(seconds: i64) -> String {
    seconds
        .checked_mul(1000)
        .and_then(time::format_unix_millis)
        .unwrap_or_default()
}

/// Whether `text` is one JSON value, by the crate's own reader (what every provider's
/// payload goes through): for `benches/pipeline.rs`'s reader throughput. Not an API.
#[doc(hidden)]
pub fn __json_scan(text: &str) -> bool {
    let mut reader = json::Reader::new(text);
    reader.skip().and_then(|()| reader.finish()).is_ok()
}
