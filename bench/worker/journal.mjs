// Benchmark: what the delivery log costs the hook path. The built Rust Worker twice in one
// workerd (Miniflare, from this process), inspect mode, an 8 KiB signed Zoho Sign delivery:
// once WITHOUT the TENANTS_DB binding (the log has nowhere to go: off) and once WITH a local
// D1 database migrated from migrations/ (every request writes its record through
// ctx.waitUntil: on). Sequential requests over one keep-alive connection each, the two
// Workers interleaved; per-request time from the request's start to the answer's end, and
// the run's total time (the waitUntil work shares the isolate's CPU with later requests).
//
//   node_modules/.bin/node bench/worker/journal.mjs          (build/ as it is)
//   N=3000 node_modules/.bin/node bench/worker/journal.mjs
//
// Not a test: numbers vary with the machine.
import { createHmac } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import http from "node:http";
import path from "node:path";
import { fileURLToPath } from "node:url";

import { Miniflare, convertV4MiniflareOptions } from "miniflare";

import { workerOptions } from "./workers.mjs";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const N = Number(process.env.N ?? 2000);
const WARMUP = Number(process.env.WARMUP ?? 300);
const SECRET = "zoho_test_secret";
const BUILD = path.join(ROOT, "build");

process.env.WRANGLER_SEND_METRICS = "false";

function body8k() {
  const base = JSON.parse(readFileSync(path.join(ROOT, "tests/fixtures/zoho-sign/request-completed/body"), "utf8"));
  base.padding = "";
  base.padding = "x".repeat(8 * 1024 - Buffer.byteLength(JSON.stringify(base)));
  return Buffer.from(JSON.stringify(base));
}
const body = body8k();
const signature = createHmac("sha256", SECRET).update(body).digest("base64");

async function start(withLog) {
  const options = workerOptions(BUILD, SECRET).rust;
  // The captured payload is from 2021: no age bound here, the log is what is measured.
  options.bindings = { ...options.bindings, MAX_EVENT_AGE_SECONDS: String(100 * 365 * 86400) };
  if (withLog) options.d1Databases = { TENANTS_DB: "bench-journal" };
  const mf = new Miniflare(convertV4MiniflareOptions(options));
  const url = await mf.ready;
  if (withLog) {
    const db = await mf.getD1Database("TENANTS_DB");
    for (const file of readdirSync(path.join(ROOT, "migrations")).sort()) {
      // Comments out (they may hold a `;`), then one statement at a time.
      const sql = readFileSync(path.join(ROOT, "migrations", file), "utf8")
        .split("\n")
        .map((l) => l.replace(/--.*$/, ""))
        .join("\n");
      for (const statement of sql.split(";").map((s) => s.trim()).filter(Boolean)) {
        await db.prepare(statement).run();
      }
    }
  }
  return { mf, url, agent: new http.Agent({ keepAlive: true, maxSockets: 1 }) };
}

function once({ url, agent }) {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const req = http.request(
      new URL("/hooks/zoho-sign", url),
      { method: "POST", agent, headers: { "content-type": "application/json", "x-zs-webhook-signature": signature, "content-length": body.length } },
      (res) => {
        res.resume();
        res.on("end", () => {
          if (res.statusCode !== 200) reject(new Error(`status ${res.statusCode}`));
          else resolve(Number(process.hrtime.bigint() - started) / 1e6);
        });
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

const pct = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(p * s.length) - 1))];
};

const off = await start(false);
const on = await start(true);
try {
  for (let i = 0; i < WARMUP; i++) {
    await once(off);
    await once(on);
  }
  const times = { off: [], on: [] };
  const total = { off: 0, on: 0 };
  for (let i = 0; i < N; i++) {
    for (const [name, w] of i % 2 ? [["off", off], ["on", on]] : [["on", on], ["off", off]]) {
      const ms = await once(w);
      times[name].push(ms);
      total[name] += ms;
    }
  }
  const db = await on.mf.getD1Database("TENANTS_DB");
  const { n } = await db.prepare("SELECT COUNT(*) AS n FROM deliveries").first();
  console.log(`[journal] ${N} interleaved requests per Worker (8 KiB Zoho Sign, inspect mode), after ${WARMUP} warm-up each`);
  for (const name of ["off", "on"]) {
    console.log(`[journal] log ${name.padEnd(3)}: p50 ${pct(times[name], 0.5).toFixed(3)} ms, p99 ${pct(times[name], 0.99).toFixed(3)} ms, mean ${(total[name] / N).toFixed(3)} ms`);
  }
  console.log(
    `[journal] on/off: p50 ${(pct(times.on, 0.5) / pct(times.off, 0.5)).toFixed(3)}x, p99 ${(pct(times.on, 0.99) / pct(times.off, 0.99)).toFixed(3)}x, mean ${(total.on / total.off).toFixed(3)}x; records written: ${n}`,
  );
} finally {
  await off.mf.dispose();
  await on.mf.dispose();
}
