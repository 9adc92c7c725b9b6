// Tenants at scale, against the built Worker under `wrangler dev` (workerd, local D1) on
// 127.0.0.1. A measurement script, not a test (bench/tenants/README.md has the figures).
//
//   bash scripts/build-worker.sh && node_modules/.bin/node bench/tenants/run.mjs
//
// 1. Latency a tenant route adds. 10,000 tenants, each with a Zoho Sign secret, are written
//    straight into local D1 (one generated .sql file, `wrangler d1 execute --local`, before
//    `wrangler dev` starts), their secrets sealed HERE with node:crypto AES-256-GCM as
//    src/tenant.rs describes it: so every 200 from a seeded tenant is also an independent
//    check of the Worker's decryption. One more tenant is made through the admin API (the
//    control). Then sequential signed Zoho Sign deliveries (DELIVERY=inspect: no queue and
//    no origin on the path), tenant route and single-tenant `/hooks/zoho-sign` interleaved
//    in random order pair by pair, in two Workers:
//      cached   TENANT_CACHE_SECONDS=5, CACHED_TENANTS (300) random tenants, their
//               deliveries in bursts (BURST per envelope, SLOTS envelopes open at once),
//               so each is hit several times within the 5 s
//      uncached TENANT_CACHE_SECONDS=0, every request a random tenant among the 10,000
// 2. Rotation without refusals: queue mode in front of a local origin, ~RATE/s deliveries
//    to one seeded tenant for ROTATION_SECONDS; mid-run a second secret is added through
//    the admin API, the sender switches to it once TENANT_CACHE_SECONDS have passed, then
//    the first one is retired through the admin API. Every refusal is counted (must be 0),
//    and every accepted event must reach origin once.
//
// Environment knobs: BENCH_TENANTS (10000), BENCH_N (2000 pairs per case), BENCH_WARMUP
// (200 pairs), BENCH_CACHED_TENANTS (300), BENCH_SLOTS (8), BENCH_BURST (6),
// BENCH_ROTATION_SECONDS (20), BENCH_RATE (20).
// Exit code 1 when a correctness check failed (a refusal, a wrong answer); the figures are
// printed anyway.
import { createCipheriv, createDecipheriv, createHash, createHmac, randomBytes } from "node:crypto";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";

import { Webhook } from "standardwebhooks";

import { ROOT, SECRETS, post, runWrangler, startWorker } from "../../tests/worker/harness.mjs";
import { bodyHashId, startFaultyOrigin } from "../../tests/worker/queue-kit.mjs";

const TENANTS = Number(process.env.BENCH_TENANTS ?? 10_000);
const N = Number(process.env.BENCH_N ?? 2_000);
const WARMUP = Number(process.env.BENCH_WARMUP ?? 200);
const CACHED_TENANTS = Number(process.env.BENCH_CACHED_TENANTS ?? 300);
const SLOTS = Number(process.env.BENCH_SLOTS ?? 8);
const BURST = Number(process.env.BENCH_BURST ?? 6);
const ROTATION_SECONDS = Number(process.env.BENCH_ROTATION_SECONDS ?? 20);
const RATE = Number(process.env.BENCH_RATE ?? 20);
const CACHE_SECONDS = 5;

const ADMIN_TOKEN = "bench-tenants-admin-token-" + randomBytes(16).toString("hex");
const TENANT_KEY_BYTES = randomBytes(32);
const TENANT_KEY = TENANT_KEY_BYTES.toString("base64");
const PROVIDER = "zoho-sign";

let failures = 0;
function check(ok, what) {
  if (!ok) {
    failures++;
    console.log(`CHECK FAILED: ${what}`);
  }
  return ok;
}

// ---- sealing, as src/tenant.rs does it, written here with node:crypto ----

const AAD_CONTEXT = "signhook/tenant-secret/v1";
const aad = (tenant, purpose) => Buffer.from(`${AAD_CONTEXT}\0${tenant}\0${purpose}`, "utf8");

