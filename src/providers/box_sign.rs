//! Box Sign.
//!
//! Box Sign's events are Box webhooks (v2) with `SIGN_REQUEST.*` triggers, signed with
//! Box's webhook scheme: `BOX-SIGNATURE-PRIMARY` and `BOX-SIGNATURE-SECONDARY` are each the
//! standard base64 of HMAC-SHA256(key = one of the application's two signature keys as
//! UTF-8, message = the raw body followed by `BOX-DELIVERY-TIMESTAMP`'s value exactly as
//! sent, no separator). A delivery verifies when either header matches under any
//! configured key (the keys rotate one at a time, so one always matches). As Box's SDKs
//! do, nothing is computed unless `BOX-SIGNATURE-VERSION` is `1` and
//! `BOX-SIGNATURE-ALGORITHM` is `HmacSHA256`. The timestamp (RFC 3339 with an offset) must
//! be at most 600 s old and at most `tolerance_seconds` ahead of now, checked after the MAC
//! (Box's Python SDK refuses any future time; its Node SDK only old ones).
//! docs/providers/box-sign.md has the sources and Box's SDK vectors.
//!
//! Payload: `{"type": "webhook_event", "id", "created_at", "trigger", "webhook": {"id"},
//! "created_by", "source", "additional_info"}`: `id` is the event id (the same on every
//! retry; `BOX-DELIVERY-ID` changes), `trigger` the event, `additional_info.sign_request_id`
//! (else `source.id`) the subject. Box writes JSON PHP-style (`\/`, `\uXXXX`): the raw
//! bytes are verified, never a re-serialization. Answer: any 2xx within 30 s.

use super::spec::Sample;
use super::wire::{parse_object, wire, Loose, Text};
use super::{require_secrets, signature_header, Fields, Proof, Provider, Spec};
use crate::error::{Error, ErrorKind};
use crate::event::{Covers, EventType};
use crate::secret::Secret;
use crate::time::{format_unix_millis, parse_rfc3339_millis};
use crate::verify::{base64_decode, base64_encode, decode_tag, find_key, hmac_sha256};

/// The registry entry (`src/providers/mod.rs`).
pub(super) const SPEC: Spec = Spec {
    name: "box-sign",
    title: "Box Sign",
    proof_header: PRIMARY,
    config_var: "BOX_SIGN_SECRETS",
    signs_timestamp: true,
    events: EVENTS,
    verify: |headers, body, config, now| {
        verify(headers, body, &config.secrets, now, config.tolerance_seconds)
    },
    normalize,
    sign: |secret, _key, body, timestamp| tag(secret, body, &timestamp_text(timestamp)),
    sign_headers: Some(|secret, _key, body, timestamp| {
        let t = timestamp_text(timestamp);
        let tag = tag(secret, body, &t);
        vec![
            (TIMESTAMP, t),
            (VERSION, "1".to_owned()),
            (ALGORITHM, "HmacSHA256".to_owned()),
            (PRIMARY, tag.clone()),
            (SECONDARY, tag),
        ]
    }),
    precheck: Some(|headers| presented(headers).map(|_| ())),
    header_note: "Box signs every webhook delivery of an application that has signature keys (Developer Console → Webhooks → Manage signature keys)",
    name_hints: &["box"],
    example_secret: "box_sign_test_primary_key",
    secrets_note: "the application's webhook signature keys, primary and secondary (base64 HMAC of the body followed by `BOX-DELIVERY-TIMESTAMP`, at most 600 s old)",
    samples: SAMPLES,
    signed_message: "the body followed by BOX-DELIVERY-TIMESTAMP",
    time_window: Some("at most 600 s old"),
    matched_header: Some(|headers, body, secret| {
        let tag = tag(secret, body, headers.get(TIMESTAMP)?);
        [PRIMARY, SECONDARY]
            .into_iter()
            .find(|name| headers.get(name).map(str::trim) == Some(tag.as_str()))
            .map(str::to_owned)
    }),
    ..Spec::DEFAULT
};

const PRIMARY: &str = "BOX-SIGNATURE-PRIMARY";
const SECONDARY: &str = "BOX-SIGNATURE-SECONDARY";
const TIMESTAMP: &str = "BOX-DELIVERY-TIMESTAMP";
const VERSION: &str = "BOX-SIGNATURE-VERSION";
const ALGORITHM: &str = "BOX-SIGNATURE-ALGORITHM";

/// The oldest a delivery's timestamp may be, as Box's SDKs check it.
const MAX_AGE_SECONDS: i64 = 600;

