//! Acrobat Sign's client ids (the proof is an allowed id in a header, no MAC): a missing
//! header, an allowed id under another header name, and near misses (whitespace, letter
//! case) of a refused id.

use super::detect::header_absent_facts;
use super::Finding;
use crate::error::ErrorKind;
use crate::headers::Headers;
use crate::providers::{Provider, VerifyConfig};

/// A client-id provider (Acrobat Sign): near misses, each tested by comparing with the
/// configured ids.
pub(super) fn client_id_findings(
    provider: Provider,
    kind: ErrorKind,
    headers: &Headers,
    config: &VerifyConfig,
    findings: &mut Vec<Finding>,
) {
    let proof = provider.proof_header();
    match kind {
        ErrorKind::MissingClientId | ErrorKind::NoSecretConfigured
            if headers.get(proof).is_none_or(|v| v.trim().is_empty()) =>
        {
            findings.extend(header_absent_facts(
                provider,
                headers,
                headers.contains(proof),
            ));
            let misnamed = headers.iter().find(|(name, value)| {
                !name.eq_ignore_ascii_case(proof)
                    && config
                        .client_ids
                        .iter()
                        .any(|id| id.trim() == value.trim() && !id.trim().is_empty())
            });
            if let Some((name, _)) = misnamed {
                findings.push(Finding::new(
                    "header_misnamed",
                    format!("an allowed client id arrives in a header named {name}; Acrobat Sign sends it as {proof}."),
                ));
            }
        }
        ErrorKind::UnknownClientId => {
            let presented = headers.get(proof).map(str::trim).unwrap_or_default();
            for (i, id) in config.client_ids.iter().enumerate() {
                let n = i + 1;
                if id.trim() == presented && id != presented {
                    findings.push(Finding::new(
                        "client_id_whitespace",
                        format!("allowed client id #{n} has surrounding whitespace; without it, it is the presented one."),
                    ));
                } else if id.trim().eq_ignore_ascii_case(presented) {
                    findings.push(Finding::new(
                        "client_id_case",
                        format!("allowed client id #{n} differs from the presented one only in letter case; client ids compare exactly."),
                    ));
                }
            }
            if findings.is_empty() {
                findings.push(Finding::new(
                    "client_id_not_allowed",
                    format!(
                        "{proof} is not among the {} allowed id(s), nor close to one. It is the client id of the API application that created the webhook (Acrobat Sign → API applications), not a webhook id or a secret.",
                        config.client_ids.len()
                    ),
                ));
            }
        }
        _ => {}
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]
mod tests {
    use crate::diagnose::diagnose;
    use crate::diagnose::fixtures::*;
    use crate::providers::{Provider, VerifyConfig};

    #[test]
    fn acrobat_near_misses() {
        let config = VerifyConfig::with_client_ids(vec!["ABC123 ".into(), "xyz789".into()]);
        let d = diagnose(
            None,
            &headers(&[("X-AdobeSign-ClientId", "ABC123")]),
            ACROBAT_BODY,
            &config,
            NOW,
        );
        assert_eq!(d.code, Some("unknown_client_id"));
        assert_eq!(codes(&d), ["client_id_whitespace"]);
        let d = diagnose(
            None,
            &headers(&[("X-AdobeSign-ClientId", "XYZ789")]),
            ACROBAT_BODY,
            &config,
            NOW,
        );
        assert_eq!(codes(&d), ["client_id_case"]);
        let d = diagnose(
            None,
            &headers(&[("X-AdobeSign-ClientId", "nope")]),
            ACROBAT_BODY,
            &config,
            NOW,
        );
        assert_eq!(codes(&d), ["client_id_not_allowed"]);
        let d = diagnose(
            Some(Provider::AcrobatSign),
            &headers(&[("X-Client-Id", "xyz789")]),
            ACROBAT_BODY,
            &config,
            NOW,
        );
        assert_eq!(d.code, Some("missing_client_id"));
        assert_eq!(codes(&d), ["header_missing", "header_misnamed"]);
    }
}
