/**
 * The sandbox's state: every partner's organizations, workspaces and users, with the rules of
 * API.md's Unknowns table (U7, U8, U12, U13, U20, U21, U25, U32) applied on every change.
 *
 * Optionally persisted to a JSON file. Writes are atomic (a temporary file renamed over the old
 * one), so a crash leaves either the old or the new state, never half a file; and they are
 * group-committed: every change waits until a write that includes it is on disk before the
 * request is answered, but concurrent changes share one write.
 */
import { randomUUID } from "node:crypto";
import { promises as fs, readFileSync, existsSync } from "node:fs";
import path from "node:path";
import type { z } from "zod";
import { KINDS, type Kind } from "../sdk/endpoints";
import type * as s from "../sdk/schemas";
import { UUID_PATTERN } from "../sdk/schemas";

/** An error the sandbox answers with a status and a body. */
export class SandboxHttpError extends Error {
  constructor(
    readonly status: number,
    readonly body: unknown,
  ) {
    super(typeof body === "object" && body && "message" in body ? String(body.message) : `HTTP ${status}`);
  }
}

/** `{success:false, message, detail}`: the error body of U11. */
export function problem(status: number, message: string): SandboxHttpError {
  return new SandboxHttpError(status, { success: false, message, detail: message });
}

interface WireObjects {
  organization: s.WireOrganization;
  workspace: s.WireWorkspace;
  user: s.WireUser;
}
type Obj<K extends Kind> = WireObjects[K];

/** One partner's objects, in creation order. */
interface PartnerState {
  organization: Map<string, s.WireOrganization>;
  workspace: Map<string, s.WireWorkspace>;
  user: Map<string, s.WireUser>;
}

/** The persisted file. */
interface StateFile {
  version: 1;
  partners: Record<
    string,
    { organizations: s.WireOrganization[]; workspaces: s.WireWorkspace[]; users: s.WireUser[] }
  >;
}

export interface StoreOptions {
  /** JSON file to load at start and write after every change. */
  stateFile?: string;
  /** Status for an unknown id (U7): 404, or 400 as the real API may do. */
  notFoundStatus: 404 | 400;
  /** Status for a PATCH that would duplicate an external id or email (U12). */
  patchConflictStatus: 409 | 400;
}

/** Drops exact duplicates, keeps order (U25). */
function dedupe(list: readonly s.WireEntitlement[] | null | undefined): s.WireEntitlement[] {
  const seen = new Set<string>();
  const out: s.WireEntitlement[] = [];
  for (const e of list ?? []) {
    if (seen.has(e.billing_feature_id)) continue;
    seen.add(e.billing_feature_id);
    out.push({ billing_feature_id: e.billing_feature_id });
  }
  return out;
}

export class Store {
  private readonly partners = new Map<string, PartnerState>();
  private writing?: Promise<void>;
  private pendingWrite?: Promise<void>;

  constructor(private readonly options: StoreOptions) {
    if (options.stateFile && existsSync(options.stateFile)) this.load(options.stateFile);
  }

  private load(file: string): void {
    const data = JSON.parse(readFileSync(file, "utf8")) as StateFile;
    for (const [partner, p] of Object.entries(data.partners ?? {})) {
      const st = this.partner(partner);
      for (const o of p.organizations) st.organization.set(o.org_id, o);
      for (const w of p.workspaces) st.workspace.set(w.workspace_id, w);
      for (const u of p.users) st.user.set(u.user_id, u);
    }
  }

  private partner(clientId: string): PartnerState {
    let st = this.partners.get(clientId);
    if (!st) {
      st = { organization: new Map(), workspace: new Map(), user: new Map() };
      this.partners.set(clientId, st);
    }
    return st;
  }

  /** Everything, as the state file holds it. */
  snapshot(): StateFile {
    const partners: StateFile["partners"] = {};
    for (const [id, st] of this.partners) {
      partners[id] = {
        organizations: [...st.organization.values()],
        workspaces: [...st.workspace.values()],
        users: [...st.user.values()],
      };
    }
    return { version: 1, partners };
  }

  /** Forgets every object (admin reset); persisted like any change. */
  async clear(): Promise<void> {
    this.partners.clear();
    await this.persist();
  }

