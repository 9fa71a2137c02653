/**
 * The policy pack in a partner's pipeline: a preview of the partner-roster example through the
 * engine stand-in with the pack in the real analyzer; a violating roster change shows the
 * violation and fails on the mandatory one, before anything reaches Boosted.
 */
import path from "node:path";
import { ROOT } from "../support/built";
import { useSandbox } from "../support/sandbox";
import { EXAMPLE_ROSTER, ROSTER_PROGRAM, makeProject, type TestProject } from "../support/project";

const sandbox = useSandbox();
const policyConfig = {
  "boosted-allowed-entitlements": {
    allowedBillingFeatureIds: { user: ["equities-us", "macro-global", "equities-eu"] },
  },
  "boosted-user-email-domains": {
    allowedEmailDomains: { acme: ["acme.example"], globex: ["globex.example"] },
  },
};
let project: TestProject;
const run = (op: "preview" | "up", extra = {}) =>
  project.run(op, { policyPacks: [path.join(ROOT, "policy")], policyConfig, ...extra });

beforeAll(() => {
  project = makeProject(ROSTER_PROGRAM, sandbox());
  project.writeFile("roster.yaml", EXAMPLE_ROSTER);
  project.setConfig("roster", path.join(project.dir, "roster.yaml"));
});

it("passes the example roster", async () => {
  const result = await run("up");
  expect(result.ok).toBe(true);
  expect(result.violations).toEqual([]);
});

it("shows a violating change in preview and fails on the mandatory violation, with no API write", async () => {
  project.writeFile(
    "roster.yaml",
    EXAMPLE_ROSTER.replace(
      /( {10}- \{ externalId: acme-bob.*\n)/,
      "$1          - { externalId: acme-mallory, email: mallory@evil.example, name: Mallory, entitlements: [crypto], onDelete: retain }\n",
    ),
  );
  const before = sandbox()
    .requests()
    .filter((r) => r.method !== "GET" && !r.path.includes("oauth2")).length;
  const result = await run("preview");
  expect(result.ok).toBe(false);
  const found = result.violations.map((v) => `${v.enforcementLevel} ${v.policyName}`).sort();
  expect(found).toEqual([
    "advisory boosted-revoke-on-delete",
    "mandatory boosted-allowed-entitlements",
    "mandatory boosted-user-email-domains",
    "mandatory boosted-user-entitlements-within-workspace",
  ]);
  expect(result.output).toContain(
    "mandatory: [boosted-user-email-domains] User emails belong to the configured domains",
  );
  expect(result.output).toContain(
    'User "acme-mallory" has email "mallory@evil.example", whose domain "evil.example" is not allowed for organization "acme"',
  );
  expect(result.output).toContain("error: 3 mandatory policy violations");
  expect(
    sandbox()
      .requests()
      .filter((r) => r.method !== "GET" && !r.path.includes("oauth2")).length,
  ).toBe(before);

  const up = await run("up");
  expect(up.ok).toBe(false);
});

it("lets an advisory-only change through", async () => {
  project.writeFile(
    "roster.yaml",
    EXAMPLE_ROSTER.replace(
      "name: Bob Builder, entitlements: [equities-us] }",
      "name: Bob Builder, entitlements: [equities-us], onDelete: retain }",
    ),
  );
  const result = await run("preview");
  expect(result.ok).toBe(true);
  expect(result.violations.map((v) => `${v.enforcementLevel} ${v.policyName}`)).toEqual([
    "advisory boosted-revoke-on-delete",
  ]);
});
