// The "ten lines" a consumer writes after `npm install ./signhook-x.y.z.tgz` (ESM).
import { verify } from "signhook";

const event = verify({
  provider: "zoho-sign",
  headers: { "X-ZS-WEBHOOK-SIGNATURE": "KCFveIVxXsZ5tDJTtMVWqWEx++CCKzNYS2tuPP06hgc=" },
  body: '{"requests":{"request_name":"Test Name"},"notifications":{"operation_type":"RequestSigningSuccess"}}',
  secrets: ["thisisthesamplekeyfortestingpurposes"],
});
console.log(JSON.stringify(event));
