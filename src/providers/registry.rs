//! [`Provider`]'s accessors over its file's `SPEC`, its name's parsing and printing, and
//! [`ProofAt`]. The enum itself and the list of providers are `registry!`'s, in `mod.rs`.

use std::fmt;
use std::str::FromStr;

use serde::{Serialize, Serializer};

use crate::error::{Error, ErrorKind};
use crate::event::{Event, EventType};

use super::{Echo, Keys, Provider, Sample, SignedTime};

impl Provider {
    /// The route, CLI and npm name: `zoho-sign`, `acrobat-sign`, `zigned`, `yousign`,
    /// `docusign`, `docuseal`, `documenso`, `onespan-sign`, `boldsign`, `signwell`,
    /// `dropbox-sign`, `pandadoc`.
    pub const fn as_str(self) -> &'static str {
        self.spec().name
    }

    /// The name for people: `Zoho Sign`, `Acrobat Sign`, …
    pub const fn title(self) -> &'static str {
        self.spec().title
    }

    /// The header carrying the provider's proof; for a provider whose proof is in the body
    /// ([`Provider::proof_in_body`]), its dotted path there (`event.hash`).
    pub const fn proof_header(self) -> &'static str {
        self.spec().proof_header
    }

    /// Where the proof travels: a header, the body, or the URL's query.
    pub const fn proof_at(self) -> ProofAt {
        self.spec().proof_at
    }

    /// Whether the proof travels in the body (SignWell's `event.hash`) rather than a header.
    pub const fn proof_in_body(self) -> bool {
        matches!(self.spec().proof_at, ProofAt::Body)
    }

    /// Whether a delivery's body is a list of events (PandaDoc's JSON array): use
    /// [`Verified::normalize_all`].
    ///
    /// [`Verified::normalize_all`]: super::Verified::normalize_all
    pub const fn is_batch(self) -> bool {
        self.spec().batch
    }

    /// The Worker var holding the provider's secrets (or, for a provider proven by an
    /// allow-listed client id, the client ids): `ZOHO_SIGN_SECRETS`, …
    pub const fn config_var(self) -> &'static str {
        self.spec().config_var
    }

    /// The public, fake value of [`Provider::config_var`] used in local development
    /// (`.dev.vars.example`, the page's test delivery): refused by a deployed Worker.
    pub const fn example_secret(self) -> &'static str {
        self.spec().example_secret
    }

    /// Sample deliveries in the provider's documented shape (made-up ids and people), one
    /// per event: the validator page's test deliveries.
    pub const fn samples(self) -> &'static [Sample] {
        self.spec().samples
    }

    /// What to know about a signed test delivery of this provider (how it proves a
    /// delivery, what origin should check), if more than "the Worker holds the secret".
    pub const fn delivery_note(self) -> Option<&'static str> {
        self.spec().delivery_note
    }

    /// Where the provider's own event time is in its body and how it is written, when the
    /// replay bound reads it there ([`refresh_times`](crate::refresh_times) rewrites it).
    pub const fn signed_time(self) -> Option<SignedTime> {
        self.spec().signed_time
    }

    /// What [`Provider::config_var`] holds, for people (docs/worker.md's configuration table,
    /// `.dev.vars.example`).
    pub const fn secrets_note(self) -> &'static str {
        self.spec().secrets_note
    }

    /// Whether deliveries are checked against allow-listed client ids (echoed back in the
    /// answer) rather than secrets.
    pub fn takes_client_ids(self) -> bool {
        self.spec().keys == Keys::ClientIds
    }

    /// Whether the proof signs a timestamp checked against `tolerance_seconds`.
    pub const fn signs_timestamp(self) -> bool {
        self.spec().signs_timestamp
    }

    /// The provider's documented event names and the type each maps to.
    pub fn event_types(self) -> &'static [(&'static str, EventType)] {
        self.spec().events
    }

    /// Whether `event` (verified and normalized) is the provider's setup handshake
    /// (BoldSign's `Verification`): to be answered 200 and never delivered.
    pub fn is_handshake(self, event: &Event) -> bool {
        self.spec().handshake.is_some_and(|is| is(event))
    }

    /// Where the provider requires its client id echoed back in the answer (Acrobat Sign's
    /// `X-AdobeSign-ClientId` header and `xAdobeSignClientId` field), if it does.
    pub const fn echo(self) -> Option<Echo> {
        self.spec().echo
    }

    /// The exact body the provider requires in the `200` acknowledging a delivery (Dropbox
    /// Sign: `Hello API Event Received`), if it requires one.
    pub fn answer(self) -> Option<&'static str> {
        self.spec().answer
    }

    /// The normalized type of a provider event name; `esign.other` when unknown.
    pub fn event_type(self, provider_event: &str) -> EventType {
        self.event_types()
            .iter()
            .find(|(name, _)| *name == provider_event)
            .map_or(EventType::Other, |(_, t)| *t)
    }
}

impl fmt::Display for Provider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Provider {
    type Err = Error;

    fn from_str(name: &str) -> Result<Provider, Error> {
        Provider::ALL
            .into_iter()
            .find(|p| p.as_str() == name)
            .ok_or_else(|| {
                let names: Vec<&str> = Provider::ALL.iter().map(|p| p.as_str()).collect();
                Error::new(
                    ErrorKind::UnknownProvider,
                    format!(
                        "unknown provider {name:?}, expected one of {}",
                        names.join(", ")
                    ),
                )
            })
    }
}

impl Serialize for Provider {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

/// Where a provider's proof travels.
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProofAt {
    /// A request header ([`Provider::proof_header`]).
    Header,
    /// The body, at [`Provider::proof_header`]'s dotted path (SignWell, Dropbox Sign).
    Body,
    /// The request URL's query parameter [`Provider::proof_header`] (PandaDoc's
    /// `?signature=`): give it with [`Headers::set_query`].
    ///
    /// [`Headers::set_query`]: crate::Headers::set_query
    Query,
}
