//! The secret's and the body's variants that the search tries: a secret trimmed, without
//! its `whsec_` prefix, or decoded (base64, hex); a body without or with a trailing
//! newline, trimmed, with its line endings turned, or re-laid out as another JSON
//! serializer writes it (compact, indented, Python's, PHP's). The re-layouts walk the body
//! with the crate's JSON reader (`src/json/`).

use std::borrow::Cow;

use super::presented::strip_prefix_ci;
use crate::json::{self, Kind, Reader};
use crate::secret::Secret;
use crate::verify::{base64_decode, hex_decode};

/// Bodies above this size are not re-laid out as JSON (the other variants still apply).
const MAX_REFORMAT_BYTES: usize = 64 * 1024;
/// Nor are bodies nested deeper than this (real webhook payloads nest a few levels).
const MAX_REFORMAT_DEPTH: usize = 64;

/// How a key variant was made from the secret entered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum KeyKind {
    /// The secret as entered.
    AsIs,
    /// Without surrounding whitespace.
    Trimmed,
    /// Without its `whsec_` prefix.
    WhsecStripped,
    /// The base64 after its `whsec_` prefix, decoded (Standard Webhooks).
    WhsecDecoded,
    /// Its text base64-decoded into bytes.
    Base64Decoded,
    /// Its text hex-decoded into bytes.
    HexDecoded,
}

/// One form of one secret, as an HMAC key.
pub(super) struct KeyVariant {
    /// 1-based, as people count the secrets they entered.
    pub(super) number: usize,
    /// How it was made.
    pub(super) kind: KeyKind,
    /// The key.
    pub(super) key: Secret,
}

/// Each secret's distinct forms, as entered first.
pub(super) fn key_variants(secrets: &[Secret]) -> Vec<KeyVariant> {
    let mut out = Vec::new();
    for (i, secret) in secrets.iter().enumerate() {
        let raw = secret.expose();
        let mut seen: Vec<Vec<u8>> = Vec::new();
        let mut push = |kind: KeyKind, bytes: &[u8]| {
            if seen.iter().any(|s| s == bytes) {
                return;
            }
            if let Ok(key) = Secret::from_bytes(bytes) {
                seen.push(bytes.to_vec());
                out.push(KeyVariant {
                    number: i + 1,
                    kind,
                    key,
                });
            }
        };
        push(KeyKind::AsIs, raw);
        let trimmed = raw.trim_ascii();
        push(KeyKind::Trimmed, trimmed);
        let text = std::str::from_utf8(trimmed).unwrap_or_default();
        if let Some(rest) = strip_prefix_ci(text, "whsec_") {
            push(KeyKind::WhsecStripped, rest.as_bytes());
            if let Some(decoded) = base64_decode(rest) {
                push(KeyKind::WhsecDecoded, &decoded);
            }
        } else if text.len() >= 16 {
            if let Some(decoded) = hex_decode(text) {
                push(KeyKind::HexDecoded, &decoded);
            } else if let Some(decoded) = base64_decode(text) {
                push(KeyKind::Base64Decoded, &decoded);
            }
        }
    }
    out
}

/// How a body variant was made from the body received.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum BodyKind {
    /// The body as received.
    Raw,
    /// Without its trailing newline (LF or CRLF).
    NewlineRemoved,
    /// Without surrounding whitespace.
    Trimmed,
    /// With a trailing LF.
    NewlineAdded,
    /// CRLF line breaks as LF.
    CrlfToLf,
    /// LF line breaks as CRLF.
    LfToCrlf,
    /// Re-laid out as compact JSON.
    Compact,
    /// Re-laid out as JSON indented by 2 spaces.
    Indent2,
    /// Re-laid out as JSON indented by 4 spaces.
    Indent4,
    /// Re-laid out as Python's json.dumps writes JSON.
    Python,
    /// Re-laid out as PHP's json_encode writes JSON.
    Php,
}

