//! [`Event`]: the one serialized contract, a CloudEvents 1.0 event (JSON structured mode)
//! whose `data` is the same shape for every provider.

use std::fmt;

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
    /// The tenant whose route received the event (`/t/<tenant>/hooks/…`, the Worker's
    /// many-account mode); absent on the single-tenant routes and outside the Worker.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tenant: Option<String>,
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
    pub raw: RawJson,
}

/// One JSON value as text, kept exactly as written: the provider's payload in
/// [`EventData::raw`], byte for byte (less the credentials a provider's payload carries,
/// replaced by `"[redacted]"`).
///
/// It is always valid JSON: built by [`RawJson::new`], which checks, or by the crate from
/// text its own parse has just read whole. [`Event::to_json`] writes it as is; `Serialize`
/// (for other serializers) checks it again and emits it as serde_json's `RawValue` does.
#[derive(Clone, PartialEq, Eq)]
pub struct RawJson(Box<str>);

impl RawJson {
    /// `text` when it is one JSON value (surrounding whitespace dropped).
    pub fn new(text: &str) -> Result<RawJson, serde_json::Error> {
        let raw: &RawValue = serde_json::from_str(text)?;
        Ok(RawJson(raw.get().into()))
    }

    /// Text the crate's JSON reader (`json::Reader`, through `wire::parse_object`) just read
    /// as one whole JSON value, without surrounding whitespace; not checked again (debug
    /// builds check it with serde_json).
    pub(crate) fn parsed(text: &str) -> RawJson {
        debug_assert!(serde_json::from_str::<&RawValue>(text).is_ok_and(|r| r.get() == text));
        RawJson(text.into())
    }

    /// The JSON text.
    pub fn get(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for RawJson {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("RawJson")
            .field(&format_args!("{}", self.0))
            .finish()
    }
}

impl fmt::Display for RawJson {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl Serialize for RawJson {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let raw: &RawValue = serde_json::from_str(&self.0).map_err(serde::ser::Error::custom)?;
        raw.serialize(serializer)
    }
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

/// Appends `documents` as a JSON array, as `serde_json::to_string` writes it.
pub(crate) fn write_documents(out: &mut String, documents: &[Document]) {
    out.push('[');
    for (i, d) in documents.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        write_strings(out, &[("id", d.id.as_deref()), ("name", d.name.as_deref())]);
    }
    out.push(']');
}

/// Appends a JSON object of string (or `null`) members, in order. The names are this
/// file's literals, which need no escaping.
fn write_strings(out: &mut String, members: &[(&str, Option<&str>)]) {
    out.push('{');
    for (i, (name, value)) in members.iter().enumerate() {
        out.push_str(if i == 0 { "\"" } else { ",\"" });
        out.push_str(name);
        out.push_str("\":");
        crate::json::write_option(out, *value);
    }
    out.push('}');
}

impl Scheme {
    /// The string form, as serialized.
    pub const fn as_str(self) -> &'static str {
        match self {
            Scheme::HmacSha256 => "hmac-sha256",
            Scheme::ClientId => "client-id",
            Scheme::UrlToken => "url-token",
            Scheme::SharedSecret => "shared-secret",
        }
    }

    /// Every scheme.
    pub const ALL: &'static [Scheme] = &[
        Scheme::HmacSha256,
        Scheme::ClientId,
        Scheme::UrlToken,
        Scheme::SharedSecret,
    ];
}

