//! The signature-header grammar shared by the timestamped providers: `k=v` pairs split on
//! `,` (`t=<ts>,v1=<hex>`, `t=<ts>, s0=<hex>, s1=<hex>`), one parser and one set of rules
//! for `verify` and for the diagnosis alike.
//!
//! Rules, the same for every provider:
//! - parts are split on `,`; each part and each side of its `=` is trimmed of HTTP
//!   whitespace; empty parts are skipped; a part without `=` is malformed;
//! - `t` appears exactly once: a repeated `t` is malformed (which one was signed would be a
//!   guess), a missing one too;
//! - the tag keys are the provider's ([`TagKeys`]); every one is kept, in order, up to
//!   [`MAX_TAGS`] (rotation sends two); at least one is required;
//! - other keys (another scheme's `v0`, …) are not ours to judge and are ignored;
//! - `t` is 1–18 ASCII digits, read in the provider's [`Unit`].

use crate::error::{Error, ErrorKind};
use crate::headers::trim_ows;

/// At most this many tags are tried (providers send one, or two while rotating).
pub(crate) const MAX_TAGS: usize = 8;

/// Above this, a `t` read as seconds-or-milliseconds is milliseconds: as seconds it would
/// be after the year 5000.
pub(crate) const MILLIS_THRESHOLD: i64 = 100_000_000_000;

/// One provider's dialect of the grammar.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Grammar {
    /// The header's name, for messages.
    pub(crate) header: &'static str,
    /// Which keys carry tags.
    pub(crate) tags: TagKeys,
    /// How `t` is read.
    pub(crate) unit: Unit,
}

/// The keys that carry a tag.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TagKeys {
    /// One name, possibly repeated (Zigned's `v1`).
    Named(&'static str),
    /// A letter and a number (BoldSign's `s0`, `s1`, …).
    Numbered(char),
}

/// How `t` counts time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Unit {
    /// Unix seconds.
    Seconds,
    /// Unix seconds, or milliseconds when at or above [`MILLIS_THRESHOLD`] (Zigned).
    SecondsOrMillis,
}

impl Unit {
    /// `t`'s digits as Unix seconds, and whether they were read as milliseconds; `None`
    /// unless 1–18 ASCII digits.
    pub(crate) fn read(self, t: &str) -> Option<(i64, bool)> {
        let n = crate::verify::digit_seconds(t)?;
        Some(match self {
            Unit::SecondsOrMillis if n >= MILLIS_THRESHOLD => (n / 1000, true),
            _ => (n, false),
        })
    }

    /// What a person reads in messages: `seconds`, `seconds (or milliseconds)`.
    pub(crate) fn describe(self) -> &'static str {
        match self {
            Unit::Seconds => "seconds",
            Unit::SecondsOrMillis => "seconds (or milliseconds)",
        }
    }
}

impl TagKeys {
    fn matches(self, key: &str) -> bool {
        match self {
            TagKeys::Named(name) => key == name,
            TagKeys::Numbered(letter) => {
                key.len() > 1
                    && key.starts_with(letter)
                    && key.bytes().skip(1).all(|b| b.is_ascii_digit())
            }
        }
    }

    /// The first tag's key, for messages (`v1`, `s0`).
    pub(crate) fn first(self) -> String {
        match self {
            TagKeys::Named(name) => name.to_owned(),
            TagKeys::Numbered(letter) => format!("{letter}0"),
        }
    }
}

/// A parsed header: `t` as sent and the tags' texts as sent (undecoded), in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Pairs<'h> {
    pub(crate) t: &'h str,
    pub(crate) tags: Vec<(&'h str, &'h str)>,
}

/// Every `key=value` part of `value`, trimmed, empty parts skipped; `Err(part)` for a part
/// without `=`. The one tokenizer: [`Grammar::parse`] and the diagnosis both read through it.
pub(crate) fn parts(value: &str) -> impl Iterator<Item = Result<(&str, &str), &str>> {
    value.split(',').filter_map(|part| {
        let part = trim_ows(part);
        if part.is_empty() {
            return None;
        }
        Some(match part.split_once('=') {
            Some((k, v)) => Ok((trim_ows(k), trim_ows(v))),
            None => Err(part),
        })
    })
}

impl Grammar {
    /// The form a person would write: `t=<unix time>,v1=<hex>`.
    pub(crate) fn form(&self) -> String {
        match self.tags {
            TagKeys::Named(name) => format!("t=<unix time>,{name}=<hex>"),
            TagKeys::Numbered(l) => format!("t=<unix time>, {l}0=<hex>[, {l}1=<hex>]"),
        }
    }

