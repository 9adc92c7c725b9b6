//! The DocuSeal `<ts>.<hex>` header, through `verify`, against a reference parser.
#![no_main]

use libfuzzer_sys::fuzz_target;
use signhook_fuzz::focused::{check_docuseal_header, DocuSealHeaderInput};

fuzz_target!(|input: DocuSealHeaderInput| {
    check_docuseal_header(&input);
});
