// The validator page (www/) in a real browser: Debian's Chromium driven by playwright-core.
//
// Run by scripts/test-browser.sh, which builds www/pkg/ first. This file starts its own
// static server for www/ on 127.0.0.1 (port 0), opens the page, pastes deliveries signed
// here with node:crypto following each provider's documented scheme (not the crate's own
// sign()), and reads what the page shows. Screenshots go to test-artifacts/.
// SIGNHOOK_PAGE_ORIGIN=http://127.0.0.1:8787 runs the same checks against a page served
// elsewhere (the Worker under `wrangler dev`) instead of the built-in server.

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createHash, createHmac } from "node:crypto";
import { createServer } from "node:http";
import { readFile, mkdir } from "node:fs/promises";
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, normalize, extname } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";
import { multipartJson } from "../multipart.mjs";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const WWW = join(ROOT, "www");
const ARTIFACTS = join(ROOT, "test-artifacts");
const FIXTURES = join(ROOT, "tests", "fixtures");
const CHROMIUM = process.env.CHROMIUM_PATH || "/usr/bin/chromium";

// Everything the page may load: its own files and the wasm package. Nothing else.
const ASSETS = new Set([
  "/",
  "/app.js",
  "/style.css",
  "/samples.js",
  "/pkg/api.js",
  "/pkg/public.js",
  "/pkg/web/diagnose.js",
  "/pkg/web/initializer.js",
  "/pkg/web/signhook_diagnose.js",
  "/pkg/web/signhook_diagnose_bg.wasm",
]);

const TYPES = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".wasm": "application/wasm",
  ".json": "application/json",
};

let server;
let origin;
let browser;
let page;
const requests = [];
const problems = [];

function serveWww(req, res) {
  const path = decodeURIComponent(new URL(req.url, "http://x").pathname);
  const file = normalize(join(WWW, path === "/" ? "index.html" : path));
  if (!file.startsWith(WWW + "/") || req.method !== "GET") {
    res.writeHead(404).end();
    return;
  }
  readFile(file).then(
    (data) => {
      res.writeHead(200, { "content-type": TYPES[extname(file)] ?? "application/octet-stream" });
      res.end(data);
    },
    () => res.writeHead(404).end(),
  );
}

const hmac = (secret, ...parts) => {
  const mac = createHmac("sha256", Buffer.from(secret, "utf8"));
  for (const part of parts) mac.update(part);
  return mac.digest();
};

const fixture = (provider, name) => readFileSync(join(FIXTURES, provider, name, "body"));

/** A raw request as a developer would paste it. */
function rawRequest(provider, headers, body, query = "") {
  const lines = [`POST /hooks/${provider}${query} HTTP/1.1`, "Host: example.test", "Content-Type: application/json"];
  for (const [name, value] of Object.entries(headers)) lines.push(`${name}: ${value}`);
  return `${lines.join("\n")}\n\n${body.toString("utf8")}`;
}

const NOW = Math.floor(Date.now() / 1000);

