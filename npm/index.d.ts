// Type declarations for the `signhook` package (every entry: Node, web, Workers).
// The unions below are kept equal to the Rust core (Provider::ALL, EventType::ALL,
// ErrorKind::ALL) by tests/node/types.test.mjs.

// BEGIN GENERATED: provider-type (tests/docs.rs; UPDATE_README=1 cargo test --test docs)
/** A provider whose webhooks signhook verifies and normalizes. */
export type Provider = "zoho-sign" | "acrobat-sign" | "zigned" | "yousign" | "docusign" | "docuseal" | "documenso" | "onespan-sign" | "boldsign" | "signwell" | "dropbox-sign" | "pandadoc" | "signable" | "xodo-sign" | "box-sign" | "signatureapi";
// END GENERATED: provider-type

/** The normalized event type, `esign.<entity>.<action>`, or `esign.other` when unmapped. */
export type EventType =
  | "esign.envelope.created"
  | "esign.envelope.updated"
  | "esign.envelope.sent"
  | "esign.envelope.completed"
  | "esign.envelope.declined"
  | "esign.envelope.cancelled"
  | "esign.envelope.expired"
  | "esign.envelope.deleted"
  | "esign.envelope.reminder_sent"
  | "esign.envelope.failed"
  | "esign.participant.notified"
  | "esign.participant.viewed"
  | "esign.participant.signed"
  | "esign.participant.approved"
  | "esign.participant.declined"
  | "esign.participant.reassigned"
  | "esign.participant.identity_verified"
  | "esign.participant.identity_failed"
  | "esign.email.delivered"
  | "esign.email.bounced"
  | "esign.template.created"
  | "esign.template.updated"
  | "esign.template.failed"
  | "esign.other";

/** The stable code of a failure, thrown as `err.code`. */
export type ErrorCode =
  | "missing_signature"
  | "malformed_signature"
  | "signature_mismatch"
  | "timestamp_out_of_tolerance"
  | "event_too_old"
  | "event_too_new"
  | "missing_client_id"
  | "unknown_client_id"
  | "malformed_payload"
  | "multiple_events"
  | "too_many_events"
  | "unknown_provider"
  | "payload_too_large"
  | "no_secret_configured"
  | "invalid_secret"
  | "method_not_allowed"
  | "not_found"
  | "delivery_failed"
  | "enqueue_failed"
  | "no_origin_configured"
  | "invalid_config"
  | "unauthorized"
  | "invalid_tenant"
  | "unknown_tenant"
  | "tenant_exists"
  | "tenant_mismatch";

/** The envelope's status, normalized. */
export type EnvelopeStatus =
  | "draft"
  | "sent"
  | "completed"
  | "declined"
  | "cancelled"
  | "expired"
  | "deleted"
  | "unknown";

// BEGIN GENERATED: proof-headers-type (tests/docs.rs; UPDATE_README=1 cargo test --test docs)
/** The header each provider puts its proof in (none when it is in the body). */
export interface ProofHeaders {
  "zoho-sign": "X-ZS-WEBHOOK-SIGNATURE";
  "acrobat-sign": "X-AdobeSign-ClientId";
  zigned: "x-zigned-request-signature";
  yousign: "X-Yousign-Signature-256";
  docusign: "X-DocuSign-Signature-1";
  docuseal: "X-Docuseal-Signature";
  documenso: "X-Documenso-Secret";
  "onespan-sign": "Authorization";
  boldsign: "X-BoldSign-Signature";
  signable: "Signature";
  "box-sign": "BOX-SIGNATURE-PRIMARY";
  signatureapi: "webhook-signature";
}
// END GENERATED: proof-headers-type

/** What a WHATWG `Headers` object (and a `Map`) offers; no DOM types needed. */
export interface HeadersLike {
  forEach(callback: (value: string, name: string) => void): void;
  get(name: string): unknown;
}

/** Request headers: a `Headers` object, a plain object (Node's `req.headers`), or pairs. */
export type HeadersInput =
  | HeadersLike
  | Readonly<Record<string, string | number | readonly string[] | undefined>>
  | ReadonlyArray<readonly [string, string]>;

/** The exact request bytes. A string is encoded as UTF-8. */
export type BodyInput = Uint8Array | ArrayBuffer | ArrayBufferView | string;

/** Any JSON value (the provider's untouched payload). */
export type JsonValue =
  | string
  | number
  | boolean
  | null
  | JsonValue[]
  | { [key: string]: JsonValue };

/** The envelope (signature request, agreement) the event is about. */
export interface Envelope {
  id: string | null;
  name: string | null;
  status: EnvelopeStatus;
  /** The provider's own status string. */
  provider_status: string | null;
}

