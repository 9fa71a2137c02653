/**
 * What differs between Organization, Workspace and User, as data, so that one implementation of
 * check/diff/create/read/update/delete serves all three.
 */
import { z } from "zod";
import type { BoostedClient } from "../sdk";
import * as s from "../sdk/schemas";

/** The value the engine sends for an input it does not know yet (during preview). */
export const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

export const MAX_TEXT = 256;

const text = (what: string) =>
  z
    .string({ error: (i) => (i.input === undefined ? `${what} is required` : `${what} must be a string`) })
    .trim()
    .min(1, `${what} must not be empty (leave it out instead)`)
    .max(MAX_TEXT, `${what} must be at most ${MAX_TEXT} characters`);

const email = (what: string) =>
  z
    .string({ error: `${what} must be a string` })
    .trim()
    .pipe(z.email(`${what} is not a valid email address (expected name@domain)`));

/** A Boosted id (UUID), e.g. a parent id or `adoptId`. */
const boostedId = (what: string) =>
  z
    .string({ error: (i) => (i.input === undefined ? `${what} is required` : `${what} must be a string`) })
    .trim()
    .min(1, `${what} must not be empty`)
    .regex(s.UUID_PATTERN, `${what} must be a Boosted id (a UUID), e.g. the id of the parent resource`);

/** Entitlements as a set: duplicates are an error (they are usually a copy-paste slip), order is canonical. */
const entitlements = z
  .array(
    z.union([
      z.literal(UNKNOWN),
      z.strictObject(
        { billingFeatureId: z.union([z.literal(UNKNOWN), text("billingFeatureId")]) },
        { error: "each entitlement must be an object { billingFeatureId: string }" },
      ),
    ]),
    { error: "entitlements must be a list of { billingFeatureId }" },
  )
  .superRefine((list, ctx) => {
    const seen = new Set<string>();
    for (const e of list) {
      const id = typeof e === "string" ? undefined : e.billingFeatureId;
      if (id === undefined || id === UNKNOWN) continue;
      if (seen.has(id))
        ctx.addIssue({
          code: "custom",
          message: `entitlement "${id}" is listed twice; list each billingFeatureId once`,
        });
      seen.add(id);
    }
  })
  .transform((list) =>
    list.some((e) => typeof e === "string" || e.billingFeatureId === UNKNOWN)
      ? list
      : [...(list as { billingFeatureId: string }[])].sort((a, b) =>
          a.billingFeatureId.localeCompare(b.billingFeatureId),
        ),
  );

const options = {
  onConflict: z.enum(["fail", "adopt"], { error: 'onConflict must be "fail" or "adopt"' }).default("fail"),
  onDelete: z
    .enum(["retain", "revokeEntitlements"], { error: 'onDelete must be "retain" or "revokeEntitlements"' })
    .default("retain"),
  adoptId: boostedId("adoptId").optional(),
};

/** Wraps each field so that the engine's "unknown" sentinel passes through unvalidated. */
function tolerant<T extends z.ZodRawShape>(shape: T) {
  const out: Record<string, z.ZodType> = {};
  for (const [k, v] of Object.entries(shape)) out[k] = z.union([z.literal(UNKNOWN), v as z.ZodType]);
  return z.strictObject(out as { [K in keyof T]: z.ZodUnion<[z.ZodLiteral<typeof UNKNOWN>, T[K]]> });
}

export const OrganizationInputs = tolerant({
  name: text("name").optional(),
  externalOrgId: text("externalOrgId").optional(),
  email: email("email").optional(),
  phoneNumber: text("phoneNumber").optional(),
  supportEmail: email("supportEmail").optional(),
  orgType: text("orgType").optional(),
  entitlements: entitlements.optional(),
  ...options,
});
export const WorkspaceInputs = tolerant({
  orgId: boostedId("orgId"),
  name: text("name").optional(),
  externalWorkspaceId: text("externalWorkspaceId").optional(),
  entitlements: entitlements.optional(),
  ...options,
});
export const UserInputs = tolerant({
  workspaceId: boostedId("workspaceId"),
  email: email("email").optional(),
  name: text("name").optional(),
  externalUserId: text("externalUserId").optional(),
  entitlements: entitlements.optional(),
  ...options,
});

export type Entitlement = { billingFeatureId: string };
/** The public (camelCase) object as read from Boosted. */
type ApiObject = Record<string, unknown>;

export interface KindSpec {
  /** Resource type name (`Workspace`) and the token's last part. */
  type: "Organization" | "Workspace" | "User";
  /** Word used in messages. */
  noun: string;
  inputs: z.ZodType;
  /** Output holding the Boosted id (`workspaceId`). */
  idField: string;
  externalIdField: string;
  /** Input naming the parent (`orgId`), if any: fixed for the object's life. */
  parentField?: string;
  parentNoun?: string;
  /** Inputs sent to Boosted (everything but the parent and the behaviour options). */
  apiFields: readonly string[];
  get(c: BoostedClient, id: string): Promise<ApiObject | undefined>;
  getByExternalId(c: BoostedClient, externalId: string): Promise<ApiObject | undefined>;
  create(c: BoostedClient, fields: Record<string, unknown>): Promise<ApiObject>;
  update(c: BoostedClient, id: string, patch: Record<string, unknown>): Promise<ApiObject>;
}

// Fields reach these functions after check validated them against the kind's schema.
export const KINDS: Record<KindSpec["type"], KindSpec> = {
  Organization: {
    type: "Organization",
    noun: "organization",
    inputs: OrganizationInputs,
    idField: "orgId",
    externalIdField: "externalOrgId",
    apiFields: ["name", "externalOrgId", "email", "phoneNumber", "supportEmail", "orgType", "entitlements"],
    get: (c, id) => c.tryGetOrganization({ orgId: id }),
    getByExternalId: (c, externalId) => c.tryGetOrganization({ externalOrgId: externalId }),
    create: (c, f) => c.createOrganization(f),
    update: (c, id, p) => c.updateOrganization({ orgId: id }, p),
  },
  Workspace: {
    type: "Workspace",
    noun: "workspace",
    inputs: WorkspaceInputs,
    idField: "workspaceId",
    externalIdField: "externalWorkspaceId",
    parentField: "orgId",
    parentNoun: "organization",
    apiFields: ["name", "externalWorkspaceId", "entitlements"],
    get: (c, id) => c.tryGetWorkspace({ workspaceId: id }),
    getByExternalId: (c, externalId) => c.tryGetWorkspace({ externalWorkspaceId: externalId }),
    create: (c, f) => c.createWorkspace(f as s.CreateWorkspaceRequest),
    update: (c, id, p) => c.updateWorkspace({ workspaceId: id }, p),
  },
  User: {
    type: "User",
    noun: "user",
    inputs: UserInputs,
    idField: "userId",
    externalIdField: "externalUserId",
    parentField: "workspaceId",
    parentNoun: "workspace",
    apiFields: ["email", "name", "externalUserId", "entitlements"],
    get: (c, id) => c.tryGetUser({ userId: id }),
    getByExternalId: (c, externalId) => c.tryGetUser({ externalUserId: externalId }),
    create: (c, f) => c.createUser(f as s.CreateUserRequest),
    update: (c, id, p) => c.updateUser({ userId: id }, p),
  },
};