// One delivery per provider, each proof made with node:crypto from the provider's
// documented scheme (docs/providers/): Zoho base64 HMAC of the body; Yousign sha256=<hex> of
// the body; Zigned t=<ts>,v1=<hex> of "<t>.<body>"; Acrobat Sign an allowed client id.
const DELIVERIES = {
  "zoho-sign": (() => {
    const body = fixture("zoho-sign", "doc-sample-signing-success");
    const secret = "zoho webhook secret 1";
    return {
      body,
      secret,
      headers: { "X-ZS-WEBHOOK-SIGNATURE": hmac(secret, body).toString("base64") },
      providerEvent: "RequestSigningSuccess",
      type: "esign.participant.signed",
    };
  })(),
  yousign: (() => {
    const body = fixture("yousign", "signer-done");
    const secret = "yousign_test_secret";
    return {
      body,
      secret,
      headers: { "X-Yousign-Signature-256": `sha256=${hmac(secret, body).toString("hex")}` },
      providerEvent: "signer.done",
      type: "esign.participant.signed",
    };
  })(),
  zigned: (() => {
    const body = fixture("zigned", "participant-fulfilled-ms-rotation");
    const secret = "zigned_test_secret";
    const t = String(NOW);
    return {
      body,
      secret,
      headers: {
        "x-zigned-request-signature": `t=${t},v1=${hmac(secret, t, ".", body).toString("hex")}`,
      },
      providerEvent: "participant.lifecycle.fulfilled",
      type: "esign.participant.signed",
    };
  })(),
  // DocuSign Connect: base64 HMAC of the body, one X-DocuSign-Signature-<n> per active key
  // (docs/providers/); here the first is a retired key's.
  docusign: (() => {
    const body = fixture("docusign", "recipient-declined-summary");
    const secret = "docusign_test_secret";
    return {
      body,
      secret,
      headers: {
        "X-DocuSign-Signature-1": hmac("docusign_retired_key", body).toString("base64"),
        "X-DocuSign-Signature-2": hmac(secret, body).toString("base64"),
      },
      providerEvent: "recipient-declined",
      type: "esign.participant.declined",
    };
  })(),
  // DocuSeal: "<t>.<hex>" of "<t>.<body>", keyed with the whole whsec_ text (docs/providers/docuseal.md).
  docuseal: (() => {
    const body = fixture("docuseal", "form-completed-rotation");
    const secret = "whsec_ZG9jdXNlYWxfdGVzdF9zZWNyZXRfMDAwMDAw";
    const t = String(NOW);
    return {
      body,
      secret,
      headers: { "X-Docuseal-Signature": `${t}.${hmac(secret, t, ".", body).toString("hex")}` },
      providerEvent: "form.completed",
      type: "esign.participant.signed",
    };
  })(),
  // Documenso: the webhook secret as is in X-Documenso-Secret (docs/providers/); the
  // recipients' signing tokens must show only as "[redacted]" in the event.
  documenso: (() => {
    const body = fixture("documenso", "document-signed-token-redacted");
    const secret = "documenso_test_secret";
    const tokens = ["qMwB7xN2pK9rT4vY8zA1cD", 'Zr8\\"tok\\u0065n/Lp3Q', "s3cret-pdf-pw"];
    let rawText = body.toString("utf8");
    for (const t of tokens) rawText = rawText.split(`"${t}"`).join('"[redacted]"');
    return {
      body,
      secret,
      headers: { "X-Documenso-Secret": secret },
      providerEvent: "DOCUMENT_SIGNED",
      type: "esign.participant.signed",
      rawText,
      tokens,
    };
  })(),
  // OneSpan Sign: "Authorization: Basic <callback key>", the raw key (docs/providers/onespan-sign.md).
  "onespan-sign": (() => {
    const body = fixture("onespan-sign", "package-activate-rotation");
    const secret = "onespan_test_callback_key";
    return {
      body,
      secret,
      headers: { Authorization: `Basic ${secret}` },
      providerEvent: "PACKAGE_ACTIVATE",
      type: "esign.envelope.sent",
    };
  })(),
  // BoldSign: "t=<t>, s0=<hex>, s1=<hex>" of "<t>.<body>" (docs/providers/); here s0 is
  // a new secret's, s1 the configured one's (rotation).
  boldsign: (() => {
    const body = fixture("boldsign", "document-signed-rotation");
    const secret = "boldsign_test_secret";
    const t = String(NOW);
    return {
      body,
      secret,
      headers: {
        "X-BoldSign-Signature": `t=${t}, s0=${hmac("boldsign_new_secret", t, ".", body).toString("hex")}, s1=${hmac(secret, t, ".", body).toString("hex")}`,
        "X-BoldSign-Event": "Signed",
      },
      providerEvent: "Signed",
      type: "esign.participant.signed",
    };
  })(),
  // SignWell: no header; event.hash in the body, keyed with the webhook id, covers only
  // "<event.type>@<event.time>" (docs/providers/).
  signwell: (() => {
    const body = fixture("signwell", "document-completed-rotation");
    const secret = "signwell-test-webhook-id";
    return {
      body,
      secret,
      headers: {},
      // No proof header to detect it by: chosen in the provider list.
      provider: "signwell",
      providerEvent: "document_completed",
      type: "esign.envelope.completed",
    };
  })(),
  // Dropbox Sign: multipart/form-data, event.event_hash in the `json` field, keyed with the
  // API key, covers only event_time + event_type (docs/providers/). Pasted into the
  // page's textarea, the CRLF line breaks become LF, as a browser does.
  "dropbox-sign": (() => {
    const body = fixture("dropbox-sign", "signature-request-signed-multipart");
    const text = body.toString("utf8");
    const boundary = text.slice(2, text.indexOf("\r\n"));
    const { json } = multipartJson(body);
    return {
      body,
      secret: "dropbox-sign-test-api-key-0123456789abcdef",
      headers: { "Content-Type": `multipart/form-data; boundary=${boundary}` },
      provider: "dropbox-sign",
      providerEvent: "signature_request_signed",
      type: "esign.participant.signed",
      rawText: json.split('"https://app.hellosign.com/sign/2f9781e1a8e2045224d808c153c2e1d3df6f8f2f?token=s3cr3t"').join('"[redacted]"'),
      tokens: ["https://app.hellosign.com/sign/2f9781e1a8e2045224d808c153c2e1d3df6f8f2f?token=s3cr3t"],
    };
  })(),
  // PandaDoc: ?signature=<hex> (HMAC of the body) in the pasted request line; the body is
  // an array of three notifications, every one shown (docs/providers/).
  pandadoc: (() => {
    const body = fixture("pandadoc", "array-of-three-rotation");
    const secret = "pandadoc-test-shared-key";
    return {
      body,
      secret,
      headers: { "X-PandaDoc-Webhook-Event-Id": "c0d1e2f3-a4b5-4c6d-8e7f-9a0b1c2d3e4f" },
      query: `?signature=${createHmac("sha256", secret).update(body).digest("hex")}`,
      provider: "pandadoc",
      providerEvent: "recipient_completed",
      type: "esign.participant.signed",
      count: 3,
      rawText: JSON.stringify(JSON.parse(body.toString("utf8"))[0]).split('"https://app.pandadoc.com/document/v2?token=pd-s3cr3t-link"').join('"[redacted]"'),
      tokens: ["https://app.pandadoc.com/document/v2?token=pd-s3cr3t-link"],
    };
  })(),
  "acrobat-sign": (() => {
    const body = fixture("acrobat-sign", "agreement-created");
    const clientId = "CBJCHBCAABAAexampleclientid";
    return {
      body,
      secret: clientId,
      headers: { "X-AdobeSign-ClientId": clientId },
      providerEvent: "AGREEMENT_CREATED",
      type: "esign.envelope.created",
    };
  })(),
};

