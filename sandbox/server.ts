/**
 * The sandbox's HTTP server (fastify): every endpoint of `spec/boosted-openapi.yaml`, the
 * test-only admin routes under `/__sandbox/`, and fault injection in front of them.
 *
 * Why fastify: a well-kept, fast server with content-type parsing, hooks and clean shutdown,
 * so the emulator's own code is the API's rules, not HTTP plumbing.
 */
import { randomUUID } from "node:crypto";
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from "fastify";
import { z } from "zod";
import { KINDS, PATHS, PATH_ALIASES, type Kind } from "../sdk/endpoints";
import * as s from "../sdk/schemas";
import type { Faults } from "./faults";
import { SandboxHttpError, problem, type Store } from "./store";
import type { TokenService } from "./auth";

/** One request as the sandbox saw it. Secrets in the token form and response are redacted. */
export interface RequestLogEntry {
  seq: number;
  /** ms since the epoch. */
  time: number;
  method: string;
  /** Path without the query. */
  path: string;
  query: Record<string, string>;
  status: number;
  durationMs: number;
  /** The injected fault, if any (e.g. `lost response`, `random 503`). */
  fault?: string;
  requestBody?: unknown;
  responseBody?: unknown;
  /** Content type of the request body. */
  contentType?: string;
}

export interface SandboxStats {
  requests: number;
  /** `"PUT /v2/account-management/workspace"` → `{ "201": 10, "409": 1 }`. */
  byRoute: Record<string, Record<string, number>>;
  tokensIssued: number;
}

export interface ServerOptions {
  store: Store;
  tokens: TokenService;
  faults: Faults;
  /** Keep request and response bodies in the log (for the contract test). */
  recordBodies: boolean;
}

const REDACTED = "[redacted]";

/** The admin view of the running server. */
export class SandboxLog {
  entries: RequestLogEntry[] = [];
  stats: Omit<SandboxStats, "tokensIssued"> = { requests: 0, byRoute: {} };
  private seq = 0;
  constructor(
    private readonly max: number,
    private readonly listener?: (entry: RequestLogEntry) => void,
  ) {}

  record(entry: Omit<RequestLogEntry, "seq">): void {
    const e = { seq: ++this.seq, ...entry };
    this.listener?.(e);
    this.entries.push(e);
    if (this.entries.length > this.max) this.entries.splice(0, this.entries.length - this.max);
    this.stats.requests++;
    const key = `${e.method} ${e.path}`;
    const route = (this.stats.byRoute[key] ??= {});
    route[String(e.status)] = (route[String(e.status)] ?? 0) + 1;
  }

  reset(): void {
    this.entries = [];
    this.stats = { requests: 0, byRoute: {} };
  }
}

/** Turns zod issues into FastAPI's 422 body (U10). */
function validationError(error: z.ZodError, where: "body" | "query"): SandboxHttpError {
  return new SandboxHttpError(422, {
    detail: error.issues.map((i) => ({
      loc: [where, ...i.path.map((p) => (typeof p === "number" ? p : String(p)))],
      msg: i.message,
      type: i.code,
    })),
  });
}

/** pydantic ignores unknown fields (U21): parse with a non-strict copy of the wire schema. */
function parseBody<T extends z.ZodObject>(schema: T, body: unknown): z.output<T> {
  if (body === undefined || body === null) {
    throw new SandboxHttpError(422, { detail: [{ loc: ["body"], msg: "Field required", type: "missing" }] });
  }
  const parsed = z.object(schema.shape).safeParse(body);
  if (!parsed.success) throw validationError(parsed.error, "body");
  return parsed.data as z.output<T>;
}

