/**
 * The one place where the wire's snake_case meets the public camelCase.
 *
 * Why generic instead of a field table: every Boosted field follows the same rule
 * (`external_workspace_id` ⇄ `externalWorkspaceId`), so a table would only be a second copy of
 * the schemas that could drift from them. The type-level helpers below give the public types
 * the exact camelCase keys of the zod wire schemas they are inferred from.
 */

/** `"external_org_id"` → `"externalOrgId"` at the type level. */
export type SnakeToCamel<S extends string> = S extends `${infer Head}_${infer Tail}`
  ? `${Head}${Capitalize<SnakeToCamel<Tail>>}`
  : S;

/** `"externalOrgId"` → `"external_org_id"` at the type level. */
export type CamelToSnake<S extends string> = S extends `${infer C}${infer Rest}`
  ? C extends Lowercase<C>
    ? `${C}${CamelToSnake<Rest>}`
    : `_${Lowercase<C>}${CamelToSnake<Rest>}`
  : S;

/** Deeply renames the keys of a wire (snake_case) type to camelCase. */
export type Camelize<T> = T extends readonly (infer E)[]
  ? Camelize<E>[]
  : T extends object
    ? { [K in keyof T as K extends string ? SnakeToCamel<K> : K]: Camelize<T[K]> }
    : T;

export function snakeToCamel(key: string): string {
  return key.replace(/_([a-z0-9])/g, (_m, c: string) => c.toUpperCase());
}

export function camelToSnake(key: string): string {
  return key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

function mapKeys(value: unknown, rename: (key: string) => string): unknown {
  if (Array.isArray(value)) return value.map((v) => mapKeys(v, rename));
  if (value !== null && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      // `undefined` means "not given": drop it so the wire body only carries what the caller set.
      if (v === undefined) continue;
      out[rename(k)] = mapKeys(v, rename);
    }
    return out;
  }
  return value;
}

/** Deeply converts a public (camelCase) object to its wire (snake_case) form. */
export function toWire(value: unknown): unknown {
  return mapKeys(value, camelToSnake);
}

/** Deeply converts a wire (snake_case) object to its public (camelCase) form. */
export function fromWire<T>(value: T): Camelize<T> {
  return mapKeys(value, snakeToCamel) as Camelize<T>;
}
