/**
 * The typical partner stack: the Boosted hierarchy read from a roster file.
 *
 * Organizations → workspaces → users, each with its entitlements, keyed by your external ids.
 * Resource names are the external ids, so renaming something in the roster updates it in place,
 * and adding a user is a one-line change.
 *
 * Stack config (besides the boosted:* credentials):
 *   roster                path of the roster file        default: roster.yaml beside this program
 *   protectOrganizations  protect organizations from deletion (use in production)   default: false
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import * as boosted from "pulumi-boosted";
import { parse } from "yaml";
import { z } from "zod";

const ids = z.array(z.string().min(1)).default([]);
/** Per entry: adopt an object that already holds this external id instead of failing. */
const onConflict = z.enum(["fail", "adopt"]).optional();
const User = z.strictObject({
  externalId: z.string().min(1),
  email: z.string().optional(),
  name: z.string().optional(),
  entitlements: ids,
  onDelete: z.enum(["retain", "revokeEntitlements"]).optional(),
  onConflict,
});
const Workspace = z.strictObject({
  externalId: z.string().min(1),
  name: z.string().optional(),
  entitlements: ids,
  // An empty `users:` in YAML is null.
  users: z
    .array(User)
    .nullish()
    .transform((v) => v ?? []),
  onConflict,
});
const Organization = z.strictObject({
  externalId: z.string().min(1),
  name: z.string().optional(),
  email: z.string().optional(),
  entitlements: ids,
  workspaces: z
    .array(Workspace)
    .nullish()
    .transform((v) => v ?? []),
  onConflict,
});
const Roster = z.strictObject({
  defaults: z
    .strictObject({ userOnDelete: z.enum(["retain", "revokeEntitlements"]).default("revokeEntitlements") })
    .prefault({}),
  organizations: z.array(Organization),
});

const config = new pulumi.Config();
const rosterFile = path.resolve(config.get("roster") ?? path.join(__dirname, "roster.yaml"));
const parsed = Roster.safeParse(parse(readFileSync(rosterFile, "utf8")));
if (!parsed.success) {
  const problems = parsed.error.issues.map((i) => `  ${i.path.join(".")}: ${i.message}`).join("\n");
  throw new Error(`${rosterFile} is not a valid roster:\n${problems}`);
}
const roster = parsed.data;
const protect = config.getBoolean("protectOrganizations") ?? false;
const entitlements = (list: string[]) => list.map((billingFeatureId) => ({ billingFeatureId }));

const orgIds: Record<string, pulumi.Output<string>> = {};
const workspaceIds: Record<string, pulumi.Output<string>> = {};
const userIds: Record<string, pulumi.Output<string>> = {};

for (const o of roster.organizations) {
  const org = new boosted.Organization(
    o.externalId,
    {
      externalOrgId: o.externalId,
      name: o.name,
      email: o.email,
      entitlements: entitlements(o.entitlements),
      onConflict: o.onConflict,
    },
    { protect },
  );
  orgIds[o.externalId] = org.id;
  for (const w of o.workspaces) {
    const ws = new boosted.Workspace(w.externalId, {
      orgId: org.id,
      externalWorkspaceId: w.externalId,
      name: w.name,
      entitlements: entitlements(w.entitlements),
      onConflict: w.onConflict,
    });
    workspaceIds[w.externalId] = ws.id;
    for (const u of w.users) {
      const user = new boosted.User(u.externalId, {
        workspaceId: ws.id,
        externalUserId: u.externalId,
        email: u.email,
        name: u.name,
        entitlements: entitlements(u.entitlements),
        onDelete: u.onDelete ?? roster.defaults.userOnDelete,
        onConflict: u.onConflict,
      });
      userIds[u.externalId] = user.id;
    }
  }
}

export const organizations = orgIds;
export const workspaces = workspaceIds;
export const users = userIds;
