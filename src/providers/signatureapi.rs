//! SignatureAPI.
//!
//! Scheme: Standard Webhooks, as SignatureAPI documents it: `webhook-signature` holds
//! space-separated `v1,<base64>` entries, each the standard base64 of HMAC-SHA256(key = the
//! endpoint's signing secret `whsec_<base64>` with the prefix dropped and the rest
//! base64-decoded, message = `<webhook-id>.<webhook-timestamp>.<raw body>`, the header
//! values exactly as sent). Any `v1` entry may match (rotation sends several); other
//! versions are ignored. `webhook-timestamp` (Unix seconds, inside the MAC) must lie
//! within `tolerance_seconds` (300 s, the specification's) of now, checked after the MAC.
//! The same scheme signhook itself signs with towards origin (`src/forward.rs`).
//! docs/providers/signatureapi.md has the sources; the tests use the specification's
//! published vector.
//!
//! Payload: `{"id": "evt_…", "type": "<category>.<event>", "timestamp": "<RFC 3339>",
//! "data": {"object_id", "object_type", "envelope_id", "recipient_type", …}}`. `id` is the
//! event id (the body is covered by the MAC; `webhook-id` is not needed for it),
//! `data.envelope_id` the subject.

use super::spec::Sample;
use super::wire::{parse_object, wire, Loose, Text};
use super::{require_secrets, signature_header, Fields, Proof, Provider, Spec};
use crate::error::{Error, ErrorKind};
use crate::event::{Covers, EventType};
use crate::secret::Secret;
use crate::time::parse_rfc3339_millis;
use crate::verify::{base64_decode, base64_encode, check_window, decode_tag, digit_seconds};
use crate::verify::{find_key, hex_encode, hmac_sha256, sha256};

/// The registry entry (`src/providers/mod.rs`).
pub(super) const SPEC: Spec = Spec {
    name: "signatureapi",
    title: "SignatureAPI",
    proof_header: SIGNATURE,
    config_var: "SIGNATUREAPI_SECRETS",
    signs_timestamp: true,
    events: EVENTS,
    verify: |headers, body, config, now| {
        verify(headers, body, &config.secrets, now, config.tolerance_seconds)
    },
    normalize,
    sign: |secret, _key, body, timestamp| {
        let id = message_id(body);
        signature(&key_of(secret), &id, &timestamp.to_string(), body)
    },
    precheck: Some(|headers| presented(headers).map(|_| ())),
    sign_headers: Some(|secret, _key, body, timestamp| {
        let (id, t) = (message_id(body), timestamp.to_string());
        let signature = signature(&key_of(secret), &id, &t, body);
        vec![(ID, id), (TIMESTAMP, t), (SIGNATURE, signature)]
    }),
    header_note: "SignatureAPI signs every delivery with the webhook endpoint's signing secret (Settings → Webhooks → the endpoint)",
    name_hints: &["signatureapi"],
    example_secret: "whsec_c2lnbmF0dXJlYXBpLXRlc3Qtc2VjcmV0LTAwMDA=",
    secrets_note: "the webhook endpoints' signing secrets, `whsec_<base64>` (Standard Webhooks: `v1,<base64>` over `<webhook-id>.<webhook-timestamp>.<body>`, ±`ZIGNED_TOLERANCE_SECONDS`)",
    samples: SAMPLES,
    signed_message: "\"<webhook-id>.<webhook-timestamp>.<body>\"",
    ..Spec::DEFAULT
};

const ID: &str = "webhook-id";
const TIMESTAMP: &str = "webhook-timestamp";
const SIGNATURE: &str = "webhook-signature";

/// At most this many `v1` entries are tried.
const MAX_SIGNATURES: usize = 8;

/// `type` → type: SignatureAPI's envelope, recipient and deliverable events.
pub(super) const EVENTS: &[(&str, EventType)] = &[
    ("envelope.created", EventType::EnvelopeCreated),
    // Processed, and the recipients are being notified.
    ("envelope.started", EventType::EnvelopeSent),
    ("envelope.completed", EventType::EnvelopeCompleted),
    ("envelope.failed", EventType::EnvelopeFailed),
    ("envelope.canceled", EventType::EnvelopeCancelled),
    // Ready to be invited: a step of the workflow, not a notification yet.
    ("recipient.released", EventType::Other),
    ("recipient.sent", EventType::ParticipantNotified),
    ("recipient.resent", EventType::ParticipantNotified),
    ("recipient.accessed", EventType::ParticipantViewed),
    ("recipient.viewed", EventType::ParticipantViewed),
    ("recipient.completed", EventType::ParticipantSigned),
    ("recipient.rejected", EventType::ParticipantDeclined),
    ("recipient.soft_bounced", EventType::EmailBounced),
    ("recipient.hard_bounced", EventType::EmailBounced),
    ("recipient.failed", EventType::EnvelopeFailed),
    ("recipient.replaced", EventType::ParticipantReassigned),
    // The signed document is ready: activity after completion.
    ("deliverable.generated", EventType::Other),
];

