// Against a live Herald (scripts/sdk-check.sh starts one with a single
// attempt per delivery, loopback open): publish, fail, list, replay, batch,
// typed errors.
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, test } from "node:test";

import {
  ConflictError,
  Herald,
  HeraldError,
  NotFoundError,
  UnauthorizedError,
  ValidationError,
  Webhook,
  WebhookVerificationError,
} from "../src/index.js";

const url = process.env.HERALD_URL;
const token = process.env.HERALD_TOKEN ?? "sdk-token";
if (!url && process.env.HERALD_SDK_REQUIRE_SERVER === "1") throw new Error("HERALD_URL is not set");
const skip = url ? false : "HERALD_URL is not set (scripts/sdk-check.sh starts a Herald and sets it)";
const herald = new Herald(url ?? "http://127.0.0.1:1", token);
const uid = () => `ts-${randomBytes(6).toString("hex")}`;

/** A webhook receiver on loopback answering 500, then 200; keeps what it received. */
const received: { headers: IncomingHttpHeaders; body: Buffer }[] = [];
let receiver: Server;
let receiverUrl = "";
before(async () => {
  receiver = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      received.push({ headers: req.headers, body: Buffer.concat(chunks) });
      res.writeHead(received.length === 1 ? 500 : 200, { "content-length": "0" }).end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
});
after(() => receiver.close());

async function waitFor<T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const result = await check();
    if (result !== undefined) return result;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

async function rejectsWith<E extends HeraldError>(p: Promise<unknown>, cls: new (...a: never[]) => E): Promise<E> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof cls, `expected ${cls.name}, got ${String(e)}`);
    return e;
  }
  assert.fail(`expected ${cls.name}, got an answer`);
}

test("publish, fail, list the failed delivery, replay it, verify", { skip }, async () => {
  const app = await herald.createApp({ name: "SDK test", uid: uid(), metadata: { sdk: "typescript" } });
  const endpoint = await herald.createEndpoint(app.id, { url: receiverUrl, event_types: ["order.*"], description: "ts" });
  assert.equal(endpoint.url, receiverUrl);

  const message = await herald.publish(app.id, { event_type: "order.paid", payload: { order: 1 }, event_id: "order-1" });
  assert.equal(message.event_type, "order.paid");
  assert.deepEqual(message.payload, { order: 1 });
  const again = await herald.publish(app.id, { event_type: "order.paid", payload: { order: 1 }, event_id: "order-1" });
  assert.equal(again.id, message.id, "a repeated event_id answers the original message");

  // The receiver answers 500 first: with a single attempt, the delivery fails.
  const failed = await waitFor("the failed delivery", async () => {
    for await (const d of herald.iterFailed(app.id)) if (d.message.id === message.id) return d;
    return undefined;
  });
  assert.equal(failed.endpoint_id, endpoint.id);
  assert.equal(failed.last_status_code, 500);
  assert.equal(failed.status, "failed");
  const page = await herald.listFailed(app.id, { endpoint: endpoint.id, limit: 10 });
  assert.deepEqual(
    page.data.map((d) => d.message.id),
    [message.id],
  );

  const attempt = await herald.replay(app.id, message.id, endpoint.id, { onlyFailed: true });
  assert.equal(attempt.status_code, 200);
  assert.equal(attempt.manual, true);
  assert.equal((await herald.listFailed(app.id)).data.length, 0, "a replay that succeeded leaves nothing failed");
  const conflict = await rejectsWith(herald.replay(app.id, message.id, endpoint.id, { onlyFailed: true }), ConflictError);
  assert.equal(conflict.status, 409);
  assert.equal(conflict.code, "already_delivered");

  // Both requests are signed with the endpoint's secret; the raw body verifies, a changed one does not.
  assert.equal(received.length, 2);
  const wh = new Webhook(await herald.endpointSecret(app.id, endpoint.id));
  for (const { headers, body } of received) {
    assert.equal(headers["webhook-id"], message.id);
    wh.verify(headers, body);
  }
  assert.throws(
    () => wh.verify(received[0]!.headers, Buffer.concat([received[0]!.body, Buffer.from(" ")])),
    WebhookVerificationError,
  );
});

test("publish a batch", { skip }, async () => {
  const app = await herald.createApp({ name: "SDK batch", uid: uid() });
  const first = await herald.publish(app.id, { event_type: "invoice.paid", payload: { n: 0 }, event_id: "inv-0" });
  const batch = await herald.publishBatch(app.id, [
    { event_type: "invoice.paid", payload: { n: 1 }, event_id: "inv-1" },
    { event_type: "invoice.paid", payload: { n: 2 } },
    { event_type: "invoice.paid", payload: { n: 0 }, event_id: "inv-0" },
    { event_type: "not a name", payload: {} },
  ]);
  assert.deepEqual([batch.accepted, batch.duplicates, batch.rejected], [2, 1, 1]);
  assert.deepEqual(
    batch.data.map((i) => i.status),
    [202, 202, 200, 422],
  );
  assert.equal(batch.data[2]!.message?.id, first.id);
  assert.equal(batch.data[0]!.message?.event_id, "inv-1");
});

test("typed errors", { skip }, async () => {
  const missing = `no-such-app-${uid()}`;
  const notFound = await rejectsWith(herald.publish(missing, { event_type: "order.paid", payload: {} }), NotFoundError);
  assert.equal(notFound.status, 404);
  assert.equal(notFound.code, "not_found");
  assert.ok(notFound.message);

  const app = await herald.createApp({ name: "SDK errors", uid: uid() });
  const invalid = await rejectsWith(herald.publish(app.id, { event_type: "not a name", payload: {} }), ValidationError);
  assert.deepEqual([invalid.status, invalid.code, invalid.field], [422, "validation_error", "event_type"]);

  await rejectsWith(herald.createApp({ name: "SDK errors again", uid: app.uid! }), ConflictError);

  // The generated client's calls throw the same errors.
  await rejectsWith(herald.client.GET("/apps/{app}", { params: { path: { app: missing } } }), NotFoundError);

  const stranger = new Herald(url!, "wrong-token");
  const unauthorized = await rejectsWith(stranger.createApp({ name: "nope" }), UnauthorizedError);
  assert.ok(unauthorized instanceof HeraldError);
  assert.equal(unauthorized.status, 401);
});
