//! The crate's own JSON reader, through the public normalize functions, against
//! serde_json: one object (any one-object provider), and PandaDoc's batch split (see
//! `src/jsondoc.rs`).
#![no_main]

use libfuzzer_sys::fuzz_target;
use signhook_fuzz::jsondoc::{check_json, JsonInput};

fuzz_target!(|input: JsonInput| {
    check_json(&input);
});
