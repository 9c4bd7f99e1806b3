//! Event-type names and wildcard filters: parsing and matching never panic;
//! a name always matches itself as a pattern, and `*` matches everything.
#![no_main]
use herald_core::event_type::{EventPattern, EventTypeName};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let (pattern, name) = text.split_once('\n').unwrap_or((text, text));
    if let Ok(p) = EventPattern::parse(pattern) {
        let _ = p.matches(name);
    }
    if let Ok(n) = EventTypeName::parse(name) {
        let exact = EventPattern::parse(n.as_str()).expect("a name is a pattern");
        assert!(exact.matches(n.as_str()));
        assert!(EventPattern::parse("*").unwrap().matches(n.as_str()));
    }
});
