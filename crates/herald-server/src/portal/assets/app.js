// Herald's customer portal: one page, no dependencies, talking to the JSON
// API with the token its link carried. Every value from the API is put into
// the page as text (never as HTML).
"use strict";

const API = new URL("../api/v1", location.href).pathname;
const params = new URLSearchParams(location.search);
const appId = params.get("app");
const ADMIN_KEY = "herald.portal.admin";
const appKey = (id) => "herald.portal.app." + id;

const state = { token: null, admin: false, app: null, endpoints: null, eventTypes: null, timer: null, noticeFor: null };

// --- small helpers ----------------------------------------------------------

function h(tag, props, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(props || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k.startsWith("on")) el.addEventListener(k.slice(2), v);
    else if (k === "text") el.textContent = v;
    else el.setAttribute(k, v === true ? "" : String(v));
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

function svg(tag, attrs) {
  const el = document.createElementNS("http://www.w3.org/2000/svg", tag);
  for (const [k, v] of Object.entries(attrs || {})) el.setAttribute(k, String(v));
  return el;
}

class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

async function api(method, path, body) {
  const headers = { Authorization: "Bearer " + state.token };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  let res;
  try {
    res = await fetch(API + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  } catch (e) {
    throw new ApiError(0, "network", "Herald could not be reached. Check your connection and try again.");
  }
  if (res.status === 204) return null;
  const text = await res.text();
  let data = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch (e) {
    data = null;
  }
  if (!res.ok) {
    const message = data && data.message ? data.message : `the request failed (HTTP ${res.status})`;
    throw new ApiError(res.status, data && data.code, message);
  }
  return data;
}

function readable(err) {
  if (!(err instanceof ApiError)) return String(err && err.message ? err.message : err);
  if (err.status === 401) return "This portal link has expired or was revoked. Ask for a new link.";
  if (err.status === 429) return "Too many requests at once. Wait a moment and try again.";
  if (err.status === 503) return "The service is briefly unavailable. Try again in a few seconds.";
  const what = { 403: "Not allowed", 404: "Not found", 409: "Not possible now", 422: "Please check the form" }[err.status];
  return what ? `${what}: ${err.message}` : err.message;
}

function showError(err) {
  const box = document.getElementById("error");
  box.textContent = readable(err);
  box.hidden = false;
}

function clearMessages() {
  const box = document.getElementById("error");
  box.hidden = true;
  box.textContent = "";
  document.getElementById("notice").textContent = "";
}

// A notice stays on the screen it was given for; moving on clears it.
function notice(text) {
  state.noticeFor = location.hash;
  document.getElementById("notice").textContent = text;
}

function when(ts) {
  if (!ts) return "—";
  const d = new Date(ts);
  return d.toLocaleString(undefined, { dateStyle: "medium", timeStyle: "medium" });
}

function pct(x) {
  return x === null || x === undefined ? "—" : (x * 100).toFixed(x === 1 || x === 0 ? 0 : 1) + "%";
}

function pretty(value) {
  if (typeof value === "string") {
    try {
      return JSON.stringify(JSON.parse(value), null, 2);
    } catch (e) {
      return value;
    }
  }
  return JSON.stringify(value, null, 2);
}

function qs(obj) {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(obj)) if (v !== undefined && v !== null && v !== "") p.set(k, v);
  const s = p.toString();
  return s ? "?" + s : "";
}

function appPath(rest) {
  return `/apps/${encodeURIComponent(state.app.id)}${rest}`;
}

// A datetime-local value (local time) as RFC 3339 in UTC.
function localToRfc3339(v) {
  return v ? new Date(v).toISOString() : "";
}

function rfc3339ToLocal(v) {
  if (!v) return "";
  const d = new Date(v);
  const pad = (n) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

const STATUS = {
  pending: ["Pending", "info"],
  retrying: ["Retrying", "warn"],
  delivered: ["Delivered", "ok"],
  failed: ["Failed", "bad"],
};

function statusBadge(s) {
  const [label, kind] = STATUS[s] || [s, "info"];
  return h("span", { class: `badge ${kind}`, "data-status": s }, label);
}

function summarise(deliveries) {
  if (!deliveries || deliveries.length === 0) return h("span", { class: "muted small" }, "no endpoint");
  if (deliveries.length === 1) return statusBadge(deliveries[0].status);
  const counts = {};
  for (const d of deliveries) counts[d.status] = (counts[d.status] || 0) + 1;
  return h("span", {}, Object.entries(counts).map(([s, n]) => [statusBadge(s), ` ${n} `]));
}

function endpointStates(ep) {
  const out = [];
  if (ep.disabled) {
    out.push(["Disabled", "bad", ep.disabled_reason ? `Disabled by Herald: ${ep.disabled_reason}` : "Disabled by hand"]);
  } else if (ep.paused) {
    out.push(["Paused", "warn", "Deliveries wait until it is resumed"]);
  } else {
    out.push(["Enabled", "ok", "Receiving events"]);
  }
  if (ep.circuit) out.push(["Circuit open", "bad", `Until ${when(ep.circuit.open_until)}: ${ep.circuit.reason}`]);
  if (ep.verification) {
    const v = ep.verification.status;
    out.push([`Verification ${v}`, v === "verified" ? "ok" : "warn", ep.verification.error || ""]);
  }
  if (ep.expires_at) out.push(["Temporary", "info", `Deleted by itself at ${when(ep.expires_at)}`]);
  return out;
}

function stateBadges(ep) {
  return endpointStates(ep).map(([label, kind, why]) =>
    h("span", { class: "row" }, h("span", { class: `badge ${kind}` }, label), why ? h("span", { class: "muted small" }, why) : null),
  );
}

function endpointLabel(id) {
  const ep = (state.endpoints || []).find((e) => e.id === id);
  return ep ? ep.url : id;
}

async function loadEndpoints() {
  const page = await api("GET", appPath("/endpoints?limit=250"));
  state.endpoints = page.data;
  return state.endpoints;
}

async function loadEventTypes() {
  if (state.eventTypes) return state.eventTypes;
  const page = await api("GET", "/event-types?limit=250");
  state.eventTypes = page.data.filter((t) => !t.archived).sort((a, b) => a.name.localeCompare(b.name));
  return state.eventTypes;
}

function link(href, text, extra) {
  return h("a", Object.assign({ href }, extra || {}), text);
}

function button(text, onclick, extra) {
  return h("button", Object.assign({ type: "button", onclick }, extra || {}), text);
}

// Runs an action from a button: disables it meanwhile, shows what failed.
function action(fn) {
  return async (ev) => {
    const b = ev && ev.currentTarget;
    if (b) b.disabled = true;
    clearMessages();
    try {
      await fn(ev);
    } catch (err) {
      showError(err);
    } finally {
      if (b && b.isConnected) b.disabled = false;
    }
  };
}

// --- screens ----------------------------------------------------------------

async function screenApps() {
  const page = await api("GET", "/apps?limit=100");
  const rows = await Promise.all(
    page.data.map(async (a) => {
      const path = `/apps/${encodeURIComponent(a.id)}`;
      const [s, eps] = await Promise.all([
        api("GET", `${path}/stats?window=day`).catch(() => null),
        api("GET", `${path}/endpoints?limit=250`).then((p) => p.data, () => null),
      ]);
      return [a, s, eps];
    }),
  );
  const health = (s) => {
    if (!s || s.attempts === 0) return ["Idle", "info"];
    if (s.success_rate >= 0.95) return ["Healthy", "ok"];
    if (s.success_rate >= 0.5) return ["Degraded", "warn"];
    return ["Failing", "bad"];
  };
  return [
    h("h1", {}, "Applications"),
    h("p", { class: "muted" }, "Every application and how its deliveries went over the last 24 hours."),
    rows.length === 0 ? h("p", {}, "No applications yet.") : null,
    h(
      "ul",
      { class: "list", "data-test": "apps" },
      rows.map(([a, s, eps]) => {
        const [label, kind] = health(s);
        const off = eps ? eps.filter((e) => e.disabled) : [];
        return h(
          "li",
          { "data-app": a.id },
          h(
            "div",
            { class: "row" },
            h("div", { class: "grow" }, h("strong", {}, a.name), " ", h("span", { class: "muted small" }, a.uid || a.id),
              " ", h("span", { class: "badge info" }, a.live ? "live" : "test")),
            h("span", { class: `badge ${kind}` }, label),
            link(`?app=${encodeURIComponent(a.id)}#/endpoints`, "Open", { class: "button secondary" }),
          ),
          s
            ? h("p", { class: "small muted" },
                `${s.attempts} attempts · ${pct(s.success_rate)} delivered · ${s.failed} failed · ${s.backlog} waiting`)
            : h("p", { class: "small muted" }, "no statistics"),
          eps
            ? h("p", { class: "small" }, `${eps.length} endpoint${eps.length === 1 ? "" : "s"}`,
                off.length ? h("span", { class: "badge bad" }, `${off.length} disabled`) : null,
                off.filter((e) => e.disabled_reason).map((e) => h("span", { class: "muted" }, ` ${e.url}: ${e.disabled_reason}`)))
            : null,
        );
      }),
    ),
  ];
}

async function screenEndpoints() {
  const eps = await loadEndpoints();
  const stats = await Promise.all(
    eps.map((e) => api("GET", appPath(`/endpoints/${e.id}/stats?window=day`)).catch(() => null)),
  );
  return [
    h("div", { class: "row" }, h("h1", { class: "grow" }, "Endpoints"), link("#/endpoints/new", "Add endpoint", { class: "button" })),
    eps.length === 0
      ? h("div", { class: "card" }, h("p", {}, "No endpoints yet. Add the URL where your server receives webhooks."))
      : h(
          "ul",
          { class: "list", "data-test": "endpoints" },
          eps.map((ep, i) =>
            h(
              "li",
              { "data-endpoint": ep.id },
              h("div", { class: "row" }, h("div", { class: "grow" }, link(`#/endpoints/${ep.id}`, ep.url, { class: "url" }))),
              ep.description ? h("div", {}, ep.description) : null,
              h("div", { class: "row small" }, stateBadges(ep)),
              h("div", { class: "small muted" },
                (ep.event_types ? `Events: ${ep.event_types.join(", ")}` : "All events"),
                stats[i] && stats[i].attempts > 0
                  ? ` · ${pct(stats[i].success_rate)} delivered, ${stats[i].failed} failed in 24 h`
                  : " · no attempts in 24 h"),
            ),
          ),
        ),
  ];
}

function parseHeaders(text) {
  const out = {};
  for (const [i, raw] of text.split("\n").entries()) {
    const line = raw.trim();
    if (!line) continue;
    const at = line.indexOf(":");
    if (at <= 0) throw new Error(`Custom headers, line ${i + 1}: write it as Name: value`);
    out[line.slice(0, at).trim()] = line.slice(at + 1).trim();
  }
  return out;
}

async function screenEndpointForm(id) {
  const [types, ep] = await Promise.all([
    loadEventTypes(),
    id ? api("GET", appPath(`/endpoints/${id}`)) : Promise.resolve(null),
  ]);
  const chosen = new Set((ep && ep.event_types) || []);
  const all = !ep || !ep.event_types;
  const rate = ep && ep.profile && ep.profile.rate_limit ? ep.profile.rate_limit.per_second : "";
  const headersText = ep ? Object.entries(ep.headers || {}).map(([k, v]) => `${k}: ${v}`).join("\n") : "";

  const typeList = h(
    "ul",
    { class: "types", id: "type-list" },
    types.map((t) =>
      h(
        "li",
        {},
        h("input", { type: "checkbox", id: `type-${t.name}`, name: "event_type", value: t.name, checked: chosen.has(t.name) }),
        " ",
        h("label", { class: "inline", for: `type-${t.name}` }, h("code", {}, t.name)),
        t.description ? h("p", { class: "hint" }, t.description) : null,
        t.example !== null && t.example !== undefined
          ? h("details", {}, h("summary", { class: "small" }, "Example payload"), h("pre", {}, pretty(t.example)))
          : null,
      ),
    ),
  );
  const setEnabled = () => {
    const only = form.querySelector("#events-chosen").checked;
    for (const box of typeList.querySelectorAll("input")) box.disabled = !only;
  };
  const form = h(
    "form",
    { id: "endpoint-form", novalidate: true },
    h("div", { class: "field" },
      h("label", { for: "ep-url" }, "Endpoint URL"),
      h("input", { type: "url", id: "ep-url", name: "url", required: true, value: ep ? ep.url : "", placeholder: "https://example.com/webhooks", autocomplete: "url" }),
      h("p", { class: "hint" }, "Where your server receives the webhooks (an HTTPS address).")),
    h("div", { class: "field" },
      h("label", { for: "ep-description" }, "Description"),
      h("input", { type: "text", id: "ep-description", name: "description", value: ep ? ep.description : "" })),
    h("fieldset", {},
      h("legend", {}, "Events to send"),
      h("div", {}, h("input", { type: "radio", id: "events-all", name: "events", value: "all", checked: all, onchange: setEnabled }), " ",
        h("label", { class: "inline", for: "events-all" }, "All events")),
      h("div", {}, h("input", { type: "radio", id: "events-chosen", name: "events", value: "chosen", checked: !all, onchange: setEnabled }), " ",
        h("label", { class: "inline", for: "events-chosen" }, "Only the events chosen below")),
      types.length ? typeList : h("p", { class: "hint" }, "The catalog has no event types yet.")),
    h("div", { class: "field" },
      h("label", { for: "ep-headers" }, "Custom headers"),
      h("textarea", { id: "ep-headers", name: "headers", placeholder: "X-Team: billing" }, headersText),
      h("p", { class: "hint" }, "Sent with every request, one per line: Name: value")),
    h("div", { class: "field" },
      h("label", { for: "ep-rate" }, "Rate limit (deliveries per second)"),
      h("input", { type: "number", id: "ep-rate", name: "rate", min: "0", step: "any", value: rate, inputmode: "decimal" }),
      h("p", { class: "hint" }, "Leave empty for no limit. Deliveries over the limit wait; none is lost.")),
    h("div", { class: "actions" },
      h("button", { type: "submit" }, ep ? "Save changes" : "Create endpoint"),
      link(ep ? `#/endpoints/${ep.id}` : "#/endpoints", "Cancel", { class: "button secondary" })),
  );
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const submit = form.querySelector("button[type=submit]");
    submit.disabled = true;
    clearMessages();
    try {
      const only = form.querySelector("#events-chosen").checked;
      const picked = [...typeList.querySelectorAll("input:checked")].map((b) => b.value);
      if (only && picked.length === 0) throw new Error("Choose at least one event, or send all events.");
      const rateText = form.querySelector("#ep-rate").value.trim();
      const perSecond = rateText === "" ? null : Number(rateText);
      if (perSecond !== null && !(perSecond > 0)) throw new Error("The rate limit must be a number above 0, or empty.");
      const body = {
        url: form.querySelector("#ep-url").value.trim(),
        description: form.querySelector("#ep-description").value,
        event_types: only ? picked : null,
        headers: parseHeaders(form.querySelector("#ep-headers").value),
      };
      const oldRate = rate === "" ? null : Number(rate);
      if (!ep) {
        if (perSecond !== null) body.profile = { rate_limit: { per_second: perSecond } };
        const made = await api("POST", appPath("/endpoints"), body);
        state.endpoints = null;
        location.hash = `#/endpoints/${made.id}`;
        notice("Endpoint created.");
      } else {
        if (perSecond !== oldRate) {
          const profile = Object.assign({}, ep.profile || {});
          if (perSecond === null) delete profile.rate_limit;
          else profile.rate_limit = { per_second: perSecond };
          body.profile = Object.keys(profile).length ? profile : null;
        }
        await api("PATCH", appPath(`/endpoints/${ep.id}`), body);
        state.endpoints = null;
        location.hash = `#/endpoints/${ep.id}`;
        notice("Changes saved.");
      }
    } catch (err) {
      showError(err);
    } finally {
      submit.disabled = false;
    }
  });
  setTimeout(setEnabled, 0);
  return [h("h1", {}, ep ? "Edit endpoint" : "Add endpoint"), form];
}

