// Herald's customer portal: one page, no dependencies, talking to the JSON
// API with the token its link carried. Every value from the API is put into
// the page as text (never as HTML). This file: the helpers every screen
// uses (elements, API calls, messages in the reader's words, badges).
"use strict";

const API = new URL("../api/v1", location.href).pathname;
const params = new URLSearchParams(location.search);
const appId = params.get("app");
const ADMIN_KEY = "herald.portal.admin";
const appKey = (id) => "herald.portal.app." + id;

// `kind`: "link" (a customer's portal link) or "admin" (an operator's token).
const state = { token: null, kind: null, admin: false, app: null, endpoints: null, eventTypes: null, timer: null,
  noticeFor: null, seq: 0, recovery: null };

// --- elements -----------------------------------------------------------------

function h(tag, props, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(props || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k.startsWith("on")) el.addEventListener(k.slice(2), v);
    else if (k === "text") el.textContent = v;
    else el.setAttribute(k, v === true ? "" : String(v));
  }
  for (const c of children.flat(Infinity)) {
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

function link(href, text, extra) {
  return h("a", Object.assign({ href }, extra || {}), text);
}

function button(text, onclick, extra) {
  return h("button", Object.assign({ type: "button", onclick }, extra || {}), text);
}

// "1 attempt", "2 attempts", "1 delivery", "3 deliveries".
function plural(n, one, many) {
  return `${n} ${n === 1 ? one : many || one + "s"}`;
}

function sentence(text) {
  const t = String(text || "").trim();
  if (!t) return "";
  const s = t[0].toUpperCase() + t.slice(1);
  return /[.!?…]$/.test(s) ? s : s + ".";
}

// --- the API ----------------------------------------------------------------

class ApiError extends Error {
  constructor(status, code, message, field) {
    super(message);
    this.status = status;
    this.code = code;
    this.field = field || null;
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
    throw new ApiError(res.status, data && data.code, message, data && data.field);
  }
  return data;
}

function appPath(rest) {
  return `/apps/${encodeURIComponent(state.app.id)}${rest}`;
}

// A validation error's message without the field's name in front.
function fieldMessage(err) {
  const prefix = err.field ? err.field + ": " : "";
  return sentence(prefix && err.message.startsWith(prefix) ? err.message.slice(prefix.length) : err.message);
}

// What went wrong, in the words of the person reading.
function readable(err) {
  if (!(err instanceof ApiError)) return sentence(err && err.message ? err.message : err);
  if (err.status === 401) {
    return state.kind === "admin"
      ? "That admin token was not accepted. Check it and sign in again."
      : "This portal link has expired or was revoked. Ask the service that sent it for a new link.";
  }
  if (err.status === 429) return "Too many requests at once. Wait a moment and try again.";
  if (err.status === 503) return "The service is briefly unavailable. Try again in a few seconds.";
  if (err.status === 403) return "This portal link does not allow that.";
  if (err.status === 404) return `${sentence(err.message)} It may have been deleted, or the address is incomplete.`;
  if (err.status === 422) return fieldMessage(err);
  return sentence(err.message);
}

// --- messages on the page ---------------------------------------------------

function showError(err) {
  const box = document.getElementById("error");
  box.textContent = readable(err);
  box.hidden = false;
}

function clearMessages() {
  const box = document.getElementById("error");
  box.hidden = true;
  box.textContent = "";
  const n = document.getElementById("notice");
  n.textContent = "";
  n.removeAttribute("data-kind");
}

// A notice stays on the screen it was given for; moving on clears it.
// `kind`: "ok" (green), "bad" (an action done, but it did not work) or "info".
function notice(text, kind) {
  state.noticeFor = location.hash;
  const n = document.getElementById("notice");
  n.textContent = text;
  n.setAttribute("data-kind", kind || "ok");
}

// Shows `text` under the field `id` (and marks it invalid) until it changes.
function fieldError(id, text) {
  const input = document.getElementById(id);
  if (!input) return false;
  const holder = input.closest(".field, fieldset") || input.parentElement;
  let p = holder.querySelector(`#${CSS.escape(id)}-error`);
  if (!p) {
    p = h("p", { class: "field-error", id: `${id}-error`, "data-test": "field-error" });
    holder.append(p);
  }
  p.textContent = text;
  input.setAttribute("aria-invalid", "true");
  input.setAttribute("aria-describedby", p.id);
  const clear = () => {
    if (!p.isConnected) return;
    p.remove();
    input.removeAttribute("aria-invalid");
    input.removeAttribute("aria-describedby");
  };
  for (const ev of ["input", "change"]) holder.addEventListener(ev, clear, { once: true });
  return true;
}

function clearFieldErrors(root) {
  for (const p of root.querySelectorAll(".field-error")) p.remove();
  for (const el of root.querySelectorAll("[aria-invalid]")) el.removeAttribute("aria-invalid");
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

// An in-page confirmation in `slot`: the question, a button that does it,
// and Cancel.
function confirmIn(slot, question, yes, run) {
  const panel = h("div", { class: "confirm", role: "group", "aria-label": question, "data-test": "confirm" },
    h("p", {}, question),
    h("div", { class: "actions" },
      button(yes, action(async () => {
        await run();
        panel.remove();
      }), { class: "danger" }),
      button("Cancel", () => panel.remove(), { class: "secondary" })));
  slot.replaceChildren(panel);
  panel.querySelector("button").focus();
}

// --- formats ------------------------------------------------------------------

function when(ts) {
  if (!ts) return "—";
  const d = new Date(ts);
  return d.toLocaleString(undefined, { dateStyle: "medium", timeStyle: "medium" });
}

// 0.6 → "60%", 0.0909 → "9.1%".
function pct(x) {
  return x === null || x === undefined ? "—" : `${Number((x * 100).toFixed(1))}%`;
}

function ms(x) {
  return x === null || x === undefined ? "—" : `${Math.round(x)} ms`;
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

// Whether an endpoint's event-type pattern (`*` matches anything) takes `name`.
function patternMatches(pattern, name) {
  const re = "^" + pattern.split("*").map((p) => p.replace(/[.+?^${}()|[\]\\]/g, "\\$&")).join(".*") + "$";
  return new RegExp(re).test(name);
}

// --- statuses and health --------------------------------------------------------

const STATUS = {
  pending: ["Pending", "info"],
  retrying: ["Retrying", "warn"],
  delivered: ["Delivered", "ok"],
  failed: ["Failed", "bad"],
};

function statusBadge(s, count) {
  const [label, kind] = STATUS[s] || [s, "info"];
  return h("span", { class: `badge ${kind}`, "data-status": s }, count ? `${label} · ${count}` : label);
}

// A message's deliveries in one cell: one badge, or one per status with
// how many endpoints are in it.
function summarise(deliveries) {
  if (!deliveries || deliveries.length === 0) return h("span", { class: "muted small" }, "no endpoint");
  if (deliveries.length === 1) return statusBadge(deliveries[0].status);
  const counts = {};
  for (const d of deliveries) counts[d.status] = (counts[d.status] || 0) + 1;
  return h("span", { class: "badges" }, Object.entries(counts).map(([s, n]) => statusBadge(s, n)));
}

const HEALTH = {
  healthy: ["Healthy", "ok"],
  degraded: ["Degraded", "warn"],
  failing: ["Failing", "bad"],
  idle: ["Idle", "info"],
};

// As the dashboard API and the operator view judge it.
function healthOf(stats) {
  if (!stats || !stats.attempts) return "idle";
  if (stats.success_rate >= 0.95) return "healthy";
  if (stats.success_rate >= 0.5) return "degraded";
  return "failing";
}

function healthBadge(health) {
  const [label, kind] = HEALTH[health] || HEALTH.idle;
  return h("span", { class: `badge ${kind}`, "data-health": health }, label);
}

// An endpoint's state, with its health over 24 hours when it is enabled.
function endpointStates(ep, stats) {
  const out = [];
  if (ep.disabled) {
    out.push(["Disabled", "bad", ep.disabled_reason ? `Disabled by Herald: ${ep.disabled_reason}` : "Disabled by hand"]);
  } else if (ep.paused) {
    out.push(["Paused", "warn", "Deliveries wait until it is resumed"]);
  } else {
    const health = healthOf(stats);
    const rate = stats ? `${pct(stats.success_rate)} of attempts succeeded in the last 24 hours` : "";
    if (health === "failing") out.push(["Failing", "bad", `Enabled, but only ${rate}`]);
    else if (health === "degraded") out.push(["Degraded", "warn", `Enabled; ${rate}`]);
    else if (health === "healthy") out.push(["Enabled", "ok", `Receiving events; ${rate}`]);
    else out.push(["Enabled", "ok", "No deliveries in the last 24 hours"]);
  }
  if (ep.circuit) out.push(["Circuit open", "bad", `Until ${when(ep.circuit.open_until)}: ${ep.circuit.reason}`]);
  if (ep.verification) {
    const v = ep.verification.status;
    out.push([`Verification ${v}`, v === "verified" ? "ok" : "warn", ep.verification.error || ""]);
  }
  if (ep.expires_at) out.push(["Temporary", "info", `Deleted by itself at ${when(ep.expires_at)}`]);
  return out;
}

function stateBadges(ep, stats) {
  return endpointStates(ep, stats).map(([label, kind, why]) =>
    h("span", { class: "row" }, h("span", { class: `badge ${kind}`, "data-state": label }, label),
      why ? h("span", { class: "muted small" }, why) : null),
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

function statBox(label, value, test) {
  return h("div", { class: "stat", "data-test": test || null }, h("span", { class: "small muted" }, label), h("b", {}, value));
}
