//! RFC 3339 in and out, in UTC, without a clock: the core never reads the time, it is
//! handed `now` and providers' timestamps and formats them.

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(month);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The date of a day count since 1970-01-01.
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    // day is in 1..=31 and month in 1..=12 by construction.
    (year, month as u32, day as u32)
}

/// Seconds of the years 0000 and 9999 bounds: RFC 3339 has four-digit years.
const MIN_UNIX: i64 = -62_167_219_200;
const MAX_UNIX: i64 = 253_402_300_799;

/// Formats Unix milliseconds as RFC 3339 UTC: `2024-05-30T22:57:28Z`, with `.sss` only
/// when the milliseconds are not zero. `None` outside years 0000–9999.
pub(crate) fn format_unix_millis(millis: i64) -> Option<String> {
    let secs = millis.div_euclid(1000);
    let frac = millis.rem_euclid(1000);
    if !(MIN_UNIX..=MAX_UNIX).contains(&secs) {
        return None;
    }
    let days = secs.div_euclid(86_400);
    let sod = secs.rem_euclid(86_400);
    let (year, month, day) = civil_from_days(days);
    let (h, m, s) = (sod / 3600, sod % 3600 / 60, sod % 60);
    Some(if frac == 0 {
        format!("{year:04}-{month:02}-{day:02}T{h:02}:{m:02}:{s:02}Z")
    } else {
        format!("{year:04}-{month:02}-{day:02}T{h:02}:{m:02}:{s:02}.{frac:03}Z")
    })
}

/// Parses an RFC 3339 date-time (`T` or space, fraction optional, `Z` or `±hh:mm` or
/// `±hhmm`) into Unix milliseconds. Fractions beyond milliseconds are truncated.
pub(crate) fn parse_rfc3339_millis(text: &str) -> Option<i64> {
    let b = text.trim().as_bytes();
    let num = |range: std::ops::Range<usize>| -> Option<i64> {
        let digits = b.get(range)?;
        if digits.is_empty() || !digits.iter().all(u8::is_ascii_digit) {
            return None;
        }
        digits
            .iter()
            .try_fold(0i64, |acc, d| Some(acc * 10 + i64::from(d - b'0')))
    };
    if b.get(4) != Some(&b'-') || b.get(7) != Some(&b'-') || b.get(13) != Some(&b':') {
        return None;
    }
    if !matches!(b.get(10), Some(b'T' | b't' | b' ')) || b.get(16) != Some(&b':') {
        return None;
    }
    let (year, month, day) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let (hour, minute, second) = (num(11..13)?, num(14..16)?, num(17..19)?);
    let month = u32::try_from(month).ok().filter(|m| (1..=12).contains(m))?;
    let day = u32::try_from(day).ok().filter(|d| (1..=31).contains(d))?;
    if hour > 23 || minute > 59 || second > 60 {
        return None;
    }
    let mut i = 19;
    let mut millis = 0i64;
    if b.get(i) == Some(&b'.') {
        i += 1;
        let start = i;
        while b.get(i).is_some_and(u8::is_ascii_digit) {
            if i - start < 3 {
                millis = millis * 10 + i64::from(b.get(i).copied().unwrap_or(b'0') - b'0');
            }
            i += 1;
        }
        if i == start {
            return None;
        }
        for _ in (i - start)..3 {
            millis *= 10;
        }
    }
    let offset_minutes = match b.get(i) {
        Some(b'Z' | b'z') if i + 1 == b.len() => 0,
        Some(sign @ (b'+' | b'-')) => {
            let (hh, mm) = match b.len() - i {
                6 if b.get(i + 3) == Some(&b':') => (num(i + 1..i + 3)?, num(i + 4..i + 6)?),
                5 => (num(i + 1..i + 3)?, num(i + 3..i + 5)?),
                _ => return None,
            };
            if hh > 23 || mm > 59 {
                return None;
            }
            let total = hh * 60 + mm;
            if *sign == b'+' {
                total
            } else {
                -total
            }
        }
        _ => return None,
    };
    let days = days_from_civil(year, month, day);
    // A day beyond the month's end (2024-02-31) would silently roll over: refuse it.
    if civil_from_days(days) != (year, month, day) {
        return None;
    }
    let secs = days * 86_400 + hour * 3600 + minute * 60 + second.min(59) - offset_minutes * 60;
    Some(secs * 1000 + millis)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_known_instants() {
        assert_eq!(format_unix_millis(0).unwrap(), "1970-01-01T00:00:00Z");
        assert_eq!(
            format_unix_millis(1_623_138_029_512).unwrap(),
            "2021-06-08T07:40:29.512Z"
        );
        assert_eq!(
            format_unix_millis(1_670_855_889_000).unwrap(),
            "2022-12-12T14:38:09Z"
        );
        assert_eq!(format_unix_millis(-1).unwrap(), "1969-12-31T23:59:59.999Z");
        assert_eq!(format_unix_millis(i64::MAX), None);
    }

    #[test]
    fn parses_provider_forms() {
        assert_eq!(
            parse_rfc3339_millis("2024-05-30T22:57:28Z"),
            Some(1_717_109_848_000)
        );
        assert_eq!(
            parse_rfc3339_millis("2025-11-11T19:00:55.474Z"),
            Some(1_762_887_655_474)
        );
        assert_eq!(
            parse_rfc3339_millis("2025-12-02T00:40:00.9100000Z"),
            parse_rfc3339_millis("2025-12-02T00:40:00.910Z")
        );
        assert_eq!(
            parse_rfc3339_millis("2024-05-30T23:57:28+01:00"),
            Some(1_717_109_848_000)
        );
        assert_eq!(
            parse_rfc3339_millis("2024-05-30T21:57:28-0100"),
            Some(1_717_109_848_000)
        );
        for bad in [
            "",
            "2024-02-30T00:00:00Z",
            "2024-05-30",
            "2024-05-30T22:57:28",
            "2024-05-30T22:57:28.Z",
            "x024-05-30T22:57:28Z",
        ] {
            assert_eq!(parse_rfc3339_millis(bad), None, "{bad}");
        }
    }

    proptest::proptest! {
        #[test]
        fn format_then_parse_round_trips(millis in MIN_UNIX * 1000..MAX_UNIX * 1000) {
            let text = format_unix_millis(millis).unwrap();
            proptest::prop_assert_eq!(parse_rfc3339_millis(&text), Some(millis));
        }

        #[test]
        fn parse_never_panics(text in ".{0,40}") {
            let _ = parse_rfc3339_millis(&text);
        }
    }
}
