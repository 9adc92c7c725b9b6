//! The MAC search: every presented tag against the HMAC of every secret variant over every
//! body variant (and, with a `t`, over `<t>.<body>`), compared in constant time; [`explain`]
//! says how a hit differs from the provider's scheme, and [`mac_findings`] puts together
//! the findings for a failed HMAC provider.

use std::borrow::Cow;

use super::detect::{header_absent_facts, owner_of};
use super::presented::{parse_presented, signature_sources, Source};
use super::timestamps::timestamp_findings;
use super::variants::{body_variants, key_variants, BodyKind, KeyKind, KeyVariant};
use super::{mac_scheme, title, Finding, MAX_SEARCH_BYTES};
use crate::headers::Headers;
use crate::providers::grammar::{self, Unit};
use crate::providers::{Enc, MacScheme, Provider, Signed, VerifyConfig};
use crate::verify::Tagger;

/// At most this many distinct Zigned-style stamps are tried.
const MAX_STAMPS: usize = 4;

/// A combination of header, secret form, signed message and body form whose computed MAC
/// equals a presented tag.
#[derive(Debug, Clone)]
pub(super) struct Hit {
    /// The header that presented the tag.
    header: String,
    /// The tag's encoding there.
    enc: Enc,
    /// Whether it came after `sha256=`.
    prefixed: bool,
    /// Whether it came in `t=…,v1=…` pairs (or DocuSeal's `<t>.<hex>`).
    pairs: bool,
    /// The secret's number, 1-based.
    key_number: usize,
    /// The secret's form.
    key_kind: KeyKind,
    /// What the MAC covers: the body, or `<t>.<body>`.
    signed: Signed,
    /// The body's form.
    body: BodyKind,
}

