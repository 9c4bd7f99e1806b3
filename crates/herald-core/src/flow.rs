//! Flow control of one endpoint: a send rate with a burst, a cap on the
//! deliveries in flight at once, and pausing. An endpoint with any of
//! these is *gated*: its deliveries are claimed only through its gate,
//! which the store keeps for every node (the bucket's tokens, the leases in
//! flight), and never handed over in memory. Pure: the caller passes the
//! time and the stored state.

use serde::{Deserialize, Serialize};

use crate::ParseError;

/// `rate_limit` in a profile: deliveries per second on average, and how
/// many may go out at once after a quiet spell (default: one second's
/// worth, at least 1).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RateLimit {
    /// 1/3600 (one an hour) to 100000.
    #[schema(minimum = 0.000_277_777_777_777_777_8, maximum = 100_000)]
    pub per_second: f64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(minimum = 1, maximum = 100_000)]
    pub burst: Option<u32>,
}

/// The highest rate a profile may set.
pub const MAX_RATE: f64 = 100_000.0;
/// The lowest: one delivery an hour.
pub const MIN_RATE: f64 = 1.0 / 3600.0;

impl RateLimit {
    pub fn check(&self) -> Result<(), ParseError> {
        if !self.per_second.is_finite() || !(MIN_RATE..=MAX_RATE).contains(&self.per_second) {
            return Err(ParseError::new("rate_limit.per_second must be between 1/3600 and 100000"));
        }
        if matches!(self.burst, Some(0)) || self.burst.is_some_and(|b| b > 100_000) {
            return Err(ParseError::new("rate_limit.burst must be between 1 and 100000"));
        }
        Ok(())
    }
}

/// `circuit_breaker` in a profile: after `failures` consecutive failed
/// attempts the endpoint's circuit opens and its due deliveries wait
/// (using no attempts); after `cool_down_secs` one probe goes out, and a
/// success closes the circuit (a failure opens it again).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CircuitBreaker {
    #[schema(minimum = 1, maximum = 1000)]
    pub failures: u32,
    #[schema(minimum = 1, maximum = 86_400)]
    pub cool_down_secs: u64,
}

impl CircuitBreaker {
    pub fn check(&self) -> Result<(), ParseError> {
        if !(1..=1000).contains(&self.failures) {
            return Err(ParseError::new("circuit_breaker.failures must be between 1 and 1000"));
        }
        if !(1..=86_400).contains(&self.cool_down_secs) {
            return Err(ParseError::new("circuit_breaker.cool_down_secs must be between 1 and 86400"));
        }
        Ok(())
    }

    /// Whether a streak of `consecutive` failures opens the circuit.
    pub fn opens_at(&self, consecutive: u64) -> bool {
        consecutive >= u64::from(self.failures)
    }
}

/// One token in the bucket's unit: the bucket counts micro-tokens, so that
/// a rate in milli-deliveries per second adds a whole number per
/// millisecond.
pub const TOKEN: i64 = 1_000_000;

/// `ordering` in a profile.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Ordering {
    /// A message (of an ordering key, given at publish) is sent only once
    /// the one before it was delivered or finally failed.
    Fifo,
}

/// What an endpoint's gate enforces, as the store keeps it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Gate {
    /// Deliveries per 1,000 seconds (milli-deliveries per second).
    pub rate_milli: Option<i64>,
    /// The bucket's size in deliveries.
    pub burst: i64,
    pub max_in_flight: Option<i64>,
    /// In order, per ordering key.
    pub fifo: bool,
}

impl Gate {
    /// The gate a rate limit and a cap make; `None` when neither is set.
    pub fn of(rate: Option<RateLimit>, max_in_flight: Option<u32>, ordering: Option<Ordering>) -> Option<Self> {
        let fifo = ordering == Some(Ordering::Fifo);
        if rate.is_none() && max_in_flight.is_none() && !fifo {
            return None;
        }
        // Checked rates are positive and at most MAX_RATE: they fit.
        #[allow(clippy::cast_possible_truncation)]
        let rate_milli = rate.map(|r| ((r.per_second * 1000.0).round() as i64).max(1));
        #[allow(clippy::cast_possible_truncation)]
        let burst = rate.map_or(1, |r| r.burst.map_or_else(|| r.per_second.ceil().max(1.0) as i64, i64::from));
        Some(Self { rate_milli, burst, max_in_flight: max_in_flight.map(i64::from), fifo })
    }

    /// A full bucket, for a gate made now.
    pub fn full(&self) -> i64 {
        self.burst.saturating_mul(TOKEN)
    }
}

/// The stored bucket: micro-tokens at `at_ms`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Bucket {
    pub tokens: i64,
    pub at_ms: i64,
}

/// What one claim may take through a gate.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Allowance {
    /// Deliveries to lease now.
    pub take: u32,
    /// The bucket once they are taken (unchanged without a rate).
    pub bucket: Bucket,
    /// When the next token is there, if the rate is what holds back.
    pub next_at_ms: Option<i64>,
}

