//! Dropbox Sign (formerly HelloSign).
//!
//! Scheme: the proof is in the BODY: `event.event_hash` is the lowercase hex of
//! HMAC-SHA256(key = the account's **API key** as its literal UTF-8 string, never
//! hex-decoded, message = `<event.event_time>` + `<event.event_type>`, no separator),
//! compared in constant time. Official code: hellosign/hellosign-openapi
//! `sdks/node/model/eventCallbackHelper.ts` (`createHmac("sha256", apiKey)
//! .update(`${eventTime}${eventType}`)`), the same in the PHP, Python, Ruby, Java and .NET
//! SDKs; glossary "Compute HMAC-SHA256 of event_time + event_type using the API key as the
//! secret" (docs/providers/dropbox-sign.md). `event_time` is a string in the OpenAPI schema and is
//! MACed as sent (a number: its JSON text exactly).
//!
//! **The payload is not authenticated** ([`Covers::EventMetadata`]): whoever captured one
//! callback can send its `event` with another `signature_request`. `event_time` is inside
//! the MAC, so the event-age bound (`max_event_age_seconds`) limits how long a captured
//! proof can be replayed; origin should re-fetch the signature request before acting.
//!
//! Transport: `multipart/form-data` with the payload in the form field `json`
//! (OpenAPI `x-webhooks` request bodies; "Events are sent as multipart/form-data POST
//! requests"); a body that is the JSON itself is accepted too (the glossary says "JSON
//! payload"; UNCONFIRMED as a delivery mode, docs/providers/dropbox-sign.md, and harmless since the
//! body is not what is signed). `data.raw` is the `json` field's bytes. Not accepted:
//! `application/x-www-form-urlencoded` `json=` (no source says Dropbox Sign sends it).
//!
//! Answer: `200` with the exact body `Hello API Event Received`
//! ([`Spec::answer`]), also for the dashboard's `callback_test`, which is answered and
//! never forwarded ([`Spec::handshake`]) (docs/providers/dropbox-sign.md).
//!
//! Payload (`EventCallbackRequest`, docs/providers/dropbox-sign.md): `event` {`event_time`,
//! `event_type`, `event_hash`, `event_metadata` {`related_signature_id`,
//! `reported_for_account_id`, `reported_for_app_id`, `event_message`}},
//! `signature_request` {`signature_request_id`, `title`, `test_mode`, `is_complete`,
//! `is_declined`, `signatures[]` {`signature_id`, `signer_email_address`, `signer_name`,
//! `signer_role`, `status_code`, `decline_reason`}, `signing_url`, …}, `template`
//! {`template_id`, `title`}. `signing_url` is a signer's embedded signing link: redacted.
//! No event id: the id is a hash of the proof, the event and what it is about
//! (`event_hash` alone collides for two events of one type in one second), so a retry,
//! whose multipart boundary may differ, keeps its id. UNCONFIRMED (docs/providers/dropbox-sign.md):
//! which API key hashes app callbacks of OAuth apps; the retry schedule (about 3 days).

use super::multipart;
use super::spec::Sample;
use super::spec::{SignedTime, TimeFormat};
use super::wire::{exact_scalar, parse_object, wire, List, Loose, Raw, Text};
use super::{metadata_proof, metadata_tag, one_way_split, Fields, Proof, ProofAt, Provider, Spec};
use crate::error::Error;
use crate::event::{EnvelopeStatus, Event, EventType, Participant};
use crate::secret::Secret;
use crate::verify::{hex_encode, sha256};