/// The validator page's sample deliveries (its test-delivery panel), one per event shown:
/// the documented event object, made-up ids.
const SAMPLES: &[Sample] = &[
    Sample {
        event: "recipient.completed",
        body: r#"{
  "id": "evt_4p2oouvNvjp1I9ckgqycH2",
  "type": "recipient.completed",
  "timestamp": "2025-12-31T15:00:01.999Z",
  "data": {
    "object_id": "re_7v7Sion0vqjJioYmwfZ9mf",
    "object_type": "recipient",
    "envelope_id": "e387553d-cbb7-4924-abd8-b2d89699e9b5",
    "envelope_metadata": {"deal_id": "50055"},
    "recipient_type": "signer",
    "recipient_key": "client"
  }
}"#,
    },
    Sample {
        event: "envelope.completed",
        body: r#"{
  "id": "evt_5q3ppvwOwkq2J0dlhrzdI3",
  "type": "envelope.completed",
  "timestamp": "2025-12-31T15:00:05.120Z",
  "data": {
    "object_id": "e387553d-cbb7-4924-abd8-b2d89699e9b5",
    "object_type": "envelope",
    "envelope_id": "e387553d-cbb7-4924-abd8-b2d89699e9b5",
    "envelope_metadata": {"deal_id": "50055"}
  }
}"#,
    },
];

/// A configured secret as a key: `whsec_` dropped, the rest base64-decoded; `None` when it
/// is not base64.
fn decoded_key(secret: &Secret) -> Option<Secret> {
    let text = std::str::from_utf8(secret.expose()).ok()?.trim();
    let b64 = text.strip_prefix("whsec_").unwrap_or(text);
    Secret::from_bytes(&base64_decode(b64)?).ok()
}

/// The key a secret stands for, in `sign` and in verification alike: decoded as
/// [`decoded_key`] does, else its text (SignatureAPI's secrets are always `whsec_<base64>`).
fn key_of(secret: &Secret) -> Secret {
    decoded_key(secret).unwrap_or_else(|| secret.clone())
}

/// `v1,<base64>` over `<id>.<t>.<body>`.
fn signature(key: &Secret, id: &str, t: &str, body: &[u8]) -> String {
    let tag = hmac_sha256(key, &[id.as_bytes(), b".", t.as_bytes(), b".", body]);
    format!("v1,{}", base64_encode(&tag))
}

/// A test delivery's `webhook-id`: `msg_` and a hash of the body, the same for the same body.
fn message_id(body: &[u8]) -> String {
    let digest = sha256(&[body]);
    format!("msg_{}", hex_encode(digest.get(..12).unwrap_or(&digest)))
}

fn verify(
    headers: &crate::Headers,
    body: &[u8],
    secrets: &[Secret],
    now: i64,
    tolerance: u64,
) -> Result<Proof, Error> {
    require_secrets(Provider::SignatureApi, secrets)?;
    let Presented {
        id,
        t,
        signed_at,
        tags,
    } = presented(headers)?;
    // The configured secrets as keys: `whsec_` dropped and the rest decoded, as the scheme
    // says; a secret that is not base64 is used as its text, as `sign` uses it.
    let keys: Vec<Secret> = secrets.iter().map(key_of).collect();
    let key = find_key(&keys, &[id.as_bytes(), b".", t.as_bytes(), b".", body], &tags)
        .ok_or_else(|| {
            Error::new(
                ErrorKind::SignatureMismatch,
                format!("no v1 in {SIGNATURE} matches \"<webhook-id>.<webhook-timestamp>.<body>\" under any configured secret"),
            )
        })?;
    check_window(signed_at, now, tolerance)?;
    Ok(Proof::hmac(Covers::TimestampAndBody, key, Some(signed_at)))
}