/// How many of `want` due deliveries may go out now, with `in_flight`
/// already out.
pub fn allowance(gate: &Gate, bucket: Bucket, in_flight: i64, want: u32, now_ms: i64) -> Allowance {
    let mut take = i64::from(want);
    if let Some(cap) = gate.max_in_flight {
        take = take.min((cap - in_flight).max(0));
    }
    let Some(rate) = gate.rate_milli else {
        return Allowance { take: clamp(take), bucket, next_at_ms: None };
    };
    let elapsed = (now_ms - bucket.at_ms).max(0);
    let tokens = bucket.tokens.saturating_add(elapsed.saturating_mul(rate)).min(gate.full());
    take = take.min(tokens / TOKEN);
    let left = tokens - take * TOKEN;
    let next_at_ms = (left < TOKEN).then(|| now_ms + (TOKEN - left + rate - 1) / rate);
    Allowance { take: clamp(take), bucket: Bucket { tokens: left, at_ms: now_ms.max(bucket.at_ms) }, next_at_ms }
}

fn clamp(n: i64) -> u32 {
    u32::try_from(n.max(0)).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gate(per_second: f64, burst: Option<u32>, cap: Option<u32>) -> Gate {
        Gate::of(Some(RateLimit { per_second, burst }), cap, None).unwrap()
    }

    #[test]
    fn no_limits_no_gate() {
        assert_eq!(Gate::of(None, None, None), None);
        assert!(Gate::of(None, None, Some(Ordering::Fifo)).unwrap().fifo);
        let g = Gate::of(None, Some(3), None).unwrap();
        assert_eq!(g.rate_milli, None);
        let a = allowance(&g, Bucket { tokens: 0, at_ms: 0 }, 1, 10, 5);
        assert_eq!((a.take, a.next_at_ms), (2, None), "the cap alone: 3 - 1 in flight");
    }

    #[test]
    fn the_burst_defaults_to_a_seconds_worth() {
        assert_eq!(gate(10.0, None, None).burst, 10);
        assert_eq!(gate(0.5, None, None).burst, 1);
        assert_eq!(gate(2.5, Some(7), None).burst, 7);
        assert_eq!(gate(0.5, None, None).rate_milli, Some(500));
    }

    #[test]
    fn a_full_bucket_then_the_rate() {
        let g = gate(10.0, Some(3), None);
        let a = allowance(&g, Bucket { tokens: g.full(), at_ms: 0 }, 0, 10, 0);
        assert_eq!(a.take, 3);
        assert_eq!(a.next_at_ms, Some(100), "one token per 100 ms");
        let b = allowance(&g, a.bucket, 0, 10, 50);
        assert_eq!((b.take, b.next_at_ms), (0, Some(100)));
        let c = allowance(&g, b.bucket, 0, 10, 100);
        assert_eq!((c.take, c.next_at_ms), (1, Some(200)));
        // A quiet spell refills only up to the burst.
        let d = allowance(&g, c.bucket, 0, 10, 60_000);
        assert_eq!(d.take, 3);
    }

    #[test]
    fn slow_rates_keep_their_fractions() {
        let g = gate(0.5, None, None);
        let a = allowance(&g, Bucket { tokens: g.full(), at_ms: 0 }, 0, 5, 0);
        assert_eq!((a.take, a.next_at_ms), (1, Some(2000)));
        let mut bucket = a.bucket;
        for t in (1..2000).step_by(7) {
            let x = allowance(&g, bucket, 0, 5, t);
            assert_eq!(x.take, 0);
            bucket = x.bucket;
        }
        assert_eq!(allowance(&g, bucket, 0, 5, 2000).take, 1, "many small steps add up exactly");
    }

    #[test]
    fn the_cap_and_the_rate_together() {
        let g = gate(100.0, Some(50), Some(4));
        let a = allowance(&g, Bucket { tokens: g.full(), at_ms: 0 }, 3, 10, 0);
        assert_eq!(a.take, 1, "the cap holds back first");
        assert_eq!(a.bucket.tokens, 49 * TOKEN, "only what was taken is spent");
        assert_eq!(a.next_at_ms, None, "tokens are left: the rate is not what waits");
        assert_eq!(allowance(&g, a.bucket, 4, 10, 1).take, 0);
    }

    #[test]
    fn time_going_back_mints_nothing() {
        let g = gate(1.0, Some(1), None);
        let a = allowance(&g, Bucket { tokens: 0, at_ms: 1000 }, 0, 1, 0);
        assert_eq!(a.take, 0);
        assert_eq!(a.bucket.at_ms, 1000);
    }

    #[test]
    fn a_breaker_opens_at_its_count() {
        let b = CircuitBreaker { failures: 3, cool_down_secs: 10 };
        assert!(!b.opens_at(2) && b.opens_at(3) && b.opens_at(30));
        assert!(CircuitBreaker { failures: 0, cool_down_secs: 10 }.check().is_err());
        assert!(CircuitBreaker { failures: 3, cool_down_secs: 0 }.check().is_err());
        assert!(b.check().is_ok());
    }

    #[test]
    fn bad_limits_are_refused() {
        assert!(RateLimit { per_second: 0.0, burst: None }.check().is_err());
        assert!(RateLimit { per_second: f64::NAN, burst: None }.check().is_err());
        assert!(RateLimit { per_second: 1e9, burst: None }.check().is_err());
        assert!(RateLimit { per_second: 5.0, burst: Some(0) }.check().is_err());
        assert!(RateLimit { per_second: 5.0, burst: Some(10) }.check().is_ok());
    }
}
