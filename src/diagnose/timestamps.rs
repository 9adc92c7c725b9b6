//! A signed time outside the tolerance window: how far, read in which unit, and which
//! other reading (milliseconds, microseconds, a `now` in milliseconds) would fit.

use super::{title, Finding};
use crate::providers::grammar::{Unit, MILLIS_THRESHOLD};
use crate::providers::Provider;
use crate::time::format_unix_millis;

/// A signed `t` outside the window: by how much, and in which unit it was read (the
/// provider's [`Unit`]); readings in other units that would fit.
pub(super) fn timestamp_findings(
    provider: Provider,
    t: &str,
    unit: Unit,
    now: i64,
    tolerance: u64,
) -> Vec<Finding> {
    let who = title(provider);
    let Some((signed_at, millis)) = unit.read(t) else {
        return vec![Finding::new(
            "timestamp_unparseable",
            format!(
                "t={t:?} is not a whole number of {}: {who} writes Unix {} as digits",
                unit.describe(),
                unit.describe()
            ),
        )];
    };
    let skew = now.abs_diff(signed_at);
    if skew <= tolerance {
        return Vec::new();
    }
    let read_as = if millis { "milliseconds" } else { "seconds" };
    let when = signed_at
        .checked_mul(1000)
        .and_then(format_unix_millis)
        .map(|s| format!(" ({s})"))
        .unwrap_or_default();
    let mut out = Vec::new();
    if signed_at < now {
        out.push(Finding::new(
            "timestamp_too_old",
            format!(
                "t={t} (read as {read_as}){when} is {} old, beyond the {tolerance} s tolerance. A captured delivery replayed later fails by design: send a fresh one, or raise the tolerance only for testing.",
                duration(skew)
            ),
        ));
    } else {
        out.push(Finding::new(
            "timestamp_in_future",
            format!(
                "t={t} (read as {read_as}){when} is {} in the future, beyond the {tolerance} s tolerance: a clock is wrong, or t is in another unit.",
                duration(skew)
            ),
        ));
    }
    // Tested readings of t in other units, and of `now` in milliseconds.
    let fits = |seconds: i64| now.abs_diff(seconds) <= tolerance;
    let n = signed_at.saturating_mul(if millis { 1000 } else { 1 });
    let other_unit = match unit {
        Unit::Seconds if n >= MILLIS_THRESHOLD && fits(n / 1000) => Some("milliseconds"),
        Unit::SecondsOrMillis if n >= MILLIS_THRESHOLD * 1000 && fits(n / 1_000_000) => {
            Some("microseconds")
        }
        _ => None,
    };
    if let Some(other) = other_unit {
        out.push(Finding::new(
            "timestamp_unit",
            format!(
                "t={t} fits the window as {other}; {who}'s t is Unix {}.",
                unit.describe()
            ),
        ));
    }
    if now.unsigned_abs() >= MILLIS_THRESHOLD.unsigned_abs()
        && (now / 1000).abs_diff(signed_at) <= tolerance
    {
        out.push(Finding::new(
            "now_in_milliseconds",
            format!(
                "the current time given ({now}) is in milliseconds; as seconds, t fits the window."
            ),
        ));
    }
    out
}

