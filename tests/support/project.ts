/**
 * A throw-away Pulumi project for end-to-end tests: the real example program, its own stack
 * config pointing at a sandbox, its own state, run through the engine stand-in.
 */
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { Sandbox } from "../../sandbox";
import { scratchProject } from "../../engine-standin/scratch";
import {
  destroy,
  preview,
  refresh,
  up,
  type EngineOptions,
  type OperationResult,
} from "../../engine-standin/engine";
import { setConfig } from "../../engine-standin/project";
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

/** A scratch project (see engine-standin/scratch.ts) around `programDir`, e.g. an example, unchanged. */
export function makeProject(programDir: string, sandbox: Sandbox): TestProject {
  const stack = "test";
  const project = scratchProject(programDir, sandbox.credentials, stack);
  const dir = project.dir;
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
