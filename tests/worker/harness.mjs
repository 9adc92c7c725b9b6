// Test harness for the built Worker: starts `wrangler dev` (the real workerd runtime, the
// same wrangler.toml and build/ a user runs) and a fake origin, both on 127.0.0.1, and
// stops them by process id / close(). Also: signed test deliveries of every provider, made
// with the npm package's own signing API (`sign`, `signBody`, `signQuery`), so the
// provider registry is the one source of how each provider signs.
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { cp, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { createServer } from "node:http";
import net from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

import { multipartJson } from "../multipart.mjs";
import { schemaErrors } from "../schema.mjs";

export { multipartJson };

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const BIN = path.join(ROOT, "node_modules", ".bin");

// Every variable the Worker reads. Each run sets all of them with --var, so a developer's
// own .dev.vars never leaks into a test.
const CONFIG_VARS = [
  "DELIVERY",
  "ORIGIN_URL",
  "FORWARD_SECRET",
  // Each provider's var (ZOHO_SIGN_SECRETS, …), from README's table generated from the registry.
  ...providerVars(),
  "ZIGNED_TOLERANCE_SECONDS",
  "MAX_BODY_BYTES",
  "ORIGIN_TIMEOUT_MS",
  "RETRY_MAX_ATTEMPTS",
  "RETRY_BASE_SECONDS",
  "RETRY_MAX_DELAY_SECONDS",
  "LEDGER_RETENTION_HOURS",
  "ADMIN_TOKEN",
  "ACROBAT_SIGN_URL_TOKENS",
  "ACROBAT_SIGN_CLIENT_ID_ONLY",
  "MAX_EVENT_AGE_SECONDS",
  "MAX_CLOCK_SKEW_SECONDS",
  "MAX_EVENTS_PER_DELIVERY",
  "TENANT_KEY",
  "TENANT_CACHE_SECONDS",
  "LOG_RETENTION_DAYS",
  "ALERT_URL",
  "ALERT_SECRET",
  "ALERT_FAILURE_RATIO",
  "ALERT_WINDOW_SECONDS",
];

/** The providers' Worker vars, from README's providers table (generated from the registry). */
function providerVars() {
  const readme = readFileSync(path.join(ROOT, "README.md"), "utf8");
  const marker = (edge) => `<!-- ${edge} GENERATED: providers-table -->`;
  const table = readme.split(marker("BEGIN"))[1].split(marker("END"))[0];
  return [...table.matchAll(/^\| `[a-z-]+` \| [^|]+ \| `([A-Z_]+)` \|/gm)].map((m) => m[1]);
}

// Each provider's fake value (its example_secret in the registry, as .dev.vars.example has it).
// BEGIN GENERATED: example-secrets (tests/docs.rs; UPDATE_README=1 cargo test --test docs)
export const EXAMPLE_SECRETS = Object.freeze({
  "zoho-sign": "zoho_test_secret",
  "acrobat-sign": "CBJCHBCAABAAtestclientid0000",
  zigned: "zigned_test_secret",
  yousign: "yousign_test_secret",
  docusign: "docusign_test_secret",
  docuseal: "whsec_ZG9jdXNlYWxfdGVzdF9zZWNyZXRfMDAwMDAw",
  documenso: "documenso_test_secret",
  "onespan-sign": "onespan_test_callback_key",
  boldsign: "boldsign_test_secret",
  signwell: "signwell-test-webhook-id",
  "dropbox-sign": "dropbox-sign-test-api-key-0123456789abcdef",
  pandadoc: "pandadoc-test-shared-key",
  signable: "signable_test_secret",
  "xodo-sign": "xodo-sign-test-access-key",
  "box-sign": "box_sign_test_primary_key",
  signatureapi: "whsec_c2lnbmF0dXJlYXBpLXRlc3Qtc2VjcmV0LTAwMDA=",
});
// END GENERATED: example-secrets

/** Every provider's name, in the registry's order. */
export const providerNames = () => Object.keys(EXAMPLE_SECRETS);

// Fake values, the same as the fixtures' (tests/fixtures/*/*/case.json), by short name.
export const SECRETS = {
  zoho: EXAMPLE_SECRETS["zoho-sign"],
  yousign: EXAMPLE_SECRETS.yousign,
  zigned: EXAMPLE_SECRETS.zigned,
  docusign: EXAMPLE_SECRETS.docusign,
  docuseal: EXAMPLE_SECRETS.docuseal,
  documenso: EXAMPLE_SECRETS.documenso,
  onespan: EXAMPLE_SECRETS["onespan-sign"],
  boldsign: EXAMPLE_SECRETS.boldsign,
  signwell: EXAMPLE_SECRETS.signwell,
  dropboxSign: EXAMPLE_SECRETS["dropbox-sign"],
  pandadoc: EXAMPLE_SECRETS.pandadoc,
  acrobatClientId: EXAMPLE_SECRETS["acrobat-sign"],
  // The secret token in Acrobat Sign's registered webhook URL (/hooks/acrobat-sign/<token>).
  acrobatUrlToken: "e2e-acrobat-url-token-0123456789abcdef",
  // whsec_ + base64 of 32 bytes.
  forward: "whsec_" + Buffer.from("e2e-forward-key-32-bytes-long!!!").toString("base64"),
};

/**
 * The `webhook-id` the edge must send for a provider's event id, computed here with
 * node:crypto from docs/worker.md's rule (never with signhook's own code): `msg_` + the first 32
 * hex digits of SHA-256(provider, NUL, id).
 */
export function expectedWebhookId(provider, id) {
  return "msg_" + createHash("sha256").update(`${provider}\0${id}`).digest("hex").slice(0, 32);
}

/**
 * Values every test Worker gets unless the test sets them: the fixtures carry provider
 * times from years ago, so the 7-day replay bound (MAX_EVENT_AGE_SECONDS) is widened to a
 * century, except where a test checks it; Acrobat Sign is reached through its URL token.
 */
const DEFAULT_VARS = {
  MAX_EVENT_AGE_SECONDS: String(100 * 365 * 86400),
  ACROBAT_SIGN_URL_TOKENS: SECRETS.acrobatUrlToken,
};

/** The path of `provider`'s hook (Acrobat Sign's carries the URL token). */
export function hookPath(provider) {
  return provider === "acrobat-sign" ? `/hooks/acrobat-sign/${SECRETS.acrobatUrlToken}` : `/hooks/${provider}`;
}

/** A free TCP port on 127.0.0.1 (closed again before returning). */
export async function freePort() {
  const server = net.createServer();
  await new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", resolve);
  });
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/**
 * The project's wrangler.toml for a test run, written into `dir` beside a snapshot of
 * build/ and www/: the same Worker, vars, queues, Durable Objects, R2 and assets, but
 * without `[build]`, and reading copies, so that editing src/ or www/, or rebuilding
 * build/, while a suite runs cannot reload the Worker mid-test (a reload restarts
 * in-flight requests and drops local queues). scripts/test-worker.sh built build/ once.
 */