/** Fills the checker and returns what the page shows. */
async function check({ raw, secrets = "", provider = "" }) {
  await page.check('input[name="mode"][value="raw"]');
  await page.fill("#raw", raw);
  await page.fill("#secrets", secrets);
  await page.selectOption("#provider", provider);
  await page.click("#check");
  return readResult();
}

function readResult() {
  return page.evaluate(() => {
    const $ = (id) => document.getElementById(id);
    return {
      verdict: $("verdict").className.replace("verdict ", ""),
      word: $("verdict").querySelector(".verdict-word")?.textContent ?? "",
      message: $("verdict").querySelector(".verdict-message")?.textContent ?? "",
      code: $("verdict").querySelector(".verdict-code code")?.textContent ?? null,
      findings: [...document.querySelectorAll("#findings li")].map((li) => ({
        code: li.dataset.code,
        message: li.querySelector(".finding-message").textContent,
      })),
      findingsShown: !$("findings-block").hidden,
      // A delivery of several events shows them all (an array): `event` is the first.
      ...(() => {
        const shown = $("event-block").hidden ? null : JSON.parse($("event").textContent);
        return Array.isArray(shown) ? { event: shown[0], events: shown } : { event: shown, events: null };
      })(),
      eventBadge: $("event-badge").textContent,
      mapping: $("mapping-block").hidden ? null : $("mapping").textContent,
      detectedLabel: $("provider").options[0].textContent,
      note: $("parse-note").textContent,
    };
  });
}

