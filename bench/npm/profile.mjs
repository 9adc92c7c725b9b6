// Profiling driver (not a test, not the benchmark): one Node process calls the package's
// `verifyText` (MODE=text) or `verify` (MODE=object) N times on one signed Zoho Sign
// delivery of about SIZE bytes, and prints µs per event. For `node --cpu-prof`, and for the
// host-digest threshold: MIN_BYTES re-registers the package's node:crypto digest with that
// threshold (the package's default is 4096).
//
//   node_modules/.bin/node bench/npm/profile.mjs                      (SIZE=65536 MODE=text N=3000)
//   SIZE=1024 MODE=object MIN_BYTES=0 node_modules/.bin/node bench/npm/profile.mjs
//   node_modules/.bin/node --cpu-prof --cpu-prof-dir=/tmp/prof bench/npm/profile.mjs
//   node_modules/.bin/node bench/npm/profile.mjs --top /tmp/prof/<file>.cpuprofile
//
// `--top` sums a .cpuprofile's self time per function and prints the largest 25. For wasm
// function names in the profile, the package's wasm must keep its name section: build it
// without wasm-pack's wasm-opt, then run wasm-opt -O3 with --debuginfo, and point
// SIGNHOOK_PACKAGE_DIR at that copy of npm/dist (README's Benchmarks say what was measured).
import { createHash, createHmac } from "node:crypto";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

import { zohoBody } from "./bodies.mjs";

if (process.argv[2] === "--top") {
  const profile = JSON.parse(readFileSync(process.argv[3], "utf8"));
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map();
  profile.samples.forEach((id, i) => {
    const { functionName, url } = byId.get(id).callFrame;
    const name = `${functionName || "(anonymous)"} ${url.split("/").pop()}`;
    self.set(name, (self.get(name) ?? 0) + profile.timeDeltas[i]);
  });
  const total = [...self.values()].reduce((a, b) => a + b, 0);
  for (const [name, t] of [...self].sort((a, b) => b[1] - a[1]).slice(0, 25)) {
    console.log(`${((100 * t) / total).toFixed(1).padStart(5)}%  ${name}`);
  }
  process.exit(0);
}

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const PACKAGE_DIR = resolve(process.env.SIGNHOOK_PACKAGE_DIR ?? join(ROOT, "npm/dist"));
const { verify, verifyText } = await import(pathToFileURL(join(PACKAGE_DIR, "node/index.mjs")).href);
if (process.env.MIN_BYTES !== undefined) {
  // The same digest the package's Node entry registers, with another threshold.
  createRequire(import.meta.url)(join(PACKAGE_DIR, "node/signhook.js")).setHostDigest(
    (key, a, b, c, d) =>
      (key === undefined ? createHash("sha256") : createHmac("sha256", key)).update(a).update(b).update(c).update(d).digest(),
    Number(process.env.MIN_BYTES),
  );
}

const SECRET = "bench_webhook_secret_0123456789";
const SIZE = Number(process.env.SIZE ?? 65536);
const MODE = process.env.MODE ?? "text";
if (MODE !== "text" && MODE !== "object") throw new Error(`MODE must be text or object, got ${MODE}`);
const N = Number(process.env.N ?? 3000);

const body = zohoBody(SIZE);
const options = {
  provider: "zoho-sign",
  headers: { "content-type": "application/json", "x-zs-webhook-signature": createHmac("sha256", SECRET).update(body).digest("base64") },
  body,
  secrets: [SECRET],
  now: 1_700_000_000,
};
const call = MODE === "text" ? () => verifyText(options).length : () => verify(options).id.length;
let sink = 0;
for (let i = 0; i < Math.min(N, 200); i++) sink += call(); // warm-up
const started = performance.now();
for (let i = 0; i < N; i++) sink += call();
const us = ((performance.now() - started) * 1000) / N;
console.log(`zoho-sign ${body.length} B, ${MODE}, ${N} calls: ${us.toFixed(1)} µs/event (sink ${sink > 0})`);