async function testConfig(dir) {
  const toml = await readFile(path.join(ROOT, "wrangler.toml"), "utf8");
  await cp(path.join(ROOT, "build"), path.join(dir, "build"), { recursive: true });
  await cp(path.join(ROOT, "www"), path.join(dir, "www"), { recursive: true });
  await cp(path.join(ROOT, "migrations"), path.join(dir, "migrations"), { recursive: true });
  const lines = [];
  let inBuild = false;
  for (const line of toml.split("\n")) {
    if (/^\s*\[/.test(line)) inBuild = /^\s*\[build\]\s*$/.test(line);
    if (inBuild) continue;
    lines.push(
      line
        .replace(/^main = "(.*)"$/, (_, p) => `main = ${JSON.stringify(path.join(dir, p))}`)
        .replace(/^directory = "(.*)"$/, (_, p) => `directory = ${JSON.stringify(path.join(dir, p))}`),
    );
  }
  const out = lines.join("\n");
  if (!out.includes(JSON.stringify(path.join(dir, "build/index.js")))) {
    throw new Error("wrangler.toml: main not found; update testConfig in tests/worker/harness.mjs");
  }
  const file = path.join(dir, "wrangler.toml");
  await writeFile(file, out);
  return file;
}

/**
 * Starts the built Worker with `wrangler dev` and the given vars (unset ones are empty).
 * Resolves once GET /healthz answers 200. `stop()` ends wrangler and workerd by process
 * group id and removes the fresh persistence folder.
 * `beforeDev(persistDir, configPath, env)`: an optional async hook run after the
 * migrations (`migrate`) and before `wrangler dev` starts, with the local state folder
 * wrangler dev will read, the run's wrangler.toml and the environment to run wrangler
 * with (bench/tenants/run.mjs seeds D1 there with `wrangler d1 execute --local`).
 */
export async function startWorker(vars = {}, { migrate = false, beforeDev } = {}) {
  for (const name of Object.keys(vars)) {
    if (!CONFIG_VARS.includes(name)) throw new Error(`unknown Worker var ${name}`);
  }
  const port = await freePort();
  const inspectorPort = await freePort();
  const state = await mkdtemp(path.join(tmpdir(), "signhook-worker-"));
  const config = await testConfig(state);
  const args = [
    "dev",
    "--config", config,
    "--ip", "127.0.0.1",
    "--port", String(port),
    "--inspector-port", String(inspectorPort),
    "--persist-to", path.join(state, "state"),
    "--show-interactive-dev-session=false",
  ];
  for (const name of CONFIG_VARS) args.push("--var", `${name}:${vars[name] ?? DEFAULT_VARS[name] ?? ""}`);
  const wranglerEnv = {
    ...process.env,
    PATH: `${BIN}:${process.env.PATH}`,
    WRANGLER_SEND_METRICS: "false",
    CLOUDFLARE_CF_FETCH_ENABLED: "false",
    SIGNHOOK_WORKER_PREBUILT: "1",
    NO_COLOR: "1",
  };
  if (migrate) {
    // The tenants' D1 database (migrations/), into the same local state wrangler dev reads:
    // what docs/worker.md's deploy walkthrough runs with --remote.
    await runWrangler(["d1", "migrations", "apply", "signhook", "--local", "--config", config, "--persist-to", path.join(state, "state")], wranglerEnv);
  }
  if (beforeDev) {
    try {
      await beforeDev(path.join(state, "state"), config, wranglerEnv);
    } catch (e) {
      await rm(state, { recursive: true, force: true });
      throw e;
    }
  }
  const child = spawn(path.join(BIN, "wrangler"), args, {
    cwd: ROOT, // wrangler runs [build].command in its cwd, and hides its error
    // SIGNHOOK_WORKER_PREBUILT: scripts/test-worker.sh built build/ once; the [build]
    // command then skips.
    env: wranglerEnv,
    stdio: ["ignore", "pipe", "pipe"], // stdin /dev/null: no prompt can hang a test
    detached: true, // own process group, so stop() reaches workerd too
  });
  let output = "";
  child.stdout.on("data", (d) => (output += d));
  child.stderr.on("data", (d) => (output += d));
  const exited = new Promise((resolve) => child.once("exit", resolve));

  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      try {
        process.kill(-child.pid, "SIGTERM");
      } catch {}
      const timer = setTimeout(() => {
        try {
          process.kill(-child.pid, "SIGKILL");
        } catch {}
      }, 5000);
      await exited;
      clearTimeout(timer);
    }
    await rm(state, { recursive: true, force: true });
  };

  const deadline = Date.now() + 90_000;
  for (;;) {
    if (child.exitCode !== null) {
      await stop();
      throw new Error(`wrangler dev exited with ${child.exitCode}:\n${output}`);
    }
    try {
      const res = await fetch(`${url}/healthz`);
      if (res.status === 200) break;
    } catch {}
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`wrangler dev did not answer /healthz in time:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  return {
    url,
    stop,
    /** The Worker's own structured log lines (one JSON object per request). */
    logLines: () => jsonLines(output, '{"method"'),
    /** The queue consumer's log lines (one JSON object per message it settled). */
    consumerLines: () => jsonLines(output, '{"queue"'),
    output: () => output,
  };
}

/**
 * Several configurations of the built Worker in ONE workerd (Miniflare, as wrangler dev
 * runs it), each on its own socket on 127.0.0.1: for the cases that differ only in their
 * vars and need no queue, Durable Object or R2 (a misconfigured edge refuses before it
 * touches them). `cases` maps a name to its vars (as `startWorker` takes them). Returns
 * `{ url(name), stop() }`; `stop()` ends workerd and removes the snapshot.
 */
export async function startWorkers(cases) {
  const { Miniflare, convertV4MiniflareOptions } = await import("miniflare");
  const state = await mkdtemp(path.join(tmpdir(), "signhook-workers-"));
  await cp(path.join(ROOT, "build"), path.join(state, "build"), { recursive: true });
  const build = path.join(state, "build");
  const toml = await readFile(path.join(ROOT, "wrangler.toml"), "utf8");
  const compatibilityDate = toml.match(/^compatibility_date = "(.*)"$/m)[1];
  const workers = Object.entries(cases).map(([name, vars]) => {
    for (const v of Object.keys(vars)) if (!CONFIG_VARS.includes(v)) throw new Error(`unknown Worker var ${v}`);
    return {
      name,
      compatibilityDate,
      compatibilityFlags: ["nodejs_compat"],
      modulesRoot: build,
      modules: [
        { type: "ESModule", path: path.join(build, "index.js") },
        { type: "CompiledWasm", path: path.join(build, "index_bg.wasm") },
      ],
      bindings: Object.fromEntries(CONFIG_VARS.map((v) => [v, vars[v] ?? DEFAULT_VARS[v] ?? ""])),
      unsafeDirectSockets: [{ host: "127.0.0.1", port: 0 }],
    };
  });
  const mf = new Miniflare(convertV4MiniflareOptions({ host: "127.0.0.1", port: 0, workers, handleStructuredLogs() {} }));
  const urls = {};
  try {
    await mf.ready;
    for (const name of Object.keys(cases)) urls[name] = (await mf.unsafeGetDirectURL(name)).origin;
  } catch (e) {
    await mf.dispose();
    await rm(state, { recursive: true, force: true });
    throw e;
  }
  return {
    url: (name) => urls[name],
    stop: async () => {
      await mf.dispose();
      await rm(state, { recursive: true, force: true });
    },
  };
}

/**
 * Polls `predicate` (sync or async) until it returns something truthy, and returns that;
 * throws after `timeoutMs`, naming `what` (and `diagnostics()`, when given).
 */
export async function waitFor(what, predicate, timeoutMs = 30_000, diagnostics = () => "") {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await predicate();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}\n${diagnostics()}`.trimEnd());
    await new Promise((r) => setTimeout(r, 150));
  }
}

