//! The fields `create` and `update` take, named as flags per resource
//! (`herald endpoint create --url …`), with `--set key=value` and `--data`
//! for every other field of the API's JSON body.

use clap::Args;
use serde_json::{Map, Value};

use crate::error::CliError;

/// A resource's own flags, put into the request body.
pub trait Fields: Args {
    /// The fields given as flags, as the API's JSON.
    fn fields(&self) -> Result<Map<String, Value>, CliError>;
}

fn put(body: &mut Map<String, Value>, key: &str, value: Option<&String>) {
    if let Some(v) = value {
        body.insert(key.to_owned(), Value::String(v.clone()));
    }
}

/// An application's fields.
#[derive(Args, Debug, Default)]
pub struct AppFields {
    /// Its name, as people read it (required to create).
    #[arg(long)]
    pub name: Option<String>,
    /// Your own id for it (e.g. your customer's id), usable wherever an
    /// application id is.
    #[arg(long)]
    pub uid: Option<String>,
    /// Where warnings about its failing endpoints are emailed.
    #[arg(long)]
    pub contact_email: Option<String>,
}

impl Fields for AppFields {
    fn fields(&self) -> Result<Map<String, Value>, CliError> {
        let mut body = Map::new();
        put(&mut body, "name", self.name.as_ref());
        put(&mut body, "uid", self.uid.as_ref());
        put(&mut body, "contact_email", self.contact_email.as_ref());
        Ok(body)
    }
}

/// An event type's fields.
#[derive(Args, Debug, Default)]
pub struct EventTypeFields {
    /// Its name, e.g. `referral.converted` (required to create).
    #[arg(long)]
    pub name: Option<String>,
    /// What it means, shown to your customers.
    #[arg(long)]
    pub description: Option<String>,
    /// A JSON Schema its payloads must match: JSON, `@file.json` or `-`.
    #[arg(long)]
    pub schema: Option<String>,
    /// An example payload (shown in the portal, sent as its test event):
    /// JSON, `@file.json` or `-`.
    #[arg(long)]
    pub example: Option<String>,
}

impl Fields for EventTypeFields {
    fn fields(&self) -> Result<Map<String, Value>, CliError> {
        let mut body = Map::new();
        put(&mut body, "name", self.name.as_ref());
        put(&mut body, "description", self.description.as_ref());
        for (key, arg) in [("schema", &self.schema), ("example", &self.example)] {
            if let Some(a) = arg {
                body.insert(key.to_owned(), crate::read_json(a)?);
            }
        }
        Ok(body)
    }
}

/// An endpoint's fields.
#[derive(Args, Debug, Default)]
pub struct EndpointFields {
    /// The URL Herald delivers this endpoint's events to (required to
    /// create), e.g. https://example.com/webhooks.
    #[arg(long)]
    pub url: Option<String>,
    /// Only these event types (a name or a `*` pattern such as
    /// `referral.*`); repeat for more. Default: every event.
    #[arg(long = "event-type", value_name = "TYPE")]
    pub event_types: Vec<String>,
    /// A note for people.
    #[arg(long)]
    pub description: Option<String>,
    /// A header sent with every delivery: `--header 'X-Env: prod'`; repeat for more.
    #[arg(long = "header", value_name = "NAME: VALUE")]
    pub headers: Vec<String>,
}

impl Fields for EndpointFields {
    fn fields(&self) -> Result<Map<String, Value>, CliError> {
        let mut body = Map::new();
        put(&mut body, "url", self.url.as_ref());
        put(&mut body, "description", self.description.as_ref());
        if !self.event_types.is_empty() {
            body.insert("event_types".to_owned(), self.event_types.clone().into());
        }
        if !self.headers.is_empty() {
            let mut headers = Map::new();
            for h in &self.headers {
                let (k, v) =
                    h.split_once(':').ok_or_else(|| CliError::Usage(format!("--header {h}: use 'Name: value'")))?;
                headers.insert(k.trim().to_owned(), Value::String(v.trim().to_owned()));
            }
            body.insert("headers".to_owned(), Value::Object(headers));
        }
        Ok(body)
    }
}
