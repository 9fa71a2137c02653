/**
 * Organization, Workspace and User through Pulumi's real dynamic-provider host, against the
 * sandbox: every lifecycle rule, with the HTTP requests each operation makes counted on the
 * server side.
 */
import { BoostedClient } from "../../sdk";
import { useHost } from "../support/host-fixture";
import { UNKNOWN, providerStrings, HostError } from "../support/providers";

const { sandbox, host, up, plan, requestsDuring } = useHost();

/** The host's stderr arrives on its own pipe, a moment after the gRPC answer. */
async function waitForOutput(text: string): Promise<void> {
  for (let i = 0; i < 100 && !host().output.includes(text); i++) await new Promise((r) => setTimeout(r, 20));
  expect(host().output).toContain(text);
}
let client: BoostedClient;
let orgId: string;
beforeAll(async () => {
  client = new BoostedClient(sandbox().credentials);
  orgId = (await up("Organization", { name: "Lifecycle", externalOrgId: "lc" })).id;
});

describe("the serialized provider", () => {
  it("is small, the same for every instance, and holds no code or credentials", () => {
    for (const [type, strings] of Object.entries(providerStrings())) {
      expect(strings[0]).toBe(strings[1]);
      expect(strings[0]!.length).toBeLessThan(2100);
      expect(strings[0]).toContain('require("pulumi-boosted/dynamic")');
      expect(strings[0]).toContain(`.${type}.check(o, n)`);
      for (const leak of [
        "axios",
        "BoostedClient",
        "zod",
        sandbox().credentials.clientSecret,
        sandbox().credentials.clientId,
      ]) {
        expect(strings[0]).not.toContain(leak);
      }
    }
  });
});

describe("Workspace lifecycle", () => {
  it("creates with one PUT, updates in place with a PATCH of only what changed, and needs no network to plan", async () => {
    let ws!: Awaited<ReturnType<typeof up>>;
    const createRequests = await requestsDuring(async () => {
      ws = await up("Workspace", {
        orgId,
        name: "  Research  ",
        externalWorkspaceId: "lc-research",
        entitlements: [{ billingFeatureId: "macro" }, { billingFeatureId: "equities" }],
      });
    });
    expect(createRequests).toEqual(["PUT /workspace 201"]);
    expect(ws.id).toBe(ws.outs.workspaceId);
    expect(ws.outs).toMatchObject({
      orgId,
      name: "Research",
      externalWorkspaceId: "lc-research",
      entitlements: [{ billingFeatureId: "equities" }, { billingFeatureId: "macro" }],
      adopted: false,
      onConflict: "fail",
      onDelete: "retain",
      __provider: providerStrings().Workspace[0],
    });

    const noChange = await requestsDuring(async () => {
      const same = await plan("Workspace", ws, {
        orgId,
        name: "Research",
        externalWorkspaceId: "lc-research",
        entitlements: [{ billingFeatureId: "equities" }, { billingFeatureId: "macro" }].reverse(),
      });
      expect(same.diff).toEqual({ changes: "none", replaces: [] });
      const changed = await plan("Workspace", ws, {
        orgId,
        name: "Research & Macro",
        externalWorkspaceId: "lc-research-2",
      });
      expect(changed.diff).toEqual({ changes: "some", replaces: [] });
    });
    expect(noChange).toEqual([]);

    const { checked } = await plan("Workspace", ws, {
      orgId,
      name: "Research & Macro",
      externalWorkspaceId: "lc-research-2",
    });
    let outs!: Record<string, unknown>;
    const updateRequests = await requestsDuring(async () => {
      outs = await host().update("Workspace", ws.id, ws.outs, checked.inputs);
    });
    expect(updateRequests).toEqual(["PATCH /workspace 200"]);
    const patch = sandbox().requests().at(-1)!;
    expect(patch.requestBody).toEqual({ name: "Research & Macro", external_workspace_id: "lc-research-2" });
    expect(outs).toMatchObject({
      name: "Research & Macro",
      externalWorkspaceId: "lc-research-2",
      entitlements: [{ billingFeatureId: "equities" }, { billingFeatureId: "macro" }],
    });

    const readRequests = await requestsDuring(async () => {
      const read = await host().read("Workspace", ws.id, outs);
      expect(read.id).toBe(ws.id);
      expect(read.properties).toMatchObject({ name: "Research & Macro", onDelete: "retain" });
    });
    expect(readRequests).toEqual(["GET /workspace 200"]);

    const deleteRequests = await requestsDuring(() => host().delete("Workspace", ws.id, outs));
    expect(deleteRequests).toEqual([]);
    await waitForOutput(`Workspace ${ws.id} (externalWorkspaceId "lc-research-2") still exists in Boosted`);
    await expect(client.getWorkspace({ workspaceId: ws.id })).resolves.toMatchObject({
      name: "Research & Macro",
    });
  });

  it("changes only behaviour options without calling Boosted", async () => {
    const ws = await up("Workspace", { orgId, externalWorkspaceId: "lc-options" });
    const { checked, diff } = await plan("Workspace", ws, {
      orgId,
      externalWorkspaceId: "lc-options",
      onDelete: "revokeEntitlements",
    });
    expect(diff?.changes).toBe("some");
    const requests = await requestsDuring(async () => {
      const outs = await host().update("Workspace", ws.id, ws.outs, checked.inputs);
      expect(outs.onDelete).toBe("revokeEntitlements");
    });
    expect(requests).toEqual([]);
  });
});

