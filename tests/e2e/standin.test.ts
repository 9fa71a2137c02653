/**
 * The engine stand-in's own promises, through a small fixture program: resource options
 * (protect, retainOnDelete, dependsOn, import), explicit providers in their own host with
 * secrets encrypted in state, and convergence after a failed `up`.
 */
import path from "node:path";
import { createDevPartnerSecrets, partnerFromSecrets } from "../../sandbox";
import { PATHS } from "../../sdk";
import { ROOT } from "../support/built";
import { useSandbox } from "../support/sandbox";
import { EXAMPLE_ROSTER, ROSTER_PROGRAM, makeProject, type TestProject } from "../support/project";

const second = createDevPartnerSecrets();
const sandbox = useSandbox({
  partners: [partnerFromSecrets(second)],
});
const FIXTURE = path.join(ROOT, "tests", "fixtures", "options");
const partner = () => sandbox().credentials.clientId;

describe("resource options", () => {
  let project: TestProject;
  beforeAll(() => {
    project = makeProject(FIXTURE, sandbox());
  });

  it("records dependsOn and deletes dependents first; retainOnDelete forgets without calling Boosted", async () => {
    expect((await project.run("up")).ok).toBe(true);
    const state = JSON.parse(project.stateText()).checkpoint.latest.resources as {
      urn: string;
      dependencies: string[];
      retainOnDelete?: boolean;
    }[];
    const b = state.find((r) => r.urn.endsWith("::b"))!;
    expect(b.dependencies).toContain(state.find((r) => r.urn.endsWith("::a"))!.urn);
    expect(state.find((r) => r.urn.endsWith("::kept"))!.retainOnDelete).toBe(true);

    project.setConfig("dropKept", "true");
    project.setConfig("dropPair", "true");
    const before = sandbox().requests().length;
    const result = await project.run("up");
    expect(result.ok).toBe(true);
    const steps = result.steps.filter((s) => s.op !== "same").map((s) => `${s.op} ${s.name}`);
    expect(steps).toContain("forget kept");
    expect(steps.indexOf("delete b")).toBeLessThan(steps.indexOf("delete a"));
    // Retained: no revoke PATCH for "kept" despite its onDelete (the provider was never asked).
    expect(
      sandbox()
        .requests()
        .slice(before)
        .filter((r) => r.method === "PATCH"),
    ).toEqual([]);
    expect(sandbox().store.byExternalId(partner(), "workspace", "opt-kept")!.entitlements).toEqual([
      { billing_feature_id: "x" },
    ]);
  });

  it("refuses to delete a protected resource", async () => {
    project.setConfig("protect", "true");
    expect((await project.run("up")).ok).toBe(true);
    const result = await project.run("destroy");
    expect(result.ok).toBe(false);
    expect(result.output).toContain("as it is currently marked for protection");
    project.setConfig("protect", "false");
    expect((await project.run("up")).ok).toBe(true);
    expect((await project.run("destroy")).ok).toBe(true);
  });

  it("behaves like the engine for the import option: it cannot work for a dynamic resource", async () => {
    const ws = sandbox().store.byExternalId(partner(), "workspace", "opt-kept")!;
    project.setConfig("importId", ws.workspace_id);
    const result = await project.run("preview");
    expect(result.ok).toBe(false);
    expect(result.output).toContain("dynamic resources cannot be imported this way; use adoptId");
    project.setConfig("importId", "");
  });
});

describe("an explicit provider", () => {
  it("runs in its own host configured from its inputs, and its secret inputs are encrypted in state", async () => {
    const project = makeProject(FIXTURE, sandbox());
    const c = sandbox().credentials;
    project.setConfig("prefix", "explicit");
    project.setConfig("secondClientId", second.clientId);
    project.setConfig("secondBaseUrl", c.baseUrl);
    project.setConfig("secondAudience", c.audience);
    project.setConfig("secondKeyId", second.keyId);
    project.setConfig("secondClientSecret", second.clientSecret, true);
    project.setConfig("secondPrivateKey", second.privateKey, true);
    const result = await project.run("up");
    expect(result.ok).toBe(true);
    expect(result.hostPids).toHaveLength(2);
    expect(sandbox().store.byExternalId(second.clientId, "organization", "second-org")).toBeDefined();
    expect(sandbox().store.byExternalId(partner(), "organization", "second-org")).toBeUndefined();

    const state = project.stateText();
    expect(state).toMatch(/"ciphertext":\s*"v1:/);
    const keyLines = (s: string) => s.split("\n").filter((l) => l && !l.startsWith("-----"));
    for (const secret of [
      second.clientSecret,
      c.clientSecret,
      ...keyLines(second.privateKey),
      ...keyLines(c.privateKey),
      ...sandbox().issuedTokens(),
    ]) {
      expect(state).not.toContain(secret);
    }
    // Re-running reads the sealed inputs back and finds nothing to change.
    expect((await project.run("up", { expectNoChanges: true })).ok).toBe(true);
  });
});

describe("a failed up", () => {
  it("leaves a state that a second up completes, with no duplicates", async () => {
    const project = makeProject(ROSTER_PROGRAM, sandbox());
    const other = EXAMPLE_ROSTER.replace(/acme/g, "initech").replace(/globex/g, "hooli");
    project.writeFile("roster.yaml", other);
    project.setConfig("roster", path.join(project.dir, "roster.yaml"));
    // Every user create fails (the client retries each 5 times, then gives up).
    sandbox().setFaults({ script: [{ method: "PUT", path: PATHS.user, times: 20, fault: { status: 503 } }] });
    const failed = await project.run("up");
    sandbox().setFaults({});
    expect(failed.ok).toBe(false);
    expect(failed.output).toMatch(
      /createUser failed \(PUT \/v2\/account-management\/user, status 503, .*5 attempts\)/,
    );
    const count = (kind: "organization" | "workspace" | "user", prefix: string) =>
      sandbox()
        .store.list(partner(), kind)
        .filter((o) => JSON.stringify(o).includes(prefix)).length;
    expect(count("workspace", "initech")).toBe(2);
    expect(count("user", "initech")).toBe(0);

    const retried = await project.run("up");
    expect(retried.ok).toBe(true);
    expect(retried.counts.create).toBe(4);
    expect([
      count("organization", "initech"),
      count("workspace", "initech"),
      count("user", "initech"),
    ]).toEqual([1, 2, 3]);
    expect([count("organization", "hooli"), count("workspace", "hooli"), count("user", "hooli")]).toEqual([
      1, 1, 1,
    ]);
    expect((await project.run("preview", { expectNoChanges: true })).ok).toBe(true);
  });
});
