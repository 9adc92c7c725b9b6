// The packed tarball in every runtime the package claims: Node 18, 20 and 22, Deno and Bun,
// each through `import` (consumer/runtime.mjs: named and default imports) and `require`
// (consumer/runtime.cjs), plus Deno's `npm:` specifier. Every run calls verify, sign,
// normalize, diagnose and detectProvider, checks err.code/status on failures, and that
// `import` and `require` reach one instance (consumer/runtime-checks.mjs); the report it
// prints must equal the one expected here, so an undefined export fails the test.
//
// The runtimes are the project's devDependencies from the npm registry (package.json:
// `node18`/`node20` are aliases of the npm package `node`, `node` is Node 22, `deno`,
// `bun`), installed by scripts/bootstrap.sh; the versions are checked against those pins.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFile, execFileSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ROOT, PACKAGE_DIR } from "./package.mjs";

const NM = join(ROOT, "node_modules");
const CONSUMER = join(ROOT, "tests/node/consumer");
const VERSION = JSON.parse(readFileSync(join(PACKAGE_DIR, "package.json"), "utf8")).version;
const TARBALL = process.env.SIGNHOOK_TARBALL ?? join(ROOT, `npm/signhook-${VERSION}.tgz`);
// Zoho Sign's published sample, as in consumer/runtime-checks.mjs.
const ZOHO_EVENT = JSON.parse(
  readFileSync(join(ROOT, "tests/fixtures/zoho-sign/published-vector-valid-json/event.json"), "utf8"),
);

const SCHEMA_PROVIDERS = JSON.parse(readFileSync(join(ROOT, "schema/event.schema.json"), "utf8")).properties.provider.enum;

/** The exact version package.json pins for a devDependency ("npm:node@18.20.8" → "18.20.8"). */
function pinned(name) {
  const spec = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")).devDependencies[name];
  assert.ok(spec, `package.json has no devDependency ${name}`);
  const version = spec.replace(/^npm:[^@]+@/, "");
  assert.match(version, /^\d+\.\d+\.\d+$/, `${name} is not pinned exactly: ${spec}`);
  return version;
}

const DENO_ARGS = ["run", "--no-prompt", "--allow-read=node_modules/signhook"];
const RUNTIMES = [
  { name: "Node 18", bin: join(NM, "node18/bin/node"), runtime: `node ${pinned("node18")}`, esm: [], cjs: [] },
  { name: "Node 20", bin: join(NM, "node20/bin/node"), runtime: `node ${pinned("node20")}`, esm: [], cjs: [] },
  { name: "Node 22", bin: join(NM, "node/bin/node"), runtime: `node ${pinned("node")}`, esm: [], cjs: [] },
  // Deno reads the package from node_modules (package.json beside the script); the Node
  // build reads its .wasm file, hence read access to the package's folder and nothing else.
  {
    name: "Deno",
    bin: join(NM, ".bin/deno"),
    runtime: `deno ${pinned("deno")}`,
    esm: DENO_ARGS,
    cjs: DENO_ARGS,
    // The same file with "signhook" mapped to "npm:signhook".
    npm: [...DENO_ARGS, "--import-map=import-map.json"],
  },
  { name: "Bun", bin: join(NM, ".bin/bun"), runtime: `bun ${pinned("bun")}`, esm: ["--no-install"], cjs: ["--no-install"] },
];

let dir;
let env;

before(() => {
  assert.ok(existsSync(TARBALL), `no ${TARBALL}: run scripts/build-npm.sh`);
  dir = mkdtempSync(join(tmpdir(), "signhook-runtimes-"));
  writeFileSync(join(dir, "package.json"), JSON.stringify({ name: "consumer", private: true, type: "module" }));
  execFileSync("npm", ["install", "--no-audit", "--no-fund", "--offline", TARBALL], {
    cwd: dir,
    stdio: "pipe",
    env: { ...process.env, PATH: `${join(NM, ".bin")}:${process.env.PATH}` },
  });
  for (const file of ["runtime.mjs", "runtime.cjs", "runtime-checks.mjs"]) {
    copyFileSync(join(CONSUMER, file), join(dir, file));
  }
  writeFileSync(join(dir, "import-map.json"), JSON.stringify({ imports: { signhook: "npm:signhook" } }));
  mkdirSync(join(dir, ".deno"));
  env = {
    ...process.env,
    NO_COLOR: "1",
    DO_NOT_TRACK: "1",
    // Deno: caches in the scratch folder, no update check (it would reach past the registry).
    DENO_DIR: join(dir, ".deno"),
    DENO_NO_UPDATE_CHECK: "1",
    DENO_NO_PROMPT: "1",
  };
});