    /// Parses `value` by the rules above; `malformed_signature` otherwise.
    pub(crate) fn parse<'h>(&self, value: &'h str) -> Result<Pairs<'h>, Error> {
        let header = self.header;
        let malformed = |why: String| Error::new(ErrorKind::MalformedSignature, why);
        let mut t = None;
        let mut tags = Vec::new();
        for part in parts(value) {
            let (key, val) = part
                .map_err(|part| malformed(format!("{header} has a part without '=': {part:?}")))?;
            if key == "t" {
                if t.replace(val).is_some() {
                    return Err(malformed(format!("{header} has more than one t=")));
                }
            } else if self.tags.matches(key) {
                if tags.len() == MAX_TAGS {
                    return Err(malformed(format!(
                        "{header} has more than {MAX_TAGS} signatures"
                    )));
                }
                tags.push((key, val));
            }
        }
        let t = t.ok_or_else(|| malformed(format!("{header} has no t= timestamp")))?;
        if tags.is_empty() {
            return Err(malformed(format!(
                "{header} has no {}= signature",
                self.tags.first()
            )));
        }
        Ok(Pairs { t, tags })
    }

    /// `t` as Unix seconds, by the provider's unit; `malformed_signature` otherwise.
    pub(crate) fn seconds(&self, t: &str) -> Result<i64, Error> {
        self.unit.read(t).map(|(s, _)| s).ok_or_else(|| {
            Error::new(
                ErrorKind::MalformedSignature,
                format!(
                    "{} timestamp t={t:?} is not Unix {}",
                    self.header,
                    self.unit.describe()
                ),
            )
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const V1: Grammar = Grammar {
        header: "h",
        tags: TagKeys::Named("v1"),
        unit: Unit::SecondsOrMillis,
    };
    const S: Grammar = Grammar {
        header: "h",
        tags: TagKeys::Numbered('s'),
        unit: Unit::Seconds,
    };

    #[test]
    fn the_rules() {
        let p = V1.parse(" t=5 ,, v1=a, v0=zz ,v1=b").unwrap();
        assert_eq!(p.t, "5");
        assert_eq!(p.tags, [("v1", "a"), ("v1", "b")]);
        let p = S.parse("t=5, s0=a, s1=b, s=c, s0x=d").unwrap();
        assert_eq!(p.tags, [("s0", "a"), ("s1", "b")]);
        for bad in ["t=5", "v1=a", "t=5,t=5,v1=a", "t=5,v1=a,x", "", " , "] {
            let e = V1.parse(bad).unwrap_err();
            assert_eq!(e.kind(), ErrorKind::MalformedSignature, "{bad:?}");
        }
        let nine = format!("t=1{}", ",v1=a".repeat(MAX_TAGS + 1));
        assert!(V1.parse(&nine).is_err());
        assert!(V1
            .parse(&format!("t=1{}", ",v1=a".repeat(MAX_TAGS)))
            .is_ok());
    }

    #[test]
    fn units() {
        assert_eq!(V1.seconds("1700000000").unwrap(), 1_700_000_000);
        assert_eq!(V1.seconds("1700000000123").unwrap(), 1_700_000_000);
        assert_eq!(S.seconds("1700000000123").unwrap(), 1_700_000_000_123);
        for bad in ["", "-5", "+5", "1e9", " 5", "1234567890123456789"] {
            assert!(
                S.seconds(bad).is_err() && V1.seconds(bad).is_err(),
                "{bad:?}"
            );
        }
    }

    proptest! {
        /// Any order of the pairs, any whitespace, any number of unknown keys: the same
        /// `t` and the same tags in the same order; a second `t` anywhere is refused.
        #[test]
        fn order_and_repeats(
            t in "[0-9]{1,18}",
            tags in proptest::collection::vec("[0-9a-f]{1,8}", 1..=MAX_TAGS),
            noise in proptest::collection::vec("[a-z]{1,3}=[a-z0-9]{0,4}", 0..4),
            t_at in any::<prop::sample::Index>(),
            ws in "[ \t]{0,2}",
            second_t in any::<Option<prop::sample::Index>>(),
        ) {
            for grammar in [V1, S] {
                let mut parts: Vec<String> = tags
                    .iter()
                    .enumerate()
                    .map(|(i, v)| match grammar.tags {
                        TagKeys::Named(n) => format!("{n}={v}"),
                        TagKeys::Numbered(l) => format!("{l}{i}={v}"),
                    })
                    .collect();
                parts.extend(noise.iter().filter(|n| !n.starts_with("t=")).cloned());
                let at = t_at.index(parts.len() + 1);
                parts.insert(at, format!("t={t}"));
                let value = parts.join(&format!("{ws},{ws}"));
                let parsed = grammar.parse(&value).unwrap();
                prop_assert_eq!(parsed.t, t.as_str());
                let values: Vec<&str> = parsed.tags.iter().map(|(_, v)| *v).collect();
                let expected: Vec<&str> = tags.iter().map(String::as_str).collect();
                prop_assert_eq!(values, expected);
                if let Some(i) = second_t {
                    parts.insert(i.index(parts.len() + 1), format!("t={t}"));
                    prop_assert!(grammar.parse(&parts.join(",")).is_err());
                }
            }
        }
    }
}
