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
/// streak, and only once its owner was warned at least `notice_secs`
/// before: warning first, then a real notice, whatever the traffic. The
/// owner is warned halfway (see [`AutoDisable::warn_due`]), or as soon as
/// the rule is met when that comes first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AutoDisable {
    /// How long every delivery must have failed (at most a year).
    #[schema(maximum = 31_536_000)]
    pub after_secs: u64,
    /// Deliveries out of retries in that time, 1 to a million.
    #[schema(minimum = 1, maximum = 1_000_000)]
    pub min_failures: u64,
    /// The least time between the warning and the disable; absent: half of
    /// `after_secs`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(maximum = 2_592_000)]
    pub notice_secs: Option<u64>,
}

impl Default for AutoDisable {
    /// Five days of failures with ten deliveries exhausted, a day's notice.
    fn default() -> Self {
        Self { after_secs: 5 * 86_400, min_failures: 10, notice_secs: Some(86_400) }
    }
}

impl AutoDisable {
    pub fn check(&self) -> Result<(), ParseError> {
        if self.min_failures == 0 || self.min_failures > 1_000_000 {
            return Err(ParseError::new("auto_disable.min_failures must be 1 to 1,000,000"));
        }
        if self.after_secs > 365 * 86_400 {
            return Err(ParseError::new("auto_disable.after_secs must be at most a year"));
        }
        if self.notice_secs.is_some_and(|n| n > 30 * 86_400) {
            return Err(ParseError::new("auto_disable.notice_secs must be at most 30 days"));
        }
        Ok(())
    }

    /// The least time between the warning and the disable.
    pub fn notice(&self) -> u64 {
        self.notice_secs.unwrap_or(self.after_secs / 2)
    }

    /// Whether the streak meets the rule: failing for `after_secs` with
    /// `min_failures` deliveries exhausted.
    pub fn met(&self, streak: &Streak, now: Timestamp) -> bool {
        streak.failing_since.is_some_and(|since| elapsed_secs(since, now) >= self.after_secs)
            && streak.exhausted >= self.min_failures
    }

    /// Whether the endpoint is disabled at `now`: the rule is met and the
    /// owner was warned at least [`AutoDisable::notice`] ago.
    pub fn disable_due(&self, streak: &Streak, warned_at: Option<Timestamp>, now: Timestamp) -> bool {
        self.met(streak, now) && warned_at.is_some_and(|w| elapsed_secs(w, now) >= self.notice())
    }

    /// Whether the owner should be warned: half the time and half the
    /// exhausted deliveries (at least one) of the rule have passed, or the
    /// rule is met already.
    pub fn warn_due(&self, streak: &Streak, now: Timestamp) -> bool {
        let halfway = streak.failing_since.is_some_and(|since| elapsed_secs(since, now) >= self.after_secs / 2)
            && streak.exhausted >= self.min_failures.div_ceil(2).max(1);
        halfway || self.met(streak, now)
    }

    /// The earliest the endpoint can be disabled, given when its owner was
    /// warned and when its streak began.
    pub fn disables_at(&self, streak: &Streak, warned_at: Timestamp) -> Timestamp {
        let by_rule =
            streak.failing_since.map_or(warned_at, |s| s.plus(std::time::Duration::from_secs(self.after_secs)));
        let by_notice = warned_at.plus(std::time::Duration::from_secs(self.notice()));
        if by_rule.as_millis() > by_notice.as_millis() {
            by_rule
        } else {
            by_notice
        }
    }

    /// The rule in words: "after 15 min of failures with 5 deliveries out
    /// of retries, 7 min 30 s after a warning".
    pub fn describe(&self) -> String {
        format!(
            "after {} of failures with {} out of retries, {} after a warning",
            duration_words(self.after_secs),
            plural(self.min_failures, "delivery", "deliveries"),
            duration_words(self.notice()),
        )
    }

    /// Why an endpoint was disabled, for a person.
    pub fn reason(&self, streak: &Streak, warned_at: Option<Timestamp>, now: Timestamp) -> String {
        let failing = streak.failing_since.map_or(0, |s| elapsed_secs(s, now));
        let warned =
            warned_at.map_or_else(String::new, |w| format!(", warned {} before", duration_words(elapsed_secs(w, now))));
        format!(
            "every delivery failed for {} ({} out of retries){warned}; the rule disables an endpoint {}",
            duration_words(failing),
            plural(streak.exhausted, "delivery", "deliveries"),
            self.describe(),
        )
    }
}

