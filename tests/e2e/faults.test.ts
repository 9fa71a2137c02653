/**
 * Fault injection: the partner-roster `up` through the stand-in and the real host while the
 * sandbox misbehaves. After each run (and one more `up` where the first was allowed to fail):
 * Boosted holds exactly the declared hierarchy with no duplicates, the state matches Boosted,
 * every retry was bounded, and errors that surfaced named their cause.
 */
import path from "node:path";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { startSandbox, type FaultConfig, type RequestLogEntry, type Sandbox } from "../../sandbox";
import { defaultRetryPolicy, PATHS } from "../../sdk";
import { rosterYaml, type ScenarioOptions } from "../../bench/scenario";
import { ROSTER_PROGRAM, makeProject, type TestProject } from "../support/project";
import { ContractChecker } from "../support/contract";

jest.setTimeout(180_000);

const SHAPE: ScenarioOptions = {
  name: "faults",
  organizations: 1,
  workspacesPerOrg: 3,
  users: 30,
  latencyMs: 0,
  parallel: 8,
  changeFraction: 0.2,
};
const checker = new ContractChecker();

interface Run {
  sandbox: Sandbox;
  project: TestProject;
  log: RequestLogEntry[];
  violations: string[];
}

async function setUp(
  faults: FaultConfig = {},
  options: { stateFile?: string; timeoutMs?: number } = {},
): Promise<Run> {
  const log: RequestLogEntry[] = [];
  const violations: string[] = [];
  const sandbox = await startSandbox({
    faults,
    stateFile: options.stateFile,
    recordBodies: true,
    onRequest: (e) => {
      log.push(e);
      violations.push(...checker.check(e));
    },
  });
  const project = makeProject(ROSTER_PROGRAM, sandbox);
  project.writeFile("roster.yaml", rosterYaml(SHAPE));
  project.setConfig("roster", path.join(project.dir, "roster.yaml"));
  if (options.timeoutMs) project.setConfig("boosted:timeoutMs", String(options.timeoutMs));
  return { sandbox, project, log, violations };
}

/** The invariants every fault run must end in. */
async function expectConverged(run: Run, sandbox = run.sandbox, renamed = false): Promise<void> {
  const partner = sandbox.credentials.clientId;
  const orgs = sandbox.store.list(partner, "organization");
  const workspaces = sandbox.store.list(partner, "workspace");
  const users = sandbox.store.list(partner, "user");
  // Exactly the declared hierarchy, no duplicates.
  expect(orgs.map((o) => o.external_org_id)).toEqual(["org-0"]);
  expect(workspaces.map((w) => w.external_workspace_id).sort()).toEqual(["ws-0", "ws-1", "ws-2"]);
  expect(users.map((u) => u.external_user_id).sort()).toEqual(
    Array.from({ length: 30 }, (_, i) => `user-${i}`).sort(),
  );
  expect(new Set(users.map((u) => u.email)).size).toBe(30);
  if (renamed) expect(users.filter((u) => u.name?.endsWith("(renamed)"))).toHaveLength(6);
  // The state matches Boosted, resource by resource.
  const state = JSON.parse(run.project.stateText()).checkpoint.latest.resources as {
    type: string;
    id?: string;
    outputs: Record<string, unknown>;
  }[];
  const boosted = state.filter((r) => r.type.startsWith("pulumi-nodejs:dynamic/boosted:"));
  expect(boosted).toHaveLength(34);
  const byId = new Map<string, { name: string | null }>([
    ...orgs.map((o) => [o.org_id, o] as const),
    ...workspaces.map((w) => [w.workspace_id, w] as const),
    ...users.map((u) => [u.user_id, u] as const),
  ]);
  for (const r of boosted) {
    const real = byId.get(r.id!);
    expect(real).toBeDefined();
    expect(r.outputs.name).toBe(real!.name);
  }
  // And a preview agrees: nothing to do.
  const check = await run.project.run("preview", { expectNoChanges: true });
  expect(check.errors).toEqual([]);
  // Every request followed the contract (injected fault answers aside).
  expect(run.violations).toEqual([]);
}

/** No create or update was attempted more often than the retry policy allows (plus one recovery). */
function expectBoundedRetries(log: RequestLogEntry[]): void {
  const attempts = new Map<string, number>();
  for (const e of log) {
    if (e.method !== "PUT" && e.method !== "PATCH") continue;
    const body = (e.requestBody ?? {}) as Record<string, string | undefined>;
    const subject =
      body.external_user_id ?? body.external_workspace_id ?? body.external_org_id ?? JSON.stringify(e.query);
    const key = `${e.method} ${e.path} ${subject}`;
    attempts.set(key, (attempts.get(key) ?? 0) + 1);
  }
  // Per `up`: at most `attempts` tries; a test runs at most two `up`s and a create may also be
  // adopted back by the partial-create path, so allow two runs' worth.
  const worst = Math.max(...attempts.values());
  expect(worst).toBeLessThanOrEqual(2 * defaultRetryPolicy.attempts);
}