  /**
   * Resolves once the state as it is now is on disk. At most one write runs at a time; changes
   * made while it runs share the next write (group commit).
   */
  persist(): Promise<void> {
    const file = this.options.stateFile;
    if (!file) return Promise.resolve();
    if (this.pendingWrite) return this.pendingWrite;
    const previous = this.writing ?? Promise.resolve();
    const next = previous.then(async () => {
      this.pendingWrite = undefined;
      const tmp = `${file}.${process.pid}.${randomUUID()}.tmp`;
      await fs.mkdir(path.dirname(file), { recursive: true });
      await fs.writeFile(tmp, JSON.stringify(this.snapshot()));
      await fs.rename(tmp, file);
    });
    this.pendingWrite = next;
    this.writing = next.finally(() => {
      if (this.writing === next) this.writing = undefined;
    });
    return next;
  }

  // ---- lookups ------------------------------------------------------------------------------

  /**
   * Finds one object by Boosted id and/or external id (query parameters). U8: neither, or both
   * disagreeing, is a 400; U9: a malformed id is a 422; U7/U32: unknown or another partner's
   * object is not found.
   */
  find<K extends Kind>(partner: string, kind: K, query: Record<string, unknown>): Obj<K> {
    const spec = KINDS[kind];
    const id = query[spec.idField];
    const externalId = query[spec.externalIdField];
    if (typeof id !== "string" && typeof externalId !== "string") {
      throw problem(400, `Provide ${spec.idField} or ${spec.externalIdField}`);
    }
    if (typeof id === "string" && !UUID_PATTERN.test(id)) {
      throw new SandboxHttpError(422, {
        detail: [{ loc: ["query", spec.idField], msg: "Input should be a valid UUID", type: "uuid_parsing" }],
      });
    }
    const byId = typeof id === "string" ? this.byId(partner, kind, id) : undefined;
    const byExternal =
      typeof externalId === "string" ? this.byExternalId(partner, kind, externalId) : undefined;
    if (typeof id === "string" && typeof externalId === "string" && byId !== byExternal) {
      if (byId && byExternal)
        throw problem(400, `${spec.idField} and ${spec.externalIdField} name different objects`);
      throw this.notFound(kind);
    }
    const found = byId ?? byExternal;
    if (!found) throw this.notFound(kind);
    return found;
  }

  private notFound(kind: Kind): SandboxHttpError {
    const label = kind === "organization" ? "org" : kind;
    return problem(this.options.notFoundStatus, `${label} not found`);
  }

  byId<K extends Kind>(partner: string, kind: K, id: string): Obj<K> | undefined {
    return this.partner(partner)[kind].get(id.toLowerCase()) as Obj<K> | undefined;
  }

  byExternalId<K extends Kind>(partner: string, kind: K, externalId: string): Obj<K> | undefined {
    const field = KINDS[kind].externalIdField as keyof Obj<K>;
    for (const o of this.partner(partner)[kind].values() as Iterable<Obj<K>>) {
      if (o[field] === externalId) return o;
    }
    return undefined;
  }

  list<K extends Kind>(partner: string, kind: K): Obj<K>[] {
    return [...(this.partner(partner)[kind].values() as Iterable<Obj<K>>)];
  }

  // ---- uniqueness (U12) ---------------------------------------------------------------------

  private assertUnique(
    partner: string,
    kind: Kind,
    fields: Record<string, unknown>,
    selfId: string | undefined,
    status: number,
  ): void {
    const spec = KINDS[kind];
    const externalId = fields[spec.externalIdField];
    if (typeof externalId === "string") {
      const other = this.byExternalId(partner, kind, externalId);
      if (other && (other as Record<string, unknown>)[spec.idField] !== selfId) {
        throw problem(status, `${spec.label} with ${spec.externalIdField} "${externalId}" already exists`);
      }
    }
    if (kind === "user" && typeof fields.email === "string") {
      const email = fields.email.toLowerCase();
      for (const u of this.partner(partner).user.values()) {
        if (u.email?.toLowerCase() === email && u.user_id !== selfId) {
          throw problem(status, `User with email "${fields.email}" already exists`);
        }
      }
    }
  }

  // ---- creates ------------------------------------------------------------------------------

