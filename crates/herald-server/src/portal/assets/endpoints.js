// The portal's endpoint screens: the list, the form (add and edit), and an
// endpoint's page (figures, chart, test event, secret, snippets, its log).
"use strict";

async function screenEndpoints() {
  const eps = await loadEndpoints();
  const stats = await Promise.all(
    eps.map((e) => api("GET", appPath(`/endpoints/${e.id}/stats?window=day`)).catch(() => null)),
  );
  return [
    h("div", { class: "row" }, h("h1", { class: "grow" }, "Endpoints"), link("#/endpoints/new", "Add endpoint", { class: "button" })),
    eps.length === 0
      ? h("div", { class: "card empty" }, h("p", {}, "No endpoints yet. Add the URL where your server receives webhooks."))
      : h("ul", { class: "list", "data-test": "endpoints" },
          eps.map((ep, i) =>
            h("li", { "data-endpoint": ep.id },
              h("div", { class: "row" }, h("div", { class: "grow" }, link(`#/endpoints/${ep.id}`, ep.url, { class: "url" }))),
              ep.description ? h("div", {}, ep.description) : null,
              h("div", { class: "row small" }, stateBadges(ep, stats[i])),
              h("div", { class: "small muted" },
                ep.event_types ? `Events: ${ep.event_types.join(", ")}` : "All events",
                stats[i] && stats[i].attempts > 0
                  ? ` · ${plural(stats[i].failed, "failed delivery", "failed deliveries")} in 24 hours`
                  : "")))),
  ];
}

function parseHeaders(text) {
  const out = {};
  for (const [i, raw] of text.split("\n").entries()) {
    const line = raw.trim();
    if (!line) continue;
    const at = line.indexOf(":");
    if (at <= 0) throw Object.assign(new Error(`Line ${i + 1}: write each header as Name: value.`), { field: "ep-headers" });
    out[line.slice(0, at).trim()] = line.slice(at + 1).trim();
  }
  return out;
}

// Where the API's field names are shown in the endpoint form.
const FORM_FIELDS = { url: "ep-url", description: "ep-description", event_types: "ep-patterns", headers: "ep-headers",
  profile: "ep-rate", "profile.rate_limit": "ep-rate" };

async function screenEndpointForm(id) {
  const [types, ep] = await Promise.all([
    loadEventTypes(),
    id ? api("GET", appPath(`/endpoints/${id}`)) : Promise.resolve(null),
  ]);
  const names = new Set(types.map((t) => t.name));
  const chosen = new Set((ep && ep.event_types) || []);
  // Wildcards ("referral.*") and names the catalog does not list: shown and
  // kept in their own field.
  const patterns = [...chosen].filter((p) => !names.has(p));
  const all = !ep || !ep.event_types;
  const rate = ep && ep.profile && ep.profile.rate_limit ? ep.profile.rate_limit.per_second : "";
  const headersText = ep ? Object.entries(ep.headers || {}).map(([k, v]) => `${k}: ${v}`).join("\n") : "";

  const typeList = h("ul", { class: "types", id: "type-list" },
    types.map((t) => {
      const by = patterns.find((p) => patternMatches(p, t.name));
      return h("li", {},
        h("input", { type: "checkbox", id: `type-${t.name}`, name: "event_type", value: t.name, checked: chosen.has(t.name) }),
        " ",
        h("label", { class: "inline", for: `type-${t.name}` }, h("code", {}, t.name)),
        by ? h("span", { class: "muted small" }, ` (also sent by ${by})`) : null,
        t.description ? h("p", { class: "hint" }, t.description) : null,
        t.example !== null && t.example !== undefined
          ? h("details", {}, h("summary", { class: "small" }, "Example payload"), h("pre", {}, pretty(t.example)))
          : null);
    }));
  const patternInput = h("input", { type: "text", id: "ep-patterns", name: "patterns", value: patterns.join(", "),
    placeholder: "referral.*", autocomplete: "off" });
  const setEnabled = () => {
    const only = form.querySelector("#events-chosen").checked;
    for (const box of typeList.querySelectorAll("input")) box.disabled = !only;
    patternInput.disabled = !only;
  };
  const form = h("form", { id: "endpoint-form", novalidate: true },
    h("div", { class: "field" },
      h("label", { for: "ep-url" }, "Endpoint URL"),
      h("input", { type: "url", id: "ep-url", name: "url", required: true, value: ep ? ep.url : "", placeholder: "https://example.com/webhooks", autocomplete: "url" }),
      h("p", { class: "hint" }, "Where your server receives the webhooks (an HTTPS address).")),
    h("div", { class: "field" },
      h("label", { for: "ep-description" }, "Description"),
      h("input", { type: "text", id: "ep-description", name: "description", value: ep ? ep.description : "" })),
    h("fieldset", { id: "ep-events" },
      h("legend", {}, "Events to send"),
      h("div", {}, h("input", { type: "radio", id: "events-all", name: "events", value: "all", checked: all, onchange: setEnabled }), " ",
        h("label", { class: "inline", for: "events-all" }, "All events")),
      h("div", {}, h("input", { type: "radio", id: "events-chosen", name: "events", value: "chosen", checked: !all, onchange: setEnabled }), " ",
        h("label", { class: "inline", for: "events-chosen" }, "Only the events chosen below")),
      types.length ? typeList : h("p", { class: "hint" }, "The catalog has no event types yet."),
      h("div", { class: "field" },
        h("label", { for: "ep-patterns" }, "Other event types and patterns"),
        patternInput,
        h("p", { class: "hint" }, "Separated by commas; * stands for any part of a name: referral.* sends every referral event."))),
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
  const fail = (field, text) => Object.assign(new Error(text), { field });
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const submit = form.querySelector("button[type=submit]");
    submit.disabled = true;
    clearMessages();
    clearFieldErrors(form);
    try {
      const only = form.querySelector("#events-chosen").checked;
      const picked = [...typeList.querySelectorAll("input:checked")].map((b) => b.value);
      const extra = patternInput.value.split(",").map((s) => s.trim()).filter(Boolean);
      const eventTypes = [...new Set([...picked, ...extra])];
      if (only && eventTypes.length === 0) throw fail("ep-patterns", "Choose at least one event, or send all events.");
      const rateText = form.querySelector("#ep-rate").value.trim();
      const perSecond = rateText === "" ? null : Number(rateText);
      if (perSecond !== null && !(perSecond > 0)) throw fail("ep-rate", "Enter a number above 0, or leave it empty for no limit.");
      const body = {
        url: form.querySelector("#ep-url").value.trim(),
        description: form.querySelector("#ep-description").value,
        event_types: only ? eventTypes : null,
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
      const at = err instanceof ApiError ? FORM_FIELDS[err.field] || FORM_FIELDS[(err.field || "").split(".")[0]] : err.field;
      const text = err instanceof ApiError ? readable(err) : err.message;
      if (!(at && err.status !== 401 && fieldError(at, text))) showError(err);
      else document.getElementById(at).focus();
    } finally {
      submit.disabled = false;
    }
  });
  setTimeout(setEnabled, 0);
  return [h("h1", {}, ep ? "Edit endpoint" : "Add endpoint"), form];
}

