//! A delivery's states and the pure decision taken after each attempt.

use std::time::Duration;

use serde::Serialize;

use crate::retry::RetryPolicy;

/// Where one message stands for one endpoint.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DeliveryState {
    /// Not attempted yet.
    Pending,
    /// Attempted, failed, another attempt is scheduled.
    Retrying,
    /// A 2xx response was received.
    Delivered,
    /// No attempts left (or the endpoint is gone); kept for the log.
    Failed,
}

impl DeliveryState {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Retrying => "retrying",
            Self::Delivered => "delivered",
            Self::Failed => "failed",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "pending" => Self::Pending,
            "retrying" => Self::Retrying,
            "delivered" => Self::Delivered,
            "failed" => Self::Failed,
            _ => return None,
        })
    }
}

/// What one attempt produced, as far as the decision needs to know.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AttemptResult {
    /// The receiver answered with this status; `success` when it counts as
    /// delivered (a 2xx, or one of the endpoint's `success_status`).
    Status { code: u16, retry_after: Option<Duration>, success: bool },
    /// No HTTP answer: refused, reset, timed out, TLS failure.
    NetworkError,
}

/// What to do next.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Decision {
    Delivered,
    RetryIn(Duration),
    /// The last attempt failed.
    Exhausted,
    /// The receiver answered 410 Gone: fail now and disable the endpoint.
    EndpointGone,
}

/// Decides after attempt number `attempt` (1-based). Only 2xx is success
/// (the sender tells which, see `Profile::is_success`);
/// 3xx is a failure (redirects are never followed). `Retry-After` counts on
/// 429 and 503 only.
pub fn decide(
    result: AttemptResult,
    attempt: u32,
    policy: &RetryPolicy,
    jitter_sample: f64,
    max_retry_after: Duration,
) -> Decision {
    let retry_after = match result {
        AttemptResult::Status { success: true, .. } => return Decision::Delivered,
        AttemptResult::Status { code: 410, .. } => return Decision::EndpointGone,
        AttemptResult::Status { code: 429 | 503, retry_after, .. } => retry_after,
        _ => None,
    };
    match policy.next_delay(attempt, jitter_sample, retry_after, max_retry_after) {
        Some(d) => Decision::RetryIn(d),
        None => Decision::Exhausted,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CAP: Duration = Duration::from_secs(3_600);

    fn status(code: u16) -> AttemptResult {
        AttemptResult::Status { code, retry_after: None, success: (200..300).contains(&code) }
    }

    #[test]
    fn only_2xx_is_success() {
        let p = RetryPolicy::default();
        assert_eq!(decide(status(200), 1, &p, 0.0, CAP), Decision::Delivered);
        assert_eq!(decide(status(204), 1, &p, 0.0, CAP), Decision::Delivered);
        for code in [301, 302, 304, 400, 404, 500, 502] {
            assert_eq!(decide(status(code), 1, &p, 0.0, CAP), Decision::RetryIn(Duration::from_secs(5)), "{code}");
        }
        assert_eq!(decide(AttemptResult::NetworkError, 1, &p, 0.0, CAP), Decision::RetryIn(Duration::from_secs(5)));
    }

    #[test]
    fn gone_disables_and_last_attempt_exhausts() {
        let p = RetryPolicy::default();
        assert_eq!(decide(status(410), 1, &p, 0.0, CAP), Decision::EndpointGone);
        assert_eq!(decide(status(500), 8, &p, 0.0, CAP), Decision::Exhausted);
    }

    #[test]
    fn retry_after_only_counts_on_429_and_503() {
        let p = RetryPolicy::default();
        let ask = Some(Duration::from_secs(30));
        let with = |code| AttemptResult::Status { code, retry_after: ask, success: false };
        assert_eq!(decide(with(429), 1, &p, 0.0, CAP), Decision::RetryIn(Duration::from_secs(30)));
        assert_eq!(decide(with(503), 1, &p, 0.0, CAP), Decision::RetryIn(Duration::from_secs(30)));
        assert_eq!(decide(with(500), 1, &p, 0.0, CAP), Decision::RetryIn(Duration::from_secs(5)));
    }
}

/// Where an endpoint stands with its profile's verification handshake.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum VerifyState {
    /// Not yet answered correctly: receives no events.
    Pending,
    Verified,
    /// The last handshake failed (see the endpoint's `verification.error`).
    Failed,
}

impl VerifyState {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Verified => "verified",
            Self::Failed => "failed",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "pending" => Self::Pending,
            "verified" => Self::Verified,
            "failed" => Self::Failed,
            _ => return None,
        })
    }
}
