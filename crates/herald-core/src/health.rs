//! Endpoint health: the failing streak a run of settled attempts leaves,
//! and the rule that disables an endpoint that keeps failing. Pure: the
//! stores keep the streak, this module says what a batch does to it.

use serde::{Deserialize, Serialize};

use crate::{ParseError, Timestamp};

/// `message.attempt.failing` goes out when a streak reaches this many
/// consecutive failed attempts.
pub const FAILING_AFTER: u64 = 4;

/// Disable an endpoint that has been failing without a success for
/// `after_secs`, with at least `min_failures` deliveries exhausted in that
/// streak. The owner is warned halfway (see [`AutoDisable::warn_due`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AutoDisable {
    pub after_secs: u64,
    pub min_failures: u64,
}

impl Default for AutoDisable {
    /// Five days of failures with ten deliveries exhausted.
    fn default() -> Self {
        Self { after_secs: 5 * 86_400, min_failures: 10 }
    }
}

impl AutoDisable {
    pub fn check(&self) -> Result<(), ParseError> {
        if self.min_failures == 0 {
            return Err(ParseError::new("auto_disable.min_failures must be at least 1"));
        }
        if self.after_secs > 365 * 86_400 {
            return Err(ParseError::new("auto_disable.after_secs must be at most a year"));
        }
        Ok(())
    }

    /// Whether a streak that began at `since` with `exhausted` deliveries
    /// exhausted disables the endpoint at `now`.
    pub fn disable_due(&self, streak: &Streak, now: Timestamp) -> bool {
        streak.failing_since.is_some_and(|since| elapsed_secs(since, now) >= self.after_secs)
            && streak.exhausted >= self.min_failures
    }

    /// Whether the owner should be warned: half the time and half the
    /// exhausted deliveries (at least one) of the rule have passed.
    pub fn warn_due(&self, streak: &Streak, now: Timestamp) -> bool {
        streak.failing_since.is_some_and(|since| elapsed_secs(since, now) >= self.after_secs / 2)
            && streak.exhausted >= self.min_failures.div_ceil(2).max(1)
    }
}

fn elapsed_secs(since: Timestamp, now: Timestamp) -> u64 {
    u64::try_from((now.as_millis() - since.as_millis()) / 1_000).unwrap_or(0)
}

/// An endpoint's current failing streak as stored.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Streak {
    pub consecutive_failures: u64,
    pub failing_since: Option<Timestamp>,
    /// Deliveries that exhausted their retries during the streak.
    pub exhausted: u64,
}

/// What one settled attempt was, for the streak.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    Success,
    /// A failed attempt; `exhausted` when it was the delivery's last.
    Failure {
        exhausted: bool,
    },
}

/// What a batch's attempts at one endpoint do to its streak, in order: the
/// part after the batch's last success, and whether there was one.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Delta {
    /// A success came in the batch: the stored streak ends, and the
    /// failures after it start a new one.
    pub reset: bool,
    /// Failures before the batch's first success (they extend the stored
    /// streak before it ends).
    pub failures_before_reset: u64,
    /// Failures after the last success (or all of them, without one).
    pub failures: u64,
    pub exhausted: u64,
    /// The first failure after the last success.
    pub first_failure_at: Option<Timestamp>,
}

impl Delta {
    pub fn add(&mut self, outcome: Outcome, at: Timestamp) {
        match outcome {
            Outcome::Success => {
                if !self.reset {
                    self.failures_before_reset = self.failures;
                }
                self.reset = true;
                self.failures = 0;
                self.exhausted = 0;
                self.first_failure_at = None;
            }
            Outcome::Failure { exhausted } => {
                self.failures += 1;
                self.exhausted += u64::from(exhausted);
                self.first_failure_at.get_or_insert(at);
            }
        }
    }

    /// The streak after this delta, from the stored one before it.
    pub fn apply(&self, old: &Streak) -> Streak {
        if self.reset {
            Streak {
                consecutive_failures: self.failures,
                failing_since: self.first_failure_at,
                exhausted: self.exhausted,
            }
        } else {
            Streak {
                consecutive_failures: old.consecutive_failures + self.failures,
                failing_since: old.failing_since.or(self.first_failure_at),
                exhausted: old.exhausted + self.exhausted,
            }
        }
    }
}

