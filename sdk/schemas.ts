/**
 * Wire shapes of the Boosted Account Management API, one zod schema per shape.
 *
 * These are the snake_case shapes that cross the network; the public camelCase types are
 * inferred from them through {@link Camelize} (see `case.ts`). Both the client and the sandbox
 * use these schemas, and a contract test holds both to `spec/boosted-openapi.yaml`, so the two
 * cannot drift away from the documented API together.
 *
 * Nullability: the stored docs exist in two variants, one typing every response field as
 * "X or null" (API.md §1, U5). Responses therefore accept `null` everywhere, and a `null`
 * entitlement list reads as an empty one.
 */
import { z } from "zod";
import type { Camelize } from "./case";

/** A data entitlement: an opaque billing feature id issued by Boosted. */
export const Entitlement = z.object({ billing_feature_id: z.string().min(1) });
export type WireEntitlement = z.infer<typeof Entitlement>;
/** Public form: `{ billingFeatureId }`. */
export type Entitlement = Camelize<WireEntitlement>;

const nullableString = z.string().nullable();
/** Responses may send `null` for "no entitlements"; callers always get an array. */
const responseEntitlements = z
  .array(Entitlement)
  .nullable()
  .optional()
  .transform((v) => v ?? []);
/** Requests: `undefined`/`null` leaves the list unchanged, an array replaces it (U20). */
const requestEntitlements = z.array(Entitlement).nullable().optional();
const optionalString = z.string().nullable().optional();

// ---------------------------------------------------------------------------------------------
// Objects
// ---------------------------------------------------------------------------------------------

export const Organization = z.object({
  org_id: z.string().min(1),
  external_org_id: nullableString.optional().default(null),
  name: nullableString.optional().default(null),
  email: nullableString.optional().default(null),
  phone_number: nullableString.optional().default(null),
  support_email: nullableString.optional().default(null),
  org_type: nullableString.optional().default(null),
  entitlements: responseEntitlements,
});
export type WireOrganization = z.output<typeof Organization>;
/** An organization as the client returns it. */
export type Organization = Camelize<WireOrganization>;

export const Workspace = z.object({
  workspace_id: z.string().min(1),
  org_id: z.string().min(1),
  external_workspace_id: nullableString.optional().default(null),
  name: nullableString.optional().default(null),
  entitlements: responseEntitlements,
});
export type WireWorkspace = z.output<typeof Workspace>;
/** A workspace as the client returns it. */
export type Workspace = Camelize<WireWorkspace>;

export const User = z.object({
  user_id: z.string().min(1),
  workspace_id: z.string().min(1),
  org_id: z.string().min(1),
  external_user_id: nullableString.optional().default(null),
  name: nullableString.optional().default(null),
  email: nullableString.optional().default(null),
  entitlements: responseEntitlements,
});
export type WireUser = z.output<typeof User>;
/** A user as the client returns it. */
export type User = Camelize<WireUser>;

// ---------------------------------------------------------------------------------------------
// Requests
// ---------------------------------------------------------------------------------------------

/** Body of Create Organization (API.md §6.6, ASSUMED to mirror Patch Org Request). */
export const NewOrgRequest = z.strictObject({
  external_org_id: optionalString,
  name: optionalString,
  email: optionalString,
  phone_number: optionalString,
  support_email: optionalString,
  org_type: optionalString,
  entitlements: requestEntitlements,
});
export type CreateOrganizationRequest = Camelize<z.input<typeof NewOrgRequest>>;

/** Body of Update Organization: every field optional, `null`/omitted leaves it unchanged. */
export const PatchOrgRequest = NewOrgRequest;
export type UpdateOrganizationRequest = Camelize<z.input<typeof PatchOrgRequest>>;

export const NewWorkspaceRequest = z.strictObject({
  org_id: z.string().min(1),
  external_workspace_id: optionalString,
  name: optionalString,
  entitlements: requestEntitlements,
});
export type CreateWorkspaceRequest = Camelize<z.input<typeof NewWorkspaceRequest>>;

export const PatchWorkspaceRequest = NewWorkspaceRequest.omit({ org_id: true });
export type UpdateWorkspaceRequest = Camelize<z.input<typeof PatchWorkspaceRequest>>;

export const NewUserRequest = z.strictObject({
  workspace_id: z.string().min(1),
  external_user_id: optionalString,
  name: optionalString,
  email: optionalString,
  entitlements: requestEntitlements,
});
export type CreateUserRequest = Camelize<z.input<typeof NewUserRequest>>;

export const PatchUserRequest = NewUserRequest.omit({ workspace_id: true });
export type UpdateUserRequest = Camelize<z.input<typeof PatchUserRequest>>;

export const NewOrgAndWorkspaceRequest = z.strictObject({
  external_org_id: optionalString,
  external_workspace_id: optionalString,
  org_email: optionalString,
  org_entitlements: requestEntitlements,
  org_name: optionalString,
  org_phone_number: optionalString,
  org_support_email: optionalString,
  org_type: optionalString,
  workspace_entitlements: requestEntitlements,
  workspace_name: optionalString,
});
export type CreateOrganizationAndWorkspaceRequest = Camelize<z.input<typeof NewOrgAndWorkspaceRequest>>;

