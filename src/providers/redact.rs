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
//! It walks the text with the crate's JSON reader ([`Reader::walk`], `src/json/`), token
//! by token. A key matches when its decoded text is one of the listed keys (`"tok\u0065n"`
//! is `token`, as for any JSON reader); only a string value directly after a matching key
//! is replaced (an object, array, number or `null` is left alone, and a string that merely
//! equals a key name is a value, not a key). It runs on text the reader already read as one
//! whole value; on any other text it stops at the first syntax error, keeping what it
//! replaced before it and every byte after it, and it never panics, never loops, and does
//! O(length) work with O(depth) memory.

use std::borrow::Cow;

use crate::json::{Kind, Reader, Token};

/// What replaces a redacted value (a JSON string, quotes included).
pub(crate) const REDACTED: &str = "\"[redacted]\"";

/// `json` with the string value of every `keys` member, at any depth, replaced by
/// [`REDACTED`]; borrowed unchanged when nothing matched (or `keys` is empty).
pub(crate) fn redact<'a>(json: &'a str, keys: &[&str]) -> Cow<'a, str> {
    if keys.is_empty() {
        return Cow::Borrowed(json);
    }
    let mut out: Option<String> = None;
    // Bytes of `json` before this index are already in `out` (when it exists).
    let mut copied = 0;
    // The last key matched, and its value has not started yet.
    let mut pending = false;
    let mut reader = Reader::new(json);
    // Not JSON (callers pass text the reader already read whole): the walk stops at the
    // error, and everything after the last replacement is kept as is.
    let _ = reader.walk(&mut |token: Token<'_>| match token.kind {
        Kind::Key => {
            pending = token
                .string()
                .is_some_and(|key| keys.contains(&key.as_ref()));
        }
        Kind::String if pending => {
            pending = false;
            let span = token.span();
            let buf = out.get_or_insert_with(|| String::with_capacity(json.len()));
            buf.push_str(json.get(copied..span.start).unwrap_or_default());
            buf.push_str(REDACTED);
            copied = span.end;
        }
        // An object, array, number, `true`, `false` or `null`: not a string value.
        _ => pending = false,
    });
    match out {
        None => Cow::Borrowed(json),
        Some(mut buf) => {
            buf.push_str(json.get(copied..).unwrap_or_default());
            Cow::Owned(buf)
        }
    }
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
