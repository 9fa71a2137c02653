/**
 * The Pulumi resources: `Organization`, `Workspace` and `User`, and the explicit `Provider`.
 */
import * as pulumi from "@pulumi/pulumi";
import { organizationProvider, userProvider, workspaceProvider } from "./dynamic";
import { SETTINGS, type SettingName } from "./settings";

/** A data entitlement: an opaque billing feature id issued by Boosted. */
export interface EntitlementArgs {
  /** @example "equities-us" */
  billingFeatureId: pulumi.Input<string>;
}

/** An entitlement as Boosted returns it. */
export interface EntitlementOutput {
  billingFeatureId: string;
}

/** Options every Boosted resource takes, steering create and delete. */
export interface BoostedBehaviourArgs {
  /**
   * What to do when Boosted already holds an object with this external id (409 on create).
   * `"fail"` stops with an error naming the existing object's id; `"adopt"` brings it under
   * management (same parent only) and updates it to the declared state.
   * @default "fail"
   */
  onConflict?: pulumi.Input<"fail" | "adopt">;
  /**
   * What removing the resource from the stack does. Boosted has no delete: `"retain"` leaves
   * the object as it is; `"revokeEntitlements"` first empties its entitlements, so removing a
   * user removes their data access.
   * @default "retain"
   */
  onDelete?: pulumi.Input<"retain" | "revokeEntitlements">;
  /**
   * Bring the existing object with this Boosted id under management instead of creating one
   * (the import path for dynamic resources; the `import` resource option cannot work for them).
   * Only read when the resource is created.
   */
  adoptId?: pulumi.Input<string>;
}

/** Inputs of an {@link Organization}. An input left out is not managed (left as it is in Boosted). */
export interface OrganizationArgs extends BoostedBehaviourArgs {
  /** @example "Acme Capital" */
  name?: pulumi.Input<string>;
  /** Your own key for it; unique per partner. Strongly recommended: it makes creates safe to retry. */
  externalOrgId?: pulumi.Input<string>;
  email?: pulumi.Input<string>;
  phoneNumber?: pulumi.Input<string>;
  supportEmail?: pulumi.Input<string>;
  /** Free-form organization type. */
  orgType?: pulumi.Input<string>;
  /** The full set of entitlements (order does not matter; `[]` removes all). */
  entitlements?: pulumi.Input<pulumi.Input<EntitlementArgs>[]>;
}

/** Inputs of a {@link Workspace}. */
export interface WorkspaceArgs extends BoostedBehaviourArgs {
  /** Boosted id of the organization, e.g. `org.id`. Fixed for the workspace's life. */
  orgId: pulumi.Input<string>;
  /** @example "Research" */
  name?: pulumi.Input<string>;
  /** Your own key for it; unique per partner. */
  externalWorkspaceId?: pulumi.Input<string>;
  /** The full set of entitlements (order does not matter; `[]` removes all). */
  entitlements?: pulumi.Input<pulumi.Input<EntitlementArgs>[]>;
}

/** Inputs of a {@link User}. */
export interface UserArgs extends BoostedBehaviourArgs {
  /** Boosted id of the workspace, e.g. `workspace.id`. Fixed for the user's life. */
  workspaceId: pulumi.Input<string>;
  /** Unique per partner (compared case-insensitively). */
  email?: pulumi.Input<string>;
  name?: pulumi.Input<string>;
  /** Your own key for the user; unique per partner. */
  externalUserId?: pulumi.Input<string>;
  /** The full set of entitlements (order does not matter; `[]` removes all). */
  entitlements?: pulumi.Input<pulumi.Input<EntitlementArgs>[]>;
}

/**
 * Output properties start as `undefined` inputs so that the engine reports them as outputs
 * (unknown during preview) rather than as missing.
 */
function withOutputs(outputs: readonly string[], args: object): pulumi.Inputs {
  const props: pulumi.Inputs = {};
  for (const o of outputs) props[o] = undefined;
  return { ...props, ...args };
}

const COMMON_OUTPUTS = ["adopted", "onConflict", "onDelete", "entitlements"] as const;

/**
 * A Boosted organization: the top of the hierarchy.
 *
 * @example
 * ```ts
 * const org = new boosted.Organization("acme", { name: "Acme Capital", externalOrgId: "acme" });
 * ```
 */
export class Organization extends pulumi.dynamic.Resource {
  /** Boosted id (also the resource id). */
  declare readonly orgId: pulumi.Output<string>;
  declare readonly name: pulumi.Output<string | null>;
  declare readonly externalOrgId: pulumi.Output<string | null>;
  declare readonly email: pulumi.Output<string | null>;
  declare readonly phoneNumber: pulumi.Output<string | null>;
  declare readonly supportEmail: pulumi.Output<string | null>;
  declare readonly orgType: pulumi.Output<string | null>;
  declare readonly entitlements: pulumi.Output<EntitlementOutput[]>;
  /** Whether an existing object was adopted rather than created. */
  declare readonly adopted: pulumi.Output<boolean>;
  declare readonly onConflict: pulumi.Output<"fail" | "adopt">;
  declare readonly onDelete: pulumi.Output<"retain" | "revokeEntitlements">;