before(async () => {
  assert.ok(existsSync(join(WWW, "pkg/web/signhook_diagnose_bg.wasm")), "www/pkg missing: run scripts/build-www.sh");
  if (process.env.SIGNHOOK_PAGE_ORIGIN) {
    origin = new URL(process.env.SIGNHOOK_PAGE_ORIGIN).origin;
  } else {
    server = createServer(serveWww);
    await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
    origin = `http://127.0.0.1:${server.address().port}`;
  }
  await mkdir(ARTIFACTS, { recursive: true });
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox"] });
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  page = await context.newPage();
  page.on("request", (req) => requests.push(req.url()));
  page.on("pageerror", (err) => problems.push(`pageerror: ${err.message}`));
  page.on("console", (msg) => {
    if (msg.type() === "error" || msg.type() === "warning") problems.push(`console ${msg.type()}: ${msg.text()}`);
  });
  await page.goto(`${origin}/`);
  await page.waitForSelector('body[data-ready="true"]', { timeout: 20_000 });
  // The fixtures are captures of years ago: the suite explains them without the replay
  // bound, except in the test of that bound.
  assert.equal(await page.inputValue("#max-age-days"), "7", "the Worker's default");
  await page.fill("#max-age-days", "");
});

after(async () => {
  await browser?.close();
  await new Promise((resolve) => (server ? server.close(resolve) : resolve()));
});

test("the page loads the verifier and labels every control", async () => {
  const status = await page.textContent("#load-status");
  assert.match(status, /Ready/);
  const unlabeled = await page.evaluate(() =>
    [...document.querySelectorAll("input, select, textarea")]
      .filter((el) => el.type !== "hidden" && el.labels.length === 0)
      .map((el) => el.id || el.name),
  );
  assert.deepEqual(unlabeled, []);
});

for (const [provider, d] of Object.entries(DELIVERIES)) {
  test(`a signed ${provider} delivery is verified and normalized`, async () => {
    const r = await check({ raw: rawRequest(provider, d.headers, d.body, d.query), secrets: d.secret, provider: d.provider ?? "" });
    assert.equal(r.verdict, "verdict-verified", JSON.stringify(r, null, 2));
    assert.match(r.word, /^Verified/);
    assert.equal(r.code, null);
    assert.equal(r.event.provider, provider);
    assert.equal(r.event.type, d.type);
    assert.equal(r.event.providerevent, d.providerEvent);
    assert.ok(r.event.data.verification, "a verified event carries data.verification");
    assert.equal(r.eventBadge, "verified");
    assert.equal(r.mapping, `${d.providerEvent} → ${d.type}`);
    // DocuSign's -1 is a retired key's here: the page names the header that matched.
    if (provider === "docusign") assert.match(r.message, /^X-DocuSign-Signature-2 matches the body/);
    if (!d.provider) assert.match(r.detectedLabel, /found: /);
    // The raw payload travels untouched, but for the credentials in it.
    assert.deepEqual(r.event.data.raw, JSON.parse(d.rawText ?? d.body.toString("utf8")));
    for (const t of d.tokens ?? []) {
      assert.ok(!JSON.stringify(r.event).includes(JSON.parse(`"${t}"`)), `${t} is shown`);
      assert.ok(!(await page.textContent("#event")).includes(JSON.parse(`"${t}"`)), `${t} is shown`);
    }
    if (d.count) {
      // Every event of the delivery is shown, in order.
      assert.equal(r.events.length, d.count);
      // Ids from the signed body's hash (the delivery id header is not covered: T3-1).
      const base = createHash("sha256").update(`signhook/${provider}\n`).update(d.body).digest("hex").slice(0, 32);
      assert.deepEqual(r.events.map((e) => e.id), [0, 1, 2].map((i) => `${base}:${i}`));
    }
    if (provider === "signwell" || provider === "dropbox-sign") {
      // Only the event's type and time are MACed: the page says the payload is not covered.
      assert.deepEqual(r.event.data.verification, { scheme: "hmac-sha256", covers: "event-metadata", key: 0 });
      assert.ok(r.findings.some((f) => f.code === "event_metadata_only"), JSON.stringify(r.findings));
    }
    if (["documenso", "onespan-sign"].includes(provider)) {
      // A shared secret, not a signature: the page says the body is not covered.
      assert.deepEqual(r.event.data.verification, { scheme: "shared-secret", covers: "shared-secret", key: 0 });
      assert.ok(r.findings.some((f) => f.code === "shared_secret_only"), JSON.stringify(r.findings));
    }
  });
}