/// The registry entry (`src/providers/mod.rs`).
pub(super) const SPEC: Spec = Spec {
    name: "dropbox-sign",
    title: "Dropbox Sign",
    proof_header: PROOF_PATH,
    proof_at: ProofAt::Body,
    config_var: "DROPBOX_SIGN_SECRETS",
    events: EVENTS,
    verify: |_headers, body, config, _now| verify(body, &config.secrets),
    normalize,
    sign: |secret, _key, body, _timestamp| sign(secret, body),
    header_note: "Dropbox Sign puts its proof in the body (event.event_hash), keyed with the account's API key",
    name_hints: &["dropbox", "hellosign"],
    redact: &["signing_url"],
    handshake: Some(is_handshake),
    answer: Some(ANSWER),
    example_secret: "dropbox-sign-test-api-key-0123456789abcdef",
    secrets_note: "the account's **API keys** as their literal text (they key `event.event_hash`, in the body; only the event's time and type are covered: `covers` is `event-metadata`)",
    signed_time: Some(SignedTime { paths: &[&["event", "event_time"]], format: TimeFormat::EpochSecondsText }),
    samples: SAMPLES,
    account_field: Some("event.event_metadata.reported_for_account_id"),
    delivery_note: Some("Dropbox Sign's proof is event.event_hash, in the body, keyed with the API key (DROPBOX_SIGN_SECRETS): it covers only the event's time and type, so origin should re-fetch the signature request before acting on it. Dropbox Sign posts multipart/form-data (the payload in the field json); the Worker takes this JSON body too and answers \"Hello API Event Received\"."),
    ..Spec::DEFAULT
};

/// The validator page's sample deliveries (its test-delivery panel), one per event shown:
/// documented shapes, made-up ids and people.
/// `event.event_hash` (written when signing) covers only `event_time` + `event_type`; it posts
/// multipart/form-data, the Worker takes JSON too.
const SAMPLES: &[Sample] = &[
    Sample {
        event: "signature_request_signed",
        body: r#"{
  "event": {
    "event_time": "1731340000",
    "event_type": "signature_request_signed",
    "event_metadata": {
      "related_signature_id": "5687fb7bd5f2a4d0c8f7b9b37d26a1c1",
      "reported_for_account_id": "a8d7c8e9f0a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5",
      "reported_for_app_id": null,
      "event_message": null
    }
  },
  "signature_request": {
    "signature_request_id": "2f9781e1a8e2045224d808c153c2e1d3df6f8f2f",
    "title": "NDA Document",
    "test_mode": true,
    "is_complete": false,
    "is_declined": false,
    "signatures": [
      {
        "signature_id": "5687fb7bd5f2a4d0c8f7b9b37d26a1c1",
        "signer_email_address": "signer@example.com",
        "signer_name": "Sam Signer",
        "signer_role": null,
        "order": 0,
        "status_code": "signed"
      }
    ]
  }
}"#,
    },
    Sample {
        event: "signature_request_all_signed",
        body: r#"{
  "event": {
    "event_time": "1731340100",
    "event_type": "signature_request_all_signed",
    "event_metadata": {
      "related_signature_id": null,
      "reported_for_account_id": "a8d7c8e9f0a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5",
      "reported_for_app_id": null,
      "event_message": null
    }
  },
  "signature_request": {
    "signature_request_id": "2f9781e1a8e2045224d808c153c2e1d3df6f8f2f",
    "title": "NDA Document",
    "test_mode": true,
    "is_complete": true,
    "is_declined": false,
    "signatures": []
  }
}"#,
    },
];

/// Where the proof is: a dotted path into the JSON payload.
pub(super) const PROOF_PATH: &str = "event.event_hash";

/// The body Dropbox Sign requires in the 200, exactly (`EventCallbackResponse`).
pub(super) const ANSWER: &str = "Hello API Event Received";

/// The dashboard's "Test" callback: answered, never delivered.
const HANDSHAKE_EVENT: &str = "callback_test";

fn is_handshake(event: &Event) -> bool {
    event.providerevent.as_deref() == Some(HANDSHAKE_EVENT)
}

