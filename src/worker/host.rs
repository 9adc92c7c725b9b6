//! The runtime's own SHA-256 and HMAC-SHA256 for the core (`verify::set_host_digest`):
//! workerd's `node:crypto` (BoringSSL, native code), reached synchronously through
//! `process.getBuiltinModule("node:crypto")` (`nodejs_compat` in `wrangler.toml`), instead of
//! the software `sha2` compiled to wasm. Same digests bit for bit; tags are still compared
//! in constant time in wasm.
//!
//! Where the runtime has no such module (or it throws), the call answers `None` and the
//! wasm digest runs: never a failed request.

use std::cell::Cell;

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

#[wasm_bindgen]
extern "C" {
    /// The `node:crypto` module object.
    type NodeCrypto;

    #[wasm_bindgen(method, catch, js_name = createHash)]
    fn create_hash(this: &NodeCrypto, algorithm: &str) -> Result<Digester, JsValue>;

    /// The key crosses as a view of the wasm memory; `createHmac` copies it.
    #[wasm_bindgen(method, catch, js_name = createHmac)]
    fn create_hmac(this: &NodeCrypto, algorithm: &str, key: &[u8]) -> Result<Digester, JsValue>;

    /// A `Hash` or `Hmac` object.
    type Digester;

    /// Each part crosses as a view of the wasm memory, hashed before this returns.
    #[wasm_bindgen(method, catch)]
    fn update(this: &Digester, data: &[u8]) -> Result<JsValue, JsValue>;

    #[wasm_bindgen(method, catch)]
    fn digest(this: &Digester) -> Result<JsValue, JsValue>;
}

thread_local! {
    /// Whether this isolate registered [`host_digest`] with the core (once per isolate).
    static INSTALLED: Cell<bool> = const { Cell::new(false) };
    /// Whether this isolate already looked for the module (once per isolate, at the first
    /// digest that needs it).
    static LOOKED: Cell<bool> = const { Cell::new(false) };
    static CRYPTO: std::cell::RefCell<Option<NodeCrypto>> = const { std::cell::RefCell::new(None) };
}

/// Registers the runtime's digest with the core, once per isolate. The module itself is
/// looked up at the first digest long enough to use it ([`crate::verify::HOST_MIN_BYTES`]):
/// loading `node:crypto` costs a cold isolate about 4 ms, which a first delivery of a few
/// KiB, hashed in wasm, never needs to pay.
pub(super) fn install() {
    if !INSTALLED.with(|installed| installed.replace(true)) {
        crate::verify::set_host_digest(
            Some(host_digest as crate::verify::HostDigest),
            crate::verify::HOST_MIN_BYTES,
        );
    }
}

/// The bench build's `host_min=<bytes>` (`bench/worker/isolate.mjs`'s `HOST_MIN`): the
/// threshold from which the runtime's digest is used, instead of
/// [`crate::verify::HOST_MIN_BYTES`].
#[cfg(feature = "bench")]
pub(super) fn set_threshold(min_bytes: usize) {
    INSTALLED.with(|installed| installed.set(true));
    crate::verify::set_host_digest(Some(host_digest as crate::verify::HostDigest), min_bytes);
}

/// Which backend the core's long digests use: `"node:crypto"` or `"wasm"` (for
/// `/healthz`; looks the module up if no digest has yet).
pub(super) fn backend() -> &'static str {
    install();
    if with_module(|_| ()).is_some() {
        "node:crypto"
    } else {
        "wasm"
    }
}

/// `f` of the module, looked up on first use; `None` where the runtime has none.
fn with_module<T>(f: impl FnOnce(&NodeCrypto) -> T) -> Option<T> {
    if !LOOKED.with(|looked| looked.replace(true)) {
        if let Some(module) = find_module() {
            CRYPTO.with(|cell| *cell.borrow_mut() = Some(module));
        }
    }
    CRYPTO.with(|cell| cell.borrow().as_ref().map(f))
}

