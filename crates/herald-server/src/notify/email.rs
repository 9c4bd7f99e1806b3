//! Email to an application's contact address about its failing endpoints:
//! a warning before Herald disables one, a notice when it does.

use lettre::message::Mailbox;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use herald_store::{AttemptFilter, Notification, PageRequest, Store};

use super::Failure;

pub struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
}

impl Mailer {
    /// `smtp://host:25`, `smtp://user:pass@host:587?tls=required`,
    /// `smtps://host:465`.
    pub fn new(smtp_url: &str, from: &str) -> anyhow::Result<Self> {
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(smtp_url.trim())
            .map_err(|e| anyhow::anyhow!("notify.smtp_url: {e}"))?
            .timeout(Some(std::time::Duration::from_secs(30)))
            .build();
        let from = from.parse().map_err(|e| anyhow::anyhow!("notify.email_from: {e}"))?;
        Ok(Self { transport, from })
    }

    pub async fn send(&self, store: &dyn Store, n: &Notification) -> Result<(), Failure> {
        let (Some(app_id), Some(ep_id)) = (&n.app_id, &n.endpoint_id) else {
            return Err(Failure::Permanent("an email notification without an application".into()));
        };
        let app = store.get_app(app_id.as_str()).await.map_err(|e| Failure::Retry(e.to_string()))?;
        let Some(to) = app.contact_email.as_deref() else {
            return Err(Failure::Permanent(format!("application {app_id} has no contact_email")));
        };
        let to: Mailbox = to.parse().map_err(|e| Failure::Permanent(format!("contact_email {to}: {e}")))?;
        let page = PageRequest { limit: 5, before: None };
        let attempts = store
            .list_attempts(app_id, AttemptFilter::Endpoint(ep_id.clone()), page)
            .await
            .map_err(|e| Failure::Retry(e.to_string()))?;
        let errors: Vec<String> = attempts
            .items
            .iter()
            .filter(|a| !a.record.success)
            .map(|a| {
                let status = a.record.status_code.map_or_else(|| "no response".to_owned(), |c| format!("HTTP {c}"));
                format!("  {}  {}", a.record.at.to_rfc3339(), a.record.error.as_deref().unwrap_or(&status))
            })
            .collect();
        let (subject, body) = render(&app.name, n, &errors);
        let email = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(subject)
            .header(lettre::message::header::ContentType::TEXT_PLAIN)
            .body(body)
            .map_err(|e| Failure::Permanent(format!("building the email: {e}")))?;
        self.transport.send(email).await.map_err(|e| Failure::Retry(format!("the SMTP server: {e}")))?;
        Ok(())
    }
}

/// The subject and text of the email for `n`.
fn render(app_name: &str, n: &Notification, errors: &[String]) -> (String, String) {
    let d = &n.data;
    let text = |k: &str| d.get(k).and_then(|v| v.as_str()).unwrap_or("?").to_owned();
    let (app_id, ep_id, url) = (text("app_id"), text("endpoint_id"), text("url"));
    let failing = format!(
        "It has failed {} times in a row since {}, and {} deliveries have used up their retries.",
        d.get("consecutive_failures").and_then(serde_json::Value::as_u64).unwrap_or(0),
        text("failing_since"),
        d.get("exhausted").and_then(serde_json::Value::as_u64).unwrap_or(0),
    );
    let recent = if errors.is_empty() { "  (none recorded)".to_owned() } else { errors.join("\n") };
    let enable = format!(
        "To re-enable it once it is fixed (and send again what failed meanwhile):\n\n  \
         POST /api/v1/apps/{app_id}/endpoints/{ep_id}/enable  {{\"recover\": true}}\n\n\
         or PATCH /api/v1/apps/{app_id}/endpoints/{ep_id} with {{\"disabled\": false}}."
    );
    if n.event_type == "endpoint.warning" {
        let rule = d.get("rule").cloned().unwrap_or_default();
        (
            format!("Webhook endpoint {url} is failing"),
            format!(
                "Hello {app_name},\n\nyour webhook endpoint {url} ({ep_id}) is failing. {failing}\n\n\
                 If it keeps failing it will be disabled, no earlier than {}: endpoints are disabled {}.\n\
                 Fix the endpoint (a single delivered event ends the failing streak) and nothing happens.\n\n\
                 Latest errors:\n{recent}\n\n-- Herald\n",
                text("disables_at"),
                rule.get("in_words").and_then(serde_json::Value::as_str).unwrap_or("when it keeps failing"),
            ),
        )
    } else {
        (
            format!("Webhook endpoint {url} has been disabled"),
            format!(
                "Hello {app_name},\n\nyour webhook endpoint {url} ({ep_id}) has been disabled: {}.\n\
                 No events are sent to it until it is enabled again.\n\nLatest errors:\n{recent}\n\n{enable}\n\n-- Herald\n",
                text("reason"),
            ),
        )
    }
}