function chart(series, title) {
  const w = 960;
  const hgt = 120;
  const max = Math.max(1, ...series.map((b) => b.delivered + b.failed));
  const bw = w / series.length;
  const el = svg("svg", { viewBox: `0 0 ${w} ${hgt + 18}`, class: "chart", role: "img" });
  let delivered = 0;
  let failed = 0;
  series.forEach((b, i) => {
    delivered += b.delivered;
    failed += b.failed;
    const dh = (b.delivered / max) * hgt;
    const fh = (b.failed / max) * hgt;
    const x = i * bw + 1;
    if (b.delivered) el.append(svg("rect", { class: "delivered", x, y: hgt - dh, width: bw - 2, height: dh }));
    if (b.failed) el.append(svg("rect", { class: "failed", x, y: hgt - dh - fh, width: bw - 2, height: fh }));
  });
  const label = (x, text, anchor) => {
    const t = svg("text", { x, y: hgt + 14, "font-size": 12, fill: "#5b6475", "text-anchor": anchor });
    t.textContent = text;
    el.append(t);
  };
  if (series.length) {
    label(2, new Date(series[0].since).toLocaleTimeString(undefined, { hour: "2-digit", minute: "2-digit" }), "start");
    label(w - 2, "now", "end");
  }
  el.setAttribute("aria-label", `${title}: ${delivered} delivered and ${failed} failed`);
  return h("figure", { style: null },
    el,
    h("figcaption", { class: "legend" },
      h("span", {}, h("span", { class: "swatch delivered" }), `Delivered (${delivered})`),
      h("span", {}, h("span", { class: "swatch failed" }), `Failed (${failed})`)));
}

