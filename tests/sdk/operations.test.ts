/**
 * Every SDK operation against the real sandbox over loopback.
 */
import { BoostedClient, InvalidInputError, NotFoundError, ConflictError, PATHS } from "../../sdk";
import { useSandbox } from "../support/sandbox";

const sandbox = useSandbox();
let client: BoostedClient;
beforeAll(() => {
  client = new BoostedClient(sandbox().credentials);
});

describe("organizations", () => {
  it("creates, reads by id and by external id, and updates", async () => {
    const org = await client.createOrganization({
      name: "Acme Capital",
      externalOrgId: "acme",
      email: "ops@acme.example",
      phoneNumber: "+1 555 0100",
      supportEmail: "help@acme.example",
      orgType: "asset-manager",
      entitlements: [{ billingFeatureId: "equities" }],
    });
    expect(org).toEqual({
      orgId: expect.stringMatching(/^[0-9a-f-]{36}$/),
      externalOrgId: "acme",
      name: "Acme Capital",
      email: "ops@acme.example",
      phoneNumber: "+1 555 0100",
      supportEmail: "help@acme.example",
      orgType: "asset-manager",
      entitlements: [{ billingFeatureId: "equities" }],
    });
    await expect(client.getOrganization({ orgId: org.orgId })).resolves.toEqual(org);
    await expect(client.getOrganization({ externalOrgId: "acme" })).resolves.toEqual(org);
    const updated = await client.updateOrganization(
      { orgId: org.orgId },
      { name: "Acme Capital LLC", entitlements: [] },
    );
    expect(updated).toEqual({ ...org, name: "Acme Capital LLC", entitlements: [] });
  });

  it("returns undefined from tryGet and throws NotFoundError from get for an unknown object", async () => {
    await expect(client.tryGetOrganization({ externalOrgId: "nobody" })).resolves.toBeUndefined();
    await expect(
      client.tryGetOrganization({ orgId: "00000000-0000-4000-8000-000000000000" }),
    ).resolves.toBeUndefined();
    await expect(client.getOrganization({ externalOrgId: "nobody" })).rejects.toBeInstanceOf(NotFoundError);
  });
});

describe("workspaces", () => {
  it("creates in an organization, reads, and updates only the fields given", async () => {
    const org = await client.createOrganization({ name: "Beta", externalOrgId: "beta" });
    const ws = await client.createWorkspace({
      orgId: org.orgId,
      name: "Research",
      externalWorkspaceId: "beta-research",
      entitlements: [{ billingFeatureId: "equities" }, { billingFeatureId: "macro" }],
    });
    expect(ws).toEqual({
      workspaceId: expect.any(String),
      orgId: org.orgId,
      name: "Research",
      externalWorkspaceId: "beta-research",
      entitlements: [{ billingFeatureId: "equities" }, { billingFeatureId: "macro" }],
    });
    await expect(client.tryGetWorkspace({ externalWorkspaceId: "beta-research" })).resolves.toEqual(ws);
    const renamed = await client.updateWorkspace(
      { externalWorkspaceId: "beta-research" },
      { name: "Research 2" },
    );
    expect(renamed).toEqual({ ...ws, name: "Research 2" });
    const moved = await client.updateWorkspace(
      { workspaceId: ws.workspaceId },
      { externalWorkspaceId: "beta-r2" },
    );
    expect(moved.externalWorkspaceId).toBe("beta-r2");
    await expect(client.tryGetWorkspace({ externalWorkspaceId: "beta-research" })).resolves.toBeUndefined();
  });

  it("surfaces a duplicate external id as ConflictError naming the operation and path", async () => {
    const org = await client.createOrganization({ externalOrgId: "gamma" });
    await client.createWorkspace({ orgId: org.orgId, externalWorkspaceId: "gamma-ws" });
    const err = await client
      .createWorkspace({ orgId: org.orgId, externalWorkspaceId: "gamma-ws" })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConflictError);
    expect((err as Error).message).toContain(`createWorkspace failed (PUT ${PATHS.workspace}, status 409`);
    expect((err as Error).message).toContain('external_workspace_id "gamma-ws" already exists');
    expect((err as ConflictError).requestId).toMatch(/[0-9a-f-]{36}/);
  });
});

