/**
 * Guard rails for partners' Boosted stacks, as `@pulumi/policy` policies.
 *
 * Partners manage other companies' access to financial data; these policies stop a bad change
 * in the pull request's preview, before `pulumi up`. Each has a stable name (pipelines and
 * config files refer to it), a description, a default enforcement level and, where it takes
 * settings, a config schema. Messages name the resource, the offending value and the fix.
 *
 * Configuration (`--policy-pack-config`), by policy name:
 * - `allowedBillingFeatureIds`: `{ organization?: string[], workspace?: string[], user?: string[] }`
 * - `allowedEmailDomains`: `string[]`, or a map from an organization's external id to `string[]`
 * - `namePattern`: a regular expression source
 * - `production: true` (on the policies that depend on it), or the stack tag
 *   `environment: production`, makes a stack a production stack.
 */
import {
  UnknownValueError,
  type PolicyResource,
  type ResourceValidationPolicy,
  type StackValidationPolicy,
} from "@pulumi/policy";

/** Our resources' type tokens (see `pulumi-boosted`). */
export const TYPES = {
  organization: "pulumi-nodejs:dynamic/boosted:Organization",
  workspace: "pulumi-nodejs:dynamic/boosted:Workspace",
  user: "pulumi-nodejs:dynamic/boosted:User",
} as const;
type Level = keyof typeof TYPES;
const LEVEL_OF: Record<string, Level> = {
  [TYPES.organization]: "organization",
  [TYPES.workspace]: "workspace",
  [TYPES.user]: "user",
};
const EXTERNAL_ID: Record<Level, string> = {
  organization: "externalOrgId",
  workspace: "externalWorkspaceId",
  user: "externalUserId",
};
const LABEL: Record<Level, string> = { organization: "Organization", workspace: "Workspace", user: "User" };

type Props = Record<string, unknown>;

/**
 * A property's value, or `undefined` when it is not known yet (during preview): policies then
 * check what is known instead of failing with "can't run during preview".
 */
function known(props: Props, key: string): unknown {
  try {
    const v = props[key];
    return v;
  } catch (e) {
    if (e instanceof UnknownValueError) return undefined;
    throw e;
  }
}

function text(props: Props, key: string): string | undefined {
  const v = known(props, key);
  return typeof v === "string" && v !== "" ? v : undefined;
}

function entitlementIds(props: Props): string[] | undefined {
  const v = known(props, "entitlements");
  if (!Array.isArray(v)) return undefined;
  const ids: string[] = [];
  for (let i = 0; i < v.length; i++) {
    const e = known(v as unknown as Props, String(i));
    const id = e && typeof e === "object" ? text(e as Props, "billingFeatureId") : undefined;
    if (id) ids.push(id);
  }
  return ids;
}

const describe = (level: Level, name: string) => `${LABEL[level]} "${name}"`;

// ---- production ----------------------------------------------------------------------------------

/**
 * A production stack: the stack tag `environment: production`, or `production: true` in the
 * policy's config.
 */
function isProduction(args: {
  stackTags: ReadonlyMap<string, string>;
  getConfig<T extends object>(): T;
}): boolean {
  return (
    args.stackTags.get("environment") === "production" ||
    args.getConfig<{ production?: boolean }>().production === true
  );
}

const productionSchema = {
  production: { type: "boolean", description: "Treat this stack as production." },
} as const;

/**
 * Blocks the run in a production stack.
 *
 * Why an error and not a "mandatory" report: `@pulumi/policy` fixes a policy's enforcement level
 * before it validates (from the pack config the engine sends, which names a level for every
 * policy), so a policy cannot raise its own level when it finds the stack is production. A
 * validation error fails the preview or update just as a mandatory violation does, and no config
 * can downgrade it. Its stack is the message, so the engine prints only what to do.
 */
class BlockedInProduction extends Error {
  constructor(message: string) {
    super(message);
    this.name = "BlockedInProduction";
    this.stack = `mandatory in production stacks: ${message}`;
  }
}

function reportOrBlock(
  args: Parameters<typeof isProduction>[0],
  report: (message: string) => void,
  message: string,
): void {
  if (isProduction(args)) throw new BlockedInProduction(message);
  report(message);
}

// ---- resource policies --------------------------------------------------------------------------

export const externalIdsRequired: ResourceValidationPolicy = {
  name: "boosted-external-ids-required",
  description:
    "Every Organization, Workspace and User sets its external id: it makes creates safe to retry and conflicts resolvable.",
  enforcementLevel: "mandatory",
  validateResource: (args, report) => {
    const level = LEVEL_OF[args.type];
    if (!level) return;
    const key = EXTERNAL_ID[level];
    if (known(args.props, key) === undefined && !(key in args.props)) {
      report(
        `${describe(level, args.name)} has no ${key}. Set ${key} to your own stable key for it (e.g. "${args.name}").`,
      );
    }
  },
};