function statBox(label, value) {
  return h("div", { class: "stat" }, h("span", { class: "small muted" }, label), h("b", {}, value));
}

function verifySnippets(ep, secret) {
  const key = secret ? secret.key : ep.signing === "ed25519" ? "whsk_…" : "whsec_…";
  if (ep.signing === "ed25519") {
    const pub = (secret && secret.public_key) || ep.public_key || "whpk_…";
    return h("div", {},
      h("p", {}, "Deliveries carry webhook-id, webhook-timestamp and webhook-signature (v1a, ed25519). Verify with the public key:"),
      h("pre", { "data-test": "snippet-python" },
        `# pip install pynacl\nimport base64, nacl.signing\n\nPUBLIC_KEY = "${pub}"\n\ndef verify(headers, body: bytes) -> bool:\n    key = nacl.signing.VerifyKey(base64.b64decode(PUBLIC_KEY.removeprefix("whpk_")))\n    signed = f"{headers['webhook-id']}.{headers['webhook-timestamp']}.".encode() + body\n    for sig in headers["webhook-signature"].split():\n        version, _, value = sig.partition(",")\n        if version == "v1a":\n            try:\n                key.verify(signed, base64.b64decode(value))\n                return True\n            except Exception:\n                pass\n    return False`));
  }
  return h("div", {},
    h("p", {}, "Deliveries follow the Standard Webhooks format: verify them with its libraries, using this endpoint's secret",
      secret ? "." : " (reveal it above to fill it in)."),
    h("h3", { class: "small" }, "Node.js"),
    h("pre", { "data-test": "snippet-node" },
      `// npm install standardwebhooks\nimport { Webhook } from "standardwebhooks";\n\nconst wh = new Webhook("${key}");\n// rawBody: the request body exactly as received (a string or Buffer)\nconst event = wh.verify(rawBody, {\n  "webhook-id": req.headers["webhook-id"],\n  "webhook-timestamp": req.headers["webhook-timestamp"],\n  "webhook-signature": req.headers["webhook-signature"],\n});`),
    h("h3", { class: "small" }, "Python"),
    h("pre", { "data-test": "snippet-python" },
      `# pip install standardwebhooks\nfrom standardwebhooks.webhooks import Webhook\n\nwh = Webhook("${key}")\nevent = wh.verify(raw_body, request.headers)  # raises if the signature is wrong`));
}

