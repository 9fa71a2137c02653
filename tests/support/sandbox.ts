/**
 * Test helpers around the sandbox: one real server per test file on port 0, with every
 * exchange checked against the OpenAPI contract as it happens.
 */
import { startSandbox, type Sandbox, type SandboxOptions } from "../../sandbox";
import { ContractChecker } from "./contract";

let checker: ContractChecker | undefined;

export interface CheckedOptions extends SandboxOptions {
  /** Check requests too (off for tests that send malformed requests on purpose). @default true */
  checkRequests?: boolean;
}

/** A sandbox that records contract violations; `violations` must be empty at the end. */
export async function startCheckedSandbox(
  options: CheckedOptions = {},
): Promise<Sandbox & { violations: string[] }> {
  checker ??= new ContractChecker();
  const violations: string[] = [];
  const c = checker;
  const sandbox = await startSandbox({
    ...options,
    recordBodies: true,
    onRequest: (entry) => {
      violations.push(...c.check(entry, { requests: options.checkRequests ?? true }));
      options.onRequest?.(entry);
    },
  });
  return Object.assign(sandbox, { violations });
}

/**
 * Starts a contract-checked sandbox before the file's tests and stops it after them, failing
 * the file if any exchange broke the contract.
 */
export function useSandbox(options: CheckedOptions = {}): () => Sandbox & { violations: string[] } {
  let sandbox: (Sandbox & { violations: string[] }) | undefined;
  beforeAll(async () => {
    sandbox = await startCheckedSandbox(options);
  });
  afterAll(async () => {
    await sandbox?.stop();
    expect(sandbox?.violations ?? []).toEqual([]);
  });
  return () => {
    if (!sandbox) throw new Error("sandbox not started");
    return sandbox;
  };
}