  createOrganization(partner: string, req: z.output<typeof KINDS.organization.create>): s.WireOrganization {
    this.assertUnique(partner, "organization", req, undefined, 409);
    const org: s.WireOrganization = {
      org_id: randomUUID(),
      external_org_id: req.external_org_id ?? null,
      name: req.name ?? null,
      email: req.email ?? null,
      phone_number: req.phone_number ?? null,
      support_email: req.support_email ?? null,
      org_type: req.org_type ?? null,
      entitlements: dedupe(req.entitlements),
    };
    this.partner(partner).organization.set(org.org_id, org);
    return org;
  }

  createWorkspace(partner: string, req: z.output<typeof KINDS.workspace.create>): s.WireWorkspace {
    // U13: an unknown (or foreign, or malformed) parent is a 400, not a 404 or 422.
    const org = this.byId(partner, "organization", req.org_id);
    if (!org) throw problem(400, "org not found");
    this.assertUnique(partner, "workspace", req, undefined, 409);
    const ws: s.WireWorkspace = {
      workspace_id: randomUUID(),
      org_id: org.org_id,
      external_workspace_id: req.external_workspace_id ?? null,
      name: req.name ?? null,
      entitlements: dedupe(req.entitlements),
    };
    this.partner(partner).workspace.set(ws.workspace_id, ws);
    return ws;
  }

  createUser(partner: string, req: z.output<typeof KINDS.user.create>): s.WireUser {
    const ws = this.byId(partner, "workspace", req.workspace_id);
    if (!ws) throw problem(400, "workspace not found");
    this.assertUnique(partner, "user", req, undefined, 409);
    const user: s.WireUser = {
      user_id: randomUUID(),
      workspace_id: ws.workspace_id,
      org_id: ws.org_id,
      external_user_id: req.external_user_id ?? null,
      name: req.name ?? null,
      email: req.email ?? null,
      entitlements: dedupe(req.entitlements),
    };
    this.partner(partner).user.set(user.user_id, user);
    return user;
  }

  createOrganizationAndWorkspace(
    partner: string,
    req: z.output<typeof import("../sdk/schemas").NewOrgAndWorkspaceRequest>,
  ): { org: s.WireOrganization; workspace: s.WireWorkspace } {
    // Check both before creating either, so a conflict leaves nothing half-made.
    this.assertUnique(partner, "organization", { external_org_id: req.external_org_id }, undefined, 409);
    this.assertUnique(
      partner,
      "workspace",
      { external_workspace_id: req.external_workspace_id },
      undefined,
      409,
    );
    const org = this.createOrganization(partner, {
      external_org_id: req.external_org_id,
      name: req.org_name,
      email: req.org_email,
      phone_number: req.org_phone_number,
      support_email: req.org_support_email,
      org_type: req.org_type,
      entitlements: req.org_entitlements,
    });
    const workspace = this.createWorkspace(partner, {
      org_id: org.org_id,
      external_workspace_id: req.external_workspace_id,
      name: req.workspace_name,
      entitlements: req.workspace_entitlements,
    });
    return { org, workspace };
  }

  // ---- updates (U20, U21) -------------------------------------------------------------------

  /**
   * Applies a PATCH: omitted or `null` fields stay as they are, a given list replaces the whole
   * list, a given string replaces the value. Parent fields are not in the patch models, so they
   * cannot be changed (the route strips unknown fields, like pydantic).
   */
  update<K extends Kind>(
    partner: string,
    kind: K,
    query: Record<string, unknown>,
    patch: Record<string, unknown>,
  ): Obj<K> {
    const current = this.find(partner, kind, query) as Record<string, unknown>;
    const selfId = current[KINDS[kind].idField] as string;
    const given = Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== null && v !== undefined));
    this.assertUnique(partner, kind, given, selfId, this.options.patchConflictStatus);
    for (const [k, v] of Object.entries(given)) {
      current[k] = k === "entitlements" ? dedupe(v as s.WireEntitlement[]) : v;
    }
    return current as Obj<K>;
  }

  /**
   * Removes an object as if Boosted's support had deleted it (the API itself cannot): for
   * tests of a refresh that finds an object gone.
   */
  async forget(partner: string, kind: Kind, id: string): Promise<boolean> {
    const removed = this.partner(partner)[kind].delete(id);
    await this.persist();
    return removed;
  }

  /** Entity counts, for the admin route and tests. */
  counts(partner: string): Record<Kind, number> {
    const st = this.partner(partner);
    return { organization: st.organization.size, workspace: st.workspace.size, user: st.user.size };
  }
}
