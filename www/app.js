// The validator page. It reads the form, parses a pasted raw request into headers and
// body bytes, and hands them to the Rust core (WebAssembly, the npm package's `--target
// web` build copied into ./pkg by scripts/build-www.sh). Every verdict and every
// explanation comes from the core's `diagnose`; this file only collects input and shows
// output. It makes no network request after loading its assets and stores nothing.

import { SAMPLES } from "./samples.js";

// BEGIN GENERATED: titles (tests/docs.rs; UPDATE_README=1 cargo test --test docs)
const TITLES = {
  "zoho-sign": "Zoho Sign",
  "acrobat-sign": "Acrobat Sign",
  zigned: "Zigned",
  yousign: "Yousign",
  docusign: "DocuSign",
  docuseal: "DocuSeal",
  documenso: "Documenso",
  "onespan-sign": "OneSpan Sign",
  boldsign: "BoldSign",
  signwell: "SignWell",
  "dropbox-sign": "Dropbox Sign",
  pandadoc: "PandaDoc",
  signable: "Signable",
  "xodo-sign": "Xodo Sign",
  "box-sign": "Box Sign",
  signatureapi: "SignatureAPI",
};
// END GENERATED: titles
const VERDICT_WORDS = {
  verified: "Verified",
  not_verified: "Not verified",
  unverifiable: "Unverifiable",
};
// The test-delivery panel targets the Worker that serves this page (scripts/dev.sh, or a
// deployment); opened from anywhere else, the local default.
const WORKER = /^https?:$/.test(location.protocol) ? location.origin : "http://127.0.0.1:8787";

const $ = (id) => document.getElementById(id);
const encoder = new TextEncoder();
const decoder = new TextDecoder();

let api = null;

// ---- input -------------------------------------------------------------------------------

/** `Name: value` lines (with obsolete folding) into pairs; notes for lines skipped. */
function parseHeaderLines(lines, firstLineNumber, notes) {
  const pairs = [];
  lines.forEach((line, i) => {
    if (line.trim() === "") return;
    if (/^[ \t]/.test(line) && pairs.length > 0) {
      // A folded continuation of the previous header (obsolete, but captures have it).
      pairs[pairs.length - 1][1] += " " + line.trim();
      return;
    }
    const colon = line.indexOf(":");
    if (colon <= 0) {
      notes.push(`line ${firstLineNumber + i} ignored: not "Name: value"`);
      return;
    }
    pairs.push([line.slice(0, colon).trim(), line.slice(colon + 1).trim()]);
  });
  return pairs;
}

const REQUEST_LINE = /^[A-Z]+[ \t]+\S+([ \t]+HTTP\/\d(\.\d)?)?[ \t]*$/;

