// A consumer's CommonJS file: require("signhook") (tests/node/runtimes.test.mjs runs it
// under Node 18/20/22, Deno and Bun and prints the report as JSON).
"use strict";
const signhook = require("signhook");

(async () => {
  const { checks } = await import("./runtime-checks.mjs");
  // The same package through import(): must be the very same functions (one instance).
  const imported = await import("signhook");
  console.log(JSON.stringify(await checks(signhook, imported, "cjs")));
})().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
