//! The strings the handlers parse, as the OpenAPI document states them:
//! one schema per kind of text (an id, an event-type name or pattern, a
//! secret), built from the same prefixes and limits the parsers use, so a
//! client generated from the document never sends one the server refuses.

use std::borrow::Cow;

use herald_core::profile::Profile;
use herald_core::{AttemptId, EndpointId, MessageId, RecoveryId, TokenId};
use serde_json::{json, Map, Value};
use utoipa::openapi::schema::{ObjectBuilder, Schema, Type};
use utoipa::openapi::RefOr;
use utoipa::{PartialSchema, ToSchema};

/// A ULID as the ids' parser takes it: 26 characters of Crockford base32,
/// either case.
const ULID: &str = "[0-9A-HJKMNP-TV-Za-hjkmnp-tv-z]{26}";

/// The pattern of an id with this prefix.
pub fn id_pattern(prefix: &str) -> String {
    format!("^{prefix}{ULID}$")
}

/// Characters of an event-type name (`herald_core::event_type`), `-`
/// aside (it goes last in a class).
const NAME_CHARS: &str = "A-Za-z0-9_.:";

/// The `{app}` path segment: an application id or uid. Any id also has
/// the shape of a uid, so one pattern covers both.
pub const APP_REF_PATTERN: &str = "^[A-Za-z0-9._-]{1,256}$";

/// A host name the `url` crate takes as one (labels of letters and digits
/// joined by single hyphens, the last one letters, so never an IPv4
/// address nor a punycode label).
const HOST_NAME: &str = "(?:[A-Za-z0-9]+(?:-[A-Za-z0-9]+)*\\.)+[A-Za-z]{2,63}";

/// A path as a web address carries it.
const URL_PATH: &str = "(?:/[A-Za-z0-9._~%/-]*)?";

/// An endpoint's URL in the document: http(s) to a host name. The server
/// also takes an IP address literal, when it is one deliveries may reach.
pub fn endpoint_url_pattern() -> String {
    format!("^https?://{HOST_NAME}(?::[1-9][0-9]{{0,3}})?{URL_PATH}$")
}

/// A portal logo: an https:// address or a `data:image/` URL.
pub fn logo_url_pattern() -> String {
    format!("^(?:https://{HOST_NAME}(?::[1-9][0-9]{{0,3}})?{URL_PATH}|data:image/[ -~]*)$")
}

/// The pattern of each `{name}` path parameter, by its name.
pub fn path_pattern(name: &str) -> Option<String> {
    Some(match name {
        "app" => APP_REF_PATTERN.to_owned(),
        "endpoint" => id_pattern(EndpointId::PREFIX),
        "message" => id_pattern(MessageId::PREFIX),
        "attempt" => id_pattern(AttemptId::PREFIX),
        "recovery" => id_pattern(RecoveryId::PREFIX),
        "token" => id_pattern(TokenId::PREFIX),
        "name" => event_type_pattern(),
        _ => return None,
    })
}

fn event_type_pattern() -> String {
    format!("^[{NAME_CHARS}-]{{1,{}}}$", herald_core::event_type::MAX_NAME_LEN)
}

fn string(pattern: String, description: &str) -> RefOr<Schema> {
    ObjectBuilder::new().schema_type(Type::String).pattern(Some(pattern)).description(Some(description)).into()
}

