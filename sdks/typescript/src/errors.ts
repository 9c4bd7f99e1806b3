/**
 * Typed errors: every answer of 400 or more from Herald throws one.
 *
 * Herald answers errors as JSON `{"code": "...", "message": "...", "field": ...}`
 * (`field` on 422). The class follows the status; `code` is Herald's own
 * (e.g. `not_found`, `validation_error`, `conflict`, `already_delivered`).
 */

export interface HeraldErrorInit {
  field?: string | null;
  retryAfter?: number | null;
  body?: unknown;
}

/** An error answer from Herald. */
export class HeraldError extends Error {
  /** The HTTP status. */
  readonly status: number;
  /** Herald's error code, e.g. `not_found`. */
  readonly code: string;
  /** The offending field, on 422. */
  readonly field: string | null;
  /** Seconds to wait before trying again, on 429 and 503. */
  readonly retryAfter: number | null;
  /** The answer's JSON (or its text when it was not JSON). */
  readonly body: unknown;

  constructor(status: number, code: string, message: string, init: HeraldErrorInit = {}) {
    super(`${status} ${code}: ${message}`);
    this.name = new.target.name;
    this.status = status;
    this.code = code;
    this.message = message;
    this.field = init.field ?? null;
    this.retryAfter = init.retryAfter ?? null;
    this.body = init.body;
  }
}

/** 400: the body is not JSON, or the request is malformed. */
export class BadRequestError extends HeraldError {}
/** 401: no token, or an unknown, revoked or expired one. */
export class UnauthorizedError extends HeraldError {}
/** 403: an application token outside its application. */
export class ForbiddenError extends HeraldError {}
/** 404: no such application, endpoint, message, ... */
export class NotFoundError extends HeraldError {}
/** 409: a conflict with how things are now (a taken uid, a delivery not ended, ...). */
export class ConflictError extends HeraldError {}
/** 413: the body is larger than the server takes. */
export class PayloadTooLargeError extends HeraldError {}
/** 422: a field's value is refused; `field` names it. */
export class ValidationError extends HeraldError {}
/** 429: the token's rate is exceeded; try again after `retryAfter` seconds. */
export class RateLimitedError extends HeraldError {}
/** 5xx: 503 `database_unavailable` (with `retryAfter`) or 500 `internal_error`. */
export class ServerError extends HeraldError {}

const BY_STATUS: Record<number, typeof HeraldError> = {
  400: BadRequestError,
  401: UnauthorizedError,
  403: ForbiddenError,
  404: NotFoundError,
  409: ConflictError,
  413: PayloadTooLargeError,
  422: ValidationError,
  429: RateLimitedError,
};

/** The typed error for an answer of 400 or more (reads a clone of its body). */
export async function errorFromResponse(response: Response): Promise<HeraldError> {
  const text = await response.clone().text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // Not JSON (e.g. from a proxy in front of Herald): the text is kept.
  }
  let code = "http_error";
  let message = text.slice(0, 500) || response.statusText;
  let field: string | null = null;
  if (body !== null && typeof body === "object" && typeof (body as { code?: unknown }).code === "string") {
    const b = body as { code: string; message?: unknown; field?: unknown };
    code = b.code;
    message = String(b.message ?? "");
    field = typeof b.field === "string" ? b.field : null;
  }
  const ra = response.headers.get("retry-after")?.trim();
  const retryAfter = ra && /^\d+$/.test(ra) ? Number(ra) : null;
  const cls = BY_STATUS[response.status] ?? (response.status >= 500 ? ServerError : HeraldError);
  return new cls(response.status, code, message, { field, retryAfter, body });
}
