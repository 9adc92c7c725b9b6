// The packed tarball, installed into a scratch folder and used the way a consumer would:
// the "ten lines" under Node (ESM and CommonJS), in Chromium (the web build), and as a
// Cloudflare Worker (the `workerd` build, through `wrangler dev` on 127.0.0.1).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync, spawn } from "node:child_process";
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { createServer } from "node:http";
import { createServer as createNetServer } from "node:net";
import { tmpdir } from "node:os";
import { extname, join, normalize as normalizePath } from "node:path";
import { ROOT, PACKAGE_DIR } from "./package.mjs";

const BIN = join(ROOT, "node_modules/.bin");
const CONSUMER = join(ROOT, "tests/node/consumer");
const VERSION = JSON.parse(readFileSync(join(PACKAGE_DIR, "package.json"), "utf8")).version;
const TARBALL = process.env.SIGNHOOK_TARBALL ?? join(ROOT, `npm/signhook-${VERSION}.tgz`);
// Zoho Sign's published sample (single brace), as in the consumer files.
const EXPECTED = JSON.parse(
  readFileSync(join(ROOT, "tests/fixtures/zoho-sign/published-vector-valid-json/event.json"), "utf8"),
);

let dir;

before(() => {
  assert.ok(existsSync(TARBALL), `no ${TARBALL}: run scripts/build-npm.sh`);
  dir = mkdtempSync(join(tmpdir(), "signhook-consumer-"));
  writeFileSync(join(dir, "package.json"), JSON.stringify({ name: "consumer", private: true, type: "module" }));
  // A local tarball with no dependencies: nothing is fetched.
  execFileSync("npm", ["install", "--no-audit", "--no-fund", "--offline", TARBALL], {
    cwd: dir,
    stdio: "pipe",
    env: { ...process.env, PATH: `${BIN}:${process.env.PATH}` },
  });
  for (const file of ["zoho.mjs", "zoho.cjs", "zoho.html", "worker.mjs", "consumer.mts", "consumer.cts"]) {
    copyFileSync(join(CONSUMER, file), join(dir, file));
  }
});