macro_rules! text_schema {
    ($(#[$doc:meta])* $name:ident, $title:literal, $schema:expr) => {
        $(#[$doc])*
        pub struct $name;
        impl PartialSchema for $name {
            fn schema() -> RefOr<Schema> {
                $schema
            }
        }
        impl ToSchema for $name {
            fn name() -> Cow<'static, str> {
                Cow::Borrowed($title)
            }
        }
    };
}

text_schema!(
    /// An event-type name: `invoice.paid`.
    EventTypeText,
    "EventTypeName",
    string(event_type_pattern(), "An event-type name: letters, digits, `.`, `_`, `-` and `:` (1 to 256).")
);

text_schema!(
    /// An event-type name or a pattern with `*`: `invoice.*`.
    EventPatternText,
    "EventPattern",
    string(
        format!("^[{NAME_CHARS}*-]{{1,{}}}$", herald_core::event_type::MAX_NAME_LEN),
        "An event-type name, or a pattern where `*` stands for any characters (`invoice.*`).",
    )
);

text_schema!(
    /// A signing secret as `herald_core::secret::EndpointSecret::parse` takes it.
    SecretText,
    "Secret",
    string(
        // Canonical base64 (padded, unused bits zero). HMAC: a key of 24 to
        // 75 bytes: 8 to 25 whole groups, or 8 to 24 and a padded one (one
        // or two more bytes). ed25519: a 32-byte seed (the 64-byte form with
        // its public half is taken too; no pattern can check that half).
        concat!(
            "^(whsec_(?:[A-Za-z0-9+/]{4}){8,25}",
            "|whsec_(?:[A-Za-z0-9+/]{4}){8,24}(?:[A-Za-z0-9+/]{2}[AQgw]==|[A-Za-z0-9+/]{3}[AEIMQUYcgkosw048]=)",
            "|whsk_(?:[A-Za-z0-9+/]{4}){10}[A-Za-z0-9+/]{2}[AEIMQUYcgkosw048]=)$"
        )
        .to_owned(),
        "`whsec_` and a base64 HMAC key of 24 to 75 bytes, or `whsk_` and a base64 ed25519 seed (32 bytes).",
    )
);

text_schema!(
    /// An endpoint id.
    EndpointIdText,
    "EndpointId",
    string(id_pattern(EndpointId::PREFIX), "An endpoint id (`ep_...`).")
);

text_schema!(
    /// An application id or uid.
    AppRefText,
    "AppRef",
    string(APP_REF_PATTERN.to_owned(), "An application id (`app_...`) or uid.")
);

text_schema!(
    /// A message id: the message list's cursor.
    MessageIdText,
    "MessageId",
    string(id_pattern(MessageId::PREFIX), "A message id (`msg_...`).")
);

text_schema!(
    /// The dead-letter list's cursor: a number it returned.
    NumberCursorText,
    "NumberCursor",
    string("^-?[0-9]{1,18}$".to_owned(), "The `iterator` of the previous page.")
);

text_schema!(
    /// A time as every field and query parameter takes it.
    TimeText,
    "Time",
    ObjectBuilder::new()
        .schema_type(Type::String)
        .format(Some(utoipa::openapi::SchemaFormat::KnownFormat(utoipa::openapi::KnownFormat::DateTime)))
        .description(Some("An RFC 3339 time, such as `2026-11-30T00:00:00Z`."))
        .into()
);

/// A delivery's state, as the `status` filter takes it.
#[derive(ToSchema)]
#[schema(rename_all = "lowercase")]
#[allow(dead_code)]
pub enum DeliveryStatus {
    Pending,
    Retrying,
    Delivered,
    Failed,
}

/// A named statistics window, ending at `until`.
#[derive(ToSchema)]
#[schema(rename_all = "lowercase")]
#[allow(dead_code)]
pub enum StatsWindow {
    Hour,
    Day,
    Week,
}

/// A regex matching `s` in any case (header names are case-insensitive;
/// JSON Schema's regexes have no flag for it).
fn any_case(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_ascii_alphabetic() {
                format!("[{}{}]", c.to_ascii_uppercase(), c.to_ascii_lowercase())
            } else if c.is_ascii_alphanumeric() {
                c.to_string()
            } else {
                format!("\\{c}")
            }
        })
        .collect()
}

/// Characters of an HTTP header name (a token).
const TOKEN: &str = "[!#$%&'*+.^_`|~0-9A-Za-z-]+";

/// The pattern of a header name that is a token and none of `names`,
/// nor starts with one of `prefixes`, in any case.
fn header_name_pattern(names: &[&str], prefixes: &[&str]) -> String {
    let names: Vec<String> = names.iter().map(|n| any_case(n)).collect();
    let mut refused = vec![format!("(?:{})$", names.join("|"))];
    if !prefixes.is_empty() {
        let prefixes: Vec<String> = prefixes.iter().map(|p| any_case(p)).collect();
        refused.push(format!("(?:{})", prefixes.join("|")));
    }
    format!("^(?!{}){TOKEN}$", refused.join("|"))
}

