//! Calendar arithmetic on Unix milliseconds (UTC): dates for exports, RFC 3339 for xAPI, week
//! starts for the trend, and "how long ago" for people. Civil dates use Howard Hinnant's
//! days-from-civil algorithms, exact for the proleptic Gregorian calendar.

use super::DAY_MS;

/// Days since 1970-01-01 of a civil date.
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The civil date of a day number since 1970-01-01.
fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (
        if m <= 2 {
            yoe + era * 400 + 1
        } else {
            yoe + era * 400
        },
        m,
        d,
    )
}

/// `YYYY-MM-DD` (UTC).
pub fn date(ms: i64) -> String {
    let (y, m, d) = civil_from_days(ms.div_euclid(DAY_MS));
    format!("{y:04}-{m:02}-{d:02}")
}

/// A calendar date `YYYY-MM-DD` (an HTML date input's value) as the milliseconds of its start,
/// 00:00 UTC; `None` for anything else, an impossible day (`2026-02-30`) included.
pub fn parse_date(text: &str) -> Option<i64> {
    let text = text.trim();
    let mut parts = text.split('-');
    let (y, m, d) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() || y.len() != 4 || m.len() != 2 || d.len() != 2 {
        return None;
    }
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if !(digits(y) && digits(m) && digits(d)) {
        return None;
    }
    let (y, m, d): (i64, i64, i64) = (y.parse().ok()?, m.parse().ok()?, d.parse().ok()?);
    if !(1..=12).contains(&m) || d < 1 || d > days_in_month(y, m) {
        return None;
    }
    Some(days_from_civil(y, m, d) * DAY_MS)
}

/// RFC 3339 with milliseconds in UTC, e.g. `2026-03-01T08:15:00.250Z` (xAPI timestamps).
pub fn rfc3339(ms: i64) -> String {
    let day_ms = ms.rem_euclid(DAY_MS);
    let (h, rest) = (day_ms / 3_600_000, day_ms % 3_600_000);
    let (min, rest) = (rest / 60_000, rest % 60_000);
    let (s, milli) = (rest / 1000, rest % 1000);
    format!("{}T{h:02}:{min:02}:{s:02}.{milli:03}Z", date(ms))
}

/// Parses an RFC 3339 / ISO 8601 date-time with a `Z` or `±hh:mm` offset (fractions of a second
/// to the millisecond), or a bare `YYYY-MM-DD` (midnight UTC), into Unix milliseconds.
pub fn parse_rfc3339(text: &str) -> Option<i64> {
    let text = text.trim();
    let num = |s: &str| -> Option<i64> {
        (!s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())).then(|| s.parse().ok())?
    };
    let (date_part, time_part) = match text.split_once(['T', 't', ' ']) {
        Some((d, t)) => (d, Some(t)),
        None => (text, None),
    };
    let mut ymd = date_part.splitn(3, '-');
    let (y, m, d) = (num(ymd.next()?)?, num(ymd.next()?)?, num(ymd.next()?)?);
    if date_part.len() != 10 || !(1..=12).contains(&m) || !(1..=days_in_month(y, m)).contains(&d) {
        return None;
    }
    let day = days_from_civil(y, m, d) * DAY_MS;
    let Some(time) = time_part else {
        return Some(day);
    };
    let (clock, offset_ms) = if let Some(clock) = time.strip_suffix(['Z', 'z']) {
        (clock, 0)
    } else {
        let at = time.rfind(['+', '-'])?;
        let (clock, offset) = time.split_at(at);
        let sign = if offset.starts_with('-') { -1 } else { 1 };
        let (oh, om) = offset.get(1..)?.split_once(':')?;
        let (oh, om) = (num(oh)?, num(om)?);
        if oh > 23 || om > 59 {
            return None;
        }
        (clock, sign * (oh * 3_600_000 + om * 60_000))
    };
    let (hms, fraction) = match clock.split_once('.') {
        Some((hms, f)) => (hms, Some(f)),
        None => (clock, None),
    };
    let mut parts = hms.splitn(3, ':');
    let (h, min, s) = (
        num(parts.next()?)?,
        num(parts.next()?)?,
        num(parts.next()?)?,
    );
    if hms.len() != 8 || h > 23 || min > 59 || s > 60 {
        return None;
    }
    let milli = match fraction {
        None => 0,
        Some(f) => {
            num(f)?;
            let padded: String = f.chars().chain("000".chars()).take(3).collect();
            num(&padded)?
        }
    };
    Some(day + h * 3_600_000 + min * 60_000 + s.min(59) * 1000 + milli - offset_ms)
}

