//! Extractors whose rejections are [`ApiError`]s: malformed JSON is 400, a
//! well-formed body of the wrong shape is 422 naming the field, a body over
//! the limit is 413. A body is a JSON object; an integer field takes an
//! integral number written with a fraction (`30.0`, an integer to JSON
//! Schema); an empty query parameter (`?status=`) is an absent one.

use axum::extract::{FromRequest, FromRequestParts, Query, Request};
use axum::http::request::Parts;
use axum::http::{header, StatusCode};
use bytes::Bytes;
use serde::de::DeserializeOwned;

use crate::error::ApiError;

pub struct ApiJson<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        let is_json = req.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).is_some_and(|ct| {
            let mime = ct.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
            mime == "application/json" || (mime.starts_with("application/") && mime.ends_with("+json"))
        });
        if !is_json {
            return Err(ApiError::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported_media_type",
                "send the body as JSON with `content-type: application/json`",
            ));
        }
        let bytes = Bytes::from_request(req, state).await.map_err(|rejection| {
            if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
                ApiError::new(StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large", "the request body is too large")
            } else {
                ApiError::invalid_json(format!("could not read the request body: {rejection}"))
            }
        })?;
        parse_json(&bytes).map(ApiJson)
    }
}

/// Parses a JSON body: syntax errors are 400, shape errors 422, and a NUL
/// character in any string (no database stores it as text) 422 naming where.
/// The body is a JSON object (serde would take an array for a struct).
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    if has_nul_escape(bytes) {
        if let Ok(v) = serde_json::from_slice::<serde_json::Value>(bytes) {
            if let Some(at) = nul_path(&v, "") {
                let field = if at.is_empty() { "body".to_owned() } else { at };
                return Err(ApiError::validation(&field, "must not contain the NUL character (\\u0000)"));
            }
        }
    }
    let first = bytes.iter().find(|b| !b.is_ascii_whitespace());
    if first != Some(&b'{') {
        return match serde_json::from_slice::<serde::de::IgnoredAny>(bytes) {
            Ok(_) => Err(ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "validation_error",
                "the body must be a JSON object",
            )),
            Err(e) => Err(ApiError::invalid_json(format!("malformed JSON: {e}"))),
        };
    }
    let mut de = serde_json::Deserializer::from_slice(bytes);
    match deserialize_whole(&mut de) {
        Ok(v) => Ok(v),
        Err(e) if is_float_for_integer(&e) => match integral_floats_retry(bytes) {
            Some(v) => Ok(v),
            None => Err(shape_error::<T>(bytes, &e)),
        },
        Err(e) => match e.classify() {
            serde_json::error::Category::Data => Err(shape_error::<T>(bytes, &e)),
            _ => Err(ApiError::invalid_json(format!("malformed JSON: {e}"))),
        },
    }
}

/// As [`parse_json`], for a body the document marks optional: none at all,
/// or `null`, is the default.
pub fn parse_optional_json<T: DeserializeOwned + Default>(bytes: &[u8]) -> Result<T, ApiError> {
    if bytes.trim_ascii() == b"null" || bytes.trim_ascii().is_empty() {
        return Ok(T::default());
    }
    parse_json(bytes)
}

/// 422 for a well-formed body of the wrong shape, naming the field.
fn shape_error<T: DeserializeOwned>(bytes: &[u8], e: &serde_json::Error) -> ApiError {
    // Parsed again, only now, to learn which field it was about.
    let path = field_path::<T>(bytes);
    let why = strip_position(&e.to_string());
    // The field the error is about, when it is not the body itself.
    let message = match path.as_deref() {
        Some(p) if p != "." && !why.starts_with(p) => format!("{p}: {why}"),
        _ => why,
    };
    ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "validation_error", message)
}

/// Whether serde refused a number with a fraction where it wanted an integer.
fn is_float_for_integer(e: &serde_json::Error) -> bool {
    e.classify() == serde_json::error::Category::Data && e.to_string().starts_with("invalid type: floating point")
}

/// Fields whose JSON is the caller's own, passed on or stored as written:
/// their numbers are never rewritten.
const OPAQUE_FIELDS: &[&str] = &["payload", "metadata", "example", "schema", "envelope", "data"];

/// The body again, its integral numbers written with a fraction (`30.0`)
/// read as integers, outside the caller's own JSON ([`OPAQUE_FIELDS`]).
/// Only tried once a first reading failed on one, so a publish pays nothing.
fn integral_floats_retry<T: DeserializeOwned>(bytes: &[u8]) -> Option<T> {
    let mut v: serde_json::Value = serde_json::from_slice(bytes).ok()?;
    integral_floats_to_integers(&mut v).then(|| serde_json::from_value(v).ok()).flatten()
}

