//! Operational webhooks: Herald's own events, POSTed to the operator URL
//! in the Standard Webhooks envelope and signature, so the provider can
//! verify them with the same libraries its customers use.

use std::time::Duration;

use herald_core::destination::{parse_cidrs, DestinationPolicy};
use herald_core::endpoint::{EndpointSecret, EndpointUrl};
use herald_core::Clock;
use herald_store::Notification;
use http::header::{HeaderMap, HeaderValue, CONTENT_TYPE, USER_AGENT};
use std::sync::Arc;

use super::Failure;
use crate::worker::http::HttpClient;
use crate::worker::USER_AGENT_VALUE;

pub struct OperatorHook {
    url: EndpointUrl,
    secret: EndpointSecret,
    client: HttpClient,
    clock: Arc<dyn Clock>,
    timeout: Duration,
}

impl OperatorHook {
    /// The operator's URL is configuration, not a customer's input: every
    /// address is allowed for it.
    pub fn new(url: &str, secret: &str, clock: Arc<dyn Clock>, timeout: Duration) -> anyhow::Result<Self> {
        let any = parse_cidrs("0.0.0.0/0,::/0").map_err(|e| anyhow::anyhow!("{e}"))?;
        Ok(Self {
            url: EndpointUrl::parse(url.trim()).map_err(|e| anyhow::anyhow!("notify.webhook_url: {e}"))?,
            secret: EndpointSecret::parse(secret.trim()).map_err(|e| anyhow::anyhow!("notify.webhook_secret: {e}"))?,
            client: HttpClient::new(DestinationPolicy::new(any, false))?,
            clock,
            timeout,
        })
    }

    pub async fn send(&self, n: &Notification) -> Result<(), Failure> {
        let body = serde_json::json!({
            "type": n.event_type,
            "timestamp": n.created_at.to_rfc3339(),
            "data": n.data,
        })
        .to_string();
        let now = self.clock.now().as_secs();
        let mut headers = HeaderMap::new();
        let mut put = |name: &'static str, value: String| {
            if let Ok(v) = HeaderValue::try_from(value) {
                headers.insert(name, v);
            }
        };
        put("webhook-id", n.msg_id.clone());
        put("webhook-timestamp", now.to_string());
        put("webhook-signature", self.secret.sign(&n.msg_id, now, body.as_bytes()));
        headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
        headers.insert(USER_AGENT, HeaderValue::from_static(USER_AGENT_VALUE));
        match self.client.post(self.url.as_str(), headers, body, self.timeout, 256).await {
            Ok(a) if a.status.is_success() => Ok(()),
            Ok(a) => Err(Failure::Retry(format!("the operator URL answered HTTP {}", a.status.as_u16()))),
            Err(e) => Err(Failure::Retry(format!("the operator URL: {e}"))),
        }
    }
}
