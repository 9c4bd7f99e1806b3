//! The HTTP side: one request to the server's `/api/v1`, JSON in and out,
//! errors turned into the API's own message.

use reqwest::Method;
use serde_json::Value;

use crate::conn::Conn;
use crate::error::CliError;

pub struct Api {
    http: reqwest::Client,
    base: String,
    token: String,
}

impl Api {
    pub fn new(conn: Conn) -> Result<Self, CliError> {
        // No redirects: the token goes to the configured server and nowhere
        // else, whatever that server answers.
        let http = reqwest::Client::builder()
            .user_agent(concat!("herald-cli/", env!("CARGO_PKG_VERSION")))
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| CliError::Transport(e.to_string()))?;
        Ok(Self { http, base: format!("{}/api/v1", conn.url), token: conn.token })
    }

    pub fn request(&self, method: Method, path: &str) -> reqwest::RequestBuilder {
        self.http.request(method, format!("{}{path}", self.base)).bearer_auth(&self.token)
    }

    /// Sends and reads the JSON answer (`null` for an empty one).
    pub async fn call(&self, method: Method, path: &str, body: Option<&Value>) -> Result<Value, CliError> {
        Ok(self.call_with_status(method, path, body).await?.1)
    }

    /// [`Api::call`], with the answer's status (a publish answers 200 for
    /// an `event_id` published before, 202 for a new message).
    pub async fn call_with_status(
        &self,
        method: Method,
        path: &str,
        body: Option<&Value>,
    ) -> Result<(u16, Value), CliError> {
        let mut req = self.request(method, path);
        if let Some(b) = body {
            req = req.json(b);
        }
        let resp = self.send(req).await?;
        let status = resp.status().as_u16();
        let text = resp.text().await.map_err(|e| CliError::Transport(e.to_string()))?;
        if text.is_empty() {
            return Ok((status, Value::Null));
        }
        serde_json::from_str(&text)
            .map(|v| (status, v))
            .map_err(|e| CliError::Transport(format!("the server's answer is not JSON: {e}")))
    }

    /// Sends; a non-2xx answer is an error carrying the API's message.
    pub async fn send(&self, req: reqwest::RequestBuilder) -> Result<reqwest::Response, CliError> {
        let resp =
            req.send().await.map_err(|e| CliError::Transport(format!("cannot reach the server: {}", causes(&e))))?;
        if resp.status().is_success() {
            return Ok(resp);
        }
        let status = resp.status().as_u16();
        if resp.status().is_redirection() {
            let to = resp.headers().get("location").and_then(|v| v.to_str().ok()).unwrap_or("elsewhere").to_owned();
            return Err(CliError::Transport(format!(
                "the server answered HTTP {status}, a redirect to {to}: not followed (the token goes only to \
                 the configured server); give that address as --server if it is Herald's"
            )));
        }
        let body: Value = resp.json().await.unwrap_or(Value::Null);
        let text = |k: &str| body.get(k).and_then(Value::as_str).map(str::to_owned);
        Err(CliError::Api {
            status,
            code: text("code").unwrap_or_else(|| "http_error".to_owned()),
            message: text("message").unwrap_or_else(|| format!("the server answered HTTP {status}")),
        })
    }

    pub async fn get(&self, path: &str) -> Result<Value, CliError> {
        self.call(Method::GET, path, None).await
    }

    /// Every item of a list, following `iterator` until `done`.
    pub async fn list_all(&self, path: &str, max: usize) -> Result<Vec<Value>, CliError> {
        let mut items = Vec::new();
        let sep = if path.contains('?') { '&' } else { '?' };
        let mut iterator: Option<String> = None;
        loop {
            let page_path = match &iterator {
                Some(it) => format!("{path}{sep}limit=250&iterator={it}"),
                None => format!("{path}{sep}limit=250"),
            };
            let page = self.get(&page_path).await?;
            items.extend(page["data"].as_array().cloned().unwrap_or_default());
            iterator = page["iterator"].as_str().map(str::to_owned);
            if page["done"].as_bool() != Some(false) || iterator.is_none() || items.len() >= max {
                items.truncate(max);
                return Ok(items);
            }
        }
    }
}

/// An error with its causes (`connection refused` is the last of them).
fn causes(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        let more = s.to_string();
        if !text.contains(&more) {
            text = format!("{text}: {more}");
        }
        source = s.source();
    }
    text
}

/// A path segment, percent-encoded.
pub fn seg(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}
