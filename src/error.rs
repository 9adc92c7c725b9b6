//! One error type for every failure, with a matchable [`ErrorKind`] and a stable code.
//!
//! The code (`signature_mismatch`, …) is the contract: the Worker answers it in
//! `application/problem+json`, the npm package throws it as `err.code`, the CLI prints it as
//! `error[<code>]`. Messages are for people and may improve freely.

use std::borrow::Cow;
use std::fmt;

/// What went wrong, without the details. Match on this; never on the message.
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorKind {
    /// The provider's signature header is absent or empty.
    MissingSignature,
    /// The signature header is present but cannot be parsed or decoded.
    MalformedSignature,
    /// The signature is well formed but no configured secret produces it.
    SignatureMismatch,
    /// The signed timestamp is further from `now` than the tolerance allows.
    TimestampOutOfTolerance,
    /// The provider's own event time, covered by the proof, is older than the configured
    /// maximum age (a replayed delivery).
    EventTooOld,
    /// The provider's own event time, covered by the proof, lies further in the future
    /// than the allowed clock skew (`max_clock_skew_seconds`): a forged or broken clock
    /// must not order later events behind it.
    EventTooNew,
    /// Acrobat Sign: the `X-AdobeSign-ClientId` header is absent or empty.
    MissingClientId,
    /// Acrobat Sign: the client id is not one of the configured ones.
    UnknownClientId,
    /// The body is not a JSON object (not UTF-8, not JSON, or not an object).
    MalformedPayload,
    /// The delivery holds several events (a PandaDoc array) and the caller asked for one:
    /// ask for all of them (`normalize_all`, npm `verifyAll`) so that none is dropped.
    MultipleEvents,
    /// The delivery holds more events than `max_events_per_delivery` (a PandaDoc array),
    /// counted before any event is built.
    TooManyEvents,
    /// The provider name is not one this crate knows.
    UnknownProvider,
    /// The body is larger than the configured limit.
    PayloadTooLarge,
    /// No secret (or client id) is configured for the provider: fail closed.
    NoSecretConfigured,
    /// A configured secret is unusable (empty, or a `whsec_` secret that is not base64).
    InvalidSecret,
    /// The HTTP method is not accepted on this route (Worker).
    MethodNotAllowed,
    /// No route matches the path (Worker).
    NotFound,
    /// The event could not be delivered to origin; the provider should retry (Worker).
    DeliveryFailed,
    /// Queue mode: the event could not be written to the queue (or its ledger); the provider
    /// should retry (Worker).
    EnqueueFailed,
    /// Neither `ORIGIN_URL` nor `DELIVERY=inspect` is set: refuse rather than acknowledge
    /// events that go nowhere (Worker).
    NoOriginConfigured,
    /// A Worker setting is unusable (`DELIVERY` not a known mode, `ORIGIN_URL` not https
    /// and not loopback, a missing binding).
    InvalidConfig,
    /// An admin route was called without the right `ADMIN_TOKEN` (Worker).
    Unauthorized,
    /// A tenant id is not `[a-z0-9][a-z0-9-]{0,62}` (Worker's admin API).
    InvalidTenant,
    /// No such tenant, or it is disabled (Worker: a tenant route, or the admin API).
    UnknownTenant,
    /// A tenant with this id exists already (Worker's admin API).
    TenantExists,
    /// The event names a provider account the tenant did not register (Worker).
    TenantMismatch,
}

impl ErrorKind {
    /// Every kind, in documentation order.
    pub const ALL: [ErrorKind; 26] = [
        ErrorKind::MissingSignature,
        ErrorKind::MalformedSignature,
        ErrorKind::SignatureMismatch,
        ErrorKind::TimestampOutOfTolerance,
        ErrorKind::EventTooOld,
        ErrorKind::EventTooNew,
        ErrorKind::MissingClientId,
        ErrorKind::UnknownClientId,
        ErrorKind::MalformedPayload,
        ErrorKind::MultipleEvents,
        ErrorKind::TooManyEvents,
        ErrorKind::UnknownProvider,
        ErrorKind::PayloadTooLarge,
        ErrorKind::NoSecretConfigured,
        ErrorKind::InvalidSecret,
        ErrorKind::MethodNotAllowed,
        ErrorKind::NotFound,
        ErrorKind::DeliveryFailed,
        ErrorKind::EnqueueFailed,
        ErrorKind::NoOriginConfigured,
        ErrorKind::InvalidConfig,
        ErrorKind::Unauthorized,
        ErrorKind::InvalidTenant,
        ErrorKind::UnknownTenant,
        ErrorKind::TenantExists,
        ErrorKind::TenantMismatch,
    ];

