// Sustained load on the built Worker in workerd (`wrangler dev` on 127.0.0.1, through
// tests/worker/harness.mjs), with a mix of what a hook sees in the wild: valid signed
// deliveries of every provider (some padded up to 60 KiB, some sent chunked), forged ones
// (wrong secret, tampered body, unknown client id, stale Zigned timestamp), oversized ones
// (MAX_BODY_BYTES is set to 64 KiB here; with a Content-Length and chunked without one),
// malformed ones (non-JSON body with a valid signature, missing signature or client id),
// unknown provider paths and wrong methods. Every request has an expected status and, for
// a failure, the expected problem+json `code`; any other answer is "unexpected".
//
//   node_modules/.bin/node bench/worker/load.mjs [requests] [concurrency] [--mode inspect|queue]
//
// Defaults: 20000 requests, 32 at a time, inspect mode (DELIVERY=inspect, no origin). Queue
// mode puts a local origin (startFaultyOrigin, answering 200) behind the Worker and, after
// the run, waits a bounded time for the consumer to deliver what was queued.
// Env: WARMUP (mixed requests before the measured run, default 1000), OVERSIZE_EXTRA (the
// oversized chunked requests of the last phase, default 200), OVERSIZE_EXTRA_BYTES (their
// size, default 1 MiB), SEED (the mix's order, default 1).
//
// Prints throughput, p50/p99/max latency overall and per kind, a status table, the
// unexpected answers, and the RSS of the workerd process(es) of that wrangler (from
// /proc/<pid>/status; wrangler dev runs two: its proxy on the public port and the Worker's
// runtime) before the run, after the warm-up, every 10 s during the run, after it and after
// the oversized chunked phase, with how often wrangler reloaded the Worker meanwhile (it
// watches src/ and www/). A measurement, not a test: nothing asserts a timing. Exit code 1
// only if some answer was unexpected. Needs build/ (scripts/build-worker.sh); Linux /proc.
import { readFileSync, readdirSync, readlinkSync } from "node:fs";
import http from "node:http";

import * as harness from "../../tests/worker/harness.mjs";
import { PROVIDERS, makeDelivery, startFaultyOrigin } from "../../tests/worker/queue-kit.mjs";

// ---- arguments ----------------------------------------------------------------------

const argv = process.argv.slice(2);
let mode = "inspect";
const positional = [];
for (let i = 0; i < argv.length; i++) {
  if (argv[i] === "--mode") mode = argv[++i];
  else if (argv[i].startsWith("--mode=")) mode = argv[i].slice("--mode=".length);
  else positional.push(argv[i]);
}
if (mode !== "inspect" && mode !== "queue") {
  console.error(`--mode must be inspect or queue, not ${mode}`);
  process.exit(2);
}
const N = Number(positional[0] ?? 20000);
const CONCURRENCY = Number(positional[1] ?? 32);
const WARMUP = Number(process.env.WARMUP ?? 1000);
const OVERSIZE_EXTRA = Number(process.env.OVERSIZE_EXTRA ?? 200);
const OVERSIZE_EXTRA_BYTES = Number(process.env.OVERSIZE_EXTRA_BYTES ?? 1024 * 1024);
const SEED = Number(process.env.SEED ?? 1);
for (const [name, v] of Object.entries({ requests: N, concurrency: CONCURRENCY, WARMUP, OVERSIZE_EXTRA, OVERSIZE_EXTRA_BYTES })) {
  if (!Number.isInteger(v) || v < 0 || (name === "concurrency" && v < 1)) {
    console.error(`${name} must be a non-negative integer (concurrency at least 1), not ${v}`);
    process.exit(2);
  }
}

const MAX_BODY_BYTES = 65536;
if (OVERSIZE_EXTRA_BYTES <= MAX_BODY_BYTES) {
  console.error(`OVERSIZE_EXTRA_BYTES must be over MAX_BODY_BYTES (${MAX_BODY_BYTES})`);
  process.exit(2);
}
const CHUNK = 16 * 1024; // chunked bodies are written in pieces of this size
const REQUEST_TIMEOUT_MS = 60_000;
const RUN = Date.now().toString(36); // unique labels per run (queue mode dedupes on them)

