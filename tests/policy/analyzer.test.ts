/**
 * The policy pack inside the real analyzer host (`@pulumi/pulumi/cmd/run-policy-pack`), spoken
 * to over gRPC as the engine does: GetAnalyzerInfo, Configure, ConfigureStack, Analyze and
 * AnalyzeStack, with enforcement levels and config applied.
 */
import path from "node:path";
import { PolicyPackHost, type AnalyzedResource, type AnalyzerOptions } from "../../engine-standin/analyzer";
import { ROOT } from "../support/built";

const PACK = path.join(ROOT, "policy");
const T = {
  org: "pulumi-nodejs:dynamic/boosted:Organization",
  ws: "pulumi-nodejs:dynamic/boosted:Workspace",
  user: "pulumi-nodejs:dynamic/boosted:User",
};
const urn = (type: string, name: string) => `urn:pulumi:prod::roster::${type}::${name}`;
const res = (
  type: string,
  name: string,
  properties: Record<string, unknown>,
  extra: Partial<AnalyzedResource> = {},
): AnalyzedResource => ({
  urn: urn(type, name),
  type,
  name,
  properties,
  options: {},
  ...extra,
});
const base: AnalyzerOptions = { project: "roster", stack: "dev", dryRun: true, tags: {}, cwd: PACK };
const hosts: PolicyPackHost[] = [];
async function start(options: Partial<AnalyzerOptions> = {}) {
  const h = await PolicyPackHost.start(PACK, { ...base, ...options });
  hosts.push(h);
  return h;
}
afterAll(() => Promise.all(hosts.map((h) => h.stop())));

const acme = res(T.org, "acme", {
  name: "Acme",
  externalOrgId: "acme",
  entitlements: [{ billingFeatureId: "eq" }],
  onConflict: "fail",
  onDelete: "retain",
});
const research = res(
  T.ws,
  "research",
  {
    orgId: "o-1",
    name: "Research",
    externalWorkspaceId: "acme-research",
    entitlements: [{ billingFeatureId: "eq" }],
  },
  { propertyDependencies: { orgId: [acme.urn] }, dependencies: [acme.urn] },
);
const ann = res(
  T.user,
  "ann",
  {
    workspaceId: "w-1",
    email: "ann@acme.example",
    externalUserId: "acme-ann",
    entitlements: [{ billingFeatureId: "eq" }],
    onDelete: "revokeEntitlements",
    onConflict: "fail",
  },
  { propertyDependencies: { workspaceId: [research.urn] }, dependencies: [research.urn] },
);

it("describes each policy with its default level and config schema", async () => {
  const h = await start();
  expect(h.name).toBe("boosted");
  expect(Object.fromEntries(h.policies.map((p) => [p.name, p.enforcementLevel]))).toEqual({
    "boosted-external-ids-required": "mandatory",
    "boosted-unique-external-ids": "mandatory",
    "boosted-unique-user-emails": "mandatory",
    "boosted-allowed-entitlements": "mandatory",
    "boosted-user-entitlements-within-workspace": "mandatory",
    "boosted-user-email-domains": "mandatory",
    "boosted-adopt-needs-approval": "advisory",
    "boosted-revoke-on-delete": "advisory",
    "boosted-protect-organizations": "mandatory",
    "boosted-naming": "advisory",
  });
  expect(h.policies.find((p) => p.name === "boosted-allowed-entitlements")!.configSchema).toHaveProperty(
    "allowedBillingFeatureIds",
  );
  expect(h.policies.every((p) => p.description.length > 20)).toBe(true);
});

it("passes a compliant stack", async () => {
  const h = await start({
    config: {
      "boosted-allowed-entitlements": {
        allowedBillingFeatureIds: { organization: ["eq"], workspace: ["eq"], user: ["eq"] },
      },
      "boosted-user-email-domains": { allowedEmailDomains: ["acme.example"] },
    },
  });
  for (const r of [acme, research, ann]) expect(await h.analyze(r)).toEqual([]);
  expect(await h.analyzeStack([acme, research, ann])).toEqual([]);
});

