//! RFC 3339 parsing and formatting on the normalize path (Acrobat Sign `eventDate` after
//! verify, Zigned `updated_at`/`created_at`), against a chrono-based reference.
#![no_main]

use libfuzzer_sys::fuzz_target;
use signhook_fuzz::focused::{check_rfc3339, Rfc3339Input};

fuzz_target!(|input: Rfc3339Input| {
    check_rfc3339(&input);
});
