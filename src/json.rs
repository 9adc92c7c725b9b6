//! The JSON reader under the providers' wire structs (`providers/wire.rs`): one pass over
//! the body's text, written for this job, with no generic deserializer behind it.
//!
//! It accepts exactly the JSON that serde_json accepts: RFC 8259's grammar, the same four
//! whitespace bytes, any `\uXXXX` escape as syntax (a lone surrogate is valid JSON; it only
//! fails to *decode*), numbers of any size (`1e400` is valid JSON), and any depth when a
//! value is skipped. The unit tests below and the fuzz targets check that against
//! serde_json. Strings borrow from the text unless they hold an escape.
//!
//! Why not serde_json's `Deserialize`: each wire type instantiated serde_json's visitor
//! machinery anew (67 copies of `deserialize_any`, 140 KB of the Worker's wasm), and the
//! captured-then-reparsed scalars read every field twice (`bench/size-study.md`).

use std::borrow::Cow;
use std::fmt;

/// A syntax error, with its place in the text: 1-based line, and 1-based column of the
/// byte where reading stopped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SyntaxError {
    what: &'static str,
    line: usize,
    column: usize,
}

impl fmt::Display for SyntaxError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} at line {} column {}",
            self.what, self.line, self.column
        )
    }
}

impl std::error::Error for SyntaxError {}

/// A cursor over one JSON text.
///
/// The value readers ([`Reader::skip`], [`Reader::string`], …) start at a value, with
/// whitespace allowed before it, and leave the cursor just after it.
pub(crate) struct Reader<'a> {
    text: &'a str,
    pos: usize,
}

const ONES: u64 = 0x0101_0101_0101_0101;
const HIGH: u64 = 0x8080_8080_8080_8080;

impl<'a> Reader<'a> {
    pub(crate) fn new(text: &'a str) -> Reader<'a> {
        Reader { text, pos: 0 }
    }

    #[inline]
    fn byte(&self) -> Option<u8> {
        self.text.as_bytes().get(self.pos).copied()
    }

    #[inline]
    fn slice(&self, start: usize, end: usize) -> &'a str {
        // Both ends sit next to ASCII bytes (quotes, brackets, digits), so they are char
        // boundaries; `get` keeps that an invariant rather than a panic.
        self.text.get(start..end).unwrap_or_default()
    }

    /// An error at the cursor.
    pub(crate) fn error(&self, what: &'static str) -> SyntaxError {
        let before = self.text.as_bytes().get(..self.pos).unwrap_or_default();
        let line = 1 + before.iter().filter(|&&b| b == b'\n').count();
        let column = 1 + before.iter().rev().take_while(|&&b| b != b'\n').count();
        SyntaxError { what, line, column }
    }

    #[inline]
    fn skip_whitespace(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.byte() {
            self.pos += 1;
        }
    }

    /// The first byte of what comes next, after whitespace.
    #[inline]
    pub(crate) fn peek(&mut self) -> Option<u8> {
        self.skip_whitespace();
        self.byte()
    }

    #[inline]
    fn eat(&mut self, byte: u8, what: &'static str) -> Result<(), SyntaxError> {
        if self.peek() == Some(byte) {
            self.pos += 1;
            Ok(())
        } else {
            Err(self.eof_or(what))
        }
    }

    fn eof_or(&self, what: &'static str) -> SyntaxError {
        if self.pos >= self.text.len() {
            self.error("EOF while parsing a value")
        } else {
            self.error(what)
        }
    }

    /// Checks that nothing but whitespace is left.
    pub(crate) fn finish(&mut self) -> Result<(), SyntaxError> {
        match self.peek() {
            None => Ok(()),
            Some(_) => Err(self.error("trailing characters")),
        }
    }