interface AllowedEntitlements {
  allowedBillingFeatureIds?: Partial<Record<Level, string[]>>;
}

export const allowedEntitlements: ResourceValidationPolicy = {
  name: "boosted-allowed-entitlements",
  description:
    "Every billingFeatureId comes from the configured allow-list for its level (organization, workspace, user).",
  enforcementLevel: "mandatory",
  configSchema: {
    properties: {
      allowedBillingFeatureIds: {
        type: "object",
        properties: {
          organization: { type: "array", items: { type: "string" } },
          workspace: { type: "array", items: { type: "string" } },
          user: { type: "array", items: { type: "string" } },
        },
        additionalProperties: false,
      },
    },
  },
  validateResource: (args, report) => {
    const level = LEVEL_OF[args.type];
    const allowed = level
      ? args.getConfig<AllowedEntitlements>().allowedBillingFeatureIds?.[level]
      : undefined;
    if (!level || !allowed) return;
    for (const id of entitlementIds(args.props) ?? []) {
      if (!allowed.includes(id)) {
        report(
          `${describe(level, args.name)} has entitlement "${id}", which is not approved for ${LABEL[level].toLowerCase()}s. Use one of: ${allowed.join(", ") || "(none)"}, or get "${id}" added to allowedBillingFeatureIds.${level}.`,
        );
      }
    }
  },
};

export const adoptNeedsApproval: ResourceValidationPolicy = {
  name: "boosted-adopt-needs-approval",
  description:
    'onConflict: "adopt" (or adoptId) takes over an existing Boosted object; it is reported for review, and blocked in production.',
  enforcementLevel: "advisory",
  configSchema: { properties: { ...productionSchema } },
  validateResource: (args, report) => {
    const level = LEVEL_OF[args.type];
    if (!level) return;
    const adoptId = text(args.props, "adoptId");
    if (known(args.props, "onConflict") === "adopt" || adoptId) {
      const how = adoptId ? `adoptId "${adoptId}"` : 'onConflict: "adopt"';
      reportOrBlock(
        args,
        report,
        `${describe(level, args.name)} uses ${how}: it would take over an existing Boosted object (with whatever access it has). ` +
          `Get the adoption approved, then remove the option once the object is in the stack.`,
      );
    }
  },
};

export const revokeOnDelete: ResourceValidationPolicy = {
  name: "boosted-revoke-on-delete",
  description:
    'Users use onDelete: "revokeEntitlements", so removing someone from the stack removes their access.',
  enforcementLevel: "advisory",
  validateResource: (args, report) => {
    if (args.type !== TYPES.user) return;
    const onDelete = known(args.props, "onDelete");
    if (onDelete !== undefined && onDelete !== "revokeEntitlements") {
      report(
        `User "${args.name}" has onDelete: ${JSON.stringify(onDelete)}: removing it from the stack would leave its data access in place. Set onDelete: "revokeEntitlements".`,
      );
    }
  },
};

export const protectOrganizations: ResourceValidationPolicy = {
  name: "boosted-protect-organizations",
  description: "Organizations carry the protect option in production stacks.",
  enforcementLevel: "mandatory",
  configSchema: { properties: { ...productionSchema } },
  validateResource: (args, report) => {
    if (args.type !== TYPES.organization || !isProduction(args)) return;
    if (!args.opts.protect) {
      report(
        `Organization "${args.name}" is not protected in a production stack. Add { protect: true } to its resource options.`,
      );
    }
  },
};

export const naming: ResourceValidationPolicy = {
  name: "boosted-naming",
  description: "Names of organizations, workspaces and users match the configured pattern.",
  enforcementLevel: "advisory",
  configSchema: {
    properties: { namePattern: { type: "string", description: "A regular expression the name must match." } },
  },
  validateResource: (args, report) => {
    const level = LEVEL_OF[args.type];
    const pattern = args.getConfig<{ namePattern?: string }>().namePattern;
    if (!level || !pattern) return;
    const name = text(args.props, "name");
    if (name !== undefined && !new RegExp(pattern).test(name)) {
      report(
        `${describe(level, args.name)} is named "${name}", which does not match the pattern /${pattern}/. Rename it to match.`,
      );
    }
  },
};

// ---- stack policies -----------------------------------------------------------------------------

function boosted(resources: PolicyResource[], level: Level): PolicyResource[] {
  return resources.filter((r) => r.type === TYPES[level]);
}

export const uniqueExternalIds: StackValidationPolicy = {
  name: "boosted-unique-external-ids",
  description: "No two resources of the same kind share an external id (the second create would hit a 409).",
  enforcementLevel: "mandatory",
  validateStack: (args, report) => {
    for (const level of Object.keys(TYPES) as Level[]) {
      const owners = new Map<string, string>();
      for (const r of boosted(args.resources, level)) {
        const id = text(r.props, EXTERNAL_ID[level]);
        if (!id) continue;
        const first = owners.get(id);
        if (first)
          report(
            `${LABEL[level]}s "${first}" and "${r.name}" both have ${EXTERNAL_ID[level]} "${id}". Give each its own.`,
          );
        else owners.set(id, r.name);
      }
    }
  },
};

