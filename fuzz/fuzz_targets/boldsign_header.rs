//! The BoldSign `t=…, s0=…[, s1=…]` header grammar, through `verify`, against a reference
//! parser.
#![no_main]

use libfuzzer_sys::fuzz_target;
use signhook_fuzz::focused::{check_boldsign_header, BoldSignHeaderInput};

fuzz_target!(|input: BoldSignHeaderInput| {
    check_boldsign_header(&input);
});
