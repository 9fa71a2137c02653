/**
 * Every path and operation of the Boosted API, in one table.
 *
 * Several paths are ASSUMED in our reconstruction of the docs (API.md §6, U1, U2). When Boosted
 * confirms the real one, the correction is a one-line change here; the client, the sandbox and
 * the tests all read these constants.
 */
import * as s from "./schemas";

/** The wire paths. `confidence` repeats the spec's marking so a reader knows what may change. */
export const PATHS = {
  /** [DOC] */
  token: "/oauth2/token",
  /** [ASSUMED] U1 */
  entities: "/v2/account-management/entities",
  /** [ASSUMED] U2 */
  organization: "/v2/account-management/organization",
  /** [ASSUMED] U2 */
  organizationAndWorkspace: "/v2/account-management/organization-and-workspace",
  /** [DOC] */
  workspace: "/v2/account-management/workspace",
  /** [INFERRED] */
  user: "/v2/account-management/user",
} as const;

/**
 * Aliases the sandbox also serves, because the real path of these operations is unknown
 * (U1, U2). The client only ever uses {@link PATHS}.
 */
export const PATH_ALIASES: Record<string, readonly string[]> = {
  [PATHS.entities]: ["/v2/account-management/get-entities"],
  [PATHS.organization]: ["/v2/account-management/org"],
  [PATHS.organizationAndWorkspace]: [
    "/v2/account-management/org-and-workspace",
    "/v2/account-management/organization_and_workspace",
  ],
};

export type HttpMethod = "GET" | "POST" | "PUT" | "PATCH";

/** The kinds of object Boosted manages, with the names each uses on the wire. */
export const KINDS = {
  organization: {
    label: "Organization",
    path: PATHS.organization,
    envelopeKey: "org",
    idField: "org_id",
    externalIdField: "external_org_id",
    parentField: undefined,
    envelope: s.OrgEnvelope,
    selector: s.OrgSelector,
    create: s.NewOrgRequest,
    patch: s.PatchOrgRequest,
  },
  workspace: {
    label: "Workspace",
    path: PATHS.workspace,
    envelopeKey: "workspace",
    idField: "workspace_id",
    externalIdField: "external_workspace_id",
    parentField: "org_id",
    envelope: s.WorkspaceEnvelope,
    selector: s.WorkspaceSelector,
    create: s.NewWorkspaceRequest,
    patch: s.PatchWorkspaceRequest,
  },
  user: {
    label: "User",
    path: PATHS.user,
    envelopeKey: "user",
    idField: "user_id",
    externalIdField: "external_user_id",
    parentField: "workspace_id",
    envelope: s.UserEnvelope,
    selector: s.UserSelector,
    create: s.NewUserRequest,
    patch: s.PatchUserRequest,
  },
} as const;

export type Kind = keyof typeof KINDS;

/** Operation names as they appear in errors and logs. */
export const OPERATIONS = {
  tokenExchange: { method: "POST", path: PATHS.token },
  getEntities: { method: "POST", path: PATHS.entities },
  getOrganization: { method: "GET", path: PATHS.organization },
  createOrganization: { method: "PUT", path: PATHS.organization },
  updateOrganization: { method: "PATCH", path: PATHS.organization },
  createOrganizationAndWorkspace: { method: "PUT", path: PATHS.organizationAndWorkspace },
  getWorkspace: { method: "GET", path: PATHS.workspace },
  createWorkspace: { method: "PUT", path: PATHS.workspace },
  updateWorkspace: { method: "PATCH", path: PATHS.workspace },
  getUser: { method: "GET", path: PATHS.user },
  createUser: { method: "PUT", path: PATHS.user },
  updateUser: { method: "PATCH", path: PATHS.user },
} as const satisfies Record<string, { method: HttpMethod; path: string }>;

export type OperationName = keyof typeof OPERATIONS;