const { DELIVERIES, SECRETS, signed, startWorker } = harness;
// A provider's hook path: the harness's own when it has one (Acrobat Sign's URL token).
const hookPath = harness.hookPath ?? ((provider) => `/hooks/${provider}`);

// ---- the mix ------------------------------------------------------------------------

const HMAC_PROVIDERS = ["zoho-sign", "zigned", "yousign"];
const TYPE = Object.fromEntries(DELIVERIES.map((d) => [d.provider, d.type]));
const WRONG_KEY = { "zoho-sign": "not_the_zoho_secret", zigned: "not_the_zigned_secret", yousign: "not_the_yousign_secret" };
const pick = (list, i) => list[i % list.length];
const ok = { status: 200 };
const err = (status, code) => ({ status, code });

// Valid bodies: mostly the fixtures' size (1-3 KiB), some 8 KiB, a few just under the limit.
const VALID_PAD = [undefined, undefined, undefined, undefined, undefined, undefined, 8192, 8192, 8192, 60000];
// Oversized: one byte over, twice, and 16 times the limit.
const OVERSIZE = [MAX_BODY_BYTES + 1, 2 * MAX_BODY_BYTES, 16 * MAX_BODY_BYTES];

// An oversized body does not need to be unique (it is refused before anything else), so one
// per (provider, size) is built once; it is still signed validly, so size is the only fault.
const oversizedBodies = new Map();
function oversized(provider, size) {
  const key = `${provider}/${size}`;
  if (!oversizedBodies.has(key)) {
    const body = makeDelivery(provider, `${RUN}-oversized-${size}`, { padTo: size }).body;
    oversizedBodies.set(key, body);
  }
  return oversizedBodies.get(key);
}

const post = (provider, body, headers, extra = {}) => ({
  method: "POST",
  path: PROVIDERS.includes(provider) ? hookPath(provider) : `/hooks/${provider}`,
  headers,
  body,
  provider,
  ...extra,
});