/** "v1." + standard base64 of nonce (12) || ciphertext || tag (16). */
function seal(tenant, purpose, secret) {
  const nonce = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", TENANT_KEY_BYTES, nonce);
  cipher.setAAD(aad(tenant, purpose));
  const ciphertext = Buffer.concat([cipher.update(secret, "utf8"), cipher.final()]);
  return "v1." + Buffer.concat([nonce, ciphertext, cipher.getAuthTag()]).toString("base64");
}

/** The inverse, for this script's own round-trip check of `seal`. */
function open(tenant, purpose, sealed) {
  const bytes = Buffer.from(sealed.slice(3), "base64");
  const decipher = createDecipheriv("aes-256-gcm", TENANT_KEY_BYTES, bytes.subarray(0, 12));
  decipher.setAAD(aad(tenant, purpose));
  decipher.setAuthTag(bytes.subarray(bytes.length - 16));
  return Buffer.concat([decipher.update(bytes.subarray(12, bytes.length - 16)), decipher.final()]).toString("utf8");
}

const sha256hex = (...parts) => {
  const h = createHash("sha256");
  for (const p of parts) h.update(p);
  return h.digest("hex");
};
const fingerprint = (secret) => sha256hex(secret).slice(0, 8);
const tenantId = (i) => `bench-${String(i).padStart(5, "0")}`;
const sqlText = (v) => (v === null ? "NULL" : `'${String(v).replaceAll("'", "''")}'`);

/**
 * The seeded tenants: `{ id, secret, secretId, sealed, fingerprint }` each, and the .sql
 * file that writes them (multi-row INSERTs of 250 rows).
 */
async function makeSeed(dir) {
  const createdAt = new Date().toISOString();
  const tenants = [];
  for (let i = 0; i < TENANTS; i++) {
    const id = tenantId(i);
    const secret = `zs-${randomBytes(16).toString("hex")}`;
    tenants.push({ id, secret, secretId: `sec_${randomBytes(8).toString("hex")}`, sealed: seal(id, PROVIDER, secret), fingerprint: fingerprint(secret) });
  }
  // This script's own sealing round-trips (the Worker's opening is checked by its 200s).
  for (const t of [tenants[0], tenants.at(-1)]) check(open(t.id, PROVIDER, t.sealed) === t.secret, "node:crypto seal/open round trip");
  const lines = [];
  for (let i = 0; i < tenants.length; i += 250) {
    const chunk = tenants.slice(i, i + 250);
    lines.push(
      "INSERT INTO tenants(id, state, created_at, updated_at) VALUES\n" +
        chunk.map((t) => `(${sqlText(t.id)}, 'active', ${sqlText(createdAt)}, ${sqlText(createdAt)})`).join(",\n") +
        ";",
    );
    lines.push(
      "INSERT INTO tenant_secrets(id, tenant_id, provider, kind, sealed, fingerprint, label, created_at) VALUES\n" +
        chunk
          .map((t) => `(${[t.secretId, t.id, PROVIDER, "secret", t.sealed, t.fingerprint, "seeded", createdAt].map(sqlText).join(", ")})`)
          .join(",\n") +
        ";",
    );
  }
  const file = path.join(dir, "seed.sql");
  await writeFile(file, lines.join("\n") + "\n");
  return { tenants, file, createdAt };
}

/**
 * Which build/ a Worker runs: startWorker copies build/ as it starts, so its wasm is hashed
 * right before. Every Worker of one run must run the same one (build/ is shared: a rebuild
 * while this script runs would compare two builds); a change is printed as a warning.
 */
const builds = [];
async function buildIdentity(label) {
  const wasm = await readFile(path.join(ROOT, "build/index_bg.wasm"));
  const id = `${wasm.length} bytes, sha256 ${sha256hex(wasm).slice(0, 16)}`;
  if (builds.length && builds.at(-1).id !== id) {
    console.log(`WARNING: build/ changed since the previous Worker (${builds.at(-1).id} -> ${id}): the cases ran different builds`);
  }
  builds.push({ label, id });
  console.log(`[${label}] build/index_bg.wasm: ${id}`);
}

