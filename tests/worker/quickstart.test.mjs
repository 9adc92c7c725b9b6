// README's quick start, for every provider: `signhook sign … --curl <the Worker>` prints one
// command line; run as is in a POSIX shell from another directory, it sends a delivery that
// a Worker configured as scripts/dev.sh configures it (.dev.vars.example's values, the
// production 7-day replay bound) accepts now, even from a fixture captured years ago.
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, test } from "node:test";

import { DELIVERIES, ROOT, startWorker } from "./harness.mjs";

/** NAME="value" lines of .dev.vars.example. */
const DEV_VARS = Object.fromEntries(
  readFileSync(path.join(ROOT, ".dev.vars.example"), "utf8")
    .split("\n")
    .filter((l) => /^[A-Z_]+=/.test(l))
    .map((l) => {
      const [name, ...rest] = l.split("=");
      return [name, rest.join("=").replace(/^"|"$/g, "")];
    }),
);

const CASES = [
  ...DELIVERIES.map((d) => ({ provider: d.provider, fixture: d.fixture, type: d.type })),
  { provider: "pandadoc", fixture: "array-of-three-rotation", events: 3 },
];

/** The secret `sign` takes for `provider`: its first value in .dev.vars.example. */
function secretOf(provider) {
  const name = provider === "acrobat-sign" ? "ACROBAT_SIGN_CLIENT_IDS" : `${provider.toUpperCase().replace(/-/g, "_")}_SECRETS`;
  const value = DEV_VARS[name];
  assert.ok(value, `.dev.vars.example has no ${name}`);
  return value.split(/\s+/)[0];
}

let worker;
const bin = path.join(ROOT, "target", "debug", "signhook");

before(async () => {
  if (!existsSync(bin)) {
    const built = spawnSync("cargo", ["build", "--quiet", "--bin", "signhook"], { cwd: ROOT, stdio: "inherit" });
    assert.equal(built.status, 0);
  }
  const vars = {};
  for (const [name, value] of Object.entries(DEV_VARS)) vars[name] = value;
  // The production default replay bound, not the suites' widened one.
  vars.MAX_EVENT_AGE_SECONDS = "";
  worker = await startWorker(vars, { migrate: true });
});

after(() => worker?.stop());

for (const c of CASES) {
  test(`${c.provider}: sign --curl prints one command that the Worker accepts now`, () => {
    const args = ["sign", "--provider", c.provider, "--secret", secretOf(c.provider), "--body", path.join(ROOT, "tests/fixtures", c.provider, c.fixture, "body"), "--curl", worker.url];
    if (c.provider === "acrobat-sign") args.push("--url-token", DEV_VARS.ACROBAT_SIGN_URL_TOKENS.split(/\s+/)[0]);
    const signed = spawnSync(bin, args, { encoding: "utf8" });
    assert.equal(signed.status, 0, signed.stderr);
    const line = signed.stdout;
    assert.equal(line.trim().split("\n").length, 1, "one command line");
    // From another directory: the command carries everything it needs.
    const answer = execFileSync("sh", ["-c", line], { cwd: tmpdir(), encoding: "utf8" });
    const json = JSON.parse(answer);
    if (c.events) {
      assert.equal(json.length, c.events, answer);
    } else if (c.provider === "acrobat-sign") {
      assert.equal(json.event.type, c.type, answer);
    } else {
      assert.equal(json.type, c.type, answer);
    }
  });
}
