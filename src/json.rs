//! The crate's one JSON reader: under the providers' wire structs (`providers/wire.rs`),
//! the credentials' redaction (`providers/redact.rs`) and the diagnosis's JSON variants
//! (`diagnose/variants.rs`). One pass over the body's text, written for this job, with no
//! generic deserializer behind it; and the string writer `to_json` uses.
//!
//! [`Reader`] reads values field by field ([`Reader::next_key`], [`Reader::string`], …),
//! skips them ([`Reader::skip`]), or walks them token by token with their byte spans
//! ([`Reader::walk`], [`Token`]); [`depth`] checks a whole text and says how deeply it
//! nests.
//!
//! It accepts exactly the JSON that serde_json accepts: RFC 8259's grammar, the same four
//! whitespace bytes, any `\uXXXX` escape as syntax (a lone surrogate is valid JSON; it only
//! fails to *decode*), numbers of any size (`1e400` is valid JSON), and any depth when a
//! value is skipped. The unit tests below and the fuzz targets check that against
//! serde_json. Strings borrow from the text unless they hold an escape.
//!
//! Why not serde_json's `Deserialize`: each wire type instantiated serde_json's visitor
//! machinery anew (a copy of `deserialize_any` per type), and the captured-then-reparsed
//! scalars read every field twice (the sizes: `bench/size-study.md`, docs/benchmarks.md).

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

/// `0x01` in every byte of a word: times a byte, that byte in every lane.
const ONES: u64 = 0x0101_0101_0101_0101;
/// The high bit of every byte of a word.
const HIGH: u64 = 0x8080_8080_8080_8080;

impl<'a> Reader<'a> {
    /// A cursor at the start of `text`.
    pub(crate) fn new(text: &'a str) -> Reader<'a> {
        Reader { text, pos: 0 }
    }

    /// The byte at the cursor.
    #[inline]
    fn byte(&self) -> Option<u8> {
        self.text.as_bytes().get(self.pos).copied()
    }

    /// `text[start..end]`.
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

    /// Moves the cursor past JSON's four whitespace bytes.
    #[inline]
    fn skip_whitespace(&mut self) {
        self.pos = whitespace_until(self.text.as_bytes(), self.pos);
    }

    /// The first byte of what comes next, after whitespace.
    #[inline]
    pub(crate) fn peek(&mut self) -> Option<u8> {
        self.skip_whitespace();
        self.byte()
    }

    /// After whitespace, `byte`, stepped over; else the error `what` (or EOF).
    #[inline]
    fn eat(&mut self, byte: u8, what: &'static str) -> Result<(), SyntaxError> {
        if self.peek() == Some(byte) {
            self.pos += 1;
            Ok(())
        } else {
            Err(self.eof_or(what))
        }
    }

    /// The error `what` at the cursor, or serde_json's EOF error when the text ends there.
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
        // A string or a number (most skipped values) directly: the same readers, hence the
        // same errors, that the walk would use, without its container machinery.
        match self.peek() {
            Some(b'"') => self.string_span().map(|_| ()),
            Some(b'-' | b'0'..=b'9') => self.number().map(|_| ()),
            _ => self.walk(&mut |_| {}),
        }
    }

    /// Reads one value of any shape and depth as [`Reader::skip`] does (the same syntax
    /// checks, errors and end), and shows `visit` each of its [`Token`]s in text order.
    /// On a syntax error the walk stops there: `visit` has seen the tokens before it.
    pub(crate) fn walk<F: FnMut(Token<'a>)>(&mut self, visit: &mut F) -> Result<(), SyntaxError> {
        // `true` for an object, `false` for an array.
        let mut open: Vec<bool> = Vec::new();
        loop {
            let Some(first) = self.peek() else {
                return Err(self.eof_or("expected value"));
            };
            let at = self.pos;
            let mut depth = open.len();
            let kind = match first {
                b'{' | b'[' => {
                    let object = first == b'{';
                    self.pos += 1;
                    if self.peek() == Some(if object { b'}' } else { b']' }) {
                        self.pos += 1;
                        depth += 1;
                        Kind::Empty { object }
                    } else {
                        visit(self.token(Kind::Open { object }, at, at + 1, depth + 1));
                        open.push(object);
                        if object {
                            self.key(open.len(), visit)?;
                        }
                        continue;
                    }
                }
                b'"' => {
                    self.string_span()?;
                    Kind::String
                }
                b'-' | b'0'..=b'9' => {
                    self.number()?;
                    Kind::Number
                }
                b't' => {
                    self.literal("true")?;
                    Kind::Literal
                }
                b'f' => {
                    self.literal("false")?;
                    Kind::Literal
                }
                b'n' => {
                    self.literal("null")?;
                    Kind::Literal
                }
                _ => return Err(self.eof_or("expected value")),
            };
            visit(self.token(kind, at, self.pos, depth));
            // After a value: close what ends here, or go on after a comma.
            loop {
                let Some(&in_object) = open.last() else {
                    return Ok(());
                };
                let next = self.peek();
                let at = self.pos;
                match next {
                    Some(b',') => {
                        visit(self.token(Kind::Comma, at, at + 1, open.len()));
                        self.pos += 1;
                        if in_object {
                            self.key(open.len(), visit)?;
                        }
                        break;
                    }
                    Some(b'}') if in_object => {
                        visit(self.token(Kind::Close { object: true }, at, at + 1, open.len()));
                        self.pos += 1;
                        open.pop();
                    }
                    Some(b']') if !in_object => {
                        visit(self.token(Kind::Close { object: false }, at, at + 1, open.len()));
                        self.pos += 1;
                        open.pop();
                    }
                    _ if in_object => return Err(self.eof_or("expected `,` or `}`")),
                    _ => return Err(self.eof_or("expected `,` or `]`")),
                }
            }
        }
    }

