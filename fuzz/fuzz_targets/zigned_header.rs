//! The Zigned `t=…,v1=…` header grammar, through `verify`, against a reference parser.
#![no_main]

use libfuzzer_sys::fuzz_target;
use signhook_fuzz::focused::{check_zigned_header, ZignedHeaderInput};

fuzz_target!(|input: ZignedHeaderInput| {
    check_zigned_header(&input);
});