/// The body's distinct variants, the body itself first.
pub(super) fn body_variants<'a>(body: &'a [u8]) -> Vec<(BodyKind, Cow<'a, [u8]>)> {
    let mut out: Vec<(BodyKind, Cow<'a, [u8]>)> = vec![(BodyKind::Raw, Cow::Borrowed(body))];
    let mut add = |kind: BodyKind, bytes: Cow<'a, [u8]>| {
        if !out.iter().any(|(_, b)| *b == bytes) {
            out.push((kind, bytes));
        }
    };
    if let Some(rest) = body
        .strip_suffix(b"\r\n")
        .or_else(|| body.strip_suffix(b"\n"))
    {
        add(BodyKind::NewlineRemoved, Cow::Borrowed(rest));
    }
    add(BodyKind::Trimmed, Cow::Borrowed(body.trim_ascii()));
    let mut with_newline = body.to_vec();
    with_newline.push(b'\n');
    add(BodyKind::NewlineAdded, Cow::Owned(with_newline));
    if body.windows(2).any(|w| w == b"\r\n") {
        add(BodyKind::CrlfToLf, Cow::Owned(crlf_to_lf(body)));
    }
    if body.contains(&b'\n') {
        add(BodyKind::LfToCrlf, Cow::Owned(lf_to_crlf(body)));
    }
    // Re-layouts only for bodies small and shallow enough: an indented layout writes
    // width × depth spaces per line, so deep nesting would cost quadratic time and memory.
    if body.len() <= MAX_REFORMAT_BYTES
        && nesting_depth(body).is_some_and(|depth| depth <= MAX_REFORMAT_DEPTH)
    {
        if let Ok(text) = std::str::from_utf8(body) {
            for (kind, style) in [
                (BodyKind::Compact, Style::Compact),
                (BodyKind::Indent2, Style::Indent(2)),
                (BodyKind::Indent4, Style::Indent(4)),
                (BodyKind::Python, Style::Python),
                (BodyKind::Php, Style::Php),
            ] {
                add(kind, Cow::Owned(reformat(text, style).into_bytes()));
            }
        }
    }
    out
}

/// The deepest nesting of objects and arrays in `body` (brackets in strings do not count),
/// when it is one JSON value in UTF-8 (read by `json::depth`); `None` when it is not.
fn nesting_depth(body: &[u8]) -> Option<usize> {
    json::depth(std::str::from_utf8(body).ok()?).ok()
}

/// `body` with each CRLF as LF.
fn crlf_to_lf(body: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(body.len());
    let mut bytes = body.iter().peekable();
    while let Some(&b) = bytes.next() {
        if b == b'\r' && bytes.peek() == Some(&&b'\n') {
            continue;
        }
        out.push(b);
    }
    out
}

/// `body` with each LF not after a CR as CRLF.
fn lf_to_crlf(body: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(body.len() + body.len() / 16);
    let mut previous = 0u8;
    for &b in body {
        if b == b'\n' && previous != b'\r' {
            out.push(b'\r');
        }
        out.push(b);
        previous = b;
    }
    out
}

/// How a JSON serializer lays out its output.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Style {
    /// No whitespace (JSON.stringify, serde_json::to_string).
    Compact,
    /// One member per line, this many spaces per level (JSON.stringify(v, null, n),
    /// serde_json::to_string_pretty for 2, Python json.dumps(indent=4)).
    Indent(usize),
    /// Python's json.dumps defaults: `", "` and `": "`, non-ASCII as `\uXXXX`.
    Python,
    /// PHP's json_encode defaults: compact, non-ASCII as `\uXXXX`, `/` as `\/`.
    Php,
}