/** Runs wrangler to completion (stdin closed: no prompt can wait); throws with its output. */
export async function runWrangler(args, env = { ...process.env, PATH: `${BIN}:${process.env.PATH}`, WRANGLER_SEND_METRICS: "false", NO_COLOR: "1" }) {
  const child = spawn(path.join(BIN, "wrangler"), args, { cwd: ROOT, env, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  child.stdout.on("data", (d) => (output += d));
  child.stderr.on("data", (d) => (output += d));
  const code = await new Promise((resolve) => child.once("exit", resolve));
  if (code !== 0) throw new Error(`wrangler ${args.slice(0, 3).join(" ")} exited with ${code}:\n${output}`);
  return output;
}

/** The lines of `output` that are JSON objects starting with `prefix`. */
function jsonLines(output, prefix) {
  return output
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l.startsWith(prefix))
    .map((l) => JSON.parse(l));
}

/**
 * A fake origin on 127.0.0.1: records every request; `behavior` is "ok" (204),
 * "fail" (500) or "hang" (never answers).
 */
export async function startOrigin() {
  const received = [];
  const origin = { received, behavior: "ok", url: "", close: null };
  const server = createServer((req, res) => {
    const chunks = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks).toString("utf8");
      let schema;
      try {
        schema = schemaErrors(body);
      } catch (e) {
        schema = String(e);
      }
      // `schema`: the errors of the body against schema/event.schema.json ("" when valid).
      received.push({ method: req.method, url: req.url, headers: req.headers, body, schema });
      if (origin.behavior === "hang") return;
      res.writeHead(origin.behavior === "fail" ? 500 : 204);
      res.end();
    });
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  origin.url = `http://127.0.0.1:${server.address().port}/events`;
  origin.close = async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  };
  return origin;
}