/** A raw request (request line optional, headers, blank line, body) into parts. */
function parseRaw(text) {
  const notes = [];
  let head = text;
  let body = "";
  const blank = /\r?\n\r?\n/.exec(text);
  if (blank) {
    head = text.slice(0, blank.index);
    body = text.slice(blank.index + blank[0].length);
  } else if (/^\s*[[{]/.test(text)) {
    // Only a body.
    head = "";
    body = text;
  }
  const lines = head === "" ? [] : head.split(/\r?\n/);
  let first = 1;
  let requestLine = null;
  if (lines.length > 0 && REQUEST_LINE.test(lines[0])) {
    requestLine = lines.shift().trim();
    first = 2;
  }
  const headers = parseHeaderLines(lines, first, notes);
  return { headers, body, notes, requestLine };
}

/** Body bytes, cut to Content-Length when only trailing whitespace is beyond it. */
function bodyBytes(headers, bodyText, notes) {
  let bytes = encoder.encode(bodyText);
  const cl = headers.find(([name]) => name.toLowerCase() === "content-length");
  if (cl && /^\d+$/.test(cl[1])) {
    const length = Number(cl[1]);
    if (bytes.length > length) {
      const extra = bytes.subarray(length);
      if (extra.every((b) => b === 0x0a || b === 0x0d || b === 0x20 || b === 0x09)) {
        bytes = bytes.subarray(0, length);
        notes.push(`body cut to its Content-Length (${length} bytes): the pasted text had ${extra.length} more whitespace byte(s)`);
      } else {
        notes.push(`the body has ${bytes.length} bytes but Content-Length says ${length}`);
      }
    } else if (bytes.length < length) {
      notes.push(`the body has ${bytes.length} bytes but Content-Length says ${length}: part is missing, or CRLF line breaks became LF when pasting`);
    }
  }
  return bytes;
}

function currentMode() {
  return document.querySelector('input[name="mode"]:checked').value;
}

/** Headers, body bytes and notes from whichever input mode is active. */
function readDelivery() {
  let headers;
  let bodyText;
  let notes;
  // The request target of a pasted request line (`POST /hooks/pandadoc?signature=… HTTP/1.1`):
  // PandaDoc's proof is its query.
  let url;
  if (currentMode() === "raw") {
    const parsed = parseRaw($("raw").value);
    ({ headers, notes } = parsed);
    bodyText = parsed.body;
    if (parsed.requestLine) url = parsed.requestLine.split(/[ \t]+/)[1];
  } else {
    notes = [];
    const lines = $("headers").value.split(/\r?\n/);
    if (lines.length > 0 && REQUEST_LINE.test(lines[0])) url = lines.shift().trim().split(/[ \t]+/)[1];
    headers = parseHeaderLines(lines, 1, notes);
    bodyText = $("body").value;
  }
  const body = bodyBytes(headers, bodyText, notes);
  return { headers, body, notes, url, empty: headers.length === 0 && body.length === 0 };
}

/** Non-blank lines, whitespace kept (the core reports a secret with surrounding spaces). */
function secretLines() {
  return $("secrets")
    .value.split(/\r?\n/)
    .filter((line) => line.trim() !== "");
}

function nowSeconds() {
  const text = $("now").value.trim();
  if (/^-?\d+$/.test(text)) return Number(text);
  return Math.floor(Date.now() / 1000);
}

function maxEventAgeSeconds() {
  const text = $("max-age-days").value.trim();
  const days = Number(text);
  return text === "" || !Number.isFinite(days) || days < 0 ? null : Math.floor(days * 86400);
}

function toleranceSeconds() {
  const n = Number($("tolerance").value);
  return Number.isFinite(n) && n >= 0 ? Math.floor(n) : 300;
}

// ---- output ------------------------------------------------------------------------------

function setVerdict(kind, word, message, code) {
  const box = $("verdict");
  box.className = `verdict verdict-${kind}`;
  box.replaceChildren();
  const w = document.createElement("p");
  w.className = "verdict-word";
  w.textContent = word;
  box.append(w);
  if (message) {
    const m = document.createElement("p");
    m.className = "verdict-message";
    m.textContent = message;
    box.append(m);
  }
  if (code) {
    const c = document.createElement("p");
    c.className = "verdict-code";
    c.append("code ");
    const codeEl = document.createElement("code");
    codeEl.textContent = code;
    c.append(codeEl);
    box.append(c);
  }
}

function clearDetails() {
  $("findings-block").hidden = true;
  $("mapping-block").hidden = true;
  $("event-block").hidden = true;
}

function render(d) {
  const word = VERDICT_WORDS[d.verdict] ?? d.verdict;
  const who = d.provider ? ` (${TITLES[d.provider] ?? d.provider})` : "";
  setVerdict(d.verdict.replace("_", "-"), word + who, d.message, d.code);

  const list = $("findings");
  list.replaceChildren();
  for (const f of d.findings) {
    const li = document.createElement("li");
    li.dataset.code = f.code;
    const code = document.createElement("code");
    code.className = "finding-code";
    code.textContent = f.code;
    const msg = document.createElement("span");
    msg.className = "finding-message";
    msg.textContent = f.message;
    li.append(code, msg);
    list.append(li);
  }
  $("findings-block").hidden = d.findings.length === 0;

  if (d.mapping) {
    const m = $("mapping");
    m.replaceChildren();
    const from = document.createElement("code");
    from.textContent = d.mapping.provider_event ?? "(no event name)";
    const to = document.createElement("code");
    to.textContent = d.mapping.type;
    m.append(from, " → ", to);
    if (!d.mapping.known) {
      m.append(" (not in the provider's mapping table; kept as esign.other with its name)");
    }
    $("mapping-block").hidden = false;
  } else {
    $("mapping-block").hidden = true;
  }

  if (d.event) {
    // A delivery of several events (a PandaDoc array): all of them, in order.
    $("event").textContent = JSON.stringify(d.events ?? d.event, null, 2);
    const badge = $("event-badge");
    badge.textContent = d.event_verified ? "verified" : "UNVERIFIED: for inspection only";
    badge.className = d.event_verified ? "badge badge-ok" : "badge badge-warn";
    $("event-block").hidden = false;
  } else {
    $("event-block").hidden = true;
  }
}

function updateDetectedLabel(detected) {
  const auto = $("provider").options[0];
  auto.textContent = detected
    ? `Detect from the headers (found: ${TITLES[detected] ?? detected})`
    : "Detect from the headers";
}

function check() {
  if (!api) return;
  const { headers, body, notes, url, empty } = readDelivery();
  const bytes = `${headers.length} header(s), body ${body.length} byte(s)`;
  $("parse-note").textContent = empty ? "" : [bytes, ...notes].join(" · ");
  if (empty) {
    updateDetectedLabel(null);
    setVerdict("idle", "Nothing checked yet", "Paste a delivery to check it.");
    clearDetails();
    return;
  }
  const secrets = secretLines();
  let d;
  try {
    updateDetectedLabel(api.detectProvider(headers));
    d = api.diagnose({
      provider: $("provider").value || undefined,
      headers,
      body,
      secrets,
      clientIds: secrets,
      now: nowSeconds(),
      toleranceSeconds: toleranceSeconds(),
      // The Worker's replay bound (7 days by default), so that the page says what the
      // Worker would answer; cleared, a capture of any age is explained.
      maxEventAgeSeconds: maxEventAgeSeconds(),
      url,
    });
  } catch (err) {
    setVerdict("error", "Could not check", err.message, err.code);
    clearDetails();
    return;
  }
  render(d);
}

let timer = 0;
function scheduleCheck() {
  clearTimeout(timer);
  timer = setTimeout(check, 120);
}

// ---- copy --------------------------------------------------------------------------------

function copyFrom(preId, button) {
  const text = $(preId).textContent;
  const label = button.textContent;
  const done = (msg) => {
    button.textContent = msg;
    setTimeout(() => (button.textContent = label), 1500);
  };
  const selectIt = () => {
    const range = document.createRange();
    range.selectNodeContents($(preId));
    const sel = window.getSelection();
    sel.removeAllRanges();
    sel.addRange(range);
    done("Selected: press Ctrl+C");
  };
  if (navigator.clipboard && window.isSecureContext) {
    navigator.clipboard.writeText(text).then(() => done("Copied"), selectIt);
  } else {
    selectIt();
  }
}

// ---- mode switch -------------------------------------------------------------------------

function switchMode() {
  const raw = currentMode() === "raw";
  if (raw) {
    // Fields → raw: compose a request from them.
    const head = $("headers").value.replace(/\s+$/, "");
    if (head !== "" || $("body").value !== "") {
      $("raw").value = `${head}\n\n${$("body").value}`;
    }
  } else {
    const parsed = parseRaw($("raw").value);
    if ($("raw").value !== "") {
      $("headers").value = parsed.headers.map(([n, v]) => `${n}: ${v}`).join("\n");
      $("body").value = parsed.body;
    }
  }
  $("raw-block").hidden = !raw;
  $("fields-block").hidden = raw;
  scheduleCheck();
}

// ---- test delivery -----------------------------------------------------------------------

function fillSampleEvents() {
  const provider = $("td-provider").value;
  const select = $("td-event");
  select.replaceChildren();
  for (const sample of SAMPLES[provider] ?? []) {
    const option = document.createElement("option");
    option.value = sample.event;
    option.textContent = sample.event;
    select.append(option);
  }
  $("td-secret-label").textContent =
    provider === "acrobat-sign" ? "Client id (of your Acrobat Sign API application)" : "Secret";
  // Prefill the fake local value the Worker of `scripts/dev.sh` accepts (.dev.vars.example),
  // unless the person typed their own.
  const field = $("td-secret");
  if (field.value === "" || Object.values(LOCAL_DEV_KEYS).includes(field.value)) {
    field.value = LOCAL_DEV_KEYS[provider] ?? "";
  }
  $("td-output").hidden = true;
}

/** What to know about a signed test delivery of each provider (the registry's delivery notes). */
// BEGIN GENERATED: delivery-notes (tests/docs.rs; UPDATE_README=1 cargo test --test docs)
const DELIVERY_NOTES = {
  "acrobat-sign": "Acrobat Sign sends no MAC and its client id is public: the Worker also requires the secret token at the end of the URL (ACROBAT_SIGN_URL_TOKENS; this one is .dev.vars.example's, refused outside localhost). Even then the body is not authenticated: origin should re-fetch the agreement before acting on it.",
  zigned: "Zigned signs the time: send it within the Worker's tolerance (300 s by default).",
  docuseal: "DocuSeal signs the time: send it within the Worker's tolerance (300 s by default).",
  boldsign: "BoldSign signs the time: send it within the Worker's tolerance (300 s by default).",
  signwell: "SignWell's proof is event.hash, in the body, keyed with the webhook id (SIGNWELL_SECRETS): it covers only the event's type and time, so origin should re-fetch the document before acting on it.",
  "dropbox-sign": "Dropbox Sign's proof is event.event_hash, in the body, keyed with the API key (DROPBOX_SIGN_SECRETS): it covers only the event's time and type, so origin should re-fetch the signature request before acting on it. Dropbox Sign posts multipart/form-data (the payload in the field json); the Worker takes this JSON body too and answers \"Hello API Event Received\".",
  pandadoc: "PandaDoc's proof is ?signature= in the URL, a hex HMAC of the body under the webhook's shared key (PANDADOC_SECRETS). Its body is an array: each element becomes its own event.",
  "xodo-sign": "Xodo Sign's proof is event_hash, in the body, keyed with the API access key (XODO_SIGN_SECRETS): it covers only the event's time and type, so origin should re-fetch the document before acting on it.",
};
// END GENERATED: delivery-notes

/** The fake keys of .dev.vars.example, so a signed test delivery passes the local Worker. */
// BEGIN GENERATED: local-dev-keys (tests/docs.rs; UPDATE_README=1 cargo test --test docs)
const LOCAL_DEV_KEYS = {
  "zoho-sign": "zoho_test_secret",
  "acrobat-sign": "CBJCHBCAABAAtestclientid0000",
  zigned: "zigned_test_secret",
  yousign: "yousign_test_secret",
  docusign: "docusign_test_secret",
  docuseal: "whsec_ZG9jdXNlYWxfdGVzdF9zZWNyZXRfMDAwMDAw",
  documenso: "documenso_test_secret",
  "onespan-sign": "onespan_test_callback_key",
  boldsign: "boldsign_test_secret",
  signwell: "signwell-test-webhook-id",
  "dropbox-sign": "dropbox-sign-test-api-key-0123456789abcdef",
  pandadoc: "pandadoc-test-shared-key",
  signable: "signable_test_secret",
  "xodo-sign": "xodo-sign-test-access-key",
  "box-sign": "box_sign_test_primary_key",
  signatureapi: "whsec_c2lnbmF0dXJlYXBpLXRlc3Qtc2VjcmV0LTAwMDA=",
};
// END GENERATED: local-dev-keys

/** The samples' other event-time fields (not signed, so not in SIGNED_TIMES below), and how
 * each writes `seconds` (Unix): dated now so that the event reads as recent. */
const EVENT_TIME_FIELDS = {
  timestamp: (seconds) => new Date(seconds * 1000).toISOString(), // DocuSeal
  createdAt: (seconds) => new Date(seconds * 1000).toISOString(), // Documenso
  createdDate: (seconds) => new Date(seconds * 1000).toISOString(), // OneSpan Sign
  created: (seconds) => seconds, // BoldSign: epoch seconds
};

/** Where each provider's signed event time is in its body and how it is written (the
 * registry's, as `signhook sign` rewrites it). */
// BEGIN GENERATED: signed-times (tests/docs.rs; UPDATE_README=1 cargo test --test docs)
const SIGNED_TIMES = {
  "zoho-sign": { paths: [["notifications","performed_at"]], format: "epoch-millis" },
  yousign: { paths: [["event_time"]], format: "epoch-seconds-text" },
  docusign: { paths: [["generatedDateTime"]], format: "rfc3339:7" },
  signwell: { paths: [["event","time"]], format: "epoch-seconds" },
  "dropbox-sign": { paths: [["event","event_time"]], format: "epoch-seconds-text" },
  pandadoc: { paths: [["data","date_modified"], ["data","action_date"]], format: "rfc3339:0" },
  signable: { paths: [["action_date"]], format: "rfc3339:0" },
  "xodo-sign": { paths: [["event_time"]], format: "epoch-seconds-text" },
};
// END GENERATED: signed-times

/** `seconds` as `format` writes it. */
function timeAs(format, seconds) {
  const [kind, digits] = format.split(":");
  if (kind === "epoch-millis") return seconds * 1000;
  if (kind === "epoch-seconds") return seconds;
  if (kind === "epoch-seconds-text") return String(seconds);
  const base = new Date(seconds * 1000).toISOString().slice(0, 19);
  return Number(digits) > 0 ? `${base}.${"0".repeat(Number(digits))}Z` : `${base}Z`;
}

/** `value` with `provider`'s signed event time (each element's, for a batch) set to `seconds`. */
function freshenSigned(provider, value, seconds) {
  const spec = SIGNED_TIMES[provider];
  if (!spec) return value;
  if (Array.isArray(value)) return value.map((v) => freshenSigned(provider, v, seconds));
  const copy = structuredClone(value);
  for (const path of spec.paths) {
    let at = copy;
    for (const key of path.slice(0, -1)) at = at?.[key];
    const last = path[path.length - 1];
    if (at && typeof at === "object" && last in at) at[last] = timeAs(spec.format, seconds);
  }
  return copy;
}

/** A copy of `value` whose event-time fields say `seconds`. */
function freshen(value, seconds) {
  if (Array.isArray(value)) return value.map((v) => freshen(v, seconds));
  if (value === null || typeof value !== "object") return value;
  return Object.fromEntries(
    Object.entries(value).map(([k, v]) => [k, k in EVENT_TIME_FIELDS ? EVENT_TIME_FIELDS[k](seconds) : freshen(v, seconds)]),
  );
}

/** .dev.vars.example's Acrobat Sign URL token (public, so refused outside localhost). */
const LOCAL_DEV_URL_TOKEN = "local-dev-acrobat-url-token";

/** The local Worker's route for `provider` (Acrobat Sign's ends with its URL token). */
const hookPath = (provider) =>
  provider === "acrobat-sign" ? `/hooks/acrobat-sign/${LOCAL_DEV_URL_TOKEN}` : `/hooks/${provider}`;

const shellQuote = (s) => `'${s.replace(/'/g, `'\\''`)}'`;

let lastDelivery = null;

function signTestDelivery() {
  const provider = $("td-provider").value;
  const sample = (SAMPLES[provider] ?? []).find((s) => s.event === $("td-event").value);
  const secret = $("td-secret").value;
  const error = $("td-error");
  error.hidden = true;
  if (!api || !sample) return;
  if (secret === "") {
    error.textContent = provider === "acrobat-sign" ? "Enter a client id." : "Enter a secret.";
    error.hidden = false;
    $("td-secret").focus();
    return;
  }
  const timestamp = Math.floor(Date.now() / 1000);
  // The provider's own event time, set to now: the Worker refuses a signed event time
  // older than MAX_EVENT_AGE_SECONDS (7 days), as it would a replayed delivery.
  const unsigned = JSON.stringify(freshenSigned(provider, freshen(sample.body, timestamp), timestamp));
  let headers;
  let body;
  let query;
  try {
    headers = api.sign({ provider, secret, body: unsigned, timestamp });
    // A proof in the URL (PandaDoc's ?signature=) goes in the query.
    query = api.signQuery ? api.signQuery({ provider, secret, body: unsigned, timestamp }) : "";
    // A proof in the body (SignWell's event.hash) is written into it; other bodies are sent as is.
    body = decoder.decode(api.signBody({ provider, secret, body: unsigned, timestamp }));
  } catch (err) {
    error.textContent = `${err.message}${err.code ? ` (${err.code})` : ""}`;
    error.hidden = false;
    return;
  }
  const pairs = Object.entries(headers);
  $("td-headers").textContent = pairs.map(([n, v]) => `${n}: ${v}`).join("\n");
  const target = `${hookPath(provider)}${query ? `?${query}` : ""}`;
  const url = `${WORKER}${target}`;
  $("td-curl").textContent = [
    `curl -i -X POST ${shellQuote(url)}`,
    ...pairs.map(([n, v]) => `  -H ${shellQuote(`${n}: ${v}`)}`),
    `  --data-binary ${shellQuote(body)}`,
  ].join(" \\\n");
  $("td-note").textContent = DELIVERY_NOTES[provider] ?? "The Worker must hold the same secret for this provider.";
  lastDelivery = { provider, secret, body, pairs, target };
  $("td-output").hidden = false;
}

function loadTestDelivery() {
  if (!lastDelivery) return;
  const { provider, secret, body, pairs, target } = lastDelivery;
  const length = encoder.encode(body).length;
  const lines = [
    `POST ${target} HTTP/1.1`,
    `Host: ${new URL(WORKER).host}`,
    ...pairs.map(([n, v]) => `${n}: ${v}`),
    `Content-Length: ${length}`,
  ];
  document.querySelector('input[name="mode"][value="raw"]').checked = true;
  $("raw-block").hidden = false;
  $("fields-block").hidden = true;
  $("raw").value = `${lines.join("\n")}\n\n${body}`;
  $("secrets").value = secret;
  // Detected from the proof header; a proof in the body (SignWell) leaves none to detect by.
  $("provider").value = pairs.some(([n]) => n.toLowerCase() !== "content-type") ? "" : provider;
  check();
  $("result").scrollIntoView({ block: "start" });
  $("verdict").focus({ preventScroll: true });
}

// ---- start -------------------------------------------------------------------------------

function wire() {
  const form = $("check-form");
  form.addEventListener("input", scheduleCheck);
  form.addEventListener("change", (e) => {
    if (e.target.name === "mode") switchMode();
    else scheduleCheck();
  });
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    check();
  });
  document.addEventListener("keydown", (e) => {
    if (e.key === "Enter" && (e.ctrlKey || e.metaKey) && form.contains(e.target)) {
      e.preventDefault();
      check();
    }
  });
  $("copy-event").addEventListener("click", (e) => copyFrom("event", e.currentTarget));
  $("copy-curl").addEventListener("click", (e) => copyFrom("td-curl", e.currentTarget));
  $("td-provider").addEventListener("change", fillSampleEvents);
  $("td-form").addEventListener("submit", (e) => {
    e.preventDefault();
    signTestDelivery();
  });
  $("td-load").addEventListener("click", loadTestDelivery);
  fillSampleEvents();
}

async function start() {
  wire();
  const status = $("load-status");
  try {
    // The package's `signhook/diagnose` entry: one module with the whole API, the diagnosis
    // included (the main entry's module leaves it out, for size).
    const mod = await import("./pkg/web/diagnose.js");
    await mod.default();
    api = mod;
    status.textContent = "Ready. Runs locally in WebAssembly.";
    status.className = "load-status ready";
    document.body.dataset.ready = "true";
    check();
  } catch (err) {
    status.textContent = `The verifier could not load: ${err.message}. Serve this folder over HTTP after building it (scripts/build-www.sh); file:// cannot load WebAssembly modules.`;
    status.className = "load-status failed";
    document.body.dataset.ready = "failed";
  }
}

start();
