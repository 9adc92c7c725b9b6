// README's quick start, for every provider: `signhook sign … --curl <the Worker>` prints one
// command line; run as is in a POSIX shell from another directory, it sends a delivery that
// a Worker configured as scripts/dev.sh configures it (.dev.vars.example's values, the
// production 7-day replay bound) accepts now, even from a fixture captured years ago.
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, test } from "node:test";

import { EXAMPLE_SECRETS, ROOT, providerNames, startWorker } from "./harness.mjs";

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

/**
 * One case per provider of the registry (README's providers table): its first fixture, by
 * name, that normalizes to an event other than esign.other (a handshake or an unknown
 * event would prove less), with the type (or, for a batch, the count) the fixture expects.
 */
const CASES = providerNames().map((provider) => {
  const dir = path.join(ROOT, "tests/fixtures", provider);
  const fixture = readdirSync(dir)
    .sort()
    .find((name) => {
      const file = path.join(dir, name, "case.json");
      if (!existsSync(file)) return false;
      const { expect } = JSON.parse(readFileSync(file, "utf8"));
      return expect.type && expect.type !== "esign.other" && !expect.error;
    });
  assert.ok(fixture, `no fixture of ${provider} normalizes to an event`);
  const { expect } = JSON.parse(readFileSync(path.join(dir, fixture, "case.json"), "utf8"));
  return { provider, fixture, type: expect.type, events: expect.count > 1 ? expect.count : undefined };
});

/** The secret `sign` takes for `provider`: its example value (.dev.vars.example's). */
function secretOf(provider) {
  const value = EXAMPLE_SECRETS[provider];
  assert.ok(value, `the registry has no example value for ${provider}`);
  return value;
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
    } else {
      // Acrobat Sign's answer wraps the event next to the echoed client id.
      assert.equal((json.event ?? json).type, c.type, answer);
    }
  });
}
