//! Endpoint URLs: parsing never panics; a parsed URL's target is what the
//! SSRF guard checks, and an IP literal host is judged like the address.
#![no_main]
use herald_core::destination::DestinationPolicy;
use herald_core::endpoint::EndpointUrl;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let Ok(url) = EndpointUrl::parse(text) else { return };
    assert!(url.as_str().starts_with("http://") || url.as_str().starts_with("https://"));
    let (host, port, https) = url.target();
    assert!(!host.is_empty() && port > 0);
    let literal = host.trim_start_matches('[').trim_end_matches(']');
    if let Ok(ip) = literal.parse::<std::net::IpAddr>() {
        let _ = DestinationPolicy::default().check(ip, https);
        // Parsing the normalised form again gives the same URL.
        assert_eq!(EndpointUrl::parse(url.as_str()).unwrap().as_str(), url.as_str());
    }
});
