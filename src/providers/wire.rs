//! Lenient building blocks for the providers' private wire structs.
//!
//! Providers send ids as strings or numbers, omit fields, send `null`, and change shapes
//! without notice. None of that may fail normalization (invariant 6), and the hot path
//! builds no `serde_json::Value` tree (invariant 8), so:
//! - [`Text`] takes any JSON value: strings borrow from the body, numbers and booleans
//!   become text, `null`, objects and arrays become "absent";
//! - [`Loose`], [`List`], [`OneOrMany`] and [`Ref`] read nested objects in the same single
//!   pass and skip whatever has another shape;
//! - [`wire!`] declares a struct whose fields are all such types, with a map visitor that
//!   ignores unknown keys and lets a repeated key win last (as `JSON.parse` does), so a
//!   wire struct never fails on well-formed JSON.

use std::borrow::Cow;
use std::fmt;
use std::marker::PhantomData;

use serde::de::{self, Deserialize, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::value::RawValue;

/// Declares a private wire struct and its single-pass, never-failing `Deserialize`.
/// Each field names the JSON key(s) it reads: `field: Type = "key" | "alias"`.
macro_rules! wire {
    ($(#[$meta:meta])* struct $name:ident<'a> { $($field:ident : $ty:ty = $($key:literal)|+,)* }) => {
        $(#[$meta])*
        #[derive(Default)]
        struct $name<'a> {
            $($field: $ty,)*
            _body: ::std::marker::PhantomData<&'a str>,
        }

        impl<'de: 'a, 'a> ::serde::Deserialize<'de> for $name<'a> {
            fn deserialize<D: ::serde::Deserializer<'de>>(d: D) -> Result<$name<'a>, D::Error> {
                struct WireVisitor<'a>(::std::marker::PhantomData<$name<'a>>);
                impl<'de: 'a, 'a> ::serde::de::Visitor<'de> for WireVisitor<'a> {
                    type Value = $name<'a>;
                    fn expecting(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                        f.write_str(concat!("a ", stringify!($name), " object"))
                    }
                    fn visit_map<A: ::serde::de::MapAccess<'de>>(self, mut map: A) -> Result<$name<'a>, A::Error> {
                        let mut out = $name::default();
                        while let Some(key) = map.next_key::<$crate::providers::wire::Key<'de>>()? {
                            match key.0.as_ref() {
                                $($($key)|+ => out.$field = map.next_value()?,)*
                                _ => {
                                    map.next_value::<::serde::de::IgnoredAny>()?;
                                }
                            }
                        }
                        Ok(out)
                    }
                }
                d.deserialize_map(WireVisitor(::std::marker::PhantomData))
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

impl<'a> Text<'a> {
    /// A scalar from its raw JSON text: strings decoded (borrowed when they hold no
    /// escape), numbers kept as written (whole numbers written as floats, like `1.6e12`,
    /// as integers), `true`/`false` as text; `null`, arrays, objects, and any value that does
    /// not decode (a lone surrogate escape `"\ud800"`) are absent. Never an error: a field
    /// we read must not fail a verified body (SECURITY-REVIEW L-3).
    fn from_raw(raw: &'a str) -> Text<'a> {
        let raw = raw.trim_matches([' ', '\t', '\n', '\r']);
        Text(match raw.as_bytes().first() {
            Some(b'"') => serde_json::from_str::<&'a str>(raw)
                .map(Cow::Borrowed)
                .or_else(|_| serde_json::from_str::<String>(raw).map(Cow::Owned))
                .ok(),
            Some(b't') => Some(Cow::Borrowed("true")),
            Some(b'f') => Some(Cow::Borrowed("false")),
            Some(b'-' | b'0'..=b'9') => Some(number_text(raw)),
            _ => None,
        })
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

impl<'de: 'a, 'a> Deserialize<'de> for Text<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Text<'a>, D::Error> {
        // Captured raw (serde_json only skips over it: no number range check, no escape
        // decoding that could fail), then decoded leniently.
        let raw = <&'de RawValue>::deserialize(d)?;
        Ok(Text::from_raw(raw.get()))
    }
}

/// A nested value: `T` when it is a JSON object, absent when it is anything else.
///
/// Single pass: an object is handed straight to `T` (a [`wire!`] struct, whose fields
/// accept any value, so it cannot fail on well-formed JSON); anything else is skipped.
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

/// Skips every non-object value, so the three wrappers below share it.
macro_rules! skip_non_objects {
    ($value:ty, $absent:expr) => {
        fn visit_bool<E: de::Error>(self, _: bool) -> Result<$value, E> {
            Ok($absent)
        }
        fn visit_i64<E: de::Error>(self, _: i64) -> Result<$value, E> {
            Ok($absent)
        }
        fn visit_u64<E: de::Error>(self, _: u64) -> Result<$value, E> {
            Ok($absent)
        }
        fn visit_f64<E: de::Error>(self, _: f64) -> Result<$value, E> {
            Ok($absent)
        }
        fn visit_str<E: de::Error>(self, _: &str) -> Result<$value, E> {
            Ok($absent)
        }
        fn visit_unit<E: de::Error>(self) -> Result<$value, E> {
            Ok($absent)
        }
        fn visit_none<E: de::Error>(self) -> Result<$value, E> {
            Ok($absent)
        }
    };
}

struct LooseVisitor<T>(PhantomData<T>);

impl<'de, T: Deserialize<'de>> Visitor<'de> for LooseVisitor<T> {
    type Value = Loose<T>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    skip_non_objects!(Loose<T>, Loose(None));

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Loose<T>, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(Loose(None))
    }
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Loose<T>, A::Error> {
        T::deserialize(de::value::MapAccessDeserializer::new(map)).map(|t| Loose(Some(t)))
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Loose<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Loose<T>, D::Error> {
        any_value(d, LooseVisitor(PhantomData))
    }
}

thread_local! {
    /// Set during [`parse_object`]'s second, lenient pass (see [`any_value`]).
    static LENIENT: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// `deserialize_any` for the shape-tolerant wrappers ([`Loose`], [`List`], [`OneOrMany`]).
///
/// serde_json checks a number's range when it hands the number to a visitor, so a value
/// like `1e400` (valid JSON, beyond f64) in a field read this way would fail the whole
/// body. The first pass accepts that risk (it costs nothing for the bodies providers
/// send); when it fails, [`parse_object`] runs a second pass in which these fields are
/// captured raw first (a number is only scanned, like an unread field) and then read from
/// that text: objects and arrays as such, any scalar as absent.
fn any_value<'de, D: Deserializer<'de>, V: Visitor<'de>>(
    d: D,
    visitor: V,
) -> Result<V::Value, D::Error> {
    if !LENIENT.with(std::cell::Cell::get) {
        return d.deserialize_any(visitor);
    }
    let raw = <&'de RawValue>::deserialize(d)?.get();
    match raw.trim_start().as_bytes().first() {
        Some(b'{' | b'[') => serde_json::Deserializer::from_str(raw)
            .deserialize_any(visitor)
            .map_err(de::Error::custom),
        _ => visitor.visit_unit(),
    }
}

/// Runs `parse` with the wrappers in their lenient mode ([`any_value`]).
fn leniently<T>(parse: impl FnOnce() -> T) -> T {
    struct Reset;
    impl Drop for Reset {
        fn drop(&mut self) {
            LENIENT.with(|flag| flag.set(false));
        }
    }
    LENIENT.with(|flag| flag.set(true));
    let _reset = Reset;
    parse()
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

/// Reads every object of an array as `T`.
fn objects_of<'de, T: Deserialize<'de>, A: SeqAccess<'de>>(mut seq: A) -> Result<Vec<T>, A::Error> {
    let mut items = Vec::new();
    while let Some(Loose(item)) = seq.next_element::<Loose<T>>()? {
        items.extend(item);
    }
    Ok(items)
}

struct ListVisitor<T>(PhantomData<T>);

impl<'de, T: Deserialize<'de>> Visitor<'de> for ListVisitor<T> {
    type Value = List<T>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    skip_non_objects!(List<T>, List::default());

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<List<T>, A::Error> {
        objects_of(seq).map(List)
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<List<T>, A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(List::default())
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for List<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<List<T>, D::Error> {
        any_value(d, ListVisitor(PhantomData))
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

struct OneOrManyVisitor<T>(PhantomData<T>);

impl<'de, T: Deserialize<'de>> Visitor<'de> for OneOrManyVisitor<T> {
    type Value = OneOrMany<T>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    skip_non_objects!(OneOrMany<T>, OneOrMany::default());

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<OneOrMany<T>, A::Error> {
        objects_of(seq).map(OneOrMany)
    }
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<OneOrMany<T>, A::Error> {
        T::deserialize(de::value::MapAccessDeserializer::new(map)).map(|t| OneOrMany(vec![t]))
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for OneOrMany<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<OneOrMany<T>, D::Error> {
        any_value(d, OneOrManyVisitor(PhantomData))
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

impl<'de: 'a, 'a> Deserialize<'de> for Ref<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Ref<'a>, D::Error> {
        // Captured raw, like `Text`: an object is read for its `id` (leniently: an object
        // that does not read is absent), anything else is a scalar.
        let raw = <&'de RawValue>::deserialize(d)?.get();
        if raw.trim_start().starts_with('{') {
            return Ok(Ref(serde_json::from_str::<IdObject<'de>>(raw)
                .map(|o| o.id)
                .unwrap_or_default()));
        }
        Ok(Ref(Text::from_raw(raw)))
    }
}

/// A map key, borrowed from the body when it has no escapes.
pub(crate) struct Key<'de>(pub(crate) Cow<'de, str>);

impl<'de> Deserialize<'de> for Key<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Key<'de>, D::Error> {
        struct KeyVisitor;
        impl<'de> Visitor<'de> for KeyVisitor {
            type Value = Key<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string key")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Borrowed(v)))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Owned(v.to_owned())))
            }
        }
        d.deserialize_str(KeyVisitor)
    }
}