after(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function run(bin, args) {
  return new Promise((resolve) => {
    execFile(bin, args, { cwd: dir, env, encoding: "utf8", timeout: 60_000 }, (error, stdout, stderr) =>
      resolve({ error, stdout, stderr }),
    );
  });
}

const failure = (code, status) => ({ threw: true, name: "Error", code, status, isError: true, isSignhookError: true });

/** The report every runtime must print (consumer/runtime-checks.mjs). */
function expected(runtime, module) {
  const exports = {};
  for (const name of ["default", "init", "initSync", "verify", "normalize", "sign", "signBody", "verifyAll", "verifyText", "normalizeAll", "signQuery", "diagnose", "detectProvider", "isSignhookError"]) {
    exports[name] = "function";
  }
  for (const name of ["PROVIDERS", "EVENT_TYPES", "ERROR_CODES", "PROOF_HEADERS"]) exports[name] = "object";
  exports.DEFAULT_TOLERANCE_SECONDS = "number";
  return {
    runtime,
    module,
    exports,
    defaultIsInit: true,
    oneInstance: true,
    init: { ok: null },
    initSync: { ok: null },
    lists: {
      ok: {
        // The registry's list (tests/docs.rs keeps the schema's enum equal to it).
        PROVIDERS: SCHEMA_PROVIDERS,
        DEFAULT_TOLERANCE_SECONDS: 300,
        zohoHeader: "X-ZS-WEBHOOK-SIGNATURE",
        eventTypes: 24,
        hasMismatchCode: true,
      },
    },
    verify: { ok: ZOHO_EVENT },
    sign: {
      ok: {
        // tests/fixtures/zigned/derived-vector's signature
        headers: {
          "Content-Type": "application/json",
          "x-zigned-request-signature":
            "t=1731340000,v1=621e2b96e25fa29c8f215cd9d7837b6d57839f809c55098cfda655bf1b692316",
        },
        type: "esign.envelope.completed",
        subject: "cm0testagreement000000000",
        verification: { scheme: "hmac-sha256", covers: "timestamp+body", key: 1 },
      },
    },
    normalize: { ok: { type: "esign.participant.signed", verification: null } },
    diagnose: {
      ok: {
        verdict: "not_verified",
        code: "signature_mismatch",
        provider: "zoho-sign",
        detected: "zoho-sign",
        event_verified: false,
        findings: ["body_trailing_newline"],
      },
    },
    detectProvider: { ok: "zoho-sign" },
    errors: {
      wrongSecret: failure("signature_mismatch", 401),
      missingSignature: failure("missing_signature", 401),
      unknownProvider: failure("unknown_provider", 404),
      badOptions: { threw: true, name: "TypeError", isError: true, isSignhookError: false },
    },
  };
}

for (const rt of RUNTIMES) {
  const cases = [
    ["ESM import", rt.esm, "runtime.mjs", "esm"],
    ["CommonJS require", rt.cjs, "runtime.cjs", "cjs"],
    ...(rt.npm ? [["ESM import of npm:signhook", rt.npm, "runtime.mjs", "esm"]] : []),
  ];
  for (const [label, args, file, module] of cases) {
    test(`${rt.name}, ${label}: every export works from the packed tarball`, async (t) => {
      assert.ok(existsSync(rt.bin), `${rt.bin} missing: run scripts/bootstrap.sh`);
      const started = performance.now();
      const { error, stdout, stderr } = await run(rt.bin, [...args, file]);
      t.diagnostic(`${rt.runtime} ${file}: ${Math.round(performance.now() - started)} ms`);
      assert.equal(error, null, `${rt.name} ${file} failed:\n${stderr}${stdout}`);
      let report;
      try {
        report = JSON.parse(stdout);
      } catch {
        assert.fail(`${rt.name} ${file} printed no report:\n${stdout}\n${stderr}`);
      }
      assert.deepStrictEqual(report, expected(rt.runtime, module), stderr);
    });
  }
}

test("npm/README.md names the runtime versions tested here", () => {
  const readme = readFileSync(join(ROOT, "npm/README.md"), "utf8");
  const at = readme.indexOf("## Runtimes tested");
  assert.notEqual(at, -1, "npm/README.md has no '## Runtimes tested' section");
  const section = readme.slice(at, readme.indexOf("\n## ", at + 1));
  for (const name of ["node18", "node20", "node", "deno", "bun", "wrangler"]) {
    assert.match(section, new RegExp(`\\b${pinned(name).replaceAll(".", "\\.")}\\b`), `${name} ${pinned(name)}`);
  }
});
