// The CommonJS view of the declarations (index.d.cts through the `require` condition).
import signhook = require("signhook");

const event: signhook.VerifiedEvent = signhook.verify({
  provider: "yousign",
  headers: { "x-yousign-signature-256": "sha256=00" },
  body: "{}",
  secrets: ["k"],
});
const type: signhook.EventType = event.type;
// @ts-expect-error not a provider
const provider: signhook.Provider = "no-such-provider";
void signhook.init().then(() => signhook.initSync(new Uint8Array()));

export = [type, provider];
