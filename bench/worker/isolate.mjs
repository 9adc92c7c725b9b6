// Time per event INSIDE one workerd isolate: the Rust Worker against a plain JS Worker doing
// the same verify + normalize + serialize for Zoho Sign (bench/worker/baseline.mjs), with
// crypto.subtle and with node:crypto. Each Worker runs the pipeline `n` times on one
// request's bytes and times the loop with performance.now() (`?bench=<n>`: the Rust side is
// the cargo feature `bench`, built here into target/bench-worker, never deployed), so the
// HTTP round trip that dominates bench/worker/run.mjs is out of the figure.
//
//   node_modules/.bin/node bench/worker/isolate.mjs   (ROUNDS=9, STAGE_ROUNDS=5, ITER=…,
//                                                     HOST_MIN=<bytes>: node:crypto's threshold,
//                                                     COMPARE_BUILD=<dir>: an earlier bench build,
//                                                     BODY=text: one long string, not documents)
//
// Then each Worker's per-stage breakdown (`&stages=1`, each stage in its own loop: the Rust
// Worker's copy, mac, utf8, scan, id, normalize, write, answer, src/worker/bench.rs; the JS
// Worker's mac, id, decode, parse, write, answer).
//
// Not a test: it asserts only that every Worker verified and answered the same event.
import { execFileSync } from "node:child_process";
import { createHmac } from "node:crypto";
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";

import { Miniflare, convertV4MiniflareOptions } from "miniflare";

import { workerOptions } from "./workers.mjs";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const ROUNDS = Number(process.env.ROUNDS ?? 9);
const STAGE_ROUNDS = Number(process.env.STAGE_ROUNDS ?? 5);
const BODY = process.env.BODY ?? "documents";
const SECRET = "zoho_test_secret";
// 2 KiB: the captured payload alone is 1,234 bytes.
const SIZES = [2 * 1024, 8 * 1024, 64 * 1024];
// 0.2 to 0.3 s of work per round and Worker (performance.now() moves in whole ms in workerd).
const ITERATIONS = { 2048: 10000, 8192: 3000, 65536: 500 };

process.env.WRANGLER_SEND_METRICS = "false";
process.env.CLOUDFLARE_CF_FETCH_ENABLED = "false";

const BUILD = path.join(ROOT, "target/bench-worker");
execFileSync("bash", [path.join(ROOT, "scripts/build-worker.sh")], {
  stdio: ["ignore", "ignore", "inherit"],
  env: { ...process.env, SIGNHOOK_WORKER_OUT: "target/bench-worker", SIGNHOOK_WORKER_FEATURES: "worker,bench" },
});

/** A Zoho Sign RequestCompleted delivery of `size` bytes: the captured payload with as many
 * documents as fit (both Workers map them), then a padding field to the exact size. */
function bodyOf(size) {
  const base = JSON.parse(readFileSync(path.join(ROOT, "tests/fixtures/zoho-sign/request-completed/body"), "utf8"));
  const docs = base.requests.document_ids ?? [];
  const template = docs[0] ?? { document_name: "Contract.pdf", document_id: "222008000000016001" };
  // A fresh event: the Rust Worker refuses one older than MAX_EVENT_AGE_SECONDS.
  base.notifications.performed_at = Date.now();
  base.padding = "";
  // BODY=text: the captured documents only, the rest one long string (a payload of text,
  // an embedded attachment), where the reader's string scan is most of the work.
  for (let n = 0; BODY !== "text" && Buffer.byteLength(JSON.stringify(base)) < size - 200; n++) {
    docs.push({ ...template, document_name: `Contract part ${n}.pdf`, document_id: `2220080000000${String(n).padStart(5, "0")}` });
  }
  base.requests.document_ids = docs;
  base.padding = "x".repeat(size - Buffer.byteLength(JSON.stringify(base)));
  const body = Buffer.from(JSON.stringify(base));
  if (body.length !== size) throw new Error(`body is ${body.length} bytes, not ${size}`);
  return body;
}

const options = workerOptions(BUILD, SECRET);
const rust = new Miniflare(convertV4MiniflareOptions(options.rust));
const js = new Miniflare(convertV4MiniflareOptions(options.js));
const rustUrl = await rust.ready;
const jsUrl = await js.ready;
// COMPARE_BUILD=<dir>: another bench build of the Rust Worker (an earlier commit's, built
// with SIGNHOOK_WORKER_FEATURES=worker,bench) timed in the same rounds; no breakdown.
const compare = process.env.COMPARE_BUILD
  ? new Miniflare(convertV4MiniflareOptions(workerOptions(path.resolve(process.env.COMPARE_BUILD), SECRET).rust))
  : null;
