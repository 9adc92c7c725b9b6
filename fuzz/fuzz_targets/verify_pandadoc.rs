//! verify + normalize_all for PandaDoc: the proof in the URL's query, one event per array
//! element (see `src/pandadoc.rs`).
#![no_main]

use libfuzzer_sys::fuzz_target;
use signhook_fuzz::pandadoc::{check_pandadoc, PandaInput};

fuzz_target!(|input: PandaInput| {
    check_pandadoc(&input);
});
