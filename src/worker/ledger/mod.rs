//! The delivery ledger: a SQLite-backed Durable Object per envelope (binding `LEDGER`,
//! class `Ledger`, `object.rs`), named by [`envelope_key`](crate::envelope_key) (or by the
//! event key for events that name no envelope). It records, per event key, its
//! [`KeyState`] (`delivering` with the queue message that holds the lease), the attempt
//! count, whether a queue job for it was written, and when its next attempt is due (one
//! retry budget and one backoff per event, however many copies arrive); per envelope, the
//! `sequence` counter and, per verification key, the latest provider time already
//! forwarded (so that one account's events never mark another's `stale`).
//!
//! Its protocol is declared here once (`durable::Operation` on each request type) and
//! spoken only through [`LedgerClient`], one method per operation:
//!
//! | method | request | answer | caller |
//! |---|---|---|---|
//! | [`LedgerClient::accept`] | [`Accept`] | [`Accepted`] | the producer, before enqueueing; alerts |
//! | [`LedgerClient::enqueued`] | [`Enqueued`] | `{}` | the producer, once Queues confirmed |
//! | [`LedgerClient::claim`] | [`Claim`] | [`Claimed`] | the consumer, before an attempt |
//! | [`LedgerClient::complete`] | [`Complete`] | [`Completed`] | the consumer, after one |

/// The Durable Object.
mod object;

use ::worker::Env;
use serde::{Deserialize, Serialize};

use super::durable::{self, Noted, Operation};

/// The binding of the ledger's namespace.
const BINDING: &str = "LEDGER";

/// What the ledger knows of an event key: its `state` column, and the `state` of its
/// answers (stored and sent as the snake-case name: `accepted`, …).
#[derive(Clone, Copy, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(in crate::worker) enum KeyState {
    /// Recorded, not being attempted (never yet, or after a failed attempt).
    Accepted,
    /// A queue message holds the lease for an attempt.
    Delivering,
    /// Origin took it.
    Delivered,
    /// A dead letter: only a replay (the next generation) sends it again.
    Dead,
}

impl KeyState {
    /// The stored value: `accepted`, `delivering`, `delivered`, `dead`.
    pub(in crate::worker) const fn as_str(self) -> &'static str {
        match self {
            KeyState::Accepted => "accepted",
            KeyState::Delivering => "delivering",
            KeyState::Delivered => "delivered",
            KeyState::Dead => "dead",
        }
    }

    /// Delivered or dead: no attempt is due.
    pub(in crate::worker) const fn is_settled(self) -> bool {
        matches!(self, KeyState::Delivered | KeyState::Dead)
    }
}

/// What one attempt came to, as `/complete` is told (sent as `delivered`, `failed`,
/// `dead`).
#[derive(Clone, Copy, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(in crate::worker) enum Outcome {
    /// Origin answered 2xx.
    Delivered,
    /// Worth another attempt, after the backoff.
    Failed,
    /// Never again: a dead letter.
    Dead,
}

impl Outcome {
    /// The key's state after this outcome, for a key the ledger no longer held.
    pub(in crate::worker) const fn settled_state(self) -> KeyState {
        match self {
            Outcome::Delivered => KeyState::Delivered,
            Outcome::Failed => KeyState::Accepted,
            Outcome::Dead => KeyState::Dead,
        }
    }
}

/// Why a claim must wait: another copy's live lease, or the backoff after a failed
/// attempt. On the wire, the field `backoff` (`true` for [`Wait::Backoff`]).
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default, Serialize, Deserialize)]
#[serde(from = "bool", into = "bool")]
pub(in crate::worker) enum Wait {
    /// Another copy of the event holds a live lease.
    #[default]
    Lease,
    /// The backoff after the last failed attempt has not run out.
    Backoff,
}

impl From<bool> for Wait {
    fn from(backoff: bool) -> Wait {
        if backoff {
            Wait::Backoff
        } else {
            Wait::Lease
        }
    }
}

impl From<Wait> for bool {
    fn from(wait: Wait) -> bool {
        wait == Wait::Backoff
    }
}

/// `/accept`: the producer, before enqueueing.
#[derive(Serialize, Deserialize)]
pub(in crate::worker) struct Accept {
    /// The event key (`webhook-id`).
    pub(in crate::worker) key: String,
    /// Whether to give the event a `sequence` number (it names an envelope).
    pub(in crate::worker) sequenced: bool,
    /// The provider's event time that may order the envelope, Unix ms.
    pub(in crate::worker) time_ms: Option<i64>,
}

impl Operation for Accept {
    const PATH: &'static str = "/accept";
    type Answer = Accepted;
}

/// What the ledger knows of an accepted key.
#[derive(Serialize, Deserialize)]
pub(in crate::worker) struct Accepted {
    /// The event's `sequence` number in its envelope (a provider's retry keeps its first).
    pub(in crate::worker) seq: Option<i64>,
    /// The key's state.
    pub(in crate::worker) state: KeyState,
    /// A queue job for the key was written and the key is not settled: a copy needs no
    /// job of its own (it would only spend the same retry budget faster).
    #[serde(default)]
    pub(in crate::worker) live: bool,
}

