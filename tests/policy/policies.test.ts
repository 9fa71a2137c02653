/**
 * Each policy on its own, with realistic resource arguments: one passing and one failing case
 * (at least) per policy.
 */
import type {
  PolicyResource,
  ResourceValidationArgs,
  ResourceValidationPolicy,
  StackValidationArgs,
  StackValidationPolicy,
} from "@pulumi/policy";
import * as p from "../../policy/policies";

const T = p.TYPES;
type Props = Record<string, unknown>;

function resourceArgs(
  type: string,
  name: string,
  props: Props,
  extra: { config?: object; tags?: Record<string, string>; protect?: boolean } = {},
): ResourceValidationArgs {
  return {
    type,
    name,
    props,
    urn: `urn:pulumi:dev::roster::${type}::${name}`,
    opts: {
      protect: extra.protect ?? false,
      ignoreChanges: [],
      aliases: [],
      additionalSecretOutputs: [],
      customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
    },
    stackTags: new Map(Object.entries(extra.tags ?? {})),
    getConfig: <T extends object>() => (extra.config ?? {}) as T,
    isType: () => false,
    asType: () => undefined,
  } as unknown as ResourceValidationArgs;
}

function check(policy: ResourceValidationPolicy, args: ResourceValidationArgs): string[] {
  const out: string[] = [];
  const validate = policy.validateResource as (a: ResourceValidationArgs, r: (m: string) => void) => void;
  validate(args, (m) => out.push(m));
  return out;
}

function resource(
  type: string,
  name: string,
  props: Props,
  deps: Record<string, PolicyResource> = {},
): PolicyResource {
  return {
    type,
    name,
    props,
    urn: `urn:pulumi:dev::roster::${type}::${name}`,
    opts: {
      protect: false,
      ignoreChanges: [],
      aliases: [],
      additionalSecretOutputs: [],
      customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
    },
    dependencies: Object.values(deps),
    propertyDependencies: Object.fromEntries(Object.entries(deps).map(([k, v]) => [k, [v]])),
    isType: () => false,
    asType: () => undefined,
  };
}

function checkStack(
  policy: StackValidationPolicy,
  resources: PolicyResource[],
  config: object = {},
): string[] {
  const out: string[] = [];
  const args = { resources, stackTags: new Map(), getConfig: () => config } as unknown as StackValidationArgs;
  // Our stack policies are synchronous: nothing to await.
  void policy.validateStack(args, (m) => out.push(m));
  return out;
}

// A realistic roster: Acme with one workspace and two users, after `up` (ids known).
const acme = resource(T.organization, "acme", {
  orgId: "o-1",
  externalOrgId: "acme",
  name: "Acme Capital",
  entitlements: [{ billingFeatureId: "equities-us" }],
});
const research = resource(T.workspace, "acme-research", {
  workspaceId: "w-1",
  orgId: "o-1",
  externalWorkspaceId: "acme-research",
  name: "Research",
  entitlements: [{ billingFeatureId: "equities-us" }, { billingFeatureId: "macro" }],
});
const ann = resource(T.user, "acme-ann", {
  userId: "u-1",
  workspaceId: "w-1",
  externalUserId: "acme-ann",
  email: "ann@acme.example",
  entitlements: [{ billingFeatureId: "macro" }],
});
const bob = resource(T.user, "acme-bob", {
  userId: "u-2",
  workspaceId: "w-1",
  externalUserId: "acme-bob",
  email: "bob@acme.example",
  entitlements: [],
});

describe("boosted-external-ids-required", () => {
  it("passes with an external id and fails without, naming the input", () => {
    expect(
      check(
        p.externalIdsRequired,
        resourceArgs(T.workspace, "research", { orgId: "o-1", externalWorkspaceId: "acme-research" }),
      ),
    ).toEqual([]);
    expect(
      check(
        p.externalIdsRequired,
        resourceArgs(T.user, "ann", { workspaceId: "w-1", email: "ann@acme.example" }),
      ),
    ).toEqual([
      'User "ann" has no externalUserId. Set externalUserId to your own stable key for it (e.g. "ann").',
    ]);
    expect(check(p.externalIdsRequired, resourceArgs("aws:s3/bucket:Bucket", "b", {}))).toEqual([]);
  });
});

