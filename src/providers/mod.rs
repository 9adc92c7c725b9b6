//! The providers: one file each, and the dispatch over them.
//!
//! Data path: [`verify`] checks the proof over the exact request bytes and returns a
//! [`Verified`]; only then does [`Verified::normalize`] parse the body (lazily, with private
//! borrowing wire structs) into an [`Event`](crate::Event). [`normalize_unverified`] is the
//! one, loudly named, way around the proof, for the validator page and the CLI's `normalize`.
//!
//! By role: this file declares the providers (`registry!`, one line each); `registry.rs`
//! gives [`Provider`] its accessors over each file's `SPEC`; `proof.rs` holds
//! [`VerifyConfig`], [`verify`] → [`Verified`], [`precheck`] and the proof helpers the
//! provider files share; `normalize.rs` turns a body into events (`Fields`, what a payload
//! reader fills); `sign.rs` produces test deliveries ([`sign()`], [`sign_body`],
//! [`sign_query`]).

mod account;
mod fresh;
pub(crate) mod grammar;
mod multipart;
mod redact;
mod spec;
mod wire;

// The providers' files, one each (declared here, not in `registry!`, so that `cargo fmt`
// and every other tool sees them).
mod acrobat_sign;
mod boldsign;
mod box_sign;
mod documenso;
mod docuseal;
mod docusign;
mod dropbox_sign;
mod onespan_sign;
mod pandadoc;
mod signable;
mod signatureapi;
mod signwell;
mod xodo_sign;
mod yousign;
mod zigned;
mod zoho_sign;

// The data path, by role.
mod normalize;
mod proof;
mod registry;
mod sign;

pub use account::{account_field, account_id};
pub use fresh::{refresh as refresh_times, time_in_body};
pub use normalize::{normalize_unverified, normalize_unverified_all};
pub use proof::{
    precheck, verify, verify_intent, Verified, VerifyConfig, DEFAULT_MAX_BODY_BYTES,
    DEFAULT_MAX_CLOCK_SKEW_SECONDS, DEFAULT_MAX_EVENTS_PER_DELIVERY, DEFAULT_MAX_EVENT_AGE_SECONDS,
    DEFAULT_TOLERANCE_SECONDS,
};
pub use registry::ProofAt;
pub use sign::{sign, sign_body, sign_query};
pub use spec::{Echo, Sample, SignedTime, TimeFormat};

pub(crate) use normalize::{body_id_without, Fields};
pub(crate) use proof::Proof;
pub(crate) use spec::{Enc, Keys, MacScheme, Signed, Spec};

// For the npm adapter (`src/js/`), which wants the one event of a delivery.
#[cfg(feature = "js")]
pub(crate) use normalize::single;

// The proof helpers the provider files share (`use super::{…}`).
use proof::{
    body_hmac_proof, metadata_proof, metadata_tag, one_way_split, pairs_proof, query_proof,
    require_secrets, signature_header, timestamped_proof, timestamped_tag,
};

/// Declares the providers: for each, its `Provider` variant and its module (one file under
/// `src/providers/`, declared above, which holds its `SPEC`). Everything else derives from
/// the list.
macro_rules! registry {
    ($($(#[$doc:meta])* $variant:ident => $module:ident,)*) => {

        /// An e-signature provider whose webhooks this crate verifies and normalizes.
        #[non_exhaustive]
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Provider {
            $($(#[$doc])* $variant,)*
        }

        /// How many providers there are.
        const COUNT: usize = [$(stringify!($variant),)*].len();

        impl Provider {
            /// Every provider, in documentation order.
            pub const ALL: [Provider; COUNT] = [$(Provider::$variant,)*];

            /// The provider's declaration (its file's `SPEC`).
            pub(crate) const fn spec(self) -> &'static Spec {
                match self {
                    $(Provider::$variant => &$module::SPEC,)*
                }
            }
        }
    };
}

// The registry: one line per provider. A new provider is a new file, its `mod` line above
// and a line here (CONTRIBUTING.md walks through it).
registry! {
    /// Zoho Sign: base64 HMAC-SHA256 of the body in `X-ZS-WEBHOOK-SIGNATURE`.
    ZohoSign => zoho_sign,
    /// Adobe Acrobat Sign: an allow-listed `X-AdobeSign-ClientId`, echoed back.
    AcrobatSign => acrobat_sign,
    /// Zigned: `t=<ts>,v1=<hex>` over `<t>.<body>` in `x-zigned-request-signature`.
    Zigned => zigned,
    /// Yousign: `sha256=<hex>` of the body in `X-Yousign-Signature-256`.
    Yousign => yousign,
    /// DocuSign Connect: base64 HMAC-SHA256 of the body in `X-DocuSign-Signature-1..N`.
    DocuSign => docusign,
    /// DocuSeal: `<ts>.<hex>` over `<ts>.<body>` in `X-Docuseal-Signature`.
    DocuSeal => docuseal,
    /// Documenso: the webhook secret as is in `X-Documenso-Secret` (no MAC).
    Documenso => documenso,
    /// OneSpan Sign: `Authorization: Basic <callback key>`, the raw key (no MAC).
    OneSpanSign => onespan_sign,
    /// BoldSign: `t=<ts>, s0=<hex>[, s1=<hex>]` over `<t>.<body>` in `X-BoldSign-Signature`.
    BoldSign => boldsign,
    /// SignWell: `event.hash` in the body, hex HMAC of `<event.type>@<event.time>` keyed
    /// with the webhook id (the payload itself is not covered).
    SignWell => signwell,
    /// Dropbox Sign: `event.event_hash` in the body (multipart field `json`), hex HMAC of
    /// `<event_time><event_type>` keyed with the API key (the payload itself is not covered).
    DropboxSign => dropbox_sign,
    /// PandaDoc: `?signature=<hex>` in the URL, hex HMAC of the body (a JSON array: one
    /// event per element).
    PandaDoc => pandadoc,
    /// Signable: base64 HMAC-SHA256 of the body in `Signature`.
    Signable => signable,
    /// Xodo Sign (formerly eversign): `event_hash` in the body, hex HMAC of
    /// `<event_time><event_type>` keyed with the API access key (the payload itself is not
    /// covered).
    XodoSign => xodo_sign,
    /// Box Sign: base64 HMAC-SHA256 of the body followed by `BOX-DELIVERY-TIMESTAMP` in
    /// `BOX-SIGNATURE-PRIMARY` / `-SECONDARY`, at most 600 s old.
    BoxSign => box_sign,
    /// SignatureAPI: Standard Webhooks, `v1,<base64>` over `<id>.<timestamp>.<body>` in
    /// `webhook-signature`.
    SignatureApi => signatureapi,
}
