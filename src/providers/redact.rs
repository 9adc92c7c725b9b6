//! Redaction of credentials inside payloads: the string values of named object keys are
//! replaced by `"[redacted]"` in `data.raw`, every other byte kept exactly as received.
//!
//! Some providers put credentials in their payloads (Documenso: each recipient's signing
//! `token`, which opens the signing page as that recipient). They must never leave the
//! edge. A provider lists the keys in its `Spec::redact`; [`redact`] rewrites the payload
//! text in one streaming pass: no `serde_json::Value` tree (invariant 8), no
//! re-serialization of anything else, so `data.raw` stays byte for byte the body except
//! those values (invariant 6, with this one stated exception).
//!
//! The scanner tracks strings (and their escapes), the container stack and whether the
//! next string of an object is a key. A key matches when its decoded text is one of the
//! listed keys (`"tok\u0065n"` is `token`, as for any JSON reader); only a string value
//! directly after a matching key is replaced (an object, array, number or `null` is left
//! alone, and a string that merely equals a key name is a value, not a key). It runs on
//! text serde_json already validated; on any other text it never panics, never loops, and
//! does O(length) work with O(depth) memory.

use std::borrow::Cow;

/// What replaces a redacted value (a JSON string, quotes included).
pub(crate) const REDACTED: &str = "\"[redacted]\"";

/// `json` with the string value of every `keys` member, at any depth, replaced by
/// [`REDACTED`]; borrowed unchanged when nothing matched (or `keys` is empty).
pub(crate) fn redact<'a>(json: &'a str, keys: &[&str]) -> Cow<'a, str> {
    if keys.is_empty() {
        return Cow::Borrowed(json);
    }
    let bytes = json.as_bytes();
    let mut out: Option<String> = None;
    // Bytes of `json` before this index are already in `out` (when it exists).
    let mut copied = 0;
    // `true` for an object, `false` for an array.
    let mut stack: Vec<bool> = Vec::new();
    let mut expect_key = false;
    // The last key matched, and its value has not started yet.
    let mut pending = false;
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        match b {
            b'"' => {
                let end = string_end(bytes, i);
                let Some(end) = end else {
                    // Unterminated string: not JSON; keep the rest as is.
                    break;
                };
                let in_object = stack.last() == Some(&true);
                if in_object && expect_key {
                    expect_key = false;
                    pending = json
                        .get(i..=end)
                        .is_some_and(|literal| key_matches(literal, keys));
                } else if pending {
                    pending = false;
                    let buf = out.get_or_insert_with(|| String::with_capacity(json.len()));
                    buf.push_str(json.get(copied..i).unwrap_or_default());
                    buf.push_str(REDACTED);
                    copied = end + 1;
                }
                i = end + 1;
                continue;
            }
            b'{' => {
                stack.push(true);
                expect_key = true;
                pending = false;
            }
            b'[' => {
                stack.push(false);
                expect_key = false;
                pending = false;
            }
            b'}' | b']' => {
                stack.pop();
                expect_key = false;
                pending = false;
            }
            b',' => {
                expect_key = stack.last() == Some(&true);
                pending = false;
            }
            b':' | b' ' | b'\t' | b'\n' | b'\r' => {}
            // A number, `true`, `false`, `null` (or garbage): not a string value.
            _ => pending = false,
        }
        i += 1;
    }
    match out {
        None => Cow::Borrowed(json),
        Some(mut buf) => {
            buf.push_str(json.get(copied..).unwrap_or_default());
            Cow::Owned(buf)
        }
    }
}

/// The index of the closing quote of the string opening at `start`, skipping escapes;
/// `None` when it never closes.
fn string_end(bytes: &[u8], start: usize) -> Option<usize> {
    let mut j = start + 1;
    loop {
        match bytes.get(j)? {
            b'\\' => j += 2,
            b'"' => return Some(j),
            _ => j += 1,
        }
    }
}

