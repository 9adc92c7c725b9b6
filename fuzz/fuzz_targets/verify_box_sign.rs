//! verify + normalize for BoxSign over structured deliveries (see `src/checks.rs`).
#![no_main]

use libfuzzer_sys::fuzz_target;
use signhook::Provider;
use signhook_fuzz::{checks::check_delivery, input::Delivery, DELIVERY_BODY_CAP};

fuzz_target!(|input: Delivery| {
    check_delivery(Provider::BoxSign, &input, DELIVERY_BODY_CAP);
});