/** Each kind: its weight in the mix and `make(i, label)` → a request with `expect`. */
const KINDS = [
  ...PROVIDERS.map((provider) => ({
    name: `valid ${provider}`,
    weight: 14,
    make(i, label) {
      const d = makeDelivery(provider, label, { padTo: pick(VALID_PAD, i) });
      return post(provider, d.body, d.headers(), { expect: ok, valid: true, webhookId: d.webhookId });
    },
  })),
  {
    name: "valid chunked",
    weight: 10,
    make(i, label) {
      const provider = pick(PROVIDERS, i);
      const d = makeDelivery(provider, label, { padTo: pick([undefined, 8192, 60000], i >> 2) });
      return post(provider, d.body, d.headers(), { expect: ok, valid: true, chunked: true, webhookId: d.webhookId });
    },
  },
  {
    name: "forged: wrong secret",
    weight: 5,
    expect: err(401, "signature_mismatch"),
    make(i, label) {
      const provider = pick(HMAC_PROVIDERS, i);
      const d = makeDelivery(provider, label);
      return post(provider, d.body, signed(provider, d.body, { key: WRONG_KEY[provider] }));
    },
  },
  {
    name: "forged: tampered body",
    weight: 5,
    expect: err(401, "signature_mismatch"),
    make(i, label) {
      const provider = pick(HMAC_PROVIDERS, i);
      const d = makeDelivery(provider, label);
      const headers = d.headers();
      // Same length, one field changed after signing (an attacker editing the event).
      const body = Buffer.from(d.body.toString("utf8").replace(label, label.split("").reverse().join("")));
      if (body.equals(d.body)) body[body.length - 2] ^= 1;
      return post(provider, body, headers);
    },
  },
  {
    name: "forged: unknown client id",
    weight: 1,
    expect: err(403, "unknown_client_id"),
    make(i, label) {
      const d = makeDelivery("acrobat-sign", label);
      return post("acrobat-sign", d.body, signed("acrobat-sign", d.body, { key: "CBJCHBCAABAAnotallowed000000" }));
    },
  },
  {
    name: "forged: stale zigned timestamp",
    weight: 1,
    expect: err(401, "timestamp_out_of_tolerance"),
    make(i, label) {
      const d = makeDelivery("zigned", label);
      const headers = signed("zigned", d.body, { timestamp: Math.floor(Date.now() / 1000) - 3600 });
      return post("zigned", d.body, headers);
    },
  },
  {
    name: "oversized, content-length",
    weight: 3,
    expect: err(413, "payload_too_large"),
    make(i) {
      const provider = pick(PROVIDERS, i);
      const body = oversized(provider, pick(OVERSIZE, i >> 2));
      return post(provider, body, signed(provider, body));
    },
  },
  {
    name: "oversized, chunked",
    weight: 3,
    expect: err(413, "payload_too_large"),
    make(i) {
      const provider = pick(PROVIDERS, i);
      const body = oversized(provider, pick(OVERSIZE, i >> 2));
      return post(provider, body, signed(provider, body), { chunked: true, earlyClose: true });
    },
  },
  {
    name: "malformed: non-JSON, signed",
    weight: 3,
    expect: err(400, "malformed_payload"),
    make(i, label) {
      const provider = pick(PROVIDERS, i);
      const text = pick([`not json ${label}`, `[1, 2, "${label}"]`, `{"event_id": "${label}", "data": {`], i >> 2);
      const body = Buffer.from(text);
      return post(provider, body, signed(provider, body));
    },
  },
  {
    name: "malformed: missing signature",
    weight: 3,
    expect: err(401, "missing_signature"),
    make(i, label) {
      const provider = pick(HMAC_PROVIDERS, i);
      return post(provider, makeDelivery(provider, label).body, { "content-type": "application/json" });
    },
  },
  {
    name: "malformed: missing client id",
    weight: 1,
    expect: err(401, "missing_client_id"),
    make(i, label) {
      return post("acrobat-sign", makeDelivery("acrobat-sign", label).body, { "content-type": "application/json" });
    },
  },
  {
    name: "unknown provider",
    weight: 2,
    expect: err(404, "unknown_provider"),
    make(i, label) {
      const d = makeDelivery(pick(PROVIDERS, i), label);
      const name = pick(["no-such-provider", "hellosign", "zoho", "yousign-v3", "Zigned"], i >> 2);
      return post(name, d.body, d.headers());
    },
  },
  {
    name: "wrong method",
    weight: 2,
    expect: err(405, "method_not_allowed"),
    make(i, label) {
      const provider = pick(HMAC_PROVIDERS, i);
      const method = pick(["GET", "PUT", "DELETE", "PATCH"], i >> 2);
      if (method === "GET") return { method, path: hookPath(provider), headers: {}, body: null, provider };
      const d = makeDelivery(provider, label);
      return { method, path: hookPath(provider), headers: d.headers(), body: d.body, provider };
    },
  },
];

// A seeded, weighted order of kinds (mulberry32), so two runs send the same mix.
function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const TOTAL_WEIGHT = KINDS.reduce((s, k) => s + k.weight, 0);
function schedule(n, seed) {
  const r = rng(seed);
  const counters = new Map();
  return Array.from({ length: n }, () => {
    let x = r() * TOTAL_WEIGHT;
    let kind = KINDS.at(-1);
    for (const k of KINDS) {
      if ((x -= k.weight) < 0) {
        kind = k;
        break;
      }
    }
    const i = counters.get(kind) ?? 0; // per-kind index: rotates providers and sizes evenly
    counters.set(kind, i + 1);
    return { kind, i };
  });
}

// ---- HTTP ---------------------------------------------------------------------------

/**
 * Sends one request over `agent`; resolves (never rejects) with `{status, headers, text}`
 * or `{error}` and the latency in ms, from before the request to the answer's last byte.
 * A chunked body is written in CHUNK pieces with no Content-Length (Node then sends
 * Transfer-Encoding: chunked), waiting for `drain` between pieces.
 */