/// `3 d 4 h`, `2 h 13 min`, `5 min 3 s`, `42 s`.
fn duration(secs: u64) -> String {
    let (d, h, m, s) = (
        secs / 86_400,
        secs % 86_400 / 3600,
        secs % 3600 / 60,
        secs % 60,
    );
    if d > 0 {
        format!("{d} d {h} h")
    } else if h > 0 {
        format!("{h} h {m} min")
    } else if m > 0 {
        format!("{m} min {s} s")
    } else {
        format!("{s} s")
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]
mod tests {
    use super::*;
    use crate::diagnose::fixtures::*;
    use crate::diagnose::{diagnose, Verdict};
    use crate::error::ErrorKind;
    use crate::providers::sign;
    use crate::verify::hex_encode;

    #[test]
    fn zigned_timestamp_too_old_and_by_how_much() {
        let value = sign(Provider::Zigned, "k", ZIGNED_BODY, NOW).unwrap()[1]
            .1
            .clone();
        let h = headers(&[("x-zigned-request-signature", &value)]);
        let d = diagnose(
            None,
            &h,
            ZIGNED_BODY,
            &secrets(&["k"]),
            NOW + 2 * 3600 + 13 * 60,
        );
        assert_eq!(d.code, Some("timestamp_out_of_tolerance"));
        assert_eq!(codes(&d), ["timestamp_too_old"]);
        assert!(
            d.findings[0].message.contains("2 h 13 min old"),
            "{}",
            d.findings[0].message
        );
        assert!(d.findings[0].message.contains("seconds"));
        let d = diagnose(None, &h, ZIGNED_BODY, &secrets(&["k"]), NOW - 400);
        assert_eq!(codes(&d), ["timestamp_in_future"]);
        assert!(d.findings[0].message.contains("6 min 40 s"));
    }

    #[test]
    fn zigned_milliseconds_and_now_in_milliseconds() {
        let t = (NOW * 1000 + 123).to_string();
        let v1 = hex_encode(&mac("k", &[t.as_bytes(), b".", ZIGNED_BODY]));
        let h = headers(&[("x-zigned-request-signature", &format!("t={t},v1={v1}"))]);
        // Milliseconds within the window verify.
        assert_eq!(
            diagnose(None, &h, ZIGNED_BODY, &secrets(&["k"]), NOW).verdict,
            Verdict::Verified
        );
        let d = diagnose(
            None,
            &h,
            ZIGNED_BODY,
            &secrets(&["k"]),
            NOW + 86_400 * 3 + 3600,
        );
        assert_eq!(codes(&d), ["timestamp_too_old"]);
        assert!(d.findings[0].message.contains("milliseconds"));
        assert!(d.findings[0].message.contains("3 d 1 h"));
        // A caller passing now in milliseconds.
        let d = diagnose(None, &h, ZIGNED_BODY, &secrets(&["k"]), NOW * 1000);
        assert_eq!(codes(&d), ["timestamp_too_old", "now_in_milliseconds"]);
        // Microseconds.
        let t = (NOW * 1_000_000).to_string();
        let v1 = hex_encode(&mac("k", &[t.as_bytes(), b".", ZIGNED_BODY]));
        let h = headers(&[("x-zigned-request-signature", &format!("t={t},v1={v1}"))]);
        let d = diagnose(None, &h, ZIGNED_BODY, &secrets(&["k"]), NOW);
        assert_eq!(codes(&d), ["timestamp_in_future", "timestamp_unit"]);
    }

    /// BoldSign's `t` is Unix seconds only: a `t` in milliseconds is refused by `verify`
    /// and explained as such (the diagnosis once read it with Zigned's rule and found
    /// nothing wrong); an old `t` is read as seconds.
    #[test]
    fn boldsign_timestamp_outside_its_window() {
        let body = br#"{"event":{"id":"e1","eventType":"Completed"},"data":{"documentId":"d1"}}"#;
        let sign = |t: &str| {
            let s0 = hex_encode(&mac("k", &[t.as_bytes(), b".", body]));
            headers(&[("X-BoldSign-Signature", &format!("t={t}, s0={s0}"))])
        };
        let h = sign(&(NOW * 1000).to_string());
        let refused = crate::providers::verify(Provider::BoldSign, &h, body, &secrets(&["k"]), NOW);
        assert_eq!(
            refused.err().map(|e| e.kind()),
            Some(ErrorKind::TimestampOutOfTolerance)
        );
        let d = diagnose(Some(Provider::BoldSign), &h, body, &secrets(&["k"]), NOW);
        assert_ne!(d.verdict, Verdict::Verified);
        assert_eq!(codes(&d), ["timestamp_in_future", "timestamp_unit"]);
        assert!(d.findings[0].message.contains("read as seconds"));
        assert!(d.findings[1]
            .message
            .contains("as milliseconds; BoldSign's t is Unix seconds"));
        let h = sign(&(NOW - 600).to_string());
        let d = diagnose(Some(Provider::BoldSign), &h, body, &secrets(&["k"]), NOW);
        assert_eq!(codes(&d)[0], "timestamp_too_old");
        assert!(d.findings[0].message.contains("(read as seconds)"));
        assert!(d.findings[0].message.contains("10 min"));
    }

    // security review L-1: `i64::MIN` as t or as now overflowed `abs()` (a panic in debug
    // builds, where these tests run).
    #[test]
    fn extreme_timestamps_do_not_overflow() {
        let tag = "ab".repeat(32);
        for t in ["-9223372036854775808", "9223372036854775807", "0"] {
            for now in [i64::MIN, i64::MAX, 0, NOW] {
                let h = headers(&[("x-zigned-request-signature", &format!("t={t},v1={tag}"))]);
                let d = diagnose(
                    Some(Provider::Zigned),
                    &h,
                    ZIGNED_BODY,
                    &secrets(&["zsec"]),
                    now,
                );
                assert_eq!(d.verdict, Verdict::NotVerified);
            }
        }
    }

    #[test]
    fn duration_forms() {
        assert_eq!(duration(42), "42 s");
        assert_eq!(duration(303), "5 min 3 s");
        assert_eq!(duration(7980), "2 h 13 min");
        assert_eq!(duration(273_600), "3 d 4 h");
    }
}