describe("check", () => {
  const check = (
    type: "Organization" | "Workspace" | "User",
    news: Record<string, unknown>,
    olds: Record<string, unknown> = {},
  ) => host().check(type, olds, { __provider: providerStrings()[type][0], ...news });

  it.each([
    [
      "User",
      { workspaceId: "6f1c2a38-0d7e-4f7b-9a43-0c2f1f1e9a11", email: "not-an-email" },
      "email",
      /email is not a valid email address/,
    ],
    ["Workspace", { orgId: "" }, "orgId", /orgId must not be empty/],
    ["Workspace", {}, "orgId", /orgId is required/],
    ["Workspace", { orgId: "nope" }, "orgId", /must be a Boosted id/],
    ["Organization", { onConflict: "overwrite" }, "onConflict", /onConflict must be "fail" or "adopt"/],
    [
      "Organization",
      { onDelete: "destroy" },
      "onDelete",
      /onDelete must be "retain" or "revokeEntitlements"/,
    ],
    [
      "Organization",
      { entitlements: [{ billingFeatureId: "a" }, { billingFeatureId: "a" }] },
      "entitlements",
      /"a" is listed twice/,
    ],
    [
      "Organization",
      { entitlements: [{ billingFeatureId: "" }] },
      "entitlements",
      /billingFeatureId must not be empty/,
    ],
    ["Organization", { entitlements: "equities" }, "entitlements", /entitlements must be a list/],
    ["Organization", { name: 42 }, "name", /name must be a string/],
    ["Organization", { name: "x".repeat(300) }, "name", /at most 256 characters/],
    ["Organization", { nmae: "typo" }, "nmae", /Organization has no input "nmae"/],
    ["Organization", { adoptId: "abc" }, "adoptId", /adoptId must be a Boosted id/],
  ] as const)("%s %j fails on %s", async (type, news, property, reason) => {
    const before = sandbox().requests().length;
    const { failures } = await check(type, news);
    expect(failures).toEqual([{ property, reason: expect.stringMatching(reason) }]);
    expect(sandbox().requests().length).toBe(before);
  });

  it("refuses a changed parent with how to migrate, never a replacement", async () => {
    const olds = { orgId: "6f1c2a38-0d7e-4f7b-9a43-0c2f1f1e9a11", externalWorkspaceId: "a" };
    const { failures } = await check(
      "Workspace",
      { orgId: "0e2a5b7c-8d9f-4a1b-9c2d-3e4f5a6b7c8d", externalWorkspaceId: "a" },
      olds,
    );
    expect(failures).toHaveLength(1);
    expect(failures[0]!.property).toBe("orgId");
    expect(failures[0]!.reason).toContain("Boosted cannot move a workspace to another organization");
    expect(failures[0]!.reason).toContain(
      "declare a new Workspace in the new organization with a new externalWorkspaceId",
    );
    const user = await check(
      "User",
      { workspaceId: "0e2a5b7c-8d9f-4a1b-9c2d-3e4f5a6b7c8d" },
      { workspaceId: "6f1c2a38-0d7e-4f7b-9a43-0c2f1f1e9a11" },
    );
    expect(user.failures[0]!.reason).toContain("Boosted cannot move a user to another workspace");
  });

  it("tolerates values unknown during preview, and defaults and normalises the rest", async () => {
    const { inputs, failures } = await check("User", {
      workspaceId: UNKNOWN,
      email: " ann@example.com ",
      entitlements: UNKNOWN,
      name: UNKNOWN,
    });
    expect(failures).toEqual([]);
    expect(inputs).toMatchObject({
      workspaceId: UNKNOWN,
      entitlements: UNKNOWN,
      name: UNKNOWN,
      email: "ann@example.com",
      onConflict: "fail",
      onDelete: "retain",
    });
    const partial = await check("Organization", {
      entitlements: [{ billingFeatureId: UNKNOWN }, { billingFeatureId: "z" }],
    });
    expect(partial.failures).toEqual([]);
    const diff = await host().diff(
      "Workspace",
      "id",
      { orgId, name: "a" },
      { __provider: providerStrings().Workspace[0], orgId, name: UNKNOWN },
    );
    expect(diff.changes).toBe("some");
  });
});