/** A fixture body, byte-exact (tests/fixtures/<provider>/<case>/body). */
export function fixture(provider, name) {
  return readFile(path.join(ROOT, "tests", "fixtures", provider, name, "body"));
}

/**
 * The built npm package's signing API (`sign`, `signBody`, `signQuery`: npm/index.d.ts),
 * from npm/dist/ (scripts/build-npm.sh; scripts/test-worker.sh builds it first), or from
 * SIGNHOOK_PACKAGE_DIR as tests/node/package.mjs takes it. Loaded on first use, through
 * the package's `require` entry (node/index.cjs, the very module node/index.mjs
 * re-exports), because `signed` and friends are synchronous: a suite or bench that signs
 * nothing does not need the package built.
 */
let signhook;
function pkg() {
  if (!signhook) {
    const dir = path.resolve(process.env.SIGNHOOK_PACKAGE_DIR ?? path.join(ROOT, "npm", "dist"));
    const entry = path.join(dir, "node", "index.cjs");
    if (!existsSync(entry)) {
      throw new Error(`no built package at ${entry}: run bash scripts/build-npm.sh --no-pack (scripts/test-worker.sh does)`);
    }
    signhook = createRequire(import.meta.url)(entry);
  }
  return signhook;
}

/** The key a provider's deliveries are signed with unless a test names another. */
const exampleKey = (provider) => {
  const key = EXAMPLE_SECRETS[provider];
  if (key === undefined) throw new Error(`no signing scheme for ${provider}: not in the registry`);
  return key;
};

