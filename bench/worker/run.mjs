// Benchmark: POST → answer latency of the built Rust Worker in workerd (inspect mode, an
// 8 KiB signed Zoho Sign delivery) against bench/worker/baseline.mjs, a plain JS Worker
// doing the same verify with crypto.subtle, both run by Miniflare from this one process
// and driven by sequential requests over one keep-alive connection on 127.0.0.1.
// Also prints the Worker's wasm size (raw, gzip -9) and the cargo profile it was built with.
//
//   node_modules/.bin/node bench/worker/run.mjs            (builds build/ first if needed)
//   N=5000 WARMUP=500 node_modules/.bin/node bench/worker/run.mjs
//   BUILD_DIR=/tmp/other-build node_modules/.bin/node bench/worker/run.mjs   (another build, as is)
//
// Not a test: numbers vary with the machine. Needs scripts/bootstrap.sh's tools.
import { execFileSync } from "node:child_process";
import { createHmac } from "node:crypto";
import { readFileSync } from "node:fs";
import http from "node:http";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";

import { Miniflare, convertV4MiniflareOptions } from "miniflare";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const N = Number(process.env.N ?? 2000);
const WARMUP = Number(process.env.WARMUP ?? 300);
const SECRET = "zoho_test_secret";
const SIZE = 8 * 1024;

process.env.WRANGLER_SEND_METRICS = "false";
process.env.CLOUDFLARE_CF_FETCH_ENABLED = "false";

const BUILD = path.resolve(process.env.BUILD_DIR ?? path.join(ROOT, "build"));
if (!process.env.BUILD_DIR) {
  execFileSync("bash", [path.join(ROOT, "scripts/build-worker.sh")], { stdio: ["ignore", "ignore", "inherit"] });
}

// An 8 KiB Zoho Sign RequestCompleted delivery: the real captured payload with more
// signers, then an unknown padding field (ignored by both) to hit exactly 8192 bytes.
function body8k() {
  const base = JSON.parse(readFileSync(path.join(ROOT, "tests/fixtures/zoho-sign/request-completed/body"), "utf8"));
  const actions = base.requests.actions ?? [];
  const template = actions[0] ?? { action_id: "1", recipient_email: "a@example.com", recipient_name: "A" };
  let n = 0;
  while (Buffer.byteLength(JSON.stringify(base, null, 2)) < SIZE - 400) {
    actions.push({ ...template, action_id: `${template.action_id}${n}`, recipient_email: `signer${n}@example.com` });
    n++;
  }
  base.requests.actions = actions;
  base.padding = "";
  const short = SIZE - Buffer.byteLength(JSON.stringify(base, null, 2));
  if (short < 0) throw new Error("body overshot 8 KiB");
  base.padding = "x".repeat(short);
  const body = Buffer.from(JSON.stringify(base, null, 2));
  if (body.length !== SIZE) throw new Error(`body is ${body.length} bytes`);
  return body;
}

const body = body8k();
const signature = createHmac("sha256", SECRET).update(body).digest("base64");

let logLines = 0;
const common = {
  host: "127.0.0.1",
  port: 0,
  compatibilityDate: "2026-11-01",
  bindings: { ZOHO_SIGN_SECRETS: SECRET, DELIVERY: "inspect", ORIGIN_URL: "", MAX_BODY_BYTES: "10485760" },
  // Both Workers log one line per request; count the lines here instead of printing them,
  // so the terminal is not what gets timed.
  handleStructuredLogs() {
    logLines++;
  },
};

const rust = new Miniflare(
  convertV4MiniflareOptions({
    ...common,
    modulesRoot: BUILD, // module names index.js / index_bg.wasm, wherever BUILD is
    modules: [
      { type: "ESModule", path: path.join(BUILD, "index.js") },
      { type: "CompiledWasm", path: path.join(BUILD, "index_bg.wasm") },
    ],
  }),
);
const js = new Miniflare(
  convertV4MiniflareOptions({
    ...common,
    modules: [{ type: "ESModule", path: path.join(ROOT, "bench/worker/baseline.mjs") }],
  }),
);
const targets = [
  { name: "rust-wasm (signhook Worker)", url: await rust.ready, path: "/hooks/zoho-sign" },
  { name: "js baseline (crypto.subtle)", url: await js.ready, path: "/hooks/zoho-sign" },
  { name: "js baseline, verify only", url: await js.ready, path: "/verify-only/zoho-sign" },
];

const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
function once(url, p) {
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        agent,
        host: url.hostname,
        port: url.port,
        path: p,
        method: "POST",
        headers: {
          "content-type": "application/json",
          "content-length": body.length,
          "x-zs-webhook-signature": signature,
        },
      },
      (res) => {
        const chunks = [];
        res.on("data", (c) => chunks.push(c));
        res.on("end", () => resolve({ status: res.statusCode, text: Buffer.concat(chunks).toString("utf8") }));
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

// Same answer first: both must verify and normalize, or the timing means nothing.
for (const t of targets) {
  const res = await once(t.url, t.path);
  if (t.path.startsWith("/verify-only")) {
    if (res.status !== 204) throw new Error(`${t.name}: ${res.status} ${res.text}`);
    continue;
  }
  const event = JSON.parse(res.text);
  if (res.status !== 200 || event.type !== "esign.envelope.completed" || event.data.raw.padding === undefined) {
    throw new Error(`${t.name}: unexpected answer ${res.status} ${res.text.slice(0, 300)}`);
  }
}

const samples = Object.fromEntries(targets.map((t) => [t.name, []]));
for (const t of targets) for (let i = 0; i < WARMUP; i++) await once(t.url, t.path);
// Interleave in blocks so drift (thermal, other load) hits every target alike.
const BLOCK = 100;
for (let done = 0; done < N; done += BLOCK) {
  for (const t of targets) {
    for (let i = 0; i < Math.min(BLOCK, N - done); i++) {
      const t0 = performance.now();
      const res = await once(t.url, t.path);
      const dt = performance.now() - t0;
      if (res.status >= 300) throw new Error(`${t.name}: ${res.status}`);
      samples[t.name].push(dt);
    }
  }
}

await rust.dispose();
await js.dispose();
agent.destroy();

const q = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)];
const rows = targets.map((t) => {
  const s = [...samples[t.name]].sort((a, b) => a - b);
  return {
    worker: t.name,
    n: s.length,
    median_ms: +q(s, 0.5).toFixed(3),
    p99_ms: +q(s, 0.99).toFixed(3),
    mean_ms: +(s.reduce((a, b) => a + b, 0) / s.length).toFixed(3),
    min_ms: +s[0].toFixed(3),
  };
});

const wasm = readFileSync(path.join(BUILD, "index_bg.wasm"));
const profile = (() => {
  try {
    return readFileSync(path.join(BUILD, ".signhook-build"), "utf8").trim();
  } catch {
    return "unknown";
  }
})();
console.log(`body: ${body.length} bytes (Zoho Sign RequestCompleted, padded), ${N} sequential requests each after ${WARMUP} warm-up, node ${process.version}`);
console.log(`log lines received from workerd: ${logLines}`);
console.log(`wasm: build/index_bg.wasm ${wasm.length} bytes raw, ${gzipSync(wasm, { level: 9 }).length} bytes gzip -9 (${profile})`);
console.table(rows);
console.log(JSON.stringify({ body_bytes: body.length, wasm_raw: wasm.length, wasm_gzip: gzipSync(wasm, { level: 9 }).length, profile, rows }));
