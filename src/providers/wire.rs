//! Lenient building blocks for the providers' private wire structs.
//!
//! Providers send ids as strings or numbers, omit fields, send `null`, and change shapes
//! without notice. None of that may fail normalization (invariant 6), and the hot path
//! builds no `serde_json::Value` tree (invariant 8), so:
//! - [`Text`] takes any JSON value: strings borrow from the body, numbers and booleans
//!   become text, `null`, objects and arrays become "absent";
//! - [`Loose`], [`List`], [`OneOrMany`] and [`Ref`] read nested objects in the same single
//!   pass and skip whatever has another shape; [`Raw`] keeps a value's text as written;
//! - [`wire!`] declares a struct whose fields are all such types; it reads an object's
//!   keys in order, skips unknown ones and lets a repeated key win last (as `JSON.parse`
//!   does), so a wire struct never fails on well-formed JSON.
//!
//! All of it reads through [`crate::json::Reader`], one pass over the text: the only error
//! is a syntax error.

use std::borrow::Cow;

use crate::json::{Reader, SyntaxError};

/// A value a wire struct's field reads: at a value, it consumes exactly that value.
/// Never fails on well-formed JSON: a value of another shape reads as absent.
pub(crate) trait Wire<'a>: Sized {
    fn read(r: &mut Reader<'a>) -> Result<Self, SyntaxError>;
}

/// A [`wire!`] struct: read from an object's fields, at its `{`.
pub(crate) trait Object<'a>: Default {
    fn read_fields(r: &mut Reader<'a>) -> Result<Self, SyntaxError>;
}

/// Declares a private wire struct and its single-pass, never-failing reader.
/// Each field names the JSON key(s) it reads: `field: Type = "key" | "alias"`.
macro_rules! wire {
    ($(#[$meta:meta])* struct $name:ident<'a> { $($field:ident : $ty:ty = $($key:literal)|+,)* }) => {
        $(#[$meta])*
        #[derive(Default)]
        struct $name<'a> {
            $($field: $ty,)*
            _body: ::std::marker::PhantomData<&'a str>,
        }

        impl<'a> $crate::providers::wire::Object<'a> for $name<'a> {
            fn read_fields(
                r: &mut $crate::json::Reader<'a>,
            ) -> Result<$name<'a>, $crate::json::SyntaxError> {
                let mut out = $name::default();
                let mut fields = r.enter_object()?;
                while let Some(key) = r.next_key(&mut fields)? {
                    match key.as_ref() {
                        $($($key)|+ => out.$field = $crate::providers::wire::Wire::read(r)?,)*
                        _ => r.skip()?,
                    }
                }
                Ok(out)
            }
        }
    };
}
pub(crate) use wire;

/// A scalar read as text, or absent.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub(crate) struct Text<'a>(pub(crate) Option<Cow<'a, str>>);

impl<'a> Text<'a> {
    /// The text, owned; empty strings count as absent.
    pub(crate) fn owned(&self) -> Option<String> {
        self.0
            .as_deref()
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
    }

    /// The text, borrowed; empty strings count as absent.
    pub(crate) fn get(&self) -> Option<&str> {
        self.0.as_deref().filter(|s| !s.is_empty())
    }

    /// The text as an integer (`1623138029512`, `"1670855889"`, `1.6e12`).
    pub(crate) fn as_i64(&self) -> Option<i64> {
        let s = self.get()?.trim();
        if let Ok(n) = s.parse::<i64>() {
            return Some(n);
        }
        let f = s.parse::<f64>().ok()?;
        // Only whole numbers inside i64's range.
        (f.is_finite() && f.fract() == 0.0 && f.abs() < 9.0e18).then_some(f as i64)
    }
}

/// Strings decoded (borrowed when they hold no escape), numbers kept as written (whole
/// numbers written as floats, like `1.6e12`, as integers), `true`/`false` as text; `null`,
/// arrays, objects, and a string that does not decode (a lone surrogate escape
/// `"\ud800"`) are absent. Never an error on valid JSON: a field we read must not fail a
/// verified body (security review L-3).
impl<'a> Wire<'a> for Text<'a> {
    fn read(r: &mut Reader<'a>) -> Result<Text<'a>, SyntaxError> {
        Ok(Text(match r.peek() {
            Some(b'"') => r.string()?,
            Some(b'-' | b'0'..=b'9') => Some(number_text(r.number()?)),
            Some(b't') => {
                r.skip()?;
                Some(Cow::Borrowed("true"))
            }
            Some(b'f') => {
                r.skip()?;
                Some(Cow::Borrowed("false"))
            }
            _ => {
                r.skip()?;
                None
            }
        }))
    }
}

