/**
 * `npm run demo`: the partner journey against a local sandbox, through the engine stand-in and
 * Pulumi's real dynamic-provider host. Starts the sandbox on a free port, writes the demo stack's
 * config (secrets encrypted), then runs preview, up, a second up that changes nothing, and a
 * refresh that finds no drift, and prints what it created.
 */
import { rmSync } from "node:fs";
import path from "node:path";
import { startSandbox } from "../sandbox";
import { preview, refresh, up, type OperationResult } from "./engine";
import { readProject } from "./project";
import { configureBoosted } from "./scratch";
import { StateStore } from "./state";

const ROOT = path.join(__dirname, "..", "..");
const STACK = "demo";

async function main(): Promise<number> {
  process.env.PULUMI_CONFIG_PASSPHRASE ??= "demo-passphrase";
  const project = readProject(ROOT);
  // A fresh stack each time: the sandbox (and its keys) are new on every run.
  rmSync(path.join(ROOT, `Pulumi.${STACK}.yaml`), { force: true });
  rmSync(StateStore.fileFor(ROOT, STACK), { force: true });

  const sandbox = await startSandbox({ port: 0 });
  const c = sandbox.credentials;
  const heading = (text: string) => process.stdout.write(`\n=== ${text}\n`);
  heading(`Boosted sandbox on ${sandbox.url}; stack "${STACK}" of ${project.name} (${project.main})`);
  configureBoosted(project, STACK, c);

  const options = { projectDir: ROOT, stack: STACK, parallel: 16 };
  const steps: [string, () => Promise<OperationResult>, (r: OperationResult) => boolean][] = [
    ["pulumi preview", () => preview(options), (r) => r.ok],
    ["pulumi up", () => up(options), (r) => r.ok],
    ["pulumi up (again: nothing changed)", () => up({ ...options, expectNoChanges: true }), (r) => r.ok],
    ["pulumi refresh (no drift)", () => refresh({ ...options, expectNoChanges: true }), (r) => r.ok],
  ];
  let last: OperationResult | undefined;
  try {
    for (const [title, run, good] of steps) {
      heading(title);
      const before = sandbox.requests().length;
      const result = await run();
      const requests = sandbox.requests().slice(before);
      const writes = requests.filter((r) => r.method !== "GET" && r.path !== "/oauth2/token").length;
      process.stdout.write(`(${requests.length} HTTP requests to Boosted, ${writes} of them writes)\n`);
      if (!good(result)) return 1;
      if (result.steps.some((s) => s.op === "create")) last = result;
    }
    heading("What the stack created");
    for (const [kind, ids] of Object.entries(last?.outputs ?? {})) {
      process.stdout.write(`${kind}:\n`);
      for (const [externalId, id] of Object.entries(ids as Record<string, string>))
        process.stdout.write(`  ${externalId.padEnd(16)} ${id}\n`);
    }
    const counts = sandbox.store.counts(c.clientId);
    process.stdout.write(
      `\nBoosted now holds ${counts.organization} organizations, ${counts.workspace} workspaces and ${counts.user} users.\n`,
    );
    return 0;
  } finally {
    await sandbox.stop();
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`demo failed: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
