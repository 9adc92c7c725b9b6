// The same ten lines with require (CommonJS).
const { verify } = require("signhook");

const event = verify({
  provider: "zoho-sign",
  headers: [["x-zs-webhook-signature", "KCFveIVxXsZ5tDJTtMVWqWEx++CCKzNYS2tuPP06hgc="]],
  body: new TextEncoder().encode('{"requests":{"request_name":"Test Name"},"notifications":{"operation_type":"RequestSigningSuccess"}}'),
  secrets: "thisisthesamplekeyfortestingpurposes",
});
console.log(JSON.stringify(event));