  constructor(name: string, args: OrganizationArgs = {}, opts?: pulumi.CustomResourceOptions) {
    const outputs = [
      "orgId",
      "name",
      "externalOrgId",
      "email",
      "phoneNumber",
      "supportEmail",
      "orgType",
      ...COMMON_OUTPUTS,
    ];
    super(organizationProvider, name, withOutputs(outputs, args), opts, "boosted", "Organization");
  }
}

/**
 * A Boosted workspace: the unit that carries one set of data entitlements for its users.
 *
 * @example
 * ```ts
 * const ws = new boosted.Workspace("research", {
 *   orgId: org.id,
 *   name: "Research",
 *   externalWorkspaceId: "acme-research",
 *   entitlements: [{ billingFeatureId: "equities-us" }],
 * });
 * ```
 */
export class Workspace extends pulumi.dynamic.Resource {
  /** Boosted id (also the resource id). */
  declare readonly workspaceId: pulumi.Output<string>;
  declare readonly orgId: pulumi.Output<string>;
  declare readonly name: pulumi.Output<string | null>;
  declare readonly externalWorkspaceId: pulumi.Output<string | null>;
  declare readonly entitlements: pulumi.Output<EntitlementOutput[]>;
  declare readonly adopted: pulumi.Output<boolean>;
  declare readonly onConflict: pulumi.Output<"fail" | "adopt">;
  declare readonly onDelete: pulumi.Output<"retain" | "revokeEntitlements">;

  constructor(name: string, args: WorkspaceArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      workspaceProvider,
      name,
      withOutputs(["workspaceId", "name", "externalWorkspaceId", ...COMMON_OUTPUTS], args),
      opts,
      "boosted",
      "Workspace",
    );
  }
}

/**
 * A Boosted user, inside a workspace.
 *
 * @example
 * ```ts
 * new boosted.User("ann", {
 *   workspaceId: ws.id,
 *   email: "ann@acme.example",
 *   externalUserId: "acme-ann",
 *   onDelete: "revokeEntitlements",
 * });
 * ```
 */
export class User extends pulumi.dynamic.Resource {
  /** Boosted id (also the resource id). */
  declare readonly userId: pulumi.Output<string>;
  declare readonly workspaceId: pulumi.Output<string>;
  declare readonly orgId: pulumi.Output<string>;
  declare readonly email: pulumi.Output<string | null>;
  declare readonly name: pulumi.Output<string | null>;
  declare readonly externalUserId: pulumi.Output<string | null>;
  declare readonly entitlements: pulumi.Output<EntitlementOutput[]>;
  declare readonly adopted: pulumi.Output<boolean>;
  declare readonly onConflict: pulumi.Output<"fail" | "adopt">;
  declare readonly onDelete: pulumi.Output<"retain" | "revokeEntitlements">;

  constructor(name: string, args: UserArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      userProvider,
      name,
      withOutputs(["userId", "orgId", "email", "name", "externalUserId", ...COMMON_OUTPUTS], args),
      opts,
      "boosted",
      "User",
    );
  }
}

/** Inputs of an explicit {@link Provider}; each falls back to stack config, then `BOOSTED_*`. */
export type ProviderArgs = Partial<Record<SettingName, pulumi.Input<string>>>;

/**
 * An explicit provider, so one stack can manage several Boosted environments or partner
 * accounts: pass `{ provider }` to each resource. Its credential inputs are stored as secrets.
 *
 * @example
 * ```ts
 * const eu = new boosted.Provider("eu", { baseUrl: "https://eu.api.boosted.ai", clientSecret: cfg.requireSecret("euSecret"), ... });
 * new boosted.Workspace("ws", { orgId }, { provider: eu });
 * ```
 */
export class Provider extends pulumi.ProviderResource {
  /** The inputs, for lookups made through this provider (secrets stay secret). */
  readonly settings: pulumi.Output<Partial<Record<SettingName, string>>>;

  constructor(name: string, args: ProviderArgs = {}, opts?: pulumi.ResourceOptions) {
    const inputs: pulumi.Inputs = {};
    for (const [key, value] of Object.entries(args) as [SettingName, pulumi.Input<string> | undefined][]) {
      if (value === undefined) continue;
      inputs[key] = SETTINGS[key].secret ? pulumi.secret(value) : value;
    }
    // Dynamic resources are served by the `pulumi-nodejs` provider; this is an instance of it,
    // configured with these inputs.
    super("pulumi-nodejs", name, inputs, opts);
    this.settings = pulumi.secret(
      pulumi.output(inputs) as pulumi.Output<Partial<Record<SettingName, string>>>,
    );
  }
}