/// `globalThis.process.getBuiltinModule("node:crypto")`, when the runtime has it.
fn find_module() -> Option<NodeCrypto> {
    let get = |target: &JsValue, key: &str| js_sys::Reflect::get(target, &JsValue::from_str(key));
    let process = get(&js_sys::global(), "process").ok()?;
    if !process.is_object() {
        return None;
    }
    let loader = get(&process, "getBuiltinModule")
        .ok()?
        .dyn_into::<js_sys::Function>()
        .ok()?;
    let module = loader
        .call1(&process, &JsValue::from_str("node:crypto"))
        .ok()?;
    // Both constructors must be there, or the module is not the one we know.
    let has = |name: &str| get(&module, name).is_ok_and(|f| f.is_function());
    (has("createHash") && has("createHmac")).then(|| module.unchecked_into())
}

/// The module's digest over `parts`, keyed with `key` or plain; `None` on any surprise
/// (then the core's wasm digest runs).
fn host_digest(key: Option<&[u8]>, parts: &[&[u8]]) -> Option<[u8; 32]> {
    with_module(|module| {
        let digester = match key {
            Some(key) => module.create_hmac("sha256", key),
            None => module.create_hash("sha256"),
        }
        .ok()?;
        for part in parts {
            digester.update(part).ok()?;
        }
        let bytes = digester
            .digest()
            .ok()?
            .dyn_into::<js_sys::Uint8Array>()
            .ok()?;
        if bytes.length() != 32 {
            return None;
        }
        let mut digest = [0u8; 32];
        bytes.copy_to(&mut digest);
        Some(digest)
    })
    .flatten()
}

#[wasm_bindgen]
extern "C" {
    /// The runtime's WHATWG `URL`: the parser its own `fetch` uses.
    #[wasm_bindgen(js_name = URL)]
    type RuntimeUrl;

    #[wasm_bindgen(constructor, js_class = "URL", catch)]
    fn new(url: &str) -> Result<RuntimeUrl, JsValue>;

    #[wasm_bindgen(method, getter)]
    fn protocol(this: &RuntimeUrl) -> String;

    #[wasm_bindgen(method, getter)]
    fn hostname(this: &RuntimeUrl) -> String;

    #[wasm_bindgen(method, getter)]
    fn username(this: &RuntimeUrl) -> String;

    #[wasm_bindgen(method, getter)]
    fn password(this: &RuntimeUrl) -> String;
}

/// `url` as the runtime's `URL` reads it (the same parse `fetch` will make of it), for
/// [`crate::check_parsed_url`]; `None` when it does not parse.
pub(super) fn parse_url(url: &str) -> Option<crate::ParsedUrl> {
    let parsed = RuntimeUrl::new(url).ok()?;
    let protocol = parsed.protocol();
    Some(crate::ParsedUrl {
        scheme: protocol.strip_suffix(':').unwrap_or(&protocol).to_owned(),
        host: parsed.hostname(),
        userinfo: !parsed.username().is_empty() || !parsed.password().is_empty(),
    })
}

#[wasm_bindgen]
extern "C" {
    /// The runtime's Web Crypto CSPRNG.
    #[wasm_bindgen(js_namespace = crypto, js_name = getRandomValues, catch)]
    fn get_random_values(buf: &mut [u8]) -> Result<JsValue, JsValue>;
}

/// `N` bytes from the runtime's CSPRNG (`crypto.getRandomValues`): nonces and ids.
///
/// # Errors
/// `invalid_config` if the runtime has none (it always has).
pub(super) fn random_bytes<const N: usize>() -> Result<[u8; N], crate::Error> {
    let mut bytes = [0u8; N];
    get_random_values(&mut bytes).map_err(|_| {
        crate::Error::new(
            crate::ErrorKind::InvalidConfig,
            "the runtime's crypto.getRandomValues is not available",
        )
    })?;
    Ok(bytes)
}