/// `event.event_type` → type: the OpenAPI `EventCallbackRequestEvent.event_type` enum.
pub(super) const EVENTS: &[(&str, EventType)] = &[
    // Account events are not about an envelope.
    ("account_confirmed", EventType::Other),
    ("unknown_error", EventType::EnvelopeFailed),
    ("file_error", EventType::EnvelopeFailed),
    // An embedded signing URL could not be used.
    ("sign_url_invalid", EventType::EnvelopeFailed),
    ("signature_request_viewed", EventType::ParticipantViewed),
    ("signature_request_signed", EventType::ParticipantSigned),
    ("signature_request_sent", EventType::EnvelopeSent),
    ("signature_request_all_signed", EventType::EnvelopeCompleted),
    ("signature_request_email_bounce", EventType::EmailBounced),
    ("signature_request_remind", EventType::EnvelopeReminderSent),
    // A qualified-signature signer has not finished identity verification.
    (
        "signature_request_incomplete_qes",
        EventType::EnvelopeUpdated,
    ),
    ("signature_request_destroyed", EventType::EnvelopeDeleted),
    ("signature_request_canceled", EventType::EnvelopeCancelled),
    // The final PDF can be downloaded (after `signature_request_all_signed`).
    ("signature_request_downloadable", EventType::EnvelopeUpdated),
    // A signer's decline ends the request.
    ("signature_request_declined", EventType::EnvelopeDeclined),
    (
        "signature_request_reassigned",
        EventType::ParticipantReassigned,
    ),
    ("signature_request_invalid", EventType::EnvelopeFailed),
    // Prepared (an embedded draft), not sent yet.
    ("signature_request_prepared", EventType::EnvelopeCreated),
    ("signature_request_expired", EventType::EnvelopeExpired),
    (
        "signature_request_signer_removed",
        EventType::EnvelopeUpdated,
    ),
    ("template_created", EventType::TemplateCreated),
    ("template_error", EventType::TemplateFailed),
    // The dashboard's test: answered by the Worker, never delivered.
    ("callback_test", EventType::Other),
];

/// The JSON payload: the `json` form field of a multipart body, or the body itself.
pub(super) fn payload(body: &[u8]) -> Result<&[u8], Error> {
    if multipart::is_multipart(body) {
        multipart::field(body, "json")
    } else {
        Ok(body)
    }
}

wire! {
    /// Only what the MAC needs.
    struct ProofPayload<'a> {
        event: Loose<ProofEvent<'a>> = "event",
    }
}

wire! {
    struct ProofEvent<'a> {
        time: Raw<'a> = "event_time",
        event_type: Raw<'a> = "event_type",
        hash: Text<'a> = "event_hash",
    }
}

/// `<event_time><event_type>`; `None` when a part is missing or not a string or number.
fn message(event: &ProofEvent<'_>) -> Option<String> {
    let time = exact_scalar(event.time)?;
    let event_type = exact_scalar(event.event_type)?;
    Some(format!("{time}{event_type}"))
}

pub(super) fn verify(body: &[u8], secrets: &[Secret]) -> Result<Proof, Error> {
    metadata_proof(Provider::DropboxSign, secrets, SIGNED, || {
        let (payload, _) = parse_object::<ProofPayload>(payload(body)?)?;
        let event = payload.event.0.unwrap_or_default();
        let hash = event.hash.owned();
        if hash.is_some() {
            unambiguous(&event)?;
        }
        Ok((hash, message(&event)))
    })
}

/// The one-way split of `<event_time><event_type>` ([`one_way_split`], T3-5).
fn unambiguous(event: &ProofEvent<'_>) -> Result<(), Error> {
    one_way_split(
        exact_scalar(event.time).as_deref(),
        exact_scalar(event.event_type).as_deref(),
        ("event.event_time", "event.event_type"),
        SIGNED,
    )
}

/// What the MAC covers, for errors.
const SIGNED: &str = "\"<event_time><event_type>\"";

/// The proof's value (`event.event_hash`) for `body` (JSON or multipart): over empty
/// parts when they are missing.
pub(super) fn sign(secret: &Secret, body: &[u8]) -> String {
    let event = payload(body)
        .ok()
        .and_then(|json| parse_object::<ProofPayload>(json).ok())
        .and_then(|(p, _)| p.event.0)
        .unwrap_or_default();
    metadata_tag(secret, &message(&event).unwrap_or_default())
}

wire! {
    struct Payload<'a> {
        event: Loose<Meta<'a>> = "event",
        signature_request: Loose<Request<'a>> = "signature_request",
        template: Loose<Template<'a>> = "template",
    }
}

