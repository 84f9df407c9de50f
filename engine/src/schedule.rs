//! Worker schedules and their windows.

use crate::error::Result;
use crate::input::Fields;
use crate::time::Timestamp;
use serde::{Deserialize, Serialize};
use serde_json::Value;

pub const MAX_INTERVAL_MINUTES: i64 = 10_080;

/// The schedule a worker run reports (SPEC §2): interval, window, enabled, cadence.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Schedule {
    pub interval_minutes: u32,
    pub window_start: String,
    pub window_end: String,
    pub enabled: bool,
    pub cadence: String,
}

/// The parsed `schedule` request object.
#[derive(Debug, Clone, PartialEq)]
pub struct ScheduleInput {
    pub interval_minutes: u32,
    pub enabled: bool,
    pub cadence: Option<String>,
}

impl ScheduleInput {
    /// Reads `schedule` (`interval_minutes`, alias `schedule_interval_minutes` when `alias`).
    pub fn parse(value: Option<&Value>, default_interval: u32, alias: bool) -> Result<Self> {
        let f = Fields::new(value, "schedule")?;
        let keys: &[&str] = if alias { &["interval_minutes", "schedule_interval_minutes"] } else { &["interval_minutes"] };
        let interval = f.integer(keys, 1, MAX_INTERVAL_MINUTES)?.map_or(default_interval, |n| n as u32);
        let enabled = f.bool(&["enabled"])?.unwrap_or(true);
        let cadence = f.string(&["cadence"], 64)?.filter(|c| !c.trim().is_empty());
        f.finish()?;
        Ok(Self { interval_minutes: interval, enabled, cadence })
    }

    /// The window containing `now`: aligned to the interval within the hour, or the hour
    /// itself when the interval is an hour or more.
    pub fn window(&self, now: Timestamp) -> Schedule {
        let interval = self.interval_minutes.max(1);
        let minute = if interval < 60 { now.minute() / interval * interval } else { 0 };
        let start = now.truncate_to_minute(minute);
        Schedule {
            interval_minutes: interval,
            window_start: start.to_iso(),
            window_end: start.plus_minutes(f64::from(interval)).to_iso(),
            enabled: self.enabled,
            cadence: self.cadence.clone().unwrap_or_else(|| format!("every_{interval}_minutes")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn window(interval: u32, now: &str) -> Schedule {
        let input = ScheduleInput { interval_minutes: interval, enabled: true, cadence: None };
        input.window(Timestamp::parse(now).expect("time"))
    }

    #[test]
    fn aligns_short_intervals_within_the_hour() {
        let w = window(15, "2026-11-23T10:44:59.5Z");
        assert_eq!((w.window_start.as_str(), w.window_end.as_str()), ("2026-11-23T10:30:00+00:00", "2026-11-23T10:45:00+00:00"));
        let w = window(7, "2026-11-23T10:59:00Z");
        assert_eq!(w.window_start, "2026-11-23T10:56:00+00:00");
        assert_eq!(w.cadence, "every_7_minutes");
    }

    #[test]
    fn long_intervals_start_at_the_hour() {
        let w = window(60, "2026-11-23T10:44:00Z");
        assert_eq!((w.window_start.as_str(), w.window_end.as_str()), ("2026-11-23T10:00:00+00:00", "2026-11-23T11:00:00+00:00"));
        let w = window(1440, "2026-11-23T10:44:00Z");
        assert_eq!((w.window_start.as_str(), w.window_end.as_str()), ("2026-11-23T10:00:00+00:00", "2026-11-24T10:00:00+00:00"));
    }

    #[test]
    fn parses_and_validates() {
        let s = ScheduleInput::parse(Some(&json!({"schedule_interval_minutes": 30, "enabled": false})), 60, true).expect("valid");
        assert_eq!((s.interval_minutes, s.enabled), (30, false));
        assert_eq!(ScheduleInput::parse(None, 60, true).map(|s| s.interval_minutes), Ok(60));
        assert!(ScheduleInput::parse(Some(&json!({"interval_minutes": 0})), 60, true).is_err());
        assert!(ScheduleInput::parse(Some(&json!({"schedule_interval_minutes": 30})), 1440, false).is_err());
    }
}