/// What the headers present, read before the body ([`Spec::precheck`] runs it alone).
struct Presented<'h> {
    /// `webhook-id`, as signed.
    id: &'h str,
    /// `webhook-timestamp`, as signed.
    t: &'h str,
    /// The same time in Unix seconds.
    signed_at: i64,
    /// The `v1` tags of `webhook-signature`.
    tags: Vec<Vec<u8>>,
}

/// The three headers of the scheme: `missing_signature` when one is missing,
/// `malformed_signature` when the time or a signature entry does not read.
fn presented(headers: &crate::Headers) -> Result<Presented<'_>, Error> {
    let malformed = |why: String| Error::new(ErrorKind::MalformedSignature, why);
    let value = signature_header(headers, SIGNATURE)?;
    let id = signature_header(headers, ID)?;
    let t = signature_header(headers, TIMESTAMP)?;
    let signed_at = digit_seconds(t)
        .ok_or_else(|| malformed(format!("{TIMESTAMP} {t:?} is not Unix seconds")))?;
    let mut tags = Vec::new();
    for entry in value.split(' ').filter(|e| !e.is_empty()) {
        let (version, tag) = entry.split_once(',').ok_or_else(|| {
            malformed(format!(
                "{SIGNATURE} entry {entry:?} is not <version>,<signature>"
            ))
        })?;
        if version != "v1" {
            continue;
        }
        if tags.len() == MAX_SIGNATURES {
            return Err(malformed(format!(
                "{SIGNATURE} has more than {MAX_SIGNATURES} v1 signatures"
            )));
        }
        tags.push(decode_tag(tag, base64_decode, SIGNATURE, "v1,<base64>")?);
    }
    if tags.is_empty() {
        return Err(malformed(format!("{SIGNATURE} has no v1 signature")));
    }
    Ok(Presented {
        id,
        t,
        signed_at,
        tags,
    })
}

wire! {
    struct Payload<'a> {
        id: Text<'a> = "id",
        event_type: Text<'a> = "type",
        timestamp: Text<'a> = "timestamp",
        data: Loose<Data<'a>> = "data",
    }
}

wire! {
    struct Data<'a> {
        object_id: Text<'a> = "object_id",
        object_type: Text<'a> = "object_type",
        envelope_id: Text<'a> = "envelope_id",
        recipient_type: Text<'a> = "recipient_type",
    }
}

fn normalize(body: &[u8], _signed_at: Option<i64>) -> Result<(Fields, &str), Error> {
    let (payload, raw) = parse_object::<Payload>(body)?;
    let data = payload.data.0.unwrap_or_default();
    let mut fields = Fields {
        id: payload.id.owned(),
        provider_event: payload.event_type.owned(),
        time_millis: payload.timestamp.get().and_then(parse_rfc3339_millis),
        ..Fields::default()
    };
    fields.envelope.id = data.envelope_id.owned();
    if data.object_type.get() == Some("recipient") {
        fields.participant.id = data.object_id.owned();
        fields.participant.role = data.recipient_type.owned();
    }
    Ok((fields, raw))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The Standard Webhooks specification's vector (its Go library's `TestWebhookSign`).
    #[test]
    fn the_specification_vector_verifies() {
        let body = br#"{"test": 2432232314}"#;
        let headers: crate::Headers = [
            (ID, "msg_p5jXN8AQM9LWM0D4loKWxJek"),
            (TIMESTAMP, "1614265330"),
            (
                SIGNATURE,
                "v1,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc= v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE= v2,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc=",
            ),
        ]
        .into_iter()
        .collect();
        for secret in [
            "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
            "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
        ] {
            let secrets = [
                Secret::new("not base64!").unwrap(),
                Secret::new(secret).unwrap(),
            ];
            let proof = verify(&headers, body, &secrets, 1_614_265_330, 300);
            assert_eq!(proof.map(|p| p.verification.key).ok(), Some(1), "{secret}");
        }
        let secrets = [Secret::new("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").unwrap()];
        assert_eq!(
            verify(&headers, body, &secrets, 1_614_265_330 + 301, 300)
                .err()
                .map(|e| e.kind()),
            Some(ErrorKind::TimestampOutOfTolerance)
        );
        assert_eq!(
            signature(
                &key_of(&secrets[0]),
                "msg_p5jXN8AQM9LWM0D4loKWxJek",
                "1614265330",
                body
            ),
            "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
        );
    }
}
