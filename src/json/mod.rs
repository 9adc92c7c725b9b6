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
//! value is skipped. The unit tests (`tests.rs`) and the fuzz targets check that against
//! serde_json. Strings borrow from the text unless they hold an escape.
//!
//! Why not serde_json's `Deserialize`: each wire type instantiated serde_json's visitor
//! machinery anew (a copy of `deserialize_any` per type), and the captured-then-reparsed
//! scalars read every field twice (the sizes: `bench/size-study.md`, docs/benchmarks.md).

use std::borrow::Cow;
use std::fmt;

/// The byte scans under the reader: SIMD where the build has it.
mod scan;

use scan::{plain_until, whitespace_until};

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
mod tests;
