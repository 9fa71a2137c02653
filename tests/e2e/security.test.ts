/**
 * Bad input and secrets. Every bad input gets its specific, actionable error at the right stage
 * (check, which runs in preview; or the first API call, for settings, which are read lazily so
 * that a preview needs no credentials) and changes nothing in Boosted. A journey with
 * distinctive secret values leaves none of them in the state, the serialized providers, any
 * process output or any error.
 */
import path from "node:path";
import { createDevPartnerSecrets } from "../../sandbox";
import { useSandbox } from "../support/sandbox";
import { ProviderHost, providerStrings, secret, type ResourceType } from "../support/providers";
import { stackConfig } from "../support/host-fixture";
import { EXAMPLE_ROSTER, ROSTER_PROGRAM, makeProject } from "../support/project";

const canary = { ...createDevPartnerSecrets(), clientSecret: "CANARY-client-secret-5f0c1e9a7b3d" };
const sandbox = useSandbox({ devPartner: canary });
const hosts: ProviderHost[] = [];
afterAll(() => Promise.all(hosts.map((h) => h.stop())));
async function hostWith(config: Record<string, unknown>) {
  const h = await ProviderHost.start({ env: {} });
  hosts.push(h);
  await h.configure(config);
  return h;
}
const VALID_WS = "6f1c2a38-0d7e-4f7b-9a43-0c2f1f1e9a11";
const writes = () =>
  sandbox()
    .requests()
    .filter((r) => r.method !== "GET" && !r.path.includes("oauth2")).length;
const snapshot = () => JSON.stringify(sandbox().store.snapshot());

type Row = [string, ResourceType, Record<string, unknown>, string, RegExp];
const checkRows: Row[] = [
  ["a missing parent id", "Workspace", { name: "x" }, "orgId", /orgId is required/],
  [
    "a malformed parent id",
    "User",
    { workspaceId: "ws-1" },
    "workspaceId",
    /must be a Boosted id \(a UUID\)/,
  ],
  [
    "an empty external id",
    "Organization",
    { externalOrgId: "  " },
    "externalOrgId",
    /must not be empty \(leave it out instead\)/,
  ],
  [
    "a malformed email",
    "User",
    { workspaceId: VALID_WS, email: "ann(at)acme" },
    "email",
    /not a valid email address/,
  ],
  ["an empty name", "Workspace", { orgId: VALID_WS, name: "" }, "name", /name must not be empty/],
  ["a huge name", "Organization", { name: "n".repeat(10_000) }, "name", /at most 256 characters/],
  [
    "a duplicate entitlement",
    "User",
    { workspaceId: VALID_WS, entitlements: [{ billingFeatureId: "eq" }, { billingFeatureId: "eq" }] },
    "entitlements",
    /listed twice/,
  ],
  [
    "an unknown option value",
    "User",
    { workspaceId: VALID_WS, onDelete: "delete" },
    "onDelete",
    /onDelete must be "retain" or "revokeEntitlements"/,
  ],
  [
    "an unknown property (a typo)",
    "Organization",
    { externalOrgID: "acme" },
    "externalOrgID",
    /has no input "externalOrgID"; check the spelling/,
  ],
  [
    "a number where a string goes (untyped JavaScript)",
    "Organization",
    { name: 42 },
    "name",
    /name must be a string/,
  ],
  [
    "an object where a list goes (untyped JavaScript)",
    "Workspace",
    { orgId: VALID_WS, entitlements: { billingFeatureId: "eq" } },
    "entitlements",
    /must be a list/,
  ],
  [
    "a string entitlement (untyped JavaScript)",
    "Workspace",
    { orgId: VALID_WS, entitlements: ["eq"] },
    "entitlements",
    /must be an object \{ billingFeatureId: string \}/,
  ],
];

describe("bad resource inputs fail at check (preview), with nothing sent", () => {
  it.each(checkRows)("%s", async (_name, type, args, property, reason) => {
    const host = await hostWith(stackConfig(sandbox().credentials));
    const before = sandbox().requests().length;
    const { failures } = await host.check(type, {}, { __provider: providerStrings()[type][0], ...args });
    expect(failures).toEqual([{ property, reason: expect.stringMatching(reason) }]);
    expect(sandbox().requests().length).toBe(before);
  });

  it("accepts unicode and stores it exactly", async () => {
    const host = await hostWith(stackConfig(sandbox().credentials));
    const name = "Société Générale — Recherche 研究 🚀";
    const checked = await host.check(
      "Organization",
      {},
      { __provider: providerStrings().Organization[0], name, externalOrgId: "sg-研究" },
    );
    expect(checked.failures).toEqual([]);
    const created = await host.create("Organization", checked.inputs);
    expect(created.properties.name).toBe(name);
    expect(sandbox().store.byId(sandbox().credentials.clientId, "organization", created.id)?.name).toBe(name);
  });
});

