//! Custom endpoint headers as the API receives them (a JSON object): never a
//! panic; what is accepted is never a reserved name and is sendable.
#![no_main]
use std::collections::BTreeMap;

use herald_core::endpoint::{reserved_header, CustomHeaders};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(map) = serde_json::from_slice::<BTreeMap<String, String>>(data) else { return };
    let Ok(headers) = CustomHeaders::parse(map) else { return };
    for (name, value) in headers.iter() {
        assert!(reserved_header(name).is_none(), "{name}");
        assert!(value.bytes().all(|b| b == b'\t' || (b' '..=b'~').contains(&b)));
    }
});
