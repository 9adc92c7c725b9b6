// The once-only instantiation shared by the web entries (index.js over signhook_bg.wasm,
// diagnose.js over signhook_diagnose_bg.wasm): `init(input)` fetches and instantiates the
// module (next to the glue, or the URL/Response/bytes/Module given), `initSync(module)` takes
// a compiled module or bytes; `ready()` says whether either has run.
export function initializer(wbgInit, wbgInitSync) {
  let ready = false;
  let pending;
  function init(input) {
    if (ready) return Promise.resolve();
    if (!pending) {
      pending = wbgInit(input === undefined ? undefined : { module_or_path: input }).then(
        () => {
          ready = true;
        },
        (err) => {
          pending = undefined; // let a later call retry
          throw err;
        },
      );
    }
    return pending;
  }
  function initSync(module) {
    if (ready) return;
    wbgInitSync({ module });
    ready = true;
  }
  return { init, initSync, ready: () => ready };
}