    /// Skips one value of any shape and depth, checking its syntax. Iterative: depth costs
    /// one byte of stack per level, never the call stack.
    pub(crate) fn skip(&mut self) -> Result<(), SyntaxError> {
        // `true` for an object, `false` for an array.
        let mut open: Vec<bool> = Vec::new();
        loop {
            match self.peek() {
                Some(bracket @ (b'{' | b'[')) => {
                    let object = bracket == b'{';
                    self.pos += 1;
                    if self.peek() == Some(if object { b'}' } else { b']' }) {
                        self.pos += 1;
                    } else {
                        open.push(object);
                        if object {
                            self.key_span()?;
                        }
                        continue;
                    }
                }
                Some(b'"') => {
                    self.string_span()?;
                }
                Some(b'-' | b'0'..=b'9') => {
                    self.number()?;
                }
                Some(b't') => self.literal("true")?,
                Some(b'f') => self.literal("false")?,
                Some(b'n') => self.literal("null")?,
                _ => return Err(self.eof_or("expected value")),
            }
            // After a value: close what ends here, or go on after a comma.
            loop {
                let Some(&in_object) = open.last() else {
                    return Ok(());
                };
                match self.peek() {
                    Some(b',') => {
                        self.pos += 1;
                        if in_object {
                            self.key_span()?;
                        }
                        break;
                    }
                    Some(b'}') if in_object => {
                        self.pos += 1;
                        open.pop();
                    }
                    Some(b']') if !in_object => {
                        self.pos += 1;
                        open.pop();
                    }
                    _ if in_object => return Err(self.eof_or("expected `,` or `}`")),
                    _ => return Err(self.eof_or("expected `,` or `]`")),
                }
            }
        }
    }

