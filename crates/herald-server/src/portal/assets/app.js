// The portal's start: the dashboard, the operator's list of applications,
// signing in, the router and boot. (Helpers in core.js, screens in
// endpoints.js and deliveries.js.)
"use strict";

function figures(f, test) {
  return h("div", { class: "stats", "data-test": test },
    statBox("Success rate", pct(f.success_rate), "success-rate"),
    statBox("Delivered", f.delivered),
    statBox("Failed", f.failed, "failed"),
    statBox("Avg. response", ms(f.avg_response_ms)),
    statBox("Retries", f.retries));
}

// One view over all of the application's endpoints: 24 hours and 7 days,
// each endpoint's health, and a way to its failures.
async function screenDashboard() {
  const d = await api("GET", appPath("/dashboard"));
  return [
    h("div", { class: "row" }, h("h1", { class: "grow" }, "Overview"),
      h("span", { class: "small muted" }, "Last 24 hours:"), healthBadge(d.day.health)),
    h("h2", {}, "Last 24 hours"),
    figures(d.day, "day"),
    d.backlog ? h("p", { class: "small muted" }, `${plural(d.backlog, "delivery", "deliveries")} waiting to be sent.`) : null,
    h("h2", {}, "Last 7 days"),
    figures(d.week, "week"),
    h("h2", {}, "Endpoints"),
    d.endpoints.length === 0
      ? h("div", { class: "card empty" }, h("p", {}, "No endpoints yet. "), link("#/endpoints/new", "Add an endpoint", { class: "button" }))
      : h("ul", { class: "list", "data-test": "endpoint-health" },
          d.endpoints.map((e) => h("li", { "data-endpoint": e.id, "data-health": e.day.health },
            h("div", { class: "row" },
              h("div", { class: "grow" }, link(`#/endpoints/${e.id}`, e.url, { class: "url" })),
              e.disabled ? h("span", { class: "badge bad" }, "Disabled") : e.paused ? h("span", { class: "badge warn" }, "Paused") : null,
              healthBadge(e.day.health)),
            e.description ? h("div", { class: "small" }, e.description) : null,
            h("p", { class: "small muted" },
              e.day.attempts
                ? `24 hours: ${pct(e.day.success_rate)} of attempts succeeded, ${plural(e.day.failed, "failed delivery", "failed deliveries")}, ${ms(e.day.avg_response_ms)} on average`
                : "24 hours: nothing sent",
              e.week.attempts ? ` · 7 days: ${pct(e.week.success_rate)} of attempts succeeded, ${e.week.failed} failed` : ""),
            e.week.failed
              ? h("p", { class: "small" }, link(`#/failed${qs({ endpoint: e.id })}`, `See its failed deliveries`, { "data-test": "failures-link" }))
              : null))),
  ];
}

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
  return [
    h("h1", {}, "Applications"),
    h("p", { class: "muted" }, "Every application and how its deliveries went over the last 24 hours."),
    rows.length === 0 ? h("p", { class: "card empty" }, "No applications yet.") : null,
    h("ul", { class: "list", "data-test": "apps" },
      rows.map(([a, s, eps]) => {
        const off = eps ? eps.filter((e) => e.disabled) : [];
        return h("li", { "data-app": a.id },
          h("div", { class: "row" },
            h("div", { class: "grow" }, h("strong", {}, a.name), " ", h("span", { class: "muted small id" }, a.uid || a.id),
              " ", h("span", { class: "badge info" }, a.live ? "live" : "test")),
            healthBadge(healthOf(s)),
            link(`?app=${encodeURIComponent(a.id)}#/overview`, "Open", { class: "button secondary" })),
          !s ? h("p", { class: "small muted" }, "No figures available.")
            : s.attempts === 0 ? h("p", { class: "small muted" }, `No attempts in the last 24 hours · ${s.backlog} waiting`)
              : h("p", { class: "small muted" },
                  `${plural(s.attempts, "attempt")} · ${pct(s.success_rate)} succeeded · ${s.failed} failed · ${s.backlog} waiting`),
          eps
            ? h("p", { class: "small" }, plural(eps.length, "endpoint"), " ",
                off.length ? h("span", { class: "badge bad" }, `${off.length} disabled`) : null,
                off.filter((e) => e.disabled_reason).map((e) => h("span", { class: "muted" }, ` ${e.url}: ${e.disabled_reason}`)))
            : null);
      })),
  ];
}

// A customer's link that no longer works: what to do, and no sign-in form.
function screenLinkProblem(message) {
  return [h("h1", {}, "Webhooks portal"),
    h("div", { class: "card" }, message ? h("p", { "data-test": "sign-in-message" }, message) : null,
      h("p", { class: "muted" }, "Portal links last a limited time. Ask the service that sent you this one for a new link."))];
}

