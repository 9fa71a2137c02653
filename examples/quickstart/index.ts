/**
 * The smallest useful stack: one organization, one workspace, one user.
 * Credentials come from stack config (`pulumi config set boosted:baseUrl …`, see the README).
 */
import * as boosted from "pulumi-boosted";

const org = new boosted.Organization("acme", {
  name: "Acme Capital",
  externalOrgId: "acme",
  entitlements: [{ billingFeatureId: "equities-us" }],
});

const research = new boosted.Workspace("acme-research", {
  orgId: org.id,
  name: "Research",
  externalWorkspaceId: "acme-research",
  entitlements: [{ billingFeatureId: "equities-us" }],
});

const ann = new boosted.User("acme-ann", {
  workspaceId: research.id,
  email: "ann@acme.example",
  name: "Ann Analyst",
  externalUserId: "acme-ann",
  entitlements: [{ billingFeatureId: "equities-us" }],
  onDelete: "revokeEntitlements",
});

export const orgId = org.id;
export const workspaceId = research.id;
export const userId = ann.id;