wire! {
    struct Meta<'a> {
        time: Text<'a> = "event_time",
        event_type: Text<'a> = "event_type",
        hash: Text<'a> = "event_hash",
        metadata: Loose<Metadata<'a>> = "event_metadata",
    }
}

wire! {
    struct Metadata<'a> {
        related_signature_id: Text<'a> = "related_signature_id",
        account: Text<'a> = "reported_for_account_id",
        app: Text<'a> = "reported_for_app_id",
        message: Text<'a> = "event_message",
    }
}

wire! {
    struct Request<'a> {
        id: Text<'a> = "signature_request_id",
        title: Text<'a> = "title",
        test_mode: Text<'a> = "test_mode",
        is_complete: Text<'a> = "is_complete",
        is_declined: Text<'a> = "is_declined",
        signatures: List<Signature<'a>> = "signatures",
    }
}

wire! {
    struct Signature<'a> {
        id: Text<'a> = "signature_id",
        email: Text<'a> = "signer_email_address",
        name: Text<'a> = "signer_name",
        role: Text<'a> = "signer_role",
        status: Text<'a> = "status_code",
        decline_reason: Text<'a> = "decline_reason",
    }
}

wire! {
    struct Template<'a> {
        id: Text<'a> = "template_id",
        title: Text<'a> = "title",
    }
}

/// The event id: what identifies this event, hashed (see the module docs).
fn event_id(meta: &Meta<'_>, request: &Request<'_>, template: &Template<'_>) -> String {
    let metadata = meta.metadata.as_ref();
    let parts = [
        meta.hash.get(),
        meta.time.get(),
        meta.event_type.get(),
        request.id.get(),
        metadata.and_then(|m| m.related_signature_id.get()),
        template.id.get(),
        metadata.and_then(|m| m.account.get()),
        metadata.and_then(|m| m.app.get()),
    ];
    let mut joined = String::from("dropbox-sign");
    for part in parts {
        joined.push('\n');
        joined.push_str(part.unwrap_or_default());
    }
    let digest = sha256(&[joined.as_bytes()]);
    hex_encode(digest.get(..16).unwrap_or(&digest))
}