fn days_in_month(y: i64, m: i64) -> i64 {
    match m {
        2 if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// The start (Monday 00:00 UTC) of the week holding `ms`.
pub fn week_start(ms: i64) -> i64 {
    let days = ms.div_euclid(DAY_MS);
    // 1970-01-01 was a Thursday: day 0 is weekday 3 counting Monday as 0.
    let weekday = (days + 3).rem_euclid(7);
    (days - weekday) * DAY_MS
}

/// The ISO 8601 week number of the week holding `ms` (1–53).
pub fn iso_week(ms: i64) -> u32 {
    let days = ms.div_euclid(DAY_MS);
    let weekday = (days + 3).rem_euclid(7);
    // The week belongs to the year of its Thursday.
    let thursday = days - weekday + 3;
    let (year, _, _) = civil_from_days(thursday);
    let week = (thursday - days_from_civil(year, 1, 1)) / 7 + 1;
    u32::try_from(week).unwrap_or(1)
}

/// How long ago, in the largest whole unit that fits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ago {
    /// Less than an hour (or in the future).
    JustNow,
    Hours(i64),
    Days(i64),
    Weeks(i64),
    Months(i64),
    Years(i64),
}

impl Ago {
    pub fn between(then_ms: i64, now_ms: i64) -> Self {
        let age = now_ms.saturating_sub(then_ms);
        let hours = age / 3_600_000;
        let days = age / DAY_MS;
        match () {
            () if hours < 1 => Self::JustNow,
            () if days < 1 => Self::Hours(hours),
            () if days < 14 => Self::Days(days),
            () if days < 60 => Self::Weeks(days / 7),
            () if days < 730 => Self::Months(days / 30),
            () => Self::Years(days / 365),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_and_timestamps_round_trip() {
        assert_eq!(date(0), "1970-01-01");
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00.000Z");
        // 2024-02-29T12:34:56.789Z, a leap day.
        let ms = 1_709_210_096_789;
        assert_eq!(rfc3339(ms), "2024-02-29T12:34:56.789Z");
        assert_eq!(parse_rfc3339("2024-02-29T12:34:56.789Z"), Some(ms));
        assert_eq!(parse_rfc3339("2024-02-29T13:34:56.789+01:00"), Some(ms));
        assert_eq!(
            parse_rfc3339("2024-02-29T12:34:56.7891Z"),
            Some(ms),
            "beyond ms is cut"
        );
        assert_eq!(parse_rfc3339("2024-02-29T12:34:56Z"), Some(ms - 789));
        assert_eq!(parse_rfc3339("2024-02-29"), Some(1_709_164_800_000));
        assert_eq!(date(-1), "1969-12-31");
        assert_eq!(rfc3339(-1), "1969-12-31T23:59:59.999Z");
    }

    #[test]
    fn calendar_dates_parse_and_round_trip() {
        let ms = parse_date("2026-03-01").unwrap_or(-1);
        assert_eq!(date(ms), "2026-03-01");
        assert_eq!(ms % DAY_MS, 0);
        assert_eq!(
            parse_date(" 2026-03-01 "),
            Some(ms),
            "an input's spaces are ignored"
        );
        assert!(parse_date("2024-02-29").is_some(), "a leap day");
        for bad in [
            "",
            "2026-02-30",
            "2025-02-29",
            "2026-13-01",
            "2026-1-01",
            "26-01-01",
            "2026-01-01x",
            "2026/01/01",
            "+026-01-01",
        ] {
            assert_eq!(parse_date(bad), None, "{bad}");
        }
    }

    #[test]
    fn nonsense_is_refused() {
        for bad in [
            "",
            "yesterday",
            "2024-02-30",
            "2023-02-29T00:00:00Z",
            "2024-13-01",
            "2024-1-01",
            "2024-02-29T25:00:00Z",
            "2024-02-29T12:00Z",
            "2024-02-29T12:00:00",
            "2024-02-29T12:00:00+1",
            "2024-02-29T12:00:00.x1Z",
            "+2024-02-29",
        ] {
            assert_eq!(parse_rfc3339(bad), None, "{bad}");
        }
    }

    #[test]
    fn weeks_start_on_monday_and_are_numbered_the_iso_way() {
        // 2026-01-01 is a Thursday: its week starts Monday 2025-12-29 and is week 1 of 2026.
        let new_year = parse_rfc3339("2026-01-01T10:00:00Z").unwrap_or_default();
        assert_eq!(date(week_start(new_year)), "2025-12-29");
        assert_eq!(iso_week(new_year), 1);
        // 2021-01-03 (a Sunday) is in week 53 of 2020.
        let sunday = parse_rfc3339("2021-01-03T23:59:59Z").unwrap_or_default();
        assert_eq!(iso_week(sunday), 53);
        assert_eq!(date(week_start(sunday)), "2020-12-28");
        let monday = parse_rfc3339("2021-01-04T00:00:00Z").unwrap_or_default();
        assert_eq!((week_start(monday), iso_week(monday)), (monday, 1));
    }

    #[test]
    fn week_starts_match_the_formula_of_the_activity_table() {
        // migration 0003 keys `activity_week` by `ms - ((ms - 345600000) % 604800000)`.
        for ms in [
            345_600_000,
            1_709_210_096_789,
            1_767_225_600_000,
            1_767_225_599_999,
            2_000_000_000_000,
        ] {
            assert_eq!(
                week_start(ms),
                ms - ((ms - 345_600_000) % 604_800_000),
                "{ms}"
            );
        }
    }

    #[test]
    fn ago_picks_the_largest_whole_unit() {
        let now = 1_000 * DAY_MS;
        assert_eq!(Ago::between(now + 5, now), Ago::JustNow);
        assert_eq!(Ago::between(now - 59 * 60_000, now), Ago::JustNow);
        assert_eq!(Ago::between(now - 3 * 3_600_000, now), Ago::Hours(3));
        assert_eq!(Ago::between(now - 3 * DAY_MS, now), Ago::Days(3));
        assert_eq!(Ago::between(now - 20 * DAY_MS, now), Ago::Weeks(2));
        assert_eq!(Ago::between(now - 100 * DAY_MS, now), Ago::Months(3));
        assert_eq!(Ago::between(now - 800 * DAY_MS, now), Ago::Years(2));
    }
}