function redactToken(path: string, body: unknown): unknown {
  if (path !== PATHS.token || typeof body !== "object" || body === null) return body;
  const copy: Record<string, unknown> = { ...(body as Record<string, unknown>) };
  for (const k of ["client_secret", "subject_token", "access_token"])
    if (typeof copy[k] === "string") copy[k] = REDACTED;
  return copy;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

interface Result {
  status: number;
  body: unknown;
}

export function buildServer(opts: ServerOptions, log: SandboxLog): FastifyInstance {
  const { store, tokens, faults } = opts;
  const app = Fastify({
    logger: false,
    genReqId: () => randomUUID(),
    // Fault injection holds requests on purpose; never let the server cut them first.
    requestTimeout: 0,
    bodyLimit: 10 * 1024 * 1024,
  });

  app.addContentTypeParser("application/x-www-form-urlencoded", { parseAs: "string" }, (_req, body, done) => {
    done(null, Object.fromEntries(new URLSearchParams(body as string)));
  });
  app.addHook("onSend", async (request, reply) => {
    reply.header("x-request-id", request.id);
  });

  const pathOf = (request: FastifyRequest) => request.url.split("?")[0]!;

  function record(request: FastifyRequest, started: number, result: Result, fault?: string): void {
    const path = pathOf(request);
    log.record({
      time: Date.now(),
      method: request.method,
      path,
      query: request.query as Record<string, string>,
      status: result.status,
      durationMs: Date.now() - started,
      fault,
      contentType: request.headers["content-type"],
      ...(opts.recordBodies
        ? { requestBody: redactToken(path, request.body), responseBody: redactToken(path, result.body) }
        : {}),
    });
  }

  /** Fault injection, the handler, persistence, logging and the lost-response drop, in one place. */
  async function handle(
    request: FastifyRequest,
    reply: FastifyReply,
    isWrite: boolean,
    fn: () => Promise<Result> | Result,
  ) {
    const started = Date.now();
    const decision = faults.decide(request.method, pathOf(request), isWrite);
    if (decision.delayMs > 0) await sleep(decision.delayMs);
    let result: Result;
    if (decision.status) {
      if (decision.retryAfterSeconds !== undefined)
        reply.header("retry-after", String(decision.retryAfterSeconds));
      const message = decision.status === 429 ? "Too Many Requests" : "Service Unavailable (injected)";
      result = { status: decision.status, body: { success: false, message, detail: message } };
    } else {
      try {
        result = await fn();
        // Answer only once the change is durable, so a restart never forgets an acknowledged write.
        if (isWrite && result.status < 300) await store.persist();
      } catch (err) {
        if (!(err instanceof SandboxHttpError)) throw err;
        result = { status: err.status, body: err.body };
      }
    }
    record(request, started, result, decision.label);
    if (decision.lostResponse && result.status < 300) {
      // The change is committed; now lose the answer, as a dropped connection would.
      reply.hijack();
      request.raw.socket.destroy();
      return;
    }
    return reply.code(result.status).send(result.body);
  }

  const partnerOf = (request: FastifyRequest) => tokens.authorize(request.headers.authorization);
  const routes = (path: string) => [path, ...(PATH_ALIASES[path] ?? [])];

  // ---- token exchange -----------------------------------------------------------------------
  app.post(PATHS.token, (request, reply) =>
    handle(request, reply, true, async () => {
      if (!request.headers["content-type"]?.startsWith("application/x-www-form-urlencoded")) {
        throw new SandboxHttpError(400, {
          error: "invalid_request",
          error_description: "send the form as application/x-www-form-urlencoded",
        });
      }
      const body = await tokens.exchange((request.body ?? {}) as Record<string, unknown>);
      return { status: 200, body };
    }),
  );

  // ---- one object kind: GET, PUT (create), PATCH --------------------------------------------
  const envelopeKey = (kind: Kind) => KINDS[kind].envelopeKey;
  for (const kind of Object.keys(KINDS) as Kind[]) {
    const spec = KINDS[kind];
    for (const path of routes(spec.path)) {
      app.get(path, (request, reply) =>
        handle(request, reply, false, () => {
          const partner = partnerOf(request);
          const obj = store.find(partner, kind, request.query as Record<string, unknown>);
          return {
            status: 200,
            body: { success: true, message: `${spec.label} found`, [envelopeKey(kind)]: obj },
          };
        }),
      );
      app.put(path, (request, reply) =>
        handle(request, reply, true, () => {
          const partner = partnerOf(request);
          let obj: unknown;
          if (kind === "organization")
            obj = store.createOrganization(partner, parseBody(KINDS.organization.create, request.body));
          else if (kind === "workspace")
            obj = store.createWorkspace(partner, parseBody(KINDS.workspace.create, request.body));
          else obj = store.createUser(partner, parseBody(KINDS.user.create, request.body));
          return {
            status: 201,
            body: { success: true, message: `${spec.label} created`, [envelopeKey(kind)]: obj },
          };
        }),
      );
      app.patch(path, (request, reply) =>
        handle(request, reply, true, () => {
          const partner = partnerOf(request);
          const patch = parseBody(spec.patch, request.body) as Record<string, unknown>;
          const obj = store.update(partner, kind, request.query as Record<string, unknown>, patch);
          return {
            status: 200,
            body: { success: true, message: `${spec.label} updated`, [envelopeKey(kind)]: obj },
          };
        }),
      );
      // U22: the API has no delete.
      app.delete(path, (request, reply) =>
        handle(request, reply, false, () => ({ status: 405, body: { detail: "Method Not Allowed" } })),
      );
    }
  }

  for (const path of routes(PATHS.organizationAndWorkspace)) {
    app.put(path, (request, reply) =>
      handle(request, reply, true, () => {
        const partner = partnerOf(request);
        const created = store.createOrganizationAndWorkspace(
          partner,
          parseBody(s.NewOrgAndWorkspaceRequest, request.body),
        );
        return {
          status: 201,
          body: { success: true, message: "Organization and workspace created", ...created },
        };
      }),
    );
  }

  for (const path of routes(PATHS.entities)) {
    app.post(path, (request, reply) =>
      handle(request, reply, false, () => {
        const partner = partnerOf(request);
        const q = parseBody(s.GetEntitiesRequest, request.body ?? {});
        const pick = <K extends Kind>(kind: K, ids?: string[] | null, externalIds?: string[] | null) => {
          const all = store.list(partner, kind) as Record<string, unknown>[];
          if (!ids && !externalIds && Object.values(q).every((v) => v === undefined || v === null))
            return all;
          return all.filter(
            (o) =>
              ids?.includes(o[KINDS[kind].idField] as string) ||
              externalIds?.includes(o[KINDS[kind].externalIdField] as string),
          );
        };
        return {
          status: 200,
          body: {
            success: true,
            message: "Entities found",
            orgs: pick("organization", q.org_ids, q.external_org_ids),
            workspaces: pick("workspace", q.workspace_ids, q.external_workspace_ids),
            users: pick("user", q.user_ids, q.external_user_ids),
          },
        };
      }),
    );
  }

  // Bodies that are not JSON (or not parseable) are FastAPI 422s (U10).
  app.setErrorHandler((error: { code?: string; statusCode?: number; message: string }, request, reply) => {
    const started = Date.now();
    const result: Result =
      error.code?.startsWith("FST_ERR_CTP") || error.statusCode === 400 || error.statusCode === 415
        ? {
            status: 422,
            body: {
              detail: [{ loc: ["body"], msg: "Input should be a valid JSON object", type: "json_invalid" }],
            },
          }
        : { status: 500, body: problem(500, "Internal Server Error").body };
    record(request, started, result);
    return reply.code(result.status).send(result.body);
  });
  app.setNotFoundHandler((request, reply) => {
    if (request.url.startsWith("/__sandbox/")) return reply.code(404).send({ detail: "Not Found" });
    const result: Result = { status: 404, body: { detail: "Not Found" } };
    record(request, Date.now(), result);
    return reply.code(404).send(result.body);
  });

  return app;
}

/** What the admin routes (and `startSandbox`'s return value) can do, defined once. */
export interface SandboxControls {
  requests: () => RequestLogEntry[];
  stats: () => SandboxStats;
  reset: (options?: { state?: boolean }) => Promise<void>;
  getFaults: () => unknown;
  setFaults: (config: unknown) => void;
  expireTokens: () => void;
  snapshot: () => unknown;
}

/** Test-only admin routes, outside the request log and fault injection. */
export function registerAdminRoutes(app: FastifyInstance, controls: SandboxControls): void {
  app.get("/__sandbox/requests", async () => controls.requests());
  app.get("/__sandbox/stats", async () => controls.stats());
  app.get("/__sandbox/state", async () => controls.snapshot());
  app.post("/__sandbox/reset", async (request) => {
    await controls.reset(request.body ?? {});
    return { success: true };
  });
  app.get("/__sandbox/faults", async () => controls.getFaults());
  app.put("/__sandbox/faults", async (request, reply) => {
    try {
      controls.setFaults(request.body ?? {});
      return { success: true };
    } catch (err) {
      return reply
        .code(422)
        .send({ success: false, message: err instanceof Error ? err.message : String(err) });
    }
  });
  app.post("/__sandbox/tokens/expire", async () => {
    controls.expireTokens();
    return { success: true };
  });
}
