//! What a hook answers the provider once the delivery is taken: the acknowledgement with
//! each event's [`Status`], the exact body a provider requires (`Provider::answer`),
//! Acrobat Sign's client-id echo, or in inspect mode the event itself.

use serde::Serialize;

use crate::worker::reply::{Reply, JSON, TEXT};
use crate::{Event, Provider};

/// Acrobat Sign's client-id echo header (response), as its docs spell it.
const ACROBAT_ECHO_HEADER: &str = "X-AdobeSign-ClientId";
/// One CloudEvent in JSON.
const CLOUDEVENTS_JSON: &str = "application/cloudevents+json";
/// CloudEvents' JSON batch format: an array of events.
pub(super) const CLOUDEVENTS_BATCH_JSON: &str = "application/cloudevents-batch+json";

/// What became of one event of a delivery, as the answer's `status` (and the log line)
/// says it.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(super) enum Status {
    /// Inspect mode: nothing sent, the answer is the event.
    Inspected,
    /// Direct mode: origin answered 2xx.
    Delivered,
    /// Queue mode: a job is written (its own, or a live copy's).
    Queued,
    /// Queue mode: origin already has it.
    Duplicate,
    /// Queue mode: it is a dead letter.
    Dead,
    /// A setup handshake, answered and never delivered.
    Handshake,
}

impl Status {
    /// `inspected`, `delivered`, `queued`, `duplicate`, `dead`, `handshake`.
    pub(super) const fn as_str(self) -> &'static str {
        match self {
            Status::Inspected => "inspected",
            Status::Delivered => "delivered",
            Status::Queued => "queued",
            Status::Duplicate => "duplicate",
            Status::Dead => "dead",
            Status::Handshake => "handshake",
        }
    }
}

/// Acrobat Sign's required answer: the client id in the header and in the JSON body.
#[derive(Serialize)]
struct AcrobatEcho<'a> {
    #[serde(rename = "xAdobeSignClientId")]
    client_id: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    event: Option<&'a Event>,
}

/// Acrobat Sign's echo of `client_id`, with nothing else.
pub(super) fn acrobat_echo(client_id: &str) -> Reply {
    acrobat_reply(client_id, None)
}

/// Acrobat Sign's echo of `client_id`, with `event` beside it (inspect mode).
fn acrobat_reply(client_id: &str, event: Option<&Event>) -> Reply {
    let body = serde_json::to_string(&AcrobatEcho { client_id, event }).unwrap_or_default();
    Reply::new(200, JSON, body).with_header(ACROBAT_ECHO_HEADER, client_id.to_owned())
}

/// Inspect mode: the event itself (Acrobat Sign: wrapped beside the client-id echo).
pub(super) fn inspect_reply(event: &Event, client_id: Option<&str>) -> Reply {
    match client_id {
        Some(id) => acrobat_reply(id, Some(event)),
        None => Reply::new(200, CLOUDEVENTS_JSON, event.to_json()),
    }
}

/// Direct mode after origin took the event, queue mode once it is queued, a handshake
/// answered: `{"id","type","status"}`. A provider that requires an exact body
/// (`Provider::answer`) gets it, as `text/plain`; Acrobat Sign its echo.
pub(super) fn ack_reply(
    provider: Provider,
    event: &Event,
    client_id: Option<&str>,
    status: Status,
) -> Reply {
    if let Some(answer) = provider.answer() {
        return Reply::new(200, TEXT, answer.to_owned());
    }
    /// The acknowledgement's JSON.
    #[derive(Serialize)]
    struct Ack<'a> {
        id: &'a str,
        #[serde(rename = "type")]
        event_type: &'a str,
        status: &'a str,
    }
    match client_id {
        Some(id) => acrobat_echo(id),
        None => Reply::new(
            200,
            JSON,
            serde_json::to_string(&Ack {
                id: &event.id,
                event_type: event.event_type.as_str(),
                status: status.as_str(),
            })
            .unwrap_or_default(),
        ),
    }
}

/// The answer to a delivery of several events: each one's id, type and status.
pub(super) fn batch_reply(events: &[Event], statuses: &[Status]) -> Reply {
    /// One event of the answer.
    #[derive(Serialize)]
    struct Item<'a> {
        id: &'a str,
        #[serde(rename = "type")]
        event_type: &'a str,
        status: &'a str,
    }
    /// The answer's JSON.
    #[derive(Serialize)]
    struct Batch<'a> {
        events: Vec<Item<'a>>,
    }
    let items = events
        .iter()
        .zip(statuses)
        .map(|(event, status)| Item {
            id: &event.id,
            event_type: event.event_type.as_str(),
            status: status.as_str(),
        })
        .collect();
    Reply::new(
        200,
        JSON,
        serde_json::to_string(&Batch { events: items }).unwrap_or_default(),
    )
}
