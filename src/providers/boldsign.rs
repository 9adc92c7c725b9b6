//! BoldSign.
//!
//! Scheme: header `X-BoldSign-Signature: t=<unix>, s0=<hex>[, s1=<hex>]`, where each
//! `s<n>` is the lowercase hex of HMAC-SHA256(key = the webhook's signing secret as UTF-8,
//! message = `<t>` + `.` + the raw body), the `t` text exactly as sent. `s0` is signed with
//! the current secret, `s1` with the previous one while it is still valid (rotation): every
//! `s<n>` is tried against every configured secret. Pairs split on `,` and are trimmed
//! (BoldSign writes a space after the comma). The timestamp must lie within the tolerance
//! of `now` (default 300 s, the SDKs' `DEFAULT_TIME_TOLERANCE`), checked after the MAC, as
//! the SDKs do. <https://developers.boldsign.com/webhooks/verify-webhook-events>,
//! boldsign-java-sdk `WebhookUtility.java` (docs/providers/boldsign.md); no published vector, the
//! tests use locally computed one (docs/providers/boldsign.md).
//!
//! Payload: `{"event": {"id", "created" (Unix seconds), "eventType", "clientId",
//! "environment": "Test" | "Live"}, "context": {"eventType", "actor": {"userType", "id"}},
//! "data": {"object": "document", "documentId", "messageTitle", "status", "senderDetail",
//! "signerDetails": […]}}` (<https://developers.boldsign.com/webhooks/sample-event-data>).
//! `event.id` is the event id; `data.documentId` the subject.
//!
//! Handshake: adding a webhook sends a `Verification` event, which must be answered 200
//! within 10 s; the Worker answers it without delivering it ([`Spec::handshake`]).
//! UNCONFIRMED (docs/providers/boldsign.md): whether that `Verification` request is signed. This
//! implementation verifies it like any delivery, so an unsigned one is refused
//! (`missing_signature`) and the webhook setup would fail; a live capture must settle it.
//! Also unconfirmed: the shape of `data` for non-document events (templates, sender
//! identities), read here as far as it matches the document shape.

use super::grammar::{Grammar, TagKeys, Unit};
use super::spec::Sample;
use super::wire::{parse_object, wire, List, Loose, Text};
use super::{pairs_proof, timestamped_tag, Enc, Fields, MacScheme, Provider, Signed, Spec};
use crate::error::Error;
use crate::event::{EnvelopeStatus, Event, EventType, Participant};
use crate::secret::Secret;

/// The registry entry (`src/providers/mod.rs`).
pub(super) const SPEC: Spec = Spec {
    name: "boldsign",
    title: "BoldSign",
    proof_header: SIGNATURE_HEADER,
    config_var: "BOLDSIGN_SECRETS",
    signs_timestamp: true,
    events: EVENTS,
    verify: |headers, body, config, now| {
        pairs_proof(&GRAMMAR, Provider::BoldSign, headers, body, config, now)
    },
    normalize,
    sign: |secret, _key, body, timestamp| sign(secret, body, timestamp),
    mac: Some(MacScheme {
        signed: Signed::TimestampDotBody,
        enc: Enc::Hex,
        prefix_ok: false,
        pairs: Some(GRAMMAR),
    }),
    header_note: "BoldSign signs every delivery with the webhook's signing secret (Webhooks → the webhook → signing secret)",
    name_hints: &["boldsign"],
    handshake: Some(is_handshake),
    example_secret: "boldsign_test_secret",
    secrets_note: "the webhooks' signing secrets (`t=<ts>, s0=<hex>` over `<t>.<body>`, ±`ZIGNED_TOLERANCE_SECONDS`)",
    samples: SAMPLES,
    delivery_note: Some("BoldSign signs the time: send it within the Worker's tolerance (300 s by default)."),
    ..Spec::DEFAULT
};

