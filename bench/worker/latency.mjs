// The provider-facing answer latency of the Worker in `queue` mode against `direct` mode,
// both in front of an origin that takes 3 s, in one run: the built Worker under
// `wrangler dev` (workerd) on 127.0.0.1, signed Yousign deliveries (a provider that counts
// a first try as failed after 1 s).
//
//   scripts/build-worker.sh && node_modules/.bin/node bench/worker/latency.mjs [n]
//
// Prints median and p99 per mode. A measurement, not a test: nothing is asserted.
import { SECRETS, post, startWorker } from "../../tests/worker/harness.mjs";
import { makeDelivery, startFaultyOrigin } from "../../tests/worker/queue-kit.mjs";

const N = Number(process.argv[2] ?? 200);
const ORIGIN_DELAY_MS = 3_000;
// Direct mode holds each request ~3 s; a few at a time keeps the run short without
// queuing the requests themselves.
const DIRECT_N = Math.min(N, 40);
const DIRECT_CONCURRENCY = 8;

function stats(ms) {
  const s = [...ms].sort((a, b) => a - b);
  const q = (p) => s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
  return { n: s.length, median: q(50), p99: q(99), max: s.at(-1) };
}

async function measure(mode, n, concurrency) {
  const origin = await startFaultyOrigin();
  origin.behave(() => 200, ORIGIN_DELAY_MS);
  const worker = await startWorker({
    DELIVERY: mode,
    ORIGIN_URL: origin.url,
    FORWARD_SECRET: SECRETS.forward,
    YOUSIGN_SECRETS: SECRETS.yousign,
    ORIGIN_TIMEOUT_MS: "5000",
  });
  try {
    // Warm-up (first requests compile the wasm and create the objects).
    for (let i = 0; i < 3; i++) {
      const d = makeDelivery("yousign", `${mode}-warm-${i}-${Date.now()}`);
      await post(`${worker.url}/hooks/yousign`, d.body, d.headers());
    }
    const times = [];
    let next = 0;
    let failed = 0;
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next < n) {
          const d = makeDelivery("yousign", `${mode}-${next++}-${Date.now()}`);
          const started = performance.now();
          const res = await post(`${worker.url}/hooks/yousign`, d.body, d.headers());
          times.push(performance.now() - started);
          if (res.status !== 200) failed++;
        }
      }),
    );
    return { ...stats(times), failed };
  } finally {
    await worker.stop();
    await origin.close();
  }
}

const queue = await measure("queue", N, 1);
const direct = await measure("direct", DIRECT_N, DIRECT_CONCURRENCY);
const fmt = (r) =>
  `n=${r.n} median ${r.median.toFixed(1)} ms, p99 ${r.p99.toFixed(1)} ms, max ${r.max.toFixed(1)} ms, non-200 ${r.failed}`;
console.log(`origin answers after ${ORIGIN_DELAY_MS} ms`);
console.log(`queue : ${fmt(queue)}`);
console.log(`direct: ${fmt(direct)}`);
console.log(`median ratio queue/direct: ${(queue.median / direct.median).toFixed(4)}`);
