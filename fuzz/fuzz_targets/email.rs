//! Any bytes posted to the inbound email endpoint or found in a mailbox: parsing answers a
//! message or a reason, never a panic, and what it answers respects the size limit.
#![no_main]

use app::server::inbound::{InboundPolicy, email};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|raw: &[u8]| {
    let policy = InboundPolicy { max_message_bytes: 64 * 1024, ..InboundPolicy::default() };
    if let Ok(message) = email::parse(raw, &policy) {
        assert!(!message.provider_message_id.is_empty());
        assert!(message.files.iter().all(|file| !file.file_name.contains('/')));
    }
});
