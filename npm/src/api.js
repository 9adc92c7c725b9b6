// The package's JavaScript adapter over the raw wasm exports (src/js/).
//
// It does what the Rust core must not: reads the clock (`Date.now()`, the core takes `now`
// as a parameter), and turns what JavaScript callers have at hand into what the core
// takes: a `Headers` object, a plain object (Node's `req.headers`) or an array of pairs
// into two string lists; a string, `ArrayBuffer` or any byte view into a `Uint8Array`.
// The event comes back as one JSON string and is `JSON.parse`d here, so callers get plain
// objects, arrays and `null`, never a `Map` or `undefined` inside the event.
//
// One source for every entry point: the ESM entries import it, build-npm.sh derives the
// CommonJS copy with esbuild.

// BEGIN GENERATED: providers (tests/docs.rs; UPDATE_README=1 cargo test --test docs)
/** Every provider, in documentation order. */
export const PROVIDERS = Object.freeze(["zoho-sign", "acrobat-sign", "zigned", "yousign", "docusign", "docuseal", "documenso", "onespan-sign", "boldsign", "signwell", "dropbox-sign", "pandadoc", "signable", "xodo-sign", "box-sign", "signatureapi"]);

/** The header carrying each provider's proof (what `sign` sets); a provider whose proof is in the body (SignWell's `event.hash`, written by `signBody`) or the URL (PandaDoc's `?signature=`, from `signQuery`) has none. */
export const PROOF_HEADERS = Object.freeze({
  "zoho-sign": "X-ZS-WEBHOOK-SIGNATURE",
  "acrobat-sign": "X-AdobeSign-ClientId",
  zigned: "x-zigned-request-signature",
  yousign: "X-Yousign-Signature-256",
  docusign: "X-DocuSign-Signature-1",
  docuseal: "X-Docuseal-Signature",
  documenso: "X-Documenso-Secret",
  "onespan-sign": "Authorization",
  boldsign: "X-BoldSign-Signature",
  signable: "Signature",
  "box-sign": "BOX-SIGNATURE-PRIMARY",
  signatureapi: "webhook-signature",
});
// END GENERATED: providers

/** Every normalized event type, in documentation order. */
export const EVENT_TYPES = Object.freeze([
  "esign.envelope.created",
  "esign.envelope.updated",
  "esign.envelope.sent",
  "esign.envelope.completed",
  "esign.envelope.declined",
  "esign.envelope.cancelled",
  "esign.envelope.expired",
  "esign.envelope.deleted",
  "esign.envelope.reminder_sent",
  "esign.envelope.failed",
  "esign.participant.notified",
  "esign.participant.viewed",
  "esign.participant.signed",
  "esign.participant.approved",
  "esign.participant.declined",
  "esign.participant.reassigned",
  "esign.participant.identity_verified",
  "esign.participant.identity_failed",
  "esign.email.delivered",
  "esign.email.bounced",
  "esign.template.created",
  "esign.template.updated",
  "esign.template.failed",
  "esign.other",
]);

/** Every stable error code thrown as `err.code`, in documentation order. */
export const ERROR_CODES = Object.freeze([
  "missing_signature",
  "malformed_signature",
  "signature_mismatch",
  "timestamp_out_of_tolerance",
  "event_too_old",
  "event_too_new",
  "missing_client_id",
  "unknown_client_id",
  "malformed_payload",
  "multiple_events",
  "too_many_events",
  "unknown_provider",
  "payload_too_large",
  "no_secret_configured",
  "invalid_secret",
  "method_not_allowed",
  "not_found",
  "delivery_failed",
  "enqueue_failed",
  "no_origin_configured",
  "invalid_config",
  "unauthorized",
  "invalid_tenant",
  "unknown_tenant",
  "tenant_exists",
  "tenant_mismatch",
]);

export const DEFAULT_TOLERANCE_SECONDS = 300;

const encoder = new TextEncoder();
const utf8 = new TextDecoder();
const toString = Object.prototype.toString;

