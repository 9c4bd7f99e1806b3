//! What will happen to an endpoint's deliveries: its effective policy, the
//! application's profile with the endpoint's on top and the server's
//! settings under both, exactly as the worker reads them.

use herald_core::profile::{Profile, Signature};
use serde::Serialize;
use utoipa::ToSchema;

use crate::worker::Sender;

/// The policy in force for an endpoint.
#[derive(Serialize, ToSchema)]
pub(super) struct PolicyView {
    /// The waits (seconds) before each retry; `[]`: one attempt only.
    retry_schedule_secs: Vec<u64>,
    /// Every wait moves by up to this fraction either way.
    retry_jitter: f64,
    /// Attempts in all: the first and one per wait.
    max_attempts: u32,
    /// Event types with a policy of their own (`retry_by_event_type`).
    retry_overrides: Vec<String>,
    /// Per request.
    timeout_ms: u64,
    /// The status codes that count as delivered; `null`: any 2xx.
    success_status: Option<Vec<u16>>,
    /// How deliveries are signed (the profile's `signature`; default
    /// Standard Webhooks).
    #[schema(value_type = Object)]
    signature: Signature,
    auto_disable: AutoDisableView,
    /// Where each of these comes from: `endpoint`, `application` or `server`.
    #[schema(value_type = Object)]
    set_by: serde_json::Value,
}

#[derive(Serialize, ToSchema)]
struct AutoDisableView {
    after_secs: u64,
    min_failures: u64,
    /// The least time between the warning to the owner and the disable.
    notice_secs: u64,
    /// The rule in words.
    in_words: String,
}

impl PolicyView {
    pub(super) fn of(sender: &Sender, app: Option<&Profile>, endpoint: Option<&Profile>) -> Self {
        let effective = Profile::effective(app, endpoint);
        let custom = effective.retry.as_ref().and_then(|r| r.policy().ok().flatten());
        let retry = custom.as_ref().unwrap_or(&sender.policy);
        let rule = effective.auto_disable.unwrap_or(sender.auto_disable);
        let origin = |get: fn(&Profile) -> bool| {
            if endpoint.is_some_and(get) {
                "endpoint"
            } else if app.is_some_and(get) {
                "application"
            } else {
                "server"
            }
        };
        let set_by = serde_json::json!({
            "retry": origin(|p| p.retry.as_ref().is_some_and(|r| r.policy().ok().flatten().is_some())),
            "timeout_ms": origin(|p| p.timeout_ms.is_some()),
            "success_status": origin(|p| p.success_status.is_some()),
            "signature": origin(|p| p.signature.is_some()),
            "auto_disable": origin(|p| p.auto_disable.is_some()),
        });
        Self {
            retry_schedule_secs: retry.delays().iter().map(std::time::Duration::as_secs).collect(),
            retry_jitter: retry.jitter(),
            max_attempts: retry.max_attempts(),
            retry_overrides: effective.retry_by_event_type.iter().flatten().map(|(k, _)| k.clone()).collect(),
            timeout_ms: effective
                .timeout_ms
                .unwrap_or_else(|| u64::try_from(sender.timeout.as_millis()).unwrap_or(u64::MAX)),
            success_status: effective.success_status.clone(),
            signature: effective.signature.clone().unwrap_or(Signature::StandardWebhooks),
            auto_disable: AutoDisableView {
                after_secs: rule.after_secs,
                min_failures: rule.min_failures,
                notice_secs: rule.notice(),
                in_words: rule.describe(),
            },
            set_by,
        }
    }
}