/** A signer, approver or other recipient. */
export interface Participant {
  id: string | null;
  email: string | null;
  name: string | null;
  /** Role as the provider names it (`SIGNER`, `signer`, …). */
  role: string | null;
  /** Status as the provider names it. */
  status: string | null;
}

/** Who performed the action. */
export interface Actor {
  email: string | null;
  name: string | null;
  ip: string | null;
}

/** A document of the envelope. */
export interface Document {
  id: string | null;
  name: string | null;
}

/**
 * How a delivery was proven authentic. Check `covers` before trusting the content:
 * only `body` and `timestamp+body` mean the payload itself is authenticated.
 */
export interface Verification {
  /**
   * `client-id` (Acrobat Sign) is an allow-list of public ids, not a cryptographic proof;
   * `url-token` (set by the Worker) is a secret token in the webhook URL, on top of it;
   * `shared-secret` (Documenso, OneSpan Sign) is a bearer secret sent as is in a header:
   * no integrity, no freshness.
   */
  scheme: "hmac-sha256" | "client-id" | "url-token" | "shared-secret";
  /**
   * What the proof covers:
   * - `body`, `timestamp+body`: an HMAC over the exact bytes: the content is authentic;
   * - `shared-secret`: the sender knew a bearer secret, but the body has no integrity
   *   protection (re-fetch the resource from the provider's API before acting on it);
   * - `event-metadata` (SignWell): only the event's type and time are MACed (`event.hash`
   *   in the body): a captured proof can be replayed with another body; re-fetch the
   *   resource from the provider's API before acting on it;
   * - `client-id`: only a public client id: anyone can send this; never act on the content
   *   without re-fetching it.
   */
  covers: "body" | "timestamp+body" | "shared-secret" | "event-metadata" | "client-id";
  /** Index of the secret (or client id) that matched. Never the secret itself. */
  key: number;
}

/** The `data` of an event: the same shape for every provider. */
export interface EventData<V extends Verification | null = Verification | null> {
  envelope: Envelope;
  participant: Participant | null;
  actor: Actor | null;
  documents: Document[];
  /** Decline or cancel reason. */
  reason: string | null;
  /** `null` only from the explicitly unverified `normalize`. */
  verification: V;
  /** The provider's payload, untouched (always a JSON object). */
  raw: { [key: string]: JsonValue };
}

/**
 * A CloudEvents 1.0 event (JSON structured mode). Optional attributes are absent, not
 * `null`, when the payload does not carry them, as CloudEvents requires.
 */
export interface SignhookEvent<V extends Verification | null = Verification | null> {
  specversion: "1.0";
  /** The provider's event id, or a stable hash of provider and body when it has none. */
  id: string;
  source: `signhook/${Provider}`;
  type: EventType;
  /** The envelope id. */
  subject?: string;
  /** When the provider says the event happened, RFC 3339 UTC. */
  time?: string;
  datacontenttype: "application/json";
  provider: Provider;
  /** The tenant whose route received the event (the edge Worker's `/t/<tenant>/hooks/…`); absent otherwise. */
  tenant?: string;
  /** The provider's own event name (`RequestSigningSuccess`, `signer.done`, …). */
  providerevent?: string;
  testmode: boolean;
  /**
   * Set only by the edge Worker in `queue` mode, on what it forwards to origin (never by
   * `verify`): the CloudEvents `sequence` extension, the order in which the edge accepted
   * the events of one envelope (`subject`), as 16 zero-padded decimal digits so that a
   * plain string comparison orders them. Absent when the event names no envelope.
   */
  sequence?: string;
  /**
   * Set only by the edge Worker in `queue` mode: `true` when an event of the same envelope
   * with a later provider `time` was already forwarded to origin, so this one (e.g. a late
   * `viewed` after `completed`) must not move the envelope's state backwards.
   */
  stale?: boolean;
  data: EventData<V>;
}

/** An event from `verify`: `data.verification` is always set. */
export type VerifiedEvent = SignhookEvent<Verification>;
/** An event from `normalize`: nothing was verified, `data.verification` is `null`. */
export type UnverifiedEvent = SignhookEvent<null>;

