//! The reader against serde_json, and the scans against their byte-by-byte definitions.

use super::*;
use proptest::prelude::*;
use serde::de::IgnoredAny;

/// The reader's verdict on a whole text.
fn valid(text: &str) -> bool {
    let mut r = Reader::new(text);
    r.skip().and_then(|()| r.finish()).is_ok()
}

fn serde_valid(text: &str) -> bool {
    serde_json::from_str::<IgnoredAny>(text).is_ok()
}

#[test]
fn accepts_what_serde_json_accepts() {
    let cases = [
        "{}",
        "[]",
        " { } ",
        "[ ]",
        "0",
        "-0",
        "1.5e-3",
        "1E+2",
        "1e400",
        "-1e-400",
        "12345678901234567890123",
        "\"\"",
        "\"a\\u00e9\\ud83d\\ude00\"",
        "\"\\ud800\"",
        "\"\\udc00x\"",
        "true",
        "false",
        "null",
        "{\"a\":[1,{\"b\":null}],\"c\":\"d\"}",
        "[[[[[]]]]]",
        "{\"\":0}",
        "\"é\u{1F600}\"",
        "\t\n\r [1]\r\n",
        // Refused.
        "",
        " ",
        "{",
        "}",
        "[",
        "]",
        "[1,]",
        "{\"a\":1,}",
        "{,}",
        "[,1]",
        "01",
        "-",
        "1.",
        ".5",
        "1e",
        "1e+",
        "+1",
        "tru",
        "nul",
        "True",
        "NaN",
        "Infinity",
        "\"a",
        "\"\\x\"",
        "\"\\u12\"",
        "\"\\u12G4\"",
        "\"\u{1}\"",
        "\"\t\"",
        "{1:2}",
        "{\"a\" 1}",
        "{\"a\":}",
        "[1 2]",
        "{} {}",
        "[]]",
        "{\"a\":1}}",
        "'a'",
        "[1]x",
        "{\"a\":[}",
        "[\"\\",
        "1 2",
        "\u{feff}{}",
        "{\"a\":1\u{a0}}",
    ];
    for text in cases {
        assert_eq!(valid(text), serde_valid(text), "{text:?}");
    }
    let deep = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
    assert!(valid(&deep) && serde_valid(&deep));
}