export const uniqueUserEmails: StackValidationPolicy = {
  name: "boosted-unique-user-emails",
  description: "No two users share an email (compared case-insensitively, as Boosted does).",
  enforcementLevel: "mandatory",
  validateStack: (args, report) => {
    const owners = new Map<string, string>();
    for (const r of boosted(args.resources, "user")) {
      const email = text(r.props, "email")?.toLowerCase();
      if (!email) continue;
      const first = owners.get(email);
      if (first)
        report(`Users "${first}" and "${r.name}" both have email "${email}". Each person needs one user.`);
      else owners.set(email, r.name);
    }
  },
};

/**
 * The parent resource a child names through its id input (`workspaceId`, `orgId`): matched by
 * Boosted id when it is known, else through the property dependency (during preview of new
 * resources the id is not known yet, but the dependency is).
 */
function parentOf(
  child: PolicyResource,
  field: string,
  parents: PolicyResource[],
): PolicyResource | undefined {
  const id = text(child.props, field);
  const byDependency = child.propertyDependencies[field]?.find((p) => parents.includes(p));
  if (byDependency) return byDependency;
  if (!id) return child.dependencies.find((p) => parents.includes(p));
  // A parent's own id output has the same name as the child's input (`workspaceId`, `orgId`).
  return parents.find((p) => known(p.props, field) === id);
}

export const userEntitlementsWithinWorkspace: StackValidationPolicy = {
  name: "boosted-user-entitlements-within-workspace",
  description: "A user's entitlements are a subset of its workspace's, when both are in the stack.",
  enforcementLevel: "mandatory",
  validateStack: (args, report) => {
    const workspaces = boosted(args.resources, "workspace");
    for (const user of boosted(args.resources, "user")) {
      const ws = parentOf(user, "workspaceId", workspaces);
      const wsIds = ws ? entitlementIds(ws.props) : undefined;
      const userIds = entitlementIds(user.props);
      if (!ws || !wsIds || !userIds) continue;
      const extra = userIds.filter((id) => !wsIds.includes(id));
      if (extra.length > 0) {
        report(
          `User "${user.name}" has entitlement${extra.length > 1 ? "s" : ""} ${extra.map((e) => `"${e}"`).join(", ")} that its workspace "${ws.name}" does not have. Add them to the workspace, or remove them from the user.`,
        );
      }
    }
  },
};

interface EmailDomains {
  allowedEmailDomains?: string[] | Record<string, string[]>;
}

export const userEmailDomains: StackValidationPolicy = {
  name: "boosted-user-email-domains",
  description:
    "User emails belong to the configured domains (per organization external id, if a map is given).",
  enforcementLevel: "mandatory",
  configSchema: {
    properties: {
      // A list of domains, or a map from an organization's external id to its list.
      allowedEmailDomains: {
        type: ["array", "object"],
        items: { type: "string" },
        additionalProperties: { type: "array", items: { type: "string" } },
      },
    },
  },
  validateStack: (args, report) => {
    const allowed = args.getConfig<EmailDomains>().allowedEmailDomains;
    if (!allowed) return;
    const workspaces = boosted(args.resources, "workspace");
    const orgs = boosted(args.resources, "organization");
    for (const user of boosted(args.resources, "user")) {
      const email = text(user.props, "email");
      if (!email) continue;
      let domains: string[] | undefined;
      let scope = "";
      if (Array.isArray(allowed)) {
        domains = allowed;
      } else {
        const ws = parentOf(user, "workspaceId", workspaces);
        const org = ws ? parentOf(ws, "orgId", orgs) : undefined;
        const orgExternalId = org ? text(org.props, "externalOrgId") : undefined;
        if (!orgExternalId) continue;
        domains = allowed[orgExternalId];
        scope = ` for organization "${orgExternalId}"`;
        if (!domains) continue;
      }
      const domain = email.split("@").pop()!.toLowerCase();
      if (!domains.map((d) => d.toLowerCase()).includes(domain)) {
        report(
          `User "${user.name}" has email "${email}", whose domain "${domain}" is not allowed${scope}. Allowed: ${domains.join(", ")}.`,
        );
      }
    }
  },
};

/** Every policy of the pack, in the order the analyzer runs them. */
export const policies: (ResourceValidationPolicy | StackValidationPolicy)[] = [
  externalIdsRequired,
  uniqueExternalIds,
  uniqueUserEmails,
  allowedEntitlements,
  userEntitlementsWithinWorkspace,
  userEmailDomains,
  adoptNeedsApproval,
  revokeOnDelete,
  protectOrganizations,
  naming,
];
