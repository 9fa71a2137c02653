/**
 * The partner-roster example end to end: the real program, run by the engine stand-in, its
 * resources served by Pulumi's real dynamic-provider host, against the sandbox. Each test builds
 * on the stack the previous one left, as a partner's pipeline does.
 */
import path from "node:path";
import { BoostedClient, PATHS } from "../../sdk";
import { useSandbox } from "../support/sandbox";
import { EXAMPLE_ROSTER, ROSTER_PROGRAM, makeProject, type TestProject } from "../support/project";

const sandbox = useSandbox();
let project: TestProject;
let client: BoostedClient;
const partner = () => sandbox().credentials.clientId;
const users = () => sandbox().store.list(partner(), "user");
const userByExt = (ext: string) => users().find((u) => u.external_user_id === ext);

/** Requests the sandbox received while `fn` ran (method and path). */
async function during<T>(fn: () => Promise<T>): Promise<{ result: T; requests: string[]; writes: string[] }> {
  const before = sandbox().requests().length;
  const result = await fn();
  const requests = sandbox()
    .requests()
    .slice(before)
    .map((r) => `${r.method} ${r.path.replace("/v2/account-management", "")}`);
  return {
    result,
    requests,
    writes: requests.filter((r) => !r.startsWith("GET") && !r.includes(PATHS.token)),
  };
}

const opsOf = (r: { steps: { op: string; name: string; diffs?: string[] }[] }) =>
  r.steps
    .filter((s) => s.op !== "same")
    .map((s) => `${s.op} ${s.name}${s.diffs?.length ? ` [${s.diffs.join(",")}]` : ""}`)
    .sort();