async function upTwice(run: Run): Promise<{
  first: Awaited<ReturnType<TestProject["run"]>>;
  second?: Awaited<ReturnType<TestProject["run"]>>;
}> {
  const first = await run.project.run("up");
  if (first.ok) return { first };
  const second = await run.project.run("up");
  expect(second.errors).toEqual([]);
  return { first, second };
}

it("429 bursts with Retry-After", async () => {
  const run = await setUp({ rateLimitEveryNth: 5, retryAfterSeconds: 0.2 });
  try {
    const { first } = await upTwice(run);
    expect(first.ok).toBe(true);
    expect(run.log.filter((e) => e.status === 429).length).toBeGreaterThan(5);
    run.sandbox.setFaults({});
    await expectConverged(run);
    expectBoundedRetries(run.log);
  } finally {
    await run.sandbox.stop();
  }
});

it("random 502s and 503s", async () => {
  const run = await setUp({ errorRate: 0.25, errorStatuses: [502, 503], seed: 11 });
  try {
    const { first } = await upTwice(run);
    expect(run.log.filter((e) => e.status >= 500).length).toBeGreaterThan(5);
    if (!first.ok) expect(first.errors.join("\n")).toMatch(/status 50[23]/);
    run.sandbox.setFaults({});
    await expectConverged(run);
    expectBoundedRetries(run.log);
  } finally {
    await run.sandbox.stop();
  }
});

it("latency beyond the client's timeout on some requests", async () => {
  const run = await setUp({ slowRate: 0.15, slowMs: 1200, seed: 5 }, { timeoutMs: 400 });
  try {
    const { first } = await upTwice(run);
    if (!first.ok) expect(first.errors.join("\n")).toMatch(/ETIMEDOUT|timeout/);
    run.sandbox.setFaults({});
    await new Promise((r) => setTimeout(r, 1300)); // let held requests finish
    await expectConverged(run);
    expectBoundedRetries(run.log);
  } finally {
    await run.sandbox.stop();
  }
});

it("lost responses after committed creates and updates", async () => {
  const run = await setUp({ lostResponseRate: 0.25, seed: 3 });
  try {
    const { first } = await upTwice(run);
    expect(run.log.filter((e) => e.fault === "lost response").length).toBeGreaterThan(3);
    if (!first.ok) expect(first.errors.join("\n")).toMatch(/ECONNRESET|may or may not exist/);
    // Now the updates: rename 6 users while responses keep getting lost.
    run.project.writeFile("roster.yaml", rosterYaml(SHAPE, new Set([0, 5, 10, 15, 20, 25])));
    await upTwice(run);
    run.sandbox.setFaults({});
    await expectConverged(run, run.sandbox, true);
    expectBoundedRetries(run.log);
  } finally {
    await run.sandbox.stop();
  }
});

it("token expiry mid-run", async () => {
  // Slow enough that the run outlives several 1-second tokens.
  const run = await setUp({ latencyMs: 250 });
  run.sandbox.setTokenLifetime(1);
  try {
    const { first } = await upTwice(run);
    expect(first.ok).toBe(true);
    expect(run.log.filter((e) => e.path === PATHS.token).length).toBeGreaterThan(1);
    run.sandbox.setTokenLifetime(3600);
    run.sandbox.setFaults({});
    await expectConverged(run);
  } finally {
    await run.sandbox.stop();
  }
});

it("the sandbox restarting from its state file mid-run", async () => {
  const stateFile = path.join(mkdtempSync(path.join(tmpdir(), "boosted-restart-")), "state.json");
  const run = await setUp({ latencyMs: 15 }, { stateFile });
  const port = run.sandbox.port;
  let current: Sandbox = run.sandbox;
  let restarted: Promise<void> | undefined;
  const restartAfter = 25;
  const log = run.log;
  const watch = setInterval(() => {
    if (restarted || log.length < restartAfter) return;
    restarted = (async () => {
      await current.stop();
      current = await startSandbox({
        port,
        stateFile,
        devPartner: run.sandbox.credentials,
        faults: { latencyMs: 15 },
        recordBodies: true,
        onRequest: (e) => {
          log.push(e);
          run.violations.push(...checker.check(e));
        },
      });
    })();
  }, 5);
  try {
    const { first } = await upTwice(run);
    await restarted;
    clearInterval(watch);
    expect(restarted).toBeDefined();
    if (!first.ok)
      expect(first.errors.join("\n")).toMatch(/ECONNREFUSED|ECONNRESET|socket|may or may not exist/);
    current.setFaults({});
    await expectConverged({ ...run, sandbox: current }, current);
    expectBoundedRetries(log);
  } finally {
    clearInterval(watch);
    await current.stop();
  }
});