/// A JSON number as text: integers digit for digit, however long (ids beyond 2^64 keep
/// their exact digits, never an f64 rounding); a whole float within i64 (`1.6e12`, `5.0`)
/// as its integer; any other float as written.
fn number_text(raw: &str) -> Cow<'_, str> {
    if !raw.contains(['.', 'e', 'E']) {
        // `-0` is zero.
        return if raw == "-0" {
            Cow::Borrowed("0")
        } else {
            Cow::Borrowed(raw)
        };
    }
    match raw.parse::<f64>() {
        Ok(v) if v.is_finite() && v.fract() == 0.0 && v.abs() < 9.0e18 => {
            Cow::Owned((v as i64).to_string())
        }
        _ => Cow::Borrowed(raw),
    }
}

/// A value's JSON text as written, or absent when the key is missing.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct Raw<'a>(pub(crate) Option<&'a str>);

impl<'a> Wire<'a> for Raw<'a> {
    fn read(r: &mut Reader<'a>) -> Result<Raw<'a>, SyntaxError> {
        r.raw_value().map(|text| Raw(Some(text)))
    }
}

/// A nested value: `T` when it is a JSON object, absent when it is anything else.
#[derive(Debug)]
pub(crate) struct Loose<T>(pub(crate) Option<T>);

impl<T> Default for Loose<T> {
    fn default() -> Self {
        Loose(None)
    }
}

impl<T> Loose<T> {
    pub(crate) fn as_ref(&self) -> Option<&T> {
        self.0.as_ref()
    }
}

impl<'a, T: Object<'a>> Wire<'a> for Loose<T> {
    fn read(r: &mut Reader<'a>) -> Result<Loose<T>, SyntaxError> {
        if r.peek() == Some(b'{') {
            return T::read_fields(r).map(|t| Loose(Some(t)));
        }
        r.skip()?;
        Ok(Loose(None))
    }
}

/// An object of any keys, each value read as `V`; sorted by key, a repeated key's last
/// value wins.
impl<'a, V: Wire<'a>> Object<'a> for std::collections::BTreeMap<Cow<'a, str>, V> {
    fn read_fields(r: &mut Reader<'a>) -> Result<Self, SyntaxError> {
        let mut out = std::collections::BTreeMap::new();
        let mut fields = r.enter_object()?;
        while let Some(key) = r.next_key(&mut fields)? {
            let value = V::read(r)?;
            out.insert(key, value);
        }
        Ok(out)
    }
}

/// A JSON array of objects read as `T`; other items, and a non-array, are skipped.
#[derive(Debug)]
pub(crate) struct List<T>(pub(crate) Vec<T>);

impl<T> Default for List<T> {
    fn default() -> Self {
        List(Vec::new())
    }
}

impl<T> List<T> {
    pub(crate) fn iter(&self) -> std::slice::Iter<'_, T> {
        self.0.iter()
    }
}

/// At an array: every object of it read as `T`, other items skipped.
fn objects_of<'a, T: Object<'a>>(r: &mut Reader<'a>) -> Result<Vec<T>, SyntaxError> {
    let mut items = Vec::new();
    let mut at = r.enter_array()?;
    while r.next_element(&mut at)? {
        items.extend(Loose::<T>::read(r)?.0);
    }
    Ok(items)
}

impl<'a, T: Object<'a>> Wire<'a> for List<T> {
    fn read(r: &mut Reader<'a>) -> Result<List<T>, SyntaxError> {
        if r.peek() == Some(b'[') {
            return objects_of(r).map(List);
        }
        r.skip()?;
        Ok(List::default())
    }
}

/// One object read as `T`, or an array of them; anything else is empty.
#[derive(Debug)]
pub(crate) struct OneOrMany<T>(pub(crate) Vec<T>);

