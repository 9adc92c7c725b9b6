// npm/README.md's example, run exactly as written (the block between its README EXAMPLE
// markers) in a scratch project that installed the packed tarball, with Node 22, and with
// Deno given only read access to the package (as the README says).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ROOT, PACKAGE_DIR } from "./package.mjs";

const NM = join(ROOT, "node_modules");
const VERSION = JSON.parse(readFileSync(join(PACKAGE_DIR, "package.json"), "utf8")).version;
const TARBALL = process.env.SIGNHOOK_TARBALL ?? join(ROOT, `npm/signhook-${VERSION}.tgz`);

let dir;

before(() => {
  assert.ok(existsSync(TARBALL), `no ${TARBALL}: run scripts/build-npm.sh`);
  const readme = readFileSync(join(ROOT, "npm/README.md"), "utf8");
  const block = /<!-- BEGIN README EXAMPLE -->\n```js\n([\s\S]*?)```\n<!-- END README EXAMPLE -->/.exec(readme);
  assert.ok(block, "npm/README.md has the example between its markers");
  assert.ok(readme.includes(`npm/signhook-${VERSION}.tgz`), "the README names the tarball scripts/build-npm.sh writes");
  dir = mkdtempSync(join(tmpdir(), "signhook-readme-"));
  writeFileSync(join(dir, "package.json"), JSON.stringify({ name: "readme-example", private: true, type: "module" }));
  execFileSync("npm", ["install", "--no-audit", "--no-fund", "--offline", TARBALL], {
    cwd: dir,
    stdio: "pipe",
    env: { ...process.env, PATH: `${join(NM, ".bin")}:${process.env.PATH}` },
  });
  writeFileSync(join(dir, "example.mjs"), block[1]);
  mkdirSync(join(dir, ".deno"));
});

after(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test("npm/README.md's example runs as written, with Node", () => {
  const out = execFileSync(join(NM, "node/bin/node"), ["example.mjs"], { cwd: dir, encoding: "utf8" });
  assert.equal(out, "esign.envelope.completed 1000000000000\n");
});

test("and with Deno, given read access to the package only", () => {
  const out = execFileSync(join(NM, ".bin/deno"), ["run", "--no-prompt", "--allow-read=node_modules/signhook", "example.mjs"], {
    cwd: dir,
    encoding: "utf8",
    env: { ...process.env, NO_COLOR: "1", DENO_DIR: join(dir, ".deno"), DENO_NO_UPDATE_CHECK: "1", DENO_NO_PROMPT: "1" },
  });
  assert.equal(out, "esign.envelope.completed 1000000000000\n");
});
