// The operator's console (www/console/) in headless Chromium (Debian's, driven by npm
// playwright-core), served by the real Worker under `wrangler dev` with local D1 and
// Queues: token entry, counters, an event's journey, a dead letter replayed from the page
// and reaching origin once, tenants with fingerprints; its CSP holds, nothing is rendered
// as HTML, and no request leaves the edge's origin. Screenshots: test-artifacts/console-*.png.
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { mkdir } from "node:fs/promises";
import path from "node:path";
import { after, before, test } from "node:test";

import { chromium } from "playwright-core";

import { ROOT, SECRETS, post, signed, startWorker } from "./harness.mjs";
import { makeDelivery, startFaultyOrigin } from "./queue-kit.mjs";

const ADMIN_TOKEN = "console-suite-admin-token-0123456789abcdef";
const TENANT_KEY = Buffer.alloc(32, 7).toString("base64");
const CHROMIUM = process.env.CHROMIUM_PATH || "/usr/bin/chromium";
const ARTIFACTS = path.join(ROOT, "test-artifacts");

let origin;
let worker;
let browser;
let page;
const problems = [];
const requests = [];
let dead;
let delivered;

before(async () => {
  origin = await startFaultyOrigin();
  worker = await startWorker(
    {
      ORIGIN_URL: origin.url,
      FORWARD_SECRET: SECRETS.forward,
      YOUSIGN_SECRETS: SECRETS.yousign,
      ZOHO_SIGN_SECRETS: SECRETS.zoho,
      ADMIN_TOKEN,
      TENANT_KEY,
      RETRY_MAX_ATTEMPTS: "2",
      RETRY_BASE_SECONDS: "1",
      RETRY_MAX_DELAY_SECONDS: "1",
    },
    { migrate: true },
  );
  // Something to look at: a delivered event, a refusal, a dead letter (origin refuses it
  // for good), an event whose envelope id is markup, a tenant with a secret.
  delivered = makeDelivery("yousign", "console-ok", { envelope: "<img src=x onerror=alert(1)>" });
  dead = makeDelivery("yousign", "console-dead");
  origin.behave((r) => (r.headers["webhook-id"] === dead.webhookId && origin.accepted(dead.webhookId).length === 0 && r.attempt === 1 ? 410 : 200));
  for (const d of [delivered, dead]) assert.equal((await post(`${worker.url}/hooks/yousign`, d.body, d.headers())).status, 200);
  await post(`${worker.url}/hooks/zoho-sign`, "{}", signed("zoho-sign", Buffer.from("{}"), { key: "wrong" }));
  const admin = (p, body) => post(`${worker.url}/admin/${p}`, JSON.stringify(body), { authorization: `Bearer ${ADMIN_TOKEN}`, "content-type": "application/json" });
  assert.equal((await admin("tenants", { id: "acme" })).status, 201);
  assert.equal((await admin("tenants/acme/secrets", { provider: "zoho-sign", secret: "acme-console-secret", label: "primary" })).status, 201);
  const deadline = Date.now() + 30_000;
  while (!(await post(`${worker.url}/admin/dead-letters`, undefined, { authorization: `Bearer ${ADMIN_TOKEN}` }, "GET")).json.dead_letters.length) {
    if (Date.now() > deadline) throw new Error("no dead letter");
    await new Promise((r) => setTimeout(r, 200));
  }
  await mkdir(ARTIFACTS, { recursive: true });
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
  });
  page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
  page.on("request", (req) => requests.push(req.url()));
  page.on("pageerror", (err) => problems.push(`pageerror: ${err.message}`));
  page.on("console", (msg) => {
    if (msg.type() === "error" || msg.type() === "warning") problems.push(`console ${msg.type()}: ${msg.text()}`);
  });
  page.on("dialog", (d) => {
    problems.push(`dialog: ${d.message()}`);
    d.dismiss();
  });
});

after(async () => {
  await browser?.close();
  await worker?.stop();
  await origin?.close();
});

