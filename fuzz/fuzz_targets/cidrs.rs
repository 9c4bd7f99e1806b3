//! `security.allowed_cidrs`: parsing never panics, and an address inside a
//! parsed range is allowed by a policy that opens it.
#![no_main]
use herald_core::destination::{parse_cidrs, DestinationPolicy};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let Ok(nets) = parse_cidrs(text) else { return };
    let policy = DestinationPolicy::new(nets.clone(), true);
    for net in nets {
        assert_eq!(policy.check(net.network(), false), Ok(()), "{net}");
        assert_eq!(policy.check(net.broadcast(), false), Ok(()), "{net}");
    }
});