function send(agent, target, r) {
  return new Promise((resolve) => {
    const started = performance.now();
    let answered = false;
    let settled = false;
    const done = (result) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve({ ...result, ms: performance.now() - started });
    };
    const headers = { ...r.headers };
    if (r.body && !r.chunked) headers["content-length"] = r.body.length;
    const req = http.request(
      { agent, host: target.hostname, port: target.port, path: r.path, method: r.method, headers },
      (res) => {
        answered = true;
        const chunks = [];
        res.on("data", (c) => chunks.push(c));
        res.on("end", () =>
          done({ status: res.statusCode, headers: res.headers, text: Buffer.concat(chunks).toString("utf8") }),
        );
        res.on("error", (e) => done({ error: `response ${e.code ?? e.message}` }));
        res.on("close", () => {
          if (!res.complete) done({ error: `response cut after status ${res.statusCode}` });
        });
      },
    );
    const timer = setTimeout(() => {
      req.destroy(new Error("timeout"));
      done({ error: `no answer in ${REQUEST_TIMEOUT_MS} ms` });
    }, REQUEST_TIMEOUT_MS);
    // An early answer (e.g. 413 on a declared size) may close the socket while the body
    // is still being written: that write error is not the answer.
    req.on("error", (e) => {
      if (!answered) done({ error: e.code ?? e.message });
    });
    if (!r.body) return req.end();
    if (!r.chunked) return req.end(r.body);
    (async () => {
      for (let off = 0; off < r.body.length; off += CHUNK) {
        if (req.destroyed || settled) return;
        if (!req.write(r.body.subarray(off, off + CHUNK))) {
          await new Promise((resume) => {
            const go = () => {
              req.off("drain", go);
              req.off("close", go);
              resume();
            };
            req.on("drain", go);
            req.on("close", go);
          });
        }
      }
      if (!req.destroyed) req.end();
    })();
  });
}

/** A reset, or the dev proxy's 500 for a request body the Worker stopped reading. */
const isEarlyClose = (res) =>
  /ECONNRESET|EPIPE/.test(res.error ?? "") ||
  (res.status === 500 && /Network connection lost/.test(res.text ?? ""));

const snippet = (text) => text.replace(/\s+/g, " ").slice(0, 160);

/** Why an answer is not the expected one, or null. */
function judge(r, res) {
  // The Worker stops reading an oversized chunked body at MAX_BODY_BYTES + 1 and answers
  // 413 while the client may still be sending: the client then sees the 413, or (under
  // wrangler dev) the connection reset, or a 500 "Network connection lost" from wrangler's
  // own proxy (miniflare's entry worker), which runs no signhook code. All three mean the
  // body was not read to its end; they are counted apart in the table ("early close").
  if (r.earlyClose && isEarlyClose(res)) return null;
  if (res.error) return `transport: ${res.error}`;
  if (res.status !== r.expect.status) return `status ${res.status}, expected ${r.expect.status}: ${snippet(res.text)}`;
  let json;
  try {
    json = JSON.parse(res.text);
  } catch {
    return `answer is not JSON: ${snippet(res.text)}`;
  }
  const ct = String(res.headers["content-type"] ?? "");
  if (r.expect.code) {
    if (!ct.startsWith("application/problem+json")) return `content-type ${ct}, expected application/problem+json`;
    if (json.code !== r.expect.code) return `code ${json.code}, expected ${r.expect.code}`;
    return null;
  }
  // A valid delivery: the answer of the mode, naming the right event.
  if (r.provider === "acrobat-sign") {
    if (json.xAdobeSignClientId !== SECRETS.acrobatClientId) return `no client id echo: ${snippet(res.text)}`;
    if (res.headers["x-adobesign-clientid"] !== SECRETS.acrobatClientId) return "no X-AdobeSign-ClientId header";
    if (mode === "inspect" && json.event?.type !== TYPE[r.provider]) return `event type ${json.event?.type}`;
    return null;
  }
  if (mode === "inspect") {
    if (ct !== "application/cloudevents+json") return `content-type ${ct}`;
    if (json.type !== TYPE[r.provider]) return `event type ${json.type}, expected ${TYPE[r.provider]}`;
  } else if (json.status !== "queued" || json.type !== TYPE[r.provider]) {
    return `queue answer ${snippet(res.text)}`;
  }
  return null;
}