/** Starts a Worker with local D1 migrated and seeded from `seed.file`. */
async function startSeeded(vars, seed, label) {
  let seedMs = 0;
  await buildIdentity(label);
  const worker = await startWorker(vars, {
    migrate: true,
    beforeDev: async (persistDir, config, env) => {
      const started = performance.now();
      await runWrangler(["d1", "execute", "signhook", "--local", "--persist-to", persistDir, "--config", config, "--file", seed.file, "--yes"], env);
      seedMs = performance.now() - started;
    },
  });
  return { worker, seedMs };
}

// ---- deliveries ----

const zohoBase = JSON.parse(await readFile(path.join(ROOT, "tests/fixtures/zoho-sign/request-completed/body"), "utf8"));
let serial = 0;
/** A unique Zoho Sign body (tests/worker/tenants.test.mjs zohoBody). */
function zohoBody(label) {
  const base = structuredClone(zohoBase);
  base.requests.request_id = `req-${label}-${serial++}`;
  base.requests.request_name = `Tenant bench ${label}`;
  base.notifications.performed_at = Date.now() - 60_000;
  return Buffer.from(JSON.stringify(base));
}
/** Zoho Sign's proof: X-ZS-WEBHOOK-SIGNATURE = base64 HMAC-SHA256(secret, body). */
const zohoHeaders = (secret, body) => ({
  "content-type": "application/json",
  "X-ZS-WEBHOOK-SIGNATURE": createHmac("sha256", secret).update(body).digest("base64"),
});

async function timedPost(url, body, headers) {
  const started = performance.now();
  const res = await fetch(url, { method: "POST", body, headers });
  const text = await res.text();
  const ms = performance.now() - started;
  let json;
  try {
    json = JSON.parse(text);
  } catch {}
  return { ms, status: res.status, json, text };
}

async function admin(url, method, p, body) {
  const headers = { authorization: `Bearer ${ADMIN_TOKEN}` };
  if (body !== undefined) headers["content-type"] = "application/json";
  return post(`${url}/admin/${p}`, body === undefined ? undefined : JSON.stringify(body), headers, method);
}

/** Nearest-rank percentile. */
function pct(values, p) {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))];
}

/**
 * Checks a Worker before it is timed: the tenant count through the admin API, a seeded
 * tenant as the API shows it, the admin-made control, a wrong secret, an unknown tenant.
 */
async function preflight(url, seed, label) {
  let count = 0;
  let cursor = "";
  for (;;) {
    const r = await admin(url, "GET", `tenants?limit=1000${cursor ? `&cursor=${cursor}` : ""}`);
    if (!check(r.status === 200, `${label}: list tenants ${r.status}`)) break;
    count += r.json.tenants.length;
    if (!r.json.cursor) break;
    cursor = r.json.cursor;
  }
  check(count === TENANTS, `${label}: ${count} tenants listed before the control, expected ${TENANTS}`);
  const sample = seed.tenants[42 % seed.tenants.length];
  const shown = await admin(url, "GET", `tenants/${sample.id}`);
  check(
    shown.status === 200 &&
      shown.json.secrets.length === 1 &&
      shown.json.secrets[0].id === sample.secretId &&
      shown.json.secrets[0].fingerprint === sample.fingerprint &&
      shown.json.secrets[0].created_at === seed.createdAt,
    `${label}: a seeded tenant as the admin API shows it: ${shown.text}`,
  );
  // The control: made through the admin API, so sealed by the Worker itself.
  const control = { id: "control", secret: `control-${randomBytes(12).toString("hex")}` };
  check((await admin(url, "POST", "tenants", { id: control.id })).status === 201, `${label}: create the control`);
  const added = await admin(url, "POST", `tenants/${control.id}/secrets`, { provider: PROVIDER, secret: control.secret });
  check(added.status === 201 && added.json.fingerprint === fingerprint(control.secret), `${label}: the control's secret: ${added.text}`);
  for (const t of [control, sample, seed.tenants.at(-1)]) {
    const body = zohoBody(`preflight-${t.id}`);
    const r = await timedPost(`${url}/t/${t.id}/hooks/${PROVIDER}`, body, zohoHeaders(t.secret, body));
    check(r.status === 200 && r.json?.tenant === t.id, `${label}: a delivery to ${t.id}: ${r.status} ${r.text.slice(0, 200)}`);
  }
  // Another tenant's valid signature at this tenant's route, an unknown tenant.
  const body = zohoBody("preflight-cross");
  let r = await timedPost(`${url}/t/${sample.id}/hooks/${PROVIDER}`, body, zohoHeaders(seed.tenants[0].secret, body));
  check(r.status === 401 && r.json?.code === "signature_mismatch", `${label}: another tenant's secret: ${r.status} ${r.json?.code}`);
  r = await timedPost(`${url}/t/bench-nobody/hooks/${PROVIDER}`, body, zohoHeaders(sample.secret, body));
  check(r.status === 404 && r.json?.code === "unknown_tenant", `${label}: an unknown tenant: ${r.status} ${r.json?.code}`);
  return control;
}

