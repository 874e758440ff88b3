//! Any form body on the Twilio webhook: the signature check and the message reading answer
//! yes/no or a reason, never a panic.
#![no_main]

use app::server::inbound::twilio;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|body: &[u8]| {
    let params: Vec<(String, String)> = form_urlencoded::parse(body).into_owned().collect();
    let signature = params.iter().find(|(name, _)| name == "sig").map(|(_, value)| value.clone()).unwrap_or_default();
    twilio::verify("token", "https://help.example.com/webhooks/twilio", &params, &signature);
    let _ = twilio::message(&params);
});