async function screenEndpoint(id) {
  const [ep, stats, types] = await Promise.all([
    api("GET", appPath(`/endpoints/${id}`)),
    api("GET", appPath(`/endpoints/${id}/stats?window=day&buckets=24`)),
    loadEventTypes(),
  ]);
  let secret = null;
  const secretBox = h("code", { id: "secret-value" }, "••••••••••••");
  const snippets = h("div", { id: "snippets" }, verifySnippets(ep, null));
  const reveal = action(async () => {
    secret = await api("GET", appPath(`/endpoints/${id}/secret`));
    secretBox.textContent = secret.key;
    snippets.replaceChildren(verifySnippets(ep, secret));
  });
  const rotate = action(async () => {
    if (!confirm("Rotate the signing secret? The old one keeps signing beside the new one for a day.")) return;
    const r = await api("POST", appPath(`/endpoints/${id}/secret/rotate`), {});
    secret = { key: r.key, public_key: r.public_key };
    secretBox.textContent = r.key;
    snippets.replaceChildren(verifySnippets(ep, secret));
    notice(`Secret rotated. The old one still signs until ${when(r.previous_secret_until)}.`);
  });
  const testTypes = types.filter((t) => t.example !== null && t.example !== undefined)
    .filter((t) => !ep.event_types || ep.event_types.includes(t.name));
  const testSelect = h("select", { id: "test-type" },
    testTypes.map((t) => h("option", { value: t.name }, t.name)),
    h("option", { value: "" }, "test (a built-in sample)"));
  const sendTest = action(async () => {
    const type = testSelect.value;
    const sent = await api("POST", appPath(`/endpoints/${id}/test`), type ? { event_type: type } : {});
    notice(`Test event ${sent.event_type} sent (${sent.id}). Its delivery shows in the log below.`);
    setTimeout(() => route(), 600);
  });
  const toggle = (field, value, done) =>
    action(async () => {
      await api("PATCH", appPath(`/endpoints/${id}`), { [field]: value });
      state.endpoints = null;
      notice(done);
      await route();
    });
  const remove = action(async () => {
    if (!confirm("Delete this endpoint? Its waiting deliveries are dropped; the log stays.")) return;
    await api("DELETE", appPath(`/endpoints/${id}`));
    state.endpoints = null;
    location.hash = "#/endpoints";
    notice("Endpoint deleted.");
  });

  return [
    h("p", { class: "small" }, link("#/endpoints", "← Endpoints")),
    h("h1", { class: "url" }, ep.url),
    ep.description ? h("p", {}, ep.description) : null,
    h("div", { class: "row small", "data-test": "endpoint-state" }, stateBadges(ep)),
    h("p", { class: "small muted" }, ep.event_types ? `Events: ${ep.event_types.join(", ")}` : "All events",
      ep.flow && ep.flow.rate_limit ? ` · at most ${ep.flow.rate_limit} per second` : "",
      ep.flow && ep.flow.max_in_flight ? ` · at most ${ep.flow.max_in_flight} at once` : "",
      ep.flow && ep.flow.ordering === "fifo" ? " · in order" : ""),
    h("div", { class: "actions" },
      link(`#/endpoints/${id}/edit`, "Edit", { class: "button secondary" }),
      ep.disabled
        ? button("Enable", toggle("disabled", false, "Endpoint enabled."), { class: "secondary" })
        : button("Disable", toggle("disabled", true, "Endpoint disabled."), { class: "secondary" }),
      ep.paused
        ? button("Resume", toggle("paused", false, "Endpoint resumed."), { class: "secondary" })
        : button("Pause", toggle("paused", true, "Endpoint paused."), { class: "secondary" }),
      button("Delete", remove, { class: "danger" })),
    h("h2", {}, "Last 24 hours"),
    h("div", { class: "stats", "data-test": "stats" },
      statBox("Attempts", stats.attempts),
      statBox("Success rate", pct(stats.success_rate)),
      statBox("Avg. response", stats.avg_response_ms === null ? "—" : `${Math.round(stats.avg_response_ms)} ms`),
      statBox("Failed", stats.failed),
      statBox("Retries", stats.retries),
      statBox("Waiting", stats.backlog)),
    chart(stats.series || [], "Deliveries per hour, last 24 hours"),
    h("h2", {}, "Send a test event"),
    h("div", { class: "filters" },
      h("div", { class: "field" }, h("label", { for: "test-type" }, "Event type"), testSelect),
      button("Send test event", sendTest, { id: "send-test" })),
    h("h2", {}, "Signing secret"),
    h("div", { class: "card" },
      h("div", { class: "row" }, h("span", { class: "grow" }, secretBox),
        button("Reveal", reveal, { class: "secondary", id: "reveal-secret" }),
        button("Rotate", rotate, { class: "secondary" })),
      ep.previous_secret_until ? h("p", { class: "hint" }, `The previous secret also signs until ${when(ep.previous_secret_until)}.`) : null),
    h("h2", {}, "Verifying signatures"),
    snippets,
    h("h2", {}, "Delivery log"),
    await messageLog({ endpoint: id }),
  ];
}