/// `trigger` → type: Box Sign's triggers, and the webhook's own deletion.
pub(super) const EVENTS: &[(&str, EventType)] = &[
    (
        "SIGN_REQUEST.SIGNATURE_REQUESTED",
        EventType::ParticipantNotified,
    ),
    ("SIGN_REQUEST.SIGNER_SIGNED", EventType::ParticipantSigned),
    ("SIGN_REQUEST.COMPLETED", EventType::EnvelopeCompleted),
    ("SIGN_REQUEST.DECLINED", EventType::EnvelopeDeclined),
    ("SIGN_REQUEST.EXPIRED", EventType::EnvelopeExpired),
    ("SIGN_REQUEST.SIGNER_EMAIL_BOUNCED", EventType::EmailBounced),
    ("SIGN_REQUEST.ERROR_FINALIZING", EventType::EnvelopeFailed),
    // The webhook itself was deleted: no envelope.
    ("WEBHOOK.DELETED", EventType::Other),
];

/// The validator page's sample deliveries (its test-delivery panel), one per event shown:
/// Box's webhook shape, made-up ids and people.
const SAMPLES: &[Sample] = &[
    Sample {
        event: "SIGN_REQUEST.COMPLETED",
        body: r#"{
  "type": "webhook_event",
  "id": "7d8e2f0a-3c4b-4f6e-9a1b-2c3d4e5f6a7b",
  "created_at": "2026-03-18T05:00:00-07:00",
  "trigger": "SIGN_REQUEST.COMPLETED",
  "webhook": {"id": "1234567890", "type": "webhook"},
  "created_by": {"type": "user", "id": "987654321", "name": "Sam Sender", "login": "sam@example.com"},
  "source": {"id": "1122334455", "type": "file", "name": "Lease agreement.pdf"},
  "additional_info": {"sign_request_id": "a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d", "signer_emails": ["ada@example.com"]}
}"#,
    },
    Sample {
        event: "SIGN_REQUEST.SIGNER_SIGNED",
        body: r#"{
  "type": "webhook_event",
  "id": "8e9f3a1b-4d5c-4a7f-8b2c-3d4e5f6a7b8c",
  "created_at": "2026-03-18T04:55:00-07:00",
  "trigger": "SIGN_REQUEST.SIGNER_SIGNED",
  "webhook": {"id": "1234567890", "type": "webhook"},
  "created_by": {"type": "user", "id": "987654321", "name": "Sam Sender", "login": "sam@example.com"},
  "source": {"id": "1122334455", "type": "file", "name": "Lease agreement.pdf"},
  "additional_info": {"sign_request_id": "a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d", "signer_emails": ["ada@example.com"]}
}"#,
    },
];

/// `timestamp` (Unix seconds) as Box writes `BOX-DELIVERY-TIMESTAMP` (RFC 3339; UTC here).
fn timestamp_text(timestamp: i64) -> String {
    timestamp
        .checked_mul(1000)
        .and_then(format_unix_millis)
        .unwrap_or_default()
}

/// The base64 tag over the body followed by the timestamp's text.
fn tag(secret: &Secret, body: &[u8], timestamp: &str) -> String {
    base64_encode(&hmac_sha256(secret, &[body, timestamp.as_bytes()]))
}

fn verify(
    headers: &crate::Headers,
    body: &[u8],
    secrets: &[Secret],
    now: i64,
    tolerance: u64,
) -> Result<Proof, Error> {
    require_secrets(Provider::BoxSign, secrets)?;
    let Presented { t, signed_at, tags } = presented(headers)?;
    let key = find_key(secrets, &[body, t.as_bytes()], &tags).ok_or_else(|| {
        Error::new(
            ErrorKind::SignatureMismatch,
            format!("no {PRIMARY}/{SECONDARY} matches the body followed by {TIMESTAMP} under any configured key"),
        )
    })?;
    // The MAC first: a forged request learns nothing about our clock.
    if signed_at < now.saturating_sub(MAX_AGE_SECONDS)
        || signed_at > now.saturating_add_unsigned(tolerance)
    {
        return Err(Error::new(
            ErrorKind::TimestampOutOfTolerance,
            format!(
                "{TIMESTAMP} {t} is outside [now − {MAX_AGE_SECONDS} s, now + {tolerance} s] (now {now})"
            ),
        ));
    }
    Ok(Proof::hmac(Covers::TimestampAndBody, key, Some(signed_at)))
}

/// What the headers present, read before the body ([`Spec::precheck`] runs it alone).
struct Presented<'h> {
    /// `BOX-DELIVERY-TIMESTAMP` as sent: the signatures cover its text.
    t: &'h str,
    /// The same time in Unix seconds.
    signed_at: i64,
    /// The primary's and the secondary's tags, as presented.
    tags: Vec<Vec<u8>>,
}

