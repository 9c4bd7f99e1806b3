// The portal's delivery screens: the log (with filters), one message with
// its deliveries and attempts, and the failed deliveries with replay, bulk
// recovery and download.
"use strict";

const PAGE = 25;

// The answer worth showing for a message's row: of a delivery in the status
// filtered by, else of one that failed or is retrying, else any.
function lastAnswer(deliveries, status) {
  const answered = (deliveries || []).filter((d) => d.last_status_code || d.last_error);
  const pick = status
    ? answered.find((d) => d.status === status)
    : answered.find((d) => d.status === "failed" || d.status === "retrying") || answered[0];
  if (!pick) return "";
  const what = pick.last_status_code ? "HTTP " + pick.last_status_code : pick.last_error;
  return deliveries.length > 1 ? ` · last answer from ${endpointLabel(pick.endpoint_id)}: ${what}` : ` · last answer: ${what}`;
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
  const filtered = Boolean(filters.status || filters.event_type || filters.since || (!fixed.endpoint && filters.endpoint));
  const types = await loadEventTypes();
  const eps = state.endpoints || (await loadEndpoints());
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
    button("Refresh", () => route({ refresh: true }), { class: "secondary", id: "refresh-log" }));
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
  const more = button("Load more", null, { class: "secondary", hidden: true });
  let iterator = null;
  let waiting = false;
  const load = async () => {
    const page = await api("GET", appPath("/messages" + qs({ ...filters, with_deliveries: "true", limit: PAGE, iterator })));
    for (const m of page.data) {
      const deliveries = fixed.endpoint ? (m.deliveries || []).filter((d) => d.endpoint_id === fixed.endpoint) : m.deliveries || [];
      if (deliveries.some((d) => d.status === "pending" || d.status === "retrying")) waiting = true;
      list.append(h("li", { "data-message": m.id },
        h("div", { class: "row" },
          h("div", { class: "grow" }, link(`#/messages/${m.id}`, m.event_type, { class: "url" }),
            " ", h("span", { class: "muted small id" }, m.id)),
          summarise(deliveries)),
        h("div", { class: "small muted" }, when(m.created_at), lastAnswer(deliveries, filters.status))));
    }
    if (page.data.length === 0 && !list.children.length) {
      list.append(h("li", { class: "muted empty", "data-test": "log-empty" },
        filtered ? "No deliveries match these filters."
          : fixed.endpoint ? "Nothing sent to this endpoint yet. Send a test event above to see one here."
            : "No deliveries yet. Each event sent to your endpoints shows here."));
    }
    iterator = page.iterator;
    more.hidden = page.done || page.data.length < PAGE;
  };
  more.addEventListener("click", action(load));
  await load();
  if (waiting) schedule(2000);
  return h("section", { "aria-label": "Delivery log" }, form, list, more);
}

async function screenMessages() {
  return [h("h1", {}, "Deliveries"), await messageLog({})];
}

// A delivery's last error when it says more than its status code.
function errorBeyondStatus(d) {
  return d.last_error && d.last_error !== `HTTP ${d.last_status_code}` ? ` · ${d.last_error}` : "";
}

// Sends a failed delivery again now, and says how it went. Never offered
// for a delivered one (and the API refuses if it was delivered meanwhile).
function replayButton(msgId, endpointId) {
  const replay = action(async () => {
    const a = await api("POST", appPath(`/messages/${msgId}/endpoints/${endpointId}/replay?only_failed=true`));
    if (a.status === "success") notice(`Sent again: HTTP ${a.status_code}, delivered.`);
    else notice(`Sent again, and it failed again: ${a.status_code ? "HTTP " + a.status_code : a.error}.`, "bad");
    await route({ refresh: true });
  });
  return button("Replay", replay, { class: "secondary", "data-test": "replay" });
}