test("a wrong or blank shared secret is refused (Documenso sends an empty header without one)", async () => {
  const d = DELIVERIES.documenso;
  let r = await check({ raw: rawRequest("documenso", { "X-Documenso-Secret": "not-the-secret" }, d.body), secrets: d.secret });
  assert.equal(r.verdict, "verdict-not-verified");
  assert.equal(r.code, "signature_mismatch");
  r = await check({ raw: rawRequest("documenso", { "X-Documenso-Secret": "" }, d.body), secrets: d.secret, provider: "documenso" });
  assert.equal(r.code, "missing_signature");
  const o = DELIVERIES["onespan-sign"];
  r = await check({ raw: rawRequest("onespan-sign", { Authorization: "Bearer x" }, o.body), secrets: o.secret, provider: "onespan-sign" });
  assert.equal(r.code, "malformed_signature");
});

for (const provider of ["zoho-sign", "yousign", "zigned", "docusign", "docuseal", "boldsign"]) {
  test(`one tampered byte in a ${provider} body is refused and explained`, async () => {
    const d = DELIVERIES[provider];
    const body = Buffer.from(d.body);
    // Change one digit inside the payload (a value, so the JSON stays valid).
    const at = body.indexOf("0", 40);
    assert.ok(at > 0);
    body[at] = "1".charCodeAt(0);
    const r = await check({ raw: rawRequest(provider, d.headers, body), secrets: d.secret });
    assert.equal(r.verdict, "verdict-not-verified");
    assert.match(r.word, /^Not verified/);
    assert.equal(r.code, "signature_mismatch");
    assert.deepEqual(r.findings.map((f) => f.code), ["no_variant_matched"]);
    assert.match(r.findings[0].message, /body's content changed|not this webhook's/);
    // The unverified normalization is still shown, and marked.
    assert.equal(r.event.data.verification, null);
    assert.match(r.eventBadge, /UNVERIFIED/);
  });
}

test("a re-serialized body is diagnosed, naming the variant", async () => {
  // Yousign sent compact JSON; the developer's framework pretty-printed it before checking.
  const sent = Buffer.from(JSON.stringify(JSON.parse(DELIVERIES.yousign.body.toString("utf8"))));
  const secret = "yousign_test_secret";
  const headers = { "X-Yousign-Signature-256": `sha256=${hmac(secret, sent).toString("hex")}` };
  const received = Buffer.from(JSON.stringify(JSON.parse(sent.toString("utf8")), null, 2));
  const r = await check({ raw: rawRequest("yousign", headers, received), secrets: secret });
  assert.equal(r.verdict, "verdict-not-verified");
  assert.equal(r.code, "signature_mismatch");
  assert.deepEqual(r.findings.map((f) => f.code), ["body_reserialized"]);
  assert.match(r.findings[0].message, /compact JSON/);
  // The same body as sent verifies.
  const ok = await check({ raw: rawRequest("yousign", headers, sent), secrets: secret });
  assert.equal(ok.verdict, "verdict-verified");
});

