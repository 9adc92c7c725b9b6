//! Fresh test deliveries: where a provider's signed event time lives in the body (the
//! replay bound reads it), `signhook sign` rewrites it to the signing time before signing,
//! so that a fixture captured years ago makes a delivery the Worker accepts now. Every
//! other byte of the body is kept. Where the time is and how it is written is the
//! provider's [`Spec::signed_time`](super::Spec): in a multipart body, in its `json` field;
//! in a batch (PandaDoc's array), in every element.

use super::spec::{SignedTime, TimeFormat};
use super::Provider;
use crate::json::Reader;

/// Whether `provider`'s signed event time is in the body (and so rewritten by
/// [`refresh`]).
pub fn time_in_body(provider: Provider) -> bool {
    provider.spec().signed_time.is_some()
}

/// `body` with its signed event time(s) set to `timestamp` (Unix seconds), and the names
/// of the fields rewritten, each once (`performed_at`, `date_modified`, …); `None` when the provider has no time in the body, or the body does
/// not hold the field (it is then signed as it is).
pub fn refresh(
    provider: Provider,
    body: &[u8],
    timestamp: i64,
) -> Option<(Vec<u8>, Vec<&'static str>)> {
    let ms = timestamp.saturating_mul(1000);
    let rfc = |digits: usize| -> Option<String> {
        let text = crate::time::format_unix_millis(ms)?;
        // `…SSZ` → `…SS.<digits zeros>Z` where asked.
        let stem = text.strip_suffix('Z')?;
        Some(if digits == 0 {
            text.clone()
        } else {
            format!("{stem}.{}Z", "0".repeat(digits))
        })
    };
    let SignedTime { paths, format } = provider.spec().signed_time?;
    let value = match format {
        TimeFormat::EpochMillis => ms.to_string(),
        TimeFormat::EpochSeconds => timestamp.to_string(),
        TimeFormat::EpochSecondsText => format!("\"{timestamp}\""),
        TimeFormat::Rfc3339 { fraction_digits } => format!("\"{}\"", rfc(fraction_digits)?),
    };
    if super::multipart::is_multipart(body) {
        // The `json` field, rewritten in place inside the multipart body.
        let json = super::multipart::field(body, "json").ok()?;
        let start = json.as_ptr() as usize - body.as_ptr() as usize;
        let (new_json, changed) = rewrite(std::str::from_utf8(json).ok()?, paths, &value)?;
        let mut out = body.get(..start)?.to_vec();
        out.extend_from_slice(new_json.as_bytes());
        out.extend_from_slice(body.get(start + json.len()..)?);
        return Some((out, changed));
    }
    let text = std::str::from_utf8(body).ok()?;
    if provider.is_batch() && text.trim_start().starts_with('[') {
        // Every element of the array.
        let mut reader = Reader::new(text);
        let mut at = reader.enter_array().ok()?;
        let mut out = String::with_capacity(text.len());
        let mut copied = 0;
        let mut changed = Vec::new();
        while reader.next_element(&mut at).ok()? {
            let element = reader.raw_value().ok()?;
            let start = element.as_ptr() as usize - text.as_ptr() as usize;
            out.push_str(text.get(copied..start)?);
            match rewrite(element, paths, &value) {
                Some((new, paths)) => {
                    out.push_str(&new);
                    changed.extend(paths);
                }
                None => out.push_str(element),
            }
            copied = start + element.len();
        }
        out.push_str(text.get(copied..)?);
        // Each field once, in the order first met (the elements repeat them).
        let mut seen = Vec::with_capacity(changed.len());
        changed.retain(|name| {
            let first = !seen.contains(name);
            seen.push(*name);
            first
        });
        return (!changed.is_empty()).then(|| (out.into_bytes(), changed));
    }
    let (new, changed) = rewrite(text, paths, &value)?;
    Some((new.into_bytes(), changed))
}

/// `text` (a JSON object) with the values at `paths` replaced by `value` (JSON text);
/// `None` when none of them is there.
fn rewrite(
    text: &str,
    paths: &'static [&'static [&'static str]],
    value: &str,
) -> Option<(String, Vec<&'static str>)> {
    let mut spans = Vec::new();
    let mut changed = Vec::new();
    for path in paths {
        if let Some(span) = super::wire::span_at(text, path) {
            spans.push(span);
            // The field's own name, as the payload spells it.
            changed.extend(path.last().copied());
        }
    }
    if spans.is_empty() {
        return None;
    }
    spans.sort_unstable();
    let mut out = String::with_capacity(text.len() + 32);
    let mut copied = 0;
    for (start, end) in spans {
        out.push_str(text.get(copied..start)?);
        out.push_str(value);
        copied = end;
    }
    out.push_str(text.get(copied..)?);
    Some((out, changed))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rewrites_only_the_time() {
        let body = br#"{"requests":{"request_id":"1"},"notifications":{"operation_type":"RequestCompleted","performed_at":1623149278000}}"#;
        let (new, changed) = refresh(Provider::ZohoSign, body, 1_800_000_000).unwrap();
        assert_eq!(
            String::from_utf8(new).unwrap(),
            r#"{"requests":{"request_id":"1"},"notifications":{"operation_type":"RequestCompleted","performed_at":1800000000000}}"#
        );
        assert_eq!(changed, ["performed_at"]);
        let docusign = br#"{"event":"envelope-sent", "generatedDateTime": "2024-02-06T02:25:00.3464434Z", "data":{}}"#;
        let (new, _) = refresh(Provider::DocuSign, docusign, 1_800_000_000).unwrap();
        assert_eq!(
            String::from_utf8(new).unwrap(),
            r#"{"event":"envelope-sent", "generatedDateTime": "2027-01-15T08:00:00.0000000Z", "data":{}}"#
        );
        let pandadoc = br#"[{"event":"a","data":{"date_modified":"2020-01-01T00:00:00Z"}}, {"event":"b","data":{"x":1}}]"#;
        let (new, _) = refresh(Provider::PandaDoc, pandadoc, 1_800_000_000).unwrap();
        assert_eq!(
            String::from_utf8(new).unwrap(),
            r#"[{"event":"a","data":{"date_modified":"2027-01-15T08:00:00Z"}}, {"event":"b","data":{"x":1}}]"#
        );
        assert!(refresh(Provider::Zigned, body, 1).is_none());
        assert!(
            refresh(Provider::Yousign, b"{}", 1).is_none(),
            "no field: signed as is"
        );
        assert!(refresh(Provider::Yousign, b"not json", 1).is_none());
    }
}