/** The package's `sign` headers, with `Content-Type` spelled `content-type` as before. */
function packageHeaders(provider, body, key, timestamp) {
  const { "Content-Type": contentType, ...proof } = pkg().sign({ provider, secret: key, body, timestamp });
  return { "content-type": contentType, ...proof };
}

/**
 * The headers each provider sends with `body` (a Buffer): those of the package's `sign`
 * (every provider of the registry; docs/providers/ and the package README describe each
 * scheme), signed with `key` (default: the provider's example secret) at `timestamp` (Unix
 * seconds, as the package takes it; default now; only timestamped schemes use it). Added
 * here, by hand:
 * - DocuSign Connect: x-authorization-digest: HMACSHA256 (what Connect sends beside the
 *   proof); `rotatedKey` adds X-DocuSign-Signature-2: the package's Signature-1 under that
 *   second key, as Connect sends one header per active key
 * - BoldSign: `rotatedKey` appends ", s1=<hex>": the package's s0 under that second key,
 *   at the same timestamp, as BoldSign does while the old secret is valid; X-BoldSign-Event
 *   from the body's event.eventType, as BoldSign sends it
 * - Dropbox Sign: a multipart body's content-type names its boundary (the package's
 *   `sign` says application/json; the proof is in the body: see `signedBody`)
 * SignWell, Dropbox Sign, Xodo Sign (proof in the body: `signedBody`) and PandaDoc (in the
 * query: `pandadocQuery`) get only content-type here.
 */