/**
 * `pairs` pairs of sequential deliveries, one to a tenant route (`pick()` names the tenant)
 * and one to /hooks/zoho-sign, in random order within each pair. Returns the times and,
 * for the cached case, whether each tenant request was (by the clock here) a cache miss.
 */
async function measurePairs(url, pairs, pick, cacheSeconds) {
  const single = [];
  const tenant = [];
  const diffs = [];
  const miss = [];
  const loadedAt = new Map();
  let bad = 0;
  let first;
  for (let i = 0; i < pairs; i++) {
    const t = pick();
    first ??= t;
    const tb = zohoBody(`t-${i}`);
    const sb = zohoBody(`s-${i}`);
    const th = zohoHeaders(t.secret, tb);
    const sh = zohoHeaders(SECRETS.zoho, sb);
    const runTenant = async () => {
      const now = Date.now();
      const last = loadedAt.get(t.id);
      const isMiss = cacheSeconds === 0 || last === undefined || now >= last + cacheSeconds * 1000;
      if (isMiss) loadedAt.set(t.id, now);
      const r = await timedPost(`${url}/t/${t.id}/hooks/${PROVIDER}`, tb, th);
      if (r.status !== 200 || r.json?.tenant !== t.id) {
        bad++;
        if (bad <= 5) console.log(`tenant ${t.id}: ${r.status} ${r.text.slice(0, 200)}`);
      }
      return [r.ms, isMiss];
    };
    const runSingle = async () => {
      const r = await timedPost(`${url}/hooks/${PROVIDER}`, sb, sh);
      if (r.status !== 200 || r.json?.tenant !== undefined) {
        bad++;
        if (bad <= 5) console.log(`single: ${r.status} ${r.text.slice(0, 200)}`);
      }
      return r.ms;
    };
    let tms, isMiss, sms;
    if (Math.random() < 0.5) {
      [tms, isMiss] = await runTenant();
      sms = await runSingle();
    } else {
      sms = await runSingle();
      [tms, isMiss] = await runTenant();
    }
    tenant.push(tms);
    single.push(sms);
    diffs.push(tms - sms);
    miss.push(isMiss);
  }
  return { single, tenant, diffs, miss, bad, first, distinct: loadedAt.size };
}