/// What an attempt did to an endpoint's health, as operational events.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Transition {
    /// The streak reached [`FAILING_AFTER`] consecutive failures.
    Failing { consecutive: u64 },
    /// A delivery used up its retries.
    Exhausted,
    /// A success ended a streak that had reached [`FAILING_AFTER`].
    Recovered { after: u64 },
}

/// The transitions a run of outcomes makes, in order, from a streak of
/// `consecutive` failures: `(index of the outcome, transition)`.
pub fn transitions(mut consecutive: u64, outcomes: &[Outcome]) -> Vec<(usize, Transition)> {
    let mut out = Vec::new();
    for (i, o) in outcomes.iter().enumerate() {
        match o {
            Outcome::Success => {
                if consecutive >= FAILING_AFTER {
                    out.push((i, Transition::Recovered { after: consecutive }));
                }
                consecutive = 0;
            }
            Outcome::Failure { exhausted } => {
                consecutive += 1;
                if consecutive == FAILING_AFTER {
                    out.push((i, Transition::Failing { consecutive }));
                }
                if *exhausted {
                    out.push((i, Transition::Exhausted));
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: i64) -> Timestamp {
        Timestamp::from_millis(s * 1_000)
    }

    const FAIL: Outcome = Outcome::Failure { exhausted: false };
    const EXHAUSTED: Outcome = Outcome::Failure { exhausted: true };

    #[test]
    fn failures_extend_the_stored_streak() {
        let old = Streak { consecutive_failures: 2, failing_since: Some(at(10)), exhausted: 1 };
        let mut d = Delta::default();
        d.add(FAIL, at(20));
        d.add(EXHAUSTED, at(21));
        let new = d.apply(&old);
        assert_eq!(new, Streak { consecutive_failures: 4, failing_since: Some(at(10)), exhausted: 2 });
        assert_eq!(
            transitions(2, &[FAIL, EXHAUSTED]),
            vec![(1, Transition::Failing { consecutive: 4 }), (1, Transition::Exhausted)]
        );
    }

    #[test]
    fn a_success_ends_the_streak_and_later_failures_start_one() {
        let old = Streak { consecutive_failures: 3, failing_since: Some(at(10)), exhausted: 0 };
        let mut d = Delta::default();
        d.add(FAIL, at(20));
        d.add(Outcome::Success, at(21));
        d.add(FAIL, at(22));
        assert_eq!(d.failures_before_reset, 1);
        assert_eq!(d.apply(&old), Streak { consecutive_failures: 1, failing_since: Some(at(22)), exhausted: 0 });
        assert_eq!(
            transitions(3, &[FAIL, Outcome::Success, FAIL]),
            vec![(0, Transition::Failing { consecutive: 4 }), (1, Transition::Recovered { after: 4 })]
        );
    }

    #[test]
    fn a_short_streak_recovers_silently() {
        let old = Streak { consecutive_failures: 1, failing_since: Some(at(10)), exhausted: 0 };
        let mut d = Delta::default();
        d.add(Outcome::Success, at(20));
        assert_eq!(transitions(1, &[Outcome::Success]), vec![]);
        assert_eq!(d.apply(&old), Streak::default());
    }

    #[test]
    fn the_rule_needs_both_time_and_exhausted_deliveries() {
        let rule = AutoDisable { after_secs: 900, min_failures: 5 };
        let streak = Streak { consecutive_failures: 9, failing_since: Some(at(0)), exhausted: 5 };
        assert!(!rule.disable_due(&streak, at(899)));
        assert!(rule.disable_due(&streak, at(900)));
        assert!(!rule.disable_due(&Streak { exhausted: 4, ..streak }, at(10_000)));
        assert!(!rule.warn_due(&streak, at(449)));
        assert!(rule.warn_due(&Streak { exhausted: 3, ..streak }, at(450)));
        assert!(!rule.warn_due(&Streak { exhausted: 2, ..streak }, at(450)));
        assert!(!rule.disable_due(&Streak::default(), at(10_000)));
    }

    #[test]
    fn zero_failures_is_refused() {
        assert!(AutoDisable { after_secs: 0, min_failures: 0 }.check().is_err());
        assert!(AutoDisable::default().check().is_ok());
    }
}
