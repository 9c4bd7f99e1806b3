/**
 * Verifying the webhooks Herald sends (Standard Webhooks, `v1` entries).
 *
 * The signature is `base64(HMAC-SHA256(key, "{webhook-id}.{webhook-timestamp}.{raw body}"))`
 * where the key is the base64 after `whsec_` in the endpoint's secret, sent in
 * `webhook-signature` as space-separated `v1,<signature>` entries. Verify the
 * raw body as received: a body parsed and serialised again does not verify.
 */
import { createHmac, timingSafeEqual } from "node:crypto";

export type WebhookErrorKind = "no_match" | "timestamp" | "missing_header" | "invalid_header" | "invalid_key";

/** Why a webhook did not verify. */
export class WebhookVerificationError extends Error {
  readonly kind: WebhookErrorKind;
  constructor(kind: WebhookErrorKind, message: string) {
    super(message);
    this.name = "WebhookVerificationError";
    this.kind = kind;
  }
}

/** A fetch `Headers`, or a plain object such as node's `IncomingHttpHeaders` (any case). */
export type WebhookHeaders = Headers | Record<string, string | string[] | undefined>;

export interface WebhookOptions {
  /** How far (seconds) `webhook-timestamp` may be from now; default 300; `null` skips the check. */
  tolerance?: number | null;
}

function key(secret: string): Buffer {
  if (!secret.startsWith("whsec_")) {
    throw new WebhookVerificationError("invalid_key", "a secret starts with `whsec_`");
  }
  const b64 = secret.slice("whsec_".length);
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(b64) || b64.length % 4 !== 0) {
    throw new WebhookVerificationError("invalid_key", "`whsec_` must be followed by base64");
  }
  return Buffer.from(b64, "base64");
}

/** Verifies webhooks with one secret, or several during a rotation. */
export class Webhook {
  private readonly keys: Buffer[];
  readonly tolerance: number | null;

  constructor(secrets: string | string[], options: WebhookOptions = {}) {
    const list = typeof secrets === "string" ? [secrets] : secrets;
    if (list.length === 0) throw new WebhookVerificationError("invalid_key", "no secret given");
    this.keys = list.map(key);
    this.tolerance = options.tolerance === undefined ? 300 : options.tolerance;
  }

  /**
   * Verifies the request's headers and raw body; throws
   * WebhookVerificationError when it does not verify. `now` is in seconds
   * since the epoch (default: the clock).
   */
  verify(headers: WebhookHeaders, body: string | Uint8Array, now?: number): void {
    const get = (name: string): string => {
      let value: string | string[] | null | undefined;
      if (typeof Headers !== "undefined" && headers instanceof Headers) {
        value = headers.get(name);
      } else {
        const entry = Object.entries(headers).find(([k]) => k.toLowerCase() === name);
        value = entry?.[1];
      }
      if (Array.isArray(value)) value = value.join(" ");
      if (value === null || value === undefined) {
        throw new WebhookVerificationError("missing_header", `no \`${name}\` header`);
      }
      return value;
    };
    this.verifyParts(get("webhook-id"), get("webhook-timestamp"), get("webhook-signature"), body, now);
  }

  /** Verifies the three header values and the raw body. */
  verifyParts(id: string, timestamp: string, signature: string, body: string | Uint8Array, now?: number): void {
    const ts = timestamp.trim();
    if (!/^-?\d+$/.test(ts)) {
      throw new WebhookVerificationError("invalid_header", "`webhook-timestamp` is not a number");
    }
    if (this.tolerance !== null) {
      const current = now ?? Math.floor(Date.now() / 1000);
      if (Math.abs(current - Number(ts)) > this.tolerance) {
        throw new WebhookVerificationError("timestamp", "`webhook-timestamp` is too far from now");
      }
    }
    const raw = typeof body === "string" ? Buffer.from(body, "utf8") : Buffer.from(body);
    const signed = Buffer.concat([Buffer.from(`${id}.${ts}.`, "utf8"), raw]);
    const expected = this.keys.map((k) => createHmac("sha256", k).update(signed).digest());
    for (const entry of signature.split(" ")) {
      const comma = entry.indexOf(",");
      if (comma < 0 || entry.slice(0, comma) !== "v1") continue;
      const sig = Buffer.from(entry.slice(comma + 1), "base64");
      for (const mac of expected) {
        // Constant time (lengths are public).
        if (sig.length === mac.length && timingSafeEqual(sig, mac)) return;
      }
    }
    throw new WebhookVerificationError("no_match", "no signature matches");
  }
}