// Deliveries and failures per part of the window, or a sentence when there
// were none.
function chart(series, title) {
  let delivered = 0;
  let failed = 0;
  for (const b of series) {
    delivered += b.delivered;
    failed += b.failed;
  }
  if (delivered + failed === 0) {
    return h("p", { class: "card empty muted", "data-test": "chart-empty" }, "No deliveries in the last 24 hours.");
  }
  const w = 960;
  const hgt = 120;
  const max = Math.max(1, ...series.map((b) => b.delivered + b.failed));
  const bw = w / series.length;
  const el = svg("svg", { viewBox: `0 0 ${w} ${hgt}`, class: "chart", role: "img", preserveAspectRatio: "none" });
  series.forEach((b, i) => {
    const dh = (b.delivered / max) * hgt;
    const fh = (b.failed / max) * hgt;
    const x = i * bw + 1;
    if (b.delivered) el.append(svg("rect", { class: "delivered", x, y: hgt - dh, width: bw - 2, height: dh }));
    if (b.failed) el.append(svg("rect", { class: "failed", x, y: hgt - dh - fh, width: bw - 2, height: fh }));
  });
  el.setAttribute("aria-label", `${title}: ${delivered} delivered and ${failed} failed`);
  return h("figure", { class: "chart-box", "data-test": "chart" },
    el,
    h("div", { class: "axis small muted", "aria-hidden": "true" }, h("span", {}, "24 hours ago"), h("span", {}, "now")),
    h("figcaption", { class: "legend" },
      h("span", {}, h("span", { class: "swatch delivered" }), `Delivered (${delivered})`),
      h("span", {}, h("span", { class: "swatch failed" }), `Failed (${failed})`)));
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

// Copies `text`, by the clipboard API or, where it is refused, by selecting
// the element that shows it.
async function copyText(text, shownIn) {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch (e) {
    const range = document.createRange();
    range.selectNodeContents(shownIn);
    const sel = getSelection();
    sel.removeAllRanges();
    sel.addRange(range);
    return document.execCommand("copy");
  }
}

// The signing secret: hidden, revealed (then Hide), copied, rotated after
// an in-page confirmation.
function secretCard(ep, snippets) {
  const id = ep.id;
  let secret = null;
  const dots = "••••••••••••";
  const secretBox = h("code", { id: "secret-value", class: "secret" }, dots);
  const confirmSlot = h("div", {});
  const fetchSecret = async () => {
    secret = secret || (await api("GET", appPath(`/endpoints/${id}/secret`)));
    snippets.replaceChildren(verifySnippets(ep, secret));
    return secret;
  };
  const toggle = action(async (ev) => {
    const b = ev.currentTarget;
    if (b.textContent === "Hide") {
      secretBox.textContent = dots;
      b.textContent = "Reveal";
      b.setAttribute("aria-pressed", "false");
      return;
    }
    secretBox.textContent = (await fetchSecret()).key;
    b.textContent = "Hide";
    b.setAttribute("aria-pressed", "true");
  });
  const copy = action(async () => {
    const s = await fetchSecret();
    const shown = secretBox.textContent;
    secretBox.textContent = s.key;
    const ok = await copyText(s.key, secretBox);
    if (shown === dots) secretBox.textContent = dots;
    if (ok) notice("Signing secret copied to the clipboard.");
    else notice("The browser did not allow copying to the clipboard: reveal the secret and copy it by hand.", "bad");
  });
  const rotate = () =>
    confirmIn(confirmSlot, "Rotate the signing secret? A new one signs from now; the old one also signs for the next 24 hours, so your server can switch over.",
      "Rotate secret", async () => {
        const r = await api("POST", appPath(`/endpoints/${id}/secret/rotate`), {});
        secret = { key: r.key, public_key: r.public_key };
        secretBox.textContent = r.key;
        const reveal = document.getElementById("reveal-secret");
        reveal.textContent = "Hide";
        reveal.setAttribute("aria-pressed", "true");
        snippets.replaceChildren(verifySnippets(ep, secret));
        notice(`Secret rotated. The old one still signs until ${when(r.previous_secret_until)}.`);
      });
  return h("div", { class: "card" },
    h("div", { class: "row" }, h("span", { class: "grow" }, secretBox),
      button("Reveal", toggle, { class: "secondary", id: "reveal-secret", "aria-pressed": "false", "aria-controls": "secret-value" }),
      button("Copy", copy, { class: "secondary", id: "copy-secret" }),
      button("Rotate", rotate, { class: "secondary", id: "rotate-secret" })),
    confirmSlot,
    ep.previous_secret_until ? h("p", { class: "hint" }, `The previous secret also signs until ${when(ep.previous_secret_until)}.`) : null);
}

async function screenEndpoint(id) {
  const [ep, stats, types] = await Promise.all([
    api("GET", appPath(`/endpoints/${id}`)),
    api("GET", appPath(`/endpoints/${id}/stats?window=day&buckets=24`)),
    loadEventTypes(),
  ]);
  const snippets = h("div", { id: "snippets" }, verifySnippets(ep, null));
  const testTypes = types.filter((t) => t.example !== null && t.example !== undefined)
    .filter((t) => !ep.event_types || ep.event_types.some((p) => patternMatches(p, t.name)));
  const testSelect = h("select", { id: "test-type", disabled: ep.disabled },
    testTypes.map((t) => h("option", { value: t.name }, t.name)),
    h("option", { value: "" }, "test (a built-in sample)"));
  const sendTest = action(async () => {
    const type = testSelect.value;
    const sent = await api("POST", appPath(`/endpoints/${id}/test`), type ? { event_type: type } : {});
    notice(`Test event ${sent.event_type} sent (${sent.id}). Its delivery shows in the log below.`);
    await route({ refresh: true });
  });
  const toggle = (field, value, done) =>
    action(async () => {
      await api("PATCH", appPath(`/endpoints/${id}`), { [field]: value });
      state.endpoints = null;
      notice(done);
      await route({ refresh: true });
    });
  const confirmSlot = h("div", {});
  const remove = () =>
    confirmIn(confirmSlot, "Delete this endpoint? Its waiting deliveries are dropped; the log stays.", "Delete endpoint", async () => {
      await api("DELETE", appPath(`/endpoints/${id}`));
      state.endpoints = null;
      location.hash = "#/endpoints";
      notice("Endpoint deleted.");
    });

  return [
    h("p", { class: "small" }, link("#/endpoints", "← Endpoints")),
    h("h1", { class: "url" }, ep.url),
    ep.description ? h("p", {}, ep.description) : null,
    h("div", { class: "row small", "data-test": "endpoint-state" }, stateBadges(ep, stats)),
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
    confirmSlot,
    h("h2", {}, "Last 24 hours"),
    h("div", { class: "stats", "data-test": "stats" },
      statBox("Attempts", stats.attempts),
      statBox("Success rate", pct(stats.success_rate)),
      statBox("Avg. response", ms(stats.avg_response_ms)),
      statBox("Failed", stats.failed),
      statBox("Retries", stats.retries),
      statBox("Waiting", stats.backlog)),
    chart(stats.series || [], "Deliveries per hour, last 24 hours"),
    h("h2", {}, "Send a test event"),
    h("div", { class: "filters" },
      h("div", { class: "field" }, h("label", { for: "test-type" }, "Event type"), testSelect),
      button("Send test event", sendTest, { id: "send-test", disabled: ep.disabled })),
    ep.disabled ? h("p", { class: "hint", "data-test": "test-disabled" }, "This endpoint is disabled: enable it to send a test event.") : null,
    h("h2", {}, "Signing secret"),
    secretCard(ep, snippets),
    h("h2", {}, "Verifying signatures"),
    snippets,
    h("h2", {}, "Delivery log"),
    await messageLog({ endpoint: id }),
  ];
}