/// The validator page's sample deliveries (its test-delivery panel), one per event shown:
/// documented shapes, made-up ids and people.
/// sample-event-data's shape; `event.created` is Unix seconds.
const SAMPLES: &[Sample] = &[
    Sample {
        event: "Signed",
        body: r#"{
  "event": {
    "id": "b1e3a6f0-5d2c-4a8e-9b71-3c0f2d4e5a61",
    "created": 1731340000,
    "eventType": "Signed",
    "clientId": null,
    "environment": "Test"
  },
  "context": {
    "eventType": "Signed",
    "actor": {
      "userType": "Signer",
      "id": "30e062d0-7a1b-4c2d-8e3f-4a5b6c7d8e9f"
    },
    "previousState": null
  },
  "data": {
    "object": "document",
    "documentId": "26b8695f-46d0-4cd4-ba1a-c5a0d595c849",
    "messageTitle": "NDA Document",
    "status": "InProgress",
    "signerDetails": [
      {
        "signerName": "Sam Signer",
        "signerEmail": "signer@example.com",
        "id": "30e062d0-7a1b-4c2d-8e3f-4a5b6c7d8e9f",
        "status": "Completed",
        "order": 1
      }
    ]
  }
}"#,
    },
    Sample {
        event: "Completed",
        body: r#"{
  "event": {
    "id": "c2f4b7a1-6e3d-4b9f-8c82-4d1a3e5f6b72",
    "created": 1731340100,
    "eventType": "Completed",
    "clientId": null,
    "environment": "Test"
  },
  "context": {
    "eventType": "Completed",
    "actor": {
      "userType": "Signer",
      "id": "30e062d0-7a1b-4c2d-8e3f-4a5b6c7d8e9f"
    },
    "previousState": null
  },
  "data": {
    "object": "document",
    "documentId": "26b8695f-46d0-4cd4-ba1a-c5a0d595c849",
    "messageTitle": "NDA Document",
    "status": "Completed",
    "signerDetails": [
      {
        "signerName": "Sam Signer",
        "signerEmail": "signer@example.com",
        "id": "30e062d0-7a1b-4c2d-8e3f-4a5b6c7d8e9f",
        "status": "Completed",
        "order": 1
      }
    ]
  }
}"#,
    },
];

pub(super) const SIGNATURE_HEADER: &str = "X-BoldSign-Signature";

/// The event BoldSign sends when a webhook is added: answered, never delivered.
const HANDSHAKE_EVENT: &str = "Verification";

fn is_handshake(event: &Event) -> bool {
    event.providerevent.as_deref() == Some(HANDSHAKE_EVENT)
}

/// `event.eventType` → type: every value of the SDK's `EventTypeEnum` (docs/providers/boldsign.md).
pub(super) const EVENTS: &[(&str, EventType)] = &[
    ("Sent", EventType::EnvelopeSent),
    // One signer signed (the document completes with `Completed`).
    ("Signed", EventType::ParticipantSigned),
    ("Completed", EventType::EnvelopeCompleted),
    // A signer's decline declines the document.
    ("Declined", EventType::EnvelopeDeclined),
    // The sender revoked the document.
    ("Revoked", EventType::EnvelopeCancelled),
    ("Reassigned", EventType::ParticipantReassigned),
    ("Expired", EventType::EnvelopeExpired),
    ("Viewed", EventType::ParticipantViewed),
    ("AuthenticationFailed", EventType::ParticipantIdentityFailed),
    ("DeliveryFailed", EventType::EmailBounced),
    // The setup handshake: answered by the Worker, never delivered.
    ("Verification", EventType::Other),
    ("SendFailed", EventType::EnvelopeFailed),
    ("DraftCreated", EventType::EnvelopeCreated),
    // Sender identities are account settings, not envelopes.
    ("SenderIdentityCreated", EventType::Other),
    ("SenderIdentityUpdated", EventType::Other),
    ("SenderIdentityDeleted", EventType::Other),
    ("SenderIdentityRevoked", EventType::Other),
    ("SenderIdentityVerified", EventType::Other),
    ("SenderIdentityDenied", EventType::Other),
    ("TemplateCreated", EventType::TemplateCreated),
    ("TemplateCreateFailed", EventType::TemplateFailed),
    // A template draft is a template created, not yet usable.
    ("TemplateDraftCreated", EventType::TemplateCreated),
    ("TemplateSendFailed", EventType::TemplateFailed),
    // Identity verification started: activity, not an outcome.
    ("IdentityVerificationInitiated", EventType::Other),
    (
        "IdentityVerificationSucceeded",
        EventType::ParticipantIdentityVerified,
    ),
    (
        "IdentityVerificationFailed",
        EventType::ParticipantIdentityFailed,
    ),
    ("Reminder", EventType::EnvelopeReminderSent),
    ("Edited", EventType::EnvelopeUpdated),
    ("EditFailed", EventType::EnvelopeFailed),
    ("TemplateEdited", EventType::TemplateUpdated),
    // A signer saved a partly filled document: activity, not a lifecycle step.
    ("SignerSaved", EventType::Other),
    ("KBAInitiated", EventType::Other),
    ("KBASucceeded", EventType::ParticipantIdentityVerified),
    ("KBAFailed", EventType::ParticipantIdentityFailed),
];