after(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function runNode(file) {
  return JSON.parse(execFileSync(process.execPath, [file], { cwd: dir, encoding: "utf8" }));
}

test("the tarball holds the package and nothing else", () => {
  const listing = execFileSync("tar", ["-tzf", TARBALL], { encoding: "utf8" }).trim().split("\n").sort();
  assert.deepEqual(listing, [
    "package/LICENSE-APACHE",
    "package/LICENSE-MIT",
    "package/README.md",
    "package/api.cjs",
    "package/api.js",
    "package/index.d.cts",
    "package/index.d.ts",
    "package/node/index.cjs",
    "package/node/index.mjs",
    "package/node/package.json",
    "package/node/signhook.js",
    "package/node/signhook_bg.wasm",
    "package/node/signhook_diagnose.js",
    "package/node/signhook_diagnose_bg.wasm",
    "package/package.json",
    "package/public.js",
    "package/web/diagnose.js",
    "package/web/index.js",
    "package/web/initializer.js",
    "package/web/signhook.js",
    "package/web/signhook_bg.wasm",
    "package/web/signhook_diagnose.js",
    "package/web/signhook_diagnose_bg.wasm",
    "package/workerd/diagnose.js",
    "package/workerd/index.js",
  ]);
  const pkg = JSON.parse(readFileSync(join(dir, "node_modules/signhook/package.json"), "utf8"));
  assert.equal(pkg.name, "signhook");
  assert.match(pkg.version, /^\d+\.\d+\.\d+/);
  assert.equal(pkg.license, "MIT OR Apache-2.0");
  assert.ok(pkg.repository.url.includes("github.com"));
  assert.equal(pkg.types, "./index.d.ts");
});

test("Node, ESM: ten lines verify a Zoho Sign delivery", () => {
  assert.deepStrictEqual(runNode("zoho.mjs"), EXPECTED);
});

test("Node, CommonJS: the same with require", () => {
  assert.deepStrictEqual(runNode("zoho.cjs"), EXPECTED);
});

test("TypeScript: the consumer files type-check against the installed package", () => {
  writeFileSync(
    join(dir, "tsconfig.json"),
    JSON.stringify({
      compilerOptions: { module: "nodenext", target: "es2022", lib: ["es2022"], strict: true, noEmit: true, types: [] },
      files: ["consumer.mts", "consumer.cts"],
    }),
  );
  try {
    execFileSync(process.execPath, [join(ROOT, "node_modules/typescript/bin/tsc"), "-p", dir], { stdio: "pipe" });
  } catch (err) {
    assert.fail(`tsc failed:\n${err.stdout}${err.stderr}`);
  }
});

const MIME = { ".html": "text/html", ".js": "text/javascript", ".wasm": "application/wasm", ".json": "application/json" };

test("browser: the web build in Chromium, from a page on 127.0.0.1", async (t) => {
  const server = createServer(async (req, res) => {
    const path = normalizePath(decodeURIComponent(new URL(req.url, "http://x").pathname));
    if (path === "/favicon.ico") return res.writeHead(204).end();
    try {
      const body = await readFile(join(dir, path));
      res.writeHead(200, { "content-type": MIME[extname(path)] ?? "application/octet-stream" }).end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  t.after(() => server.close());
  const { chromium } = await import(join(ROOT, "node_modules/playwright-core/index.mjs"));
  const browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: ["--no-sandbox"] });
  t.after(() => browser.close());
  const page = await browser.newPage();
  const errors = [];
  page.on("pageerror", (err) => errors.push(err.message));
  page.on("console", (msg) => msg.type() === "error" && errors.push(msg.text()));
  await page.goto(`http://127.0.0.1:${server.address().port}/zoho.html`);
  await page.waitForFunction(() => document.getElementById("out").textContent !== "loading", null, {
    timeout: 15_000,
  });
  assert.deepEqual(errors, []);
  assert.deepStrictEqual(JSON.parse(await page.textContent("#out")), EXPECTED);
  // Before init() the web build refuses clearly instead of crashing in the glue.
  const early = await page.evaluate(async () => {
    const m = await import("/node_modules/signhook/web/index.js?fresh");
    try {
      m.normalize({ provider: "zoho-sign", body: "{}" });
      return "no error";
    } catch (err) {
      return err.message;
    }
  });
  assert.match(early, /await init\(\)/);
  // The main entry's module has no diagnosis: diagnose() says where it is. The
  // `signhook/diagnose` entry (its own module, fetched only then) diagnoses.
  const split = await page.evaluate(async () => {
    const main = await import("/node_modules/signhook/web/index.js");
    await main.default();
    let refused;
    try {
      main.diagnose({ provider: "zoho-sign", headers: {}, body: "{}" });
      refused = "no error";
    } catch (err) {
      refused = err.message;
    }
    const full = await import("/node_modules/signhook/web/diagnose.js");
    await full.default();
    const headers = { "X-ZS-WEBHOOK-SIGNATURE": "KCFveIVxXsZ5tDJTtMVWqWEx++CCKzNYS2tuPP06hgc=" };
    const body = '{"requests":{"request_name":"Test Name"},"notifications":{"operation_type":"RequestSigningSuccess"}}';
    const d = full.diagnose({ headers, body: body + "\n", secrets: ["thisisthesamplekeyfortestingpurposes"] });
    return { refused, verdict: d.verdict, findings: d.findings.map((f) => f.code), detected: full.detectProvider(headers) };
  });
  assert.match(split.refused, /signhook\/diagnose/);
  assert.deepEqual(split, { refused: split.refused, verdict: "not_verified", findings: ["body_trailing_newline"], detected: "zoho-sign" });
});

test("Cloudflare Worker: `wrangler dev` bundles the workerd build from node_modules", async (t) => {
  // A consumer's Worker project: worker.mjs imports "signhook"; wrangler resolves the
  // `workerd` condition and loads the .wasm as a compiled module.
  writeFileSync(
    join(dir, "wrangler.toml"),
    'name = "signhook-consumer"\nmain = "worker.mjs"\ncompatibility_date = "2025-01-01"\n',
  );
  const port = await freePort();
  const child = spawn(
    join(BIN, "wrangler"),
    [
      "dev",
      "--ip", "127.0.0.1",
      "--port", String(port),
      "--inspector-port", String(await freePort()),
      "--persist-to", join(dir, ".wrangler-state"),
      "--show-interactive-dev-session=false",
      "--var", "ZOHO_SIGN_SECRET:thisisthesamplekeyfortestingpurposes",
    ],
    {
      cwd: dir,
      env: {
        ...process.env,
        PATH: `${BIN}:${process.env.PATH}`,
        WRANGLER_SEND_METRICS: "false",
        CLOUDFLARE_CF_FETCH_ENABLED: "false",
        NO_COLOR: "1",
      },
      stdio: ["ignore", "pipe", "pipe"], // no prompt can hang the test
      detached: true, // its own process group, so that stopping it reaches workerd
    },
  );
  let output = "";
  child.stdout.on("data", (d) => (output += d));
  child.stderr.on("data", (d) => (output += d));
  const exited = new Promise((resolve) => child.once("exit", resolve));
  t.after(async () => {
    if (child.exitCode === null && child.signalCode === null) {
      process.kill(-child.pid, "SIGTERM");
      await exited;
    }
  });
  const url = `http://127.0.0.1:${port}/hooks/zoho-sign`;
  const body = '{"requests":{"request_name":"Test Name"},"notifications":{"operation_type":"RequestSigningSuccess"}}';
  const post = (text) =>
    fetch(url, {
      method: "POST",
      headers: { "X-ZS-WEBHOOK-SIGNATURE": "KCFveIVxXsZ5tDJTtMVWqWEx++CCKzNYS2tuPP06hgc=" },
      body: text,
    });
  let ok;
  const deadline = Date.now() + 90_000;
  while (!ok) {
    assert.equal(child.exitCode, null, `wrangler dev exited:\n${output}`);
    assert.ok(Date.now() < deadline, `wrangler dev did not answer in time:\n${output}`);
    ok = await post(body).catch(() => undefined);
    if (!ok) await new Promise((r) => setTimeout(r, 250));
  }
  assert.equal(ok.status, 200, output);
  assert.deepStrictEqual(await ok.json(), EXPECTED);
  const bad = await post(body + "\n");
  assert.equal(bad.status, 401);
  assert.equal((await bad.json()).code, "signature_mismatch");
  // `signhook/diagnose` bundles its own module (workerd/diagnose.js) and explains.
  const explained = await fetch(`http://127.0.0.1:${port}/diagnose`, {
    method: "POST",
    headers: { "X-ZS-WEBHOOK-SIGNATURE": "KCFveIVxXsZ5tDJTtMVWqWEx++CCKzNYS2tuPP06hgc=" },
    body: body + "\n",
  });
  assert.equal(explained.status, 200, output);
  assert.deepEqual(await explained.json(), { verdict: "not_verified", findings: ["body_trailing_newline"] });
});

async function freePort() {
  const server = createNetServer();
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}