// The operator's sign-in with an admin token.
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
  const said = message ? [h("p", { "data-test": "sign-in-message", class: "field-error" }, message)] : [];
  return [h("h1", {}, "Webhooks portal"), ...said, form];
}

// --- routing ----------------------------------------------------------------

function hashPath() {
  return location.hash.split("?")[0] || "#/";
}

function hashQuery() {
  return new URLSearchParams(location.hash.split("?")[1] || "");
}

// Shows the screen again after `ms`, quietly, unless the reader moved on;
// waits while they type in a form, answer a confirmation or read a
// revealed secret.
function schedule(ms) {
  clearTimeout(state.timer);
  const at = location.hash;
  state.timer = setTimeout(() => {
    if (location.hash !== at) return;
    if (document.querySelector("form:focus-within, [data-test=confirm], [aria-pressed=true]")) schedule(ms);
    else route({ quiet: true });
  }, ms);
}

function setNav(current) {
  const nav = document.getElementById("nav");
  const items = [];
  if (state.app) {
    items.push(["#/overview", "Overview"], ["#/endpoints", "Endpoints"], ["#/messages", "Deliveries"], ["#/failed", "Failed"]);
  }
  const links = items.map(([href, text]) =>
    h("a", { href, "aria-current": current.startsWith(href) ? "page" : null }, text));
  if (state.admin) {
    links.push(h("a", { href: "?#/apps", "aria-current": !state.app ? "page" : null }, "All applications"));
  }
  nav.replaceChildren(...links);
}

function screenFor(parts) {
  if (!state.app) return screenApps();
  if (parts[0] === "endpoints" && parts[1] === "new") return screenEndpointForm(null);
  if (parts[0] === "endpoints" && parts[1] && parts[2] === "edit") return screenEndpointForm(parts[1]);
  if (parts[0] === "endpoints" && parts[1]) return screenEndpoint(parts[1]);
  if (parts[0] === "endpoints") return screenEndpoints();
  if (parts[0] === "messages" && parts[1]) return screenMessage(parts[1]);
  if (parts[0] === "messages") return screenMessages();
  if (parts[0] === "failed") return screenFailed();
  return screenDashboard();
}

// Shows the screen the address names. A new screen replaces the old one
// with "Loading…" at once; `refresh` (after an action) keeps it, dimmed,
// until the new one is ready; `quiet` (a timed refresh) shows no error.
async function route(opts) {
  const { quiet, refresh } = opts || {};
  clearTimeout(state.timer);
  const seq = ++state.seq;
  const path = hashPath();
  const parts = path.replace(/^#\/?/, "").split("/").filter(Boolean);
  const main = document.getElementById("main");
  if (!quiet && !refresh && state.noticeFor !== location.hash) clearMessages();
  setNav(path);
  main.setAttribute("aria-busy", "true");
  if (!quiet && !refresh) {
    main.replaceChildren(h("p", { class: "loading", role: "status", "data-test": "loading" }, "Loading…"));
  }
  let view;
  try {
    view = await screenFor(parts);
  } catch (err) {
    if (seq !== state.seq) return;
    main.removeAttribute("aria-busy");
    if (quiet) return;
    if (err instanceof ApiError && err.status === 401) {
      signedOut(err);
      return;
    }
    showError(err);
    view = [h("p", {}, link("#/overview", "Back to the overview"))];
  }
  if (seq !== state.seq) return;
  main.removeAttribute("aria-busy");
  main.replaceChildren(...[view].flat().filter(Boolean));
  if (!quiet && !refresh) main.focus({ preventScroll: true });
}

// The token no longer works: an operator signs in again; a customer is
// told to ask for a new link (and shown no sign-in form).
function signedOut(err) {
  sessionStorage.removeItem(state.kind === "link" ? appKey(appId) : ADMIN_KEY);
  const main = document.getElementById("main");
  main.removeAttribute("aria-busy");
  state.admin = false;
  state.app = null;
  setNav("");
  if (state.kind === "admin") {
    clearMessages();
    main.replaceChildren(...screenSignIn(readable(err)));
  } else {
    showError(err);
    main.replaceChildren(...screenLinkProblem(null));
  }
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
    history.replaceState(null, "", location.pathname + location.search + "#/overview");
  }
  const main = document.getElementById("main");
  const linkToken = appId && sessionStorage.getItem(appKey(appId));
  state.token = linkToken || sessionStorage.getItem(ADMIN_KEY);
  state.kind = linkToken ? "link" : "admin";
  if (!state.token) {
    main.replaceChildren(...(appId ? screenLinkProblem("Open this page with the link you were given.") : screenSignIn(null)));
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
      main.replaceChildren(...screenLinkProblem("Open this page with the link you were given."));
      return;
    } else {
      applyTheme({}, "Webhooks · operator");
    }
  } catch (err) {
    signedOut(err);
    return;
  }
  window.onhashchange = () => route();
  await route();
}

boot();