    /// The stable snake_case code.
    pub const fn code(self) -> &'static str {
        match self {
            ErrorKind::MissingSignature => "missing_signature",
            ErrorKind::MalformedSignature => "malformed_signature",
            ErrorKind::SignatureMismatch => "signature_mismatch",
            ErrorKind::TimestampOutOfTolerance => "timestamp_out_of_tolerance",
            ErrorKind::EventTooOld => "event_too_old",
            ErrorKind::EventTooNew => "event_too_new",
            ErrorKind::MissingClientId => "missing_client_id",
            ErrorKind::UnknownClientId => "unknown_client_id",
            ErrorKind::MalformedPayload => "malformed_payload",
            ErrorKind::MultipleEvents => "multiple_events",
            ErrorKind::TooManyEvents => "too_many_events",
            ErrorKind::UnknownProvider => "unknown_provider",
            ErrorKind::PayloadTooLarge => "payload_too_large",
            ErrorKind::NoSecretConfigured => "no_secret_configured",
            ErrorKind::InvalidSecret => "invalid_secret",
            ErrorKind::MethodNotAllowed => "method_not_allowed",
            ErrorKind::NotFound => "not_found",
            ErrorKind::DeliveryFailed => "delivery_failed",
            ErrorKind::EnqueueFailed => "enqueue_failed",
            ErrorKind::NoOriginConfigured => "no_origin_configured",
            ErrorKind::InvalidConfig => "invalid_config",
            ErrorKind::Unauthorized => "unauthorized",
            ErrorKind::InvalidTenant => "invalid_tenant",
            ErrorKind::UnknownTenant => "unknown_tenant",
            ErrorKind::TenantExists => "tenant_exists",
            ErrorKind::TenantMismatch => "tenant_mismatch",
        }
    }

    /// The HTTP status an edge answers with. A failed proof is 401 so the provider's
    /// dashboard shows it; a delivery failure is 502 so the provider retries.
    pub const fn http_status(self) -> u16 {
        match self {
            ErrorKind::MissingSignature
            | ErrorKind::MalformedSignature
            | ErrorKind::SignatureMismatch
            | ErrorKind::TimestampOutOfTolerance
            | ErrorKind::EventTooOld
            | ErrorKind::EventTooNew
            | ErrorKind::MissingClientId
            | ErrorKind::Unauthorized => 401,
            // Acrobat's docs: a webhook that does not recognize the client id MUST NOT
            // answer with success; 403 says "known request, refused".
            ErrorKind::UnknownClientId => 403,
            // Verified, but not this tenant's account: refused, nothing queued.
            ErrorKind::TenantMismatch => 403,
            ErrorKind::InvalidTenant => 400,
            ErrorKind::UnknownTenant => 404,
            ErrorKind::TenantExists => 409,
            ErrorKind::MalformedPayload => 400,
            // The caller's choice of call, not the sender's fault.
            ErrorKind::MultipleEvents => 422,
            ErrorKind::UnknownProvider | ErrorKind::NotFound => 404,
            ErrorKind::MethodNotAllowed => 405,
            ErrorKind::PayloadTooLarge | ErrorKind::TooManyEvents => 413,
            // Misconfiguration of the edge, not the sender's fault: 503 so that the provider
            // keeps retrying until an operator fixes it, and nothing is lost.
            ErrorKind::NoSecretConfigured
            | ErrorKind::InvalidSecret
            | ErrorKind::EnqueueFailed
            | ErrorKind::NoOriginConfigured
            | ErrorKind::InvalidConfig => 503,
            ErrorKind::DeliveryFailed => 502,
        }
    }

    /// A short title for the kind (RFC 9457 `title`).
    pub const fn title(self) -> &'static str {
        match self {
            ErrorKind::MissingSignature => "signature header missing",
            ErrorKind::MalformedSignature => "signature header malformed",
            ErrorKind::SignatureMismatch => "signature does not match",
            ErrorKind::TimestampOutOfTolerance => "signed timestamp out of tolerance",
            ErrorKind::EventTooOld => "event older than the maximum age",
            ErrorKind::EventTooNew => "event time ahead of the edge's clock",
            ErrorKind::MissingClientId => "client id header missing",
            ErrorKind::UnknownClientId => "client id not allowed",
            ErrorKind::MalformedPayload => "payload is not a JSON object",
            ErrorKind::MultipleEvents => "several events in one delivery",
            ErrorKind::TooManyEvents => "too many events in one delivery",
            ErrorKind::UnknownProvider => "unknown provider",
            ErrorKind::PayloadTooLarge => "payload too large",
            ErrorKind::NoSecretConfigured => "no secret configured",
            ErrorKind::InvalidSecret => "invalid secret",
            ErrorKind::MethodNotAllowed => "method not allowed",
            ErrorKind::NotFound => "not found",
            ErrorKind::DeliveryFailed => "delivery to origin failed",
            ErrorKind::EnqueueFailed => "event could not be queued",
            ErrorKind::NoOriginConfigured => "no origin configured",
            ErrorKind::InvalidConfig => "invalid configuration",
            ErrorKind::Unauthorized => "unauthorized",
            ErrorKind::InvalidTenant => "invalid tenant id",
            ErrorKind::UnknownTenant => "unknown tenant",
            ErrorKind::TenantExists => "tenant exists",
            ErrorKind::TenantMismatch => "event of another account",
        }
    }
}

