/**
 * Herald's TypeScript SDK: `Herald` for the common calls, typed errors, and
 * `Webhook` to verify what Herald sends. The full API is `herald.client`,
 * an openapi-fetch client typed by the generated `paths` (schema.ts); its
 * error answers throw the same typed errors.
 */
import createClient, { type Client, type Middleware } from "openapi-fetch";

import { errorFromResponse, HeraldError } from "./errors.js";
import type { components, paths } from "./schema.js";

export * from "./errors.js";
export * from "./webhooks.js";
export type { components, paths, operations, webhooks } from "./schema.js";

type Schemas = components["schemas"];
export type AppView = Schemas["AppView"];
export type AttemptView = Schemas["AttemptView"];
export type BatchView = Schemas["BatchView"];
export type CreateApp = Schemas["CreateApp"];
export type CreateEndpoint = Schemas["CreateEndpoint"];
export type CreateMessage = Schemas["CreateMessage"];
export type DeadLetterView = Schemas["DeadLetterView"];
export type EndpointView = Schemas["EndpointView"];
export type MessageView = Schemas["MessageView"];
export type DeadLetterPage = Schemas["ListResponse_DeadLetterView"];
/** The filters and paging of `listFailed`: `endpoint`, `event_type`, `since`, `until`, `limit`, `iterator`. */
export type DeadLetterQuery = NonNullable<paths["/apps/{app}/dead-letters"]["get"]["parameters"]["query"]>;

export interface HeraldOptions {
  /** A fetch to use instead of the global one. */
  fetch?: (input: Request) => Promise<Response>;
  /** Headers added to every request. */
  headers?: Record<string, string>;
}

/** Throws the typed error for every answer of 400 or more. */
const throwOnError: Middleware = {
  async onResponse({ response }) {
    if (!response.ok) throw await errorFromResponse(response);
    return undefined;
  },
};

function ok<T>(result: { data?: T; response: Response }): T {
  // Error answers threw already (the middleware).
  if (result.data === undefined) {
    throw new HeraldError(result.response.status, "unexpected_answer", "the answer has no body");
  }
  return result.data;
}

/** Herald's API at `url` (the server's root, e.g. `http://localhost:8080`) with a bearer `token`. */
export class Herald {
  /** The generated client, for every other call: `herald.client.GET("/apps/{app}", ...)`. */
  readonly client: Client<paths>;

  constructor(url: string, token: string, options: HeraldOptions = {}) {
    this.client = createClient<paths>({
      baseUrl: url.replace(/\/+$/, "") + "/api/v1",
      headers: { ...options.headers, Authorization: `Bearer ${token}` },
      ...(options.fetch ? { fetch: options.fetch } : {}),
    });
    this.client.use(throwOnError);
  }

  /**
   * Publishes one event to application `app` (id or uid). With an
   * `event_id`, a repeat is stored once and answers the original message.
   */
  async publish(app: string, event: CreateMessage): Promise<MessageView> {
    return ok(await this.client.POST("/apps/{app}/messages", { params: { path: { app } }, body: event }));
  }

  /**
   * Publishes up to `limits.batch_events` (100) events in one request, stored
   * as one unit. The answer has one item per event, in order: `status` 202
   * stored, 200 a duplicate `event_id`, 4xx with `error` for that event alone.
   */
  async publishBatch(app: string, events: CreateMessage[]): Promise<BatchView> {
    return ok(await this.client.POST("/apps/{app}/messages/batch", { params: { path: { app } }, body: { events } }));
  }

  /** Creates an application (one per customer of yours). */
  async createApp(app: CreateApp): Promise<AppView> {
    return ok(await this.client.POST("/apps", { body: app }));
  }

  /** Creates an endpoint of application `app`. */
  async createEndpoint(app: string, endpoint: CreateEndpoint): Promise<EndpointView> {
    // `endpoint` is checked against the schema's CreateEndpoint above; the
    // cast is for openapi-fetch's Writable<>, which takes a property whose
    // only type is null (EndpointProfile.app_rate_limit) for a readOnly one
    // and would refuse every profile.
    const body = endpoint as never;
    return ok(await this.client.POST("/apps/{app}/endpoints", { params: { path: { app } }, body }));
  }

  /** The endpoint's signing secret (`whsec_...`), for `Webhook`. */
  async endpointSecret(app: string, endpoint: string): Promise<string> {
    const answer = ok(
      await this.client.GET("/apps/{app}/endpoints/{endpoint}/secret", { params: { path: { app, endpoint } } }),
    ) as { key?: unknown };
    if (typeof answer?.key !== "string") throw new HeraldError(200, "unexpected_answer", "no `key` in the answer");
    return answer.key;
  }

  /** One page of failed deliveries (retries exhausted), newest first: `data`, `iterator` (for the next page), `done`. */
  async listFailed(app: string, query: DeadLetterQuery = {}): Promise<DeadLetterPage> {
    return ok(await this.client.GET("/apps/{app}/dead-letters", { params: { path: { app }, query } }));
  }

  /** Every failed delivery matching `query`, page after page. */
  async *iterFailed(app: string, query: DeadLetterQuery = {}): AsyncGenerator<DeadLetterView> {
    let iterator = query.iterator;
    for (;;) {
      const page = await this.listFailed(app, { ...query, iterator });
      yield* page.data;
      if (page.done || typeof page.iterator !== "string") return;
      iterator = page.iterator;
    }
  }

  /**
   * Sends `message` to `endpoint` again now, as a manual attempt, and answers
   * that attempt. The delivery must have ended (409 otherwise); `onlyFailed`
   * refuses a delivered one (409 `already_delivered`).
   */
  async replay(app: string, message: string, endpoint: string, options: { onlyFailed?: boolean } = {}): Promise<AttemptView> {
    return ok(
      await this.client.POST("/apps/{app}/messages/{message}/endpoints/{endpoint}/replay", {
        params: { path: { app, message, endpoint }, query: options.onlyFailed ? { only_failed: true } : {} },
      }),
    );
  }
}