/** Runs `plan` (a list of {kind, i}) `concurrency` at a time; returns the per-request results. */
async function drive(target, plan, concurrency, phase, progress = {}) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  const results = new Array(plan.length);
  let next = 0;
  progress.done = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: Math.min(concurrency, plan.length) }, async () => {
      while (next < plan.length) {
        const n = next++;
        const { kind, i } = plan[n];
        const r = kind.make(i, `${RUN}-${phase}-${n}`);
        r.expect ??= kind.expect;
        const res = await send(agent, target, r);
        results[n] = {
          kind: kind.name,
          where: `${r.method} ${r.path}${r.chunked ? " (chunked)" : ""}, ${r.body?.length ?? 0} B`,
          expect: r.expect,
          status: r.earlyClose && res.status !== 413 && isEarlyClose(res) ? "early close" : res.error ? "error" : res.status,
          ms: res.ms,
          bytes: r.body?.length ?? 0,
          problem: judge(r, res),
          webhookId: r.valid ? r.webhookId : undefined,
        };
        progress.done++;
      }
    }),
  );
  const wallMs = performance.now() - started;
  agent.destroy();
  return { results, wallMs };
}

// ---- workerd memory -----------------------------------------------------------------

function stat(pid) {
  try {
    const s = readFileSync(`/proc/${pid}/stat`, "utf8");
    const close = s.lastIndexOf(")");
    const comm = s.slice(s.indexOf("(") + 1, close);
    const f = s.slice(close + 2).split(" "); // state ppid pgrp ...
    return { pid, comm, ppid: Number(f[1]), pgrp: Number(f[2]) };
  } catch {
    return null; // gone meanwhile
  }
}
const allProcs = () =>
  readdirSync("/proc")
    .filter((d) => /^\d+$/.test(d))
    .map((d) => stat(Number(d)))
    .filter(Boolean);

/**
 * The wrangler started by startWorker listening on `port`: the process whose command
 * line holds `--port <port>` and names wrangler. Its process group is the one
 * startWorker made (detached), and holds workerd.
 */
function findWrangler(port) {
  for (const p of allProcs()) {
    let args;
    try {
      args = readFileSync(`/proc/${p.pid}/cmdline`, "utf8").split("\0");
    } catch {
      continue;
    }
    const at = args.indexOf("--port");
    if (at >= 0 && args[at + 1] === String(port) && args.some((a) => a.includes("wrangler"))) return p;
  }
  throw new Error(`no wrangler process with --port ${port}`);
}

/** workerd processes in wrangler's process group or below it. */
function workerdPids(wrangler) {
  const procs = allProcs();
  const children = new Map();
  for (const p of procs) children.set(p.ppid, [...(children.get(p.ppid) ?? []), p]);
  const below = new Set();
  const stack = [wrangler.pid];
  while (stack.length) {
    for (const c of children.get(stack.pop()) ?? []) {
      below.add(c.pid);
      stack.push(c.pid);
    }
  }
  return procs.filter((p) => p.comm === "workerd" && (p.pgrp === wrangler.pgrp || below.has(p.pid))).map((p) => p.pid);
}