impl ErrorKind {
    /// What to do about it, in one line (README's Errors table, the Troubleshooting
    /// section).
    pub const fn remedy(self) -> &'static str {
        match self {
            ErrorKind::MissingSignature => "send the provider's proof header (or `?signature=`, or the in-body hash); check that a proxy does not strip it and that the webhook has a secret set at the provider",
            ErrorKind::MalformedSignature => "send the header exactly as the provider writes it (one header, not two); for Dropbox Sign, the event's time and type as sent",
            ErrorKind::SignatureMismatch => "configure the secret the provider signs with (several during a rotation), and verify the exact bytes received: no re-serialized JSON, no added newline",
            ErrorKind::TimestampOutOfTolerance => "check the clocks (edge and provider), or a replay of an old capture; sign a fresh delivery",
            ErrorKind::EventTooOld => "a replay, or a capture older than MAX_EVENT_AGE_SECONDS: send a fresh delivery (`signhook sign` dates it now)",
            ErrorKind::EventTooNew => "the provider's clock (or the sender's) is ahead of the edge's by more than MAX_CLOCK_SKEW_SECONDS: check it",
            ErrorKind::MissingClientId => "send X-AdobeSign-ClientId, as Acrobat Sign does",
            ErrorKind::UnknownClientId => "add the application's client id to ACROBAT_SIGN_CLIENT_IDS (or the tenant's client_id)",
            ErrorKind::MalformedPayload => "send the provider's JSON (Dropbox Sign: multipart with a `json` field); the proof may check out and the body still not be an event",
            ErrorKind::MultipleEvents => "call verifyAll / normalize_all for a delivery of several events (PandaDoc)",
            ErrorKind::TooManyEvents => "split the delivery, or raise MAX_EVENTS_PER_DELIVERY",
            ErrorKind::UnknownProvider => "use one of the provider names in the Providers table",
            ErrorKind::PayloadTooLarge => "raise MAX_BODY_BYTES if the provider really sends that much",
            ErrorKind::NoSecretConfigured => "set the provider's *_SECRETS (or the tenant's secret, or ACROBAT_SIGN_URL_TOKENS)",
            ErrorKind::InvalidSecret => "set a non-empty secret of your own (example values work on localhost only; FORWARD_SECRET is whsec_ + base64 of 16+ bytes)",
            ErrorKind::MethodNotAllowed => "use the method in the Allow header",
            ErrorKind::NotFound => "use a route of docs/worker.md's Routes table; Acrobat Sign needs /hooks/acrobat-sign/<token>",
            ErrorKind::DeliveryFailed => "make origin answer 2xx within ORIGIN_TIMEOUT_MS; the provider will retry",
            ErrorKind::EnqueueFailed => "nothing to do: the provider retries; if it lasts, check the queue, ledger and D1 bindings",
            ErrorKind::NoOriginConfigured => "set ORIGIN_URL (queue or direct mode), or DELIVERY=inspect to see events without an origin",
            ErrorKind::InvalidConfig => "fix the setting the detail names (ORIGIN_URL, DELIVERY, ADMIN_TOKEN, TENANT_KEY, …)",
            ErrorKind::Unauthorized => "send Authorization: Bearer <ADMIN_TOKEN>",
            ErrorKind::InvalidTenant => "use a tenant id of [a-z0-9][a-z0-9-]{0,62}",
            ErrorKind::UnknownTenant => "create the tenant (signhook admin tenants add), or enable it",
            ErrorKind::TenantExists => "pick another id, or PATCH the existing tenant",
            ErrorKind::TenantMismatch => "register the event's account id with the tenant (PATCH accounts), or point the webhook at the right tenant's route",
        }
    }
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// A failure: its [`ErrorKind`] and a message naming the header, field or value at fault.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    kind: ErrorKind,
    message: Cow<'static, str>,
}

impl Error {
    /// An error of `kind` with a message (lowercase, no trailing period).
    pub fn new(kind: ErrorKind, message: impl Into<Cow<'static, str>>) -> Error {
        Error {
            kind,
            message: message.into(),
        }
    }

    /// What went wrong.
    pub fn kind(&self) -> ErrorKind {
        self.kind
    }

    /// The stable code of the kind, e.g. `signature_mismatch`.
    pub fn code(&self) -> &'static str {
        self.kind.code()
    }

    /// The message, for people.
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Error {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_snake_case() {
        let mut seen = std::collections::HashSet::new();
        for kind in ErrorKind::ALL {
            let code = kind.code();
            assert!(seen.insert(code), "duplicate code {code}");
            assert!(code.bytes().all(|b| b.is_ascii_lowercase() || b == b'_'));
        }
    }
}