test("hex in Zoho's base64 header, and a stale Zigned timestamp, are explained", async () => {
  const d = DELIVERIES["zoho-sign"];
  const hex = { "X-ZS-WEBHOOK-SIGNATURE": hmac(d.secret, d.body).toString("hex") };
  let r = await check({ raw: rawRequest("zoho-sign", hex, d.body), secrets: d.secret });
  assert.equal(r.code, "malformed_signature");
  assert.deepEqual(r.findings.map((f) => f.code), ["signature_hex_not_base64"]);

  const z = DELIVERIES.zigned;
  const t = String(NOW - 2 * 3600);
  const stale = { "x-zigned-request-signature": `t=${t},v1=${hmac(z.secret, t, ".", z.body).toString("hex")}` };
  r = await check({ raw: rawRequest("zigned", stale, z.body), secrets: z.secret });
  assert.equal(r.code, "timestamp_out_of_tolerance");
  assert.deepEqual(r.findings.map((f) => f.code), ["timestamp_too_old"]);
  assert.match(r.findings[0].message, /2 h 0 min old|1 h 59 min old/);
});

test("without a secret the delivery is unverifiable, still inspected", async () => {
  const d = DELIVERIES.zigned;
  const r = await check({ raw: rawRequest("zigned", d.headers, d.body), secrets: "" });
  assert.equal(r.verdict, "verdict-unverifiable");
  assert.equal(r.code, "no_secret_configured");
  assert.equal(r.event.type, "esign.participant.signed");
  assert.match(r.eventBadge, /UNVERIFIED/);
});

test("the header and body fields work like the raw paste", async () => {
  const d = DELIVERIES.yousign;
  await page.check('input[name="mode"][value="fields"]');
  await page.fill("#headers", Object.entries(d.headers).map(([n, v]) => `${n}: ${v}`).join("\n"));
  await page.fill("#body", d.body.toString("utf8"));
  await page.fill("#secrets", d.secret);
  await page.selectOption("#provider", "");
  await page.click("#check");
  const r = await readResult();
  assert.equal(r.verdict, "verdict-verified", JSON.stringify(r));
  await page.check('input[name="mode"][value="raw"]');
});

test("the test delivery panel signs a delivery that node:crypto accepts", async () => {
  await page.selectOption("#td-provider", "zigned");
  await page.selectOption("#td-event", "agreement.lifecycle.finalized");
  await page.fill("#td-secret", "local-zigned-secret");
  await page.click("#td-sign");
  const headers = await page.textContent("#td-headers");
  const curl = await page.textContent("#td-curl");
  // The page's own origin (the Worker that serves it), not a fixed port.
  assert.equal(curl.split("\n")[0], `curl -i -X POST '${origin}/hooks/zigned' \\`);
  const value = /x-zigned-request-signature: (\S+)/.exec(headers)[1];
  const [, t, v1] = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(value);
  const body = /--data-binary '(.*)'$/s.exec(curl)[1].replace(/'\\''/g, "'");
  assert.equal(v1, hmac("local-zigned-secret", t, ".", body).toString("hex"));
  assert.equal(JSON.parse(body).event, "agreement.lifecycle.finalized");
  // And the page's own checker accepts it.
  await page.click("#td-load");
  const r = await readResult();
  assert.equal(r.verdict, "verdict-verified", JSON.stringify(r));
});

test("every provider's sample test delivery, signed with its local key and dated now, is verified by the page", async () => {
  const providers = await page.$$eval("#td-provider option", (options) => options.map((o) => o.value));
  assert.ok(providers.length >= 16, providers.join(","));
  for (const provider of providers) {
    await page.fill("#td-secret", "");
    await page.selectOption("#td-provider", provider);
    await page.click("#td-sign");
    await page.click("#td-load");
    const r = await readResult();
    assert.equal(r.verdict, "verdict-verified", `${provider}: ${JSON.stringify(r)}`);
    assert.equal(r.event.provider, provider);
  }
});

test("the test delivery panel puts PandaDoc's proof in the URL (?signature=), and the checker reads it from the request line", async () => {
  await page.selectOption("#td-provider", "pandadoc");
  await page.selectOption("#td-event", "document_state_changed");
  await page.fill("#td-secret", "local-pandadoc-shared-key");
  await page.click("#td-sign");
  assert.equal((await page.textContent("#td-headers")).trim(), "Content-Type: application/json");
  const curl = await page.textContent("#td-curl");
  const text = /--data-binary '(.*)'$/s.exec(curl)[1].replace(/'\\''/g, "'");
  const body = JSON.parse(text);
  assert.ok(Array.isArray(body) && body.length === 1, text);
  // The URL carries hex HMAC-SHA256 of the exact body, computed here with node:crypto.
  const url = /curl -i -X POST '([^']+)'/.exec(curl)[1];
  assert.equal(new URL(url).searchParams.get("signature"), hmac("local-pandadoc-shared-key", text).toString("hex"));
  assert.match(await page.textContent("#td-note"), /\?signature=/);
  await page.click("#td-load");
  const r = await readResult();
  assert.equal(r.verdict, "verdict-verified", JSON.stringify(r));
  assert.equal(r.event.provider, "pandadoc");
  assert.equal(r.event.type, "esign.envelope.completed");
});

