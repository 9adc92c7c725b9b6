//! Queue mode: the producer (`producer.rs`: the hook path records each event in its
//! envelope's ledger and enqueues a [`Job`] before it answers the provider) and the
//! consumer of both queues (`consumer.rs`, `#[event(queue)]`).
//!
//! ```text
//! fetch ─ verify, normalize ─ ledger accept (sequence; a live job? then no new one)
//!       ─ R2 if large ─ await sendBatch ─ ledger enqueued ─▶ 200
//! signhook-delivery ─▶ ledger claim ─ proceed ─ POST origin ─ ledger complete ─ ack
//!                                   │                      └ retry (backoff, kept in
//!                                   │                        the ledger) │ dead letter
//!                                   ├ busy ─ retry in the lease's remaining time
//!                                   ├ backoff ─ retry when the event's backoff ends
//!                                   └ duplicate ─ ack
//! signhook-dead-letters ─▶ ledger complete(dead) ─ dead-letter store ─ ack
//! ```

/// The consumer of both queues.
mod consumer;
/// The producer.
mod producer;

use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;

use crate::{Event, Provider};

pub(super) use producer::{enqueue, enqueue_events, Admission};

/// The R2 bucket binding for events too large for a queue message.
const STORE_BINDING: &str = "EVENT_STORE";

/// The `target` of an alert's job (`alerts.rs`).
pub(super) const ALERT_TARGET: &str = "alert";

/// One event on its way to origin: what a queue message carries (as JSON text).
#[derive(Serialize, Deserialize)]
pub(super) struct Job {
    /// Format version.
    pub(super) v: u8,
    /// The event key (`webhook-id`).
    pub(super) key: String,
    /// The ledger shard (Durable Object name).
    pub(super) shard: String,
    /// 0; a replay of a dead letter carries a higher generation.
    #[serde(default)]
    pub(super) gen: i64,
    /// The `sequence` attribute, when the event names an envelope.
    pub(super) seq: Option<String>,
    /// When the edge accepted the event, Unix ms.
    pub(super) received_ms: i64,
    /// The provider's event time, Unix ms (for the staleness check).
    pub(super) time_ms: Option<i64>,
    /// The provider's route name (`signhook` for an alert).
    pub(super) provider: String,
    /// The event's normalized type.
    #[serde(rename = "type")]
    pub(super) event_type: String,
    /// The verification key's index: whose latest time the staleness check reads.
    #[serde(default)]
    pub(super) scope: String,
    /// The tenant whose route received the event: its origin and forwarding key apply.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(super) tenant: Option<String>,
    /// [`ALERT_TARGET`]: an operational event for `ALERT_URL` (`alerts.rs`), not a
    /// provider's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(super) target: Option<String>,
    /// The event's own id, for the dead-letter listing.
    pub(super) id: String,
    /// The event's envelope, for the dead-letter listing.
    pub(super) subject: Option<String>,
    /// The event JSON, inline...
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(super) event: Option<Box<RawValue>>,
    /// ...or the R2 key holding it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(super) stored: Option<String>,
    /// A fresh job's event JSON (`Event::to_json`'s output), written into the message as
    /// `event` as it is (`job_text`): wrapping it in a `RawValue` would scan it all again on
    /// the path that answers the provider. Never read from a message.
    #[serde(skip)]
    pub(super) fresh_event: Option<String>,
}

impl Job {
    /// Whether this is an alert's job, for `ALERT_URL`.
    pub(super) fn is_alert(&self) -> bool {
        self.target.as_deref() == Some(ALERT_TARGET)
    }
}

/// The event key (`webhook-id`) of `event`: a tenant's in the tenant's own namespace.
pub(super) fn event_key(provider: Provider, event: &Event) -> String {
    match &event.tenant {
        Some(t) => crate::tenant_webhook_id(t, provider.as_str(), &event.id),
        None => crate::webhook_id(provider.as_str(), &event.id),
    }
}