function summarize(name, r) {
  const s50 = pct(r.single, 50);
  const s99 = pct(r.single, 99);
  const t50 = pct(r.tenant, 50);
  const t99 = pct(r.tenant, 99);
  const f = (x) => x.toFixed(2);
  const out = {
    name,
    n: r.single.length,
    single: { p50: s50, p99: s99 },
    tenant: { p50: t50, p99: t99 },
    added: { p50: t50 - s50, p99: t99 - s99, pairedMedian: pct(r.diffs, 50) },
    ratio: { p50: t50 / s50, p99: t99 / s99 },
    bad: r.bad,
  };
  out.distinctTenants = r.distinct;
  console.log(`\n[${name}] ${out.n} pairs, ${r.distinct} distinct tenants, non-200 or wrong answers: ${r.bad}`);
  console.log(`  single-tenant /hooks/zoho-sign : p50 ${f(s50)} ms, p99 ${f(s99)} ms`);
  console.log(`  tenant /t/<id>/hooks/zoho-sign : p50 ${f(t50)} ms, p99 ${f(t99)} ms`);
  console.log(`  added by the tenant route      : p50 +${f(t50 - s50)} ms, p99 +${f(t99 - s99)} ms (median of paired differences +${f(out.added.pairedMedian)} ms)`);
  console.log(`  ratio tenant/single            : p50 ${out.ratio.p50.toFixed(2)}x, p99 ${out.ratio.p99.toFixed(2)}x`);
  const misses = r.tenant.filter((_, i) => r.miss[i]);
  const hits = r.tenant.filter((_, i) => !r.miss[i]);
  if (hits.length && misses.length) {
    out.hits = { n: hits.length, p50: pct(hits, 50), p99: pct(hits, 99) };
    out.misses = { n: misses.length, p50: pct(misses, 50), p99: pct(misses, 99) };
    console.log(`  tenant, cache hits (by the clock here)  : n=${hits.length} p50 ${f(out.hits.p50)} ms, p99 ${f(out.hits.p99)} ms`);
    console.log(`  tenant, cache misses (a D1 read)        : n=${misses.length} p50 ${f(out.misses.p50)} ms, p99 ${f(out.misses.p99)} ms`);
  }
  return out;
}

const randomTenant = (list) => () => list[Math.floor(Math.random() * list.length)];

/**
 * The cached case's traffic: deliveries come in bursts per envelope, so a tenant is seen
 * several times within seconds. `slots` envelopes are open at once, each of a random
 * tenant of `pool` and good for `burst` deliveries; every delivery goes to a random open
 * one, and a finished one is replaced by a new one.
 */
function burstyTenants(pool, slots, burst) {
  const fresh = () => ({ tenant: pool[Math.floor(Math.random() * pool.length)], left: burst });
  const open = Array.from({ length: slots }, fresh);
  return () => {
    const k = Math.floor(Math.random() * open.length);
    const slot = open[k];
    slot.left--;
    if (slot.left === 0) open[k] = fresh();
    return slot.tenant;
  };
}
function sampleTenants(all, n) {
  const copy = [...all];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [copy[i], copy[j]] = [copy[j], copy[i]];
  }
  return copy.slice(0, n);
}

