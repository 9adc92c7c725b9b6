//! Shared by the fuzz targets (`fuzz_targets/`) and the seed generator
//! (`examples/gen_seeds.rs`): the input format, the structured inputs, independent
//! reference implementations, and the invariants.

pub mod checks;
pub mod codec;
pub mod focused;
pub mod inbody;
pub mod input;
pub mod json;
pub mod jsondoc;
pub mod oracle;
pub mod pandadoc;

/// Per-provider bodies stay under this (the nested shape can grow large; the verdict
/// and size limit are what matter, not megabytes of HMAC).
pub const DELIVERY_BODY_CAP: usize = 64 * 1024;
