/**
 * A throw-away Pulumi project for end-to-end tests: the real example program, its own stack
 * config pointing at a sandbox, its own state, run through the engine stand-in.
 */
import { mkdtempSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { stringify } from "yaml";
import type { Sandbox } from "../../sandbox";
import {
  destroy,
  preview,
  refresh,
  up,
  type EngineOptions,
  type OperationResult,
} from "../../engine-standin/engine";
import { readProject, setConfig } from "../../engine-standin/project";
import { StateStore } from "../../engine-standin/state";
import { ROOT } from "./built";

process.env.PULUMI_CONFIG_PASSPHRASE ??= "e2e-passphrase";

export interface TestProject {
  dir: string;
  stack: string;
  /** Every line the stand-in printed, across operations. */
  lines: string[];
  run(
    op: "preview" | "up" | "refresh" | "destroy",
    extra?: Partial<EngineOptions>,
  ): Promise<OperationResult & { output: string }>;
  stateText(): string;
  writeFile(name: string, text: string): void;
  readFile(name: string): string;
  /** `pulumi config set [--secret] key value` on this stack. */
  setConfig(key: string, value: string, secret?: boolean): void;
}

/**
 * A project whose program is `programDir` (an example, unchanged), with `node_modules` linked to
 * this repository's, as a partner's project has pulumi-boosted installed.
 */
export function makeProject(
  programDir: string,
  sandbox: Sandbox,
  config: Record<string, string> = {},
): TestProject {
  const dir = mkdtempSync(path.join(tmpdir(), "boosted-e2e-"));
  const name = "e2e";
  writeFileSync(
    path.join(dir, "Pulumi.yaml"),
    stringify({ name, runtime: { name: "nodejs", options: { typescript: true } }, main: programDir }),
  );
  // The example's own compiler options; the program lives outside this folder, so TypeScript 6
  // needs the root spelt out.
  const tsconfig = JSON.parse(readFileSync(path.join(programDir, "tsconfig.json"), "utf8")) as {
    compilerOptions: object;
  };
  writeFileSync(
    path.join(dir, "tsconfig.json"),
    JSON.stringify({ compilerOptions: { ...tsconfig.compilerOptions, rootDir: "/" } }),
  );
  symlinkSync(path.join(ROOT, "node_modules"), path.join(dir, "node_modules"), "dir");
  const project = readProject(dir);
  const stack = "test";
  const c = sandbox.credentials;
  for (const [k, v] of Object.entries({
    baseUrl: c.baseUrl,
    audience: c.audience,
    clientId: c.clientId,
    keyId: c.keyId,
  }))
    setConfig(project, stack, `boosted:${k}`, v);
  setConfig(project, stack, "boosted:clientSecret", c.clientSecret, { secret: true });
  setConfig(project, stack, "boosted:privateKey", c.privateKey, { secret: true });
  for (const [k, v] of Object.entries(config)) setConfig(project, stack, k, v);
  const lines: string[] = [];
  const ops = { preview, up, refresh, destroy };
  return {
    dir,
    stack,
    lines,
    async run(op, extra = {}) {
      const mine: string[] = [];
      const result = await ops[op]({
        projectDir: dir,
        stack,
        parallel: 8,
        out: (l) => (lines.push(l), mine.push(l)),
        ...extra,
      });
      return { ...result, output: mine.join("\n") };
    },
    stateText: () => readFileSync(StateStore.fileFor(dir, stack), "utf8"),
    writeFile: (file, text) => writeFileSync(path.join(dir, file), text),
    readFile: (file) => readFileSync(path.join(dir, file), "utf8"),
    setConfig: (key, value, secret) => setConfig(project, stack, key, value, { secret }),
  };
}

export const ROSTER_PROGRAM = path.join(ROOT, "examples", "partner-roster");
export const EXAMPLE_ROSTER = readFileSync(path.join(ROSTER_PROGRAM, "roster.yaml"), "utf8");