/// Whether the JSON string `literal` (quotes included) decodes to one of `keys`.
fn key_matches(literal: &str, keys: &[&str]) -> bool {
    let inner = literal
        .get(1..literal.len().saturating_sub(1))
        .unwrap_or_default();
    if !inner.contains('\\') {
        return keys.contains(&inner);
    }
    // An escaped key: decode it the way any JSON reader would (small: a key).
    serde_json::from_str::<String>(literal).is_ok_and(|key| keys.contains(&key.as_str()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(json: &str) -> String {
        redact(json, &["token", "password"]).into_owned()
    }

    #[test]
    fn values_of_listed_keys_are_replaced_and_nothing_else_moves() {
        let body = "{\"recipients\": [ {\"id\":1, \"token\" :\t\"abc\\\"def\", \"email\":\"a@b\"},\n {\"token\":\"xyz\"} ],\"documentMeta\":{\"password\":\"pw\"}}";
        assert_eq!(
            r(body),
            "{\"recipients\": [ {\"id\":1, \"token\" :\t\"[redacted]\", \"email\":\"a@b\"},\n {\"token\":\"[redacted]\"} ],\"documentMeta\":{\"password\":\"[redacted]\"}}"
        );
    }

    #[test]
    fn odd_inputs() {
        // An escaped key is the same key.
        assert_eq!(r(r#"{"tok\u0065n":"s"}"#), r#"{"tok\u0065n":"[redacted]"}"#);
        // The key name as a value, or in an array, is not a key.
        for same in [
            r#"{"kind":"token","x":["token","s"]}"#,
            r#"["token","s"]"#,
            r#"{"a":{"b":[[{"c":"token"}]]},"token2":"s","xtoken":"s"}"#,
            // Non-string values stay.
            r#"{"token":null,"password":123,"t":{"token":{"token":1}},"p":{"password":["s"]}}"#,
            r#""token""#,
            "",
        ] {
            assert_eq!(r(same), same);
            assert!(matches!(redact(same, &["token"]), Cow::Borrowed(_)));
        }
        // Nested arrays and objects, a key after a nested value.
        assert_eq!(
            r(r#"{"a":[[{"token":"1"}],{"b":{"token":"2"}}],"token":"3"}"#),
            r#"{"a":[[{"token":"[redacted]"}],{"b":{"token":"[redacted]"}}],"token":"[redacted]"}"#
        );
        // Unicode around the value stays byte for byte.
        assert_eq!(
            r("{\"n\":\"é\u{1F600}\",\"token\":\"é\"}"),
            "{\"n\":\"é\u{1F600}\",\"token\":\"[redacted]\"}"
        );
        // No keys: untouched.
        assert!(matches!(redact(r#"{"token":"s"}"#, &[]), Cow::Borrowed(_)));
    }

    #[test]
    fn garbage_never_panics() {
        for junk in [
            "\"",
            "{\"token\":\"",
            "{\"token\":\"\\",
            "}}]]",
            "{\"token\"",
            "\\",
            "{,,:\"token\":\"a\"",
            "{\"token\":\"a\"\"b\"}",
            "[{]}\"",
            "{\"\\u12\":\"x\"}",
        ] {
            let _ = r(junk);
        }
    }
}

#[cfg(test)]
mod properties {
    use super::*;
    use proptest::prelude::*;
    use serde_json::Value;

    const KEYS: &[&str] = &["token", "password"];

    fn model(value: &Value) -> Value {
        match value {
            Value::Object(map) => Value::Object(
                map.iter()
                    .map(|(k, v)| match v {
                        Value::String(_) if KEYS.contains(&k.as_str()) => {
                            (k.clone(), Value::String("[redacted]".into()))
                        }
                        other => (k.clone(), model(other)),
                    })
                    .collect(),
            ),
            Value::Array(items) => Value::Array(items.iter().map(model).collect()),
            other => other.clone(),
        }
    }

    fn json() -> impl Strategy<Value = Value> {
        let key = prop::sample::select(vec!["token", "password", "a", "tok\"en", "\\", "é"]);
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            any::<i64>().prop_map(Value::from),
            prop::sample::select(vec![
                "token",
                "password",
                "\"",
                "\\\"",
                "]}",
                "é\u{1F600}",
                ""
            ])
            .prop_map(|s| Value::String(s.to_owned())),
            ".{0,8}".prop_map(Value::String),
        ];
        leaf.prop_recursive(6, 64, 6, move |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
                prop::collection::vec((key.clone(), inner), 0..5).prop_map(|kv| {
                    Value::Object(kv.into_iter().map(|(k, v)| (k.to_owned(), v)).collect())
                }),
            ]
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(1000))]

        #[test]
        fn valid_json_stays_valid_and_matches_the_tree_model(value in json(), pretty in any::<bool>()) {
            let text = if pretty { serde_json::to_string_pretty(&value) } else { serde_json::to_string(&value) }.unwrap();
            let out = redact(&text, KEYS);
            let parsed: Value = serde_json::from_str(&out).unwrap();
            let sent: Value = serde_json::from_str(&text).unwrap();
            prop_assert_eq!(&parsed, &model(&sent));
            if parsed == sent {
                prop_assert_eq!(out.as_ref(), text.as_str());
            }
        }

        #[test]
        fn any_text_never_panics(text in ".{0,200}", ascii in "[\\[\\]{}\":,\\\\a-z0-9 ]{0,200}") {
            let _ = redact(&text, KEYS);
            let out = redact(&ascii, &["token", "a"]);
            prop_assert!(out.len() <= ascii.len() + 12 * ascii.len());
        }
    }
}