function describe(value) {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  const tag = toString.call(value).slice(8, -1);
  return typeof value === "object" ? `a ${tag}` : typeof value;
}

function fail(message) {
  return new TypeError(`signhook: ${message}`);
}

function requireOptions(options, fn) {
  if (options === null || typeof options !== "object") {
    throw fail(`${fn}() takes one options object, got ${describe(options)}`);
  }
  return options;
}

function requireProvider(provider) {
  // Unknown names are the core's `unknown_provider`; only the type is checked here.
  if (typeof provider !== "string") {
    throw fail(`provider must be a string such as "zoho-sign", got ${describe(provider)}`);
  }
  return provider;
}

/** The exact body bytes. Strings are encoded as UTF-8, as they would be on the wire. */
function bodyBytes(body) {
  if (body instanceof Uint8Array) return body; // also Node's Buffer
  if (typeof body === "string") return encoder.encode(body);
  const tag = toString.call(body);
  if (tag === "[object ArrayBuffer]" || tag === "[object SharedArrayBuffer]") {
    return new Uint8Array(body);
  }
  if (ArrayBuffer.isView(body)) {
    return new Uint8Array(body.buffer, body.byteOffset, body.byteLength);
  }
  throw fail(`body must be a Uint8Array, an ArrayBuffer or a string, got ${describe(body)}`);
}

function headerText(value, name) {
  if (typeof value === "string") return value;
  if (typeof value === "number") return String(value);
  throw fail(`header ${JSON.stringify(name)} must be a string, got ${describe(value)}`);
}

/** `[names, values]` from a Headers object (or Map), a plain object or an array of pairs. */
function headerLists(headers) {
  const names = [];
  const values = [];
  if (headers === null || typeof headers !== "object") {
    throw fail(
      `headers must be a Headers object, a plain object or an array of [name, value] pairs, got ${describe(headers)}`,
    );
  }
  if (Array.isArray(headers)) {
    for (const pair of headers) {
      if (!Array.isArray(pair) || pair.length !== 2 || typeof pair[0] !== "string") {
        throw fail(`each header pair must be [name, value], got ${describe(pair)}`);
      }
      names.push(pair[0]);
      values.push(headerText(pair[1], pair[0]));
    }
  } else if (typeof headers.forEach === "function" && typeof headers.get === "function") {
    // WHATWG Headers (fetch, Workers, Deno, Bun) or a Map: forEach(value, name).
    headers.forEach((value, name) => {
      names.push(String(name));
      values.push(headerText(value, name));
    });
  } else {
    // A plain object, e.g. Node's IncomingHttpHeaders: a value may be a list (repeated
    // header) or undefined (absent).
    for (const name of Object.keys(headers)) {
      const value = headers[name];
      if (value === undefined || value === null) continue;
      if (Array.isArray(value)) {
        for (const item of value) {
          names.push(name);
          values.push(headerText(item, name));
        }
      } else {
        names.push(name);
        values.push(headerText(value, name));
      }
    }
  }
  return [names, values];
}

function stringList(value, what) {
  if (value === undefined || value === null) return [];
  const list = typeof value === "string" ? [value] : value;
  if (!Array.isArray(list) || !list.every((item) => typeof item === "string")) {
    throw fail(`${what} must be a string or an array of strings, got ${describe(value)}`);
  }
  return list;
}

/** Unix seconds: a number, a Date, or the current time when absent. */
function unixSeconds(value, what) {
  if (value === undefined || value === null) return Math.floor(Date.now() / 1000);
  if (value instanceof Date) return Math.floor(value.getTime() / 1000);
  if (typeof value !== "number" || !Number.isFinite(value)) {
    throw fail(`${what} must be Unix seconds (a finite number) or a Date, got ${describe(value)}`);
  }
  return Math.floor(value);
}

function tolerance(value) {
  if (value === undefined || value === null) return DEFAULT_TOLERANCE_SECONDS;
  if (typeof value !== "number" || !Number.isFinite(value) || value < 0) {
    throw fail(`toleranceSeconds must be a finite number >= 0, got ${String(value)}`);
  }
  return value;
}