/// `1 delivery`, `3 deliveries`.
fn plural(n: u64, one: &str, many: &str) -> String {
    if n == 1 {
        format!("1 {one}")
    } else {
        format!("{n} {many}")
    }
}

/// Seconds as people say them: `8 s`, `15 min`, `2 h 30 min`, `5 days`.
pub fn duration_words(secs: u64) -> String {
    let (days, hours, mins, s) = (secs / 86_400, secs / 3_600 % 24, secs / 60 % 60, secs % 60);
    let parts: Vec<String> =
        [(days, if days == 1 { " day" } else { " days" }), (hours, " h"), (mins, " min"), (s, " s")]
            .iter()
            .filter(|(n, _)| *n > 0)
            .take(2)
            .map(|(n, unit)| format!("{n}{unit}"))
            .collect();
    if parts.is_empty() {
        "0 s".to_owned()
    } else {
        parts.join(" ")
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
        let rule = AutoDisable { after_secs: 900, min_failures: 5, notice_secs: Some(0) };
        let streak = Streak { consecutive_failures: 9, failing_since: Some(at(0)), exhausted: 5 };
        let warned = Some(at(0));
        assert!(!rule.disable_due(&streak, warned, at(899)));
        assert!(rule.disable_due(&streak, warned, at(900)));
        assert!(!rule.disable_due(&Streak { exhausted: 4, ..streak }, warned, at(10_000)));
        assert!(!rule.warn_due(&Streak { exhausted: 3, ..streak }, at(449)));
        assert!(rule.warn_due(&Streak { exhausted: 3, ..streak }, at(450)));
        assert!(!rule.warn_due(&Streak { exhausted: 2, ..streak }, at(450)));
        assert!(!rule.disable_due(&Streak::default(), warned, at(10_000)));
    }

    #[test]
    fn the_disable_comes_a_full_notice_after_the_warning_whatever_the_traffic() {
        // Retries outlast the rule: by the time enough deliveries are out of
        // retries, the rule is met at once; the warning goes out then, and
        // the disable waits for the notice.
        let rule = AutoDisable { after_secs: 900, min_failures: 5, notice_secs: Some(600) };
        let streak = Streak { consecutive_failures: 30, failing_since: Some(at(0)), exhausted: 5 };
        assert!(rule.warn_due(&streak, at(1_110)), "met: warned at once");
        assert!(!rule.disable_due(&streak, None, at(5_000)), "never without a warning");
        let warned = Some(at(1_110));
        assert!(!rule.disable_due(&streak, warned, at(1_709)));
        assert!(rule.disable_due(&streak, warned, at(1_710)));
        assert_eq!(rule.disables_at(&streak, at(1_110)), at(1_710));
        // Absent, the notice is half the rule's time.
        let halved = AutoDisable { notice_secs: None, ..rule };
        assert_eq!(halved.notice(), 450);
        assert!(AutoDisable { notice_secs: Some(31 * 86_400), ..rule }.check().is_err());
    }

    #[test]
    fn the_reason_reads_as_words() {
        let rule = AutoDisable { after_secs: 8, min_failures: 3, notice_secs: Some(4) };
        let streak = Streak { consecutive_failures: 3, failing_since: Some(at(0)), exhausted: 3 };
        assert_eq!(
            rule.reason(&streak, Some(at(5)), at(9)),
            "every delivery failed for 9 s (3 deliveries out of retries), warned 4 s before; \
             the rule disables an endpoint after 8 s of failures with 3 deliveries out of retries, 4 s after a warning"
        );
        assert_eq!(duration_words(5 * 86_400), "5 days");
        assert_eq!(duration_words(9_000), "2 h 30 min");
        assert_eq!(duration_words(86_401), "1 day 1 s");
    }

    #[test]
    fn zero_failures_is_refused() {
        assert!(AutoDisable { after_secs: 0, min_failures: 0, notice_secs: None }.check().is_err());
        assert!(AutoDisable { after_secs: 0, min_failures: 1 << 63, notice_secs: None }.check().is_err());
        assert!(AutoDisable::default().check().is_ok());
    }
}
