//! A token bucket: `rate` requests per second on average, bursts up to
//! `burst`. Pure: the caller passes the time.

#[derive(Clone, Debug)]
pub struct TokenBucket {
    rate: f64,
    burst: f64,
    tokens: f64,
    last_ms: i64,
}

impl TokenBucket {
    /// Full at `now_ms`.
    pub fn new(rate: f64, burst: f64, now_ms: i64) -> Self {
        Self { rate, burst, tokens: burst, last_ms: now_ms }
    }

    /// Takes one token, or says how many milliseconds until one is there.
    pub fn take(&mut self, now_ms: i64) -> Result<(), u64> {
        // Precision: milliseconds fit an f64 exactly for millions of years.
        #[allow(clippy::cast_precision_loss)]
        let elapsed = (now_ms - self.last_ms).max(0) as f64 / 1000.0;
        self.tokens = (self.tokens + elapsed * self.rate).min(self.burst);
        self.last_ms = self.last_ms.max(now_ms);
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            return Ok(());
        }
        let wait = ((1.0 - self.tokens) / self.rate * 1000.0).ceil();
        // A positive, finite wait for any positive rate.
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        Err(wait.max(1.0) as u64)
    }
}

#[cfg(test)]
mod tests {
    use super::TokenBucket;

    #[test]
    fn a_burst_then_the_rate() {
        let mut b = TokenBucket::new(10.0, 3.0, 0);
        assert!(b.take(0).is_ok() && b.take(0).is_ok() && b.take(0).is_ok());
        assert_eq!(b.take(0), Err(100));
        assert_eq!(b.take(50), Err(50));
        assert!(b.take(100).is_ok());
        assert!(b.take(100).is_err());
        // Idle time refills only up to the burst.
        for _ in 0..3 {
            assert!(b.take(10_000).is_ok());
        }
        assert!(b.take(10_000).is_err());
    }

    #[test]
    fn time_going_back_does_not_mint_tokens() {
        let mut b = TokenBucket::new(1.0, 1.0, 1_000);
        assert!(b.take(1_000).is_ok());
        assert!(b.take(0).is_err());
        assert!(b.take(1_500).is_err());
        assert!(b.take(2_000).is_ok());
    }
}
