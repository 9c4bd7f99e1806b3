//! The retry policy: when the next attempt happens after a failure. A pure
//! function of the policy, the attempt number, a jitter sample and the
//! receiver's `Retry-After`, so it is tested without a network.

use std::time::Duration;

use crate::{ParseError, Timestamp};

/// Delays between attempts: after the n-th failed attempt the next one waits
/// `delays[n-1]` (± `jitter`). With `k` delays a delivery gets `k + 1`
/// attempts in all.
#[derive(Clone, Debug, PartialEq)]
pub struct RetryPolicy {
    delays: Vec<Duration>,
    jitter: f64,
}

/// Herald's default: an immediate first attempt, then 5 s, 5 min, 30 min,
/// 2 h, 5 h, 10 h and 10 h (8 attempts over about 28 hours).
pub const DEFAULT_SCHEDULE_SECS: [u64; 7] = [5, 300, 1_800, 7_200, 18_000, 36_000, 36_000];

/// The longest wait between two attempts (also keeps jitter arithmetic far
/// from overflow).
pub const MAX_DELAY: Duration = Duration::from_secs(30 * 86_400);

impl Default for RetryPolicy {
    fn default() -> Self {
        Self { delays: DEFAULT_SCHEDULE_SECS.iter().map(|s| Duration::from_secs(*s)).collect(), jitter: 0.2 }
    }
}

impl RetryPolicy {
    /// `jitter` is the largest fraction a delay may be moved by (0.2 = ±20%).
    pub fn new(delays: Vec<Duration>, jitter: f64) -> Result<Self, ParseError> {
        if !(0.0..=1.0).contains(&jitter) {
            return Err(ParseError::new("jitter must be between 0 and 1"));
        }
        if delays.len() > 1_000 {
            return Err(ParseError::new("a retry schedule has at most 1000 delays"));
        }
        if delays.iter().any(|d| *d > MAX_DELAY) {
            return Err(ParseError::new("a retry delay is at most 30 days"));
        }
        Ok(Self { delays, jitter })
    }

    /// How many attempts a delivery gets in all.
    pub fn max_attempts(&self) -> u32 {
        u32::try_from(self.delays.len()).unwrap_or(u32::MAX).saturating_add(1)
    }

    /// The fraction each wait may move either way.
    pub fn jitter(&self) -> f64 {
        self.jitter
    }

    pub fn delays(&self) -> &[Duration] {
        &self.delays
    }

    /// The wait before the attempt after `failed_attempt` (1-based), or `None`
    /// when that was the last one. `jitter_sample` is in `[-1, 1]` (drawn by
    /// the caller); `retry_after` is what the receiver asked for, honoured up
    /// to `max_retry_after` and never jittered.
    pub fn next_delay(
        &self,
        failed_attempt: u32,
        jitter_sample: f64,
        retry_after: Option<Duration>,
        max_retry_after: Duration,
    ) -> Option<Duration> {
        let index = usize::try_from(failed_attempt.checked_sub(1)?).ok()?;
        let scheduled = *self.delays.get(index)?;
        if let Some(asked) = retry_after {
            return Some(asked.min(max_retry_after));
        }
        let factor = 1.0 + self.jitter * jitter_sample.clamp(-1.0, 1.0);
        Some(scheduled.mul_f64(factor.max(0.0)))
    }
}

/// Parses a `Retry-After` value: delta-seconds or an HTTP date (relative to
/// `now`). A date in the past means "now".
pub fn parse_retry_after(value: &str, now: Timestamp) -> Option<Duration> {
    let value = value.trim();
    if let Ok(secs) = value.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let at = httpdate::parse_http_date(value).ok()?;
    let at_ms = i64::try_from(at.duration_since(std::time::UNIX_EPOCH).ok()?.as_millis()).ok()?;
    let wait = at_ms.saturating_sub(now.as_millis()).max(0);
    Some(Duration::from_millis(u64::try_from(wait).unwrap_or(0)))
}

#[cfg(test)]
mod tests {
    use super::*;

    const CAP: Duration = Duration::from_secs(3_600);

    #[test]
    fn default_schedule_without_jitter() {
        let p = RetryPolicy::default();
        let walked: Vec<_> = (1..=8).map(|n| p.next_delay(n, 0.0, None, CAP)).collect();
        let secs: Vec<_> = walked.iter().map(|d| d.map(|d| d.as_secs())).collect();
        assert_eq!(secs, vec![Some(5), Some(300), Some(1800), Some(7200), Some(18000), Some(36000), Some(36000), None]);
        assert_eq!(p.max_attempts(), 8);
    }

    #[test]
    fn jitter_stays_within_twenty_percent() {
        let p = RetryPolicy::default();
        assert_eq!(p.next_delay(2, 1.0, None, CAP), Some(Duration::from_secs(360)));
        assert_eq!(p.next_delay(2, -1.0, None, CAP), Some(Duration::from_secs(240)));
        assert_eq!(p.next_delay(2, 7.0, None, CAP), Some(Duration::from_secs(360)), "sample is clamped");
    }

    #[test]
    fn retry_after_replaces_the_schedule_up_to_the_cap() {
        let p = RetryPolicy::default();
        assert_eq!(p.next_delay(1, 0.5, Some(Duration::from_secs(42)), CAP), Some(Duration::from_secs(42)));
        assert_eq!(p.next_delay(1, 0.0, Some(Duration::from_secs(999_999)), CAP), Some(CAP));
        assert_eq!(p.next_delay(8, 0.0, Some(Duration::from_secs(1)), CAP), None, "no attempts left");
    }

    #[test]
    fn absurd_delays_are_rejected_not_overflowed() {
        assert!(RetryPolicy::new(vec![Duration::from_secs(u64::MAX)], 0.2).is_err());
        assert!(RetryPolicy::new(vec![MAX_DELAY], 1.0).unwrap().next_delay(1, 1.0, None, CAP).is_some());
    }

    #[test]
    fn an_empty_schedule_means_one_attempt() {
        let p = RetryPolicy::new(vec![], 0.0).unwrap();
        assert_eq!(p.max_attempts(), 1);
        assert_eq!(p.next_delay(1, 0.0, None, CAP), None);
        assert!(RetryPolicy::new(vec![], 1.5).is_err());
    }

    #[test]
    fn retry_after_parses_seconds_and_dates() {
        let now = Timestamp::parse_rfc3339("2015-10-21T07:28:00Z").unwrap();
        assert_eq!(parse_retry_after(" 120 ", now), Some(Duration::from_secs(120)));
        assert_eq!(parse_retry_after("Wed, 21 Oct 2015 07:29:00 GMT", now), Some(Duration::from_secs(60)));
        assert_eq!(parse_retry_after("Wed, 21 Oct 2015 07:00:00 GMT", now), Some(Duration::ZERO));
        assert_eq!(parse_retry_after("soon", now), None);
    }
}