const idList = z.array(z.string()).nullable().optional();
/** Body of Get Entities (entirely ASSUMED, U1). An empty body asks for everything. */
export const GetEntitiesRequest = z.strictObject({
  org_ids: idList,
  workspace_ids: idList,
  user_ids: idList,
  external_org_ids: idList,
  external_workspace_ids: idList,
  external_user_ids: idList,
});
export type GetEntitiesRequest = Camelize<z.input<typeof GetEntitiesRequest>>;

/** Boosted ids in query parameters are declared `format: uuid`; the server 422s anything else (U9). */
export const UUID_PATTERN = /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i;
const BoostedId = z.string().regex(UUID_PATTERN, "must be a Boosted id (a UUID)");

// Selectors: how GET and PATCH name one object (query parameters). Exactly one of the two.
export const OrgSelector = z.union([
  z.strictObject({ org_id: BoostedId }),
  z.strictObject({ external_org_id: z.string().min(1) }),
]);
/** `{ orgId }` or `{ externalOrgId }`. */
export type OrgSelector = Camelize<z.input<typeof OrgSelector>>;
export const WorkspaceSelector = z.union([
  z.strictObject({ workspace_id: BoostedId }),
  z.strictObject({ external_workspace_id: z.string().min(1) }),
]);
/** `{ workspaceId }` or `{ externalWorkspaceId }`. */
export type WorkspaceSelector = Camelize<z.input<typeof WorkspaceSelector>>;
export const UserSelector = z.union([
  z.strictObject({ user_id: BoostedId }),
  z.strictObject({ external_user_id: z.string().min(1) }),
]);
/** `{ userId }` or `{ externalUserId }`. */
export type UserSelector = Camelize<z.input<typeof UserSelector>>;

// ---------------------------------------------------------------------------------------------
// Responses
// ---------------------------------------------------------------------------------------------

/**
 * Every account-management response is an envelope `{ success, message, <object> }`. A 2xx with
 * `success: false` or a missing object is treated as an error by the client (U28), so the
 * object fields are nullable here and checked after parsing.
 */
const envelope = {
  success: z.boolean().nullable().optional(),
  message: z.string().nullable().optional(),
};
export const OrgEnvelope = z.object({ ...envelope, org: Organization.nullable().optional() });
export const WorkspaceEnvelope = z.object({ ...envelope, workspace: Workspace.nullable().optional() });
export const UserEnvelope = z.object({ ...envelope, user: User.nullable().optional() });
export const OrgAndWorkspaceEnvelope = z.object({
  ...envelope,
  org: Organization.nullable().optional(),
  workspace: Workspace.nullable().optional(),
});
export const GetEntitiesResponse = z.object({
  ...envelope,
  orgs: z
    .array(Organization)
    .nullable()
    .optional()
    .transform((v) => v ?? []),
  workspaces: z
    .array(Workspace)
    .nullable()
    .optional()
    .transform((v) => v ?? []),
  users: z
    .array(User)
    .nullable()
    .optional()
    .transform((v) => v ?? []),
});
export type GetEntitiesResult = Camelize<
  Pick<z.output<typeof GetEntitiesResponse>, "orgs" | "workspaces" | "users">
>;

// ---------------------------------------------------------------------------------------------
// OAuth 2.0 token exchange (RFC 8693)
// ---------------------------------------------------------------------------------------------

export const GRANT_TYPE_TOKEN_EXCHANGE = "urn:ietf:params:oauth:grant-type:token-exchange";
export const TOKEN_TYPE_JWT = "urn:ietf:params:oauth:token-type:jwt";
export const TOKEN_TYPE_ACCESS_TOKEN = "urn:ietf:params:oauth:token-type:access_token";
export const SCOPE_ACCOUNT_MANAGEMENT = "account-management";

export const TokenExchangeRequest = z.strictObject({
  grant_type: z.literal(GRANT_TYPE_TOKEN_EXCHANGE),
  subject_token: z.string().min(1),
  subject_token_type: z.literal(TOKEN_TYPE_JWT),
  client_id: z.string().min(1),
  client_secret: z.string().min(1),
  scope: z.string().optional(),
});
export type TokenExchangeRequest = z.infer<typeof TokenExchangeRequest>;

export const TokenExchangeResponse = z.object({
  access_token: z.string().min(1),
  expires_in: z.number().int().positive().nullable().optional(),
  issued_token_type: z.string().nullable().optional(),
  scope: z.string().nullable().optional(),
  token_type: z.string().nullable().optional(),
});
export type TokenExchangeResponse = z.infer<typeof TokenExchangeResponse>;

/** RFC 6749 §5.2 error body of the token endpoint (ASSUMED shape, U15). */
export const OAuthErrorBody = z.object({
  error: z.string(),
  error_description: z.string().optional(),
});

/** Error body of the account-management endpoints (U11, U14). */
export const ErrorBody = z.object({
  success: z.boolean().optional(),
  message: z.string().optional(),
  detail: z.union([z.string(), z.array(z.unknown())]).optional(),
});

/** FastAPI's 422 body (U10). */
export const ValidationErrorItem = z.object({
  loc: z.array(z.union([z.string(), z.number()])),
  msg: z.string(),
  type: z.string(),
});
export const HTTPValidationError = z.object({ detail: z.array(ValidationErrorItem) });
export type ValidationErrorItem = z.infer<typeof ValidationErrorItem>;
