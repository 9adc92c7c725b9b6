// The operator's console over this edge's /admin/ API: counters, recent events with
// filters, one event's journey, dead letters with replay (one, or every matching one), and
// tenants with their secrets' fingerprints. Everything it shows is set as text
// (textContent), never as HTML; the token lives in sessionStorage only.
const TOKEN_KEY = "signhook-admin-token";
const $ = (id) => document.getElementById(id);

function token() {
  return sessionStorage.getItem(TOKEN_KEY) ?? "";
}

async function api(path, { method = "GET", body } = {}) {
  const headers = { authorization: `Bearer ${token()}` };
  if (body !== undefined) headers["content-type"] = "application/json";
  const res = await fetch(`/admin/${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  let json = null;
  try {
    json = JSON.parse(text);
  } catch {}
  if (!res.ok) {
    const err = new Error(json?.detail ?? `${res.status}`);
    err.code = json?.code ?? String(res.status);
    err.status = res.status;
    throw err;
  }
  return json;
}

/** A table row of text cells. */
function row(cells) {
  const tr = document.createElement("tr");
  for (const value of cells) {
    const td = document.createElement("td");
    if (value instanceof Node) td.append(value);
    else td.textContent = value === null || value === undefined ? "" : String(value);
    tr.append(td);
  }
  return tr;
}

function fill(tableId, rows) {
  const body = $(tableId).querySelector("tbody");
  body.replaceChildren(...rows);
}

function status(text, cls = "") {
  $("status").textContent = text;
  $("status").className = cls;
}

async function loadStats() {
  const stats = await api("stats");
  const rows = Object.entries(stats.providers).map(([name, c]) =>
    row([
      name,
      c.received,
      c.accepted,
      Object.entries(c.refused).map(([code, n]) => `${code}: ${n}`).join(", "),
      c.delivered,
      c.retried,
      c.dead,
      c.latency_ms.p50,
      c.latency_ms.p95,
    ]),
  );
  fill("stats", rows);
}

function query(form) {
  const params = new URLSearchParams();
  for (const [k, v] of new FormData(form)) if (String(v).trim()) params.set(k, String(v).trim());
  const q = params.toString();
  return q ? `?${q}` : "";
}

async function loadEvents() {
  const { events } = await api(`events${query($("event-filters"))}`);
  fill(
    "events",
    events.map((e) => {
      const tr = row([e.received_at, e.provider, e.tenant, e.outcome, e.code, e.type, e.subject, e.end]);
      if (e.webhook_id) {
        tr.dataset.webhookId = e.webhook_id;
        tr.tabIndex = 0;
        const open = () => showJourney(e.webhook_id, tr);
        tr.addEventListener("click", open);
        tr.addEventListener("keydown", (ev) => ev.key === "Enter" && open());
      }
      return tr;
    }),
  );
}

async function showJourney(webhookId, tr) {
  for (const other of document.querySelectorAll("#events tr.selected")) other.classList.remove("selected");
  tr?.classList.add("selected");
  const j = await api(`events/${encodeURIComponent(webhookId)}`);
  $("journey-id").textContent = webhookId;
  const facts = $("journey-facts");
  facts.replaceChildren();
  for (const [k, v] of [
    ["received", j.received_at],
    ["provider", j.provider],
    ["tenant", j.tenant],
    ["event id", j.event_id],
    ["type", j.type],
    ["subject", j.subject],
    ["outcome", j.outcome],
    ["end", j.end],
  ]) {
    const dt = document.createElement("dt");
    dt.textContent = k;
    const dd = document.createElement("dd");
    dd.textContent = v ?? "";
    facts.append(dt, dd);
  }
  fill(
    "attempts",
    j.attempts.map((a, i) => row([i + 1, a.at, a.status ?? "no answer", a.latency_ms, a.error])),
  );
  $("journey").hidden = false;
}

async function loadDead() {
  const { dead_letters } = await api("dead-letters");
  fill(
    "dead",
    dead_letters.map((d) => {
      let action = "";
      if (d.state === "dead") {
        action = document.createElement("button");
        action.type = "button";
        action.textContent = "Replay";
        action.dataset.id = String(d.id);
        action.addEventListener("click", async () => {
          action.disabled = true;
          try {
            const r = await api(`dead-letters/${d.id}/replay`, { method: "POST" });
            $("replay-result").textContent = `Replayed ${r.replayed.length}.`;
          } catch (e) {
            $("replay-result").textContent = `Not replayed: ${e.code}: ${e.message}`;
          }
          await loadDead();
        });
      }
      return row([d.id, d.dead_at, d.provider, d.tenant, d.type, d.reason, d.attempts, d.state, action]);
    }),
  );
}

async function loadTenants() {
  let tenants;
  try {
    ({ tenants } = await api("tenants?limit=100"));
  } catch (e) {
    fill("tenants", [row([`(${e.code})`, "", ""])]);
    return;
  }
  const rows = [];
  for (const t of tenants) {
    const shown = await api(`tenants/${encodeURIComponent(t.id)}`);
    const secrets = shown.secrets
      .map((s) => `${s.provider} ${s.kind} ${s.fingerprint}${s.label ? ` (${s.label})` : ""}, last used ${s.last_used_at ?? "never"}`)
      .join("; ");
    rows.push(row([t.id, t.state, secrets]));
  }
  fill("tenants", rows);
}

async function refresh() {
  try {
    await Promise.all([loadStats(), loadEvents(), loadDead(), loadTenants()]);
    $("main").hidden = false;
    status("Connected.", "good");
  } catch (e) {
    $("main").hidden = true;
    status(e.status === 401 ? "The token was refused." : e.status === 404 ? "No admin API here (ADMIN_TOKEN is not set)." : `Failed: ${e.code}: ${e.message}`, "bad");
  }
}

$("token-form").addEventListener("submit", (ev) => {
  ev.preventDefault();
  sessionStorage.setItem(TOKEN_KEY, $("token").value.trim());
  $("token").value = "";
  refresh();
});
$("forget").addEventListener("click", () => {
  sessionStorage.removeItem(TOKEN_KEY);
  $("main").hidden = true;
  status("Forgotten.");
});
$("event-filters").addEventListener("submit", (ev) => {
  ev.preventDefault();
  loadEvents().catch((e) => status(`Failed: ${e.code}`, "bad"));
});
$("replay-filters").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  const body = {};
  for (const [k, v] of new FormData(ev.target)) if (String(v).trim()) body[k] = String(v).trim();
  try {
    const r = await api("dead-letters/replay", { method: "POST", body });
    $("replay-result").textContent = `Replayed ${r.replayed.length}${r.cursor ? " (more: replay again)" : ""}.`;
  } catch (e) {
    $("replay-result").textContent = `Not replayed: ${e.code}: ${e.message}`;
  }
  await loadDead();
});

if (token()) refresh();