    /// The token of kind `kind` over `start..end` of the text.
    #[inline]
    fn token(&self, kind: Kind, start: usize, end: usize, depth: usize) -> Token<'a> {
        Token {
            kind,
            at: start,
            text: self.slice(start, end),
            depth,
        }
    }

    /// At an object's key: reads it and its `:`, and shows it to `visit`.
    fn key<F: FnMut(Token<'a>)>(&mut self, depth: usize, visit: &mut F) -> Result<(), SyntaxError> {
        self.skip_whitespace();
        let at = self.pos;
        let (contents, _) = self.key_contents()?;
        // The contents sit between the quotes: the key's text is two bytes longer.
        visit(self.token(Kind::Key, at, at + contents.len() + 2, depth));
        Ok(())
    }

    /// The text of the next value, as written (without surrounding whitespace).
    pub(crate) fn raw_value(&mut self) -> Result<&'a str, SyntaxError> {
        self.skip_whitespace();
        let start = self.pos;
        self.skip()?;
        Ok(self.slice(start, self.pos))
    }

    /// At `true`, `false` or `null` (`word`): steps over it.
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

    /// Steps over ASCII digits; how many.
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

    /// Four hex digits (of a `\uXXXX` escape) as a UTF-16 code unit.
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

    /// At an object's key: its contents (between the quotes, escapes undecoded) and
    /// whether it holds an escape, with the cursor after its `:`.
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
/// the length: sixteen bytes at a time where the build has wasm's 128-bit SIMD
/// (`simd128`: the npm package and the Worker), eight at a time in a `u64` first or
/// elsewhere, then byte by byte.
fn plain_until(bytes: &[u8], mut at: usize) -> usize {
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    while let Some(Ok(chunk)) = bytes.get(at..at + 16).map(<&[u8; 16]>::try_from) {
        let special = simd::special16(chunk);
        if special != 0 {
            return at + special.trailing_zeros() as usize;
        }
        at += 16;
    }
    while let Some(Ok(chunk)) = bytes.get(at..at + 8).map(<[u8; 8]>::try_from) {
        let special = special8(u64::from_le_bytes(chunk));
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

/// The high bit of each byte of `x` that is `"`, `\` or a control byte, in a word whose
/// lowest flagged byte is the first such byte (a borrow can only flag bytes above a real
/// hit).
#[inline]
fn special8(x: u64) -> u64 {
    let quote = x ^ (ONES * u64::from(b'"'));
    let backslash = x ^ (ONES * u64::from(b'\\'));
    let special = (quote.wrapping_sub(ONES) & !quote)
        | (backslash.wrapping_sub(ONES) & !backslash)
        | (x.wrapping_sub(ONES * 0x20) & !x);
    special & HIGH
}

/// The index of the first byte at or after `from` that is not JSON whitespace, or the
/// length. Most values follow one space or none; a longer run (indented JSON) goes
/// sixteen bytes at a time where [`plain_until`] does.
#[inline]
fn whitespace_until(bytes: &[u8], mut at: usize) -> usize {
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    {
        for _ in 0..2 {
            match bytes.get(at) {
                Some(b' ' | b'\t' | b'\n' | b'\r') => at += 1,
                _ => return at,
            }
        }
        while let Some(Ok(chunk)) = bytes.get(at..at + 16).map(<&[u8; 16]>::try_from) {
            let other = !simd::whitespace16(chunk) & 0xffff;
            if other != 0 {
                return at + other.trailing_zeros() as usize;
            }
            at += 16;
        }
    }
    while let Some(b' ' | b'\t' | b'\n' | b'\r') = bytes.get(at) {
        at += 1;
    }
    at
}

/// Sixteen bytes at a time with wasm's `simd128` (the shipped builds enable it): a bit per
/// byte, bit `i` for byte `i`, where a test holds. No `unsafe`: these intrinsics are safe
/// in a build with the feature on. The tests compare both with a byte-by-byte reference
/// under `wasm-bindgen-test` (`scripts/test-npm.sh`).
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
mod simd {
    use core::arch::wasm32::{
        u8x16, u8x16_bitmask, u8x16_eq, u8x16_lt, u8x16_splat, v128, v128_or,
    };

    /// The chunk as one vector (compiled to a single unaligned `v128.load`).
    #[inline]
    fn load(c: &[u8; 16]) -> v128 {
        u8x16(
            c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7], c[8], c[9], c[10], c[11], c[12], c[13],
            c[14], c[15],
        )
    }

    /// `"`, `\` or a control byte (below 0x20).
    #[inline]
    pub(super) fn special16(chunk: &[u8; 16]) -> u32 {
        let v = load(chunk);
        let hits = v128_or(
            v128_or(
                u8x16_eq(v, u8x16_splat(b'"')),
                u8x16_eq(v, u8x16_splat(b'\\')),
            ),
            u8x16_lt(v, u8x16_splat(0x20)),
        );
        u32::from(u8x16_bitmask(hits))
    }

    /// JSON's four whitespace bytes.
    #[inline]
    pub(super) fn whitespace16(chunk: &[u8; 16]) -> u32 {
        let v = load(chunk);
        let is = |b: u8| u8x16_eq(v, u8x16_splat(b));
        let hits = v128_or(v128_or(is(b' '), is(b'\n')), v128_or(is(b'\r'), is(b'\t')));
        u32::from(u8x16_bitmask(hits))
    }
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

/// What a [`Token`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// The `{` (`object`) or `[` of an object or array with something inside.
    Open {
        /// `{` rather than `[`.
        object: bool,
    },
    /// The `}` or `]` closing an [`Kind::Open`].
    Close {
        /// `}` rather than `]`.
        object: bool,
    },
    /// An object or array with nothing inside, whitespace and all: `{}`, `[ ]`.
    Empty {
        /// `{}` rather than `[]`.
        object: bool,
    },
    /// An object's key, quotes included (its `:` is not part of it).
    Key,
    /// A string value, quotes included, escapes as written.
    String,
    /// A number, as written.
    Number,
    /// `true`, `false` or `null`.
    Literal,
    /// The `,` between two members or elements.
    Comma,
}

/// One token of a value, as [`Reader::walk`] meets it: everything but whitespace and an
/// object's colons.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Token<'a> {
    /// What it is.
    pub(crate) kind: Kind,
    /// The byte offset of its first byte in the reader's text.
    pub(crate) at: usize,
    /// Its text, as written.
    pub(crate) text: &'a str,
    /// The objects and arrays around it, its own brackets counting as inside: 0 for a
    /// scalar at the top, 1 for `[` and `]` of a top-level array and everything between.
    pub(crate) depth: usize,
}

