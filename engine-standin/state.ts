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
import { SECRET_SIG, type Crypter } from "./secrets";

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
  /**
   * Each resource's serialized (and sealed) JSON, kept until it changes: a write then only joins
   * strings, so a step costs a file write, not a re-serialization of thousands of resources.
   */
  private readonly serialized = new Map<string, string>();
  private writing?: Promise<void>;
  private pending?: Promise<void>;
  private crypter?: Crypter;

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
    this.serialized.delete(r.urn);
  }

  delete(urn: string): void {
    this.resources.delete(urn);
    this.serialized.delete(urn);
  }

  /** The resource as it goes into the file: secrets sealed with the stack's passphrase. */
  private serialize(r: ResourceState): string {
    let text = this.serialized.get(r.urn);
    if (text === undefined) {
      text = JSON.stringify(r);
      if (text.includes(`"${SECRET_SIG}"`)) text = JSON.stringify(this.crypterOnce().sealSecrets(r));
      this.serialized.set(r.urn, text);
    }
    return text;
  }

  /** Resolves once the state as it is now is on disk (group commit, atomic rename). */
  save(): Promise<void> {
    if (this.pending) return this.pending;
    const previous = this.writing ?? Promise.resolve();
    const next = previous.then(async () => {
      this.pending = undefined;
      const parts = [...this.resources.values()].map((r) => this.serialize(r));
      const sealed = parts.some((t) => t.includes('"ciphertext"'));
      const header = {
        version: 3,
        checkpoint: {
          stack: this.stack,
          latest: {
            manifest: {
              time: new Date().toISOString(),
              magic: "pulumi-boosted-engine-standin",
              version: "1",
            },
            ...(sealed ? { secrets_providers: { type: "passphrase", state: {} } } : {}),
            resources: [] as unknown[],
          },
        },
      };
      // The document with its resource list spliced in from the per-resource cache.
      const [before, after] = JSON.stringify(header).split('"resources":[]');
      const body = `${before}"resources":[\n${parts.join(",\n")}\n]${after}`;
      mkdirSync(path.dirname(this.file), { recursive: true });
      const tmp = `${this.file}.${process.pid}.tmp`;
      await writeFile(tmp, body);
      await rename(tmp, this.file);
    });
    this.pending = next;
    this.writing = next.finally(() => {
      if (this.writing === next) this.writing = undefined;
    });
    return next;
  }
}