it("reports resource violations with the configured levels", async () => {
  const h = await start({
    config: {
      "boosted-allowed-entitlements": { allowedBillingFeatureIds: { user: ["eq"] } },
      "boosted-naming": { enforcementLevel: "mandatory", namePattern: "^[A-Z][A-Za-z ]+$" },
      "boosted-revoke-on-delete": "disabled",
    },
  });
  const bad = res(T.user, "zed", {
    workspaceId: "w-1",
    email: "zed@acme.example",
    name: "zed lowercase",
    entitlements: [{ billingFeatureId: "options" }],
    onDelete: "retain",
  });
  const vs = await h.analyze(bad);
  expect(vs.map((v) => [v.policyName, v.enforcementLevel])).toEqual([
    ["boosted-external-ids-required", "mandatory"],
    ["boosted-allowed-entitlements", "mandatory"],
    ["boosted-naming", "mandatory"],
  ]);
  expect(vs[0]!.message).toContain('User "zed" has no externalUserId');
  expect(vs[1]!.message).toContain(
    'has entitlement "options", which is not approved for users. Use one of: eq',
  );
  expect(vs[2]!.message).toContain('is named "zed lowercase", which does not match the pattern');
});

it("reports stack violations naming both resources", async () => {
  const h = await start({
    config: { "boosted-user-email-domains": { allowedEmailDomains: { acme: ["acme.example"] } } },
  });
  const twin = res(
    T.user,
    "ann-2",
    { ...ann.properties, externalUserId: "acme-ann", email: "ANN@acme.example" },
    { propertyDependencies: { workspaceId: [research.urn] } },
  );
  const greedy = res(
    T.user,
    "greedy",
    {
      workspaceId: "w-1",
      externalUserId: "g",
      email: "g@evil.example",
      entitlements: [{ billingFeatureId: "eq" }, { billingFeatureId: "crypto" }],
    },
    { propertyDependencies: { workspaceId: [research.urn] } },
  );
  // @pulumi/policy prefixes each message with the policy's description; the last line is ours.
  const messages = (await h.analyzeStack([acme, research, ann, twin, greedy])).map(
    (v) => `${v.policyName}: ${v.message.split("\n").pop()}`,
  );
  expect(messages).toEqual([
    'boosted-unique-external-ids: Users "ann" and "ann-2" both have externalUserId "acme-ann". Give each its own.',
    'boosted-unique-user-emails: Users "ann" and "ann-2" both have email "ann@acme.example". Each person needs one user.',
    'boosted-user-entitlements-within-workspace: User "greedy" has entitlement "crypto" that its workspace "research" does not have. Add them to the workspace, or remove them from the user.',
    'boosted-user-email-domains: User "greedy" has email "g@evil.example", whose domain "evil.example" is not allowed for organization "acme". Allowed: acme.example.',
  ]);
});

it("reports adoption as advisory by default, and blocks it in a production stack (tag or config)", async () => {
  const adopting = res(T.ws, "taken", { orgId: "o-1", externalWorkspaceId: "taken", onConflict: "adopt" });
  const dev = await start();
  const advisory = await dev.analyze(adopting);
  expect(advisory.map((v) => [v.policyName, v.enforcementLevel])).toEqual([
    ["boosted-adopt-needs-approval", "advisory"],
  ]);
  expect(advisory[0]!.message).toContain('Workspace "taken" uses onConflict: "adopt"');

  // @pulumi/policy cannot raise a level at run time; in production the policy fails the analysis.
  const byTag = await start({ tags: { environment: "production" } });
  await expect(byTag.analyze(adopting)).rejects.toThrow(
    /boosted-adopt-needs-approval.*\n?.*mandatory in production stacks: Workspace "taken" uses onConflict: "adopt"/,
  );
  const byConfig = await start({ config: { "boosted-adopt-needs-approval": { production: true } } });
  await expect(
    byConfig.analyze({
      ...adopting,
      properties: {
        orgId: "o-1",
        externalWorkspaceId: "taken",
        adoptId: "6f1c2a38-0d7e-4f7b-9a43-0c2f1f1e9a11",
      },
    }),
  ).rejects.toThrow(/mandatory in production stacks: Workspace "taken" uses adoptId/);
});

it("requires protect on organizations only in production", async () => {
  const dev = await start();
  expect(await dev.analyze(acme)).toEqual([]);
  const prod = await start({ tags: { environment: "production" } });
  const vs = await prod.analyze(acme);
  expect(vs.map((v) => [v.policyName, v.enforcementLevel, v.message.split("\n").pop()])).toEqual([
    [
      "boosted-protect-organizations",
      "mandatory",
      'Organization "acme" is not protected in a production stack. Add { protect: true } to its resource options.',
    ],
  ]);
  expect(await prod.analyze({ ...acme, options: { protect: true } })).toEqual([]);
});
