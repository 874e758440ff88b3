//! Any body on the Messenger/Instagram webhook: the signature check and the event reading
//! answer yes/no or a reason, never a panic.
#![no_main]

use app::server::inbound::meta;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|body: &[u8]| {
    let header = std::str::from_utf8(body.get(..71).unwrap_or_default()).unwrap_or_default();
    meta::verify("app-secret", body, header);
    let _ = meta::messages(body);
});
