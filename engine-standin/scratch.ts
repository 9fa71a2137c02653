/**
 * TEST INFRASTRUCTURE (engine stand-in). A throw-away Pulumi project around an existing program:
 * its own folder, stack config pointing at a Boosted (sandbox) endpoint, and `node_modules`
 * linked to this repository's, as a partner's project has pulumi-boosted installed. Used by the
 * end-to-end tests and the benchmarks.
 */
import { mkdtempSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { stringify } from "yaml";
import type { SandboxCredentials } from "../sandbox";
import { readProject, setConfig, type Project } from "./project";

export const REPO_ROOT = path.join(
  __dirname,
  "..",
  __dirname.includes(`${path.sep}dist${path.sep}`) ? ".." : "",
);

export function scratchProject(programDir: string, credentials: SandboxCredentials, stack: string): Project {
  const dir = mkdtempSync(path.join(tmpdir(), "boosted-project-"));
  writeFileSync(
    path.join(dir, "Pulumi.yaml"),
    stringify({ name: "e2e", runtime: { name: "nodejs", options: { typescript: true } }, main: programDir }),
  );
  // The program's own compiler options; the program lives outside this folder, so TypeScript 6
  // needs the root spelt out.
  const tsconfig = JSON.parse(readFileSync(path.join(programDir, "tsconfig.json"), "utf8")) as {
    compilerOptions: object;
  };
  writeFileSync(
    path.join(dir, "tsconfig.json"),
    JSON.stringify({ compilerOptions: { ...tsconfig.compilerOptions, rootDir: "/" } }),
  );
  symlinkSync(path.join(REPO_ROOT, "node_modules"), path.join(dir, "node_modules"), "dir");
  const project = readProject(dir);
  configureBoosted(project, stack, credentials);
  return project;
}

/** `pulumi config set [--secret] boosted:…` for every credential, as a partner's stack has them. */
export function configureBoosted(project: Project, stack: string, c: SandboxCredentials): void {
  const plain = { baseUrl: c.baseUrl, audience: c.audience, clientId: c.clientId, keyId: c.keyId };
  for (const [k, v] of Object.entries(plain)) setConfig(project, stack, `boosted:${k}`, v);
  setConfig(project, stack, "boosted:clientSecret", c.clientSecret, { secret: true });
  setConfig(project, stack, "boosted:privateKey", c.privateKey, { secret: true });
}