export interface VerifyOptions {
  provider: Provider;
  headers: HeadersInput;
  /** The raw request body, exactly as received. Never re-serialized JSON. */
  body: BodyInput;
  /**
   * HMAC secrets (Zoho Sign, Zigned, Yousign, DocuSign, DocuSeal), or the shared secrets sent
   * as is (Documenso's webhook secret, OneSpan Sign's callback key); several during rotation.
   */
  secrets?: string | readonly string[];
  /** Allowed `X-AdobeSign-ClientId` values (Acrobat Sign). */
  clientIds?: string | readonly string[];
  /** Unix seconds (or a Date); defaults to the current time. */
  now?: number | Date;
  /** How far a signed timestamp may lie from `now` (Zigned, DocuSeal, BoldSign). Default 300. */
  toleranceSeconds?: number;
  /**
   * The oldest the provider's own event time may be, in seconds before `now`, where the
   * proof covers the body that carries it (Zoho Sign `performed_at`, Yousign
   * `event_time`; for SignWell and Dropbox Sign the signed event time, which must then be
   * present): older deliveries throw `event_too_old`, so a captured delivery cannot be
   * replayed forever. Default 604800 (7 days), as the edge Worker; `null`: no bound. A
   * covered time more than 300 s ahead of `now` throws `event_too_new`, and a delivery of
   * more than 100 events (a PandaDoc array) `too_many_events`, as at the edge.
   */
  maxEventAgeSeconds?: number | null;
  /**
   * The request URL or target (`req.url`, `request.url`): PandaDoc puts its proof in the
   * query (`?signature=<hex>`). Only its query is read.
   */
  url?: string | URL;
}

export interface NormalizeOptions {
  provider: Provider;
  body: BodyInput;
}

export interface SignOptions<P extends Provider = Provider> {
  provider: P;
  /** The webhook secret, or for Acrobat Sign the client id. */
  secret: string;
  body: BodyInput;
  /** Unix seconds (or a Date) to sign (Zigned, DocuSeal and BoldSign only); defaults to the current time. */
  timestamp?: number | Date;
}

/**
 * The headers a provider would send with a body. A provider whose proof is in the body
 * (SignWell) has no proof header: send the body `signBody` returns.
 */
export type SignedHeaders<P extends Provider = Provider> = {
  "Content-Type": "application/json";
} & (P extends keyof ProofHeaders ? { [K in ProofHeaders[P]]: string } : {});

/** An error thrown for a delivery that fails: `code` is stable, `message` is for people. */
export interface SignhookError extends Error {
  code: ErrorCode;
  /** The HTTP status an endpoint should answer with (401, 400, 403, 413, 503, …). */
  status: number;
}

/**
 * Verifies the provider's proof over the exact body bytes, then normalizes the delivery
 * into a CloudEvent.
 * @throws {SignhookError} with `code` `missing_signature`, `malformed_signature`,
 *   `signature_mismatch`, `timestamp_out_of_tolerance`, `missing_client_id`,
 *   `unknown_client_id`, `no_secret_configured`, `invalid_secret`, `payload_too_large`,
 *   `malformed_payload`, `multiple_events` (use `verifyAll`) or `unknown_provider`.
 * @throws {TypeError} for options of the wrong type.
 */
export function verify(options: VerifyOptions): VerifiedEvent;

/**
 * Like `verify`, but returns every event of the delivery, in order: one for most
 * providers, one per element of a PandaDoc array (ids `<X-PandaDoc-Webhook-Event-Id>:<index>`).
 * `verify` throws `multiple_events` for a delivery of several, so none is ever dropped.
 * @throws {SignhookError} as `verify`, for the whole delivery.
 */
export function verifyAll(options: VerifyOptions): VerifiedEvent[];

/**
 * Like `verify`, but returns the event's JSON text (what `JSON.stringify(verify(…))` would
 * give, up to formatting), built in one pass, for forwarding it without a parse/stringify
 * round trip. With `all: true`, every event of the delivery as a JSON array's text.
 * @throws {SignhookError} as `verify` (`multiple_events` without `all` for several).
 */
export function verifyText(options: VerifyOptions & { all?: boolean }): string;

/**
 * Normalizes a body WITHOUT checking any proof, for inspecting a payload. Never use
 * this to accept a webhook.
 * @throws {SignhookError} `malformed_payload` or `unknown_provider`.
 */
export function normalize(options: NormalizeOptions): UnverifiedEvent;

/** Every event of a body, WITHOUT checking any proof (see `normalize`). */
export function normalizeAll(options: NormalizeOptions): UnverifiedEvent[];

/**
 * The query string to append to the URL a test delivery is posted to, for a provider whose
 * proof travels there (PandaDoc: `signature=<hex>`); `""` for the others.
 * @throws {SignhookError} `invalid_secret` (empty secret) or `unknown_provider`.
 */
export function signQuery(options: SignOptions): string;