/// `/enqueued`: the producer, once Queues confirmed the job's write.
#[derive(Serialize, Deserialize)]
pub(in crate::worker) struct Enqueued {
    /// The event key.
    pub(in crate::worker) key: String,
}

impl Operation for Enqueued {
    const PATH: &'static str = "/enqueued";
    type Answer = Noted;
}

/// `/claim`: the consumer, before one attempt.
#[derive(Serialize, Deserialize)]
pub(in crate::worker) struct Claim {
    /// The event key.
    pub(in crate::worker) key: String,
    /// The queue message id: stable across Queues' retries and the dead-letter move, so
    /// the message that holds a lease takes it back after a crash.
    pub(in crate::worker) msg: String,
    /// 0, or the replay generation (each replay of a dead letter is one higher).
    pub(in crate::worker) gen: i64,
    /// The provider's event time, Unix ms, for the staleness check.
    pub(in crate::worker) time_ms: Option<i64>,
    /// How long the lease holds, ms: origin's timeout and a margin.
    pub(in crate::worker) lease_ms: i64,
    /// Whose latest time the staleness check reads: the verification key's index.
    #[serde(default)]
    pub(in crate::worker) scope: String,
}

impl Operation for Claim {
    const PATH: &'static str = "/claim";
    type Answer = Claimed;
}

/// The ledger's decision on a claim.
#[derive(Serialize, Deserialize)]
#[serde(tag = "decision", rename_all = "snake_case")]
pub(in crate::worker) enum Claimed {
    /// Go: this is attempt `attempt`; `stale` when the envelope already has a later event
    /// delivered.
    Proceed {
        /// The attempt's number, from 1.
        attempt: i64,
        /// The envelope already has a later event delivered.
        stale: bool,
    },
    /// Not now: ask again in `retry_ms`.
    Busy {
        /// How long the lease or the backoff still runs, ms.
        retry_ms: i64,
        /// Which of the two.
        #[serde(rename = "backoff", default)]
        wait: Wait,
    },
    /// Already delivered or dead (or an older generation): nothing to do.
    Duplicate {
        /// The key's state.
        state: KeyState,
    },
}

/// `/complete`: the consumer, after an attempt (or the dead-letter consumer).
#[derive(Serialize, Deserialize)]
pub(in crate::worker) struct Complete {
    /// The event key.
    pub(in crate::worker) key: String,
    /// The queue message that made the attempt.
    pub(in crate::worker) msg: String,
    /// The generation attempted.
    pub(in crate::worker) gen: i64,
    /// What came of it.
    pub(in crate::worker) outcome: Outcome,
    /// The provider's event time, Unix ms: the envelope's latest once delivered.
    pub(in crate::worker) time_ms: Option<i64>,
    /// [`Outcome::Failed`]: the backoff before the next attempt, in ms; no copy attempts
    /// before.
    #[serde(default)]
    pub(in crate::worker) retry_ms: i64,
    /// Whose latest time a delivery moves: the verification key's index.
    #[serde(default)]
    pub(in crate::worker) scope: String,
}

impl Operation for Complete {
    const PATH: &'static str = "/complete";
    type Answer = Completed;
}

/// The key's state after `/complete`.
#[derive(Serialize, Deserialize)]
pub(in crate::worker) struct Completed {
    /// The key's state.
    pub(in crate::worker) state: KeyState,
}

/// The ledger of one shard (an envelope, or one event's own), one method per operation.
#[derive(Clone, Copy)]
pub(in crate::worker) struct LedgerClient<'a> {
    env: &'a Env,
    shard: &'a str,
}

impl<'a> LedgerClient<'a> {
    /// The ledger object named `shard`.
    pub(in crate::worker) fn new(env: &'a Env, shard: &'a str) -> LedgerClient<'a> {
        LedgerClient { env, shard }
    }

    /// Records the key as accepted (numbering it), or says what is known of it already.
    pub(in crate::worker) async fn accept(&self, request: &Accept) -> ::worker::Result<Accepted> {
        self.ask(request).await
    }

    /// Notes that the key's queue job is written: copies then add none.
    pub(in crate::worker) async fn enqueued(&self, request: &Enqueued) -> ::worker::Result<Noted> {
        self.ask(request).await
    }

    /// Claims the key for one attempt: go, wait, or nothing to do.
    pub(in crate::worker) async fn claim(&self, request: &Claim) -> ::worker::Result<Claimed> {
        self.ask(request).await
    }

    /// Records what an attempt came to.
    pub(in crate::worker) async fn complete(
        &self,
        request: &Complete,
    ) -> ::worker::Result<Completed> {
        self.ask(request).await
    }

    /// Posts `request` to this shard.
    async fn ask<O: Operation>(&self, request: &O) -> ::worker::Result<O::Answer> {
        durable::call(self.env, BINDING, self.shard, request).await
    }
}