#[test]
fn strings_decode_like_serde_json() {
    for text in [
        r#""plain""#,
        r#""a\"b\\c\/d\be\ff\ng\rh\ti""#,
        r#""\u0041\u00e9\u20ac\ud83d\ude00""#,
        r#""x\ud800""#,
        r#""\udc00""#,
        r#""\ud800\u0041""#,
        r#""\ud800\\""#,
        "\"é\u{1F600}\"",
    ] {
        let ours = Reader::new(text).string().unwrap().map(Cow::into_owned);
        assert_eq!(ours, serde_json::from_str::<String>(text).ok(), "{text}");
    }
    assert!(matches!(
        Reader::new(r#""abc""#).string(),
        Ok(Some(Cow::Borrowed("abc")))
    ));
}

#[test]
fn errors_say_where() {
    let mut r = Reader::new("{\n  \"a\": tru }");
    let err = r.skip().unwrap_err();
    assert_eq!(err.to_string(), "expected ident at line 2 column 11");
    let mut r = Reader::new("[1,");
    assert_eq!(
        r.skip().unwrap_err().to_string(),
        "EOF while parsing a value at line 1 column 4"
    );
}

#[test]
fn objects_and_arrays_iterate() {
    let mut r = Reader::new(r#" {"a" : [1, "x"] , "b\u0063":{}} "#);
    let mut keys = Vec::new();
    let mut fields = r.enter_object().unwrap();
    while let Some(key) = r.next_key(&mut fields).unwrap() {
        if key == "a" {
            let mut items = r.enter_array().unwrap();
            let mut n = 0;
            while r.next_element(&mut items).unwrap() {
                r.skip().unwrap();
                n += 1;
            }
            assert_eq!(n, 2);
        } else {
            assert_eq!(r.raw_value().unwrap(), "{}");
        }
        keys.push(key.into_owned());
    }
    r.finish().unwrap();
    assert_eq!(keys, ["a", "bc"]);
}

#[test]
fn strings_write_like_serde_json() {
    for s in [
        "",
        "plain",
        "a\"b\\c",
        "\u{0}\u{1}\u{8}\t\n\u{b}\u{c}\r\u{1f}\u{7f}",
        "é\u{1F600}/<>",
        "0123456789abcdef\n",
    ] {
        let mut out = String::new();
        write_string(&mut out, s);
        assert_eq!(out, serde_json::to_string(s).unwrap());
    }
}

/// The tokens of a walk over `text`, and how it ended.
fn tokens(text: &str) -> (Vec<Token<'_>>, Result<(), SyntaxError>) {
    let mut out = Vec::new();
    let mut r = Reader::new(text);
    let result = r.walk(&mut |t| out.push(t));
    (out, result)
}

/// Nesting depth as a serde_json tree sees it.
fn tree_depth(value: &serde_json::Value) -> usize {
    match value {
        serde_json::Value::Array(items) => 1 + items.iter().map(tree_depth).max().unwrap_or(0),
        serde_json::Value::Object(map) => 1 + map.values().map(tree_depth).max().unwrap_or(0),
        _ => 0,
    }
}

#[test]
fn walks_token_by_token_with_spans() {
    let text = r#" {"a" : [1, "x\"y"] , "b\u0063":{ },"d":[ ],"e":true} "#;
    let (found, result) = tokens(text);
    result.unwrap();
    let kinds: Vec<(Kind, &str, usize)> = found.iter().map(|t| (t.kind, t.text, t.depth)).collect();
    assert_eq!(
        kinds,
        [
            (Kind::Open { object: true }, "{", 1),
            (Kind::Key, r#""a""#, 1),
            (Kind::Open { object: false }, "[", 2),
            (Kind::Number, "1", 2),
            (Kind::Comma, ",", 2),
            (Kind::String, r#""x\"y""#, 2),
            (Kind::Close { object: false }, "]", 2),
            (Kind::Comma, ",", 1),
            (Kind::Key, r#""b\u0063""#, 1),
            (Kind::Empty { object: true }, "{ }", 2),
            (Kind::Comma, ",", 1),
            (Kind::Key, r#""d""#, 1),
            (Kind::Empty { object: false }, "[ ]", 2),
            (Kind::Comma, ",", 1),
            (Kind::Key, r#""e""#, 1),
            (Kind::Literal, "true", 1),
            (Kind::Close { object: true }, "}", 1),
        ]
    );
    for t in &found {
        assert_eq!(&text[t.span()], t.text);
    }
    let mut r = Reader::new(r#"{"b\u0063":"\ud800","x":"y"}"#);
    let mut decoded = Vec::new();
    r.walk(&mut |t| decoded.push((t.kind, t.string(), t.span())))
        .unwrap();
    assert_eq!(
        decoded[1],
        (Kind::Key, Some(Cow::Owned("bc".to_owned())), 1..10)
    );
    assert_eq!(decoded[2], (Kind::String, None, 11..19));
    assert!(matches!(decoded[5].1, Some(Cow::Borrowed("y"))));
    assert_eq!(decoded[0].1, None);
    // A scalar at the top, and a walk that stops at an error.
    let scalar = Token {
        kind: Kind::Number,
        at: 1,
        text: "-1.5e3",
        depth: 0,
    };
    assert_eq!(tokens(" -1.5e3 ").0, [scalar]);
    let (found, result) = tokens(r#"[1,{"a":tru}]"#);
    assert_eq!(
        result.unwrap_err().to_string(),
        "expected ident at line 1 column 12"
    );
    assert_eq!(found.len(), 5);
}

#[test]
fn depth_counts_brackets_outside_strings() {
    assert_eq!(depth(r#"{"a":"[[[[","b":[{}]}"#), Ok(3));
    assert_eq!(depth(" 1 "), Ok(0));
    assert_eq!(depth("[]"), Ok(1));
    assert_eq!(depth("[[],[[{}]]]"), Ok(4));
    let deep = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
    assert_eq!(depth(&deep), Ok(10_000));
    assert!(depth("[1] 2").is_err());
    assert!(depth("[[]").is_err());
    assert!(depth("").is_err());
}

/// Bytes that make the scans interesting: every special and whitespace byte, and
/// their neighbours on both sides of each comparison.
fn scan_bytes() -> impl Strategy<Value = Vec<u8>> {
    let interesting = prop::sample::select(INTERESTING.to_vec());
    prop::collection::vec(prop_oneof![interesting, any::<u8>()], 0..80)
}

const INTERESTING: [u8; 18] = [
    0, 0x08, 0x09, 0x0a, 0x0b, 0x0d, 0x1f, 0x20, 0x21, b'"', b'\\', b'[', b'{', b'a', 0x7f, 0x80,
    0xc3, 0xff,
];

/// Both scans against their one-byte-at-a-time definitions, from every start.
fn check_scans(bytes: &[u8]) {
    for from in 0..=bytes.len() {
        let special = bytes[from..]
            .iter()
            .position(|&b| b == b'"' || b == b'\\' || b < 0x20)
            .map_or(bytes.len(), |i| from + i);
        assert_eq!(plain_until(bytes, from), special, "{bytes:?} from {from}");
        let other = bytes[from..]
            .iter()
            .position(|b| !matches!(b, b' ' | b'\t' | b'\n' | b'\r'))
            .map_or(bytes.len(), |i| from + i);
        assert_eq!(
            whitespace_until(bytes, from),
            other,
            "{bytes:?} from {from}"
        );
    }
}

/// The same under wasm with `simd128` (`scripts/test-npm.sh`'s wasm-bindgen tests):
/// every interesting byte at every place of a 40-byte text of plain bytes and of
/// whitespace, then pseudo-random texts of interesting bytes.
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
#[wasm_bindgen_test::wasm_bindgen_test]
fn simd_scans_agree_with_their_definitions() {
    for fill in [b'a', b' '] {
        for &b in &INTERESTING {
            for at in 0..40 {
                let mut bytes = vec![fill; 40];
                bytes[at] = b;
                check_scans(&bytes);
            }
        }
    }
    let mut state = 0x2545_f491_4f6c_dd1d_u64;
    for _ in 0..2000 {
        let bytes: Vec<u8> = (0..48)
            .map(|_| {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                INTERESTING[(state % INTERESTING.len() as u64) as usize]
            })
            .collect();
        check_scans(&bytes);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(4000))]

    #[test]
    fn scans_agree_with_their_definitions(bytes in scan_bytes()) {
        check_scans(&bytes);
    }

    /// Any string: written as serde_json writes it.
    #[test]
    fn any_string_writes_like_serde_json(s in "(\\PC|[\\x00-\\x1f\"\\\\])*") {
        let mut out = String::new();
        write_string(&mut out, &s);
        prop_assert_eq!(out, serde_json::to_string(&s).unwrap());
    }

    /// Texts over JSON's own alphabet: mostly invalid, often valid, compared with
    /// serde_json byte for byte of verdict.
    #[test]
    fn same_verdict_as_serde_json(text in r#"[ \t\n\r{}\[\]",:0-9eE+\-.tfrulnsa\\/bu\x01é]{0,24}"#) {
        prop_assert_eq!(valid(&text), serde_valid(&text), "{:?}", text);
    }

    /// Any serde_json value, written out, reads; its strings decode the same.
    #[test]
    fn serde_json_output_reads(s in "\\PC{0,12}", n in any::<f64>(), i in any::<i64>()) {
        let text = serde_json::json!({ "s": s, "n": n, "a": [i, null, true, { "k": s }] })
            .to_string();
        prop_assert!(valid(&text), "{}", text);
        let quoted = serde_json::to_string(&s).unwrap();
        prop_assert_eq!(Reader::new(&quoted).string().unwrap().map(Cow::into_owned), Some(s));
    }

    /// A walk gives the same verdict as a skip, and its tokens, in order, are the text
    /// without the whitespace and colons between them.
    #[test]
    fn walk_agrees_with_skip(text in r#"[ \t\n\r{}\[\]",:0-9eE+\-.tfrulnsa\\/bu\x01é]{0,24}"#) {
        let mut r = Reader::new(&text);
        let skipped = r.skip().map(|()| r.pos);
        let mut r = Reader::new(&text);
        let mut joined = String::new();
        let mut next = 0;
        let walked = r.walk(&mut |t| {
            assert!(t.at >= next);
            next = t.at + t.text.len();
            joined.push_str(t.text);
        });
        prop_assert_eq!(walked.map(|()| r.pos), skipped.clone());
        if let Ok(end) = skipped {
            let between: String = text[..end]
                .chars()
                .filter(|c| !matches!(c, ' ' | '\t' | '\n' | '\r' | ':'))
                .collect();
            // Without strings, only whitespace and colons lie between the tokens (and
            // inside an empty object or array's token).
            if !text[..end].contains('"') {
                joined.retain(|c| !matches!(c, ' ' | '\t' | '\n' | '\r'));
                prop_assert_eq!(joined, between);
            }
        }
    }

    /// The depth of any serde_json value, written compact or pretty.
    #[test]
    fn depth_of_serde_json_values(value in json_value(), pretty in any::<bool>()) {
        let text = if pretty {
            serde_json::to_string_pretty(&value)
        } else {
            serde_json::to_string(&value)
        }
        .unwrap();
        prop_assert_eq!(depth(&text), Ok(tree_depth(&value)));
    }

    /// Strings with escapes, including broken surrogates: same decoding as serde_json.
    #[test]
    fn escapes_decode_like_serde_json(
        parts in proptest::collection::vec(
            prop_oneof![
                "[a-zé]{0,3}",
                Just("\\n".to_owned()),
                Just("\\\"".to_owned()),
                (0u16..=0xFFFF).prop_map(|u| format!("\\u{u:04x}")),
                (0xD800u16..=0xDFFF).prop_map(|u| format!("\\u{u:04X}")),
            ],
            0..6,
        )
    ) {
        let text = format!("\"{}\"", parts.concat());
        prop_assert_eq!(valid(&text), serde_valid(&text));
        let ours = Reader::new(&text).string().unwrap().map(Cow::into_owned);
        prop_assert_eq!(ours, serde_json::from_str::<String>(&text).ok(), "{}", text);
    }
}

/// Any JSON value, brackets and quotes inside strings too.
fn json_value() -> impl Strategy<Value = serde_json::Value> {
    let leaf = prop_oneof![
        Just(serde_json::Value::Null),
        any::<bool>().prop_map(serde_json::Value::Bool),
        any::<i64>().prop_map(serde_json::Value::from),
        "[\\[\\]{}\",:\\\\ aé]{0,6}".prop_map(serde_json::Value::String),
    ];
    leaf.prop_recursive(6, 48, 4, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..4).prop_map(serde_json::Value::Array),
            proptest::collection::btree_map("[a-z\\[{\"]{0,3}", inner, 0..4)
                .prop_map(|m| serde_json::Value::Object(m.into_iter().collect())),
        ]
    })
}
