//! A body into events: [`Verified::normalize`] and [`Verified::normalize_all`] (with the
//! replay and clock bounds), [`normalize_unverified`], and what every provider's payload
//! reader shares ([`Fields`], the ids of events that carry none, the envelope status an
//! event implies).

use crate::error::{Error, ErrorKind};
use crate::event::{
    Actor, Covers, Document, Envelope, EnvelopeStatus, Event, EventData, EventType, Participant,
    RawJson, Verification,
};
use crate::time;
use crate::verify::{hex_encode, sha256};

use super::{redact, Provider, Verified, DEFAULT_MAX_EVENTS_PER_DELIVERY};

impl<'a> Verified<'a> {
    /// The provider.
    pub fn provider(&self) -> Provider {
        self.provider
    }

    /// The exact bytes that were verified.
    pub fn body(&self) -> &'a [u8] {
        self.body
    }

    /// How it was verified, and which key matched.
    pub fn verification(&self) -> Verification {
        self.verification
    }

    /// The signed timestamp, in Unix seconds (Zigned, DocuSeal, BoldSign).
    pub fn signed_at(&self) -> Option<i64> {
        self.signed_at
    }

    /// Acrobat Sign: the client id to echo back in the answer.
    pub fn client_id(&self) -> Option<&str> {
        self.client_id.as_deref()
    }

    /// Parses the verified body into the unified [`Event`].
    ///
    /// Fails with `malformed_payload` when the body is not a JSON object, and with
    /// `event_too_old` when [`VerifyConfig::max_event_age_seconds`] is set, the proof
    /// covers the body, and the provider's event time in it is older than that. Unknown
    /// events and odd fields become `esign.other` or `null`, never an error. A delivery of
    /// several events (PandaDoc) fails with `multiple_events`: use
    /// [`Verified::normalize_all`], so that none is dropped.
    ///
    /// [`VerifyConfig::max_event_age_seconds`]: super::VerifyConfig::max_event_age_seconds
    pub fn normalize(&self) -> Result<Event, Error> {
        single(self.normalize_all()?)
    }

    /// Parses the verified body into every [`Event`] it holds: one for most providers,
    /// one per element of a PandaDoc array (in order; ids `<hash of the body>:<index>`,
    /// from what the MAC covers, stable across byte-identical retries). Fails as [`Verified::normalize`] does, for the whole
    /// delivery if any event fails: nothing is half accepted.
    pub fn normalize_all(&self) -> Result<Vec<Event>, Error> {
        let events = normalize_events(
            self.provider,
            self.body,
            Some(self.verification),
            self.signed_at,
            self.max_events_per_delivery,
        )?;
        for event in &events {
            self.check_age(event)?;
        }
        Ok(events)
    }

    /// The replay bound and the clock bound, on a time the proof covers only: the body's
    /// (the proof covers the body, with or without a timestamp) or the event metadata's
    /// (Dropbox Sign's `event_time`, SignWell's `event.time`, MACed with the type).
    ///
    /// - More than `max_clock_skew_seconds` after `now`: `event_too_new` (a future time
    ///   would otherwise order every later genuine event of its envelope behind it).
    /// - More than `max_event_age_seconds` before `now`: `event_too_old`.
    /// - No readable time: passes when the proof covers the body (the payloads seen always
    ///   carry one; refusing would reject a genuine delivery that lacks it), but fails as
    ///   `event_too_old` for a metadata-only proof when an age bound is set: there the
    ///   signed time is the only thing that stops a captured proof from being replayed
    ///   with any payload, for ever.
    ///
    /// Where the proof covers a signed timestamp and the body (BoldSign, DocuSeal, Box
    /// Sign, SignatureAPI, Zigned), the timestamp's tolerance is the replay bound; the
    /// body's own time, covered too, is held to the clock bound only.
    fn check_age(&self, event: &Event) -> Result<(), Error> {
        let covers = self.verification.covers;
        if !matches!(
            covers,
            Covers::Body | Covers::EventMetadata | Covers::TimestampAndBody
        ) {
            return Ok(());
        }
        let Some(at_ms) = event
            .time
            .as_deref()
            .and_then(crate::time::parse_rfc3339_millis)
        else {
            if covers == Covers::EventMetadata {
                if let Some(max_age) = self.max_event_age_seconds {
                    return Err(Error::new(
                        ErrorKind::EventTooOld,
                        format!(
                            "the signed event time is missing or unreadable, so the {max_age} s maximum age cannot be checked: the proof covers only the event's type and time"
                        ),
                    ));
                }
            }
            return Ok(());
        };
        let at = at_ms.div_euclid(1000);
        // The signed timestamp standing in as the event's time (Zigned's, a BoldSign or
        // DocuSeal event without its own): its tolerance was checked with the proof.
        if covers == Covers::TimestampAndBody && Some(at) == self.signed_at {
            return Ok(());
        }
        let ahead = at.saturating_sub(self.now);
        if ahead > 0 && ahead.unsigned_abs() > self.max_clock_skew_seconds {
            return Err(Error::new(
                ErrorKind::EventTooNew,
                format!(
                    "the event time {} is {ahead} s after now, beyond the {} s allowed clock skew",
                    event.time.as_deref().unwrap_or_default(),
                    self.max_clock_skew_seconds
                ),
            ));
        }
        let Some(max_age) = self
            .max_event_age_seconds
            .filter(|_| covers != Covers::TimestampAndBody)
        else {
            return Ok(());
        };
        let age = self.now.saturating_sub(at);
        if age > 0 && age.unsigned_abs() > max_age {
            return Err(Error::new(
                ErrorKind::EventTooOld,
                format!(
                    "the event time {} is {age} s before now, beyond the {max_age} s maximum age: a replay, or a retry older than any provider's schedule",
                    event.time.as_deref().unwrap_or_default()
                ),
            ));
        }
        Ok(())
    }
}

