/**
 * zod issues → short, field-naming text for error messages.
 */
import type { z } from "zod";
import { formatIssuePath } from "./errors";

/**
 * `name: expected string, received number; entitlements[0].billing_feature_id: …`. Values are
 * never quoted, so a secret passed in the wrong place cannot end up in a message.
 */
export function describeIssues(error: z.ZodError, rename: (path: string) => string = (p) => p): string {
  return error.issues
    .slice(0, 5)
    .map((i) => {
      const path = formatIssuePath(i.path);
      if (i.code === "unrecognized_keys") {
        const keys = i.keys.map((k) => rename(path ? `${path}.${k}` : k));
        return `unknown field${keys.length > 1 ? "s" : ""} ${keys.join(", ")}: remove ${keys.length > 1 ? "them" : "it"}`;
      }
      return `${path ? rename(path) : "(body)"}: ${i.message}`;
    })
    .join("; ");
}