/// Re-lays out valid JSON `text` in `style`, keeping key order, number and string text
/// exactly (only whitespace between tokens, and escapes in the Python and PHP styles, change).
/// The crate's JSON reader walks `text`; on text that is not JSON, only the tokens before
/// the first error are written.
fn reformat(text: &str, style: Style) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 4);
    let newline = |out: &mut String, depth: usize| {
        if let Style::Indent(width) = style {
            out.push('\n');
            out.extend(std::iter::repeat_n(' ', width * depth));
        }
    };
    // Callers pass text the reader already read whole: no error to report.
    let _ = Reader::new(text).walk(&mut |token| match token.kind {
        Kind::Open { .. } => {
            out.push_str(token.text);
            newline(&mut out, token.depth);
        }
        Kind::Close { .. } => {
            newline(&mut out, token.depth.saturating_sub(1));
            out.push_str(token.text);
        }
        Kind::Empty { object } => out.push_str(if object { "{}" } else { "[]" }),
        Kind::Key => {
            push_string(&mut out, token.text, style);
            out.push(':');
            if matches!(style, Style::Indent(_) | Style::Python) {
                out.push(' ');
            }
        }
        Kind::String => push_string(&mut out, token.text, style),
        Kind::Comma => {
            out.push(',');
            match style {
                Style::Indent(_) => newline(&mut out, token.depth),
                Style::Python => out.push(' '),
                Style::Compact | Style::Php => {}
            }
        }
        Kind::Number | Kind::Literal => out.push_str(token.text),
    });
    out
}