/** The request URL or target (`req.url`, `request.url`), whose query can carry a proof. */
function requestUrl(value) {
  if (value === undefined || value === null) return undefined;
  if (value instanceof URL) return value.href;
  if (typeof value !== "string") throw fail(`url must be a string or URL, got ${describe(value)}`);
  return value;
}

/** The edge Worker's default replay bound: 7 days, longer than any provider's retries. */
const DEFAULT_MAX_EVENT_AGE_SECONDS = 604800;

// `undefined`: the Worker's default; `null`: no bound (a deliberate choice, e.g. to
// inspect an old capture).
function maxEventAge(value) {
  if (value === undefined) return DEFAULT_MAX_EVENT_AGE_SECONDS;
  if (value === null) return undefined;
  if (typeof value !== "number" || !Number.isFinite(value) || value < 0) {
    throw fail(`maxEventAgeSeconds must be a finite number >= 0, got ${String(value)}`);
  }
  return value;
}

/** Whether `err` is an error thrown by signhook for a delivery (it carries a known `code`). */
export function isSignhookError(err) {
  return err instanceof Error && typeof err.code === "string" && ERROR_CODES.includes(err.code);
}

/**
 * The API over one set of raw wasm exports. `ready()` says whether the wasm module is
 * instantiated (always true for Node; after `init()` on the web). `diagnostics()` gives the
 * raw exports of the module that carries the diagnosis (`diagnoseJson`,
 * `detectProviderName`): the Node entry loads it on first use; the web and workerd entries
 * give `null` (their `diagnose` lives in the `signhook/diagnose` entry, whose one module
 * carries everything).
 */