/// The hits of every key and body variant on every presented tag.
pub(super) fn search(
    sources: &[Source],
    keys: &[KeyVariant],
    bodies: &[(BodyKind, Cow<'_, [u8]>)],
) -> Vec<Hit> {
    // Each distinct stamp costs one HMAC over the body per key and body variant: sorted,
    // deduplicated and capped, so that many repeated headers cannot multiply the work.
    let mut stamps: Vec<&str> = sources
        .iter()
        .flat_map(|s| s.presented.iter().filter_map(|p| p.t.as_deref()))
        .collect();
    stamps.sort_unstable();
    stamps.dedup();
    stamps.truncate(MAX_STAMPS);
    let mut hits = Vec::new();
    for key in keys {
        for (body_kind, body) in bodies {
            // Tags are compared through `Mac::verify_slice` (constant time), as in
            // verification: a diagnosis must not become a timing oracle for a MAC.
            let over_body = Tagger::new(&key.key, &[body]);
            let over_stamped: Vec<(&str, Tagger)> = stamps
                .iter()
                .map(|t| (*t, Tagger::new(&key.key, &[t.as_bytes(), b".", body])))
                .collect();
            for source in sources {
                for p in &source.presented {
                    let mut record = |signed: Signed| {
                        hits.push(Hit {
                            header: source.header.clone(),
                            enc: p.enc,
                            prefixed: p.prefixed,
                            pairs: p.t.is_some(),
                            key_number: key.number,
                            key_kind: key.kind,
                            signed,
                            body: *body_kind,
                        });
                    };
                    if over_body.matches(&p.tag) {
                        record(Signed::Body);
                    }
                    if let Some(t) = p.t.as_deref() {
                        if over_stamped
                            .iter()
                            .any(|(s, tagger)| *s == t && tagger.matches(&p.tag))
                        {
                            record(Signed::TimestampDotBody);
                        }
                    }
                }
            }
        }
    }
    hits
}

/// What differs between a hit and `target`'s scheme, as findings. `selected` is the
/// provider the delivery was checked as.
pub(super) fn explain(
    hit: &Hit,
    target: Provider,
    scheme: MacScheme,
    selected: Provider,
) -> Vec<Finding> {
    let mut f = Vec::new();
    let (target_name, selected_name) = (title(target), title(selected));
    let k = hit.key_number;
    let proof = target.proof_header();
    let header = &hit.header;
    if target != selected {
        f.push(Finding::new(
            "secret_matches_other_provider",
            format!(
                "the {header} header verifies under {target_name}'s scheme with secret #{k}: this is a {target_name} delivery, not {selected_name}. Choose {target_name}."
            ),
        ));
    } else if !header.eq_ignore_ascii_case(proof) {
        f.push(Finding::new(
            "header_misnamed",
            format!(
                "the signature is in a header named {header}; {target_name} sends it as {proof}. Under that name it would match the body (secret #{k})."
            ),
        ));
    }
    if hit.enc != scheme.enc {
        let (code, other) = match hit.enc {
            Enc::Hex => ("signature_hex_not_base64", "Yousign's and Zigned's"),
            Enc::Base64 => ("signature_base64_not_hex", "Zoho Sign's"),
        };
        f.push(Finding::new(
            code,
            format!(
                "{header} holds the HMAC in {} ({other} encoding); {target_name} sends {}. The decoded value is the right MAC: the sender (or a tool in between) encoded it wrongly.",
                hit.enc.describe(),
                scheme.enc.describe()
            ),
        ));
    }
    if hit.prefixed && !scheme.prefix_ok {
        f.push(Finding::new(
            "unexpected_sha256_prefix",
            format!(
                "{header} starts with \"sha256=\" (Yousign's style); {target_name} sends the bare signature. Without the prefix it matches."
            ),
        ));
    }
    match (scheme.signed, hit.signed) {
        (Signed::TimestampDotBody, Signed::Body) => {
            let form = scheme
                .pairs
                .map_or_else(|| "<unix time>.<hex>".to_owned(), |g| g.form());
            if !hit.pairs {
                f.push(Finding::new(
                    "timestamp_missing",
                    format!("{header} holds a bare signature; {target_name} sends \"{form}\"."),
                ));
            }
            f.push(Finding::new(
                "body_only_signature",
                format!("the signature is the HMAC of the body alone; {target_name} signs \"<t>.<body>\" (the timestamp, a dot, then the raw body). Fix the sender to sign the timestamped string."),
            ));
        }
        (Signed::Body, Signed::TimestampDotBody) => f.push(Finding::new(
            "unexpected_timestamp_scheme",
            format!(
                "{header} is a Zigned-style \"t=…,v1=…\" signature over \"<t>.<body>\"; {target_name} signs the body alone."
            ),
        )),
        (Signed::Body, Signed::Body) if hit.pairs => f.push(Finding::new(
            "unexpected_signature_format",
            format!("{header} is in \"t=…,v1=…\" form; {target_name} sends the signature alone."),
        )),
        _ => {}
    }
    match hit.key_kind {
        KeyKind::AsIs => {}
        KeyKind::Trimmed => f.push(Finding::new(
            "secret_whitespace",
            format!("secret #{k} has surrounding whitespace (a space, tab or line break); without it the signature matches. Check where the secret is stored (an .env line, a copied value)."),
        )),
        KeyKind::WhsecStripped => f.push(Finding::new(
            "secret_whsec_prefix",
            format!("secret #{k} starts with \"whsec_\"; the signature matches the secret without that prefix. {target_name} uses its secret exactly as issued."),
        )),
        KeyKind::WhsecDecoded => f.push(Finding::new(
            "secret_whsec_prefix",
            format!("secret #{k} starts with \"whsec_\"; the signature matches the base64-decoded bytes after that prefix (Standard Webhooks style). {target_name} uses its secret's text as issued."),
        )),
        KeyKind::Base64Decoded | KeyKind::HexDecoded => f.push(Finding::new(
            "secret_decoded",
            format!(
                "the signature matches secret #{k} {}-decoded into bytes; {target_name} uses the secret's text itself (UTF-8 bytes) as the HMAC key.",
                if hit.key_kind == KeyKind::HexDecoded { "hex" } else { "base64" }
            ),
        )),
    }
    let (code, how) = match hit.body {
        BodyKind::Raw => ("", ""),
        BodyKind::NewlineRemoved => ("body_trailing_newline", "with its trailing newline removed: the signed body had none, yours gained one (an editor, a copy and paste, or a logging layer)"),
        BodyKind::Trimmed => ("body_surrounding_whitespace", "with the whitespace around it removed: the signed body had none, yours gained some"),
        BodyKind::NewlineAdded => ("body_trailing_newline", "with a trailing newline added: the signed body ended with a line break that yours lost"),
        BodyKind::CrlfToLf => ("body_line_endings", "with CRLF line breaks turned into LF: your copy gained Windows line endings"),
        BodyKind::LfToCrlf => ("body_line_endings", "with LF line breaks turned into CRLF: the signed body had Windows line endings that your copy lost (pasting into a browser text area does this)"),
        BodyKind::Compact => ("body_reserialized", "re-serialized as compact JSON (no whitespace, key order kept): the bytes you checked were parsed and pretty-printed or re-formatted on the way"),
        BodyKind::Indent2 => ("body_reserialized", "re-serialized as JSON indented with 2 spaces (key order kept): the bytes you checked were parsed and re-formatted on the way"),
        BodyKind::Indent4 => ("body_reserialized", "re-serialized as JSON indented with 4 spaces (key order kept): the bytes you checked were parsed and re-formatted on the way"),
        BodyKind::Python => ("body_reserialized", "re-serialized the way Python's json.dumps writes JSON (\", \" and \": \" separators, non-ASCII as \\uXXXX): the bytes you checked were parsed and re-written on the way"),
        BodyKind::Php => ("body_reserialized", "re-serialized the way PHP's json_encode writes JSON (compact, \"\\/\" and \\uXXXX escapes): the bytes you checked were parsed and re-written on the way"),
    };
    if !code.is_empty() {
        f.push(Finding::new(
            code,
            format!("the signature matches the body {how}. Verify the raw request bytes, before any parsing or re-formatting."),
        ));
    }
    f
}

/// Findings for a failed HMAC provider.
pub(super) fn mac_findings(
    provider: Provider,
    scheme: MacScheme,
    headers: &Headers,
    body: &[u8],
    config: &VerifyConfig,
    now: i64,
    findings: &mut Vec<Finding>,
) {
    let proof = provider.proof_header();
    let value = headers.get(proof).map(str::trim);
    match value {
        None | Some("") => findings.extend(header_absent_facts(provider, headers, value.is_some())),
        Some(v) => {
            if parse_presented(v).is_empty() {
                findings.push(Finding::new(
                    "signature_unparseable",
                    format!(
                        "{proof} ({} characters) holds no 32-byte HMAC-SHA256 in hex or base64{}",
                        v.chars().count(),
                        scheme
                            .pairs
                            .map(|g| format!(", nor is it \"{}\"", g.form()))
                            .unwrap_or_default()
                    ),
                ));
            }
        }
    }
    if provider.signs_timestamp() {
        // The stamp as the provider's grammar finds it: `t=` in pairs, else DocuSeal's
        // `<t>.<hex>` (Unix seconds).
        let stamp = value.and_then(|v| match scheme.pairs {
            Some(g) => grammar::parts(v)
                .filter_map(Result::ok)
                .find(|(k, _)| *k == "t")
                .map(|(_, t)| (t, g.unit)),
            None => v.split_once('.').map(|(t, _)| (t, Unit::Seconds)),
        });
        if let Some((t, unit)) = stamp {
            findings.extend(timestamp_findings(
                provider,
                t,
                unit,
                now,
                config.tolerance_seconds,
            ));
        }
    }
    if config.secrets.is_empty() {
        return;
    }
    let sources = signature_sources(headers);
    if sources.is_empty() {
        return;
    }
    if body.len() > MAX_SEARCH_BYTES {
        findings.push(Finding::new(
            "body_too_large_to_search",
            format!("the body is over {MAX_SEARCH_BYTES} bytes: variants were not searched"),
        ));
        return;
    }
    let keys = key_variants(&config.secrets);
    let bodies = body_variants(body);
    let hits = search(&sources, &keys, &bodies);
    let best = hits
        .iter()
        .filter_map(|hit| {
            // A hit in another provider's proof header is judged by that provider's scheme.
            let target = owner_of(&hit.header)
                .filter(|o| *o != provider && mac_scheme(*o).is_some())
                .unwrap_or(provider);
            let scheme = mac_scheme(target)?;
            Some(explain(hit, target, scheme, provider))
        })
        .min_by_key(Vec::len);
    match best {
        Some(explained) => findings.extend(explained),
        None => findings.push(Finding::new(
            "no_variant_matched",
            format!(
                "tried {} form(s) of the {} secret(s) × {} form(s) of the body × hex and base64, with and without the timestamp, on {} signature value(s): none reproduces the signature. Most likely the secret is not this webhook's (a test vs a production webhook, a rotated secret), or the body's content changed, not just its layout.",
                keys.len(),
                config.secrets.len(),
                bodies.len(),
                sources.iter().map(|s| s.presented.len()).sum::<usize>()
            ),
        )),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]
mod tests {
    use super::*;
    use crate::diagnose::fixtures::*;
    use crate::diagnose::{diagnose, Verdict};
    use crate::providers::sign;
    use crate::secret::Secret;
    use crate::verify::hex_encode;

    #[test]
    fn docuseal_stale_timestamp_and_body_only_signature_are_explained() {
        let body = br#"{"event_type":"form.completed","data":{"id":1}}"#;
        let value = sign(Provider::DocuSeal, "whsec_k", body, NOW).unwrap()[1]
            .1
            .clone();
        let h = headers(&[("X-Docuseal-Signature", &value)]);
        let d = diagnose(None, &h, body, &secrets(&["whsec_k"]), NOW + 3600);
        assert_eq!(d.provider, Some(Provider::DocuSeal));
        assert_eq!(d.code, Some("timestamp_out_of_tolerance"));
        assert_eq!(codes(&d), ["timestamp_too_old"]);
        // The HMAC of the body alone, in DocuSeal's `<t>.<hex>` form.
        let bare = hex_encode(&mac("whsec_k", &[body]));
        let value = format!("{NOW}.{bare}");
        let h = headers(&[("X-Docuseal-Signature", &value)]);
        let d = diagnose(None, &h, body, &secrets(&["whsec_k"]), NOW);
        assert_eq!(d.code, Some("signature_mismatch"));
        assert_eq!(codes(&d), ["body_only_signature"]);
        assert!(
            d.findings[0].message.contains("DocuSeal"),
            "{}",
            d.findings[0].message
        );
    }

    #[test]
    fn zigned_body_only_signature() {
        // the documented derived negative vector: the body-only HMAC of the sample.
        let h = headers(&[(
            "x-zigned-request-signature",
            "t=1731340000,v1=b148f544310a7e9781c5bbb0b30ca10ba497963af1db678fd88392c43ff1c916",
        )]);
        let d = diagnose(
            None,
            &h,
            ZIGNED_BODY,
            &secrets(&["zigned_test_secret"]),
            NOW,
        );
        assert_eq!(d.code, Some("signature_mismatch"));
        assert_eq!(codes(&d), ["body_only_signature"]);
        // And the published positive vector verifies.
        let h = headers(&[(
            "x-zigned-request-signature",
            "t=1731340000,v1=621e2b96e25fa29c8f215cd9d7837b6d57839f809c55098cfda655bf1b692316",
        )]);
        assert_eq!(
            diagnose(
                None,
                &h,
                ZIGNED_BODY,
                &secrets(&["zigned_test_secret"]),
                NOW
            )
            .verdict,
            Verdict::Verified
        );
        // A bare body HMAC, no t= at all.
        let bare = hex_encode(&mac("k", &[ZIGNED_BODY]));
        let d = diagnose(
            None,
            &headers(&[("x-zigned-request-signature", &bare)]),
            ZIGNED_BODY,
            &secrets(&["k"]),
            NOW,
        );
        assert_eq!(d.code, Some("malformed_signature"));
        assert_eq!(codes(&d), ["timestamp_missing", "body_only_signature"]);
    }

    #[test]
    fn wrong_secret_and_tampered_body() {
        let h: Headers = sign(Provider::ZohoSign, "k", ZOHO_BODY, 0)
            .unwrap()
            .into_iter()
            .collect();
        let mut tampered = ZOHO_BODY.to_vec();
        tampered[30] ^= 1;
        let d = diagnose(None, &h, &tampered, &secrets(&["k"]), NOW);
        assert_eq!(d.code, Some("signature_mismatch"));
        assert_eq!(codes(&d), ["no_variant_matched"]);
        assert!(!d.event_verified);
        let d = diagnose(None, &h, ZOHO_BODY, &secrets(&["wrong"]), NOW);
        assert_eq!(codes(&d), ["no_variant_matched"]);
    }

    // Many `t=` stamps no longer multiply the work: distinct ones, at most MAX_STAMPS.
    #[test]
    fn stamps_are_deduplicated_and_capped() {
        let tag = "ab".repeat(32);
        let mut h = Headers::new();
        for i in 0..100 {
            h.append(format!("x-sig-{i}"), format!("t={},v1={tag}", i % 3));
        }
        let sources = signature_sources(&h);
        let keys = key_variants(&[Secret::new("k").unwrap()]);
        let bodies = body_variants(b"{}");
        // No hit, and it returns: the search over 3 distinct stamps.
        assert!(search(&sources, &keys, &bodies).is_empty());
    }
}