/// Rewrites integral floats (`30.0`) as integers, except under
/// [`OPAQUE_FIELDS`]; whether it rewrote any.
pub fn integral_floats_to_integers(v: &mut serde_json::Value) -> bool {
    use serde_json::Value;
    match v {
        Value::Number(n) if n.is_f64() => {
            let f = n.as_f64().unwrap_or(f64::NAN);
            // Within i64 (below zero) or u64: -2^63 up to, not including, 2^64.
            if f.fract() == 0.0 && (-9.223_372_036_854_776e18..1.844_674_407_370_955_2e19).contains(&f) {
                // Integral and in range: the casts are exact.
                #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
                let n = if f < 0.0 { Value::from(f as i64) } else { Value::from(f as u64) };
                *v = n;
                true
            } else {
                false
            }
        }
        Value::Array(items) => items.iter_mut().fold(false, |acc, x| integral_floats_to_integers(x) | acc),
        Value::Object(map) => map
            .iter_mut()
            .filter(|(k, _)| !OPAQUE_FIELDS.contains(&k.as_str()))
            .fold(false, |acc, (_, x)| integral_floats_to_integers(x) | acc),
        _ => false,
    }
}

fn deserialize_whole<T: DeserializeOwned>(
    de: &mut serde_json::Deserializer<serde_json::de::SliceRead<'_>>,
) -> Result<T, serde_json::Error> {
    let v = T::deserialize(&mut *de)?;
    de.end()?;
    Ok(v)
}

/// The path of the field a body that failed to deserialise failed at.
fn field_path<T: DeserializeOwned>(bytes: &[u8]) -> Option<String> {
    let mut de = serde_json::Deserializer::from_slice(bytes);
    serde_path_to_error::deserialize::<_, T>(&mut de).err().map(|e| e.path().to_string())
}

/// Whether the body holds a `\u0000` escape (the only way JSON text can
/// carry a NUL): one preceded by an odd run of backslashes.
fn has_nul_escape(bytes: &[u8]) -> bool {
    memchr::memchr_iter(b'\\', bytes).any(|i| {
        bytes.get(i + 1..i + 6).is_some_and(|w| w.eq_ignore_ascii_case(b"u0000"))
            && bytes[..i].iter().rev().take_while(|&&b| b == b'\\').count() % 2 == 0
    })
}

/// The path (`a.b[2]`) of the first key or string holding a NUL.
fn nul_path(v: &serde_json::Value, at: &str) -> Option<String> {
    use serde_json::Value;
    match v {
        Value::String(s) if s.contains('\0') => Some(at.to_owned()),
        Value::Array(items) => items.iter().enumerate().find_map(|(i, x)| nul_path(x, &format!("{at}[{i}]"))),
        Value::Object(map) => map.iter().find_map(|(k, x)| {
            let here = if at.is_empty() { k.clone() } else { format!("{at}.{k}") };
            if k.contains('\0') {
                Some(here)
            } else {
                nul_path(x, &here)
            }
        }),
        _ => None,
    }
}

/// Whether a URI carries a NUL (`%00`) in its path or query.
pub fn uri_has_nul(uri: &axum::http::Uri) -> bool {
    let text = uri.path_and_query().map_or("", |pq| pq.as_str()).as_bytes();
    text.windows(3).any(|w| w == b"%00")
}

/// serde's data errors end in " at line 1 column 42"; the field name before
/// it is what a caller needs.
fn strip_position(msg: &str) -> String {
    match msg.rfind(" at line ") {
        Some(i) => msg[..i].to_owned(),
        None => msg.to_owned(),
    }
}

pub struct ApiQuery<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned + Send> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, ApiError> {
        let query = parts.uri.query().unwrap_or("");
        // `?status=&endpoint=` is what a form with empty fields sends: absent.
        let given: Vec<(String, String)> =
            url::form_urlencoded::parse(query.as_bytes()).into_owned().filter(|(_, v)| !v.is_empty()).collect();
        let kept = url::form_urlencoded::Serializer::new(String::new()).extend_pairs(&given).finish();
        let uri: axum::http::Uri = format!("/?{kept}")
            .parse()
            .map_err(|_| ApiError::new(StatusCode::BAD_REQUEST, "invalid_query", "the query string is not valid"))?;
        Query::<T>::try_from_uri(&uri)
            .map(|Query(v)| ApiQuery(v))
            .map_err(|e| ApiError::new(StatusCode::BAD_REQUEST, "invalid_query", e.body_text()))
    }
}

#[cfg(test)]
mod tests {
    use super::has_nul_escape;

    #[test]
    fn a_nul_escape_is_one_after_an_odd_run_of_backslashes() {
        assert!(has_nul_escape(br#"{"k":"\u0000"}"#));
        assert!(has_nul_escape(br#"{"k":"a\\\u0000"}"#), "an escaped backslash, then the escape");
        assert!(!has_nul_escape(br#"{"k":"\\u0000"}"#), "an escaped backslash, then text");
        assert!(!has_nul_escape(br#"{"k":"\u0001","\u000"#), "another character; a cut-off escape");
        assert!(!has_nul_escape(b""));
    }
}
