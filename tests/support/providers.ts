/**
 * The real `__provider` strings the Pulumi SDK produces for the built package.
 */
import { execFileSync } from "node:child_process";
import path from "node:path";
import { ROOT } from "./built";

export type ResourceType = "Organization" | "Workspace" | "User";
export { secret, UNKNOWN, HostError, ProviderHost } from "../../engine-standin/provider-host";

let serialized: Record<ResourceType, string[]> | undefined;
/** Two instances of each type, serialized in a separate Node process (see serialize-providers.js). */
export function providerStrings(): Record<ResourceType, string[]> {
  serialized ??= JSON.parse(
    execFileSync(process.execPath, [path.join(ROOT, "tests", "support", "serialize-providers.js")], {
      cwd: ROOT,
      encoding: "utf8",
    }),
  ) as Record<ResourceType, string[]>;
  return serialized;
}
