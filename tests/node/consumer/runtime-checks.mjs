// What tests/node/runtimes.test.mjs checks in every runtime (Node 18/20/22, Deno, Bun), once
// through `import` (runtime.mjs) and once through `require` (runtime.cjs). Each step records
// what it returned or threw, so a broken export shows up as a readable difference in the
// report instead of a crash. Only the package's public API is used.

const ZOHO_BODY =
  '{"requests":{"request_name":"Test Name"},"notifications":{"operation_type":"RequestSigningSuccess"}}';
const ZOHO_HEADERS = { "X-ZS-WEBHOOK-SIGNATURE": "KCFveIVxXsZ5tDJTtMVWqWEx++CCKzNYS2tuPP06hgc=" };
const ZOHO_SECRET = "thisisthesamplekeyfortestingpurposes";
// tests/fixtures/zigned/derived-vector: body, secret and timestamp of a known signature.
const ZIGNED_BODY = '{"event":"agreement.lifecycle.finalized","data":{"id":"cm0testagreement000000000","test_mode":true}}';

export const EXPORTS = [
  "default",
  "init",
  "initSync",
  "verify",
  "normalize",
  "sign",
  "signBody",
  "verifyAll",
  "verifyText",
  "normalizeAll",
  "signQuery",
  "diagnose",
  "detectProvider",
  "isSignhookError",
  "PROVIDERS",
  "EVENT_TYPES",
  "ERROR_CODES",
  "PROOF_HEADERS",
  "DEFAULT_TOLERANCE_SECONDS",
];

/** Which runtime this is: "node 22.x.y", "deno 2.x.y" or "bun 1.x.y". */
export function runtime() {
  if (typeof globalThis.Deno !== "undefined") return `deno ${globalThis.Deno.version.deno}`;
  if (globalThis.process?.versions?.bun) return `bun ${globalThis.process.versions.bun}`;
  return `node ${globalThis.process.versions.node}`;
}

function attempt(fn) {
  try {
    return { ok: fn() };
  } catch (err) {
    return { threw: `${err?.name}: ${err?.message}` };
  }
}

function failure(fn, isSignhookError) {
  try {
    fn();
    return { threw: false };
  } catch (err) {
    return {
      threw: true,
      name: err?.name,
      code: err?.code,
      status: err?.status,
      isError: err instanceof Error,
      isSignhookError: typeof isSignhookError === "function" ? isSignhookError(err) : "no isSignhookError",
    };
  }
}

/**
 * `api`: the bindings as the consumer got them (named imports, or require's object).
 * `other`: the same module reached the other way (require from ESM, import() from CJS),
 * to show both share one instance.
 */
export async function checks(api, other, module) {
  const report = { runtime: runtime(), module };
  report.exports = Object.fromEntries(EXPORTS.map((name) => [name, typeof api[name]]));
  report.defaultIsInit = typeof api.init === "function" && api.default === api.init;
  // Not `default`: a namespace of the CommonJS entry (what Deno's import() from a .cjs file
  // gives) has module.exports there, as in Node.
  report.oneInstance =
    EXPORTS.every((name) => name === "default" || other[name] === api[name]) && typeof api.verify === "function";
  report.init = await Promise.resolve()
    .then(() => api.init())
    .then(
      (value) => ({ ok: value ?? null }),
      (err) => ({ threw: `${err?.name}: ${err?.message}` }),
    );
  report.initSync = attempt(() => api.initSync() ?? null);
  report.lists = attempt(() => ({
    PROVIDERS: api.PROVIDERS,
    DEFAULT_TOLERANCE_SECONDS: api.DEFAULT_TOLERANCE_SECONDS,
    zohoHeader: api.PROOF_HEADERS["zoho-sign"],
    eventTypes: api.EVENT_TYPES.length,
    hasMismatchCode: api.ERROR_CODES.includes("signature_mismatch"),
  }));
  // Zoho Sign's published sample: string body, plain headers object.
  report.verify = attempt(() =>
    api.verify({ provider: "zoho-sign", headers: ZOHO_HEADERS, body: ZOHO_BODY, secrets: [ZOHO_SECRET] }),
  );
  // sign → verify round trip with a WHATWG Headers object, an ArrayBuffer body and a
  // rotated secret list (the second secret matches).
  report.sign = attempt(() => {
    const headers = api.sign({ provider: "zigned", secret: "zigned_test_secret", body: ZIGNED_BODY, timestamp: 1731340000 });
    const event = api.verify({
      provider: "zigned",
      headers: new Headers(headers),
      body: new TextEncoder().encode(ZIGNED_BODY).buffer,
      secrets: ["an_old_secret", "zigned_test_secret"],
      now: 1731340100,
    });
    return { headers, type: event.type, subject: event.subject, verification: event.data.verification };
  });
  report.normalize = attempt(() => {
    const event = api.normalize({ provider: "zoho-sign", body: new TextEncoder().encode(ZOHO_BODY) });
    return { type: event.type, subject: event.subject, verification: event.data.verification };
  });
  // A trailing newline added on the way: diagnose names it and never throws.
  report.diagnose = attempt(() => {
    const d = api.diagnose({ headers: ZOHO_HEADERS, body: `${ZOHO_BODY}\n`, secrets: ZOHO_SECRET });
    return {
      verdict: d.verdict,
      code: d.code,
      provider: d.provider,
      detected: d.detected,
      event_verified: d.event_verified,
      findings: d.findings.map((f) => f.code),
    };
  });
  report.detectProvider = attempt(() => api.detectProvider(new Map(Object.entries(ZOHO_HEADERS))));
  report.errors = {
    wrongSecret: failure(
      () => api.verify({ provider: "zoho-sign", headers: ZOHO_HEADERS, body: ZOHO_BODY, secrets: ["wrong"] }),
      api.isSignhookError,
    ),
    missingSignature: failure(
      () => api.verify({ provider: "zoho-sign", headers: {}, body: ZOHO_BODY, secrets: [ZOHO_SECRET] }),
      api.isSignhookError,
    ),
    unknownProvider: failure(() => api.normalize({ provider: "no-such-provider", body: "{}" }), api.isSignhookError),
    badOptions: failure(() => api.verify({ provider: "zoho-sign", headers: 42, body: ZOHO_BODY }), api.isSignhookError),
  };
  return report;
}