export function signed(provider, body, { key, timestamp, rotatedKey } = {}) {
  if (rotatedKey !== undefined && provider !== "docusign" && provider !== "boldsign") {
    throw new Error(`rotatedKey: the harness builds a second signature for docusign and boldsign only, not ${provider}`);
  }
  key ??= exampleKey(provider);
  // One timestamp for both signatures of a rotation.
  timestamp ??= Math.floor(Date.now() / 1000);
  const headers = packageHeaders(provider, body, key, timestamp);
  switch (provider) {
    case "docusign":
      if (rotatedKey) {
        headers["X-DocuSign-Signature-2"] = packageHeaders(provider, body, rotatedKey, timestamp)["X-DocuSign-Signature-1"];
      }
      headers["x-authorization-digest"] = "HMACSHA256";
      break;
    case "boldsign": {
      if (rotatedKey) {
        const second = packageHeaders(provider, body, rotatedKey, timestamp)["X-BoldSign-Signature"];
        const s0 = /^t=(\d+), s0=([0-9a-f]+)$/.exec(second);
        if (!s0 || s0[1] !== String(timestamp)) throw new Error(`unexpected X-BoldSign-Signature from the package: ${second}`);
        headers["X-BoldSign-Signature"] += `, s1=${s0[2]}`;
      }
      try {
        const eventType = JSON.parse(Buffer.from(body).toString("utf8"))?.event?.eventType;
        if (typeof eventType === "string") headers["X-BoldSign-Event"] = eventType;
      } catch {}
      break;
    }
    case "dropbox-sign": {
      const text = Buffer.from(body).toString("utf8");
      if (text.startsWith("--")) {
        headers["content-type"] = `multipart/form-data; boundary=${text.slice(2, text.indexOf("\r\n"))}`;
      }
      break;
    }
  }
  return headers;
}

/**
 * The body a provider whose proof is in the body sends (SignWell's event.hash, Dropbox
 * Sign's event.event_hash, also inside its multipart `json` field, Xodo Sign's): the
 * package's `signBody` with `key` (default: the provider's example secret), as a Buffer;
 * the JSON is re-serialized compactly. Other providers' bodies come back unchanged.
 */
export function signedBody(provider, body, { key } = {}) {
  const out = pkg().signBody({ provider, secret: key ?? exampleKey(provider), body });
  return Buffer.from(out.buffer, out.byteOffset, out.byteLength);
}

/** PandaDoc's query, `signature=<hex>`, from the package's `signQuery`. */
export function pandadocQuery(body, key = SECRETS.pandadoc) {
  return pkg().signQuery({ provider: "pandadoc", secret: key, body });
}

/**
 * Every provider with a real body each and what it must normalize to; PandaDoc, whose
 * delivery is an array of events, is tested on its own. `tests/worker/direct.test.mjs`
 * checks that the list and the registry agree.
 */
