/**
 * The only module that talks HTTP (and the only one that imports axios).
 *
 * Everything above it sees `send(request) → TransportResponse | BoostedError`. Retries,
 * timeouts, keep-alive, token refresh on auth failures and redaction live here and nowhere else.
 */
import http from "node:http";
import https from "node:https";
import axios, { type AxiosInstance, type AxiosResponse } from "axios";
import {
  BoostedError,
  ForbiddenError,
  NetworkError,
  ValidationError,
  errorClassForStatus,
  type BoostedErrorDetails,
} from "./errors";
import { HTTPValidationError, type ValidationErrorItem } from "./schemas";
import type { HttpMethod } from "./endpoints";

/**
 * When and how to try a request again. Data, not code paths, so that a test can pin it by
 * counting requests on the server side and a caller can tune it.
 */
export interface RetryPolicy {
  /** Attempts per request, the first included. */
  attempts: number;
  /** Time budget for all attempts and waits of one request, in ms. */
  totalTimeMs: number;
  /** Statuses worth another attempt. */
  statuses: readonly number[];
  /**
   * Of those, the ones after which the server may already have processed the request (a
   * gateway that gave up waiting). A create is only repeated after these when it is safe.
   */
  ambiguousStatuses: readonly number[];
  /** Connection error codes worth another attempt. */
  networkCodes: readonly string[];
  /** Of those, the ones where the request never reached the server (so never ambiguous). */
  unsentNetworkCodes: readonly string[];
  /** Longest `Retry-After` honoured, in ms; a longer one ends the retries. */
  maxRetryAfterMs: number;
  /** Wait before attempt `n + 1` (n ≥ 1), given the server's `Retry-After` if it sent one. */
  delayMs: (attempt: number, retryAfterMs?: number) => number;
}

export const defaultRetryPolicy: RetryPolicy = {
  attempts: 5,
  totalTimeMs: 120_000,
  statuses: [429, 502, 503, 504],
  ambiguousStatuses: [502, 504],
  networkCodes: ["ECONNRESET", "ETIMEDOUT", "ECONNABORTED", "EPIPE", "ECONNREFUSED", "EAI_AGAIN"],
  unsentNetworkCodes: ["ECONNREFUSED", "EAI_AGAIN"],
  maxRetryAfterMs: 60_000,
  // Full jitter (AWS architecture blog, "Exponential Backoff and Jitter"): spreads the retries
  // of many concurrent resources instead of having them stampede back together. A server's
  // Retry-After wins, since it knows when it will accept us again.
  delayMs: (attempt, retryAfterMs) =>
    retryAfterMs ?? Math.random() * Math.min(250 * 2 ** (attempt - 1), 8_000),
};

/** Supplies bearer tokens; `invalidate` drops a token the server refused. */
export interface TokenSource {
  token(): Promise<string>;
  invalidate(token: string): void;
}

export interface TransportRequest {
  /** Client operation name, for errors and logs. */
  operation: string;
  method: HttpMethod;
  path: string;
  query?: Record<string, string>;
  /** JSON body. */
  json?: unknown;
  /** Form body (`application/x-www-form-urlencoded`). Never logged, never in an error. */
  form?: Record<string, string>;
  /** Bearer-token source; omitted for the token endpoint itself. */
  auth?: TokenSource;
  /**
   * May this request be sent again after an ambiguous failure, when the server may have
   * processed it? True for reads and PATCH (idempotent); for a create only when a retry's
   * 409 can be resolved by reading the object by its external id.
   */
  retryAmbiguous: boolean;
}

export interface TransportResponse {
  status: number;
  data: unknown;
  requestId?: string;
  attempts: number;
  /** An earlier attempt failed in a way that means the server may have processed it. */
  afterAmbiguousAttempt: boolean;
}

/** What the transport reports to an optional logger. Never headers or bodies. */
export interface TransportEvent {
  type: "retry" | "reauthenticate";
  operation: string;
  method: string;
  path: string;
  attempt: number;
  status?: number;
  code?: string;
  delayMs?: number;
}