/// Normalizes a body WITHOUT checking any proof. For inspecting a payload (the validator
/// page, `signhook normalize`); the event's `data.verification` is `null`. A delivery of
/// several events fails with `multiple_events` (see [`normalize_unverified_all`]).
pub fn normalize_unverified(provider: Provider, body: &[u8]) -> Result<Event, Error> {
    single(normalize_unverified_all(provider, body)?)
}

/// Every event of a body, WITHOUT checking any proof (see [`normalize_unverified`]).
pub fn normalize_unverified_all(provider: Provider, body: &[u8]) -> Result<Vec<Event>, Error> {
    normalize_events(provider, body, None, None, DEFAULT_MAX_EVENTS_PER_DELIVERY)
}

/// The one event of a delivery, or why there is not exactly one.
pub(crate) fn single(mut events: Vec<Event>) -> Result<Event, Error> {
    match events.len() {
        1 => events.pop().ok_or_else(|| Error::new(ErrorKind::MalformedPayload, "no event")),
        0 => Err(Error::new(
            ErrorKind::MalformedPayload,
            "the delivery holds no event (an empty array)",
        )),
        n => Err(Error::new(
            ErrorKind::MultipleEvents,
            format!("the delivery holds {n} events: normalize them all (normalize_all, npm verifyAll) so that none is dropped"),
        )),
    }
}

/// What a provider module reads out of its payload.
#[derive(Default)]
pub(crate) struct Fields {
    pub(super) id: Option<String>,
    pub(super) provider_event: Option<String>,
    /// A type decided from more than the event name (e.g. Acrobat's `actionType`).
    pub(super) event_type: Option<EventType>,
    pub(super) subject: Option<String>,
    pub(super) time_millis: Option<i64>,
    pub(super) testmode: bool,
    pub(super) envelope: Envelope,
    pub(super) participant: Participant,
    pub(super) actor: Actor,
    pub(super) documents: Vec<Document>,
    pub(super) reason: Option<String>,
}

/// The envelope status an event type implies, where it implies one.
fn status_after(event_type: EventType) -> EnvelopeStatus {
    match event_type {
        EventType::EnvelopeCreated => EnvelopeStatus::Draft,
        EventType::EnvelopeSent => EnvelopeStatus::Sent,
        EventType::EnvelopeCompleted => EnvelopeStatus::Completed,
        EventType::EnvelopeDeclined => EnvelopeStatus::Declined,
        EventType::EnvelopeCancelled => EnvelopeStatus::Cancelled,
        EventType::EnvelopeExpired => EnvelopeStatus::Expired,
        EventType::EnvelopeDeleted => EnvelopeStatus::Deleted,
        _ => EnvelopeStatus::Unknown,
    }
}

/// Every event of a delivery: the body's one, or one per element of a batch provider's
/// array, at most `max_events` of them (counted before any is built). A batch's ids are
/// the body's hash and the index: only what the MAC covers names an event (a header beside
/// the proof, such as `X-PandaDoc-Webhook-Event-Id`, is the sender's to choose).
fn normalize_events(
    provider: Provider,
    body: &[u8],
    verification: Option<Verification>,
    signed_at: Option<i64>,
    max_events: usize,
) -> Result<Vec<Event>, Error> {
    if !provider.is_batch() {
        return Ok(vec![normalize_with(
            provider,
            body,
            verification,
            signed_at,
        )?]);
    }
    let malformed = |why: String| Error::new(ErrorKind::MalformedPayload, why);
    let text =
        std::str::from_utf8(body).map_err(|e| malformed(format!("body is not UTF-8: {e}")))?;
    let mut reader = crate::json::Reader::new(text);
    let elements: Vec<&str> = if reader.peek() == Some(b'[') {
        match split_array(&mut reader, max_events) {
            Ok(Some(elements)) => elements,
            Ok(None) => {
                return Err(Error::new(
                    ErrorKind::TooManyEvents,
                    format!(
                        "the delivery holds more than {max_events} events, the limit per delivery"
                    ),
                ))
            }
            Err(e) => return Err(malformed(format!("body is not a JSON array: {e}"))),
        }
    } else {
        // A bare object is one event (some senders unwrap a single notification).
        let value = reader.raw_value().and_then(|v| reader.finish().map(|()| v));
        vec![value.map_err(|e| malformed(format!("body is not JSON: {e}")))?]
    };
    let base = body_id(provider, body);
    elements
        .into_iter()
        .enumerate()
        .map(|(index, element)| {
            let mut event = normalize_with(provider, element.as_bytes(), verification, signed_at)
                .map_err(|e| {
                Error::new(
                    e.kind(),
                    format!("event {index} of the array: {}", e.message()),
                )
            })?;
            event.id = format!("{base}:{index}");
            Ok(event)
        })
        .collect()
}

