#!/usr/bin/env node
/**
 * TEST INFRASTRUCTURE: the engine stand-in's command line, shaped like the Pulumi CLI's.
 *
 *   node dist/engine-standin/cli.js preview|up|refresh|destroy [--cwd DIR] [--stack NAME]
 *     [--parallel N] [--policy-pack DIR]... [--policy-pack-config FILE] [--tag KEY=VALUE]...
 *     [--preview-only] [--expect-no-changes] [--quiet]
 *   node dist/engine-standin/cli.js config set [--secret] KEY VALUE [--cwd DIR] [--stack NAME]
 *
 * Secrets use PULUMI_CONFIG_PASSPHRASE, as Pulumi's passphrase secrets provider does.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { destroy, preview, refresh, up, type EngineOptions } from "./engine";
import { readProject, setConfig } from "./project";

async function main(): Promise<number> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      cwd: { type: "string", default: "." },
      stack: { type: "string", default: "dev" },
      parallel: { type: "string", default: "16" },
      "policy-pack": { type: "string", multiple: true, default: [] },
      "policy-pack-config": { type: "string" },
      tag: { type: "string", multiple: true, default: [] },
      "preview-only": { type: "boolean", default: false },
      "expect-no-changes": { type: "boolean", default: false },
      quiet: { type: "boolean", default: false },
      secret: { type: "boolean", default: false },
    },
  });
  const [command, ...rest] = positionals;
  const projectDir = path.resolve(values.cwd);
  if (command === "config") {
    const [verb, key, value] = rest;
    if (verb !== "set" || !key || value === undefined)
      throw new Error("usage: config set [--secret] KEY VALUE");
    setConfig(readProject(projectDir), values.stack, key, value, { secret: values.secret });
    return 0;
  }
  const parallel = Number(values.parallel);
  if (!Number.isInteger(parallel) || parallel < 1)
    throw new Error(`--parallel must be a whole number ≥ 1, got "${values.parallel}"`);
  const options: EngineOptions = {
    projectDir,
    stack: values.stack,
    parallel,
    policyPacks: values["policy-pack"].map((p) => path.resolve(p)),
    policyConfig: values["policy-pack-config"]
      ? (JSON.parse(readFileSync(values["policy-pack-config"], "utf8")) as Record<string, unknown>)
      : undefined,
    tags: Object.fromEntries(values.tag.map((t) => t.split("=", 2) as [string, string])),
    previewOnly: values["preview-only"],
    expectNoChanges: values["expect-no-changes"],
    quiet: values.quiet,
  };
  const operations = { preview, up, refresh, destroy } as const;
  const op = operations[command as keyof typeof operations];
  if (!op)
    throw new Error(`unknown command "${command ?? ""}": use preview, up, refresh, destroy or config set`);
  const result = await op(options);
  return result.ok ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`error: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
