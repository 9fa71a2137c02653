/**
 * Tests that start child processes (the sandbox CLI, Pulumi's dynamic-provider host) run the
 * compiled package in `dist/`, the way partners install it. `npm test` builds first.
 */
import { existsSync } from "node:fs";
import path from "node:path";

export const ROOT = path.join(__dirname, "..", "..");

export function builtFile(relative: string): string {
  const file = path.join(ROOT, "dist", relative);
  if (!existsSync(file)) throw new Error(`${file} is missing: run "npm run build" first (npm test does).`);
  return file;
}