// The log of messages, newest first, with filters; `fixed.endpoint` keeps
// it to one endpoint (and shows that endpoint's status per message).
async function messageLog(fixed) {
  const q = hashQuery();
  const filters = {
    status: q.get("status") || "",
    event_type: q.get("event_type") || "",
    since: q.get("since") || "",
    endpoint: fixed.endpoint || q.get("endpoint") || "",
  };
  const types = await loadEventTypes();
  const eps = fixed.endpoint ? [] : state.endpoints || (await loadEndpoints());
  const form = h("form", { class: "filters card", "aria-label": "Filter deliveries" },
    h("div", { class: "field" }, h("label", { for: "f-status" }, "Status"),
      h("select", { id: "f-status" }, h("option", { value: "" }, "Any"),
        Object.entries(STATUS).map(([v, [label]]) => h("option", { value: v, selected: v === filters.status }, label)))),
    h("div", { class: "field" }, h("label", { for: "f-type" }, "Event type"),
      h("select", { id: "f-type" }, h("option", { value: "" }, "Any"),
        types.map((t) => h("option", { value: t.name, selected: t.name === filters.event_type }, t.name)))),
    fixed.endpoint ? null : h("div", { class: "field" }, h("label", { for: "f-endpoint" }, "Endpoint"),
      h("select", { id: "f-endpoint" }, h("option", { value: "" }, "Any"),
        eps.map((e) => h("option", { value: e.id, selected: e.id === filters.endpoint }, e.url)))),
    h("div", { class: "field" }, h("label", { for: "f-since" }, "Since"),
      h("input", { type: "datetime-local", id: "f-since", value: rfc3339ToLocal(filters.since) })),
    h("button", { type: "submit" }, "Apply"),
    button("Refresh", () => route(), { class: "secondary", id: "refresh-log" }));
  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    const next = {
      status: form.querySelector("#f-status").value,
      event_type: form.querySelector("#f-type").value,
      since: localToRfc3339(form.querySelector("#f-since").value),
      endpoint: fixed.endpoint ? "" : form.querySelector("#f-endpoint").value,
    };
    location.hash = hashPath() + qs(next);
  });

  const list = h("ul", { class: "list", "data-test": "message-log" });
  const more = button("Load more", null, { class: "secondary" });
  let iterator = null;
  let waiting = false;
  const load = async () => {
    const page = await api("GET", appPath("/messages" + qs({ ...filters, with_deliveries: "true", limit: 25, iterator })));
    for (const m of page.data) {
      const deliveries = fixed.endpoint ? (m.deliveries || []).filter((d) => d.endpoint_id === fixed.endpoint) : m.deliveries;
      if ((deliveries || []).some((d) => d.status === "pending" || d.status === "retrying")) waiting = true;
      const last = (deliveries || []).find((d) => d.last_status_code || d.last_error);
      list.append(h("li", { "data-message": m.id },
        h("div", { class: "row" },
          h("div", { class: "grow" }, link(`#/messages/${m.id}`, m.event_type, { class: "url" }),
            " ", h("span", { class: "muted small" }, m.id)),
          summarise(deliveries)),
        h("div", { class: "small muted" }, when(m.created_at),
          last ? ` · last answer: ${last.last_status_code ? "HTTP " + last.last_status_code : last.last_error}` : "")));
    }
    if (page.data.length === 0 && !list.children.length) list.append(h("li", { class: "muted" }, "No deliveries match."));
    iterator = page.iterator;
    more.hidden = page.done;
  };
  more.addEventListener("click", action(load));
  await load();
  if (waiting) schedule(3000);
  return h("section", { "aria-label": "Delivery log" }, form, list, more);
}

