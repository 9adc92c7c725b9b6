//! [`Event`]: the one serialized contract, a CloudEvents 1.0 event (JSON structured mode)
//! whose `data` is the same shape for every provider.

use serde::{Serialize, Serializer};
use serde_json::value::RawValue;

/// A normalized e-signature event. Serialize it with [`Event::to_json`].
///
/// Extension attributes (`provider`, `providerevent`, `testmode`) follow CloudEvents naming
/// rules (lowercase letters and digits only).
#[derive(Debug, Clone, Serialize)]
pub struct Event {
    /// Always `1.0`.
    pub specversion: &'static str,
    /// The provider's own event id, or a stable hash of provider and body when it has none.
    pub id: String,
    /// `signhook/<provider>`.
    pub source: String,
    /// The normalized type.
    #[serde(rename = "type")]
    pub event_type: EventType,
    /// The envelope id (Zoho request, Acrobat agreement, Zigned agreement, Yousign
    /// signature request), when the payload names one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
    /// When the provider says the event happened, RFC 3339 UTC.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub time: Option<String>,
    /// Always `application/json`.
    pub datacontenttype: &'static str,
    /// Which provider sent it: its name (`zoho-sign`, …), as
    /// [`Provider::as_str`](crate::Provider::as_str) spells it.
    pub provider: &'static str,
    /// The provider's own event name (`RequestSigningSuccess`, `signer.done`, …).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub providerevent: Option<String>,
    /// Whether the provider marked it as a test/sandbox event.
    pub testmode: bool,
    /// The normalized content.
    pub data: EventData,
}

/// The `data` of an [`Event`]. Fields the payload does not carry are `null` (or empty).
#[derive(Debug, Clone, Serialize)]
pub struct EventData {
    /// The envelope the event is about.
    pub envelope: Envelope,
    /// The participant the event is about, if any.
    pub participant: Option<Participant>,
    /// Who performed the action, if the provider says.
    pub actor: Option<Actor>,
    /// Documents of the envelope named in the payload.
    pub documents: Vec<Document>,
    /// Decline or cancel reason, if any.
    pub reason: Option<String>,
    /// How the delivery was verified; `null` on the explicitly unverified path.
    pub verification: Option<Verification>,
    /// The provider's payload, byte for byte.
    pub raw: Box<RawValue>,
}

/// The envelope (signature request, agreement).
#[derive(Debug, Clone, Default, Serialize)]
pub struct Envelope {
    /// Provider id.
    pub id: Option<String>,
    /// Title.
    pub name: Option<String>,
    /// Normalized status.
    pub status: EnvelopeStatus,
    /// The provider's own status string.
    pub provider_status: Option<String>,
}

/// A signer, approver or other recipient.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Participant {
    /// Provider id.
    pub id: Option<String>,
    /// Email address.
    pub email: Option<String>,
    /// Display name.
    pub name: Option<String>,
    /// Role as the provider names it (`SIGNER`, `signer`, `SIGN`, …).
    pub role: Option<String>,
    /// Status as the provider names it.
    pub status: Option<String>,
}

/// Who performed the action.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Actor {
    /// Email address.
    pub email: Option<String>,
    /// Display name.
    pub name: Option<String>,
    /// IP address the provider recorded.
    pub ip: Option<String>,
}

/// A document of the envelope.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Document {
    /// Provider id.
    pub id: Option<String>,
    /// File name or title.
    pub name: Option<String>,
}

/// How a delivery was proven authentic.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Verification {
    /// `hmac-sha256`, `client-id`, `url-token` or `shared-secret`.
    pub scheme: Scheme,
    /// What the proof covers.
    pub covers: Covers,
    /// Index of the configured secret (or client id) that matched. Never the secret.
    pub key: usize,
}

/// A proof scheme.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub enum Scheme {
    /// An HMAC-SHA256 tag.
    #[serde(rename = "hmac-sha256")]
    HmacSha256,
    /// An allow-listed client id (Acrobat Sign; not a cryptographic proof).
    #[serde(rename = "client-id")]
    ClientId,
    /// A secret token in the webhook URL the provider was given (the Worker's
    /// `/hooks/acrobat-sign/<token>`), on top of the client id.
    #[serde(rename = "url-token")]
    UrlToken,
    /// A bearer secret the provider sends as is in a header (Documenso's
    /// `X-Documenso-Secret`, OneSpan Sign's `Authorization: Basic <callback key>`), compared
    /// in constant time: no MAC, so the body has no integrity and there is no freshness.
    #[serde(rename = "shared-secret")]
    SharedSecret,
}

/// What a proof covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub enum Covers {
    /// The raw body.
    #[serde(rename = "body")]
    Body,
    /// A timestamp and the raw body.
    #[serde(rename = "timestamp+body")]
    TimestampAndBody,
    /// Only the sender's client id; the body itself is not authenticated.
    #[serde(rename = "client-id")]
    ClientId,
    /// A secret only the provider and the edge know (a bearer token), so the sender is
    /// authenticated; the body has no integrity protection: a captured request can be
    /// replayed, or its body changed by whoever holds the secret.
    #[serde(rename = "shared-secret")]
    SharedSecret,
    /// Only the event's metadata (SignWell: its type and time, MACed into `event.hash` in
    /// the body): the sender knew the key, but the payload itself is not authenticated, so
    /// a captured proof can be replayed with another body. Origin must re-fetch the
    /// resource from the provider's API before acting.
    #[serde(rename = "event-metadata")]
    EventMetadata,
}