/// The header's grammar (`src/providers/grammar.rs`): `s0`, `s1`, … tags, `t` in seconds.
/// The MAC is checked before the window, as BoldSign's SDKs do.
const GRAMMAR: Grammar = Grammar {
    header: SIGNATURE_HEADER,
    tags: TagKeys::Numbered('s'),
    unit: Unit::Seconds,
};

pub(super) fn sign(secret: &Secret, body: &[u8], timestamp: i64) -> String {
    let (t, tag) = timestamped_tag(secret, body, timestamp);
    format!("t={t}, s0={tag}")
}

wire! {
    struct Payload<'a> {
        event: Loose<Meta<'a>> = "event",
        context: Loose<Context<'a>> = "context",
        data: Loose<Data<'a>> = "data",
    }
}

wire! {
    struct Meta<'a> {
        id: Text<'a> = "id",
        created: Text<'a> = "created",
        event_type: Text<'a> = "eventType",
        environment: Text<'a> = "environment",
    }
}

wire! {
    struct Context<'a> {
        actor: Loose<ContextActor<'a>> = "actor",
    }
}

wire! {
    struct ContextActor<'a> {
        id: Text<'a> = "id",
    }
}

wire! {
    struct Data<'a> {
        document_id: Text<'a> = "documentId",
        template_id: Text<'a> = "templateId",
        message_title: Text<'a> = "messageTitle",
        status: Text<'a> = "status",
        signer_details: List<Signer<'a>> = "signerDetails",
    }
}

wire! {
    struct Signer<'a> {
        id: Text<'a> = "id",
        name: Text<'a> = "signerName",
        email: Text<'a> = "signerEmail",
        role: Text<'a> = "signerRole",
        status: Text<'a> = "status",
    }
}

fn envelope_status(status: &str) -> EnvelopeStatus {
    match status {
        "Draft" => EnvelopeStatus::Draft,
        "InProgress" | "WaitingForMe" | "WaitingForOthers" | "NeedsAttention" => {
            EnvelopeStatus::Sent
        }
        "Completed" => EnvelopeStatus::Completed,
        "Declined" => EnvelopeStatus::Declined,
        "Revoked" => EnvelopeStatus::Cancelled,
        "Expired" => EnvelopeStatus::Expired,
        _ => EnvelopeStatus::Unknown,
    }
}

