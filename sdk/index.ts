/**
 * `pulumi-boosted/sdk`: a typed client for Boosted's Account Management API.
 *
 * @example
 * ```ts
 * import { BoostedClient } from "pulumi-boosted/sdk";
 * const client = new BoostedClient({ baseUrl, audience, clientId, clientSecret, privateKey, keyId });
 * const ws = await client.createWorkspace({ orgId, name: "Research", externalWorkspaceId: "acme-research" });
 * ```
 */
export { BoostedClient, BoostedClientOptions } from "./client";
export * from "./errors";
export type {
  Entitlement,
  Organization,
  Workspace,
  User,
  CreateOrganizationRequest,
  UpdateOrganizationRequest,
  CreateWorkspaceRequest,
  UpdateWorkspaceRequest,
  CreateUserRequest,
  UpdateUserRequest,
  CreateOrganizationAndWorkspaceRequest,
  GetEntitiesRequest,
  GetEntitiesResult,
  OrgSelector,
  WorkspaceSelector,
  UserSelector,
} from "./schemas";
export { PATHS, PATH_ALIASES, KINDS, OPERATIONS } from "./endpoints";
export { defaultRetryPolicy, type RetryPolicy, type TransportEvent } from "./transport";
export { parsePrivateKey } from "./auth";
export { toWire, fromWire, type Camelize } from "./case";
