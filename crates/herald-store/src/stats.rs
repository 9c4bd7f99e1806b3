//! Delivery statistics, kept as per-endpoint, per-minute rollups that each
//! settle adds its outcomes to, so a window's figures are a sum over at
//! most a few thousand rows whatever the number of attempts. Latencies go
//! into a fixed histogram; the p95 is the upper bound of its bucket.

use std::collections::BTreeMap;

use crate::{NextState, Settlement};

/// Upper bounds (ms) of the latency buckets; the last takes the rest (a
/// request never outlasts its timeout, at most 60 s).
pub const LATENCY_BOUNDS_MS: [u64; 12] = [5, 10, 25, 50, 100, 250, 500, 1_000, 2_500, 5_000, 10_000, 60_000];

const MINUTE_MS: i64 = 60_000;

/// One endpoint's outcomes in one minute.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Rollup {
    pub endpoint_id: String,
    pub app_id: String,
    pub minute: i64,
    pub attempts: i64,
    /// Attempts answered with a success.
    pub successes: i64,
    /// Deliveries that reached delivered (each once).
    pub delivered: i64,
    /// Deliveries that ended failed (retries exhausted, or not sendable),
    /// less those a replay delivered or a recovery re-queued since: a net
    /// count, so it may be negative in one minute.
    pub failures: i64,
    /// Attempts after the first of their delivery.
    pub retries: i64,
    pub latency_sum_ms: i64,
    pub buckets: [i64; 12],
}

/// A window's counts in one minute (every endpoint in scope together).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct MinuteCounts {
    /// The minute's start (epoch ms).
    pub minute: i64,
    pub attempts: u64,
    pub successes: u64,
    pub delivered: i64,
    pub failures: i64,
}

fn bucket(latency_ms: u64) -> usize {
    LATENCY_BOUNDS_MS.iter().position(|b| latency_ms <= *b).unwrap_or(LATENCY_BOUNDS_MS.len() - 1)
}

/// The rollup rows a batch of settled outcomes adds, one per endpoint and
/// minute (of the attempt, else of `now_ms`). Deliveries are counted by the
/// state they reach: a replay (`replay_of` set) of a delivered one adds
/// nothing, one that delivers a failed one moves it from failed to
/// delivered, one that fails again leaves it failed once.
pub fn rollups<'a>(settled: impl IntoIterator<Item = &'a Settlement>, now_ms: i64) -> Vec<Rollup> {
    let mut by: BTreeMap<(String, i64), Rollup> = BTreeMap::new();
    for s in settled {
        let (delivered, failures) = moves(s);
        if s.attempt.is_none() && delivered == 0 && failures == 0 {
            continue;
        }
        let at = s.attempt.as_ref().map_or(now_ms, |(_, a)| a.at.as_millis());
        let r = row(&mut by, s.endpoint_id.as_str(), s.app_id.as_str(), at);
        r.delivered += delivered;
        r.failures += failures;
        if let Some((_, a)) = &s.attempt {
            r.attempts += 1;
            r.successes += i64::from(a.success);
            r.retries += i64::from(a.attempt_number > 1);
            r.latency_sum_ms += i64::try_from(a.latency_ms).unwrap_or(i64::MAX);
            r.buckets[bucket(a.latency_ms)] += 1;
        }
    }
    by.into_values().collect()
}

/// What a settle does to the delivered and failed counts.
fn moves(s: &Settlement) -> (i64, i64) {
    use herald_core::delivery::DeliveryState as D;
    match (s.replay_of, &s.next) {
        (None, NextState::Delivered) => (1, 0),
        (None, NextState::Failed) => (0, 1),
        (Some(D::Failed), NextState::Delivered) => (1, -1),
        _ => (0, 0),
    }
}

fn row<'m>(by: &'m mut BTreeMap<(String, i64), Rollup>, endpoint: &str, app: &str, at: i64) -> &'m mut Rollup {
    let minute = at - at.rem_euclid(MINUTE_MS);
    by.entry((endpoint.to_owned(), minute)).or_insert_with(|| Rollup {
        endpoint_id: endpoint.to_owned(),
        app_id: app.to_owned(),
        minute,
        ..Rollup::default()
    })
}

/// The rollup rows a recovery batch adds: each re-queued failed delivery
/// leaves the failed count (it is pending again), in the minute of `now_ms`.
pub fn requeued<'a>(deliveries: impl IntoIterator<Item = (&'a str, &'a str)>, now_ms: i64) -> Vec<Rollup> {
    let mut by: BTreeMap<(String, i64), Rollup> = BTreeMap::new();
    for (endpoint, app) in deliveries {
        row(&mut by, endpoint, app, now_ms).failures -= 1;
    }
    by.into_values().collect()
}

/// A window's sums, as read back.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Totals {
    pub attempts: u64,
    /// Attempts answered with a success.
    pub successes: u64,
    /// Deliveries that reached delivered.
    pub delivered: u64,
    /// Deliveries failed (net: less those delivered or re-queued since;
    /// at least 0).
    pub failures: u64,
    pub retries: u64,
    pub latency_sum_ms: u64,
    pub buckets: [u64; 12],
    /// Deliveries waiting now (pending or retrying).
    pub backlog: u64,
}

impl Totals {
    pub fn success_rate(&self) -> Option<f64> {
        #[allow(clippy::cast_precision_loss)]
        (self.attempts > 0).then(|| self.successes as f64 / self.attempts as f64)
    }

    pub fn average_latency_ms(&self) -> Option<f64> {
        #[allow(clippy::cast_precision_loss)]
        (self.attempts > 0).then(|| self.latency_sum_ms as f64 / self.attempts as f64)
    }

    /// The upper bound of the bucket that holds the 95th percentile.
    pub fn p95_latency_ms(&self) -> Option<u64> {
        if self.attempts == 0 {
            return None;
        }
        let rank = (self.attempts * 95).div_ceil(100);
        let mut seen = 0;
        for (i, n) in self.buckets.iter().enumerate() {
            seen += n;
            if seen >= rank {
                return Some(LATENCY_BOUNDS_MS[i]);
            }
        }
        LATENCY_BOUNDS_MS.last().copied()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_p95_is_the_bucket_of_the_95th_attempt() {
        let mut t = Totals { attempts: 100, ..Totals::default() };
        t.buckets[1] = 94; // <= 10 ms
        t.buckets[5] = 6; // <= 250 ms
        assert_eq!(t.p95_latency_ms(), Some(250));
        t.buckets = [0; 12];
        t.buckets[1] = 95;
        t.buckets[9] = 5;
        assert_eq!(t.p95_latency_ms(), Some(10));
        assert_eq!(Totals::default().p95_latency_ms(), None);
        assert_eq!(bucket(0), 0);
        assert_eq!(bucket(5), 0);
        assert_eq!(bucket(6), 1);
        assert_eq!(bucket(999_999), 11);
    }
}