describe("409 on create", () => {
  it("fails by default, naming the existing id and both ways out", async () => {
    const existing = await client.createWorkspace({ orgId, name: "Theirs", externalWorkspaceId: "lc-taken" });
    const err = await up("Workspace", { orgId, name: "Mine", externalWorkspaceId: "lc-taken" }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(HostError);
    expect((err as Error).message).toContain(
      `Workspace with externalWorkspaceId "lc-taken" already exists in Boosted (id ${existing.workspaceId})`,
    );
    expect((err as Error).message).toContain('onConflict: "adopt"');
    expect((err as Error).message).toContain(`adoptId: "${existing.workspaceId}"`);
    await expect(client.getWorkspace({ workspaceId: existing.workspaceId })).resolves.toMatchObject({
      name: "Theirs",
    });
  });

  it('adopts with onConflict: "adopt", updating it to the declared state', async () => {
    const existing = await client.createWorkspace({
      orgId,
      name: "Old name",
      externalWorkspaceId: "lc-adopt",
      entitlements: [{ billingFeatureId: "x" }],
    });
    let ws!: Awaited<ReturnType<typeof up>>;
    const requests = await requestsDuring(async () => {
      ws = await up("Workspace", {
        orgId,
        name: "New name",
        externalWorkspaceId: "lc-adopt",
        entitlements: [{ billingFeatureId: "y" }],
        onConflict: "adopt",
      });
    });
    expect(requests).toEqual(["PUT /workspace 409", "GET /workspace 200", "PATCH /workspace 200"]);
    expect(ws.id).toBe(existing.workspaceId);
    expect(ws.outs).toMatchObject({
      adopted: true,
      name: "New name",
      entitlements: [{ billingFeatureId: "y" }],
    });
  });

  it("refuses to adopt an object under another parent, and says so", async () => {
    const otherOrg = await client.createOrganization({ name: "Elsewhere" });
    const foreign = await client.createWorkspace({
      orgId: otherOrg.orgId,
      externalWorkspaceId: "lc-foreign",
    });
    const err = await up("Workspace", {
      orgId,
      externalWorkspaceId: "lc-foreign",
      onConflict: "adopt",
    }).catch((e: unknown) => e);
    expect((err as Error).message).toContain(
      `Refusing to adopt workspace ${foreign.workspaceId}: it belongs to organization ${otherOrg.orgId}, not ${orgId}`,
    );
  });

  it("adoptId brings a given object under management; a wrong one is a clear error", async () => {
    const existing = await client.createUser({
      workspaceId: (await client.createWorkspace({ orgId })).workspaceId,
      email: "adoptme@example.com",
    });
    const user = await up("User", {
      workspaceId: existing.workspaceId,
      adoptId: existing.userId,
      name: "Adopted",
      externalUserId: "lc-adopted",
    });
    expect(user.id).toBe(existing.userId);
    expect(user.outs).toMatchObject({
      adopted: true,
      name: "Adopted",
      externalUserId: "lc-adopted",
      email: "adoptme@example.com",
    });
    const err = await up("User", {
      workspaceId: existing.workspaceId,
      adoptId: "00000000-0000-4000-8000-000000000000",
    }).catch((e: unknown) => e);
    expect((err as Error).message).toContain(
      "adoptId 00000000-0000-4000-8000-000000000000: no user with this id exists",
    );
  });

  it("reports a partial create when the adopted object could not be updated, so the next up updates it", async () => {
    await client.createWorkspace({ orgId, name: "Half", externalWorkspaceId: "lc-partial" });
    sandbox().setFaults({
      script: [
        { method: "PATCH", path: "/v2/account-management/workspace", times: 5, fault: { status: 503 } },
      ],
    });
    const err = await up("Workspace", {
      orgId,
      name: "Whole",
      externalWorkspaceId: "lc-partial",
      onConflict: "adopt",
    }).catch((e: unknown) => e);
    sandbox().setFaults({});
    expect(err).toBeInstanceOf(HostError);
    const failure = (err as HostError).initFailure!;
    expect(failure.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(failure.properties).toMatchObject({
      adopted: true,
      name: "Half",
      __provider: providerStrings().Workspace[0],
    });
    expect(failure.reasons[0]).toContain("status 503");
    expect((err as Error).message).toContain("run `pulumi up` again to finish");
    // The next up: the engine diffs against the recorded outputs and updates.
    const { checked, diff } = await plan(
      "Workspace",
      { id: failure.id, outs: failure.properties, inputs: {} },
      { orgId, name: "Whole", externalWorkspaceId: "lc-partial", onConflict: "adopt" },
    );
    expect(diff?.changes).toBe("some");
    await host().update("Workspace", failure.id, failure.properties, checked.inputs);
    await expect(client.getWorkspace({ workspaceId: failure.id })).resolves.toMatchObject({ name: "Whole" });
  });
});

describe("refresh", () => {
  it("reads an out-of-band change into outputs and inputs, so the next preview shows the drift", async () => {
    const ws = await up("Workspace", {
      orgId,
      name: "Declared",
      externalWorkspaceId: "lc-drift",
      entitlements: [{ billingFeatureId: "a" }],
    });
    await client.updateWorkspace(
      { workspaceId: ws.id },
      { name: "Changed in the UI", entitlements: [{ billingFeatureId: "a" }, { billingFeatureId: "b" }] },
    );
    const read = await host().read("Workspace", ws.id, ws.outs);
    expect(read.properties).toMatchObject({
      name: "Changed in the UI",
      entitlements: [{ billingFeatureId: "a" }, { billingFeatureId: "b" }],
      onConflict: "fail",
    });
    expect(read.inputs).toMatchObject({
      orgId,
      name: "Changed in the UI",
      externalWorkspaceId: "lc-drift",
      onDelete: "retain",
    });
    const drift = await plan(
      "Workspace",
      { id: ws.id, outs: read.properties, inputs: read.inputs! },
      { orgId, name: "Declared", externalWorkspaceId: "lc-drift", entitlements: [{ billingFeatureId: "a" }] },
    );
    expect(drift.diff?.changes).toBe("some");
    // Refreshing again with nothing changed leaves no diff against what was read.
    const again = await plan(
      "Workspace",
      { id: ws.id, outs: read.properties, inputs: read.inputs! },
      read.inputs!,
    );
    expect(again.diff?.changes).toBe("none");
  });

  it("returns an empty id for an object that no longer exists, with a message", async () => {
    const ws = await up("Workspace", { orgId, externalWorkspaceId: "lc-vanish" });
    await sandbox().store.forget(sandbox().credentials.clientId, "workspace", ws.id);
    const read = await host().read("Workspace", ws.id, ws.outs);
    expect(read.id).toBe("");
    await waitForOutput(`Workspace ${ws.id} no longer exists in Boosted`);
  });
});

describe("delete", () => {
  it('"revokeEntitlements" empties the entitlements with one PATCH, then forgets the object', async () => {
    const ws = await up("Workspace", { orgId, externalWorkspaceId: "lc-ws-for-user" });
    const user = await up("User", {
      workspaceId: ws.id,
      email: "leaver@example.com",
      entitlements: [{ billingFeatureId: "equities" }],
      onDelete: "revokeEntitlements",
    });
    const requests = await requestsDuring(() => host().delete("User", user.id, user.outs));
    expect(requests).toEqual(["PATCH /user 200"]);
    expect(sandbox().requests().at(-1)!.requestBody).toEqual({ entitlements: [] });
    await expect(client.getUser({ userId: user.id })).resolves.toMatchObject({ entitlements: [] });
    await waitForOutput("entitlements revoked; it still exists in Boosted");
  });
});

describe("a lost response on create", () => {
  it("is retried by external id and yields exactly one object", async () => {
    sandbox().setFaults({
      script: [{ method: "PUT", path: "/v2/account-management/workspace", fault: { lostResponse: true } }],
    });
    const requests = await requestsDuring(async () => {
      const ws = await up("Workspace", { orgId, name: "Lost once", externalWorkspaceId: "lc-lost" });
      expect(ws.outs).toMatchObject({ name: "Lost once", adopted: false });
    });
    expect(requests).toEqual(["PUT /workspace 201", "PUT /workspace 409", "GET /workspace 200"]);
    const all = await client.getEntities({ externalWorkspaceIds: ["lc-lost"] });
    expect(all.workspaces).toHaveLength(1);
  });
});
