//! Reading a request's query, for the admin handlers: one leaf every handler imports (the
//! router in `admin.rs` and the handlers it calls share it without importing each other).

/// The first value of query parameter `name` in the runtime's serialized `url` (ids and
/// names only: no percent-decoding is needed, and an encoded value simply fails the id
/// check that follows).
pub(super) fn query_value(url: &str, name: &str) -> Option<String> {
    let query = url.split_once('?')?.1;
    query
        .split('&')
        .filter_map(|kv| kv.split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_owned())
}