impl<T> Default for OneOrMany<T> {
    fn default() -> Self {
        OneOrMany(Vec::new())
    }
}

impl<'a, T: Object<'a>> Wire<'a> for OneOrMany<T> {
    fn read(r: &mut Reader<'a>) -> Result<OneOrMany<T>, SyntaxError> {
        match r.peek() {
            Some(b'[') => objects_of(r).map(OneOrMany),
            Some(b'{') => T::read_fields(r).map(|t| OneOrMany(vec![t])),
            _ => {
                r.skip()?;
                Ok(OneOrMany::default())
            }
        }
    }
}

/// A reference to another resource: its id as a scalar, or an object with an `id`.
#[derive(Debug, Default)]
pub(crate) struct Ref<'a>(pub(crate) Text<'a>);

wire! {
    struct IdObject<'a> {
        id: Text<'a> = "id",
    }
}

impl<'a> Wire<'a> for Ref<'a> {
    fn read(r: &mut Reader<'a>) -> Result<Ref<'a>, SyntaxError> {
        if r.peek() == Some(b'{') {
            return IdObject::read_fields(r).map(|o| Ref(o.id));
        }
        Text::read(r).map(Ref)
    }
}

/// A scalar exactly as a MAC covers it: a string's decoded value, a number's JSON text as
/// written (never re-formatted); `None` for anything else. For proofs over fields of the
/// payload (SignWell `event.type@event.time`, Dropbox Sign `event_time + event_type`).
pub(crate) fn exact_scalar(raw: Raw<'_>) -> Option<String> {
    let text = raw.0?;
    match text.as_bytes().first() {
        Some(b'"') => Reader::new(text)
            .string()
            .ok()
            .flatten()
            .map(Cow::into_owned),
        Some(b'-' | b'0'..=b'9') => Some(text.to_owned()),
        _ => None,
    }
}

/// Parses `body` as a JSON object into the provider's wire struct `T`, keeping the raw
/// payload (the object's text, without surrounding whitespace). Fails only when the body
/// is not a JSON object.
///
/// One scan: the reader checks every byte of the object as it goes (the skipped values
/// included), then that nothing but whitespace follows; so a parse that succeeds has read
/// the whole text as one valid JSON object, and the text needs no second check to travel
/// as `data.raw`.
pub(crate) fn parse_object<'a, T: Object<'a>>(
    body: &'a [u8],
) -> Result<(T, &'a str), crate::Error> {
    use crate::error::{Error, ErrorKind};
    let malformed = |why: String| Error::new(ErrorKind::MalformedPayload, why);
    let text =
        std::str::from_utf8(body).map_err(|e| malformed(format!("body is not UTF-8: {e}")))?;
    let json = text.trim_matches([' ', '\t', '\n', '\r']);
    let not_json = |e: SyntaxError| malformed(format!("body is not JSON: {e}"));
    let mut r = Reader::new(text);
    if r.peek() != Some(b'{') {
        r.skip().and_then(|()| r.finish()).map_err(not_json)?;
        return Err(malformed("body is JSON but not an object".into()));
    }
    let wire = T::read_fields(&mut r).map_err(not_json)?;
    r.finish().map_err(not_json)?;
    Ok((wire, json))
}

/// The byte span, within `text` (a JSON object), of the value at `path`: the last of
/// repeated keys, as the wire structs read it. `None` when a step is missing or not an
/// object.
pub(crate) fn span_at(text: &str, path: &[&str]) -> Option<(usize, usize)> {
    let (first, rest) = path.split_first()?;
    let mut reader = Reader::new(text);
    let mut members = reader.enter_object().ok()?;
    let mut found = None;
    while let Some(key) = reader.next_key(&mut members).ok()? {
        let value = reader.raw_value().ok()?;
        if key == *first {
            found = Some(value);
        }
    }
    let value = found?;
    let start = value.as_ptr() as usize - text.as_ptr() as usize;
    if rest.is_empty() {
        return Some((start, start + value.len()));
    }
    span_at(value, rest).map(|(s, e)| (start + s, start + e))
}

#[cfg(test)]
mod tests {
    use super::*;

