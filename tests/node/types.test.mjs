// The TypeScript declarations: their unions equal the core's lists, and a consumer file
// type-checks (with `@ts-expect-error` lines the declarations must refuse) under several
// compiler setups: Node ESM and CommonJS, no DOM and no @types/node, DOM, bundler.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ROOT, PACKAGE_DIR, raw } from "./package.mjs";

const DECLARATIONS = readFileSync(join(PACKAGE_DIR, "index.d.ts"), "utf8");

function union(name) {
  const match = new RegExp(`export type ${name} =([^;]*);`).exec(DECLARATIONS);
  assert.ok(match, `no type ${name} in index.d.ts`);
  return [...match[1].matchAll(/"([^"]+)"/g)].map((m) => m[1]);
}

test("the declared unions are the core's lists, in order", () => {
  assert.deepEqual(union("Provider"), raw.providerNames());
  assert.deepEqual(union("EventType"), raw.eventTypeNames());
  assert.deepEqual(union("ErrorCode"), raw.errorCodes());
  const pairs = raw.proofHeaders();
  for (let i = 0; i < pairs.length; i += 2) {
    assert.match(DECLARATIONS, new RegExp(`"?${pairs[i]}"?: "${pairs[i + 1]}";`));
  }
});

test("the CommonJS declarations are the same file", () => {
  assert.equal(readFileSync(join(PACKAGE_DIR, "index.d.cts"), "utf8"), DECLARATIONS);
});

const SETUPS = {
  "node16 ESM + CJS, no DOM, no @types/node": {
    module: "nodenext",
    moduleResolution: "nodenext",
    lib: ["es2022"],
    files: ["consumer.mts", "consumer.cts"],
  },
  "node16 ESM + CJS, with DOM": {
    module: "nodenext",
    moduleResolution: "nodenext",
    lib: ["es2022", "dom"],
    files: ["consumer.mts", "consumer.cts"],
  },
  "bundler, browser condition": {
    module: "esnext",
    moduleResolution: "bundler",
    customConditions: ["browser"],
    lib: ["es2022", "dom"],
    files: ["consumer.mts"],
  },
};

const TSC = join(ROOT, "node_modules/typescript/bin/tsc");

for (const [name, setup] of Object.entries(SETUPS)) {
  test(`tsc --noEmit: ${name}`, () => {
    const dir = mkdtempSync(join(tmpdir(), "signhook-tsc-"));
    try {
      mkdirSync(join(dir, "node_modules"));
      symlinkSync(PACKAGE_DIR, join(dir, "node_modules/signhook"), "dir");
      for (const file of setup.files) copyFileSync(join(ROOT, "tests/node/consumer", file), join(dir, file));
      const { files, ...options } = setup;
      writeFileSync(
        join(dir, "tsconfig.json"),
        JSON.stringify({
          compilerOptions: {
            ...options,
            target: "es2022",
            strict: true,
            noEmit: true,
            types: [],
            skipLibCheck: false,
            noUnusedLocals: false,
          },
          files,
        }),
      );
      try {
        execFileSync(process.execPath, [TSC, "-p", dir], { encoding: "utf8", stdio: "pipe" });
      } catch (err) {
        assert.fail(`tsc failed:\n${err.stdout}${err.stderr}`);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}