test("the test delivery panel writes SignWell's proof into the body (event.hash), no proof header", async () => {
  await page.selectOption("#td-provider", "signwell");
  await page.selectOption("#td-event", "document_completed");
  await page.fill("#td-secret", "local-signwell-webhook-id");
  await page.click("#td-sign");
  const headers = await page.textContent("#td-headers");
  assert.equal(headers.trim(), "Content-Type: application/json");
  const curl = await page.textContent("#td-curl");
  const body = JSON.parse(/--data-binary '(.*)'$/s.exec(curl)[1].replace(/'\\''/g, "'"));
  assert.equal(body.event.type, "document_completed");
  assert.ok(Math.abs(body.event.time - Date.now() / 1000) < 120, String(body.event.time));
  assert.equal(body.event.hash, hmac("local-signwell-webhook-id", `${body.event.type}@${body.event.time}`).toString("hex"));
  assert.match(await page.textContent("#td-note"), /event\.hash/);
  // And the page's own checker accepts it, saying the payload is not covered.
  await page.click("#td-load");
  const r = await readResult();
  assert.equal(r.verdict, "verdict-verified", JSON.stringify(r));
  assert.equal(r.event.data.verification.covers, "event-metadata");
});

test("the test delivery panel's Acrobat Sign curl carries .dev.vars.example's URL token", async () => {
  const devVars = readFileSync(join(ROOT, ".dev.vars.example"), "utf8");
  const token = /^ACROBAT_SIGN_URL_TOKENS="([^"\s]+)/m.exec(devVars)[1];
  await page.selectOption("#td-provider", "acrobat-sign");
  await page.fill("#td-secret", "");
  await page.selectOption("#td-provider", "acrobat-sign");
  await page.click("#td-sign");
  const curl = await page.textContent("#td-curl");
  assert.ok(curl.startsWith(`curl -i -X POST '${origin}/hooks/acrobat-sign/${token}'`), curl);
  assert.match(await page.textContent("#td-note"), /URL/);
});

test("the test delivery panel dates its samples now (the Worker refuses old signed event times)", async () => {
  await page.selectOption("#td-provider", "zoho-sign");
  await page.fill("#td-secret", "");
  await page.selectOption("#td-provider", "zoho-sign");
  await page.click("#td-sign");
  const curl = await page.textContent("#td-curl");
  const body = JSON.parse(/--data-binary '(.*)'$/s.exec(curl)[1].replace(/'\\''/g, "'"));
  assert.ok(Math.abs(body.notifications.performed_at - Date.now()) < 120_000, String(body.notifications.performed_at));
});

test("the test delivery panel starts with the local Worker's keys (.dev.vars.example)", async () => {
  const devVars = readFileSync(join(ROOT, ".dev.vars.example"), "utf8");
  const expected = {
    "zoho-sign": /^ZOHO_SIGN_SECRETS="([^"\s]+)/m,
    yousign: /^YOUSIGN_SECRETS="([^"\s]+)/m,
    zigned: /^ZIGNED_SECRETS="([^"\s]+)/m,
    "acrobat-sign": /^ACROBAT_SIGN_CLIENT_IDS="([^"\s]+)/m,
    documenso: /^DOCUMENSO_SECRETS="([^"\s]+)/m,
    "onespan-sign": /^ONESPAN_SIGN_SECRETS="([^"\s]+)/m,
    boldsign: /^BOLDSIGN_SECRETS="([^"\s]+)/m,
    signwell: /^SIGNWELL_SECRETS="([^"\s]+)/m,
    "dropbox-sign": /^DROPBOX_SIGN_SECRETS="([^"\s]+)/m,
  };
  await page.fill("#td-secret", "");
  for (const [provider, pattern] of Object.entries(expected)) {
    await page.selectOption("#td-provider", provider);
    assert.equal(await page.inputValue("#td-secret"), pattern.exec(devVars)[1], provider);
  }
  // A key the person typed is kept across provider changes.
  await page.fill("#td-secret", "my-own-secret");
  await page.selectOption("#td-provider", "yousign");
  assert.equal(await page.inputValue("#td-secret"), "my-own-secret");
});