/** The roster after the edit test: Bob renamed, Ann with fewer entitlements, Cat replaced by Eve. */
const EDITED_ROSTER = EXAMPLE_ROSTER.replace("name: Bob Builder", "name: Robert Builder")
  .replace(
    "{ externalId: acme-ann, email: ann@acme.example, name: Ann Analyst, entitlements: [equities-us, macro-global] }",
    "{ externalId: acme-ann, email: ann@acme.example, name: Ann Analyst, entitlements: [macro-global] }",
  )
  .replace(
    / {10}- \{ externalId: acme-cat.*\n/,
    "          - { externalId: acme-eve, email: eve@acme.example, name: Eve Example, entitlements: [equities-us] }\n",
  );

beforeAll(() => {
  project = makeProject(ROSTER_PROGRAM, sandbox());
  project.writeFile("roster.yaml", EXAMPLE_ROSTER);
  project.setConfig("roster", path.join(project.dir, "roster.yaml"));
  client = new BoostedClient(sandbox().credentials);
});

it("previews an empty stack without writing to Boosted", async () => {
  const { result, requests } = await during(() => project.run("preview"));
  expect(result.ok).toBe(true);
  expect(requests).toEqual([]);
  expect(result.counts.create).toBe(10); // the stack, 2 organizations, 3 workspaces, 4 users
  expect(result.output).toContain("Resources: + 10 to create");
  expect(sandbox().store.counts(partner())).toEqual({ organization: 0, workspace: 0, user: 0 });
});

it("creates exactly the roster with one request per resource", async () => {
  const { result, writes } = await during(() => project.run("up"));
  expect(result.ok).toBe(true);
  expect(writes.sort()).toEqual([
    ...Array(2).fill("PUT /organization"),
    ...Array(4).fill("PUT /user"),
    ...Array(3).fill("PUT /workspace"),
  ]);
  expect(sandbox().store.counts(partner())).toEqual({ organization: 2, workspace: 3, user: 4 });
  const ann = userByExt("acme-ann")!;
  expect(ann).toMatchObject({ email: "ann@acme.example", name: "Ann Analyst" });
  expect(ann.entitlements.map((e) => e.billing_feature_id).sort()).toEqual(["equities-us", "macro-global"]);
  const research = sandbox().store.byExternalId(partner(), "workspace", "acme-research")!;
  expect(ann.workspace_id).toBe(research.workspace_id);
  expect(result.outputs).toMatchObject({ users: { "acme-ann": ann.user_id } });
});

it("makes zero HTTP requests on a second up with nothing changed", async () => {
  const { result, requests } = await during(() => project.run("up", { expectNoChanges: true }));
  expect(result.ok).toBe(true);
  expect(requests).toEqual([]);
  expect(result.counts.same).toBe(10);
});

it("previews a roster edit exactly, and applies it", async () => {
  const edited = EDITED_ROSTER;
  project.writeFile("roster.yaml", edited);

  const planned = await during(() => project.run("preview"));
  expect(planned.requests).toEqual([]);
  expect(opsOf(planned.result)).toEqual([
    "create acme-eve",
    "delete acme-cat",
    "update acme-ann [entitlements]",
    "update acme-bob [name]",
  ]);

  const applied = await during(() => project.run("up"));
  expect(applied.result.ok).toBe(true);
  expect(opsOf(applied.result)).toEqual(opsOf(planned.result));
  expect(applied.writes.sort()).toEqual(["PATCH /user", "PATCH /user", "PATCH /user", "PUT /user"]);
  expect(userByExt("acme-bob")!.name).toBe("Robert Builder");
  expect(userByExt("acme-ann")!.entitlements).toEqual([{ billing_feature_id: "macro-global" }]);
  expect(userByExt("acme-eve")).toBeDefined();
  // acme-cat left the roster: Boosted has no delete, and its access was revoked.
  expect(userByExt("acme-cat")!.entitlements).toEqual([]);
  expect(project.stateText()).not.toContain("acme-cat");
});

it("refuses, at preview, to move a user to another workspace, with the migration message", async () => {
  const current = EDITED_ROSTER;
  // Move Eve from Trading to Research.
  const moved = current
    .replace(/ {10}- \{ externalId: acme-eve.*\n/, "")
    .replace(
      /( {10}- \{ externalId: acme-bob.*\n)/,
      "$1          - { externalId: acme-eve, email: eve@acme.example, name: Eve Example, entitlements: [equities-us] }\n",
    );
  project.writeFile("roster.yaml", moved);
  const { result, requests } = await during(() => project.run("preview"));
  expect(result.ok).toBe(false);
  expect(requests).toEqual([]);
  expect(result.output).toContain("workspaceId cannot change");
  expect(result.output).toContain("Boosted cannot move a user to another workspace");
  expect(result.output).toContain("declare a new User in the new workspace with a new externalUserId");
  project.writeFile("roster.yaml", current);
  expect((await project.run("preview", { expectNoChanges: true })).ok).toBe(true);
});

it("shows drift after an out-of-band change on refresh, and up puts it back", async () => {
  const ann = userByExt("acme-ann")!;
  await client.updateUser({ userId: ann.user_id }, { name: "Ann (renamed in the Boosted UI)" });

  const check = await during(() => project.run("refresh", { previewOnly: true }));
  expect(check.requests.filter((r) => r.startsWith("GET"))).toHaveLength(9);
  expect(check.writes).toEqual([]);
  expect(opsOf(check.result)).toEqual(["refresh acme-ann [name]"]);
  expect(project.stateText()).not.toContain("renamed in the Boosted UI");

  expect((await project.run("refresh")).ok).toBe(true);
  expect(project.stateText()).toContain("renamed in the Boosted UI");
  const fix = await project.run("preview");
  expect(opsOf(fix)).toEqual(["update acme-ann [name]"]);
  const applied = await during(() => project.run("up"));
  expect(applied.writes).toEqual(["PATCH /user"]);
  expect(userByExt("acme-ann")!.name).toBe("Ann Analyst");
});

it('converges on a create conflict with onConflict: "adopt"', async () => {
  const trading = sandbox().store.byExternalId(partner(), "workspace", "acme-trading")!;
  const existing = await client.createUser({
    workspaceId: trading.workspace_id,
    externalUserId: "acme-fay",
    email: "fay@acme.example",
    name: "Fay (made by hand)",
  });
  const roster = project.readFile("roster.yaml");
  project.writeFile(
    "roster.yaml",
    roster.replace(
      /( {10}- \{ externalId: acme-eve.*\n)/,
      "$1          - { externalId: acme-fay, email: fay@acme.example, name: Fay Fine, entitlements: [equities-us], onConflict: adopt }\n",
    ),
  );
  const { result, requests } = await during(() => project.run("up"));
  expect(result.ok).toBe(true);
  expect(requests.filter((r) => !r.includes(PATHS.token))).toEqual(["PUT /user", "GET /user", "PATCH /user"]);
  expect(userByExt("acme-fay")).toMatchObject({ user_id: existing.userId, name: "Fay Fine" });
  expect(users().filter((u) => u.external_user_id === "acme-fay")).toHaveLength(1);
  expect((await project.run("up", { expectNoChanges: true })).ok).toBe(true);
});

it("keeps secrets out of the state file and stores config secrets encrypted", () => {
  const c = sandbox().credentials;
  const texts = [project.stateText(), project.readFile(`Pulumi.${project.stack}.yaml`)];
  const keyLines = c.privateKey.split("\n").filter((l) => l && !l.startsWith("-----"));
  for (const text of texts) {
    for (const secret of [c.clientSecret, ...keyLines, ...sandbox().issuedTokens()])
      expect(text).not.toContain(secret);
  }
  expect(texts[1]).toMatch(/boosted:clientSecret:\n\s+secure: v1:/);
});

it("destroys following each resource's onDelete, children first", async () => {
  const before = sandbox().store.counts(partner());
  const { result, writes } = await during(() => project.run("destroy"));
  expect(result.ok).toBe(true);
  // Users revoke their entitlements (the roster default); workspaces and organizations are retained.
  expect(writes).toEqual(Array(5).fill("PATCH /user"));
  expect(users().every((u) => u.entitlements.length === 0)).toBe(true);
  expect(sandbox().store.counts(partner())).toEqual(before);
  const order = result.steps.filter((s) => s.op === "delete").map((s) => s.type.split(":").pop());
  expect(order.lastIndexOf("User")).toBeLessThan(order.indexOf("Workspace"));
  expect(order.lastIndexOf("Workspace")).toBeLessThan(order.indexOf("Organization"));
  expect(JSON.parse(project.stateText()).checkpoint.latest.resources).toEqual([]);
});