async function screenMessages() {
  return [h("h1", {}, "Deliveries"), await messageLog({})];
}

// A delivery's last error when it says more than its status code.
function errorBeyondStatus(d) {
  return d.last_error && d.last_error !== `HTTP ${d.last_status_code}` ? ` · ${d.last_error}` : "";
}

// Sends the message to the endpoint again now, and says how it went.
function replayButton(msgId, endpointId) {
  const replay = action(async () => {
    const a = await api("POST", appPath(`/messages/${msgId}/endpoints/${endpointId}/replay`));
    notice(a.status === "success"
      ? `Replayed: HTTP ${a.status_code}, delivered.`
      : `Replayed, and it failed again: ${a.status_code ? "HTTP " + a.status_code : a.error}.`);
    await route();
  });
  return button("Replay", replay, { class: "secondary", "data-test": "replay" });
}

function requestView(req) {
  return h("div", { class: "card small", "data-test": "request" },
    h("p", {}, h("strong", {}, `${req.method} `), h("span", { class: "url" }, req.url)),
    h("table", { class: "headers" }, h("tbody", {}, req.headers.map(([k, v]) => h("tr", {}, h("td", {}, k), h("td", {}, v))))),
    req.body === null ? h("p", { class: "muted" }, "The payload was removed (retention).") : h("pre", {}, pretty(req.body)),
    h("p", { class: "hint" }, "Rebuilt from the message and the endpoint's current settings: signatures differ if the secret was rotated since."));
}