pub(super) fn normalize(body: &[u8], signed_at: Option<i64>) -> Result<(Fields, &str), Error> {
    let (payload, raw) = parse_object::<Payload>(body)?;
    let meta = payload.event.0.unwrap_or_default();
    let data = payload.data.0.unwrap_or_default();
    let mut fields = Fields {
        id: meta.id.owned(),
        // `event.created` is Unix seconds; the signing time when it is missing.
        time_millis: meta
            .created
            .as_i64()
            .or(signed_at)
            .and_then(|s| s.checked_mul(1000)),
        testmode: meta.environment.get() == Some("Test"),
        ..Fields::default()
    };
    fields.envelope.id = data
        .document_id
        .owned()
        .or_else(|| data.template_id.owned());
    fields.envelope.name = data.message_title.owned();
    fields.envelope.provider_status = data.status.owned();
    fields.envelope.status = data
        .status
        .get()
        .map_or(EnvelopeStatus::Unknown, envelope_status);
    // The signer who acted: the context's actor, found among the document's signers.
    let actor_id = payload
        .context
        .0
        .as_ref()
        .and_then(|c| c.actor.0.as_ref())
        .and_then(|a| a.id.owned());
    if let Some(signer) = actor_id
        .as_deref()
        .and_then(|id| data.signer_details.iter().find(|s| s.id.get() == Some(id)))
    {
        fields.participant = Participant {
            id: signer.id.owned(),
            email: signer.email.owned(),
            name: signer.name.owned(),
            role: signer.role.owned(),
            status: signer.status.owned(),
        };
        fields.actor.email = signer.email.owned();
        fields.actor.name = signer.name.owned();
    }
    fields.provider_event = meta.event_type.owned();
    Ok((fields, raw))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorKind;
    use crate::providers::VerifyConfig;
    use crate::verify::hex_decode;

    /// A locally computed vector (docs/providers/boldsign.md).
    const BODY: &[u8] = br#"{"event":{"id":"afceddb1-2eed-4301-ae14-8b96a6b0393a","created":1669959514,"eventType":"Sent","clientId":null,"environment":"Test"},"data":{"object":"document","documentId":"26b8695f-46d0-4cd4-ba1a-c5a0d595c849","status":"InProgress"}}"#;
    const HEADER: &str =
        "t=1669959514, s0=9658ef50b6baeb224f1b5c8bff842e1d60b28eb07d7f9797f6cac4b6325c4108";

    #[test]
    fn the_local_vector_verifies_then_ages_out() {
        let h: crate::Headers = [(SIGNATURE_HEADER, HEADER)].into_iter().collect();
        let secrets = [Secret::new("boldsign-test-secret").unwrap()];
        let config = VerifyConfig {
            secrets: secrets.to_vec(),
            tolerance_seconds: 300,
            ..VerifyConfig::default()
        };
        let verify = |now| (SPEC.verify)(&h, BODY, &config, now);
        let proof = verify(1_669_959_514 + 300).unwrap();
        assert_eq!(proof.signed_at, Some(1_669_959_514));
        assert_eq!(
            verify(1_669_959_514 + 301).err().map(|e| e.kind()),
            Some(ErrorKind::TimestampOutOfTolerance)
        );
        let s = sign(&secrets[0], BODY, 1_669_959_514);
        assert_eq!(s, HEADER);
    }

    #[test]
    fn header_shapes() {
        let hex = "ab".repeat(32);
        let value = format!("t=1, s0={hex}, s1={hex}");
        let h = GRAMMAR.parse(&value).unwrap();
        assert_eq!((h.t, h.tags.len()), ("1", 2));
        for bad in [
            format!("s0={hex}"),
            "t=1".to_owned(),
            "t=1, s0=zz".to_owned(),
            format!("t=1, t=2, s0={hex}"),
            format!("t=1 s0={hex}"),
        ] {
            let parsed = GRAMMAR.parse(&bad).and_then(|p| {
                p.tags.iter().try_for_each(|(k, v)| {
                    crate::verify::decode_tag(v, hex_decode, k, "hex").map(drop)
                })
            });
            assert_eq!(
                parsed.err().map(|e| e.kind()),
                Some(ErrorKind::MalformedSignature),
                "{bad}"
            );
        }
        for bad in ["", "-1", "+1", "1.5", &"9".repeat(19)] {
            assert!(GRAMMAR.seconds(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn every_event_name_is_unique() {
        let mut names: Vec<_> = EVENTS.iter().map(|(n, _)| n).collect();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), EVENTS.len());
    }
}
