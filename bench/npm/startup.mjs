// Benchmark (not a test): what the package's size costs a server, once per process. Each
// round starts fresh Node processes (nothing cached between them, no code cache) and
// times, from inside the process:
//   - `load`: `require` of the package's Node entry (reads and compiles the verify wasm,
//     instantiates it);
//   - `first` / `second`: the first and the second `verifyText` of a small Zoho Sign
//     delivery (the first call compiles what it runs: V8 compiles wasm lazily);
//   - for the hand-written verifier of bench/npm/run.mjs (node:crypto + JSON.parse +
//     mapping + JSON.stringify), `load` (requiring node:crypto) and its first two calls:
//     the baseline, in the same harness;
//   - `compile`: `new WebAssembly.Module` over each wasm file the package ships for Node,
//     alone (what the file's size costs to compile).
// It also times each process from spawn to exit, beside an empty `node -e ""`.
//
//   scripts/build-npm.sh --no-pack && node_modules/.bin/node bench/npm/startup.mjs
//   (ROUNDS=15 by default; SIGNHOOK_PACKAGE_DIR selects another built package)
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const PACKAGE_DIR = resolve(process.env.SIGNHOOK_PACKAGE_DIR ?? join(ROOT, "npm/dist"));
const ROUNDS = Number(process.env.ROUNDS ?? 15);
const NODE = process.execPath;

// The child's script: a CommonJS program run with `node -e`, its measurements as one JSON
// line. `process.argv[1]` says what to time; the delivery is the same in every child.
const CHILD = String.raw`
const which = process.argv[1];
const t0 = performance.now();
const out = {};
if (which === "compile") {
  const bytes = require("node:fs").readFileSync(process.argv[2]);
  const t = performance.now();
  new WebAssembly.Module(bytes);
  out.compile = performance.now() - t;
} else if (which !== "empty") {
  const { createHmac, timingSafeEqual } = require("node:crypto");
  const SECRET = "startup_secret_0123456789";
  const body = Buffer.from(JSON.stringify({
    requests: { request_status: "completed", request_id: "222008000000016075", request_name: "Lease",
      document_ids: [{ document_id: "222008000000016069", document_name: "Lease.pdf" }] },
    notifications: { operation_type: "RequestCompleted", performed_at: 1700000000000 },
  }));
  const signature = createHmac("sha256", SECRET).update(body).digest("base64");
  let call;
  const t = performance.now();
  if (which === "package") {
    const { verifyText } = require(process.argv[2]);
    const options = { provider: "zoho-sign", body, secrets: [SECRET], now: 1700000000,
      headers: { "content-type": "application/json", "x-zs-webhook-signature": signature } };
    call = () => verifyText(options);
  } else {
    // The hand-written peer: the same job for this one provider.
    const decoder = new TextDecoder("utf-8", { fatal: true });
    call = () => {
      const expected = createHmac("sha256", SECRET).update(body).digest();
      const given = Buffer.from(signature, "base64");
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw new Error("mismatch");
      const text = decoder.decode(body);
      const p = JSON.parse(text);
      const r = p.requests, n = p.notifications;
      return JSON.stringify({ specversion: "1.0", type: "esign.envelope.completed", source: "zoho-sign",
        id: require("node:crypto").createHash("sha256").update("signhook/zoho-sign\n").update(body).digest("hex"),
        subject: r.request_id, time: new Date(n.performed_at).toISOString(),
        data: { envelope: { id: r.request_id, name: r.request_name, status: r.request_status },
          documents: r.document_ids.map((d) => ({ id: d.document_id, name: d.document_name })), raw: p } });
    };
  }
  out.load = performance.now() - t;
  for (const name of ["first", "second"]) {
    const s = performance.now();
    if (call().length < 100) throw new Error("short event");
    out[name] = performance.now() - s;
  }
}
out.inside = performance.now() - t0;
console.log(JSON.stringify(out));
`;

function child(args) {
  const started = performance.now();
  const run = spawnSync(NODE, ["-e", CHILD, ...args], { encoding: "utf8" });
  const wall = performance.now() - started;
  if (run.status !== 0) throw new Error(`child ${args.join(" ")} failed: ${run.stderr}`);
  return { ...JSON.parse(run.stdout), wall };
}

const entry = join(PACKAGE_DIR, "node/index.cjs");
const wasm = ["signhook_bg.wasm", "signhook_diagnose_bg.wasm"].map((f) => join(PACKAGE_DIR, "node", f));
const cases = [
  ["empty", ["empty"]],
  ["hand-written", ["hand-written"]],
  ["package", ["package", entry]],
  ...wasm.map((file) => [`compile ${file.split("/").pop()}`, ["compile", file]]),
];
const samples = Object.fromEntries(cases.map(([name]) => [name, []]));
// Interleaved, so drift hits every case alike; one warm-up round (disk cache).
for (let round = -1; round < ROUNDS; round++) {
  for (const [name, args] of cases) {
    const s = child(args);
    if (round >= 0) samples[name].push(s);
  }
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const pick = (name, key) => {
  const xs = samples[name].map((s) => s[key]).filter((x) => x !== undefined);
  return xs.length ? +median(xs).toFixed(2) : undefined;
};

const sizes = wasm.map((file) => {
  const bytes = readFileSync(file);
  return `${file.split("/").pop()} ${bytes.length} B raw, ${gzipSync(bytes, { level: 9 }).length} B gzip -9`;
});
console.log(`node ${process.version}, ${process.arch}; median of ${ROUNDS} fresh processes each; ms`);
console.log(sizes.join("; "));
const rows = cases.map(([name]) => ({
  case: name,
  load: pick(name, "load"),
  first: pick(name, "first"),
  second: pick(name, "second"),
  compile: pick(name, "compile"),
  inside: pick(name, "inside"),
  wall: pick(name, "wall"),
}));
console.table(rows);
const get = (name) => rows.find((r) => r.case === name);
const [pkg, peer, empty] = [get("package"), get("hand-written"), get("empty")];
console.log(
  `package / hand-written, load + first call: ${((pkg.load + pkg.first) / (peer.load + peer.first)).toFixed(2)}x ` +
    `(${(pkg.load + pkg.first).toFixed(2)} vs ${(peer.load + peer.first).toFixed(2)} ms); ` +
    `process wall time, package / empty node: ${(pkg.wall / empty.wall).toFixed(2)}x, hand-written / empty: ${(peer.wall / empty.wall).toFixed(2)}x`,
);
console.log(JSON.stringify(rows));