/// The delivery profile's rules the derived schema cannot carry, and its
/// examples: the provider profiles in `examples/profiles/`.
pub fn refine_profile(schemas: &mut Map<String, Value>) {
    use herald_core::endpoint::{RESERVED_HEADERS, RESERVED_PREFIXES};
    if let Some(profile) = schemas.get_mut("Profile") {
        // A profile may set `user-agent` and the signature headers.
        let sending: Vec<&str> = RESERVED_HEADERS.iter().copied().filter(|h| *h != "user-agent").collect();
        profile["properties"]["headers"]["propertyNames"] =
            json!({ "type": "string", "pattern": header_name_pattern(&sending, &[]) });
        profile["properties"]["retry_by_event_type"]["propertyNames"] = json!({
            "type": "string",
            "pattern": format!("^[{NAME_CHARS}*-]{{1,{}}}$", herald_core::event_type::MAX_NAME_LEN)
        });
        profile["properties"]["retry_by_event_type"]["maxProperties"] = json!(100);
        profile["examples"] = Value::Array(example_profiles());
    }
    // A named policy is one of the built-in names. The forms are tried in
    // order (serde's `untagged`): an object may fit two, so `anyOf`.
    if let Some(spec) = schemas.get_mut("RetrySpec").and_then(Value::as_object_mut) {
        if let Some(mut branches) = spec.remove("oneOf") {
            for b in branches.as_array_mut().into_iter().flatten() {
                if b.get("type") == Some(&json!("string")) {
                    b["enum"] = json!(herald_core::profile::RETRY_NAMES);
                }
            }
            spec.insert("anyOf".into(), branches);
        }
    }
    // A scheme with settings takes no others (serde refuses unknown fields
    // in them; a scheme without settings ignores any).
    if let Some(branches) = schemas.get_mut("Signature").and_then(|r| r.get_mut("oneOf")).and_then(Value::as_array_mut)
    {
        for b in branches.iter_mut().filter(|b| b["properties"].as_object().is_some_and(|p| p.len() > 1)) {
            b["additionalProperties"] = json!(false);
        }
    }
    // Exactly one of `value` and `const` (a `null` is no value).
    if let Some(field) = schemas.get_mut("EnvelopeField") {
        field["oneOf"] = json!([
            { "required": ["value"], "properties": { "value": { "type": "string" } } },
            { "required": ["const"], "properties": { "const": { "not": { "type": "null" } } } }
        ]);
    }
    // An endpoint's own profile: any field but the application's shared rate.
    schemas.insert(
        "EndpointProfile".into(),
        json!({
            "description": "A delivery profile for one endpoint: any field of an application's but `app_rate_limit`, which all of an application's endpoints share.",
            "allOf": [
                { "$ref": "#/components/schemas/Profile" },
                { "properties": { "app_rate_limit": { "type": "null" } } }
            ]
        }),
    );
    for body in ["CreateEndpoint", "UpdateEndpoint"] {
        if let Some(p) = schemas.get_mut(body).and_then(|b| b.pointer_mut("/properties/profile")) {
            *p = json!({ "oneOf": [{ "$ref": "#/components/schemas/EndpointProfile" }, { "type": "null" }] });
        }
        if let Some(h) = schemas.get_mut(body).and_then(|b| b.pointer_mut("/properties/headers")) {
            h["propertyNames"] =
                json!({ "type": "string", "pattern": header_name_pattern(RESERVED_HEADERS, RESERVED_PREFIXES) });
            h["additionalProperties"] = json!({
                "type": "string",
                "pattern": format!("^[\\t -~]{{0,{}}}$", herald_core::endpoint::MAX_HEADER_VALUE_BYTES)
            });
            h["maxProperties"] = json!(herald_core::endpoint::MAX_CUSTOM_HEADERS);
        }
    }
    for (body, field) in [("CreateEndpoint", "url"), ("UpdateEndpoint", "url")] {
        if let Some(u) = schemas.get_mut(body).and_then(|b| b.pointer_mut(&format!("/properties/{field}"))) {
            u["pattern"] = endpoint_url_pattern().into();
            u["maxLength"] = json!(2048);
        }
    }
    if let Some(u) = schemas.get_mut("Theme").and_then(|b| b.pointer_mut("/properties/logo_url")) {
        u["pattern"] = logo_url_pattern().into();
    }
    // A secret given with `signing` is of that kind.
    for (body, key) in [("CreateEndpoint", "secret"), ("RotateSecret", "key")] {
        if let Some(b) = schemas.get_mut(body) {
            b["allOf"] = json!([
                { "if": { "properties": { key: { "type": "string", "pattern": "^whsec_" } }, "required": [key] },
                  "then": { "properties": { "signing": { "enum": ["hmac-sha256", null] } } } },
                { "if": { "properties": { key: { "type": "string", "pattern": "^whsk_" } }, "required": [key] },
                  "then": { "properties": { "signing": { "enum": ["ed25519", null] } } } }
            ]);
        }
    }
}

/// The provider profiles shipped in `examples/profiles/`, as JSON.
fn example_profiles() -> Vec<Value> {
    const FILES: [&str; 5] = [
        include_str!("../../../../examples/profiles/sidecar-cx.toml"),
        include_str!("../../../../examples/profiles/saasquatch.toml"),
        include_str!("../../../../examples/profiles/influship.toml"),
        include_str!("../../../../examples/profiles/sideqik.toml"),
        include_str!("../../../../examples/profiles/socialdata.toml"),
    ];
    use figment::providers::Format;
    FILES
        .iter()
        .filter_map(|text| figment::Figment::from(figment::providers::Toml::string(text)).extract::<Profile>().ok())
        .filter_map(|p| serde_json::to_value(p).ok())
        .collect()
}
