//! The Yousign `sha256=<hex>` header, through `verify`, against a reference parser.
#![no_main]

use libfuzzer_sys::fuzz_target;
use signhook_fuzz::focused::{check_yousign_header, YousignHeaderInput};

fuzz_target!(|input: YousignHeaderInput| {
    check_yousign_header(&input);
});