describe("users", () => {
  it("creates in a workspace (org id comes from the workspace), reads and updates", async () => {
    const { organization, workspace } = await client.createOrganizationAndWorkspace({
      orgName: "Delta",
      externalOrgId: "delta",
      workspaceName: "Main",
      externalWorkspaceId: "delta-main",
      orgEntitlements: [{ billingFeatureId: "equities" }],
      workspaceEntitlements: [{ billingFeatureId: "equities" }],
    });
    expect(organization).toMatchObject({
      name: "Delta",
      externalOrgId: "delta",
      entitlements: [{ billingFeatureId: "equities" }],
    });
    expect(workspace).toMatchObject({
      name: "Main",
      orgId: organization.orgId,
      externalWorkspaceId: "delta-main",
    });

    const user = await client.createUser({
      workspaceId: workspace.workspaceId,
      email: "ann@delta.example",
      name: "Ann",
      externalUserId: "delta-ann",
      entitlements: [{ billingFeatureId: "equities" }],
    });
    expect(user).toEqual({
      userId: expect.any(String),
      workspaceId: workspace.workspaceId,
      orgId: organization.orgId,
      email: "ann@delta.example",
      name: "Ann",
      externalUserId: "delta-ann",
      entitlements: [{ billingFeatureId: "equities" }],
    });
    await expect(client.getUser({ userId: user.userId })).resolves.toEqual(user);
    await expect(client.getUser({ externalUserId: "delta-ann" })).resolves.toEqual(user);
    await expect(client.updateUser({ userId: user.userId }, { entitlements: [] })).resolves.toEqual({
      ...user,
      entitlements: [],
    });
    await expect(client.tryGetUser({ externalUserId: "delta-nobody" })).resolves.toBeUndefined();
  });
});

describe("getEntities", () => {
  it("returns the partner's objects, filtered by the ids asked for", async () => {
    const { organization, workspace } = await client.createOrganizationAndWorkspace({
      externalOrgId: "eps",
      externalWorkspaceId: "eps-ws",
    });
    const all = await client.getEntities();
    expect(all.orgs.map((o) => o.orgId)).toContain(organization.orgId);
    expect(all.workspaces.map((w) => w.workspaceId)).toContain(workspace.workspaceId);
    const some = await client.getEntities({ externalWorkspaceIds: ["eps-ws"], orgIds: [organization.orgId] });
    expect(some).toEqual({ orgs: [organization], workspaces: [workspace], users: [] });
  });
});

describe("bad arguments", () => {
  it("are refused before any request, naming the field", async () => {
    const before = sandbox().requests().length;
    await expect(client.createWorkspace({ orgId: "" })).rejects.toThrow(
      /createWorkspace: invalid arguments, nothing was sent \(orgId:/,
    );
    await expect(
      client.createUser({ workspaceId: "w", entitlements: [{ billingFeatureId: "" }] }),
    ).rejects.toThrow(/entitlements\[0\]\.billingFeatureId/);
    // An unknown field is a typo the server would silently ignore: refuse it.
    await expect(
      client.updateUser({ userId: "00000000-0000-4000-8000-000000000001" }, {
        workspaceId: "other",
      } as never),
    ).rejects.toThrow(/workspaceId/);
    await expect(client.getWorkspace({} as never)).rejects.toThrow(
      "pass exactly one of workspaceId or externalWorkspaceId",
    );
    await expect(client.getWorkspace({ workspaceId: "a", externalWorkspaceId: "b" })).rejects.toBeInstanceOf(
      InvalidInputError,
    );
    expect(sandbox().requests().length).toBe(before);
  });

  it("refuses bad client settings at construction, naming the setting", () => {
    const c = sandbox().credentials;
    expect(() => new BoostedClient({ ...c, baseUrl: "not a url" })).toThrow(
      /Invalid BoostedClient settings: baseUrl/,
    );
    expect(() => new BoostedClient({ ...c, audience: " " })).toThrow(/audience/);
    expect(() => new BoostedClient({ ...c, privateKey: "nope" })).toThrow(
      /privateKey is not a readable private key/,
    );
    expect(() => new BoostedClient({ ...c, colour: "blue" } as never)).toThrow(/colour/);
  });
});