pub(super) fn normalize(body: &[u8], _signed_at: Option<i64>) -> Result<(Fields, &str), Error> {
    let (payload, raw) = parse_object::<Payload>(payload(body)?)?;
    let meta = payload.event.0.unwrap_or_default();
    let request = payload.signature_request.0.unwrap_or_default();
    let template = payload.template.0.unwrap_or_default();
    let mut fields = Fields {
        id: Some(event_id(&meta, &request, &template)),
        // `event_time` is Unix seconds, as a string.
        time_millis: meta.time.as_i64().and_then(|s| s.checked_mul(1000)),
        testmode: request.test_mode.get() == Some("true"),
        ..Fields::default()
    };
    fields.envelope.id = request.id.owned().or_else(|| template.id.owned());
    fields.envelope.name = request.title.owned().or_else(|| template.title.owned());
    fields.envelope.status = if request.is_complete.get() == Some("true") {
        EnvelopeStatus::Completed
    } else if request.is_declined.get() == Some("true") {
        EnvelopeStatus::Declined
    } else {
        EnvelopeStatus::Unknown
    };
    let metadata = meta.metadata.0.unwrap_or_default();
    // The signer the event is about (signed, viewed, declined, bounced, reassigned).
    if let Some(signature) = metadata
        .related_signature_id
        .get()
        .and_then(|id| request.signatures.iter().find(|s| s.id.get() == Some(id)))
    {
        fields.participant = Participant {
            id: signature.id.owned(),
            email: signature.email.owned(),
            name: signature.name.owned(),
            role: signature.role.owned(),
            status: signature.status.owned(),
        };
        fields.reason = signature.decline_reason.owned();
        fields.actor.email = signature.email.owned();
        fields.actor.name = signature.name.owned();
    }
    fields.reason = fields.reason.or_else(|| metadata.message.owned());
    fields.provider_event = meta.event_type.owned();
    Ok((fields, raw))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorKind;
    use crate::event::Covers;

    /// The official SDK key (hellosign-openapi test fixtures, docs/providers/dropbox-sign.md).
    const API_KEY: &str = "324e3b0840f065eb51f3fd63231d0d33daa35d4ed10d27718839e81737065782";

    fn body(time: &str, event_type: &str, hash: &str) -> String {
        format!(
            r#"{{"event":{{"event_time":"{time}","event_type":"{event_type}","event_hash":"{hash}"}}}}"#
        )
    }

    #[test]
    fn the_official_vectors() {
        let secrets = [Secret::new(API_KEY).unwrap()];
        for (time, event_type, hash) in [
            (
                "1348177752",
                "unknown_error",
                "c574f5d3090c2936360b4e36cf6835cf3e2206b84fdc6347e6b28ca721ae1371",
            ),
            (
                "1348177752",
                "account_confirmed",
                "6dc5b7aad93cf54915e0089d6c31d61b3833f66f51459171c69f8fa211308848",
            ),
            (
                "1348177752",
                "signature_request_sent",
                "08d45a6b7677492b78be030cef18cfeaece8fe67e163cc8e526ee638ad483756",
            ),
            (
                "1348177752",
                "template_created",
                "4a9b22fa68d5addb8b6313eea9d42ecb393903a4240b71503ef78e9dac6c100d",
            ),
            (
                "1669926463",
                "account_confirmed",
                "ff8b03439122f9160500c3fb855bdee5a9ccba5fff27d3b258745d8f3074832f",
            ),
        ] {
            let b = body(time, event_type, hash);
            let proof = verify(b.as_bytes(), &secrets).unwrap();
            assert_eq!(proof.verification.covers, Covers::EventMetadata);
            assert_eq!(sign(&secrets[0], b.as_bytes()), hash);
            // The SDK's negative test: the reversed key fails.
            let reversed: String = API_KEY.chars().rev().collect();
            assert_eq!(
                verify(b.as_bytes(), &[Secret::new(&reversed).unwrap()])
                    .err()
                    .map(|e| e.kind()),
                Some(ErrorKind::SignatureMismatch)
            );
        }
    }

    #[test]
    fn multipart_and_json_alike() {
        let secrets = [Secret::new(API_KEY).unwrap()];
        let json = body(
            "1348177752",
            "signature_request_sent",
            "08d45a6b7677492b78be030cef18cfeaece8fe67e163cc8e526ee638ad483756",
        );
        let multipart = format!(
            "--Ab12\r\nContent-Disposition: form-data; name=\"json\"\r\n\r\n{json}\r\n--Ab12--\r\n"
        );
        let other_boundary = multipart.replace("Ab12", "Zz99");
        assert!(verify(multipart.as_bytes(), &secrets).is_ok());
        let (a, raw) = normalize(multipart.as_bytes(), None).unwrap();
        let (b, _) = normalize(other_boundary.as_bytes(), None).unwrap();
        let (c, _) = normalize(json.as_bytes(), None).unwrap();
        assert_eq!(raw, json);
        // A retry with another boundary, or as JSON, keeps its id.
        assert_eq!(a.id, b.id);
        assert_eq!(a.id, c.id);
        let unsigned =
            "--b\r\nContent-Disposition: form-data; name=\"json\"\r\n\r\n{\"event\":{}}\r\n--b--";
        assert_eq!(
            verify(unsigned.as_bytes(), &secrets)
                .err()
                .map(|e| e.kind()),
            Some(ErrorKind::MissingSignature)
        );
        let no_field = "--b\r\nContent-Disposition: form-data; name=\"other\"\r\n\r\n{}\r\n--b--";
        assert_eq!(
            verify(no_field.as_bytes(), &secrets)
                .err()
                .map(|e| e.kind()),
            Some(ErrorKind::MalformedPayload)
        );
    }

    #[test]
    fn every_event_name_is_unique() {
        let mut names: Vec<_> = EVENTS.iter().map(|(n, _)| n).collect();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), EVENTS.len());
    }
}
