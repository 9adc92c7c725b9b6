// The same fixtures as tests/fixtures.rs (tests/fixtures/<provider>/<case>/), run through
// the npm package: same error codes, same matched key, same events as the event.json
// snapshots that the Rust suite checks, each valid under schema/event.schema.json (ajv).
// Every case runs through both digest backends: Node's `node:crypto` (what the Node entry
// registers, here from 0 bytes up instead of 4 KiB, so every case reaches it) and the wasm
// one (`raw.setHostDigest(undefined)`).
import { createHash, createHmac } from "node:crypto";
import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync, existsSync, statSync } from "node:fs";
import { join } from "node:path";
import { multipartJson } from "../multipart.mjs";
import { schemaErrors } from "../schema.mjs";
import { ROOT, raw, signhook } from "./package.mjs";

const nodeDigest = (key, a, b, c, d) =>
  (key === undefined ? createHash("sha256") : createHmac("sha256", key)).update(a).update(b).update(c).update(d).digest();
const BACKENDS = {
  "node:crypto": nodeDigest,
  wasm: undefined,
};

const FIXTURES = join(ROOT, "tests/fixtures");
const cases = [];
for (const provider of signhook.PROVIDERS) {
  const dir = join(FIXTURES, provider);
  for (const name of readdirSync(dir).sort()) {
    if (statSync(join(dir, name)).isDirectory()) cases.push({ provider, name, dir: join(dir, name) });
  }
}

test("every provider has fixtures", () => {
  for (const provider of signhook.PROVIDERS) {
    assert.ok(cases.some((c) => c.provider === provider), `no fixtures for ${provider}`);
  }
});

for (const [backend, host] of Object.entries(BACKENDS))
for (const { provider, name, dir } of cases) {
  test(`${backend}: ${provider}/${name}`, () => {
    raw.setHostDigest(host, 0);
    const spec = JSON.parse(readFileSync(join(dir, "case.json"), "utf8"));
    // Bytes exactly as on the wire: a Uint8Array (Node's Buffer), never a decoded string.
    const body = readFileSync(join(dir, "body"));
    const options = {
      provider,
      headers: spec.headers,
      body,
      secrets: spec.secrets ?? [],
      clientIds: spec.client_ids ?? [],
      now: spec.now,
      toleranceSeconds: spec.tolerance ?? 300,
      // The captures are years older than their `now`: no age bound here (the default,
      // 7 days, has its own test in api.test.mjs).
      maxEventAgeSeconds: null,
      // PandaDoc's proof is in the URL's query; the request target is given as is.
      ...(spec.query !== undefined ? { url: `/hooks/${provider}?${spec.query}` } : {}),
    };
    const expect = spec.expect;
    // diagnose runs the same verify and must report the same outcome.
    const diagnosis = signhook.diagnose(options);
    if (expect.error && !expect.verified) {
      assert.notEqual(diagnosis.verdict, "verified");
      assert.equal(diagnosis.code, expect.error);
    } else {
      assert.equal(diagnosis.verdict, "verified");
    }
    let event;
    let events;
    try {
      events = signhook.verifyAll(options);
      event = events[0];
      if (events.length > 1) {
        // verify never drops one silently.
        assert.throws(() => signhook.verify(options), { code: "multiple_events", status: 422 });
      } else {
        assert.deepStrictEqual(signhook.verify(options), event);
      }
    } catch (err) {
      assert.ok(expect.error, `verify threw ${err.code}: ${err.message}`);
      assert.ok(signhook.isSignhookError(err), `not a signhook error: ${err}`);
      assert.equal(err.code, expect.error, err.message);
      assert.ok(err.message.length > 0);
      if (expect.verified) {
        // The proof passed and normalization failed: the unverified path fails alike.
        assert.throws(() => signhook.normalize({ provider, body }), { code: expect.error });
      }
      return;
    }
    assert.equal(expect.error, undefined, `verified, expected error ${expect.error}`);
    assert.equal(event.data.verification.key, expect.key ?? 0);
    if (expect.type) assert.equal(event.type, expect.type);
    assert.equal(event.subject, expect.subject ?? undefined);
    assert.equal(events.length, expect.count ?? 1);
    const snapshot = join(dir, "event.json");
    assert.ok(existsSync(snapshot), `no snapshot ${snapshot}`);
    const snapshotJson = JSON.parse(readFileSync(snapshot, "utf8"));
    if (Array.isArray(snapshotJson)) {
      // A batch provider's delivery: every event, in order.
      assert.deepStrictEqual(events, snapshotJson);
      assert.deepStrictEqual(diagnosis.events, events);
      for (const e of events) assert.equal(schemaErrors(e), "");
      return;
    }
    assert.deepStrictEqual(event, snapshotJson);
    // The published schema (schema/event.schema.json) accepts it.
    assert.equal(schemaErrors(event), "");
    assert.deepStrictEqual(diagnosis.event, event);
    // The raw payload is the body (a multipart body's `json` field), untouched, but for the
    // redacted credentials.
    let text = multipartJson(body).json;
    for (const value of expect.redacted ?? []) {
      const literal = `"${value}"`;
      assert.ok(text.includes(literal), `${value} is not in the body`);
      text = text.split(literal).join('"[redacted]"');
      const serialized = JSON.stringify(event);
      assert.ok(!serialized.includes(value) && !serialized.includes(JSON.parse(literal)), `${value} leaves the edge`);
    }
    assert.deepStrictEqual(event.data.raw, JSON.parse(text));
  });
}

test("every event.json snapshot validates against the schema, and the schema rejects broken ones", () => {
  let checked = 0;
  for (const { dir } of cases) {
    const snapshot = join(dir, "event.json");
    if (!existsSync(snapshot)) continue;
    const parsed = JSON.parse(readFileSync(snapshot, "utf8"));
    const event = Array.isArray(parsed) ? parsed[0] : parsed;
    assert.equal(schemaErrors(event), "", snapshot);
    checked++;
    // The schema is no rubber stamp: a wrong type, an extra attribute, a missing field fail.
    assert.notEqual(schemaErrors({ ...event, type: "esign.unknown" }), "");
    assert.notEqual(schemaErrors({ ...event, surprise: 1 }), "");
    assert.notEqual(schemaErrors({ ...event, data: { ...event.data, raw: undefined } }), "");
    assert.notEqual(schemaErrors({ ...event, time: "yesterday" }), "");
  }
  assert.ok(checked >= 14, `only ${checked} snapshots`);
});

test("a throwing or odd host digest falls back to the wasm one: same verdicts and ids", () => {
  const dir = join(FIXTURES, "zoho-sign", "request-completed");
  const spec = JSON.parse(readFileSync(join(dir, "case.json"), "utf8"));
  const options = { provider: "zoho-sign", headers: spec.headers, body: readFileSync(join(dir, "body")), secrets: spec.secrets, now: spec.now, maxEventAgeSeconds: null };
  const expected = signhook.verify(options).id;
  try {
    for (const odd of [() => { throw new Error("no crypto here"); }, () => new Uint8Array(31), () => "not bytes"]) {
      raw.setHostDigest(odd, 0);
      assert.equal(signhook.verify(options).id, expected);
      assert.throws(() => signhook.verify({ ...options, secrets: ["another"] }), { code: "signature_mismatch" });
    }
    // A host that lies (a fixed tag) makes nothing verify that should not.
    raw.setHostDigest(() => new Uint8Array(32), 0);
    assert.throws(() => signhook.verify(options), { code: "signature_mismatch" });
  } finally {
    raw.setHostDigest(BACKENDS["node:crypto"]);
  }
});