describe("boosted-unique-external-ids and boosted-unique-user-emails", () => {
  it("pass for distinct values and name both resources for a clash", () => {
    expect(checkStack(p.uniqueExternalIds, [acme, research, ann, bob])).toEqual([]);
    expect(checkStack(p.uniqueUserEmails, [ann, bob])).toEqual([]);
    const dup = resource(T.user, "acme-ann-2", {
      workspaceId: "w-1",
      externalUserId: "acme-ann",
      email: "Ann@Acme.example",
    });
    expect(checkStack(p.uniqueExternalIds, [ann, dup])).toEqual([
      'Users "acme-ann" and "acme-ann-2" both have externalUserId "acme-ann". Give each its own.',
    ]);
    expect(checkStack(p.uniqueUserEmails, [ann, dup])).toEqual([
      'Users "acme-ann" and "acme-ann-2" both have email "ann@acme.example". Each person needs one user.',
    ]);
    // The same external id on different kinds is fine (Boosted scopes them per kind).
    expect(
      checkStack(p.uniqueExternalIds, [acme, resource(T.workspace, "w", { externalWorkspaceId: "acme" })]),
    ).toEqual([]);
  });
});

describe("boosted-allowed-entitlements", () => {
  const config = { allowedBillingFeatureIds: { workspace: ["equities-us", "macro"], user: ["macro"] } };
  it("passes approved ids, fails others with the allowed list, and ignores unconfigured levels", () => {
    expect(check(p.allowedEntitlements, resourceArgs(T.workspace, "r", research.props, { config }))).toEqual(
      [],
    );
    expect(
      check(
        p.allowedEntitlements,
        resourceArgs(T.user, "bob", { entitlements: [{ billingFeatureId: "crypto" }] }, { config }),
      ),
    ).toEqual([
      'User "bob" has entitlement "crypto", which is not approved for users. Use one of: macro, or get "crypto" added to allowedBillingFeatureIds.user.',
    ]);
    expect(
      check(p.allowedEntitlements, resourceArgs(T.organization, "acme", acme.props, { config })),
    ).toEqual([]);
  });
});

describe("boosted-user-entitlements-within-workspace", () => {
  it("passes a subset, fails a superset, by id after up and by dependency in preview", () => {
    expect(checkStack(p.userEntitlementsWithinWorkspace, [research, ann, bob])).toEqual([]);
    const greedy = resource(T.user, "greedy", {
      workspaceId: "w-1",
      entitlements: [{ billingFeatureId: "macro" }, { billingFeatureId: "crypto" }],
    });
    expect(checkStack(p.userEntitlementsWithinWorkspace, [research, greedy])).toEqual([
      'User "greedy" has entitlement "crypto" that its workspace "acme-research" does not have. Add them to the workspace, or remove them from the user.',
    ]);
    // Preview of a new stack: no ids yet, the dependency links them.
    const newWs = resource(T.workspace, "new", {
      orgId: "o-1",
      entitlements: [{ billingFeatureId: "macro" }],
    });
    const newUser = resource(
      T.user,
      "newbie",
      { entitlements: [{ billingFeatureId: "equities-us" }] },
      { workspaceId: newWs },
    );
    expect(checkStack(p.userEntitlementsWithinWorkspace, [newWs, newUser])).toHaveLength(1);
  });
});

describe("boosted-user-email-domains", () => {
  it("checks a plain list of domains", () => {
    expect(checkStack(p.userEmailDomains, [ann, bob], { allowedEmailDomains: ["acme.example"] })).toEqual([]);
    const stranger = resource(T.user, "eve", { workspaceId: "w-1", email: "eve@gmail.example" });
    expect(checkStack(p.userEmailDomains, [stranger], { allowedEmailDomains: ["acme.example"] })).toEqual([
      'User "eve" has email "eve@gmail.example", whose domain "gmail.example" is not allowed. Allowed: acme.example.',
    ]);
  });
  it("checks domains per organization external id", () => {
    const config = { allowedEmailDomains: { acme: ["acme.example"], globex: ["globex.example"] } };
    expect(checkStack(p.userEmailDomains, [acme, research, ann], config)).toEqual([]);
    const wrong = resource(T.user, "gus", { workspaceId: "w-1", email: "gus@globex.example" });
    expect(checkStack(p.userEmailDomains, [acme, research, wrong], config)).toEqual([
      'User "gus" has email "gus@globex.example", whose domain "globex.example" is not allowed for organization "acme". Allowed: acme.example.',
    ]);
  });
});

