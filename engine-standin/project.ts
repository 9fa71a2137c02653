/**
 * TEST INFRASTRUCTURE (engine stand-in). Reads a Pulumi project (`Pulumi.yaml`) and its stack
 * config (`Pulumi.<stack>.yaml`), and sets config values as `pulumi config set [--secret]` does.
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { parse, stringify } from "yaml";
import { Crypter } from "./secrets";

export interface Project {
  dir: string;
  name: string;
  /** The program's entry, relative to `dir` (Pulumi.yaml's `main`), or "." */
  main: string;
  description?: string;
  /** `runtime.options.typescript` (default true): run the program through ts-node. */
  typescript: boolean;
}

export function readProject(dir: string): Project {
  const file = path.join(dir, "Pulumi.yaml");
  if (!existsSync(file)) throw new Error(`no Pulumi.yaml in ${dir}: not a Pulumi project`);
  const doc = parse(readFileSync(file, "utf8")) as {
    name?: string;
    main?: string;
    description?: string;
    runtime?: unknown;
  };
  if (!doc.name) throw new Error(`${file}: "name" is required`);
  const runtimeDoc =
    typeof doc.runtime === "object"
      ? (doc.runtime as { name?: string; options?: { typescript?: boolean } })
      : undefined;
  const runtime = typeof doc.runtime === "string" ? doc.runtime : runtimeDoc?.name;
  if (runtime !== "nodejs")
    throw new Error(`${file}: the stand-in runs only nodejs programs (runtime is ${String(runtime)})`);
  return {
    dir,
    name: doc.name,
    main: doc.main ?? ".",
    description: doc.description,
    typescript: runtimeDoc?.options?.typescript ?? true,
  };
}

interface StackFile {
  encryptionsalt?: string;
  config?: Record<string, unknown>;
}

const stackFile = (p: Project, stack: string) => path.join(p.dir, `Pulumi.${stack}.yaml`);

function readStackFile(p: Project, stack: string): StackFile {
  const file = stackFile(p, stack);
  return existsSync(file) ? ((parse(readFileSync(file, "utf8")) as StackFile | null) ?? {}) : {};
}

/** Keys without a namespace belong to the project, as in Pulumi. */
function qualify(p: Project, key: string): string {
  return key.includes(":") ? key : `${p.name}:${key}`;
}

function passphrase(): string {
  const v = process.env.PULUMI_CONFIG_PASSPHRASE;
  if (v === undefined)
    throw new Error(
      "PULUMI_CONFIG_PASSPHRASE is not set: it is needed to read or write this stack's secrets",
    );
  return v;
}

/** The stack's crypter, creating its salt on first use. */
export function stackCrypter(p: Project, stack: string): Crypter {
  const doc = readStackFile(p, stack);
  if (doc.encryptionsalt) return Crypter.open(passphrase(), doc.encryptionsalt);
  const { crypter, encryptionSalt } = Crypter.create(passphrase());
  writeFileSync(stackFile(p, stack), stringify({ ...doc, encryptionsalt: encryptionSalt }));
  return crypter;
}

/** `pulumi config set [--secret] key value` */
export function setConfig(
  p: Project,
  stack: string,
  key: string,
  value: string,
  options: { secret?: boolean } = {},
): void {
  const crypter = options.secret ? stackCrypter(p, stack) : undefined;
  const doc = readStackFile(p, stack);
  doc.config = { ...doc.config, [qualify(p, key)]: crypter ? { secure: crypter.encrypt(value) } : value };
  writeFileSync(stackFile(p, stack), stringify(doc));
}

/** The stack's config, secrets decrypted, and which keys are secret. */
export function readConfig(
  p: Project,
  stack: string,
): { config: Record<string, string>; secretKeys: string[] } {
  const doc = readStackFile(p, stack);
  const config: Record<string, string> = {};
  const secretKeys: string[] = [];
  let crypter: Crypter | undefined;
  for (const [key, raw] of Object.entries(doc.config ?? {})) {
    const k = qualify(p, key);
    if (raw && typeof raw === "object" && "secure" in raw) {
      crypter ??= stackCrypter(p, stack);
      config[k] = crypter.decrypt(String(raw.secure));
      secretKeys.push(k);
    } else {
      config[k] = typeof raw === "string" ? raw : JSON.stringify(raw);
    }
  }
  return { config, secretKeys };
}