/** The ports each pid listens on (TCP, IPv4 and IPv6), from /proc/net/tcp* and its fds. */
function listeningPorts(pids) {
  const byInode = new Map();
  for (const file of ["/proc/net/tcp", "/proc/net/tcp6"]) {
    let text = "";
    try {
      text = readFileSync(file, "utf8");
    } catch {
      continue;
    }
    for (const line of text.split("\n").slice(1)) {
      const f = line.trim().split(/\s+/);
      if (f[3] === "0A") byInode.set(f[9], parseInt(f[1].split(":")[1], 16)); // LISTEN
    }
  }
  const ports = new Map();
  for (const pid of pids) {
    const mine = new Set();
    try {
      for (const fd of readdirSync(`/proc/${pid}/fd`)) {
        try {
          const m = readlinkSync(`/proc/${pid}/fd/${fd}`).match(/^socket:\[(\d+)\]$/);
          if (m && byInode.has(m[1])) mine.add(byInode.get(m[1]));
        } catch {}
      }
    } catch {}
    ports.set(pid, [...mine].sort((a, b) => a - b));
  }
  return ports;
}

function memory(wrangler, label) {
  const procs = workerdPids(wrangler).map((pid) => {
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    const kb = (field) => Number(status.match(new RegExp(`^${field}:\\s+(\\d+) kB`, "m"))?.[1] ?? NaN);
    return { pid, rssKb: kb("VmRSS"), hwmKb: kb("VmHWM") };
  });
  return { label, procs, rssKb: procs.reduce((s, p) => s + p.rssKb, 0), reloads: reloads() };
}

/** How often wrangler reloaded the Worker so far (it watches src/ and www/: an edit there
 * during a run restarts workerd, and that phase's memory figures then mean little). */
let worker;
const reloads = () => (worker.output().match(/Reloading local server/g) ?? []).length;

// ---- report -------------------------------------------------------------------------

function quantiles(ms) {
  const s = Float64Array.from(ms).sort();
  const q = (p) => s[Math.min(s.length - 1, Math.max(0, Math.ceil(p * s.length) - 1))];
  return { n: s.length, p50: q(0.5), p99: q(0.99), max: s[s.length - 1] };
}
const f1 = (x) => (x === undefined ? "-" : x.toFixed(1));
const mib = (kb) => (kb / 1024).toFixed(1);
function table(rows, columns) {
  const width = columns.map((c) => Math.max(c.length, ...rows.map((r) => String(r[c]).length)));
  const line = (cells) => cells.map((c, j) => (typeof c === "number" ? String(c).padStart(width[j]) : String(c).padEnd(width[j]))).join("  ");
  return [line(columns), line(width.map((w) => "-".repeat(w))), ...rows.map((r) => line(columns.map((c) => r[c])))].join("\n");
}

function latencyRows(results) {
  const byKind = new Map();
  for (const r of results) byKind.set(r.kind, [...(byKind.get(r.kind) ?? []), r.ms]);
  const rows = [{ kind: "all", ...quantiles(results.map((r) => r.ms)) }];
  for (const k of KINDS) if (byKind.has(k.name)) rows.push({ kind: k.name, ...quantiles(byKind.get(k.name)) });
  return rows.map((r) => ({ kind: r.kind, n: r.n, "p50 ms": f1(r.p50), "p99 ms": f1(r.p99), "max ms": f1(r.max) }));
}

function statusRows(results) {
  const rows = new Map();
  for (const r of results) {
    const expected = `${r.expect.status}${r.expect.code ? " " + r.expect.code : ""}`;
    const key = `${r.kind}\0${expected}\0${r.status}`;
    const row = rows.get(key) ?? { kind: r.kind, expected, actual: r.status, count: 0, unexpected: 0 };
    row.count++;
    if (r.problem) row.unexpected++;
    rows.set(key, row);
  }
  const order = new Map(KINDS.map((k, j) => [k.name, j]));
  return [...rows.values()].sort((a, b) => order.get(a.kind) - order.get(b.kind) || String(a.actual).localeCompare(String(b.actual)));
}

// ---- run ----------------------------------------------------------------------------

let origin;
const delivered = new Set();
const vars = {
  DELIVERY: mode,
  ZOHO_SIGN_SECRETS: SECRETS.zoho,
  YOUSIGN_SECRETS: SECRETS.yousign,
  ZIGNED_SECRETS: SECRETS.zigned,
  ACROBAT_SIGN_CLIENT_IDS: SECRETS.acrobatClientId,
  MAX_BODY_BYTES: String(MAX_BODY_BYTES),
};
if (mode === "queue") {
  origin = await startFaultyOrigin((record) => delivered.add(String(record.headers["webhook-id"])));
  origin.behave(() => 200);
  Object.assign(vars, { ORIGIN_URL: origin.url, FORWARD_SECRET: SECRETS.forward });
}