    /// The text of the next value, as written (without surrounding whitespace).
    pub(crate) fn raw_value(&mut self) -> Result<&'a str, SyntaxError> {
        self.skip_whitespace();
        let start = self.pos;
        self.skip()?;
        Ok(self.slice(start, self.pos))
    }

    fn literal(&mut self, word: &'static str) -> Result<(), SyntaxError> {
        for &expected in word.as_bytes() {
            match self.byte() {
                Some(b) if b == expected => self.pos += 1,
                None => return Err(self.error("EOF while parsing a value")),
                Some(_) => return Err(self.error("expected ident")),
            }
        }
        Ok(())
    }

    #[inline]
    fn digits(&mut self) -> usize {
        let start = self.pos;
        while let Some(b'0'..=b'9') = self.byte() {
            self.pos += 1;
        }
        self.pos - start
    }

    /// A number's text as written: `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`, of
    /// any size.
    pub(crate) fn number(&mut self) -> Result<&'a str, SyntaxError> {
        self.skip_whitespace();
        let start = self.pos;
        if self.byte() == Some(b'-') {
            self.pos += 1;
        }
        match self.byte() {
            Some(b'0') => self.pos += 1,
            Some(b'1'..=b'9') => {
                self.digits();
            }
            _ => return Err(self.eof_or("invalid number")),
        }
        if self.byte() == Some(b'.') {
            self.pos += 1;
            if self.digits() == 0 {
                return Err(self.eof_or("invalid number"));
            }
        }
        if let Some(b'e' | b'E') = self.byte() {
            self.pos += 1;
            if let Some(b'+' | b'-') = self.byte() {
                self.pos += 1;
            }
            if self.digits() == 0 {
                return Err(self.eof_or("invalid number"));
            }
        }
        Ok(self.slice(start, self.pos))
    }

    /// Moves the cursor to the next `"`, `\` or control byte of a string.
    #[inline]
    fn skip_plain(&mut self) {
        self.pos = plain_until(self.text.as_bytes(), self.pos);
    }

    fn hex4(&mut self) -> Result<u16, SyntaxError> {
        let mut n: u16 = 0;
        for _ in 0..4 {
            let digit = match self.byte() {
                Some(b @ b'0'..=b'9') => b - b'0',
                Some(b @ b'a'..=b'f') => b - b'a' + 10,
                Some(b @ b'A'..=b'F') => b - b'A' + 10,
                None => return Err(self.error("EOF while parsing a string")),
                Some(_) => return Err(self.error("invalid escape")),
            };
            n = (n << 4) | u16::from(digit);
            self.pos += 1;
        }
        Ok(n)
    }

    /// At a `"`: the string's contents (between the quotes, escapes undecoded) and whether
    /// it holds an escape.
    fn string_span(&mut self) -> Result<(&'a str, bool), SyntaxError> {
        self.eat(b'"', "expected a string")?;
        let start = self.pos;
        let mut escaped = false;
        loop {
            self.skip_plain();
            match self.byte() {
                Some(b'"') => {
                    let contents = self.slice(start, self.pos);
                    self.pos += 1;
                    return Ok((contents, escaped));
                }
                Some(b'\\') => {
                    escaped = true;
                    self.pos += 1;
                    match self.byte() {
                        Some(b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't') => {
                            self.pos += 1;
                        }
                        Some(b'u') => {
                            self.pos += 1;
                            self.hex4()?;
                        }
                        None => return Err(self.error("EOF while parsing a string")),
                        Some(_) => return Err(self.error("invalid escape")),
                    }
                }
                None => return Err(self.error("EOF while parsing a string")),
                Some(_) => {
                    return Err(self
                        .error("control character (\\u0000-\\u001F) found while parsing a string"))
                }
            }
        }
    }

    /// At a `"`: the decoded string, borrowed when it holds no escape; `None` when it does
    /// not decode (an unpaired surrogate escape such as `"\ud800"`, which is valid syntax).
    pub(crate) fn string(&mut self) -> Result<Option<Cow<'a, str>>, SyntaxError> {
        let (contents, escaped) = self.string_span()?;
        Ok(if escaped {
            unescape(contents).map(Cow::Owned)
        } else {
            Some(Cow::Borrowed(contents))
        })
    }

    /// At an object's `{`: enters it. Then call [`Reader::next_key`] until it says `None`,
    /// reading (or skipping) one value after each key.
    pub(crate) fn enter_object(&mut self) -> Result<Entries, SyntaxError> {
        self.eat(b'{', "expected `{`")?;
        Ok(Entries { first: true })
    }

    /// The object's next key (decoded; a key that does not decode reads as `""`), with the
    /// cursor after its `:`; `None` after the closing `}`.
    pub(crate) fn next_key(
        &mut self,
        fields: &mut Entries,
    ) -> Result<Option<Cow<'a, str>>, SyntaxError> {
        match self.peek() {
            Some(b'}') if fields.first => {
                self.pos += 1;
                return Ok(None);
            }
            _ if fields.first => fields.first = false,
            Some(b',') => self.pos += 1,
            Some(b'}') => {
                self.pos += 1;
                return Ok(None);
            }
            _ => return Err(self.eof_or("expected `,` or `}`")),
        }
        let (contents, escaped) = self.key_contents()?;
        Ok(Some(if escaped {
            Cow::Owned(unescape(contents).unwrap_or_default())
        } else {
            Cow::Borrowed(contents)
        }))
    }

    fn key_contents(&mut self) -> Result<(&'a str, bool), SyntaxError> {
        if self.peek() != Some(b'"') {
            return Err(self.eof_or("key must be a string"));
        }
        // The common key: no escape, the colon right after it.
        let start = self.pos + 1;
        let end = plain_until(self.text.as_bytes(), start);
        if self.text.as_bytes().get(end..end + 2) == Some(b"\":") {
            self.pos = end + 2;
            return Ok((self.slice(start, end), false));
        }
        let key = self.string_span()?;
        self.eat(b':', "expected `:`")?;
        Ok(key)
    }

    fn key_span(&mut self) -> Result<(), SyntaxError> {
        self.key_contents().map(drop)
    }

    /// At an array's `[`: enters it. Then call [`Reader::next_element`] until it says
    /// `false`, reading (or skipping) one value each time it says `true`.
    pub(crate) fn enter_array(&mut self) -> Result<Entries, SyntaxError> {
        self.eat(b'[', "expected `[`")?;
        Ok(Entries { first: true })
    }

    /// Whether the array has another element (the cursor is then before it).
    pub(crate) fn next_element(&mut self, items: &mut Entries) -> Result<bool, SyntaxError> {
        match self.peek() {
            Some(b']') if items.first => {
                self.pos += 1;
                Ok(false)
            }
            _ if items.first => {
                items.first = false;
                Ok(true)
            }
            Some(b',') => {
                self.pos += 1;
                Ok(true)
            }
            Some(b']') => {
                self.pos += 1;
                Ok(false)
            }
            _ => Err(self.eof_or("expected `,` or `]`")),
        }
    }
}

