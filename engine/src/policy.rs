//! The retry policy shared by every retry plan of the family (SPEC §2).

use crate::error::{EngineError, Result};
use crate::input::Fields;
use serde::{Deserialize, Serialize};
use serde_json::Value;

pub const MAX_ATTEMPTS_LIMIT: i64 = 25;
pub const MAX_DELAY_MINUTES: i64 = 10_080;
pub const MAX_MULTIPLIER: f64 = 10.0;

/// A validated retry policy.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RetryPolicy {
    pub max_retry_attempts: u32,
    pub retry_delay_minutes: u32,
    pub allow_immediate_retry: bool,
    pub backoff_multiplier: f64,
    /// ✚ Suppress at once when the latest failure was a permanent (non-retryable) error.
    pub suppress_permanent_failures: bool,
}

impl RetryPolicy {
    /// Reads `retry_policy` (absent or null = defaults). `default_delay` is 15 for audit and
    /// escalation retries and 30 for executive report delivery.
    pub fn parse(value: Option<&Value>, path: &str, default_delay: u32) -> Result<Self> {
        let f = Fields::new(value, path)?;
        let max_retry_attempts = f.integer(&["max_retry_attempts", "max_retries"], 1, MAX_ATTEMPTS_LIMIT)?.unwrap_or(3);
        let allow_immediate_retry = f.bool(&["allow_immediate_retry"])?.unwrap_or(false);
        let min_delay = if allow_immediate_retry { 0 } else { 1 };
        let default_delay = if allow_immediate_retry { 0 } else { default_delay };
        let retry_delay_minutes =
            f.integer(&["retry_delay_minutes", "delay_minutes"], min_delay, MAX_DELAY_MINUTES)?.unwrap_or(default_delay.into());
        let backoff_multiplier = f.number(&["backoff_multiplier", "multiplier"], 1.0, MAX_MULTIPLIER)?.unwrap_or(2.0);
        let suppress_permanent_failures = f.bool(&["suppress_permanent_failures"])?.unwrap_or(false);
        f.finish()?;
        Ok(Self {
            max_retry_attempts: u32::try_from(max_retry_attempts).map_err(|_| EngineError::invalid(path, "out of range"))?,
            retry_delay_minutes: u32::try_from(retry_delay_minutes).map_err(|_| EngineError::invalid(path, "out of range"))?,
            allow_immediate_retry,
            backoff_multiplier,
            suppress_permanent_failures,
        })
    }

    pub fn defaults(default_delay: u32) -> Self {
        Self {
            max_retry_attempts: 3,
            retry_delay_minutes: default_delay,
            allow_immediate_retry: false,
            backoff_multiplier: 2.0,
            suppress_permanent_failures: false,
        }
    }

    /// `retry_delay_minutes × backoff_multiplier^(retry_count − 1)`, in (fractional) minutes.
    pub fn delay_minutes(&self, retry_count: u32) -> f64 {
        let exponent = retry_count.saturating_sub(1).min(1_000) as i32;
        f64::from(self.retry_delay_minutes) * self.backoff_multiplier.powi(exponent)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn parse(v: Value) -> Result<RetryPolicy> {
        RetryPolicy::parse(Some(&v), "retry_policy", 15)
    }

    #[test]
    fn defaults_match_the_original() {
        assert_eq!(RetryPolicy::parse(None, "retry_policy", 15), Ok(RetryPolicy::defaults(15)));
        assert_eq!(parse(json!({})).map(|p| p.retry_delay_minutes), Ok(15));
        assert_eq!(RetryPolicy::parse(None, "retry_policy", 30).map(|p| p.retry_delay_minutes), Ok(30));
        assert_eq!(parse(json!({"allow_immediate_retry": true})).map(|p| p.retry_delay_minutes), Ok(0));
    }

    #[test]
    fn accepts_the_original_aliases() {
        let p = parse(json!({"max_retries": 5, "delay_minutes": 7, "multiplier": 3})).expect("valid");
        assert_eq!((p.max_retry_attempts, p.retry_delay_minutes, p.backoff_multiplier), (5, 7, 3.0));
    }

    #[test]
    fn refuses_out_of_range_values_instead_of_clamping() {
        for bad in [
            json!({"max_retry_attempts": 0}),
            json!({"max_retry_attempts": 26}),
            json!({"retry_delay_minutes": 0}),
            json!({"retry_delay_minutes": 10081}),
            json!({"backoff_multiplier": 0.5}),
            json!({"backoff_multiplier": 10.5}),
            json!({"max_retry_attempts": "3"}),
            json!({"allow_immediate_retry": "yes"}),
            json!({"surprise": 1}),
        ] {
            assert!(parse(bad.clone()).is_err(), "{bad}");
        }
        assert!(parse(json!({"retry_delay_minutes": 0, "allow_immediate_retry": true})).is_ok());
        assert!(RetryPolicy::parse(Some(&json!(3)), "retry_policy", 15).is_err());
    }

    #[test]
    fn backoff_grows_geometrically() {
        let p = RetryPolicy::defaults(15);
        assert_eq!([1, 2, 3, 4].map(|n| p.delay_minutes(n)), [15.0, 30.0, 60.0, 120.0]);
        assert_eq!(p.delay_minutes(0), 15.0);
    }
}
