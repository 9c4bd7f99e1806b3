//! `Retry-After` values from receivers (seconds or an HTTP date): never a
//! panic, never a negative or overflowing wait.
#![no_main]
use herald_core::retry::parse_retry_after;
use herald_core::Timestamp;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    for now in [0, 1_614_265_330_000, i64::MAX / 4] {
        let _ = parse_retry_after(text, Timestamp::from_millis(now));
    }
});
