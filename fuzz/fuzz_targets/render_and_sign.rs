//! The standard envelope and the Standard Webhooks signer over any message:
//! the envelope is valid JSON carrying the payload's type, and signing is
//! deterministic and shaped `v1,<base64>`.
#![no_main]
use herald_core::{envelope, signing, Timestamp};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let mut parts = text.splitn(3, '\n');
    let (id, event_type, payload) = (parts.next().unwrap_or(""), parts.next().unwrap_or(""), parts.next().unwrap_or("null"));
    // The API stores only payloads that are JSON; render those.
    if serde_json::from_str::<serde_json::Value>(payload).is_ok() {
        let body = envelope::standard(id, event_type, Timestamp::from_millis(1_614_265_330_000), payload);
        let v: serde_json::Value = serde_json::from_slice(&body).expect("the envelope is JSON");
        assert_eq!(v["type"], event_type);
    }
    let a = signing::sign(data, id, 1_614_265_330, data);
    assert_eq!(a, signing::sign(data, id, 1_614_265_330, data));
    assert!(a.starts_with("v1,"));
});
