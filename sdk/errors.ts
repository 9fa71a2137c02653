/**
 * The SDK's errors: one base class, subclasses chosen by HTTP status.
 *
 * Why our own classes and never the HTTP library's: an axios error carries the whole request
 * config, including the `Authorization` header and the token-exchange form with the client
 * secret and the signed JWT. These classes are built from plain facts only (operation, method,
 * path, status, request id, the server's message), so printing, logging, `util.inspect` or
 * JSON-serialising one cannot leak a credential.
 */
import type { ValidationErrorItem } from "./schemas";

/** Facts about the failed call that every error carries. */
export interface BoostedErrorDetails {
  /** Client operation, e.g. `createWorkspace`. */
  operation: string;
  /** HTTP method, e.g. `PUT`. */
  method?: string;
  /** URL path without host or query, e.g. `/v2/account-management/workspace`. */
  path?: string;
  /** HTTP status, when the server answered. */
  status?: number;
  /** The server's request id (`x-request-id`), when it sent one. */
  requestId?: string;
  /** The server's own message, trimmed to a readable length. */
  serverMessage?: string;
  /** How many attempts were made before giving up. */
  attempts?: number;
  /**
   * `true` when the request may have been processed even though no answer arrived (a timeout,
   * a reset connection, a 502 or 504 on a create). The object may or may not exist.
   */
  outcomeUnknown?: boolean;
  /**
   * An earlier attempt of this request failed ambiguously (it may have been processed). A 409
   * after such an attempt is probably our own first attempt's object.
   */
  afterAmbiguousAttempt?: boolean;
}

/** Base class of every error the SDK throws. Check `instanceof` on the subclasses. */
export class BoostedError extends Error {
  readonly operation: string;
  readonly method?: string;
  readonly path?: string;
  readonly status?: number;
  readonly requestId?: string;
  readonly serverMessage?: string;
  readonly attempts?: number;
  readonly outcomeUnknown: boolean;
  readonly afterAmbiguousAttempt: boolean;

  constructor(summary: string, details: BoostedErrorDetails, hint?: string) {
    super(formatMessage(summary, details, hint));
    this.name = new.target.name;
    this.operation = details.operation;
    this.method = details.method;
    this.path = details.path;
    this.status = details.status;
    this.requestId = details.requestId;
    this.serverMessage = details.serverMessage;
    this.attempts = details.attempts;
    this.outcomeUnknown = details.outcomeUnknown ?? false;
    this.afterAmbiguousAttempt = details.afterAmbiguousAttempt ?? false;
  }
}

function formatMessage(summary: string, d: BoostedErrorDetails, hint?: string): string {
  const facts = [
    d.method && d.path ? `${d.method} ${d.path}` : undefined,
    d.status !== undefined ? `status ${d.status}` : undefined,
    d.requestId ? `request id ${d.requestId}` : undefined,
    d.attempts && d.attempts > 1 ? `${d.attempts} attempts` : undefined,
  ].filter((f): f is string => f !== undefined);
  const where = facts.length ? ` (${facts.join(", ")})` : "";
  const server = d.serverMessage ? `: ${d.serverMessage}` : "";
  return `Boosted ${d.operation} failed${where}: ${summary}${server}${hint ? `. ${hint}` : ""}`;
}

/** 400: the request was refused as malformed or naming something that does not exist. */
export class BadRequestError extends BoostedError {}
/** 401, or a token exchange refused: credentials are wrong (client id/secret, key, audience). */
export class AuthenticationError extends BoostedError {}
/** 403: the token is missing, expired or lacks the scope, or the partner may not do this. */
export class ForbiddenError extends BoostedError {}
/** 404 (or a 400 that says "not found"): no such object for this partner. */
export class NotFoundError extends BoostedError {}
/** 409: an object with this external id (or user email) already exists. */
export class ConflictError extends BoostedError {}
/** 422: the server rejected fields of the request; `fields` lists them. */
export class ValidationError extends BoostedError {
  readonly fields: readonly ValidationErrorItem[];
  constructor(summary: string, details: BoostedErrorDetails, fields: readonly ValidationErrorItem[]) {
    super(summary, details);
    this.fields = fields;
  }
}
/** 429 after every retry: Boosted is rate limiting this partner. */
export class RateLimitedError extends BoostedError {}
/** 5xx after every retry. */
export class ServerError extends BoostedError {}
/** No answer: connection refused or reset, or the per-attempt or total timeout ran out. */
export class NetworkError extends BoostedError {}
/** A 2xx whose body is not what the API documents (wrong shape, `success: false`, no object). */
export class UnexpectedResponseError extends BoostedError {}
/**
 * The client's settings or a call's arguments are invalid. Raised before any request is sent,
 * with a message that names the setting or field and how to fix it.
 */
export class InvalidInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "InvalidInputError";
  }
}

/**
 * Picks the class for an HTTP status. Pinned by a test, so a change here is deliberate.
 * A 400 whose message says "not found" is a {@link NotFoundError} (U7: the real API may use
 * 400 where the sandbox uses 404).
 */
export function errorClassForStatus(status: number, serverMessage?: string): typeof BoostedError {
  if (status === 400) return /not found/i.test(serverMessage ?? "") ? NotFoundError : BadRequestError;
  if (status === 401) return AuthenticationError;
  if (status === 403) return ForbiddenError;
  if (status === 404) return NotFoundError;
  if (status === 409) return ConflictError;
  if (status === 429) return RateLimitedError;
  if (status >= 500) return ServerError;
  return BadRequestError;
}

/** Renders a zod issue path like `entitlements[0].billing_feature_id`. */
export function formatIssuePath(path: readonly PropertyKey[]): string {
  return path.reduce<string>(
    (acc, p) => (typeof p === "number" ? `${acc}[${p}]` : acc ? `${acc}.${String(p)}` : String(p)),
    "",
  );
}