impl Scheme {
    /// Every scheme.
    pub const ALL: &'static [Scheme] = &[
        Scheme::HmacSha256,
        Scheme::ClientId,
        Scheme::UrlToken,
        Scheme::SharedSecret,
    ];
}

impl Covers {
    /// Every level, from the strongest proof to the weakest.
    pub const ALL: &'static [Covers] = &[
        Covers::TimestampAndBody,
        Covers::Body,
        Covers::SharedSecret,
        Covers::EventMetadata,
        Covers::ClientId,
    ];
}

macro_rules! string_enum {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident => $text:literal,)* }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum $name { $($(#[$vmeta])* $variant,)* }

        impl $name {
            /// Every value, in documentation order.
            pub const ALL: &'static [$name] = &[$($name::$variant,)*];

            /// The string form.
            pub const fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text,)* }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }
    };
}

string_enum! {
    /// The normalized event type, `esign.<entity>.<action>`.
    EventType {
        /// A draft or envelope was created.
        EnvelopeCreated => "esign.envelope.created",
        /// The envelope changed (settings, sharing, processing steps).
        EnvelopeUpdated => "esign.envelope.updated",
        /// The envelope went out for signature.
        EnvelopeSent => "esign.envelope.sent",
        /// Every participant finished; the envelope is complete.
        EnvelopeCompleted => "esign.envelope.completed",
        /// The envelope was declined.
        EnvelopeDeclined => "esign.envelope.declined",
        /// The sender cancelled (recalled) the envelope.
        EnvelopeCancelled => "esign.envelope.cancelled",
        /// The envelope expired.
        EnvelopeExpired => "esign.envelope.expired",
        /// The envelope (or its documents) were deleted.
        EnvelopeDeleted => "esign.envelope.deleted",
        /// A reminder went out.
        EnvelopeReminderSent => "esign.envelope.reminder_sent",
        /// Processing failed at the provider.
        EnvelopeFailed => "esign.envelope.failed",
        /// A participant was invited or notified.
        ParticipantNotified => "esign.participant.notified",
        /// A participant viewed the envelope.
        ParticipantViewed => "esign.participant.viewed",
        /// A participant signed.
        ParticipantSigned => "esign.participant.signed",
        /// A participant approved.
        ParticipantApproved => "esign.participant.approved",
        /// A participant declined or rejected.
        ParticipantDeclined => "esign.participant.declined",
        /// A participant was replaced, or delegated or forwarded their part.
        ParticipantReassigned => "esign.participant.reassigned",
        /// A participant passed identity verification.
        ParticipantIdentityVerified => "esign.participant.identity_verified",
        /// A participant failed identity verification.
        ParticipantIdentityFailed => "esign.participant.identity_failed",
        /// A notification email was delivered.
        EmailDelivered => "esign.email.delivered",
        /// A notification email bounced or could not be delivered.
        EmailBounced => "esign.email.bounced",
        /// A template (library document) was created.
        TemplateCreated => "esign.template.created",
        /// A template was changed.
        TemplateUpdated => "esign.template.updated",
        /// A template could not be processed.
        TemplateFailed => "esign.template.failed",
        /// Anything this crate does not classify; `providerevent` keeps the name.
        Other => "esign.other",
    }
}

string_enum! {
    /// The envelope's status, normalized.
    #[derive(Default)]
    EnvelopeStatus {
        /// Not sent yet.
        Draft => "draft",
        /// Out for signature.
        Sent => "sent",
        /// Everyone finished.
        Completed => "completed",
        /// Declined by a participant.
        Declined => "declined",
        /// Cancelled by the sender.
        Cancelled => "cancelled",
        /// Expired.
        Expired => "expired",
        /// Deleted.
        Deleted => "deleted",
        /// The payload names no status, or one this crate does not know.
        #[default]
        Unknown => "unknown",
    }
}

impl Event {
    /// The event as one line of JSON (CloudEvents structured mode).
    pub fn to_json(&self) -> String {
        // Every field is a string, bool, number or already-valid raw JSON, so
        // serialization cannot fail; an empty string is unreachable.
        serde_json::to_string(self).unwrap_or_default()
    }

    /// Several events as one JSON array: CloudEvents' JSON batch format
    /// (`application/cloudevents-batch+json`), for a delivery that holds several.
    pub fn batch_json(events: &[Event]) -> String {
        serde_json::to_string(events).unwrap_or_default()
    }

    /// The event as indented JSON, for people.
    pub fn to_json_pretty(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn type_names_fit_the_taxonomy() {
        for t in EventType::ALL {
            let name = t.as_str();
            assert!(name.starts_with("esign."), "{name}");
            assert!(
                name.split('.').count() == 3 || *t == EventType::Other,
                "{name}"
            );
        }
    }
}
