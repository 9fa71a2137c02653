/**
 * zod issues → short, field-naming text for error messages.
 */
import type { z } from "zod";
import { formatIssuePath } from "./errors";

/** `name: expected string, received number; entitlements[0].billing_feature_id: …`, values never quoted. */
export function describeIssues(error: z.ZodError, rename: (path: string) => string = (p) => p): string {
  return error.issues
    .slice(0, 5)
    .map((i) => {
      const path = formatIssuePath(i.path);
      return `${path ? rename(path) : "(body)"}: ${i.message}`;
    })
    .join("; ");
}