export const DELIVERIES = [
  // The real captured RequestCompleted payload (docs/providers/).
  { provider: "zoho-sign", fixture: "request-completed", type: "esign.envelope.completed", subject: "222008000000016075" },
  // Acrobat's documented AGREEMENT_REJECTED example (docs/providers/).
  { provider: "acrobat-sign", fixture: "agreement-rejected", type: "esign.envelope.declined", subject: "CBJCHBCAABAAmDDrjaJHSS2X0iJCVx072w7vyii6yjXv", id: "c2c736a1-e8ff-4dd2-b07b-2bdf9e379827" },
  { provider: "zigned", fixture: "participant-fulfilled-ms-rotation", type: "esign.participant.signed", subject: "cmhupv03i09q8liy4ht8y67i4" },
  { provider: "yousign", fixture: "signer-done", type: "esign.participant.signed", subject: "9a2b1c3d-0e4f-4a5b-8c6d-7e8f9a0b1c2d", id: "b6c63685-c556-4a30-8fe9-b6f2b187d936" },
  // JSON SIM with an envelope summary (the documented shape, docs/providers/).
  { provider: "docusign", fixture: "recipient-declined-summary", type: "esign.participant.declined", subject: "4b7e1c2d-0000-4000-8000-00000000e001" },
  // DocuSeal's documented form webhook (its docs' form webhook page).
  { provider: "docuseal", fixture: "form-completed-rotation", type: "esign.participant.signed", subject: "771" },
  // Documenso's recipients carry signing tokens (docs/providers/): `redacted` lists
  // the credentials (as their JSON string text) that must reach origin only as "[redacted]".
  {
    provider: "documenso",
    fixture: "document-signed-token-redacted",
    type: "esign.participant.signed",
    subject: "envelope_k3m9p2q8r7s6t5u4",
    redacted: ["qMwB7xN2pK9rT4vY8zA1cD", 'Zr8\\"tok\\u0065n/Lp3Q', "s3cret-pdf-pw"],
  },
  // OneSpan's KB0014510 payload (docs/providers/).
  { provider: "onespan-sign", fixture: "package-activate-rotation", type: "esign.envelope.sent", subject: "xT9OeZ-j2jIynQBaLeLdgp9CtZk=" },
  // BoldSign's sample-event-data shape (docs/providers/), filled in.
  // SignWell: event.hash (type@time only) in the body; the data shape is unconfirmed.
  { provider: "signwell", fixture: "document-completed-rotation", type: "esign.envelope.completed", subject: "7f3c2b1a-0e9d-4c8b-a7f6-5e4d3c2b1a09" },
  // Dropbox Sign: multipart/form-data, event.event_hash (event_time + event_type only) in
  // the `json` field; a signer's signing_url is a credential.
  {
    provider: "dropbox-sign",
    fixture: "signature-request-signed-multipart",
    type: "esign.participant.signed",
    subject: "2f9781e1a8e2045224d808c153c2e1d3df6f8f2f",
    redacted: ["https://app.hellosign.com/sign/2f9781e1a8e2045224d808c153c2e1d3df6f8f2f?token=s3cr3t"],
  },
  { provider: "boldsign", fixture: "document-signed-rotation", type: "esign.participant.signed", subject: "26b8695f-46d0-4cd4-ba1a-c5a0d595c849", id: "b1e3a6f0-5d2c-4a8e-9b71-3c0f2d4e5a61" },
  // Signable's documented signed-envelope-complete shape; its MAC covers the body.
  { provider: "signable", fixture: "local-vector", type: "esign.envelope.completed", subject: "e0b3a9cbd4a6ff2cb57cfca161a38309" },
  // Xodo Sign: event_hash (the event's time and type only) in the body, as Dropbox Sign.
  { provider: "xodo-sign", fixture: "document-completed-number-time-rotation", type: "esign.envelope.completed", subject: "vYJhnVxIqfGrkJ" },
  // A Box webhook with a SIGN_REQUEST.COMPLETED trigger (Box's documented shape).
  { provider: "box-sign", fixture: "sign-request-completed", type: "esign.envelope.completed", subject: "a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d", id: "7d8e2f0a-3c4b-4f6e-9a1b-2c3d4e5f6a7b" },
  // SignatureAPI's documented recipient.completed event, Standard Webhooks signed.
  { provider: "signatureapi", fixture: "doc-recipient-completed-rotation", type: "esign.participant.signed", subject: "e387553d-cbb7-4924-abd8-b2d89699e9b5", id: "evt_4p2oouvNvjp1I9ckgqycH2" },
];

/** The providers whose proof is a bearer secret sent as is (no MAC, no integrity). */
export const SHARED_SECRET_PROVIDERS = ["documenso", "onespan-sign"];

/**
 * The payload text origin must receive in `data.raw` for delivery `d`: the body (Dropbox
 * Sign's multipart: its `json` field), with each
 * of `d.redacted` replaced by "[redacted]".
 */
export function expectedRaw(d, body) {
  let text = multipartJson(body).json;
  for (const value of d.redacted ?? []) {
    const literal = `"${value}"`;
    if (!text.includes(literal)) throw new Error(`${value} is not in ${d.fixture}`);
    text = text.split(literal).join('"[redacted]"');
  }
  return text;
}

/** POSTs `body` with `headers`; returns status, headers and the parsed JSON answer. */
export async function post(url, body, headers = {}, method = "POST") {
  const res = await fetch(url, { method, body, headers });
  const text = await res.text();
  let json;
  try {
    json = JSON.parse(text);
  } catch {}
  return { status: res.status, headers: res.headers, text, json };
}