/// Appends the string token `literal` (quotes included) as `style` writes it: as it is, or
/// (Python, PHP) with each non-ASCII character as `\uXXXX` escapes and (PHP) `/` as `\/`.
/// Escapes already there stay as written.
fn push_string(out: &mut String, literal: &str, style: Style) {
    if !matches!(style, Style::Python | Style::Php) {
        out.push_str(literal);
        return;
    }
    let mut escaped = false;
    for c in literal.chars() {
        match c {
            _ if escaped => {
                out.push(c);
                escaped = false;
            }
            '\\' => {
                out.push('\\');
                escaped = true;
            }
            '/' if style == Style::Php => out.push_str("\\/"),
            _ if !c.is_ascii() => {
                let mut units = [0u16; 2];
                for unit in c.encode_utf16(&mut units) {
                    out.push_str(&format!("\\u{unit:04x}"));
                }
            }
            _ => out.push(c),
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]
mod tests {
    use super::*;
    use crate::diagnose::fixtures::*;
    use crate::diagnose::{diagnose, Verdict};
    use crate::providers::{sign, Provider};
    use crate::verify::{base64_encode, hex_encode, hmac_sha256};

    #[test]
    fn trailing_newline_both_ways() {
        // Signed without, received with.
        let tag = sign(Provider::Yousign, "k", YOUSIGN_BODY, 0).unwrap()[1]
            .1
            .clone();
        let mut received = YOUSIGN_BODY.to_vec();
        received.extend_from_slice(b"\r\n");
        let d = diagnose(
            None,
            &headers(&[("X-Yousign-Signature-256", &tag)]),
            &received,
            &secrets(&["k"]),
            NOW,
        );
        assert_eq!(d.code, Some("signature_mismatch"));
        assert_eq!(codes(&d), ["body_trailing_newline"]);
        assert!(d.findings[0].message.contains("trailing newline removed"));
        // Signed with, received without.
        let mut signed = ZOHO_BODY.to_vec();
        signed.push(b'\n');
        let tag = base64_encode(&mac("k", &[&signed]));
        let d = diagnose(
            None,
            &headers(&[("X-ZS-WEBHOOK-SIGNATURE", &tag)]),
            ZOHO_BODY,
            &secrets(&["k"]),
            NOW,
        );
        assert_eq!(codes(&d), ["body_trailing_newline"]);
        assert!(d.findings[0].message.contains("trailing newline added"));
    }

    #[test]
    fn line_endings() {
        let signed = b"{\r\n  \"event_name\": \"signer.done\"\r\n}";
        let received = b"{\n  \"event_name\": \"signer.done\"\n}";
        let tag = hex_encode(&mac("k", &[signed]));
        let d = diagnose(
            None,
            &headers(&[("X-Yousign-Signature-256", &tag)]),
            received,
            &secrets(&["k"]),
            NOW,
        );
        assert_eq!(codes(&d), ["body_line_endings"]);
        assert!(d.findings[0]
            .message
            .contains("LF line breaks turned into CRLF"));
    }

    #[test]
    fn reserialized_json_names_the_variant() {
        // Received pretty-printed with 2 spaces (as JSON.stringify(v, null, 2) would).
        let received = reformat(std::str::from_utf8(ZIGNED_BODY).unwrap(), Style::Indent(2));
        assert!(received.starts_with(
            "{\n  \"event\": \"agreement.lifecycle.finalized\",\n  \"data\": {\n    \"id\""
        ));
        let value = sign(Provider::Zigned, "k", ZIGNED_BODY, NOW).unwrap()[1]
            .1
            .clone();
        let d = diagnose(
            None,
            &headers(&[("x-zigned-request-signature", &value)]),
            received.as_bytes(),
            &secrets(&["k"]),
            NOW,
        );
        assert_eq!(d.code, Some("signature_mismatch"));
        assert_eq!(codes(&d), ["body_reserialized"]);
        assert!(
            d.findings[0].message.contains("compact JSON"),
            "{}",
            d.findings[0].message
        );
        // And the other way: signed with 4-space indentation, received compact.
        let signed = reformat(std::str::from_utf8(YOUSIGN_BODY).unwrap(), Style::Indent(4));
        let tag = hex_encode(&mac("k", &[signed.as_bytes()]));
        let d = diagnose(
            None,
            &headers(&[("X-Yousign-Signature-256", &tag)]),
            YOUSIGN_BODY,
            &secrets(&["k"]),
            NOW,
        );
        assert_eq!(codes(&d), ["body_reserialized"]);
        assert!(d.findings[0].message.contains("4 spaces"));
    }

    #[test]
    fn python_and_php_layouts() {
        let received = "{\"name\": \"Zoë/Ann\", \"list\": [1, 2.50, {}], \"emoji\": \"😀\"}";
        let compact = reformat(received, Style::Compact);
        assert_eq!(
            compact,
            "{\"name\":\"Zoë/Ann\",\"list\":[1,2.50,{}],\"emoji\":\"😀\"}"
        );
        assert_eq!(
            reformat(&compact, Style::Python),
            "{\"name\": \"Zo\\u00eb/Ann\", \"list\": [1, 2.50, {}], \"emoji\": \"\\ud83d\\ude00\"}"
        );
        assert_eq!(
            reformat(&compact, Style::Php),
            "{\"name\":\"Zo\\u00eb\\/Ann\",\"list\":[1,2.50,{}],\"emoji\":\"\\ud83d\\ude00\"}"
        );
        assert_eq!(reformat("[ ]", Style::Indent(2)), "[]");
        assert_eq!(
            reformat("{\"a\":[1]}", Style::Indent(2)),
            "{\n  \"a\": [\n    1\n  ]\n}"
        );
        // Signed as Python writes it, received compact: found.
        let signed = reformat(&compact, Style::Python);
        let tag = base64_encode(&mac("k", &[signed.as_bytes()]));
        let d = diagnose(
            Some(Provider::ZohoSign),
            &headers(&[("X-ZS-WEBHOOK-SIGNATURE", &tag)]),
            compact.as_bytes(),
            &secrets(&["k"]),
            NOW,
        );
        assert_eq!(codes(&d), ["body_reserialized"]);
        assert!(d.findings[0].message.contains("Python"));
    }

    #[test]
    fn secret_whitespace_whsec_and_decoded() {
        let tag = base64_encode(&mac("k3y-material", &[ZOHO_BODY]));
        let h = headers(&[("X-ZS-WEBHOOK-SIGNATURE", &tag)]);
        let d = diagnose(None, &h, ZOHO_BODY, &secrets(&[" k3y-material\n"]), NOW);
        assert_eq!(codes(&d), ["secret_whitespace"]);
        let d = diagnose(None, &h, ZOHO_BODY, &secrets(&["whsec_k3y-material"]), NOW);
        assert_eq!(codes(&d), ["secret_whsec_prefix"]);
        assert!(d.findings[0].message.contains("without that prefix"));
        // whsec_ + base64 of raw key bytes (Standard Webhooks style).
        let raw_key = [7u8; 24];
        let tag = base64_encode(&hmac_sha256(
            &Secret::from_bytes(&raw_key).unwrap(),
            &[ZOHO_BODY],
        ));
        let h = headers(&[("X-ZS-WEBHOOK-SIGNATURE", &tag)]);
        let whsec = format!("whsec_{}", base64_encode(&raw_key));
        let d = diagnose(None, &h, ZOHO_BODY, &secrets(&[&whsec]), NOW);
        assert_eq!(codes(&d), ["secret_whsec_prefix"]);
        assert!(d.findings[0].message.contains("base64-decoded"));
        let d = diagnose(
            None,
            &h,
            ZOHO_BODY,
            &secrets(&[&base64_encode(&raw_key)]),
            NOW,
        );
        assert_eq!(codes(&d), ["secret_decoded"]);
    }

    // security review M-2: indenting a deeply nested body costs width × depth per line, so
    // deep or large bodies get no re-laid-out variants (before this bound, a body of 40 KB
    // of `[` exhausted the fuzzer's time and memory limits).
    #[test]
    fn reformat_variants_are_bounded() {
        let deep = format!("{{\"x\":{}{}}}", "[".repeat(20_000), "]".repeat(20_000));
        let kinds: Vec<BodyKind> = body_variants(deep.as_bytes())
            .iter()
            .map(|(k, _)| *k)
            .collect();
        assert!(!kinds.contains(&BodyKind::Indent2), "{kinds:?}");
        let shallow = br#"{"a":[1,{"b":2}]}"#;
        let kinds: Vec<BodyKind> = body_variants(shallow).iter().map(|(k, _)| *k).collect();
        assert!(kinds.contains(&BodyKind::Indent2), "{kinds:?}");
        assert_eq!(
            nesting_depth(br#"{"a":"[[[[","b":[{}]}"#),
            Some(3),
            "brackets in strings do not count"
        );
        let big = format!("{{\"a\":\"{}\"}}", "x".repeat(MAX_REFORMAT_BYTES));
        let kinds: Vec<BodyKind> = body_variants(big.as_bytes())
            .iter()
            .map(|(k, _)| *k)
            .collect();
        assert!(!kinds.contains(&BodyKind::Compact));
        // The whole diagnosis of the deep body stays quick and never traps.
        let h = headers(&[(
            "X-ZS-WEBHOOK-SIGNATURE",
            "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
        )]);
        let d = diagnose(
            Some(Provider::ZohoSign),
            &h,
            deep.as_bytes(),
            &secrets(&["s3cret"]),
            NOW,
        );
        assert_eq!(d.verdict, Verdict::NotVerified);
    }

    proptest::proptest! {
        #[test]
        fn reformat_keeps_json_valid(value in proptest_json()) {
            let text = serde_json::to_string(&value).unwrap();
            for style in [Style::Compact, Style::Indent(2), Style::Indent(4), Style::Python, Style::Php] {
                let out = reformat(&text, style);
                let back: serde_json::Value = serde_json::from_str(&out).unwrap();
                proptest::prop_assert_eq!(&back, &value);
            }
        }
    }

    /// Any small JSON value, with non-ASCII and `/` in its keys and strings.
    fn proptest_json() -> impl proptest::strategy::Strategy<Value = serde_json::Value> {
        use proptest::prelude::*;
        let leaf = prop_oneof![
            Just(serde_json::Value::Null),
            any::<bool>().prop_map(serde_json::Value::Bool),
            any::<i32>().prop_map(|n| serde_json::json!(n)),
            "\\PC{0,8}".prop_map(serde_json::Value::String),
        ];
        leaf.prop_recursive(4, 32, 4, |inner| {
            prop_oneof![
                proptest::collection::vec(inner.clone(), 0..4).prop_map(serde_json::Value::Array),
                proptest::collection::btree_map("[a-z/é]{0,4}", inner, 0..4)
                    .prop_map(|m| serde_json::Value::Object(m.into_iter().collect())),
            ]
        })
    }
}
