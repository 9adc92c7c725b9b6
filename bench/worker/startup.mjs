// Benchmark (not a test): what the Worker's size costs at a cold start. Each round starts a
// fresh workerd (Miniflare, from this process, on 127.0.0.1) with the built Rust Worker
// (build/, as deployed) and another with bench/worker/baseline.mjs (the plain JS Worker
// doing the same job for Zoho Sign), and times, for each:
//   - `ready`: from `new Miniflare` to its URL (workerd started, the modules loaded and,
//     for the Rust Worker, its wasm compiled);
//   - `first` / `second`: the first and the second signed Zoho Sign delivery (inspect
//     mode), POST to answer.
//
//   node_modules/.bin/node bench/worker/startup.mjs          (ROUNDS=9 by default)
//   BUILD_DIR=/tmp/other-build node_modules/.bin/node bench/worker/startup.mjs
//   COMPARE_BUILD=/tmp/earlier-build node_modules/.bin/node bench/worker/startup.mjs
//     (a third Worker in the same rounds: an earlier commit's build, for a before/after)
//   FLOOR=1 node_modules/.bin/node bench/worker/startup.mjs
//     (two more Workers from bench/worker/floor/, built first: `floor`, workers-rs with
//     nothing in it, and `core`, workers-rs with signhook's verify + normalize for Zoho Sign
//     and none of the queue, Durable Objects, D1 or admin code: what the cold start of a
//     Worker holding only the hook path would be)
import { execFileSync } from "node:child_process";
import { createHmac } from "node:crypto";
import { copyFileSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";

import { Miniflare, convertV4MiniflareOptions } from "miniflare";

import { workerOptions } from "./workers.mjs";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const ROUNDS = Number(process.env.ROUNDS ?? 9);
const SECRET = "zoho_test_secret";

process.env.WRANGLER_SEND_METRICS = "false";
process.env.CLOUDFLARE_CF_FETCH_ENABLED = "false";

const BUILD = path.resolve(process.env.BUILD_DIR ?? path.join(ROOT, "build"));
if (!process.env.BUILD_DIR) {
  execFileSync("bash", [path.join(ROOT, "scripts/build-worker.sh")], { stdio: ["ignore", "ignore", "inherit"] });
}

// The captured RequestCompleted delivery, with a fresh event time.
const base = JSON.parse(readFileSync(path.join(ROOT, "tests/fixtures/zoho-sign/request-completed/body"), "utf8"));
base.notifications.performed_at = Date.now();
const body = Buffer.from(JSON.stringify(base));
const signature = createHmac("sha256", SECRET).update(body).digest("base64");

const workers = workerOptions(BUILD, SECRET);
// COMPARE_BUILD=<dir>: another build of the Rust Worker (an earlier commit's, say) in the
// same rounds, so that a change is measured against it in one process.
if (process.env.COMPARE_BUILD) {
  workers.compare = workerOptions(path.resolve(process.env.COMPARE_BUILD), SECRET).rust;
}

// FLOOR=1: bench/worker/floor/ built twice (without and with its feature `core`) by
// worker-build, with the Worker build's tools and wasm flags (scripts/env.sh), into
// target/floor-worker and target/floor-worker-core. Its lock file is the root one, copied.
if (process.env.FLOOR) {
  const crate = path.join(ROOT, "bench/worker/floor");
  copyFileSync(path.join(ROOT, "Cargo.lock"), path.join(crate, "Cargo.lock"));
  for (const [name, features] of [["floor", ""], ["core", "core"]]) {
    const out = path.join(ROOT, `target/floor-worker${features ? `-${features}` : ""}`);
    const build = `. "${ROOT}/scripts/env.sh" && worker-build --out-dir "${out}" --release${features ? ` --features ${features}` : ""}`;
    execFileSync("bash", ["-c", build], {
      cwd: crate,
      stdio: ["ignore", "ignore", "inherit"],
      env: {
        ...process.env,
        CARGO_TARGET_DIR: path.join(ROOT, "target/floor"),
        CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS: "-C target-feature=+simd128",
      },
    });
    workers[name] = workerOptions(out, SECRET).rust;
  }
}

async function post(url) {
  const res = await fetch(new URL("/hooks/zoho-sign", url), {
    method: "POST",
    body,
    headers: { "content-type": "application/json", "x-zs-webhook-signature": signature },
  });
  const text = await res.text();
  if (res.status !== 200 || JSON.parse(text).type !== "esign.envelope.completed") {
    throw new Error(`${url}: ${res.status} ${text.slice(0, 300)}`);
  }
}

async function coldStart(options) {
  const t0 = performance.now();
  const mf = new Miniflare(convertV4MiniflareOptions(options));
  try {
    const url = await mf.ready;
    const t1 = performance.now();
    await post(url);
    const t2 = performance.now();
    await post(url);
    const t3 = performance.now();
    return { ready: t1 - t0, first: t2 - t1, second: t3 - t2 };
  } finally {
    await mf.dispose();
  }
}

const samples = Object.fromEntries(Object.keys(workers).map((name) => [name, []]));
// Interleaved; one warm-up round (disk cache, Miniflare's own start-up).
for (let round = -1; round < ROUNDS; round++) {
  for (const name of Object.keys(workers)) {
    const s = await coldStart(workers[name]);
    if (round >= 0) samples[name].push(s);
  }
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const rows = Object.entries(samples).map(([name, xs]) => {
  const row = { worker: name };
  for (const key of ["ready", "first", "second"]) row[key] = +median(xs.map((s) => s[key])).toFixed(1);
  row.ready_plus_first = +median(xs.map((s) => s.ready + s.first)).toFixed(1);
  return row;
});
const wasm = readFileSync(path.join(BUILD, "index_bg.wasm"));
console.log(
  `cold start in workerd, ms, median of ${ROUNDS} rounds; node ${process.version}; ` +
    `Rust Worker wasm ${wasm.length} B raw, ${gzipSync(wasm, { level: 9 }).length} B gzip -9`,
);
console.table(rows);
const row = (name) => rows.find((r) => r.worker === name);
const [rust, js, compare] = [row("rust"), row("js"), row("compare")];
console.log(
  `rust / js: ready ${(rust.ready / js.ready).toFixed(2)}x, ready + first request ${(rust.ready_plus_first / js.ready_plus_first).toFixed(2)}x ` +
    `(${rust.ready_plus_first} vs ${js.ready_plus_first} ms: ${(rust.ready_plus_first - js.ready_plus_first).toFixed(1)} ms more)`,
);
if (compare) {
  console.log(
    `compare (${process.env.COMPARE_BUILD}) / js: ready + first request ${(compare.ready_plus_first / js.ready_plus_first).toFixed(2)}x ` +
      `(${compare.ready_plus_first} ms: ${(compare.ready_plus_first - js.ready_plus_first).toFixed(1)} ms more); ` +
      `rust / compare: first answer ${(rust.first / compare.first).toFixed(2)}x, ready + first ${(rust.ready_plus_first / compare.ready_plus_first).toFixed(2)}x`,
  );
}
for (const name of ["floor", "core"].filter(row)) {
  const r = row(name);
  const size = readFileSync(path.join(ROOT, `target/floor-worker${name === "core" ? "-core" : ""}/index_bg.wasm`)).length;
  console.log(
    `${name} (${size} B wasm) / js: ready + first request ${(r.ready_plus_first / js.ready_plus_first).toFixed(2)}x ` +
      `(${r.ready_plus_first} ms: ${(r.ready_plus_first - js.ready_plus_first).toFixed(1)} ms more; ready ${(r.ready - js.ready).toFixed(1)}, first ${(r.first - js.first).toFixed(1)})`,
  );
}
console.log(JSON.stringify(rows));