export interface TransportOptions {
  baseUrl: string;
  /** Per-attempt timeout in ms. */
  timeoutMs: number;
  retry: RetryPolicy;
  logger?: (event: TransportEvent) => void;
  userAgent?: string;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export class Transport {
  private readonly http: AxiosInstance;

  constructor(private readonly options: TransportOptions) {
    this.http = axios.create({
      baseURL: options.baseUrl.replace(/\/+$/, ""),
      timeout: options.timeoutMs,
      // One pool per client: a deployment of thousands of resources reuses a few sockets
      // instead of paying a TCP (and TLS) handshake per request.
      httpAgent: new http.Agent({ keepAlive: true, maxSockets: 64 }),
      httpsAgent: new https.Agent({ keepAlive: true, maxSockets: 64 }),
      // Every status comes back as a response; we decide what is an error.
      validateStatus: () => true,
      // A redirect would resend the Authorization header to wherever it points.
      maxRedirects: 0,
      transitional: { clarifyTimeoutError: true, silentJSONParsing: true, forcedJSONParsing: true },
      proxy: false,
    });
  }

  /** Sends a request with the retry policy; returns a 2xx response or throws a BoostedError. */
  async send(req: TransportRequest): Promise<TransportResponse> {
    const policy = this.options.retry;
    const started = Date.now();
    let attempt = 0;
    let reauthenticated = false;
    let afterAmbiguousAttempt = false;
    const details = (extra: Partial<BoostedErrorDetails>): BoostedErrorDetails => ({
      operation: req.operation,
      method: req.method,
      path: req.path,
      attempts: attempt,
      ...extra,
    });

    for (;;) {
      attempt++;
      const token = req.auth ? await req.auth.token() : undefined;
      let res: AxiosResponse | undefined;
      let code: string | undefined;
      try {
        res = await this.http.request({
          method: req.method,
          url: req.path,
          params: req.query,
          data: req.form ? new URLSearchParams(req.form).toString() : req.json,
          headers: {
            Accept: "application/json",
            ...(req.form ? { "Content-Type": "application/x-www-form-urlencoded" } : {}),
            ...(req.json !== undefined ? { "Content-Type": "application/json" } : {}),
            ...(token ? { Authorization: `Bearer ${token}` } : {}),
            ...(this.options.userAgent ? { "User-Agent": this.options.userAgent } : {}),
          },
        });
      } catch (err) {
        // Keep only the error code: the axios error holds the request config, headers included.
        code = (err as { code?: string }).code ?? "EUNKNOWN";
      }

      const requestId = res ? headerValue(res.headers["x-request-id"]) : undefined;
      if (res && res.status >= 200 && res.status < 300) {
        return { status: res.status, data: res.data, requestId, attempts: attempt, afterAmbiguousAttempt };
      }

      // An expired or revoked token: exchange a new one once and try again at once. Boosted
      // documents 403 (not 401) for the account-management endpoints (U14), so both count.
      if (res && token && req.auth && !reauthenticated && signalsBadToken(res)) {
        reauthenticated = true;
        req.auth.invalidate(token);
        this.options.logger?.({ type: "reauthenticate", ...eventBase(req, attempt), status: res.status });
        attempt--; // the refused attempt never reached the operation; it does not use up a retry
        continue;
      }

      const ambiguous = res
        ? policy.ambiguousStatuses.includes(res.status)
        : !policy.unsentNetworkCodes.includes(code ?? "");
      const retryable = res ? policy.statuses.includes(res.status) : policy.networkCodes.includes(code ?? "");
      const retryAfterMs = res ? parseRetryAfter(res.headers["retry-after"]) : undefined;
      const elapsed = Date.now() - started;
      const delay = policy.delayMs(attempt, retryAfterMs);
      const mayRetry =
        retryable &&
        (!ambiguous || req.retryAmbiguous) &&
        attempt < policy.attempts &&
        (retryAfterMs === undefined || retryAfterMs <= policy.maxRetryAfterMs) &&
        elapsed + delay + this.options.timeoutMs <= policy.totalTimeMs;

      if (!mayRetry) {
        // Only a create can leave an object behind that the caller does not know about.
        const outcomeUnknown = req.method === "PUT" && (ambiguous || afterAmbiguousAttempt);
        const hint = outcomeUnknown ? (req.retryAmbiguous ? LOOK_UP_HINT : EXTERNAL_ID_HINT) : undefined;
        if (!res)
          throw networkError(code ?? "EUNKNOWN", details({ outcomeUnknown, afterAmbiguousAttempt }), hint);
        throw httpError(
          res,
          details({ status: res.status, requestId, outcomeUnknown, afterAmbiguousAttempt }),
          hint,
        );
      }
      if (ambiguous) afterAmbiguousAttempt = true;
      this.options.logger?.({
        type: "retry",
        ...eventBase(req, attempt),
        status: res?.status,
        code,
        delayMs: Math.round(delay),
      });
      await sleep(delay);
    }
  }
}

function eventBase(req: TransportRequest, attempt: number) {
  return { operation: req.operation, method: req.method, path: req.path, attempt };
}

const EXTERNAL_ID_HINT =
  "Look for it in Boosted before trying again; give it an external id so that a create can be retried safely";
const LOOK_UP_HINT = "Look it up by its external id before trying again";

function headerValue(v: unknown): string | undefined {
  return typeof v === "string" && v.length > 0 ? v.slice(0, 200) : undefined;
}

/** `Retry-After` is either delta-seconds or an HTTP date (RFC 9110 §10.2.3). */
export function parseRetryAfter(value: unknown): number | undefined {
  if (typeof value !== "string" || value.trim() === "") return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

/** The server's own words from any of the error bodies Boosted may send, trimmed. */
export function serverMessageOf(data: unknown): string | undefined {
  if (typeof data === "string") return data.trim().slice(0, 500) || undefined;
  if (data === null || typeof data !== "object") return undefined;
  const body = data as Record<string, unknown>;
  const parts = [
    body.error,
    body.error_description,
    body.message,
    typeof body.detail === "string" ? body.detail : undefined,
  ].filter((p): p is string => typeof p === "string" && p.length > 0);
  const unique = [...new Set(parts)];
  return unique.length ? unique.join(" - ").slice(0, 500) : undefined;
}

function signalsBadToken(res: AxiosResponse): boolean {
  if (res.status === 401) return true;
  if (res.status !== 403) return false;
  return /not authenticated|token|expired|credential/i.test(serverMessageOf(res.data) ?? "");
}

const STATUS_SUMMARY: Record<number, string> = {
  400: "the request was refused",
  401: "the credentials were refused",
  403: "access was refused",
  404: "not found",
  409: "it already exists",
  422: "the server rejected the request's fields",
  429: "rate limited by Boosted after every retry",
};

function httpError(res: AxiosResponse, d: BoostedErrorDetails, outcomeHint?: string): BoostedError {
  const serverMessage = serverMessageOf(res.data);
  if (res.status === 422) {
    const parsed = HTTPValidationError.safeParse(res.data);
    const fields: ValidationErrorItem[] = parsed.success ? parsed.data.detail : [];
    const listed = fields.map((f) => `${f.loc.join(".")}: ${f.msg}`).join("; ");
    return new ValidationError(
      STATUS_SUMMARY[422]!,
      { ...d, serverMessage: listed || serverMessage },
      fields,
    );
  }
  const Cls = errorClassForStatus(res.status, serverMessage);
  let summary =
    STATUS_SUMMARY[res.status] ?? (res.status >= 500 ? "Boosted had a server error" : "unexpected status");
  let hint: string | undefined;
  if (d.outcomeUnknown && res.status !== 409) {
    summary = `${summary}; an attempt may have been processed, so the object may or may not exist`;
    hint = outcomeHint;
  } else if (Cls === ForbiddenError && signalsBadToken(res)) {
    hint = "The access token was refused even after a fresh token exchange; check the partner's scopes";
  }
  return new Cls(summary, { ...d, serverMessage }, hint);
}

function networkError(code: string, d: BoostedErrorDetails, outcomeHint?: string): NetworkError {
  const timeout = code === "ETIMEDOUT" || code === "ECONNABORTED";
  const summary = d.outcomeUnknown
    ? `no answer (${code}), so the object may or may not exist`
    : timeout
      ? `no answer within the per-attempt timeout (${code})`
      : `could not reach Boosted (${code})`;
  const hint = outcomeHint ?? "Check the base URL and the network, or raise timeoutMs";
  return new NetworkError(summary, d, hint);
}
