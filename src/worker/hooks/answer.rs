//! What a hook answers the provider once the delivery is taken: the acknowledgement with
//! each event's [`Status`], the exact body a provider requires (`Provider::answer`),
//! the client-id echo a provider requires (`Provider::echo`), or in inspect mode the event
//! itself.

use serde::Serialize;

use crate::worker::reply::{Reply, JSON, TEXT};
use crate::{Echo, Event, Provider};

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

/// The client-id echo a provider requires (`Provider::echo`: Acrobat Sign's): the id in
/// the echo header and in the body's echo field, `event` beside it in inspect mode. The
/// body is written by hand so that its fields keep their order (the echo first).
pub(super) fn echo_reply(echo: Echo, client_id: &str, event: Option<&Event>) -> Reply {
    let text = |s: &str| serde_json::to_string(s).unwrap_or_default();
    let event = event
        .map(|e| format!(",\"event\":{}", e.to_json()))
        .unwrap_or_default();
    let body = format!("{{{}:{}{event}}}", text(echo.field), text(client_id));
    Reply::new(200, JSON, body).with_header(echo.header, client_id.to_owned())
}

/// Inspect mode: the event itself (beside the client-id echo where the provider requires
/// one).
pub(super) fn inspect_reply(provider: Provider, event: &Event, client_id: Option<&str>) -> Reply {
    match (provider.echo(), client_id) {
        (Some(echo), Some(id)) => echo_reply(echo, id, Some(event)),
        _ => Reply::new(200, CLOUDEVENTS_JSON, event.to_json()),
    }
}

/// Direct mode after origin took the event, queue mode once it is queued, a handshake
/// answered: `{"id","type","status"}`. A provider that requires an exact body
/// (`Provider::answer`) gets it, as `text/plain`; one that requires an echo
/// (`Provider::echo`) its echo.
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
    match (provider.echo(), client_id) {
        (Some(echo), Some(id)) => echo_reply(echo, id, None),
        _ => Reply::new(
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