test("the console: token, counters, an event's journey, a replay, tenants; text only, strict CSP", async () => {
  const res = await page.goto(`${worker.url}/console/`);
  assert.equal(res.status(), 200);
  // The policy also as a header (www/_headers), where frame-ancestors applies.
  const header = (await res.allHeaders())["content-security-policy"] ?? "";
  assert.match(header, /^default-src 'self';.*frame-ancestors 'none'/);
  assert.doesNotMatch(header, /unsafe-inline|unsafe-eval|https?:/);
  const csp = await page.getAttribute('meta[http-equiv="Content-Security-Policy"]', "content");
  assert.match(csp, /^default-src 'self';/);
  assert.match(csp, /script-src 'self';/);
  assert.match(csp, /object-src 'none'/);
  assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval|https?:/);
  assert.equal(await page.isHidden("#main"), true);

  // A wrong token first.
  await page.fill("#token", "not-the-token-0000000000000000000000");
  await page.click("#token-form button[type=submit]");
  await page.waitForFunction(() => document.getElementById("status").textContent.includes("refused"));
  await page.fill("#token", ADMIN_TOKEN);
  await page.click("#token-form button[type=submit]");
  await page.waitForSelector("#main:not([hidden])");
  assert.equal(await page.evaluate(() => sessionStorage.getItem("signhook-admin-token")), ADMIN_TOKEN);
  assert.equal(await page.evaluate(() => localStorage.length), 0, "nothing in localStorage");

  const statsText = await page.textContent("#stats tbody");
  assert.match(statsText, /yousign/);
  assert.match(statsText, /signature_mismatch: 1/);

  // The markup in the subject is shown as text, never as an element.
  const subjects = await page.$$eval("#events tbody td:nth-child(7)", (tds) => tds.map((td) => td.textContent));
  assert.ok(subjects.includes("<img src=x onerror=alert(1)>"), JSON.stringify(subjects));
  assert.equal(await page.$$eval("#events img", (imgs) => imgs.length), 0);

  // An event's journey.
  await page.click(`#events tbody tr[data-webhook-id="${delivered.webhookId}"]`);
  await page.waitForSelector("#journey:not([hidden])");
  assert.equal(await page.textContent("#journey-id"), delivered.webhookId);
  assert.match(await page.textContent("#attempts tbody"), /200/);
  await page.screenshot({ path: path.join(ARTIFACTS, "console-journey.png"), fullPage: true });

  // The dead letter, replayed from the page: origin gets it once.
  assert.equal(origin.accepted(dead.webhookId).length, 0);
  const deadRow = page.locator("#dead tbody tr", { hasText: "origin answered 410" });
  await deadRow.locator("button", { hasText: "Replay" }).click();
  await page.waitForFunction(() => document.getElementById("replay-result").textContent.startsWith("Replayed 1"));
  const deadline = Date.now() + 20_000;
  while (origin.accepted(dead.webhookId).length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
  await new Promise((r) => setTimeout(r, 2_000));
  assert.equal(origin.accepted(dead.webhookId).length, 1, "delivered once after the replay");

  // Tenants with their secrets' fingerprints, never the secret.
  const tenants = await page.textContent("#tenants tbody");
  assert.match(tenants, /acme/);
  assert.ok(tenants.includes(createHash("sha256").update("acme-console-secret").digest("hex").slice(0, 8)));
  assert.ok(!(await page.content()).includes("acme-console-secret"));
  await page.screenshot({ path: path.join(ARTIFACTS, "console-desktop.png"), fullPage: true });

  // Forget: the token is gone.
  await page.click("#forget");
  assert.equal(await page.evaluate(() => sessionStorage.getItem("signhook-admin-token")), null);

  const origins = new Set(requests.map((u) => new URL(u).origin));
  assert.deepEqual([...origins], [worker.url], "no request leaves the edge's origin");
  // The wrong token's 401s are the browser's note of an answer the page handled.
  assert.deepEqual(problems.filter((p) => !p.includes("status of 401")), []);
});