/**
 * The headers the provider would send with `body`, for producing test deliveries.
 * @throws {SignhookError} `invalid_secret` (empty secret) or `unknown_provider`.
 */
export function sign<P extends Provider>(options: SignOptions<P>): SignedHeaders<P>;

/**
 * The body to send with `sign`'s headers: for a provider whose proof is in the body
 * (SignWell's `event.hash`), `body` with the proof written into it (the JSON re-serialized
 * compactly); for the others, `body` unchanged.
 * @throws {SignhookError} `invalid_secret`, `unknown_provider`, or `malformed_payload` when
 * the proof goes in the body and it is not a JSON object with an `event` object.
 */
export function signBody(options: SignOptions): Uint8Array;

/** `verify`'s options, with `provider` optional: detected from the headers when absent. */
export interface DiagnoseOptions extends Omit<VerifyOptions, "provider"> {
  provider?: Provider | null;
}

/** The outcome of `diagnose`, in one word. */
export type Verdict = "verified" | "not_verified" | "unverifiable";

/** One explanation: a stable snake_case `code` and a message for people. */
export interface Finding {
  code: string;
  message: string;
}

/** The provider event name and the type it maps to. */
export interface Mapping {
  provider_event: string | null;
  type: EventType;
  /** Whether the name is in the provider's mapping table (else the type is `esign.other`). */
  known: boolean;
}

/** What `diagnose` found. */
export interface Diagnosis {
  /** The provider checked against: the one given, else the one detected. */
  provider: Provider | null;
  /** The provider detected from the headers, whatever was given. */
  detected: Provider | null;
  verdict: Verdict;
  /** Why it did not verify (`verify`'s error code), else `null`. */
  code: ErrorCode | null;
  message: string;
  /** Explanations, most useful first. */
  findings: Finding[];
  /** `true` only when `event` comes from a verified delivery. */
  event_verified: boolean;
  /** The event: verified, or else the UNVERIFIED normalization of the body. */
  event: SignhookEvent | null;
  /** Every event of a delivery of several (a PandaDoc array), `event` being the first; absent otherwise. */
  events?: SignhookEvent[];
  mapping: Mapping | null;
}

/**
 * Verifies exactly as `verify` does and explains the outcome: a delivery that fails is a
 * verdict with findings (a trailing newline added on the way, hex where base64 is expected,
 * a whitespace in the secret, …), not an exception. For people inspecting a delivery
 * (the validator page); accept webhooks with `verify`.
 *
 * The diagnosis has its own WebAssembly module (`signhook_diagnose_bg.wasm`), so that what
 * `verify` loads stays small. In Node, Deno and Bun it is loaded on the first call. In
 * browsers and Workers, import from `"signhook/diagnose"`, whose module carries the whole
 * API; the main entry's `diagnose` throws an `Error` saying so.
 * @throws {SignhookError} `unknown_provider` or `invalid_secret`.
 */
export function diagnose(options: DiagnoseOptions): Diagnosis;

/**
 * The provider whose proof header is present (or hinted at by a near-miss name), or null.
 * In the diagnosis module, like `diagnose`.
 */
export function detectProvider(headers: HeadersInput): Provider | null;

/** Whether `err` was thrown by signhook for a failed delivery. */
export function isSignhookError(err: unknown): err is SignhookError;

/**
 * Instantiates the WebAssembly module. Required once before the first call in a browser
 * (the web entry fetches `signhook_bg.wasm` next to the module unless given a URL,
 * `Response`, bytes or `WebAssembly.Module`); a no-op in Node and Workers.
 */
export default function init(input?: InitInput): Promise<void>;
export { init };
/** Synchronous `init` from bytes or a compiled module. A no-op in Node and Workers. */
export function initSync(module: ArrayBuffer | ArrayBufferView | WebAssembly.Module): void;

/** What `init` can fetch or instantiate. */
export type InitInput =
  | string
  | URL
  | Request
  | Response
  | Promise<Response>
  | ArrayBuffer
  | ArrayBufferView
  | WebAssembly.Module;

// Empty declarations merge with the DOM's or @types/node's when present, and keep these
// declarations compiling without either (e.g. `lib: ["es2022"]` alone).
declare global {
  interface URL {}
  interface Request {}
  interface Response {}
  namespace WebAssembly {
    interface Module {}
  }
}

export const PROVIDERS: readonly Provider[];
export const EVENT_TYPES: readonly EventType[];
export const ERROR_CODES: readonly ErrorCode[];
export const PROOF_HEADERS: Readonly<ProofHeaders>;
export const DEFAULT_TOLERANCE_SECONDS: 300;