impl<'a> Token<'a> {
    /// Its bytes' range in the reader's text.
    pub(crate) fn span(&self) -> std::ops::Range<usize> {
        self.at..self.at + self.text.len()
    }

    /// A [`Kind::Key`]'s or [`Kind::String`]'s decoded text, borrowed when it holds no
    /// escape; `None` for other kinds and for a string that does not decode (an unpaired
    /// surrogate escape such as `"\ud800"`, which is valid syntax).
    pub(crate) fn string(&self) -> Option<Cow<'a, str>> {
        match self.kind {
            Kind::Key | Kind::String => Reader::new(self.text).string().ok().flatten(),
            _ => None,
        }
    }
}

/// Checks that `text` is one JSON value (whitespace around it allowed) and says how deeply
/// its objects and arrays nest: 0 for a scalar, 1 for `{}` or `[1, 2]`, 2 for `[[]]`.
/// Brackets inside strings do not count.
pub(crate) fn depth(text: &str) -> Result<usize, SyntaxError> {
    let mut reader = Reader::new(text);
    let mut deepest = 0;
    reader.walk(&mut |token| deepest = deepest.max(token.depth))?;
    reader.finish()?;
    Ok(deepest)
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
        let kinds: Vec<(Kind, &str, usize)> =
            found.iter().map(|t| (t.kind, t.text, t.depth)).collect();
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
        0, 0x08, 0x09, 0x0a, 0x0b, 0x0d, 0x1f, 0x20, 0x21, b'"', b'\\', b'[', b'{', b'a', 0x7f,
        0x80, 0xc3, 0xff,
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
}
