// The shared webhook vectors (sdks/testdata/webhook-vectors.json, the same as crates/herald-verify's).
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";

import { Webhook, WebhookVerificationError } from "../src/index.js";

interface Case {
  name: string;
  keys: string[];
  id: string;
  timestamp: string;
  signature: string | null;
  body: string;
  now: number | null;
  expect: string;
}
// Compiled to dist/test/: the vectors are three folders up, in sdks/testdata.
const vectors = JSON.parse(readFileSync(new URL("../../../testdata/webhook-vectors.json", import.meta.url), "utf8")) as {
  cases: Case[];
  invalid_keys: string[];
};

for (const c of vectors.cases) {
  test(`vector: ${c.name}`, () => {
    const wh = new Webhook(c.keys, { tolerance: c.now === null ? null : 300 });
    const headers: Record<string, string> = { "Webhook-Id": c.id, "webhook-timestamp": c.timestamp };
    if (c.signature !== null) headers["WEBHOOK-SIGNATURE"] = c.signature;
    const now = c.now ?? undefined;
    if (c.expect === "ok") {
      wh.verify(headers, Buffer.from(c.body), now);
      wh.verify(new Headers(headers), c.body, now);
    } else {
      assert.throws(
        () => wh.verify(headers, Buffer.from(c.body), now),
        (e: unknown) => e instanceof WebhookVerificationError && e.kind === c.expect,
      );
    }
  });
}

test("invalid keys are refused", () => {
  for (const key of vectors.invalid_keys) {
    assert.throws(
      () => new Webhook(key),
      (e: unknown) => e instanceof WebhookVerificationError && e.kind === "invalid_key",
    );
  }
});