impl Covers {
    /// The string form, as serialized.
    pub const fn as_str(self) -> &'static str {
        match self {
            Covers::Body => "body",
            Covers::TimestampAndBody => "timestamp+body",
            Covers::ClientId => "client-id",
            Covers::SharedSecret => "shared-secret",
            Covers::EventMetadata => "event-metadata",
        }
    }

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
    ///
    /// Written by hand, member by member in the struct's order, byte for byte what
    /// `serde_json::to_string` writes (the fixture, property and fuzz tests assert that on
    /// every event they make), with the payload's text appended as it is: no second scan
    /// of it, no serializer machinery per field.
    pub fn to_json(&self) -> String {
        let raw = self.data.raw.get();
        let mut out = String::with_capacity(raw.len() + 512 + 96 * self.data.documents.len());
        self.write_head(&mut out);
        out.push_str(raw);
        out.push_str("}}");
        out
    }

    /// Everything up to and including `"raw":`.
    fn write_head(&self, out: &mut String) {
        use crate::json::{write_option, write_string};
        let field = |out: &mut String, name: &str| {
            out.push_str(",\"");
            out.push_str(name);
            out.push_str("\":");
        };
        out.push_str("{\"specversion\":");
        write_string(out, self.specversion);
        field(out, "id");
        write_string(out, &self.id);
        field(out, "source");
        write_string(out, &self.source);
        field(out, "type");
        write_string(out, self.event_type.as_str());
        if let Some(subject) = &self.subject {
            field(out, "subject");
            write_string(out, subject);
        }
        if let Some(time) = &self.time {
            field(out, "time");
            write_string(out, time);
        }
        field(out, "datacontenttype");
        write_string(out, self.datacontenttype);
        field(out, "provider");
        write_string(out, self.provider);
        if let Some(tenant) = &self.tenant {
            field(out, "tenant");
            write_string(out, tenant);
        }
        if let Some(name) = &self.providerevent {
            field(out, "providerevent");
            write_string(out, name);
        }
        field(out, "testmode");
        out.push_str(if self.testmode { "true" } else { "false" });

        let data = &self.data;
        let envelope = &data.envelope;
        out.push_str(",\"data\":{\"envelope\":");
        write_strings(
            out,
            &[
                ("id", envelope.id.as_deref()),
                ("name", envelope.name.as_deref()),
                ("status", Some(envelope.status.as_str())),
                ("provider_status", envelope.provider_status.as_deref()),
            ],
        );
        field(out, "participant");
        match &data.participant {
            Some(p) => write_strings(
                out,
                &[
                    ("id", p.id.as_deref()),
                    ("email", p.email.as_deref()),
                    ("name", p.name.as_deref()),
                    ("role", p.role.as_deref()),
                    ("status", p.status.as_deref()),
                ],
            ),
            None => out.push_str("null"),
        }
        field(out, "actor");
        match &data.actor {
            Some(a) => write_strings(
                out,
                &[
                    ("email", a.email.as_deref()),
                    ("name", a.name.as_deref()),
                    ("ip", a.ip.as_deref()),
                ],
            ),
            None => out.push_str("null"),
        }
        field(out, "documents");
        write_documents(out, &data.documents);
        field(out, "reason");
        write_option(out, data.reason.as_deref());
        field(out, "verification");
        match &data.verification {
            Some(v) => {
                out.push_str("{\"scheme\":");
                write_string(out, v.scheme.as_str());
                field(out, "covers");
                write_string(out, v.covers.as_str());
                field(out, "key");
                out.push_str(&v.key.to_string());
                out.push('}');
            }
            None => out.push_str("null"),
        }
        field(out, "raw");
    }

    /// Several events as one JSON array: CloudEvents' JSON batch format
    /// (`application/cloudevents-batch+json`), for a delivery that holds several.
    pub fn batch_json(events: &[Event]) -> String {
        let mut out = String::from("[");
        for (i, event) in events.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            out.push_str(&event.to_json());
        }
        out.push(']');
        out
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
    fn raw_json_is_checked_when_built_from_outside() {
        assert_eq!(
            RawJson::new(" {\"a\": [1, 2]}\n").unwrap().get(),
            "{\"a\": [1, 2]}"
        );
        for bad in ["", "{", "{} {}", "[1,]", "nul", "\"\u{1}\""] {
            assert!(RawJson::new(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn to_json_writes_what_serde_json_writes() {
        let body = br#"{"requests":{"request_id":"1","document_ids":[{"document_id":"d\n1"},{}]},"notifications":{"operation_type":"RequestCompleted","action_id":"a"}}"#;
        let mut event = crate::normalize_unverified(crate::Provider::ZohoSign, body).unwrap();
        assert_eq!(event.to_json(), serde_json::to_string(&event).unwrap());
        event.subject = None;
        event.time = Some("t\u{1}".into());
        event.testmode = true;
        event.data.actor = Some(Actor::default());
        for scheme in Scheme::ALL {
            for covers in Covers::ALL {
                event.data.verification = Some(Verification {
                    scheme: *scheme,
                    covers: *covers,
                    key: 12,
                });
                assert_eq!(event.to_json(), serde_json::to_string(&event).unwrap());
            }
        }
    }

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