/// The signatures (primary, secondary or both), the signed time and the scheme's version
/// and algorithm: `missing_signature` without a signature or the time,
/// `malformed_signature` when one does not read.
fn presented(headers: &crate::Headers) -> Result<Presented<'_>, Error> {
    let malformed = |why: String| Error::new(ErrorKind::MalformedSignature, why);
    let presented: Vec<(&str, &str)> = [PRIMARY, SECONDARY]
        .into_iter()
        .filter_map(|name| signature_header(headers, name).ok().map(|v| (name, v)))
        .collect();
    if presented.is_empty() {
        return Err(Error::new(
            ErrorKind::MissingSignature,
            format!("neither {PRIMARY} nor {SECONDARY} is in the request"),
        ));
    }
    let t = signature_header(headers, TIMESTAMP).ok().ok_or_else(|| {
        Error::new(
            ErrorKind::MissingSignature,
            format!("{TIMESTAMP} is missing: the signatures cover it"),
        )
    })?;
    match (
        signature_header(headers, VERSION).ok(),
        signature_header(headers, ALGORITHM).ok(),
    ) {
        (Some("1"), Some("HmacSHA256")) => {}
        (version, algorithm) => {
            return Err(malformed(format!(
                "{VERSION} {version:?} and {ALGORITHM} {algorithm:?}: Box's scheme is version \"1\", \"HmacSHA256\""
            )))
        }
    }
    let signed_at = parse_rfc3339_millis(t)
        .map(|ms| ms.div_euclid(1000))
        .ok_or_else(|| malformed(format!("{TIMESTAMP} {t:?} is not an RFC 3339 time")))?;
    let tags = presented
        .iter()
        .map(|(name, value)| decode_tag(value, base64_decode, name, "base64"))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Presented { t, signed_at, tags })
}

wire! {
    struct Payload<'a> {
        id: Text<'a> = "id",
        created_at: Text<'a> = "created_at",
        trigger: Text<'a> = "trigger",
        created_by: Loose<User<'a>> = "created_by",
        source: Loose<Source<'a>> = "source",
        additional_info: Loose<Info<'a>> = "additional_info",
    }
}

wire! {
    struct User<'a> {
        id: Text<'a> = "id",
        name: Text<'a> = "name",
        login: Text<'a> = "login",
    }
}

wire! {
    struct Source<'a> {
        id: Text<'a> = "id",
        name: Text<'a> = "name",
    }
}

wire! {
    struct Info<'a> {
        sign_request_id: Text<'a> = "sign_request_id",
    }
}

fn normalize(body: &[u8], _signed_at: Option<i64>) -> Result<(Fields, &str), Error> {
    let (payload, raw) = parse_object::<Payload>(body)?;
    let user = payload.created_by.0.unwrap_or_default();
    let source = payload.source.0.unwrap_or_default();
    let info = payload.additional_info.0.unwrap_or_default();
    let mut fields = Fields {
        id: payload.id.owned(),
        provider_event: payload.trigger.owned(),
        time_millis: payload.created_at.get().and_then(parse_rfc3339_millis),
        ..Fields::default()
    };
    fields.envelope.id = info.sign_request_id.owned().or_else(|| source.id.owned());
    fields.envelope.name = source.name.owned();
    fields.actor.email = user.login.owned();
    fields.actor.name = user.name.owned();
    Ok((fields, raw))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::providers::VerifyConfig;

    /// Box's SDK vector 1 (box-node-sdk and box-python-sdk webhook tests).
    #[test]
    fn the_sdk_vector_verifies_under_either_key_and_ages_out() {
        let body = br#"{"type":"webhook_event","webhook":{"id":"1234567890"},"trigger":"FILE.UPLOADED","source":{"id":"1234567890","type":"file","name":"Test.txt"}}"#;
        let headers: crate::Headers = [
            (TIMESTAMP, "2020-01-01T00:00:00-07:00"),
            (VERSION, "1"),
            (ALGORITHM, "HmacSHA256"),
            (PRIMARY, "6TfeAW3A1PASkgboxxA5yqHNKOwFyMWuEXny/FPD5hI="),
            (SECONDARY, "v+1CD1Jdo3muIcbpv5lxxgPglOqMfsNHPV899xWYydo="),
        ]
        .into_iter()
        .collect();
        let config = |keys: &[&str]| VerifyConfig {
            secrets: keys.iter().map(|k| Secret::new(k).unwrap()).collect(),
            ..VerifyConfig::default()
        };
        let t = 1_577_862_000; // 2020-01-01T07:00:00Z
        let check = |keys: &[&str], now| (SPEC.verify)(&headers, body, &config(keys), now);
        assert_eq!(
            check(&["SamplePrimaryKey"], t)
                .map(|p| p.verification.key)
                .ok(),
            Some(0)
        );
        assert_eq!(
            check(&["IncorrectKey", "SampleSecondaryKey"], t + 300)
                .map(|p| p.verification.key)
                .ok(),
            Some(1)
        );
        assert_eq!(
            check(&["IncorrectKey"], t).err().map(|e| e.kind()),
            Some(ErrorKind::SignatureMismatch)
        );
        for now in [t + 601, t - 301] {
            assert_eq!(
                check(&["SamplePrimaryKey"], now).err().map(|e| e.kind()),
                Some(ErrorKind::TimestampOutOfTolerance)
            );
        }
    }
}
