//! base64 (Zoho Sign) and hex (Yousign) tag decoding, through `verify`, against reference
//! decoders, with one-character edits of well-formed tags.
#![no_main]

use libfuzzer_sys::fuzz_target;
use signhook_fuzz::focused::{check_tag, TagInput};

fuzz_target!(|input: TagInput| {
    check_tag(&input);
});
