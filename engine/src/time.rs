//! UTC timestamps in the original's shapes.
//!
//! Times are read leniently (RFC 3339 with `Z` or an offset, or a naive ISO time taken as UTC,
//! as Python's `datetime.fromisoformat` does) and written like Python's `isoformat()` on an
//! aware UTC datetime: `2026-11-23T19:16:05+00:00`, with microseconds only when non-zero.

use chrono::{DateTime, Duration, NaiveDate, NaiveDateTime, SecondsFormat, Timelike, Utc};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

/// A point in time, always UTC, microsecond precision.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(DateTime<Utc>);

/// A timestamp that is not in any accepted ISO 8601 / RFC 3339 form.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not an ISO 8601 timestamp")]
pub struct TimestampError(pub String);

impl Timestamp {
    /// Parses RFC 3339 (`Z` or offset), naive ISO date-times (UTC) and plain dates (midnight UTC).
    pub fn parse(text: &str) -> Result<Self, TimestampError> {
        let s = text.trim();
        let fail = || TimestampError(text.chars().take(64).collect());
        if s.is_empty() {
            return Err(fail());
        }
        if let Ok(t) = DateTime::parse_from_rfc3339(s) {
            return Ok(Self::from_utc(t.with_timezone(&Utc)));
        }
        // RFC 3339 with a space separator, as `str(datetime)` prints it.
        if let Ok(t) = DateTime::parse_from_rfc3339(&s.replacen(' ', "T", 1)) {
            return Ok(Self::from_utc(t.with_timezone(&Utc)));
        }
        for format in ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%d %H:%M:%S%.f", "%Y-%m-%dT%H:%M"] {
            if let Ok(t) = NaiveDateTime::parse_from_str(s, format) {
                return Ok(Self::from_utc(t.and_utc()));
            }
        }
        if let Ok(d) = NaiveDate::parse_from_str(s, "%Y-%m-%d") {
            return d.and_hms_opt(0, 0, 0).map(|t| Self::from_utc(t.and_utc())).ok_or_else(fail);
        }
        Err(fail())
    }

    /// Builds a timestamp from Unix microseconds.
    pub fn from_unix_micros(micros: i64) -> Option<Self> {
        DateTime::from_timestamp_micros(micros).map(Self)
    }

    pub fn unix_micros(self) -> i64 {
        self.0.timestamp_micros()
    }

    fn from_utc(t: DateTime<Utc>) -> Self {
        // Python keeps microseconds; finer digits are dropped.
        let micros = t.nanosecond() / 1_000 * 1_000;
        Self(t.with_nanosecond(micros).unwrap_or(t))
    }

    /// Whole minutes from `earlier` to `self`, floored (negative when `earlier` is later).
    pub fn minutes_since(self, earlier: Timestamp) -> i64 {
        (self.unix_micros() - earlier.unix_micros()).div_euclid(60_000_000)
    }

    /// Adds fractional minutes, rounded to the microsecond like Python's `timedelta`.
    pub fn plus_minutes(self, minutes: f64) -> Self {
        let micros = (minutes * 60_000_000.0).round_ties_even();
        let micros = if micros.is_finite() { micros.clamp(-9.0e15, 9.0e15) as i64 } else { 0 };
        Self(self.0 + Duration::microseconds(micros))
    }

    pub fn minute(self) -> u32 {
        self.0.minute()
    }

    /// The start of this minute's hour, or of the minute when `keep_minute` is set.
    pub fn truncate_to_minute(self, minute: u32) -> Self {
        let t = self
            .0
            .with_nanosecond(0)
            .and_then(|t| t.with_second(0))
            .and_then(|t| t.with_minute(minute))
            .unwrap_or(self.0);
        Self(t)
    }

    /// The UTC calendar day, `YYYY-MM-DD`.
    pub fn day(self) -> String {
        self.0.format("%Y-%m-%d").to_string()
    }

    /// `isoformat()` of an aware UTC datetime.
    pub fn to_iso(self) -> String {
        if self.0.nanosecond() == 0 {
            self.0.to_rfc3339_opts(SecondsFormat::Secs, false)
        } else {
            self.0.to_rfc3339_opts(SecondsFormat::Micros, false)
        }
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_iso())
    }
}

impl Serialize for Timestamp {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_iso())
    }
}

impl<'de> Deserialize<'de> for Timestamp {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        Timestamp::parse(&text).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> Timestamp {
        Timestamp::parse(s).expect("valid timestamp")
    }

    #[test]
    fn parses_the_accepted_forms_as_utc() {
        let z = t("2026-11-23T10:00:00Z");
        assert_eq!(t("2026-11-23T11:00:00+01:00"), z);
        assert_eq!(t("2026-11-23T10:00:00"), z);
        assert_eq!(t("2026-11-23 10:00:00"), z);
        assert_eq!(t("2026-11-23T10:00:00.000000+00:00"), z);
        assert_eq!(t("2026-11-23"), t("2026-11-23T00:00:00Z"));
    }

    #[test]
    fn rejects_garbage() {
        for bad in ["", "yesterday", "2026-13-01T00:00:00Z", "2026-11-23T25:00:00Z"] {
            assert!(Timestamp::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn formats_like_python_isoformat() {
        assert_eq!(t("2026-11-23T10:00:00Z").to_iso(), "2026-11-23T10:00:00+00:00");
        assert_eq!(t("2026-11-23T10:00:00.5Z").to_iso(), "2026-11-23T10:00:00.500000+00:00");
        assert_eq!(t("2026-11-23T10:00:00.1234567Z").to_iso(), "2026-11-23T10:00:00.123456+00:00");
    }

    #[test]
    fn minutes_floor_in_both_directions() {
        let base = t("2026-11-23T10:00:00Z");
        assert_eq!(t("2026-11-23T10:59:59Z").minutes_since(base), 59);
        assert_eq!(t("2026-11-23T11:00:00Z").minutes_since(base), 60);
        assert_eq!(t("2026-11-23T09:59:30Z").minutes_since(base), -1);
    }

    #[test]
    fn adds_fractional_minutes() {
        let base = t("2026-11-23T10:00:00Z");
        assert_eq!(base.plus_minutes(22.5).to_iso(), "2026-11-23T10:22:30+00:00");
        assert_eq!(base.plus_minutes(0.0), base);
    }
}