describe("boosted-adopt-needs-approval", () => {
  const adopting = { orgId: "o-1", externalWorkspaceId: "taken", onConflict: "adopt" };
  it("passes without adoption, reports it in development, blocks it in production", () => {
    expect(
      check(p.adoptNeedsApproval, resourceArgs(T.workspace, "w", { ...adopting, onConflict: "fail" })),
    ).toEqual([]);
    expect(check(p.adoptNeedsApproval, resourceArgs(T.workspace, "w", adopting))[0]).toContain(
      'Workspace "w" uses onConflict: "adopt"',
    );
    expect(() =>
      check(
        p.adoptNeedsApproval,
        resourceArgs(T.workspace, "w", adopting, { tags: { environment: "production" } }),
      ),
    ).toThrow(/take over an existing Boosted object/);
    expect(() =>
      check(p.adoptNeedsApproval, resourceArgs(T.workspace, "w", adopting, { config: { production: true } })),
    ).toThrow(/take over an existing Boosted object/);
  });
});

describe("boosted-revoke-on-delete", () => {
  it("passes revokeEntitlements and fails retain for users", () => {
    expect(check(p.revokeOnDelete, resourceArgs(T.user, "ann", { onDelete: "revokeEntitlements" }))).toEqual(
      [],
    );
    expect(check(p.revokeOnDelete, resourceArgs(T.user, "ann", { onDelete: "retain" }))).toEqual([
      'User "ann" has onDelete: "retain": removing it from the stack would leave its data access in place. Set onDelete: "revokeEntitlements".',
    ]);
    expect(check(p.revokeOnDelete, resourceArgs(T.workspace, "w", { onDelete: "retain" }))).toEqual([]);
  });
});

describe("boosted-protect-organizations", () => {
  it("applies only to production stacks", () => {
    expect(check(p.protectOrganizations, resourceArgs(T.organization, "acme", acme.props))).toEqual([]);
    expect(
      check(
        p.protectOrganizations,
        resourceArgs(T.organization, "acme", acme.props, {
          tags: { environment: "production" },
          protect: true,
        }),
      ),
    ).toEqual([]);
    expect(
      check(
        p.protectOrganizations,
        resourceArgs(T.organization, "acme", acme.props, { config: { production: true } }),
      ),
    ).toEqual([
      'Organization "acme" is not protected in a production stack. Add { protect: true } to its resource options.',
    ]);
  });
});

describe("boosted-naming", () => {
  it("checks names against the configured pattern", () => {
    const config = { namePattern: "^[A-Z][A-Za-z &]+$" };
    expect(check(p.naming, resourceArgs(T.workspace, "w", { name: "Research & Macro" }, { config }))).toEqual(
      [],
    );
    expect(check(p.naming, resourceArgs(T.workspace, "w", { name: "research_2" }, { config }))).toEqual([
      'Workspace "w" is named "research_2", which does not match the pattern /^[A-Z][A-Za-z &]+$/. Rename it to match.',
    ]);
    expect(check(p.naming, resourceArgs(T.workspace, "w", { name: "anything" }))).toEqual([]);
  });
});

it("has exactly the documented policies, each with a description", () => {
  expect(p.policies.map((x) => x.name).sort()).toEqual(
    [
      "boosted-adopt-needs-approval",
      "boosted-allowed-entitlements",
      "boosted-external-ids-required",
      "boosted-naming",
      "boosted-protect-organizations",
      "boosted-revoke-on-delete",
      "boosted-unique-external-ids",
      "boosted-unique-user-emails",
      "boosted-user-email-domains",
      "boosted-user-entitlements-within-workspace",
    ].sort(),
  );
});
