/**
 * `BoostedClient`: typed access to the Boosted Account Management API.
 *
 * Layering (stripe-node's): public methods → one generic request path per kind of object →
 * `Transport` (the only HTTP code). Requests are validated against the wire schemas before
 * anything is sent; responses are validated before anything is returned.
 */
import { inspect } from "node:util";
import { z } from "zod";
import { fromWire, snakeToCamel, toWire, type Camelize } from "./case";
import { KINDS, OPERATIONS, PATHS, type Kind, type OperationName } from "./endpoints";
import {
  ConflictError,
  InvalidInputError,
  NotFoundError,
  UnexpectedResponseError,
  type BoostedError,
} from "./errors";
import { parsePrivateKey, TokenManager } from "./auth";
import * as s from "./schemas";
import { defaultRetryPolicy, Transport, type RetryPolicy, type TransportEvent } from "./transport";
import { describeIssues } from "./validate";

/** Settings of a {@link BoostedClient}. Unknown keys are rejected. */
export const BoostedClientOptions = z.strictObject({
  /** API base URL Boosted gave you, e.g. `https://sandbox.api.boosted.ai`. */
  baseUrl: z.url({ protocol: /^https?$/ }),
  /** Token endpoint. @default baseUrl + "/oauth2/token" */
  tokenUrl: z.url({ protocol: /^https?$/ }).optional(),
  /** The `aud` value Boosted gave you. */
  audience: z.string().trim().min(1),
  /** Your partner client id (also the JWT's `iss` and `sub`). */
  clientId: z.string().trim().min(1),
  /** Your partner client secret. */
  clientSecret: z.string().min(1),
  /** Your private key: PEM (PKCS#8 or PKCS#1) or a private JWK as JSON. */
  privateKey: z.string().min(1),
  /** The `kid` of the matching public key in the JWKS you registered with Boosted. */
  keyId: z.string().trim().min(1),
  /** Per-attempt timeout in ms. @default 30000 */
  timeoutMs: z.number().int().positive().optional(),
  /** Lifetime of each signed partner JWT in seconds. @default 300 */
  assertionLifetimeSeconds: z.number().int().min(10).max(3600).optional(),
  /** Retry policy overrides. @default {@link defaultRetryPolicy} */
  retry: z
    .custom<Partial<RetryPolicy>>((v) => v === undefined || (typeof v === "object" && v !== null))
    .optional(),
  /** Receives retry and re-authentication events (never headers, bodies or tokens). */
  logger: z.custom<(e: TransportEvent) => void>((v) => v === undefined || typeof v === "function").optional(),
  /** Sent as `User-Agent`. */
  userAgent: z.string().optional(),
});
export type BoostedClientOptions = z.input<typeof BoostedClientOptions>;

interface WireObjects {
  organization: s.WireOrganization;
  workspace: s.WireWorkspace;
  user: s.WireUser;
}
type WireObject<K extends Kind> = WireObjects[K];
type PublicObject<K extends Kind> = Camelize<WireObject<K>>;

const SELECTOR_NAMES: Record<Kind, string> = {
  organization: "orgId or externalOrgId",
  workspace: "workspaceId or externalWorkspaceId",
  user: "userId or externalUserId",
};

/** Typed client for Boosted's Account Management API. */
export class BoostedClient {
  readonly #transport: Transport;
  readonly #tokens: TokenManager;
  readonly #baseUrl: string;