async function latencyCase(name, cacheSeconds, seed, pick) {
  const { worker, seedMs } = await startSeeded(
    { DELIVERY: "inspect", ZOHO_SIGN_SECRETS: SECRETS.zoho, ADMIN_TOKEN, TENANT_KEY, TENANT_CACHE_SECONDS: String(cacheSeconds) },
    seed,
    name,
  );
  try {
    console.log(`\n[${name}] seeded ${TENANTS} tenants + ${TENANTS} secrets with wrangler d1 execute --local in ${(seedMs / 1000).toFixed(1)} s`);
    await preflight(worker.url, seed, name);
    await measurePairs(worker.url, WARMUP, pick, cacheSeconds);
    const started = performance.now();
    const r = await measurePairs(worker.url, N, pick, cacheSeconds);
    console.log(`[${name}] measured in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    const out = summarize(name, r);
    check(r.bad === 0, `${name}: ${r.bad} non-200 or wrong answers`);
    // The seeded secrets' last use is written off the answer's path (waitUntil).
    const used = r.first;
    const shown = await admin(worker.url, "GET", `tenants/${used.id}`);
    check(Boolean(shown.json?.secrets?.[0]?.last_used_at), `${name}: last_used_at of a seeded secret after use: ${shown.text.slice(0, 300)}`);
    const errors = worker.output().split("\n").filter((l) => /tenants:|error/i.test(l) && !l.startsWith("{"));
    if (errors.length) console.log(`[${name}] worker error lines:\n  ${errors.slice(0, 10).join("\n  ")}`);
    return out;
  } finally {
    await worker.stop();
  }
}

// ---- 2. rotation ----

async function rotation(seed) {
  const origin = await startFaultyOrigin((r) => new Webhook(SECRETS.forward).verify(r.body, r.headers));
  const { worker } = await startSeeded(
    {
      ORIGIN_URL: origin.url,
      FORWARD_SECRET: SECRETS.forward,
      ZOHO_SIGN_SECRETS: SECRETS.zoho,
      ADMIN_TOKEN,
      TENANT_KEY,
      TENANT_CACHE_SECONDS: String(CACHE_SECONDS),
      RETRY_MAX_ATTEMPTS: "3",
      RETRY_BASE_SECONDS: "1",
      RETRY_MAX_DELAY_SECONDS: "1",
    },
    seed,
    "rotation",
  );
  try {
    const t = seed.tenants[4242 % seed.tenants.length];
    const second = `zs-next-${randomBytes(16).toString("hex")}`;
    let current = { name: "first", secret: t.secret };
    const sent = { first: 0, second: 0 };
    const accepted = [];
    const refused = [];
    const times = [];
    const inflight = new Set();
    const log = [];
    const t0 = performance.now();
    const at = () => ((performance.now() - t0) / 1000).toFixed(2);
    const send = (i) => {
      const { name, secret } = current;
      const body = zohoBody(`rot-${i}`);
      sent[name]++;
      const p = timedPost(`${worker.url}/t/${t.id}/hooks/${PROVIDER}`, body, zohoHeaders(secret, body))
        .then((r) => {
          times.push(r.ms);
          if (r.status === 200) accepted.push({ key: "msg_" + sha256hex(`t\0${t.id}\0${PROVIDER}\0${bodyHashId(PROVIDER, body)}`).slice(0, 32), status: r.json?.status });
          else refused.push({ i, name, status: r.status, code: r.json?.code, at: at() });
        })
        .catch((e) => refused.push({ i, name, status: 0, code: String(e), at: at() }));
      inflight.add(p);
      p.finally(() => inflight.delete(p));
    };
    // The operator's side, on its own timeline.
    let addedAt;
    let retiredAt;
    const operator = (async () => {
      await sleep(4_000);
      const added = await admin(worker.url, "POST", `tenants/${t.id}/secrets`, { provider: PROVIDER, secret: second, label: "next" });
      check(added.status === 201, `rotation: add the second secret: ${added.text}`);
      addedAt = performance.now();
      log.push(`${at()} s  second secret added (${added.json?.id}, fingerprint ${added.json?.fingerprint})`);
      // Tell the provider to switch only once every isolate can have read it.
      await sleep(CACHE_SECONDS * 1000 + 250);
      current = { name: "second", secret: second };
      log.push(`${at()} s  sender switched to the second secret`);
      await sleep(1_000);
      const retired = await admin(worker.url, "DELETE", `tenants/${t.id}/secrets/${t.secretId}`);
      check(retired.status === 204, `rotation: retire the first secret: ${retired.status} ${retired.text}`);
      retiredAt = performance.now();
      log.push(`${at()} s  first secret retired (${t.secretId})`);
    })();
    const total = Math.round(ROTATION_SECONDS * RATE);
    for (let i = 0; i < total; i++) {
      const due = t0 + (i * 1000) / RATE;
      const wait = due - performance.now();
      if (wait > 0) await sleep(wait);
      send(i);
    }
    await operator;
    await Promise.all([...inflight]);
    log.push(`${at()} s  sending stopped`);
    // Not a genuine delivery: the retired secret once the cache bound has passed.
    await sleep(Math.max(0, retiredAt + CACHE_SECONDS * 1000 + 250 - performance.now()));
    const stale = zohoBody("rot-retired");
    const afterRetire = await timedPost(`${worker.url}/t/${t.id}/hooks/${PROVIDER}`, stale, zohoHeaders(t.secret, stale));
    // Every accepted event at origin, once.
    const deadline = Date.now() + 60_000;
    let missing = accepted.length;
    while (Date.now() < deadline) {
      missing = accepted.filter((a) => origin.accepted(a.key).length === 0).length;
      if (missing === 0) break;
      await sleep(250);
    }
    await sleep(1_000);
    const twice = accepted.filter((a) => origin.accepted(a.key).length > 1).length;
    const shown = await admin(worker.url, "GET", `tenants/${t.id}`);
    console.log(`\n[rotation] queue mode, TENANT_CACHE_SECONDS=${CACHE_SECONDS}, tenant ${t.id} (seeded), ${RATE}/s for ${ROTATION_SECONDS} s`);
    for (const l of log) console.log(`  ${l}`);
    console.log(`  sent: ${sent.first + sent.second} (first secret ${sent.first}, second secret ${sent.second})`);
    const statuses = {};
    for (const a of accepted) statuses[a.status] = (statuses[a.status] ?? 0) + 1;
    console.log(`  answered 200: ${accepted.length} ${JSON.stringify(statuses)}`);
    console.log(`  REFUSED genuine deliveries: ${refused.length}${refused.length ? " " + JSON.stringify(refused.slice(0, 10)) : ""}`);
    console.log(`  at origin: ${accepted.length - missing} of ${accepted.length} accepted events (missing ${missing}, delivered twice ${twice}), signature failures ${origin.verifyFailures()}, schema failures ${origin.schemaFailures().length}`);
    console.log(`  answer latency in queue mode: p50 ${pct(times, 50).toFixed(2)} ms, p99 ${pct(times, 99).toFixed(2)} ms`);
    console.log(`  the retired secret ${CACHE_SECONDS}+ s after retirement (not genuine): ${afterRetire.status} ${afterRetire.json?.code ?? ""}`);
    console.log(`  secrets now: ${JSON.stringify(shown.json?.secrets?.map((s) => [s.id, s.fingerprint, s.label]))}`);
    check(refused.length === 0, `rotation: ${refused.length} genuine deliveries refused`);
    check(missing === 0 && twice === 0, `rotation: ${missing} accepted events missing at origin, ${twice} delivered twice`);
    check(origin.verifyFailures() === 0 && origin.schemaFailures().length === 0, "rotation: origin's signature/schema checks");
    check(afterRetire.status === 401 && afterRetire.json?.code === "signature_mismatch", "rotation: the retired secret still verifies");
    check(sent.second > 0 && sent.first > 0, "rotation: both secrets were used");
    return { sent, accepted: accepted.length, refused: refused.length, missing, twice, afterRetire: afterRetire.status };
  } finally {
    await worker.stop();
    await origin.close();
  }
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// ---- main ----

const dir = await mkdtemp(path.join(tmpdir(), "signhook-bench-tenants-"));
try {
  const genStarted = performance.now();
  const seed = await makeSeed(dir);
  console.log(`seed: ${TENANTS} tenants sealed with node:crypto AES-256-GCM and written to one .sql file in ${((performance.now() - genStarted) / 1000).toFixed(1)} s`);
  console.log(`Node ${process.version}; ${N} measured pairs per case after ${WARMUP} warm-up pairs; sequential requests`);
  const working = sampleTenants(seed.tenants, CACHED_TENANTS);
  const cached = await latencyCase(
    `cached: TENANT_CACHE_SECONDS=5, ${CACHED_TENANTS} random tenants of ${TENANTS}, bursts of ${BURST}, ${SLOTS} at once`,
    5,
    seed,
    burstyTenants(working, SLOTS, BURST),
  );
  const uncached = await latencyCase(`uncached: TENANT_CACHE_SECONDS=0, random tenants of ${TENANTS}`, 0, seed, randomTenant(seed.tenants));
  const rot = await rotation(seed);
  console.log("\nsummary (ms):");
  console.log(JSON.stringify({ builds, cached, uncached, rotation: rot }, (k, v) => (typeof v === "number" && !Number.isInteger(v) ? Number(v.toFixed(3)) : v)));
} finally {
  await rm(dir, { recursive: true, force: true });
}
console.log(failures ? `\n${failures} check(s) FAILED` : "\nall checks passed");
process.exitCode = failures ? 1 : 0;