describe("bad settings fail at the first API call, naming the setting, with nothing changed", () => {
  const c = () => sandbox().credentials;
  const other = createDevPartnerSecrets();
  const rows: [string, () => Record<string, unknown>, RegExp][] = [
    [
      "config missing",
      () => ({}),
      /credentials are missing: boosted:baseUrl \(or BOOSTED_BASE_URL\), boosted:audience/,
    ],
    [
      "a malformed base URL",
      () => ({ ...stackConfig(c()), "boosted:baseUrl": "sandbox.local" }),
      /boosted:baseUrl \(BOOSTED_BASE_URL\): Invalid URL/,
    ],
    [
      "a malformed private key",
      () => ({
        ...stackConfig(c()),
        "boosted:privateKey": secret("-----BEGIN PRIVATE KEY-----\nnope\n-----END PRIVATE KEY-----"),
      }),
      /boosted:privateKey \(BOOSTED_PRIVATE_KEY\) is not a readable private key/,
    ],
    [
      "a malformed timeout",
      () => ({ ...stackConfig(c()), "boosted:timeoutMs": "soon" }),
      /boosted:timeoutMs \(BOOSTED_TIMEOUT_MS\) must be a whole number/,
    ],
    [
      "a private key that does not match the registered one",
      () => ({ ...stackConfig(c()), "boosted:privateKey": secret(other.privateKey) }),
      /signature does not match the registered public key.*Check clientId and clientSecret, that privateKey matches/,
    ],
    [
      "a wrong audience",
      () => ({ ...stackConfig(c()), "boosted:audience": "https://api.boosted.ai" }),
      /JWT claim aud is invalid/,
    ],
    [
      "a wrong client secret",
      () => ({ ...stackConfig(c()), "boosted:clientSecret": secret("not-the-secret") }),
      /status 401.*invalid_client/,
    ],
  ];
  it.each(rows)("%s", async (_name, config, pattern) => {
    const host = await hostWith(config());
    const checked = await host.check(
      "Organization",
      {},
      { __provider: providerStrings().Organization[0], name: "Never created" },
    );
    expect(checked.failures).toEqual([]); // preview works
    const state = snapshot();
    const before = writes();
    const err = await host.create("Organization", checked.inputs).catch((e: unknown) => e);
    expect((err as Error).message).toMatch(pattern);
    expect(writes()).toBe(before);
    expect(snapshot()).toBe(state);
  });
});

it("keeps distinctive secret values out of state, providers, output and errors through a whole journey", async () => {
  process.env.PULUMI_CONFIG_PASSPHRASE = "CANARY-passphrase-93d1";
  const project = makeProject(ROSTER_PROGRAM, sandbox());
  project.writeFile("roster.yaml", EXAMPLE_ROSTER.replace(/acme/g, "canary"));
  project.setConfig("roster", path.join(project.dir, "roster.yaml"));
  const results = [];
  results.push(await project.run("preview"));
  results.push(await project.run("up"));
  project.writeFile(
    "roster.yaml",
    EXAMPLE_ROSTER.replace(/acme/g, "canary").replace("Bob Builder", "Robert Builder"),
  );
  results.push(await project.run("up"));
  sandbox().expireTokens();
  results.push(await project.run("refresh"));
  project.writeFile(
    "roster.yaml",
    EXAMPLE_ROSTER.replace(/acme/g, "canary").replace("email: bob@canary.example", "email: not-an-email"),
  );
  results.push(await project.run("preview")); // fails at check
  const state = project.stateText();
  results.push(await project.run("destroy"));
  expect(results.map((r) => r.ok)).toEqual([true, true, true, true, false, true]);

  const keyLines = canary.privateKey.split("\n").filter((l) => l && !l.startsWith("-----"));
  const secrets = [canary.clientSecret, "CANARY-passphrase-93d1", ...keyLines, ...sandbox().issuedTokens()];
  expect(sandbox().issuedTokens().length).toBeGreaterThanOrEqual(4);
  const providers = Object.values(providerStrings()).flat();
  const texts = [
    state,
    project.stateText(),
    project.readFile(`Pulumi.${project.stack}.yaml`),
    ...providers,
    project.lines.join("\n"),
    ...results.flatMap((r) => r.errors),
  ];
  expect(project.lines.join("\n")).toContain("not a valid email address");
  for (const text of texts) {
    for (const s of secrets) expect(text).not.toContain(s);
    expect(text).not.toMatch(/eyJ[A-Za-z0-9_-]{10,}\.eyJ/); // no JWT
  }
  // The stack file holds the secrets, encrypted.
  expect(project.readFile(`Pulumi.${project.stack}.yaml`)).toMatch(/boosted:privateKey:\n\s+secure: v1:/);
});
