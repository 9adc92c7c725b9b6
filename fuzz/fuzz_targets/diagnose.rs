//! `diagnose` with any provider or none, arbitrary headers, body and `now`: it must finish
//! (run with `-timeout` and `-rss_limit_mb`, see scripts/fuzz.sh), never panic, and report
//! verify's verdict unchanged.
#![no_main]

use libfuzzer_sys::fuzz_target;
use signhook_fuzz::checks::{check_diagnose, DiagnoseInput};

fuzz_target!(|input: DiagnoseInput| {
    check_diagnose(&input);
});