function requestView(req) {
  return h("div", { class: "card small", "data-test": "request" },
    h("p", {}, h("strong", {}, `${req.method} `), h("span", { class: "url" }, req.url)),
    h("table", { class: "headers" }, h("tbody", {}, req.headers.map(([k, v]) => h("tr", {}, h("th", { scope: "row" }, k), h("td", {}, v))))),
    // Byte for byte as sent: the signatures are over exactly this text.
    req.body === null ? h("p", { class: "muted" }, "The payload was removed (retention).") : h("pre", { "data-test": "request-body" }, req.body),
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
        plural(d.attempts, "attempt"),
        d.last_status_code ? ` · last answer HTTP ${d.last_status_code}` : "",
        errorBeyondStatus(d),
        d.next_attempt_at && d.status !== "delivered" && d.status !== "failed" ? ` · next try ${when(d.next_attempt_at)}` : ""),
      d.status === "failed" ? h("div", { class: "actions" }, replayButton(id, d.endpoint_id)) : null);
  });
  const attemptItems = attempts.data.map((a) => {
    const slot = h("div", {});
    const show = action(async (ev) => {
      const b = ev.currentTarget;
      const req = await api("GET", appPath(`/messages/${id}/attempts/${a.id}/request`));
      slot.replaceChildren(requestView(req));
      b.hidden = true;
    });
    return h("li", { "data-attempt": a.id, "data-result": a.status, "data-number": a.attempt_number },
      h("div", { class: "row" },
        h("strong", { class: "grow" }, `Attempt ${a.attempt_number}${a.manual ? " (replay)" : ""}`),
        h("span", { class: `badge ${a.status === "success" ? "ok" : "bad"}` },
          a.status_code ? `HTTP ${a.status_code}` : "No response")),
      h("dl", { class: "kv" },
        h("dt", {}, "Sent"), h("dd", {}, when(a.timestamp)),
        h("dt", {}, "To"), h("dd", { class: "url" }, a.url),
        h("dt", {}, "Response time"), h("dd", {}, ms(a.latency_ms)),
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

// Saves what `path` answers as `filename`; says so, and saves nothing, when
// it is empty.
async function download(path, filename) {
  const res = await fetch(API + path, { headers: { Authorization: "Bearer " + state.token } });
  if (!res.ok) {
    const data = await res.json().catch(() => null);
    throw new ApiError(res.status, data && data.code, (data && data.message) || `HTTP ${res.status}`);
  }
  const blob = await res.blob();
  if (blob.size === 0) {
    notice("There are no failed payloads to download.", "info");
    return;
  }
  const a = h("a", { href: URL.createObjectURL(blob), download: filename });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(a.href), 10000);
  notice(`Downloaded ${filename}.`);
}

// The bulk recovery started last on this page, and how far it is.
async function recoveryBox() {
  if (!state.recovery || state.recovery.app !== state.app.id) return null;
  const job = await api("GET", appPath(`/recoveries/${state.recovery.id}`)).catch(() => null);
  if (!job) return null;
  const running = job.status === "queued" || job.status === "running";
  if (running) schedule(1500);
  const what = plural(job.total, "failed delivery", "failed deliveries");
  return h("p", { class: "card small", "data-test": "recovery", "data-status": job.status },
    running ? `Sending ${what} again: ${job.done} of ${job.total} queued so far.`
      : job.status === "done" ? `Recovery done: ${what} queued again. Their new attempts show under Deliveries.`
        : `The recovery stopped (${job.status}) after ${job.done} of ${job.total}.`);
}

async function screenFailed() {
  const eps = state.endpoints || (await loadEndpoints());
  const q = hashQuery();
  const endpoint = q.get("endpoint") || "";
  // The recovery's state first, then the list: a list read before a
  // recovery that reports done could still hold what it queued again, and
  // a done recovery no longer refreshes the page.
  const progress = await recoveryBox();
  const page = await api("GET", appPath("/dead-letters" + qs({ endpoint, limit: 50 })));
  const failed = page.data.filter((d) => d.status === "failed");
  const epSelect = (id, value) =>
    h("select", { id }, h("option", { value: "" }, "All endpoints"),
      eps.map((e) => h("option", { value: e.id, selected: e.id === value }, e.url)));
  const since = h("input", { type: "datetime-local", id: "recover-since", required: true,
    value: rfc3339ToLocal(new Date(Date.now() - 86400000).toISOString()) });
  const recoverEp = epSelect("recover-endpoint", endpoint);
  const recover = action(async () => {
    if (!since.value) throw new Error("Choose since when to send failed deliveries again.");
    const body = { since: localToRfc3339(since.value) };
    if (recoverEp.value) body.endpoint = recoverEp.value;
    const job = await api("POST", appPath("/recoveries"), body);
    state.recovery = { app: state.app.id, id: job.id };
    notice(job.total === 0 ? "Nothing to recover: no delivery failed in that time."
      : `Recovery started: ${plural(job.total, "failed delivery", "failed deliveries")} to send again.`, job.total ? "ok" : "info");
    await route({ refresh: true });
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
        button("Recover", recover, { id: "recover" }))),
    progress,
    h("div", { class: "filters" },
      h("div", { class: "field" }, h("label", { for: "failed-endpoint" }, "Show endpoint"), filterEp),
      button("Download failed payloads", downloadFailed, { class: "secondary", id: "download-failed", disabled: failed.length === 0 })),
    failed.length === 0
      ? h("p", { class: "card empty muted", "data-test": "failed-empty" },
          "No failed deliveries. Deliveries that use up their retries show here, to send again.")
      : h("ul", { class: "list", "data-test": "dead-letters" },
          failed.map((d) => h("li", { "data-message": d.message.id },
            h("div", { class: "row" },
              h("div", { class: "grow" }, link(`#/messages/${d.message.id}`, d.message.event_type, { class: "url" }),
                " ", h("span", { class: "muted small id" }, d.message.id)),
              statusBadge(d.status)),
            h("div", { class: "small muted" }, endpointLabel(d.endpoint_id), " · ", when(d.last_attempt_at),
              d.last_status_code ? ` · HTTP ${d.last_status_code}` : "",
              errorBeyondStatus(d)),
            h("div", { class: "actions" }, replayButton(d.message.id, d.endpoint_id))))),
  ];
}