export function createApi(raw, ready = () => true, diagnostics = () => raw) {
  function assertReady() {
    if (!ready()) {
      throw new Error(
        "signhook: the WebAssembly module is not initialized yet; `await init()` once before calling verify, normalize or sign",
      );
    }
  }

  // The events from the boundary's parts (see `Shape::Parts` in src/js/): each event's
  // JSON without `data.documents` and `data.raw`, the documents' JSON text, and where the
  // payload is. Both are parsed on first access of `event.data.documents` /
  // `event.data.raw` (a copy of the payload's bytes is kept, so later changes to the
  // caller's buffer do not reach it).
  function eventFrom(parts, bytes) {
    const event = JSON.parse(parts[0]);
    if (parts[1] !== null) lazy(event.data, "documents", parts[1]);
    // A copy (`new Uint8Array(view)` copies; Node's Buffer#slice would be a view).
    lazy(event.data, "raw", typeof parts[2] === "number" ? new Uint8Array(bytes.subarray(parts[2], parts[3])) : parts[2]);
    return event;
  }

  // `target[key]` becomes the JSON `source` (text or UTF-8 bytes), parsed on first read; it
  // stays an enumerable, assignable property in its place, so `JSON.stringify`, spreads
  // and `structuredClone` see the value.
  function lazy(target, key, source) {
    let value;
    let parsed = false;
    Object.defineProperty(target, key, {
      enumerable: true,
      configurable: true,
      get() {
        if (!parsed) {
          value = JSON.parse(typeof source === "string" ? source : utf8.decode(source));
          parsed = true;
        }
        return value;
      },
      set(next) {
        value = next;
        parsed = true;
      },
    });
  }

  // The arguments verifyJson and diagnoseJson share after the provider, checked in the
  // order a caller reads them: headers, body, secrets, client ids, now, tolerance, max age.
  function deliveryArgs(o) {
    const [names, values] = headerLists(o.headers);
    return [
      names,
      values,
      bodyBytes(o.body),
      stringList(o.secrets, "secrets"),
      stringList(o.clientIds, "clientIds"),
      unixSeconds(o.now, "now"),
      tolerance(o.toleranceSeconds),
      maxEventAge(o.maxEventAgeSeconds),
      requestUrl(o.url),
    ];
  }

  // One event; a delivery of several (a PandaDoc array) throws `multiple_events`.
  function verify(options) {
    const o = requireOptions(options, "verify");
    const provider = requireProvider(o.provider);
    const args = deliveryArgs(o);
    assertReady();
    return eventFrom(raw.verifyJson(provider, ...args, false, false), args[2]);
  }

  // Every event of the delivery, in order (one for most providers).
  function verifyAll(options) {
    const o = requireOptions(options, "verifyAll");
    const provider = requireProvider(o.provider);
    const args = deliveryArgs(o);
    assertReady();
    return raw.verifyJson(provider, ...args, true, false).map((parts) => eventFrom(parts, args[2]));
  }

  // The verified event's JSON text, for forwarding it without a parse/stringify round trip
  // (`all`: every event, as a JSON array's text).
  function verifyText(options) {
    const o = requireOptions(options, "verifyText");
    const provider = requireProvider(o.provider);
    const args = deliveryArgs(o);
    assertReady();
    return raw.verifyJson(provider, ...args, o.all === true, true);
  }

  function normalize(options) {
    const o = requireOptions(options, "normalize");
    const provider = requireProvider(o.provider);
    const body = bodyBytes(o.body);
    assertReady();
    return eventFrom(raw.normalizeUnverifiedJson(provider, body, false), body);
  }

  function normalizeAll(options) {
    const o = requireOptions(options, "normalizeAll");
    const provider = requireProvider(o.provider);
    const body = bodyBytes(o.body);
    assertReady();
    return raw.normalizeUnverifiedJson(provider, body, true).map((parts) => eventFrom(parts, body));
  }

  // The query to append to the URL: PandaDoc's proof (`signature=<hex>`); "" for the others.
  function signQuery(options) {
    const o = requireOptions(options, "signQuery");
    const provider = requireProvider(o.provider);
    if (typeof o.secret !== "string") {
      throw fail(`secret must be a string, got ${describe(o.secret)}`);
    }
    const body = bodyBytes(o.body);
    const timestamp = unixSeconds(o.timestamp, "timestamp");
    assertReady();
    return raw.signQuery(provider, o.secret, body, timestamp);
  }

  function sign(options) {
    const o = requireOptions(options, "sign");
    const provider = requireProvider(o.provider);
    if (typeof o.secret !== "string") {
      throw fail(`secret must be a string, got ${describe(o.secret)}`);
    }
    const body = bodyBytes(o.body);
    const timestamp = unixSeconds(o.timestamp, "timestamp");
    assertReady();
    return raw.signHeaders(provider, o.secret, body, timestamp);
  }

  // The body to send with `sign`'s headers: SignWell's proof (`event.hash`) goes in it.
  function signBody(options) {
    const o = requireOptions(options, "signBody");
    const provider = requireProvider(o.provider);
    if (typeof o.secret !== "string") {
      throw fail(`secret must be a string, got ${describe(o.secret)}`);
    }
    const body = bodyBytes(o.body);
    const timestamp = unixSeconds(o.timestamp, "timestamp");
    assertReady();
    return raw.signBody(provider, o.secret, body, timestamp);
  }

  // The validator page's view: never throws for a delivery that fails to verify; the
  // verdict, code and findings say why.
  function diagnosis() {
    const module = diagnostics();
    if (!module) {
      throw new Error(
        'signhook: diagnose() and detectProvider() have their own WebAssembly module, which this entry does not load; import them from "signhook/diagnose"',
      );
    }
    return module;
  }

  function diagnose(options) {
    const o = requireOptions(options, "diagnose");
    const provider = o.provider === undefined || o.provider === null ? undefined : requireProvider(o.provider);
    const args = deliveryArgs(o);
    assertReady();
    return JSON.parse(diagnosis().diagnoseJson(provider, ...args));
  }

  function detectProvider(headers) {
    const [names, values] = headerLists(headers);
    assertReady();
    return diagnosis().detectProviderName(names, values) ?? null;
  }

  return { verify, verifyAll, verifyText, normalize, normalizeAll, sign, signBody, signQuery, diagnose, detectProvider };
}