async function screenMessage(id) {
  const [msg, attempts] = await Promise.all([
    api("GET", appPath(`/messages/${id}`)),
    api("GET", appPath(`/messages/${id}/attempts?limit=100`)),
  ]);
  if (!state.endpoints) await loadEndpoints();
  let waiting = false;
  const deliveries = (msg.deliveries || []).map((d) => {
    if (d.status === "pending" || d.status === "retrying") waiting = true;
    return h("li", { "data-delivery": d.endpoint_id },
      h("div", { class: "row" }, h("div", { class: "grow url" }, endpointLabel(d.endpoint_id)), statusBadge(d.status)),
      h("div", { class: "small muted" },
        `${d.attempts} attempt${d.attempts === 1 ? "" : "s"}`,
        d.last_status_code ? ` · last answer HTTP ${d.last_status_code}` : "",
        errorBeyondStatus(d),
        d.next_attempt_at && d.status !== "delivered" && d.status !== "failed" ? ` · next try ${when(d.next_attempt_at)}` : ""),
      d.status === "delivered" || d.status === "failed"
        ? h("div", { class: "actions" }, replayButton(id, d.endpoint_id))
        : null);
  });
  const attemptItems = attempts.data.map((a) => {
    const slot = h("div", {});
    const show = action(async (ev) => {
      const b = ev.currentTarget;
      const req = await api("GET", appPath(`/messages/${id}/attempts/${a.id}/request`));
      slot.replaceChildren(requestView(req));
      b.hidden = true;
    });
    return h("li", { "data-attempt": a.id, "data-result": a.status },
      h("div", { class: "row" },
        h("strong", { class: "grow" }, `Attempt ${a.attempt_number}${a.manual ? " (replay)" : ""}`),
        h("span", { class: `badge ${a.status === "success" ? "ok" : "bad"}` },
          a.status_code ? `HTTP ${a.status_code}` : "No response")),
      h("dl", { class: "kv" },
        h("dt", {}, "Sent"), h("dd", {}, when(a.timestamp)),
        h("dt", {}, "To"), h("dd", { class: "url" }, a.url),
        h("dt", {}, "Response time"), h("dd", {}, `${a.latency_ms} ms`),
        a.error ? [h("dt", {}, "Error"), h("dd", {}, a.error)] : null),
      a.response_body ? [h("p", { class: "small" }, "Response body:"), h("pre", { "data-test": "response-body" }, a.response_body)] : null,
      button("Show request", show, { class: "secondary" }), slot);
  });
  if (waiting) schedule(2000);
  return [
    h("p", { class: "small" }, link("#/messages", "← Deliveries")),
    h("h1", { class: "url" }, msg.event_type),
    h("dl", { class: "kv card" },
      h("dt", {}, "Message"), h("dd", {}, msg.id),
      msg.event_id ? [h("dt", {}, "Event id"), h("dd", {}, msg.event_id)] : null,
      h("dt", {}, "Published"), h("dd", {}, when(msg.created_at))),
    h("h2", {}, "Payload"),
    msg.payload === null ? h("p", { class: "muted" }, "Removed (retention).") : h("pre", {}, pretty(msg.payload)),
    h("h2", {}, "Deliveries"),
    h("ul", { class: "list", "data-test": "deliveries" }, deliveries),
    h("h2", {}, "Attempts"),
    attemptItems.length ? h("ul", { class: "list", "data-test": "attempts" }, attemptItems) : h("p", { class: "muted" }, "None yet."),
  ];
}

async function download(path, filename) {
  const res = await fetch(API + path, { headers: { Authorization: "Bearer " + state.token } });
  if (!res.ok) {
    const data = await res.json().catch(() => null);
    throw new ApiError(res.status, data && data.code, (data && data.message) || `HTTP ${res.status}`);
  }
  const blob = await res.blob();
  const a = h("a", { href: URL.createObjectURL(blob), download: filename });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(a.href), 10000);
}

async function screenFailed() {
  const eps = state.endpoints || (await loadEndpoints());
  const q = hashQuery();
  const endpoint = q.get("endpoint") || "";
  const page = await api("GET", appPath("/dead-letters" + qs({ endpoint, limit: 50 })));
  const epSelect = (id, value) =>
    h("select", { id }, h("option", { value: "" }, "All endpoints"),
      eps.map((e) => h("option", { value: e.id, selected: e.id === value }, e.url)));
  const since = h("input", { type: "datetime-local", id: "recover-since", required: true,
    value: rfc3339ToLocal(new Date(Date.now() - 86400000).toISOString()) });
  const recoverEp = epSelect("recover-endpoint", endpoint);
  const jobBox = h("div", { "aria-live": "polite" });
  const recover = action(async () => {
    if (!since.value) throw new Error("Choose since when to send failed deliveries again.");
    const body = { since: localToRfc3339(since.value) };
    if (recoverEp.value) body.endpoint = recoverEp.value;
    const job = await api("POST", appPath("/recoveries"), body);
    jobBox.replaceChildren(h("p", {}, `Recovery ${job.id}: ${job.total} failed deliver${job.total === 1 ? "y" : "ies"} queued again.`));
    notice("Recovery started: the failed deliveries are sent again.");
  });
  const downloadFailed = action(() =>
    download(appPath("/messages/export" + qs({ status: "failed", endpoint })), `${state.app.id}-failed.ndjson`));
  const filterEp = epSelect("failed-endpoint", endpoint);
  filterEp.addEventListener("change", () => {
    location.hash = "#/failed" + qs({ endpoint: filterEp.value });
  });
  return [
    h("h1", {}, "Failed deliveries"),
    h("p", { class: "muted" }, "Deliveries that used up their retries. Send them again one by one, or all since a time."),
    h("div", { class: "card" },
      h("h2", {}, "Send failed deliveries again"),
      h("div", { class: "filters" },
        h("div", { class: "field" }, h("label", { for: "recover-since" }, "Failed since"), since),
        h("div", { class: "field" }, h("label", { for: "recover-endpoint" }, "Endpoint"), recoverEp),
        button("Recover", recover, { id: "recover" })),
      jobBox),
    h("div", { class: "filters" },
      h("div", { class: "field" }, h("label", { for: "failed-endpoint" }, "Show endpoint"), filterEp),
      button("Download failed payloads", downloadFailed, { class: "secondary", id: "download-failed" })),
    page.data.length === 0
      ? h("p", { class: "muted" }, "No failed deliveries.")
      : h("ul", { class: "list", "data-test": "dead-letters" },
          page.data.map((d) => h("li", { "data-message": d.message.id },
            h("div", { class: "row" },
              h("div", { class: "grow" }, link(`#/messages/${d.message.id}`, d.message.event_type, { class: "url" }),
                " ", h("span", { class: "muted small" }, d.message.id)),
              statusBadge(d.status)),
            h("div", { class: "small muted" }, endpointLabel(d.endpoint_id), " · ", when(d.last_attempt_at),
              d.last_status_code ? ` · HTTP ${d.last_status_code}` : "",
              errorBeyondStatus(d)),
            h("div", { class: "actions" }, replayButton(d.message.id, d.endpoint_id))))),
  ];
}

