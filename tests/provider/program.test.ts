/**
 * The resources as a Pulumi program sees them, under `pulumi.runtime.setMocks`: type tokens,
 * inputs and outputs, the explicit Provider's secret inputs, and the lookups.
 */
import * as pulumi from "@pulumi/pulumi";
import { BoostedClient } from "../../sdk";
import { useSandbox } from "../support/sandbox";
import { credentialsEnv } from "../support/host-fixture";

type Registered = { type: string; name: string; inputs: Record<string, unknown>; provider?: string };
const registered: Registered[] = [];
void pulumi.runtime.setMocks(
  {
    newResource: (args) => {
      registered.push({ type: args.type, name: args.name, inputs: args.inputs, provider: args.provider });
      return { id: `${args.name}-id`, state: { ...args.inputs, adopted: false } };
    },
    call: () => ({}),
  },
  "program-test",
  "dev",
  false,
);

// Loaded after setMocks, as a program would be run by the engine.

const boosted = require("../../provider") as typeof import("../../provider");

const sandbox = useSandbox();
const value = <T>(o: pulumi.Output<T>) => new Promise<T>((resolve) => o.apply(resolve));

it("registers each resource with its own type token, its inputs and its declared outputs", async () => {
  const org = new boosted.Organization("acme", { name: "Acme", externalOrgId: "acme" });
  const ws = new boosted.Workspace("research", {
    orgId: org.id,
    externalWorkspaceId: "acme-research",
    entitlements: [{ billingFeatureId: "eq" }],
  });
  const user = new boosted.User("ann", {
    workspaceId: ws.id,
    email: "ann@acme.example",
    onDelete: "revokeEntitlements",
  });
  expect(await value(user.email)).toBe("ann@acme.example");
  expect(await value(ws.entitlements)).toEqual([{ billingFeatureId: "eq" }]);
  expect(await value(ws.adopted)).toBe(false);
  expect(await value(user.id)).toBe("ann-id");
  const types = registered.filter((r) => ["acme", "research", "ann"].includes(r.name)).map((r) => r.type);
  expect(types).toEqual([
    "pulumi-nodejs:dynamic/boosted:Organization",
    "pulumi-nodejs:dynamic/boosted:Workspace",
    "pulumi-nodejs:dynamic/boosted:User",
  ]);
  const wsInputs = registered.find((r) => r.name === "research")!.inputs;
  expect(wsInputs).toMatchObject({
    orgId: "acme-id",
    externalWorkspaceId: "acme-research",
    __provider: expect.stringContaining('require("pulumi-boosted/dynamic")'),
  });
});

it("registers an explicit Provider as a pulumi-nodejs provider whose credentials are secrets", async () => {
  const p = new boosted.Provider("eu", {
    baseUrl: "https://eu.example",
    clientId: "cid",
    clientSecret: "shh",
    privateKey: "pem",
  });
  new boosted.Workspace("eu-ws", { orgId: "6f1c2a38-0d7e-4f7b-9a43-0c2f1f1e9a11" }, { provider: p });
  expect(await pulumi.isSecret(p.settings)).toBe(true);
  await value(p.urn);
  await new Promise((r) => setTimeout(r, 50));
  const reg = registered.find((r) => r.name === "eu")!;
  expect(reg.type).toBe("pulumi:providers:pulumi-nodejs");
  const secret = (v: string) => ({
    "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270",
    value: v,
  });
  expect(reg.inputs).toEqual({
    baseUrl: "https://eu.example",
    clientId: "cid",
    clientSecret: secret("shh"),
    privateKey: secret("pem"),
  });
  expect(registered.find((r) => r.name === "eu-ws")!.provider).toContain(
    "pulumi:providers:pulumi-nodejs::eu",
  );
});

describe("lookups", () => {
  let saved: NodeJS.ProcessEnv;
  beforeAll(() => {
    saved = { ...process.env };
    Object.assign(process.env, credentialsEnv(sandbox().credentials));
  });
  afterAll(() => {
    process.env = saved;
  });

  it("find existing objects by id or external id, in Promise and Output form", async () => {
    const client = new BoostedClient(sandbox().credentials);
    const org = await client.createOrganization({ name: "Looked up", externalOrgId: "lookup-org" });
    const ws = await client.createWorkspace({ orgId: org.orgId, externalWorkspaceId: "lookup-ws" });
    const user = await client.createUser({ workspaceId: ws.workspaceId, externalUserId: "lookup-user" });
    await expect(boosted.getOrganization({ externalOrgId: "lookup-org" })).resolves.toEqual(org);
    await expect(boosted.getWorkspace({ workspaceId: ws.workspaceId })).resolves.toEqual(ws);
    await expect(boosted.getUser({ externalUserId: "lookup-user" })).resolves.toEqual(user);
    expect(
      await value(boosted.getWorkspaceOutput({ externalWorkspaceId: pulumi.output("lookup-ws") })),
    ).toEqual(ws);
    await expect(boosted.getWorkspace({ externalWorkspaceId: "nobody" })).rejects.toThrow(
      /no workspace matches/,
    );
  });

  it("use an explicit provider's settings when one is given", async () => {
    const c = sandbox().credentials;
    const p = new boosted.Provider("lookup-provider", { ...c, baseUrl: "http://127.0.0.1:9" });
    await expect(boosted.getOrganization({ externalOrgId: "lookup-org" }, { provider: p })).rejects.toThrow(
      /ECONNREFUSED/,
    );
  });
});
