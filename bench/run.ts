/**
 * `npm run bench`: the partner-scale benchmarks. Prints a table and writes bench/results.json.
 * `BENCH_LARGE=1` adds roster-10k. See bench/README.md for the method.
 */
import { writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { REPO_ROOT } from "../engine-standin/scratch";
import { runScenario, type ScenarioOptions, type ScenarioResult } from "./scenario";

const base = { organizations: 1, workspacesPerOrg: 10, latencyMs: 20, parallel: 32, changeFraction: 0.05 };
const scenarios: ScenarioOptions[] = [{ ...base, name: "roster-1k", users: 1000 }];
if (process.env.BENCH_LARGE === "1") scenarios.push({ ...base, name: "roster-10k", users: 10_000 });

function table(results: ScenarioResult[]): string {
  const head = [
    "scenario",
    "step",
    "wall ms",
    "resource ms",
    "bound ms",
    "ratio",
    "requests",
    "token",
    "host CPU ms",
    "host RSS MB",
    "program CPU ms",
    "stand-in CPU ms",
    "HTTP ms (sum)",
  ];
  const rows = results.flatMap((r) =>
    r.steps.map((s) => [
      r.scenario.name,
      s.step,
      s.wallMs,
      s.resourcePhaseMs,
      s.latencyBoundMs,
      s.ratio ?? "-",
      Object.entries(s.requests)
        .filter(([k]) => !k.includes("oauth2"))
        .map(([k, v]) => `${v} ${k.replace("/v2/account-management/", "")}`)
        .join(", ") || "none",
      s.tokenExchanges,
      s.hostCpuMs,
      s.hostPeakRssMb,
      s.programCpuMs,
      s.standinCpuMs,
      s.httpMs,
    ]),
  );
  const all = [head, ...rows].map((r) => r.map(String));
  const widths = head.map((_, i) => Math.max(...all.map((r) => r[i]!.length)));
  return all.map((r) => `| ${r.map((c, i) => c.padEnd(widths[i]!)).join(" | ")} |`).join("\n");
}

async function main(): Promise<void> {
  const results: ScenarioResult[] = [];
  for (const s of scenarios) results.push(await runScenario(s, (l) => process.stdout.write(`${l}\n`)));
  process.stdout.write(`\n${table(results)}\n\n`);
  for (const r of results) {
    process.stdout.write(
      `${r.scenario.name}: ${r.resources} resources, __provider ${r.providerBytesPerResource} B per resource, state file ${(r.stateFileBytes / 1e6).toFixed(1)} MB\n`,
    );
  }
  const file = path.join(REPO_ROOT, "bench", "results.json");
  writeFileSync(
    file,
    `${JSON.stringify({ date: new Date().toISOString(), machine: { cpus: os.cpus().length, memoryGb: Math.round(os.totalmem() / 2 ** 30), node: process.version }, results }, null, 2)}\n`,
  );
  process.stdout.write(`written ${path.relative(process.cwd(), file)}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`bench failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
