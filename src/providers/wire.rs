//! Lenient building blocks for the providers' private wire structs.
//!
//! Providers send ids as strings or numbers, omit fields, send `null`, and change shapes
//! without notice. None of that may fail normalization (invariant 6), and the hot path
//! builds no `serde_json::Value` tree (invariant 8), so:
//! - [`Text`] takes any JSON value: strings borrow from the body, numbers and booleans
//!   become text, `null`, objects and arrays become "absent";
//! - [`Loose`] parses a nested value as `T` when it fits, and as "absent" when it does not,
//!   by capturing it as a borrowed `RawValue` first.

use std::borrow::Cow;
use std::fmt;
use std::marker::PhantomData;

use serde::de::{self, Deserialize, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::Deserialize as DeriveDeserialize;
use serde_json::value::RawValue;

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

struct TextVisitor<'a>(PhantomData<Text<'a>>);

impl<'de: 'a, 'a> Visitor<'de> for TextVisitor<'a> {
    type Value = Text<'a>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Text<'a>, E> {
        Ok(Text(Some(Cow::Borrowed(v))))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Text<'a>, E> {
        Ok(Text(Some(Cow::Owned(v.to_owned()))))
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<Text<'a>, E> {
        Ok(Text(Some(Cow::Owned(v))))
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Text<'a>, E> {
        Ok(Text(Some(Cow::Borrowed(if v { "true" } else { "false" }))))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Text<'a>, E> {
        Ok(Text(Some(Cow::Owned(v.to_string()))))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Text<'a>, E> {
        Ok(Text(Some(Cow::Owned(v.to_string()))))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Text<'a>, E> {
        // Ids beyond 2^53 arrive as floats in some JSON producers; print whole ones
        // without an exponent or ".0".
        let text = if v.is_finite() && v.fract() == 0.0 && v.abs() < 9.0e18 {
            (v as i64).to_string()
        } else {
            v.to_string()
        };
        Ok(Text(Some(Cow::Owned(text))))
    }
    fn visit_unit<E: de::Error>(self) -> Result<Text<'a>, E> {
        Ok(Text(None))
    }
    fn visit_none<E: de::Error>(self) -> Result<Text<'a>, E> {
        Ok(Text(None))
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Text<'a>, D::Error> {
        d.deserialize_any(TextVisitor(PhantomData))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Text<'a>, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(Text(None))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Text<'a>, A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(Text(None))
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for Text<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Text<'a>, D::Error> {
        d.deserialize_any(TextVisitor(PhantomData))
    }
}

/// A nested value parsed as `T` when it fits, otherwise absent. Never fails.
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

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Loose<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Loose<T>, D::Error> {
        let raw = <&'de RawValue>::deserialize(d)?;
        Ok(Loose(serde_json::from_str(raw.get()).ok()))
    }
}

/// A JSON array whose items are each [`Loose`]: one odd item does not hide the others.
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

impl<'de, T: Deserialize<'de>> Deserialize<'de> for List<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<List<T>, D::Error> {
        struct ListVisitor<T>(PhantomData<T>);
        impl<'de, T: Deserialize<'de>> Visitor<'de> for ListVisitor<T> {
            type Value = List<T>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("any JSON value")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<List<T>, A::Error> {
                let mut items = Vec::new();
                while let Some(Loose(item)) = seq.next_element::<Loose<T>>()? {
                    items.extend(item);
                }
                Ok(List(items))
            }
        }
        let raw = <&'de RawValue>::deserialize(d)?;
        let mut de = serde_json::Deserializer::from_str(raw.get());
        Ok(de
            .deserialize_any(ListVisitor(PhantomData))
            .unwrap_or_default())
    }
}

/// A reference to another resource: its id as a scalar, or an object with an `id`.
#[derive(Debug, Default)]
pub(crate) struct Ref<'a>(pub(crate) Text<'a>);

#[derive(DeriveDeserialize, Default)]
#[serde(default)]
struct IdObject<'a> {
    #[serde(borrow)]
    id: Text<'a>,
}

impl<'de: 'a, 'a> Deserialize<'de> for Ref<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Ref<'a>, D::Error> {
        let raw = <&'de RawValue>::deserialize(d)?;
        let text = if raw.get().starts_with('{') {
            serde_json::from_str::<IdObject<'a>>(raw.get()).map(|o| o.id)
        } else {
            serde_json::from_str::<Text<'a>>(raw.get())
        };
        Ok(Ref(text.unwrap_or_default()))
    }
}

/// One `T` or an array of them; anything else is empty.
#[derive(Debug)]
pub(crate) struct OneOrMany<T>(pub(crate) Vec<T>);

impl<T> Default for OneOrMany<T> {
    fn default() -> Self {
        OneOrMany(Vec::new())
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for OneOrMany<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<OneOrMany<T>, D::Error> {
        let raw = <&'de RawValue>::deserialize(d)?;
        let items = if raw.get().starts_with('[') {
            serde_json::from_str::<List<T>>(raw.get())
                .map(|l| l.0)
                .unwrap_or_default()
        } else {
            serde_json::from_str::<T>(raw.get())
                .ok()
                .into_iter()
                .collect()
        };
        Ok(OneOrMany(items))
    }
}

/// Parses `body` as a JSON object into the provider's wire struct `T`, keeping the raw
/// payload. Fails only when the body is not a JSON object.
pub(crate) fn parse_object<'a, T: Deserialize<'a>>(
    body: &'a [u8],
) -> Result<(T, &'a RawValue), crate::Error> {
    use crate::error::{Error, ErrorKind};
    let malformed = |why: String| Error::new(ErrorKind::MalformedPayload, why);
    let text =
        std::str::from_utf8(body).map_err(|e| malformed(format!("body is not UTF-8: {e}")))?;
    let raw: &RawValue =
        serde_json::from_str(text).map_err(|e| malformed(format!("body is not JSON: {e}")))?;
    if !raw.get().starts_with('{') {
        return Err(malformed("body is JSON but not an object".into()));
    }
    // The body is a JSON object, so this only fails on a shape the lenient types cannot
    // take, which they are built to take; report it rather than panic if it ever happens.
    let wire = serde_json::from_str(raw.get())
        .map_err(|e| malformed(format!("body does not fit the payload shape: {e}")))?;
    Ok((wire, raw))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Deserialize, Default, Debug)]
    #[serde(default)]
    struct Probe<'a> {
        #[serde(borrow)]
        id: Text<'a>,
        #[serde(borrow)]
        inner: Loose<Inner<'a>>,
        #[serde(borrow)]
        list: List<Inner<'a>>,
    }

    #[derive(Deserialize, Default, Debug)]
    #[serde(default)]
    struct Inner<'a> {
        #[serde(borrow)]
        name: Text<'a>,
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
    fn parse_object_refuses_non_objects() {
        for body in [&b"[]"[..], b"\"x\"", b"{", b"\xff{}", b""] {
            let err = parse_object::<Probe>(body).unwrap_err();
            assert_eq!(err.kind(), crate::ErrorKind::MalformedPayload);
        }
        let (p, raw) = parse_object::<Probe>(b" {\"id\":1} ").unwrap();
        assert_eq!(p.id.get(), Some("1"));
        assert_eq!(raw.get(), "{\"id\":1}");
    }
}
