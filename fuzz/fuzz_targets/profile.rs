//! Delivery profiles from JSON (the API) and TOML (files): parsing and
//! checking never panic, and a checked profile renders a body and headers
//! for any message without panicking.
#![no_main]
use herald_core::profile::{Context, Profile};
use herald_core::Timestamp;
use libfuzzer_sys::fuzz_target;

fn render(p: &Profile) {
    let cx = Context {
        msg_id: "msg_01JAAAAAAAAAAAAAAAAAAAAAAA",
        event_type: "user.created",
        timestamp: Timestamp::from_millis(1_614_265_330_000),
        payload: r#"{"a":[1,"x",null,{"b":true}]}"#,
        app_id: "app_01JAAAAAAAAAAAAAAAAAAAAAAA",
        app_uid: Some("acme"),
        app_name: "Acme",
        app_live: true,
        secret_text: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
        secret_key: b"0123456789abcdef01234567",
        credential: Some("cred"),
    };
    let body = p.body(&cx);
    let _ = p.headers(&cx, &body, cx.timestamp);
    let _ = p.challenge_body(&cx, "c0ffee");
}

fuzz_target!(|data: &[u8]| {
    if let Ok(p) = serde_json::from_slice::<Profile>(data) {
        if p.check().is_ok() {
            render(&p);
        }
    }
    if let Ok(text) = std::str::from_utf8(data) {
        if let Ok(p) = toml::from_str::<Profile>(text) {
            if p.check().is_ok() {
                render(&p);
            }
        }
    }
});
