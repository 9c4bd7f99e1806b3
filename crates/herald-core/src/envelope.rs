//! The JSON body sent to endpoints. Built by concatenation around the stored,
//! already-compact payload, so it is byte-identical on every attempt and the
//! payload is never re-serialised.

use crate::Timestamp;

/// `{"id":...,"type":...,"timestamp":...,"data":<payload>}`
pub fn standard(msg_id: &str, event_type: &str, timestamp: Timestamp, payload_json: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(payload_json.len() + msg_id.len() + event_type.len() + 80);
    out.extend_from_slice(b"{\"id\":");
    push_json_str(&mut out, msg_id);
    out.extend_from_slice(b",\"type\":");
    push_json_str(&mut out, event_type);
    out.extend_from_slice(b",\"timestamp\":");
    push_json_str(&mut out, &timestamp.to_rfc3339());
    out.extend_from_slice(b",\"data\":");
    out.extend_from_slice(payload_json.as_bytes());
    out.push(b'}');
    out
}

fn push_json_str(out: &mut Vec<u8>, s: &str) {
    serde_json::to_writer(out, s).expect("writing a string to a Vec cannot fail");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_envelope_is_compact_json_with_the_payload_inside() {
        let ts = Timestamp::parse_rfc3339("2024-01-15T10:30:00Z").unwrap();
        let body = standard("msg_1", "creator.updated", ts, r#"{"a":[1,2],"b":"é\""}"#);
        let text = String::from_utf8(body).unwrap();
        assert_eq!(
            text,
            r#"{"id":"msg_1","type":"creator.updated","timestamp":"2024-01-15T10:30:00.000Z","data":{"a":[1,2],"b":"é\""}}"#
        );
        let v: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(serde_json::to_string(&v).unwrap(), text, "survives a parse/stringify round trip");
    }
}