test("the page reads well: screenshots at desktop and phone width", async () => {
  // A failing delivery shows the most: verdict, findings, mapping and the event.
  const d = DELIVERIES["zoho-sign"];
  const withNewline = Buffer.concat([d.body, Buffer.from("\n")]);
  const r = await check({ raw: rawRequest("zoho-sign", d.headers, withNewline), secrets: d.secret });
  assert.deepEqual(r.findings.map((f) => f.code), ["body_trailing_newline"]);
  await page.screenshot({ path: join(ARTIFACTS, "validator-desktop.png"), fullPage: true });
  await page.setViewportSize({ width: 390, height: 844 });
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `the page scrolls sideways by ${overflow}px at phone width`);
  await page.screenshot({ path: join(ARTIFACTS, "validator-phone-full.png"), fullPage: true });
  // What a phone shows once the result is scrolled into view.
  await page.locator("#result").scrollIntoViewIfNeeded();
  await page.evaluate(() => document.getElementById("result").scrollIntoView({ block: "start" }));
  await page.screenshot({ path: join(ARTIFACTS, "validator-phone.png") });
  await page.setViewportSize({ width: 1280, height: 900 });
});

test("the replay bound: a capture older than 7 days is what the Worker refuses, and the page says so", async () => {
  const d = DELIVERIES.yousign; // a capture of 2026-10-08
  await page.fill("#max-age-days", "7");
  try {
    const r = await check({ raw: rawRequest("yousign", d.headers, d.body), secrets: d.secret });
    assert.equal(r.verdict, "verdict-not-verified", JSON.stringify(r));
    assert.equal(r.code, "event_too_old");
    assert.match(r.message, /^The signhook Worker would refuse this delivery \(401 event_too_old\): .*The proof itself checks out: /, r.message);
    assert.ok(r.findings.some((f) => f.code === "event_too_old" && /replayed later fails by design/.test(f.message)), JSON.stringify(r.findings));
    // Widened, the same capture verifies.
    await page.fill("#max-age-days", "3650");
    const wide = await check({ raw: rawRequest("yousign", d.headers, d.body), secrets: d.secret });
    assert.equal(wide.verdict, "verdict-verified");
  } finally {
    await page.fill("#max-age-days", "");
  }
});

test("keyboard: Tab reaches the controls in order and Ctrl+Enter checks", async () => {
  await page.fill("#raw", "");
  await page.fill("#secrets", "");
  await page.focus("#raw");
  const d = DELIVERIES.yousign;
  await page.keyboard.insertText(rawRequest("yousign", d.headers, d.body));
  await page.focus("#secrets");
  await page.keyboard.insertText(d.secret);
  await page.keyboard.press("Control+Enter");
  const r = await readResult();
  assert.equal(r.verdict, "verdict-verified");
  await page.focus("#provider");
  await page.keyboard.press("Tab");
  assert.equal(await page.evaluate(() => document.activeElement.id), "secrets");
});

test("the page made no request beyond its own assets, and logged no error", () => {
  const foreign = requests.filter((url) => {
    const u = new URL(url);
    return u.origin !== origin || !ASSETS.has(u.pathname);
  });
  assert.deepEqual(foreign, []);
  // It did load the wasm (so the checks above ran in WebAssembly).
  assert.ok(requests.includes(`${origin}/pkg/web/signhook_diagnose_bg.wasm`));
  assert.deepEqual(problems, []);
});
