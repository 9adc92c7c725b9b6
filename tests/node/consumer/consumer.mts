// Type-checked with `tsc --noEmit` (tests/node/types.test.mjs): what a TypeScript consumer
// writes, and what the declarations must refuse (each @ts-expect-error must be an error).
import init, {
  verify,
  normalize,
  sign,
  isSignhookError,
  PROVIDERS,
  ERROR_CODES,
  type EventType,
  type ErrorCode,
  type Provider,
  type SignhookEvent,
  type VerifiedEvent,
  type UnverifiedEvent,
  type Verification,
} from "signhook";

await init();

declare const body: Uint8Array<ArrayBuffer>;
const event: VerifiedEvent = verify({
  provider: "zoho-sign",
  headers: { "x-zs-webhook-signature": "sig", "x-forwarded-for": ["a", "b"], absent: undefined },
  body,
  secrets: ["s1", "s2"],
  now: 1_700_000_000,
  toleranceSeconds: 60,
});
verify({ provider: "acrobat-sign", headers: [["X-AdobeSign-ClientId", "c"]], body: body.buffer, clientIds: "c", now: new Date() });
verify({ provider: "yousign", headers: new Map([["a", "b"]]), body: "{}", secrets: "k" });

const type: EventType = event.type;
const key: number = event.data.verification.key; // never null after verify
const scheme: "hmac-sha256" | "client-id" | "url-token" | "shared-secret" = event.data.verification.scheme;
const covers: "body" | "timestamp+body" | "shared-secret" | "event-metadata" | "client-id" = event.data.verification.covers;
const provider: Provider = event.provider;
const source: `signhook/${Provider}` = event.source;
const subject: string | undefined = event.subject;
const raw: unknown = event.data.raw["requests"];
const participantEmail: string | null | undefined = event.data.participant?.email;
const general: SignhookEvent = event;
const names: string[] = event.data.documents.map((d) => d.name ?? "");

switch (event.type) {
  case "esign.participant.signed":
  case "esign.other":
    break;
  // @ts-expect-error not an event type
  case "esign.participant.sgned":
    break;
}

const unverified: UnverifiedEvent = normalize({ provider: "zigned", body: "{}" });
const nothing: null = unverified.data.verification;
// @ts-expect-error the unverified path has no verification
unverified.data.verification.key;
// @ts-expect-error a verified event's verification is not null
const wrong: null = event.data.verification;

const zoho = sign({ provider: "zoho-sign", secret: "k", body: "{}" });
const zohoSignature: string = zoho["X-ZS-WEBHOOK-SIGNATURE"];
const contentType: "application/json" = zoho["Content-Type"];
const zigned: string = sign({ provider: "zigned", secret: "k", body: "{}", timestamp: 1 })["x-zigned-request-signature"];
// @ts-expect-error Zoho Sign's headers carry no Yousign signature
sign({ provider: "zoho-sign", secret: "k", body: "{}" })["X-Yousign-Signature-256"];

try {
  verify({ provider: "zigned", headers: {}, body: "{}" });
} catch (err) {
  if (isSignhookError(err)) {
    const code: ErrorCode = err.code;
    const status: number = err.status;
    // @ts-expect-error not an error code
    if (err.code === "signature_mismatched") console.log(code, status);
  }
}

const all: readonly Provider[] = PROVIDERS;
const codes: readonly ErrorCode[] = ERROR_CODES;

// @ts-expect-error unknown provider
verify({ provider: "no-such-provider", headers: {}, body: "{}" });
// @ts-expect-error body must be bytes or a string
verify({ provider: "zoho-sign", headers: {}, body: 42 });
// @ts-expect-error headers values are strings
verify({ provider: "zoho-sign", headers: { a: true }, body: "{}" });
// @ts-expect-error provider is required
verify({ headers: {}, body: "{}" });
// @ts-expect-error a subject may be absent
const mustHave: string = event.subject;
// @ts-expect-error reason may be null
event.data.reason.length;
// @ts-expect-error a verification is not a secret
const secret: string = event.data.verification.key;
// @ts-expect-error no such field
event.data.signature;

export const used = [type, key, scheme, provider, source, subject, raw, participantEmail, general, names,
  nothing, wrong, zohoSignature, contentType, zigned, all, codes, mustHave, secret] as const;

import { diagnose, detectProvider, type Diagnosis, type Verdict } from "signhook";
const diagnosis: Diagnosis = diagnose({ headers: { "x-zs-webhook-signature": "a" }, body: "{}", secrets: ["k"] });
const verdict: Verdict = diagnosis.verdict;
const detected: Provider | null = detectProvider([["X-Yousign-Signature-256", "x"]]);
const failedWith: ErrorCode | null = diagnosis.code;
// @ts-expect-error an unverified diagnosis may carry no event
diagnosis.event.type;
// @ts-expect-error not a verdict
const notAVerdict: Verdict = "maybe";
export const diagnosed = [verdict, detected, failedWith, notAVerdict] as const;
