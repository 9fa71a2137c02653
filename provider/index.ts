/**
 * `pulumi-boosted`: your Boosted account hierarchy as Pulumi resources.
 *
 * @example
 * ```ts
 * import * as boosted from "pulumi-boosted";
 * const org = new boosted.Organization("acme", { name: "Acme Capital", externalOrgId: "acme" });
 * const ws = new boosted.Workspace("research", { orgId: org.id, externalWorkspaceId: "acme-research" });
 * new boosted.User("ann", { workspaceId: ws.id, email: "ann@acme.example", externalUserId: "acme-ann" });
 * ```
 */
export {
  Organization,
  Workspace,
  User,
  Provider,
  type OrganizationArgs,
  type WorkspaceArgs,
  type UserArgs,
  type ProviderArgs,
  type EntitlementArgs,
  type EntitlementOutput,
  type BoostedBehaviourArgs,
} from "./resources";
export * from "./lookups";
export { SETTINGS } from "./settings";