/// A scalar exactly as a MAC covers it: a string's decoded value, a number's JSON text as
/// written (never re-formatted); `None` for anything else. For proofs over fields of the
/// payload (SignWell `event.type@event.time`, Dropbox Sign `event_time + event_type`).
pub(crate) fn exact_scalar(raw: &RawValue) -> Option<String> {
    let text = raw.get().trim_matches([' ', '\t', '\n', '\r']);
    match text.as_bytes().first() {
        Some(b'"') => serde_json::from_str::<String>(text).ok(),
        Some(b'-' | b'0'..=b'9') => Some(text.to_owned()),
        _ => None,
    }
}

/// Parses `body` as a JSON object into the provider's wire struct `T`, keeping the raw
/// payload (the object's text, without surrounding whitespace). Fails only when the body
/// is not a JSON object.
///
/// One scan: the wire types consume every value of the object through serde_json, which
/// checks each byte as it goes (`IgnoredAny` and the raw captures included), and
/// `from_str` then checks nothing but whitespace follows; so a parse that succeeds has read
/// the whole text as one valid JSON object, and the text needs no second check to travel
/// as `data.raw`.
pub(crate) fn parse_object<'a, T: Deserialize<'a>>(
    body: &'a [u8],
) -> Result<(T, &'a str), crate::Error> {
    use crate::error::{Error, ErrorKind};
    let malformed = |why: String| Error::new(ErrorKind::MalformedPayload, why);
    let text =
        std::str::from_utf8(body).map_err(|e| malformed(format!("body is not UTF-8: {e}")))?;
    let json = text.trim_matches([' ', '\t', '\n', '\r']);
    let not_json = |e: serde_json::Error| malformed(format!("body is not JSON: {e}"));
    if !json.starts_with('{') {
        serde_json::from_str::<IgnoredAny>(json).map_err(not_json)?;
        return Err(malformed("body is JSON but not an object".into()));
    }
    let wire = match serde_json::from_str(json) {
        Ok(wire) => wire,
        Err(_) => {
            // Not JSON at all, or a value the fast pass refuses: a number beyond f64 in a
            // field read as an object or array, a lone surrogate escape in a string read
            // as text (see `any_value`), which the lenient pass takes.
            serde_json::from_str::<IgnoredAny>(json).map_err(not_json)?;
            leniently(|| serde_json::from_str(json))
                .map_err(|e| malformed(format!("body does not fit the payload shape: {e}")))?
        }
    };
    Ok((wire, json))
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
        serde_json::from_str(json).unwrap()
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
        // The flag does not outlive the pass.
        assert!(!LENIENT.with(std::cell::Cell::get));
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