worker = await startWorker(vars);
let exitCode = 0;
try {
  const target = new URL(worker.url);
  const wrangler = findWrangler(target.port);
  const mem = [memory(wrangler, "before the run (after /healthz)")];

  const warm = await drive(target, schedule(WARMUP, SEED + 1), CONCURRENCY, "warm");
  mem.push(memory(wrangler, `after the warm-up (${WARMUP} mixed requests)`));

  // RSS every 10 s during the run, to see whether it levels off.
  const progress = { done: 0 };
  const series = [];
  const runStarted = Date.now();
  const sampler = setInterval(() => {
    try {
      const m = memory(wrangler, "");
      series.push({ s: Math.round((Date.now() - runStarted) / 1000), done: progress.done, rssKb: m.rssKb });
    } catch {}
  }, 10_000);
  const main = await drive(target, schedule(N, SEED), CONCURRENCY, "main", progress);
  clearInterval(sampler);
  mem.push(memory(wrangler, `after the run (${N} mixed requests)`));

  const extraKind = KINDS.find((k) => k.name === "oversized, chunked");
  const extraPlan = Array.from({ length: OVERSIZE_EXTRA }, (_, i) => ({
    kind: {
      ...extraKind,
      make: (j) => {
        const provider = pick(PROVIDERS, j);
        const body = oversized(provider, OVERSIZE_EXTRA_BYTES);
        return post(provider, body, signed(provider, body), { chunked: true, earlyClose: true });
      },
    },
    i,
  }));
  const extra = await drive(target, extraPlan, CONCURRENCY, "extra");
  mem.push(memory(wrangler, `after ${OVERSIZE_EXTRA} oversized chunked (${OVERSIZE_EXTRA_BYTES} B each)`));
  await new Promise((r) => setTimeout(r, 5000));
  mem.push(memory(wrangler, "5 s later, idle"));

  // ---- print
  const bytes = main.results.reduce((s, r) => s + r.bytes, 0);
  const unexpected = [...warm.results, ...main.results, ...extra.results].filter((r) => r.problem);
  console.log(
    `signhook Worker under wrangler dev (workerd), DELIVERY=${mode}, MAX_BODY_BYTES=${MAX_BODY_BYTES}, ` +
      `node ${process.version}, seed ${SEED}`,
  );
  console.log(
    `run: ${N} requests, concurrency ${CONCURRENCY}, keep-alive, after ${WARMUP} warm-up; ` +
      `${(bytes / 1048576).toFixed(1)} MiB of bodies sent`,
  );
  console.log(`wall time ${(main.wallMs / 1000).toFixed(2)} s, throughput ${(N / (main.wallMs / 1000)).toFixed(0)} req/s`);
  console.log("\nlatency (request start to last byte of the answer):");
  console.log(table(latencyRows(main.results), ["kind", "n", "p50 ms", "p99 ms", "max ms"]));
  console.log("\nanswers:");
  console.log(table(statusRows(main.results), ["kind", "expected", "actual", "count", "unexpected"]));
  const q = quantiles(extra.results.map((r) => r.ms));
  console.log(
    `\noversized chunked phase: ${OVERSIZE_EXTRA} x ${OVERSIZE_EXTRA_BYTES} B, concurrency ${CONCURRENCY}, ` +
      `${(extra.wallMs / 1000).toFixed(2)} s, p50 ${f1(q.p50)} ms, p99 ${f1(q.p99)} ms, max ${f1(q.max)} ms, ` +
      `statuses ${JSON.stringify(Object.fromEntries(statusRows(extra.results).map((r) => [r.actual, r.count])))}`,
  );
  console.log(
    `\nunexpected answers: ${unexpected.length} (warm-up ${warm.results.filter((r) => r.problem).length}, ` +
      `run ${main.results.filter((r) => r.problem).length}, oversized phase ${extra.results.filter((r) => r.problem).length})`,
  );
  // A few examples of each (kind, actual status), at most 20 lines.
  const shown = new Map();
  for (const r of unexpected) {
    const key = `${r.kind}\0${r.status}`;
    if ((shown.get(key) ?? 0) >= 2 || [...shown.values()].reduce((a, b) => a + b, 0) >= 20) continue;
    shown.set(key, (shown.get(key) ?? 0) + 1);
    console.log(`  ${r.kind} [${r.where}]: ${r.problem}`);
  }

  console.log("\nworkerd memory (VmRSS; VmHWM = peak so far), per process of that wrangler:");
  const pids = [...new Set(mem.flatMap((m) => m.procs.map((p) => p.pid)))];
  // wrangler dev runs two workerd: its proxy on the public port, and the Worker itself.
  const ports = listeningPorts(pids);
  const role = (pid) => (ports.get(pid)?.includes(Number(target.port)) ? "proxy" : "Worker");
  for (const pid of pids) {
    const what = role(pid) === "proxy" ? "wrangler's proxy (owns the public port)" : "the Worker's runtime";
    console.log(`  pid ${pid}: ${what}, listening on ${ports.get(pid)?.join(", ") || "?"}`);
  }
  const memRows = mem.map((m, j) => {
    const row = {
      when: m.label,
      "total RSS MiB": mib(m.rssKb),
      "change MiB": j ? (m.rssKb >= mem[j - 1].rssKb ? "+" : "") + mib(m.rssKb - mem[j - 1].rssKb) : "",
      reloads: m.reloads,
    };
    for (const pid of pids) {
      const p = m.procs.find((x) => x.pid === pid);
      row[`${role(pid)} ${pid} RSS / HWM MiB`] = p ? `${mib(p.rssKb)} / ${mib(p.hwmKb)}` : "gone";
    }
    return row;
  });
  console.log(table(memRows, Object.keys(memRows[0])));
  if (series.length) {
    console.log(
      "total RSS during the run, every 10 s (requests answered: MiB): " +
        series.map((x) => `${x.done}: ${mib(x.rssKb)}`).join(", "),
    );
  }
  if (mem.at(-1).reloads) {
    console.log(
      `note: wrangler reloaded the Worker ${mem.at(-1).reloads} time(s) (src/ or www/ changed); ` +
        "a phase whose reloads count grew restarted workerd, so its memory is not comparable",
    );
  }

  if (mode === "queue") {
    const queued = new Set(
      [...warm.results, ...main.results].filter((r) => r.webhookId && !r.problem).map((r) => r.webhookId),
    );
    // Bounded wait for the consumer: until all arrived, or 30 s without progress.
    let last = -1;
    let still = Date.now();
    while ([...queued].some((id) => !delivered.has(id)) && Date.now() - still < 30_000) {
      const have = [...queued].filter((id) => delivered.has(id)).length;
      if (have !== last) {
        last = have;
        still = Date.now();
      }
      await new Promise((r) => setTimeout(r, 1000));
    }
    const have = [...queued].filter((id) => delivered.has(id)).length;
    console.log(`\nqueue mode: ${queued.size} events queued, ${have} delivered to origin (${origin.verifyFailures()} failed checks)`);
  }
  console.log(
    "\n" +
      JSON.stringify({
        mode,
        requests: N,
        concurrency: CONCURRENCY,
        wall_s: +(main.wallMs / 1000).toFixed(2),
        req_per_s: Math.round(N / (main.wallMs / 1000)),
        latency: latencyRows(main.results)[0],
        unexpected: unexpected.length,
        memory_mib: mem.map((m) => ({ when: m.label, rss: +mib(m.rssKb), reloads: m.reloads })),
      }),
  );
  if (unexpected.length) exitCode = 1;
} finally {
  await worker.stop();
  await origin?.close();
}
process.exit(exitCode);