    wire! {
        #[derive(Debug)]
        struct Probe<'a> {
            id: Text<'a> = "id",
            inner: Loose<Inner<'a>> = "inner",
            list: List<Inner<'a>> = "list",
        }
    }

    wire! {
        #[derive(Debug)]
        struct Inner<'a> {
            name: Text<'a> = "name",
        }
    }

    fn probe(json: &str) -> Probe<'_> {
        parse_object(json.as_bytes()).unwrap().0
    }

    #[test]
    fn text_takes_any_scalar() {
        assert_eq!(probe(r#"{"id":"a"}"#).id.get(), Some("a"));
        assert!(matches!(
            probe(r#"{"id":"a"}"#).id.0,
            Some(Cow::Borrowed(_))
        ));
        assert_eq!(
            probe(r#"{"id":222008000000016075}"#).id.get(),
            Some("222008000000016075")
        );
        assert_eq!(probe(r#"{"id":1.0e3}"#).id.get(), Some("1000"));
        assert_eq!(probe(r#"{"id":null}"#).id.get(), None);
        assert_eq!(probe(r#"{"id":{"x":[1]}}"#).id.get(), None);
        assert_eq!(probe(r#"{"id":""}"#).id.get(), None);
        assert_eq!(
            probe(r#"{"id":"1670855889"}"#).id.as_i64(),
            Some(1_670_855_889)
        );
    }

    #[test]
    fn loose_and_list_absorb_wrong_shapes() {
        assert!(probe(r#"{"inner":"text"}"#).inner.as_ref().is_none());
        assert_eq!(
            probe(r#"{"inner":{"name":7}}"#)
                .inner
                .as_ref()
                .unwrap()
                .name
                .get(),
            Some("7")
        );
        let p = probe(r#"{"list":[{"name":"a"},3,{"name":"b"},null]}"#);
        let names: Vec<_> = p.list.iter().filter_map(|i| i.name.get()).collect();
        assert_eq!(names, ["a", "b"]);
        assert!(probe(r#"{"list":{"name":"a"}}"#).list.0.is_empty());
    }

    #[test]
    fn repeated_keys_last_wins_and_unknown_keys_are_skipped() {
        let p = probe(
            r#"{"id":"a","x":{"deep":[1,{"id":2}]},"id":"b","inner":{"name":1},"inner":null}"#,
        );
        assert_eq!(p.id.get(), Some("b"));
        assert!(p.inner.as_ref().is_none());
        let p = probe(r#"{"list":[{"name":"a","name":"c"}],"id":"\u0041"}"#);
        assert_eq!(p.list.iter().next().unwrap().name.get(), Some("c"));
        assert_eq!(p.id.get(), Some("A"));
    }

    #[test]
    fn numbers_beyond_f64_are_absent_not_errors() {
        // Fuzz finding F-2: `1e400` where an object, a list or one-or-many is read.
        for body in [
            r#"{"inner":-1e400,"id":"a"}"#,
            r#"{"list":[1e400,{"name":"b"}],"id":"a"}"#,
            r#"{"inner":{"name":"n","deep":1e999},"list":1e400,"id":"a"}"#,
        ] {
            let (p, raw) = parse_object::<Probe>(body.as_bytes()).unwrap();
            assert_eq!(p.id.get(), Some("a"), "{body}");
            assert_eq!(raw, body);
        }
        let (p, _) = parse_object::<Probe>(
            br#"{"inner":{"name":"n"},"list":[{"name":"b"},2e400],"x":1e400}"#,
        )
        .unwrap();
        assert_eq!(p.inner.as_ref().unwrap().name.get(), Some("n"));
        assert_eq!(
            p.list
                .iter()
                .filter_map(|i| i.name.get())
                .collect::<Vec<_>>(),
            ["b"]
        );
    }

    #[test]
    fn parse_object_refuses_non_objects() {
        for body in [&b"[]"[..], b"\"x\"", b"{", b"\xff{}", b""] {
            let err = parse_object::<Probe>(body).unwrap_err();
            assert_eq!(err.kind(), crate::ErrorKind::MalformedPayload);
        }
        let (p, raw) = parse_object::<Probe>(b" {\"id\":1} ").unwrap();
        assert_eq!(p.id.get(), Some("1"));
        assert_eq!(raw, "{\"id\":1}");
    }
}