function screenSignIn(message) {
  const input = h("input", { type: "password", id: "admin-token", autocomplete: "off" });
  const form = h("form", { class: "card" },
    h("div", { class: "field" }, h("label", { for: "admin-token" }, "Admin token"), input,
      h("p", { class: "hint" }, "Operators only. Your customers open the portal with the link you give them.")),
    h("button", { type: "submit" }, "Sign in"));
  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    sessionStorage.setItem(ADMIN_KEY, input.value.trim());
    location.hash = "#/apps";
    boot();
  });
  return [h("h1", {}, "Webhooks portal"), message ? h("p", { "data-test": "sign-in-message" }, message) : null, form];
}

// --- routing ----------------------------------------------------------------

function hashPath() {
  return location.hash.split("?")[0] || "#/";
}

function hashQuery() {
  return new URLSearchParams(location.hash.split("?")[1] || "");
}

function schedule(ms) {
  clearTimeout(state.timer);
  const at = location.hash;
  state.timer = setTimeout(() => {
    if (location.hash === at && !document.querySelector("form:focus-within")) route({ quiet: true });
  }, ms);
}

function setNav(current) {
  const nav = document.getElementById("nav");
  const items = [];
  if (state.app) {
    items.push(["#/endpoints", "Endpoints"], ["#/messages", "Deliveries"], ["#/failed", "Failed"]);
  }
  const links = items.map(([href, text]) =>
    h("a", { href, "aria-current": current.startsWith(href) ? "page" : null }, text));
  if (state.admin) {
    links.push(h("a", { href: "?#/apps", "aria-current": !state.app ? "page" : null }, "All applications"));
  }
  nav.replaceChildren(...links);
}

async function route(opts) {
  const quiet = opts && opts.quiet;
  clearTimeout(state.timer);
  const path = hashPath();
  const parts = path.replace(/^#\/?/, "").split("/").filter(Boolean);
  const main = document.getElementById("main");
  if (!quiet && state.noticeFor !== location.hash) clearMessages();
  setNav(path);
  let view;
  try {
    if (!state.app) {
      view = await screenApps();
    } else if (parts[0] === "endpoints" && parts[1] === "new") {
      view = await screenEndpointForm(null);
    } else if (parts[0] === "endpoints" && parts[1] && parts[2] === "edit") {
      view = await screenEndpointForm(parts[1]);
    } else if (parts[0] === "endpoints" && parts[1]) {
      view = await screenEndpoint(parts[1]);
    } else if (parts[0] === "messages" && parts[1]) {
      view = await screenMessage(parts[1]);
    } else if (parts[0] === "messages") {
      view = await screenMessages();
    } else if (parts[0] === "failed") {
      view = await screenFailed();
    } else {
      view = await screenEndpoints();
    }
  } catch (err) {
    if (quiet) return;
    showError(err);
    if (err instanceof ApiError && err.status === 401) {
      main.replaceChildren(...screenSignIn(readable(err)));
      return;
    }
    view = [h("p", {}, link("#/endpoints", "Back to the endpoints"))];
  }
  main.replaceChildren(...[view].flat().filter(Boolean));
  if (!quiet) main.focus({ preventScroll: true });
}

function applyTheme(theme, fallbackName) {
  const name = theme.name || fallbackName || "Webhooks";
  document.getElementById("title").textContent = name;
  document.title = `${name} · Webhooks`;
  const logo = document.getElementById("logo");
  if (theme.logo_url) {
    logo.src = theme.logo_url;
    logo.alt = `${name} logo`;
    logo.hidden = false;
  }
  if (theme.color) document.documentElement.style.setProperty("--accent", theme.color);
}

async function boot() {
  const frag = new URLSearchParams(location.hash.replace(/^#/, ""));
  const fromLink = frag.get("token");
  if (fromLink && appId) {
    sessionStorage.setItem(appKey(appId), fromLink);
    history.replaceState(null, "", location.pathname + location.search + "#/endpoints");
  }
  const main = document.getElementById("main");
  state.token = (appId && sessionStorage.getItem(appKey(appId))) || sessionStorage.getItem(ADMIN_KEY);
  if (!state.token) {
    main.replaceChildren(...screenSignIn(appId ? "Open this page with the link you were given." : null));
    return;
  }
  try {
    state.admin = await api("GET", "/apps?limit=1").then(() => true, (e) => {
      if (e.status === 401) throw e;
      return false;
    });
    if (appId) {
      state.app = await api("GET", `/apps/${encodeURIComponent(appId)}`);
      const theme = await api("GET", appPath("/portal-theme")).catch(() => ({}));
      applyTheme(theme, state.app.name);
    } else if (!state.admin) {
      main.replaceChildren(...screenSignIn("Open this page with the link you were given."));
      return;
    } else {
      applyTheme({}, "Webhooks · operator");
    }
  } catch (err) {
    showError(err);
    sessionStorage.removeItem(appId ? appKey(appId) : ADMIN_KEY);
    main.replaceChildren(...screenSignIn(readable(err)));
    return;
  }
  window.onhashchange = () => route();
  await route();
}

boot();
