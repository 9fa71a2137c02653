/**
 * Benchmark scenarios: a generated roster of one or more organizations, their workspaces and
 * users, applied through the engine stand-in (real runner, real dynamic-provider host) to a
 * sandbox with fixed latency, and measured: wall time against the latency-bound limit, HTTP
 * requests by route, provider-host CPU and memory, serialized provider and state sizes, and
 * where the time goes.
 */
import { readFileSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { startSandbox } from "../sandbox";
import { preview, refresh, up, type EngineOptions, type OperationResult } from "../engine-standin/engine";
import { REPO_ROOT, scratchProject } from "../engine-standin/scratch";
import { setConfig } from "../engine-standin/project";
import { StateStore } from "../engine-standin/state";

export interface ScenarioOptions {
  name: string;
  organizations: number;
  workspacesPerOrg: number;
  users: number;
  latencyMs: number;
  parallel: number;
  /** Share of users changed in the last step. */
  changeFraction: number;
}

export interface StepFigures {
  step: string;
  ok: boolean;
  wallMs: number;
  /** First resource registration to the last provider call. */
  resourcePhaseMs: number;
  /** Program start-up and shutdown: the part of the wall time outside the resource phase. */
  programOverheadMs: number;
  /** Rounds of requests the dependency graph and the parallelism allow × latency. */
  latencyBoundMs: number;
  /** resourcePhaseMs / latencyBoundMs (the goal is ≤ 1.5). */
  ratio: number | null;
  requests: Record<string, number>;
  tokenExchanges: number;
  /** Sum of the sandbox's request durations (overlapping), i.e. time spent waiting on HTTP. */
  httpMs: number;
  hostCpuMs: number;
  /** The program process (Pulumi's Node SDK registering the resources, ts-node). */
  programCpuMs: number;
  hostPeakRssMb: number;
  standinCpuMs: number;
  providerCalls: number;
  changes: Record<string, number>;
}

export interface ScenarioResult {
  scenario: ScenarioOptions;
  resources: number;
  providerBytesPerResource: number;
  stateFileBytes: number;
  steps: StepFigures[];
}

/** The roster YAML for a scenario; `renamed` users get a different name (the change step). */
export function rosterYaml(o: ScenarioOptions, renamed = new Set<number>()): string {
  const lines = ["defaults:", "  userOnDelete: revokeEntitlements", "organizations:"];
  const workspaces = o.organizations * o.workspacesPerOrg;
  let user = 0;
  for (let org = 0; org < o.organizations; org++) {
    lines.push(
      `  - { externalId: org-${org}, name: Org ${org}, entitlements: [equities-us, macro-global], workspaces: [] }`,
    );
    lines[lines.length - 1] =
      `  - externalId: org-${org}\n    name: Org ${org}\n    entitlements: [equities-us, macro-global]\n    workspaces:`;
    for (let w = 0; w < o.workspacesPerOrg; w++) {
      const ws = org * o.workspacesPerOrg + w;
      lines.push(
        `      - externalId: ws-${ws}\n        name: Workspace ${ws}\n        entitlements: [equities-us, macro-global]\n        users:`,
      );
      const count = Math.floor(o.users / workspaces) + (ws < o.users % workspaces ? 1 : 0);
      for (let i = 0; i < count; i++, user++) {
        const name = renamed.has(user) ? `User ${user} (renamed)` : `User ${user}`;
        lines.push(
          `          - { externalId: user-${user}, email: user-${user}@bench.example, name: ${name}, entitlements: [equities-us] }`,
        );
      }
    }
  }
  return `${lines.join("\n")}\n`;
}

const rounds = (n: number, p: number) => (n > 0 ? Math.ceil(n / p) : 0);

function cpuMs(u: NodeJS.CpuUsage): number {
  return (u.user + u.system) / 1000;
}

export async function runScenario(
  o: ScenarioOptions,
  log: (line: string) => void = () => {},
): Promise<ScenarioResult> {
  const sandbox = await startSandbox({ faults: { latencyMs: o.latencyMs }, maxLogEntries: 1_000_000 });
  try {
    process.env.PULUMI_CONFIG_PASSPHRASE ??= "bench";
    const stack = "bench";
    const project = scratchProject(
      path.join(REPO_ROOT, "examples", "partner-roster"),
      sandbox.credentials,
      stack,
    );
    const rosterFile = path.join(project.dir, "roster.yaml");
    writeFileSync(rosterFile, rosterYaml(o));
    setConfig(project, stack, "roster", rosterFile);
    const options: EngineOptions = {
      projectDir: project.dir,
      stack,
      parallel: o.parallel,
      quiet: true,
      out: log,
      measure: true,
    };
    const workspaces = o.organizations * o.workspacesPerOrg;
    const total = o.organizations + workspaces + o.users;
    const changed = Math.round(o.users * o.changeFraction);
    const P = o.parallel;

    const steps: [string, () => Promise<OperationResult>, number, () => void][] = [
      // Cold: a token exchange, then each level of the hierarchy in rounds of P.
      [
        "cold up",
        () => up(options),
        1 + rounds(o.organizations, P) + rounds(workspaces, P) + rounds(o.users, P),
        () => {},
      ],
      ["no-change up", () => up({ ...options, expectNoChanges: true }), 0, () => {}],
      ["refresh", () => refresh({ ...options, expectNoChanges: true }), 1 + rounds(total, P), () => {}],
      [
        `${Math.round(o.changeFraction * 100)}% change up`,
        () => up(options),
        1 + rounds(changed, P),
        () =>
          writeFileSync(
            rosterFile,
            rosterYaml(
              o,
              new Set(Array.from({ length: changed }, (_, i) => Math.floor((i * o.users) / changed))),
            ),
          ),
      ],
    ];

    const figures: StepFigures[] = [];
    for (const [step, run, limitRounds, prepare] of steps) {
      prepare();
      const before = sandbox.requests().length;
      const cpu0 = process.cpuUsage();
      const started = performance.now();
      const result = await run();
      const wallMs = performance.now() - started;
      const standinCpuMs = cpuMs(process.cpuUsage(cpu0));
      const requests = sandbox.requests().slice(before);
      const byRoute: Record<string, number> = {};
      for (const r of requests)
        byRoute[`${r.method} ${r.path}`] = (byRoute[`${r.method} ${r.path}`] ?? 0) + 1;
      const latencyBoundMs = limitRounds * o.latencyMs;
      const f: StepFigures = {
        step,
        ok: result.ok,
        wallMs: Math.round(wallMs),
        resourcePhaseMs: Math.round(result.timing.resourcePhaseMs),
        programOverheadMs: Math.round(wallMs - result.timing.resourcePhaseMs),
        latencyBoundMs,
        ratio:
          latencyBoundMs > 0 ? Number((result.timing.resourcePhaseMs / latencyBoundMs).toFixed(2)) : null,
        requests: byRoute,
        tokenExchanges: byRoute["POST /oauth2/token"] ?? 0,
        httpMs: Math.round(requests.reduce((s, r) => s + r.durationMs, 0)),
        hostCpuMs: Math.round(result.hostStats.reduce((s, h) => s + h.cpuMs, 0)),
        programCpuMs: result.timing.programCpuMs ?? 0,
        hostPeakRssMb: Math.round(Math.max(0, ...result.hostStats.map((h) => h.peakRssMb))),
        standinCpuMs: Math.round(standinCpuMs),
        providerCalls: result.timing.providerCalls,
        changes: Object.fromEntries(Object.entries(result.counts).filter(([, n]) => n > 0)),
      };
      figures.push(f);
      log(
        `${o.name} ${step}: ${f.wallMs} ms (resource phase ${f.resourcePhaseMs} ms, bound ${latencyBoundMs} ms), ${requests.length} requests`,
      );
      if (!result.ok) throw new Error(`${o.name} ${step} failed: ${result.errors.join("; ")}`);
    }

    const stateFile = StateStore.fileFor(project.dir, stack);
    const state = JSON.parse(readFileSync(stateFile, "utf8")) as {
      checkpoint: { latest: { resources: { outputs: { __provider?: string } }[] } };
    };
    const providers = state.checkpoint.latest.resources
      .map((r) => r.outputs.__provider?.length ?? 0)
      .filter((n) => n > 0);
    // A preview must not have changed anything; make sure the roster is still in sync.
    const check = await preview({ ...options, expectNoChanges: true });
    if (!check.ok) throw new Error(`${o.name}: the final preview found changes`);
    return {
      scenario: o,
      resources: total,
      providerBytesPerResource: providers.length
        ? Math.round(providers.reduce((a, b) => a + b, 0) / providers.length)
        : 0,
      stateFileBytes: statSync(stateFile).size,
      steps: figures,
    };
  } finally {
    await sandbox.stop();
  }
}