/// At a JSON array: each element's text, as written; then nothing but whitespace. `None`
/// as soon as there are more than `max` elements (the rest is not read).
fn split_array<'a>(
    reader: &mut crate::json::Reader<'a>,
    max: usize,
) -> Result<Option<Vec<&'a str>>, crate::json::SyntaxError> {
    let mut elements = Vec::new();
    let mut at = reader.enter_array()?;
    while reader.next_element(&mut at)? {
        if elements.len() >= max {
            return Ok(None);
        }
        elements.push(reader.raw_value()?);
    }
    reader.finish()?;
    Ok(Some(elements))
}

/// The id of an event whose provider gives none and whose retries are not byte-identical
/// (DocuSign's `retryCount`, Documenso's `createdAt`): the first 16 bytes (hex) of SHA-256
/// over provider and every top-level member of the object `body` except those named in
/// `skip`, each as its key's and value's exact text. `None` when `body` is not one JSON
/// object (the caller's reader then fails anyway).
pub(crate) fn body_id_without(provider: Provider, body: &str, skip: &[&str]) -> Option<String> {
    let mut reader = crate::json::Reader::new(body);
    let mut members = reader.enter_object().ok()?;
    let mut parts: Vec<&[u8]> = vec![b"signhook/", provider.as_str().as_bytes(), b"\n"];
    let mut keys = Vec::new();
    while let Some(key) = reader.next_key(&mut members).ok()? {
        let value = reader.raw_value().ok()?;
        if !skip.contains(&key.as_ref()) {
            keys.push((key, value));
        }
    }
    reader.finish().ok()?;
    for (key, value) in &keys {
        parts.extend([key.as_bytes(), b"\0", value.as_bytes(), b"\0"]);
    }
    let digest = sha256(&parts);
    Some(hex_encode(digest.get(..16).unwrap_or(&digest)))
}

/// The first 16 bytes (hex) of SHA-256 over provider and body: the id of an event whose
/// provider gives none (a byte-identical retry gets the same id).
fn body_id(provider: Provider, body: &[u8]) -> String {
    let digest = sha256(&[b"signhook/", provider.as_str().as_bytes(), b"\n", body]);
    hex_encode(digest.get(..16).unwrap_or(&digest))
}

fn normalize_with(
    provider: Provider,
    body: &[u8],
    verification: Option<Verification>,
    signed_at: Option<i64>,
) -> Result<Event, Error> {
    let (fields, raw): (Fields, &str) = (provider.spec().normalize)(body, signed_at)?;
    // Credentials inside the payload never leave the edge: the listed keys' string values
    // are replaced, every other byte kept (`redact.rs`).
    let raw = match redact::redact(raw, provider.spec().redact) {
        std::borrow::Cow::Borrowed(raw) => RawJson::parsed(raw),
        std::borrow::Cow::Owned(text) => RawJson::new(&text).map_err(|e| {
            Error::new(
                ErrorKind::MalformedPayload,
                format!("body could not be redacted: {e}"),
            )
        })?,
    };
    let event_type = fields.event_type.unwrap_or_else(|| {
        fields
            .provider_event
            .as_deref()
            .map_or(EventType::Other, |name| provider.event_type(name))
    });
    // Providers without an event id (Zoho Sign, Zigned) retry with the same bytes, so a
    // hash of provider and body gives a retried delivery the same id.
    let id = fields.id.unwrap_or_else(|| body_id(provider, body));
    let subject = fields.subject.or_else(|| fields.envelope.id.clone());
    let mut envelope = fields.envelope;
    // A terminal event says where the envelope stands, whatever status string the payload
    // carries (Acrobat marks a rejected agreement CANCELLED; Zoho's minimal payload has
    // none). `provider_status` keeps the provider's own word.
    match status_after(event_type) {
        EnvelopeStatus::Unknown => {}
        EnvelopeStatus::Sent | EnvelopeStatus::Draft
            if envelope.status != EnvelopeStatus::Unknown => {}
        implied => envelope.status = implied,
    }
    Ok(Event {
        specversion: "1.0",
        id,
        source: format!("signhook/{provider}"),
        event_type,
        subject,
        time: fields.time_millis.and_then(time::format_unix_millis),
        datacontenttype: "application/json",
        provider: provider.as_str(),
        tenant: None,
        providerevent: fields.provider_event,
        testmode: fields.testmode,
        data: EventData {
            envelope,
            participant: (fields.participant != Participant::default())
                .then_some(fields.participant),
            actor: (fields.actor != Actor::default()).then_some(fields.actor),
            documents: fields.documents,
            reason: fields.reason,
            verification,
            raw,
        },
    })
}
