//! `cargo run -p herald-verify --example verify`: verifies the Standard
//! Webhooks test vector, then shows what a re-serialised body does.

fn main() {
    let wh = herald_verify::Webhook::new("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
        .expect("a valid key")
        .skip_timestamp_check(); // the vector's timestamp is from 2021
    let (id, ts, sig) =
        ("msg_p5jXN8AQM9LWM0D4loKWxJek", "1614265330", "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
    let raw = br#"{"test": 2432232314}"#;
    println!("raw body:          {:?}", wh.verify_parts(id, ts, sig, raw, 0));
    let parsed: serde_json::Value = serde_json::from_slice(raw).expect("the vector's body is JSON");
    let reserialised = serde_json::to_vec(&parsed).expect("a Value serialises");
    println!("re-serialised body: {:?}", wh.verify_parts(id, ts, sig, &reserialised, 0));
}
