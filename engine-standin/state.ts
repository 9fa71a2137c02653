/**
 * TEST INFRASTRUCTURE (engine stand-in). The stack's state: a JSON checkpoint in the project's
 * `.pulumi-standin/` folder, shaped like `pulumi stack export`, written atomically (temporary
 * file, then rename) after each step. Secret values are sealed with the stack's passphrase, as
 * Pulumi's own state does; nothing secret is ever written in plain text.
 *
 * Writes are group-committed: a step waits until a write that includes it is on disk, but
 * steps finishing together share one write, so thousands of resources do not mean thousands
 * of multi-megabyte writes.
 */
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { rename, writeFile } from "node:fs/promises";
import path from "node:path";
import type { Crypter } from "./secrets";

export type Props = Record<string, unknown>;

/** One resource in the checkpoint (Pulumi's apitype.ResourceV3, the fields we use). */
export interface ResourceState {
  urn: string;
  type: string;
  custom: boolean;
  id?: string;
  inputs: Props;
  outputs: Props;
  parent?: string;
  /** `urn::id` of the provider that manages it. */
  provider?: string;
  dependencies: string[];
  protect?: boolean;
  retainOnDelete?: boolean;
  /** Set on a resource whose create succeeded only partly (ErrorResourceInitFailed). */
  initErrors?: string[];
}

interface Checkpoint {
  version: 3;
  checkpoint: {
    stack: string;
    latest: {
      manifest: { time: string; magic: string; version: string };
      secrets_providers?: { type: "passphrase"; state: { salt?: string } };
      resources: ResourceState[];
    };
  };
}

export class StateStore {
  /** Resources by URN, in the order they were first recorded. */
  readonly resources = new Map<string, ResourceState>();
  private writing?: Promise<void>;
  private pending?: Promise<void>;
  private crypter?: Crypter;
  /** Bytes of the last write (for benchmarks). */
  lastSize = 0;

  constructor(
    readonly file: string,
    private readonly stack: string,
    private readonly crypterFor: () => Crypter,
  ) {
    if (existsSync(file)) {
      const doc = JSON.parse(readFileSync(file, "utf8")) as Checkpoint;
      const hasSecrets = readFileSync(file, "utf8").includes('"ciphertext"');
      for (const r of doc.checkpoint.latest.resources) {
        const resource = hasSecrets ? (this.crypterOnce().openSecrets(r) as ResourceState) : r;
        this.resources.set(r.urn, resource);
      }
    }
  }

  static fileFor(projectDir: string, stack: string): string {
    return path.join(projectDir, ".pulumi-standin", "stacks", `${stack}.json`);
  }

  private crypterOnce(): Crypter {
    this.crypter ??= this.crypterFor();
    return this.crypter;
  }

  set(r: ResourceState): void {
    this.resources.set(r.urn, r);
  }

  delete(urn: string): void {
    this.resources.delete(urn);
  }

  /** Resolves once the state as it is now is on disk (group commit, atomic rename). */
  save(): Promise<void> {
    if (this.pending) return this.pending;
    const previous = this.writing ?? Promise.resolve();
    const next = previous.then(async () => {
      this.pending = undefined;
      const resources = [...this.resources.values()];
      const text = JSON.stringify(resources);
      const needsCrypter = text.includes('"4dabf18193072939515e22adb298388d"');
      const doc: Checkpoint = {
        version: 3,
        checkpoint: {
          stack: this.stack,
          latest: {
            manifest: {
              time: new Date().toISOString(),
              magic: "pulumi-boosted-engine-standin",
              version: "1",
            },
            ...(needsCrypter ? { secrets_providers: { type: "passphrase", state: {} } } : {}),
            resources: needsCrypter
              ? (this.crypterOnce().sealSecrets(resources) as ResourceState[])
              : resources,
          },
        },
      };
      mkdirSync(path.dirname(this.file), { recursive: true });
      const body = JSON.stringify(doc, null, 1);
      const tmp = `${this.file}.${process.pid}.tmp`;
      await writeFile(tmp, body);
      await rename(tmp, this.file);
      this.lastSize = body.length;
    });
    this.pending = next;
    this.writing = next.finally(() => {
      if (this.writing === next) this.writing = undefined;
    });
    return next;
  }
}