const compareUrl = compare ? await compare.ready : null;
const health = await (await fetch(new URL("/healthz", rustUrl))).json();
const targets = [
  { name: "rust", url: rustUrl, query: process.env.HOST_MIN ? `&host_min=${process.env.HOST_MIN}` : "" },
  { name: "js-subtle", url: jsUrl, query: "" },
  { name: "js-node", url: jsUrl, query: "&crypto=node" },
  ...(compare ? [{ name: "compare", url: compareUrl, query: "" }] : []),
];

/** A signed Zoho Sign delivery of `body` to the Worker at `url`, `query` appended; its JSON
 * answer (`name` says who failed). */
async function send(url, body, query = "", name = url) {
  const signature = createHmac("sha256", SECRET).update(body).digest("base64");
  const res = await fetch(new URL(`/hooks/zoho-sign${query}`, url), {
    method: "POST",
    body,
    headers: { "content-type": "application/json", "x-zs-webhook-signature": signature },
  });
  const text = await res.text();
  if (res.status !== 200) throw new Error(`${name}: ${res.status} ${text.slice(0, 300)}`);
  return JSON.parse(text);
}

/** The bench loop of `iterations` in `target`'s isolate (`extra`: more query). */
const post = (target, body, iterations, extra = "") =>
  send(target.url, body, `?bench=${iterations}${target.query}${extra}`, target.name);

const results = [];
const breakdown = [];
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
for (const size of SIZES) {
  const body = bodyOf(size);
  // Same answer first: one plain request each (inspect mode) must give the same event id.
  const answers = await Promise.all([rustUrl, jsUrl].map((url) => send(url, body)));
  if (answers[0].id !== answers[1].id || answers[0].type !== answers[1].type) {
    throw new Error(`the Workers disagree at ${size} B: ${answers[0].id} ${answers[1].id}`);
  }
  const n = Number(process.env.ITER ?? ITERATIONS[size]);
  for (const t of targets) await post(t, body, Math.ceil(n / 5)); // warm-up (JIT, tiering)
  const perEvent = Object.fromEntries(targets.map((t) => [t.name, []]));
  // Interleaved rounds, so drift hits every Worker alike.
  for (let r = 0; r < ROUNDS; r++) {
    for (const t of targets) {
      const out = await post(t, body, n);
      perEvent[t.name].push((out.elapsed_ms * 1000) / out.iterations);
    }
  }
  const row = { size, iterations: n };
  for (const t of targets) row[`${t.name}_us`] = +median(perEvent[t.name]).toFixed(2);
  row.rust_vs_subtle = +(row.rust_us / row["js-subtle_us"]).toFixed(2);
  row.rust_vs_node = +(row.rust_us / row["js-node_us"]).toFixed(2);
  if (compare) row.rust_vs_compare = +(row.rust_us / row.compare_us).toFixed(2);
  results.push(row);
  // Where the time goes: each stage in its own loop (`&stages=1`), median of STAGE_ROUNDS.
  for (const t of targets.filter((t) => t.name !== "compare")) {
    const rounds = [];
    for (let r = 0; r < STAGE_ROUNDS; r++) rounds.push((await post(t, body, n, "&stages=1")).stages_us);
    const stage = { size, worker: t.name };
    for (const name of Object.keys(rounds[0])) stage[name] = +median(rounds.map((x) => x[name])).toFixed(2);
    breakdown.push(stage);
  }
}

await rust.dispose();
await js.dispose();
await compare?.dispose();

const wasm = readFileSync(path.join(BUILD, "index_bg.wasm"));
console.log(
  `Zoho Sign (${BODY}), µs per event inside one workerd isolate (median of ${ROUNDS} rounds), node ${process.version}; ` +
    `Rust Worker digest: ${health.digest}; bench wasm ${wasm.length} B raw, ${gzipSync(wasm, { level: 9 }).length} B gzip -9`,
);
console.table(results);
console.log("µs per event and stage, each stage in its own loop (median of", STAGE_ROUNDS, "rounds):");
console.table(breakdown);
console.log(JSON.stringify({ digest: health.digest, results, breakdown }));