  constructor(options: BoostedClientOptions) {
    const parsed = BoostedClientOptions.safeParse(options);
    if (!parsed.success) {
      throw new InvalidInputError(`Invalid BoostedClient settings: ${describeIssues(parsed.error)}`);
    }
    const o = parsed.data;
    const signingKey = parsePrivateKey(o.privateKey);
    this.#baseUrl = o.baseUrl;
    this.#transport = new Transport({
      baseUrl: o.baseUrl,
      timeoutMs: o.timeoutMs ?? 30_000,
      retry: { ...defaultRetryPolicy, ...o.retry },
      logger: o.logger,
      userAgent: o.userAgent ?? "pulumi-boosted",
    });
    this.#tokens = new TokenManager(this.#transport, {
      clientId: o.clientId,
      clientSecret: o.clientSecret,
      signingKey,
      keyId: o.keyId,
      audience: o.audience,
      tokenPath: o.tokenUrl ?? `${o.baseUrl.replace(/\/+$/, "")}${PATHS.token}`,
      assertionLifetimeSeconds: o.assertionLifetimeSeconds ?? 300,
      refreshSkewSeconds: 60,
    });
  }

  /** What `console.log(client)` shows: where it points, never its credentials. */
  [inspect.custom](): string {
    return `BoostedClient { baseUrl: ${JSON.stringify(this.#baseUrl)} }`;
  }

  /** Number of token exchanges this client has made. */
  get tokenExchanges(): number {
    return this.#tokens.exchanges;
  }

  // ---- Organizations ------------------------------------------------------------------------

  /** Reads an organization by `{ orgId }` or `{ externalOrgId }`; throws {@link NotFoundError}. */
  getOrganization(selector: s.OrgSelector): Promise<s.Organization> {
    return this.getObject("organization", "getOrganization", selector);
  }
  /** Like {@link getOrganization}, but `undefined` when it does not exist. */
  tryGetOrganization(selector: s.OrgSelector): Promise<s.Organization | undefined> {
    return orUndefined(this.getOrganization(selector));
  }
  /** Creates an organization (PUT). A 409 means its external id is taken. */
  createOrganization(request: s.CreateOrganizationRequest): Promise<s.Organization> {
    return this.createObject("organization", "createOrganization", request);
  }
  /** Updates the fields given (PATCH); `entitlements` replaces the whole list. */
  updateOrganization(selector: s.OrgSelector, patch: s.UpdateOrganizationRequest): Promise<s.Organization> {
    return this.updateObject("organization", "updateOrganization", selector, patch);
  }

  // ---- Workspaces ---------------------------------------------------------------------------

  /** Reads a workspace by `{ workspaceId }` or `{ externalWorkspaceId }`; throws {@link NotFoundError}. */
  getWorkspace(selector: s.WorkspaceSelector): Promise<s.Workspace> {
    return this.getObject("workspace", "getWorkspace", selector);
  }
  /** Like {@link getWorkspace}, but `undefined` when it does not exist. */
  tryGetWorkspace(selector: s.WorkspaceSelector): Promise<s.Workspace | undefined> {
    return orUndefined(this.getWorkspace(selector));
  }
  /** Creates a workspace in an existing organization (PUT). */
  createWorkspace(request: s.CreateWorkspaceRequest): Promise<s.Workspace> {
    return this.createObject("workspace", "createWorkspace", request);
  }
  /** Updates the fields given (PATCH); a workspace cannot move to another organization. */
  updateWorkspace(selector: s.WorkspaceSelector, patch: s.UpdateWorkspaceRequest): Promise<s.Workspace> {
    return this.updateObject("workspace", "updateWorkspace", selector, patch);
  }

  // ---- Users --------------------------------------------------------------------------------

  /** Reads a user by `{ userId }` or `{ externalUserId }`; throws {@link NotFoundError}. */
  getUser(selector: s.UserSelector): Promise<s.User> {
    return this.getObject("user", "getUser", selector);
  }
  /** Like {@link getUser}, but `undefined` when it does not exist. */
  tryGetUser(selector: s.UserSelector): Promise<s.User | undefined> {
    return orUndefined(this.getUser(selector));
  }
  /** Creates a user in an existing workspace (PUT). A 409 means its external id or email is taken. */
  createUser(request: s.CreateUserRequest): Promise<s.User> {
    return this.createObject("user", "createUser", request);
  }
  /** Updates the fields given (PATCH); a user cannot move to another workspace. */
  updateUser(selector: s.UserSelector, patch: s.UpdateUserRequest): Promise<s.User> {
    return this.updateObject("user", "updateUser", selector, patch);
  }

  // ---- Combined and bulk --------------------------------------------------------------------

  /** Creates an organization and its first workspace in one call. */
  async createOrganizationAndWorkspace(
    request: s.CreateOrganizationAndWorkspaceRequest,
  ): Promise<{ organization: s.Organization; workspace: s.Workspace }> {
    const operation = "createOrganizationAndWorkspace";
    const body = this.wireBody(operation, s.NewOrgAndWorkspaceRequest, request);
    // Both objects would have to be recovered after a lost answer; only with both external ids
    // can a retry's 409 be told apart from a real conflict.
    const recoverable = Boolean(body.external_org_id && body.external_workspace_id);
    try {
      const data = await this.call(operation, { json: body, retryAmbiguous: recoverable });
      const env = this.parse(operation, s.OrgAndWorkspaceEnvelope, data);
      return {
        organization: fromWire(this.present(operation, env, "org", env.org)),
        workspace: fromWire(this.present(operation, env, "workspace", env.workspace)),
      };
    } catch (err) {
      if (!(err instanceof ConflictError && err.afterAmbiguousAttempt && recoverable)) throw err;
      const organization = await this.getOrganization({ externalOrgId: body.external_org_id! });
      const workspace = await this.getWorkspace({ externalWorkspaceId: body.external_workspace_id! });
      if (workspace.orgId !== organization.orgId || organization.name !== (body.org_name ?? null)) throw err;
      return { organization, workspace };
    }
  }

  /** Bulk read (ASSUMED operation, U1). An empty request returns everything the partner owns. */
  async getEntities(request: s.GetEntitiesRequest = {}): Promise<s.GetEntitiesResult> {
    const operation = "getEntities";
    const body = this.wireBody(operation, s.GetEntitiesRequest, request);
    const data = await this.call(operation, { json: body, retryAmbiguous: true });
    const parsed = this.parse(operation, s.GetEntitiesResponse, data);
    if (parsed.success === false)
      throw this.unexpected(operation, "the response says success: false", parsed.message ?? undefined);
    return fromWire({ orgs: parsed.orgs, workspaces: parsed.workspaces, users: parsed.users });
  }

  // ---- Generic paths ------------------------------------------------------------------------

  private async getObject<K extends Kind>(
    kind: K,
    operation: OperationName,
    selector: unknown,
  ): Promise<PublicObject<K>> {
    const query = this.wireSelector(kind, operation, selector);
    const data = await this.call(operation, { query, retryAmbiguous: true });
    return this.unwrap(kind, operation, data);
  }

  private async createObject<K extends Kind>(
    kind: K,
    operation: OperationName,
    request: unknown,
  ): Promise<PublicObject<K>> {
    const spec = KINDS[kind];
    const body = this.wireBody(operation, spec.create, request) as Record<string, unknown>;
    const externalId = body[spec.externalIdField] as string | null | undefined;
    try {
      // Without an external id a lost answer cannot be told apart from a real conflict on a
      // second attempt, so such a create is sent once after an ambiguous failure.
      const data = await this.call(operation, { json: body, retryAmbiguous: Boolean(externalId) });
      return this.unwrap(kind, operation, data);
    } catch (err) {
      if (!(err instanceof ConflictError && err.afterAmbiguousAttempt && externalId)) throw err;
      // Our first attempt was probably processed and its answer lost: the 409 is our own
      // object. Accept it only if it is exactly what we asked for.
      const existing = await this.tryGetByExternalId(kind, externalId);
      if (existing && matchesRequest(existing, body)) return fromWire(existing);
      throw err;
    }
  }

  private async updateObject<K extends Kind>(
    kind: K,
    operation: OperationName,
    selector: unknown,
    patch: unknown,
  ): Promise<PublicObject<K>> {
    const query = this.wireSelector(kind, operation, selector);
    const body = this.wireBody(operation, KINDS[kind].patch, patch);
    // PATCH sets fields to given values: repeating it is harmless.
    const data = await this.call(operation, { query, json: body, retryAmbiguous: true });
    return this.unwrap(kind, operation, data);
  }

  private async tryGetByExternalId<K extends Kind>(
    kind: K,
    externalId: string,
  ): Promise<WireObject<K> | undefined> {
    const spec = KINDS[kind];
    const operation = `get${spec.label}` as OperationName;
    try {
      const data = await this.call(operation, {
        query: { [spec.externalIdField]: externalId },
        retryAmbiguous: true,
      });
      return this.unwrapWire(kind, operation, data);
    } catch (err) {
      if (err instanceof NotFoundError) return undefined;
      throw err;
    }
  }

  private async call(
    operation: OperationName,
    req: { query?: Record<string, string>; json?: unknown; retryAmbiguous: boolean },
  ): Promise<unknown> {
    const op = OPERATIONS[operation];
    const res = await this.#transport.send({
      operation,
      method: op.method,
      path: op.path,
      auth: this.#tokens,
      ...req,
    });
    return res.data;
  }

  private unwrapWire<K extends Kind>(kind: K, operation: OperationName, data: unknown): WireObject<K> {
    const spec = KINDS[kind];
    const env = this.parse(operation, spec.envelope, data) as Record<string, unknown> & {
      success?: boolean | null;
      message?: string | null;
    };
    return this.present(operation, env, spec.envelopeKey, env[spec.envelopeKey]) as WireObject<K>;
  }

  private unwrap<K extends Kind>(kind: K, operation: OperationName, data: unknown): PublicObject<K> {
    return fromWire(this.unwrapWire(kind, operation, data));
  }

  /** A 2xx must say `success` (or leave it out) and carry the object (U28). */
  private present<T>(
    operation: OperationName,
    env: { success?: boolean | null; message?: string | null },
    key: string,
    value: T | null | undefined,
  ): T {
    if (env.success === false)
      throw this.unexpected(operation, "the response says success: false", env.message ?? undefined);
    if (value === null || value === undefined)
      throw this.unexpected(operation, `the response has no "${key}" object`, env.message ?? undefined);
    return value;
  }

  private parse<S extends z.ZodType>(operation: OperationName, schema: S, data: unknown): z.output<S> {
    const parsed = schema.safeParse(data);
    if (!parsed.success) {
      throw this.unexpected(
        operation,
        `the response is not what the API documents (${describeIssues(parsed.error)})`,
      );
    }
    return parsed.data;
  }

  private unexpected(operation: OperationName, summary: string, serverMessage?: string): BoostedError {
    const op = OPERATIONS[operation];
    return new UnexpectedResponseError(summary, {
      operation,
      method: op.method,
      path: op.path,
      serverMessage,
    });
  }

  private wireBody<S extends z.ZodType>(operation: OperationName, schema: S, request: unknown): z.output<S> {
    const parsed = schema.safeParse(toWire(request ?? {}));
    if (!parsed.success) {
      throw new InvalidInputError(
        `${operation}: invalid arguments, nothing was sent (${describeIssues(parsed.error, publicPath)})`,
      );
    }
    return parsed.data;
  }

  private wireSelector(kind: Kind, operation: OperationName, selector: unknown): Record<string, string> {
    const wire = toWire(selector ?? {}) as Record<string, unknown>;
    const parsed = KINDS[kind].selector.safeParse(wire);
    if (!parsed.success) {
      const id = wire[KINDS[kind].idField];
      const notUuid = typeof id === "string" && !s.UUID_PATTERN.test(id);
      throw new InvalidInputError(
        `${operation}: pass exactly one of ${SELECTOR_NAMES[kind]} as a non-empty string` +
          (notUuid
            ? `; a Boosted id (${SELECTOR_NAMES[kind].split(" ")[0]}) is a UUID, an external id can be any string`
            : ""),
      );
    }
    return parsed.data;
  }
}

function publicPath(path: string): string {
  return path.split(".").map(snakeToCamel).join(".");
}

async function orUndefined<T>(p: Promise<T>): Promise<T | undefined> {
  try {
    return await p;
  } catch (err) {
    if (err instanceof NotFoundError) return undefined;
    throw err;
  }
}

/** Does an existing wire object carry every field a create request set? */
function matchesRequest(existing: Record<string, unknown>, request: Record<string, unknown>): boolean {
  return Object.entries(request).every(([k, v]) => {
    if (v === undefined || v === null) return true;
    if (k === "entitlements") {
      const want = new Set((v as s.WireEntitlement[]).map((e) => e.billing_feature_id));
      const have = new Set(
        ((existing[k] as s.WireEntitlement[] | null) ?? []).map((e) => e.billing_feature_id),
      );
      return want.size === have.size && [...want].every((id) => have.has(id));
    }
    return existing[k] === v;
  });
}