/// The index of the first `"`, `\` or control byte (below 0x20) at or after `from`, or
/// the length: eight bytes at a time.
fn plain_until(bytes: &[u8], mut at: usize) -> usize {
    while let Some(Ok(chunk)) = bytes.get(at..at + 8).map(<[u8; 8]>::try_from) {
        let x = u64::from_le_bytes(chunk);
        let quote = x ^ (ONES * u64::from(b'"'));
        let backslash = x ^ (ONES * u64::from(b'\\'));
        // The lowest flagged byte is the first special one: a borrow can only flag bytes
        // above a real hit.
        let special = (quote.wrapping_sub(ONES) & !quote)
            | (backslash.wrapping_sub(ONES) & !backslash)
            | (x.wrapping_sub(ONES * 0x20) & !x);
        let special = special & HIGH;
        if special != 0 {
            return at + (special.trailing_zeros() / 8) as usize;
        }
        at += 8;
    }
    while let Some(&b) = bytes.get(at) {
        if b == b'"' || b == b'\\' || b < 0x20 {
            return at;
        }
        at += 1;
    }
    at
}

/// Appends `s` as a JSON string, escaped exactly as serde_json escapes it: `"` and `\`,
/// the five short escapes (`\b \f \n \r \t`), other control bytes as `\u00xx`
/// (lowercase hex); everything else as is.
pub(crate) fn write_string(out: &mut String, s: &str) {
    out.push('"');
    let bytes = s.as_bytes();
    let mut start = 0;
    loop {
        let at = plain_until(bytes, start);
        out.push_str(s.get(start..at).unwrap_or_default());
        let Some(&b) = bytes.get(at) else { break };
        match b {
            b'"' => out.push_str("\\\""),
            b'\\' => out.push_str("\\\\"),
            0x08 => out.push_str("\\b"),
            0x0c => out.push_str("\\f"),
            b'\n' => out.push_str("\\n"),
            b'\r' => out.push_str("\\r"),
            b'\t' => out.push_str("\\t"),
            _ => {
                out.push_str("\\u00");
                for nibble in [b >> 4, b & 0xf] {
                    out.push(char::from_digit(u32::from(nibble), 16).unwrap_or('0'));
                }
            }
        }
        start = at + 1;
    }
    out.push('"');
}

/// Appends `value` as a JSON string, or `null`.
pub(crate) fn write_option(out: &mut String, value: Option<&str>) {
    match value {
        Some(s) => write_string(out, s),
        None => out.push_str("null"),
    }
}

/// Where [`Reader::next_key`] / [`Reader::next_element`] are in an object or array.
pub(crate) struct Entries {
    first: bool,
}

/// Decodes a string's contents, already checked by [`Reader::string_span`]; `None` for an
/// unpaired surrogate escape.
fn unescape(contents: &str) -> Option<String> {
    let mut out = String::with_capacity(contents.len());
    let mut rest = contents;
    while let Some(at) = rest.find('\\') {
        out.push_str(rest.get(..at)?);
        let mut r = Reader::new(rest.get(at + 1..)?);
        let escape = r.byte()?;
        r.pos += 1;
        match escape {
            b'"' => out.push('"'),
            b'\\' => out.push('\\'),
            b'/' => out.push('/'),
            b'b' => out.push('\u{8}'),
            b'f' => out.push('\u{c}'),
            b'n' => out.push('\n'),
            b'r' => out.push('\r'),
            b't' => out.push('\t'),
            b'u' => {
                let unit = r.hex4().ok()?;
                let code = match unit {
                    0xD800..=0xDBFF => {
                        // Must be followed by a low surrogate escape.
                        if r.byte() != Some(b'\\') {
                            return None;
                        }
                        r.pos += 1;
                        if r.byte() != Some(b'u') {
                            return None;
                        }
                        r.pos += 1;
                        let low = r.hex4().ok()?;
                        if !(0xDC00..=0xDFFF).contains(&low) {
                            return None;
                        }
                        0x10000 + ((u32::from(unit) - 0xD800) << 10) + (u32::from(low) - 0xDC00)
                    }
                    0xDC00..=0xDFFF => return None,
                    _ => u32::from(unit),
                };
                out.push(char::from_u32(code)?);
            }
            _ => return None,
        }
        rest = r.text.get(r.pos..)?;
    }
    out.push_str(rest);
    Some(out)
}

#[cfg(test)]
mod tests {
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

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(4000))]

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
}
