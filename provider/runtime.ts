/**
 * The dynamic provider's implementation: what the engine's Check, Diff, Create, Read, Update and
 * Delete calls do for Organization, Workspace and User.
 *
 * This module is what the serialized `__provider` of every resource `require`s by package name
 * (`pulumi-boosted/provider-runtime`) inside Pulumi's dynamic-provider host. Its exported
 * functions are therefore a contract with every stack ever deployed: keep their names and
 * arguments stable across releases. Module state (settings, one client with one token and one
 * connection pool) is shared by all resources in a host process.
 */
import { ConflictError, NotFoundError, type BoostedClient } from "../sdk";
import { KINDS, UNKNOWN, type KindSpec } from "./kinds";
import { clientFromSettings, resolveSettings, type Settings } from "./settings";

type Props = Record<string, unknown>;
type TypeName = KindSpec["type"];

/** The engine's property holding the serialized provider; never ours to validate or output. */
const PROVIDER_KEY = "__provider";

let settings: Settings = resolveSettings({});
let client: BoostedClient | undefined;

function api(): BoostedClient {
  // Built on first use, so a preview of new resources needs no credentials at all.
  client ??= clientFromSettings(settings);
  return client;
}

/**
 * Receives the stack config (`boosted:*` keys) for the default provider, or an explicit
 * `Provider`'s inputs (bare keys). Secrets arrive unwrapped, and stay in this process's memory.
 */
export function configure(req: { config: unknown }): void {
  // The host's Config class keeps the raw key/value map in a field its typings call private;
  // explicit providers' inputs are only reachable there (they have no `project:` prefix).
  const raw = (req.config as { rawConfig?: Record<string, unknown> }).rawConfig ?? {};
  const next = resolveSettings(raw);
  // The host configures once per resource type; keep the client (and its token) when nothing changed.
  if (JSON.stringify(next) !== JSON.stringify(settings)) client = undefined;
  settings = next;
}

// ---------------------------------------------------------------------------------------------
// check
// ---------------------------------------------------------------------------------------------

export interface CheckFailure {
  property: string;
  reason: string;
}

function withoutProvider(props: Props): Props {
  const { [PROVIDER_KEY]: _provider, ...rest } = props;
  return rest;
}

/**
 * Validates and normalises inputs. Never throws for user input and makes no network call;
 * values the engine does not know yet (preview) pass through.
 */
export function check(type: TypeName, olds: Props, news: Props): { inputs: Props; failures: CheckFailure[] } {
  const spec = KINDS[type];
  const given = withoutProvider(news);
  const failures: CheckFailure[] = [];
  const parsed = spec.inputs.safeParse(given);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      if (issue.code === "unrecognized_keys") {
        for (const key of issue.keys) {
          failures.push({
            property: key,
            reason: `${type} has no input "${key}"; check the spelling (see ${type}Args)`,
          });
        }
        continue;
      }
      const property = String(issue.path[0] ?? "");
      // One failure per property: the first is the one to fix (an empty id is not also "not a UUID").
      if (!failures.some((f) => f.property === property))
        failures.push({ property, reason: reasonOf(issue) });
    }
  }

  // Boosted cannot move an object to another parent and has no delete: a replacement would
  // leave the old object (and its access) behind and collide on external ids. Say so instead.
  const parent = spec.parentField;
  if (
    parent &&
    typeof olds[parent] === "string" &&
    typeof given[parent] === "string" &&
    olds[parent] !== UNKNOWN &&
    given[parent] !== UNKNOWN &&
    olds[parent] !== given[parent]
  ) {
    failures.push({
      property: parent,
      reason: parentChangeReason(spec, String(olds[parent]), String(given[parent])),
    });
  }
  if (failures.length > 0) return { inputs: news, failures };
  return { inputs: parsed.data as Props, failures };
}

type Issue = { message: string; code: string; errors?: unknown };

function reasonOf(issue: Issue): string {
  // The "unknown value" wrappers turn failures into union failures (nested, for list items);
  // the value's own message is in the last branch, all the way down.
  if (issue.code === "invalid_union" && Array.isArray(issue.errors)) {
    const branch = (issue.errors as Issue[][]).at(-1)?.[0];
    if (branch) return reasonOf(branch);
  }
  return issue.message;
}

function parentChangeReason(spec: KindSpec, from: string, to: string): string {
  return (
    `${spec.parentField} cannot change from ${from} to ${to}: Boosted cannot move a ${spec.noun} to another ` +
    `${spec.parentNoun}, and a replacement would leave the old ${spec.noun} (and its access) behind, because Boosted ` +
    `has no delete. To migrate, declare a new ${spec.type} in the new ${spec.parentNoun} with a new ${spec.externalIdField}, ` +
    `and remove this one (with onDelete: "revokeEntitlements" to revoke its access).`
  );
}

// ---------------------------------------------------------------------------------------------
// diff
// ---------------------------------------------------------------------------------------------

const OPTION_FIELDS = ["onConflict", "onDelete"] as const;

function sameValue(a: unknown, b: unknown): boolean {
  if (Array.isArray(a) || Array.isArray(b)) {
    const ids = (v: unknown) =>
      new Set((Array.isArray(v) ? v : []).map((e) => (e as { billingFeatureId?: string }).billingFeatureId));
    const x = ids(a);
    const y = ids(b);
    return x.size === y.size && [...x].every((id) => y.has(id));
  }
  return (a ?? null) === (b ?? null);
}

/** The declared fields that differ from the object as it is (olds are prior outputs). */
function changedFields(spec: KindSpec, olds: Props, news: Props): string[] {
  // An input left out is not managed: Boosted has no way to clear a string field (U20).
  return [...spec.apiFields, ...OPTION_FIELDS].filter(
    (f) => news[f] !== undefined && (news[f] === UNKNOWN || !sameValue(olds[f], news[f])),
  );
}

/** No network: compares the checked inputs with the prior outputs. Never a replacement. */
export function diff(
  type: TypeName,
  _id: string,
  olds: Props,
  news: Props,
): { changes: boolean; replaces: string[]; deleteBeforeReplace: boolean } {
  const spec = KINDS[type];
  const parent = spec.parentField;
  if (
    parent &&
    typeof news[parent] === "string" &&
    news[parent] !== UNKNOWN &&
    typeof olds[parent] === "string" &&
    news[parent] !== olds[parent]
  ) {
    throw new Error(parentChangeReason(spec, olds[parent], news[parent]));
  }
  return { changes: changedFields(spec, olds, news).length > 0, replaces: [], deleteBeforeReplace: false };
}

// ---------------------------------------------------------------------------------------------
// create
// ---------------------------------------------------------------------------------------------

/** The resource's outputs: every field Boosted returns, plus the options that steer delete. */
function outputsOf(obj: Props, inputs: Props, adopted: boolean): Props {
  const outs: Props = { ...obj, adopted };
  for (const f of OPTION_FIELDS) outs[f] = inputs[f];
  return outs;
}

function apiFieldsOf(spec: KindSpec, inputs: Props): Props {
  const out: Props = {};
  for (const f of spec.apiFields) if (inputs[f] !== undefined) out[f] = inputs[f];
  return out;
}

/** Error the host turns into ErrorResourceInitFailed: the object exists and enters the state. */
class PartialCreateError extends Error {
  constructor(
    message: string,
    readonly id: string,
    readonly properties: Props,
    readonly reasons: string[],
  ) {
    super(message);
  }
}

export async function create(type: TypeName, inputs: Props): Promise<{ id: string; outs: Props }> {
  const spec = KINDS[type];
  const c = api();
  const adoptId = inputs.adoptId as string | undefined;
  if (adoptId) {
    const existing = await spec.get(c, adoptId);
    if (!existing) {
      throw new Error(
        `adoptId ${adoptId}: no ${spec.noun} with this id exists for your partner account; check the id, or remove adoptId to create a new ${spec.noun}.`,
      );
    }
    return adopt(spec, existing, inputs);
  }

  const fields = apiFieldsOf(spec, inputs);
  if (spec.parentField) fields[spec.parentField] = inputs[spec.parentField];
  try {
    const created = await spec.create(c, fields);
    return { id: created[spec.idField] as string, outs: outputsOf(created, inputs, false) };
  } catch (err) {
    if (!(err instanceof ConflictError)) throw err;
    const externalId = inputs[spec.externalIdField] as string | undefined;
    const existing = externalId ? await spec.getByExternalId(c, externalId) : undefined;
    if (!existing) {
      throw new Error(
        `Creating ${spec.noun} failed: Boosted says it already exists (${err.serverMessage ?? "409 Conflict"}), but no ${spec.noun} ` +
          `has ${spec.externalIdField} ${externalId ? `"${externalId}"` : "(none set)"}` +
          `${type === "User" ? "; another user probably has this email" : ""}. Find the existing ${spec.noun} and set adoptId to its id to manage it.`,
        { cause: err },
      );
    }
    const existingId = existing[spec.idField] as string;
    if (inputs.onConflict !== "adopt") {
      throw new Error(
        `${spec.type} with ${spec.externalIdField} "${externalId}" already exists in Boosted (id ${existingId}). ` +
          `To manage it from this stack, set onConflict: "adopt" (adopts whatever holds this external id) or adoptId: "${existingId}" (adopts exactly this one).`,
        { cause: err },
      );
    }
    return adopt(spec, existing, inputs);
  }
}

/** Brings an existing object under management: same parent only, then PATCH to the declared state. */
async function adopt(spec: KindSpec, existing: Props, inputs: Props): Promise<{ id: string; outs: Props }> {
  const id = existing[spec.idField] as string;
  const parent = spec.parentField;
  if (parent && existing[parent] !== inputs[parent]) {
    throw new Error(
      `Refusing to adopt ${spec.noun} ${id}: it belongs to ${spec.parentNoun} ${String(existing[parent])}, not ${String(inputs[parent])} as declared. ` +
        `Boosted cannot move it; declare it under its own ${spec.parentNoun}, or use another ${spec.externalIdField}.`,
    );
  }
  const patch = apiFieldsOf(spec, inputs);
  for (const f of Object.keys(patch)) if (sameValue(existing[f], patch[f])) delete patch[f];
  if (Object.keys(patch).length === 0) return { id, outs: outputsOf(existing, inputs, true) };
  try {
    const updated = await spec.update(api(), id, patch);
    return { id, outs: outputsOf(updated, inputs, true) };
  } catch (err) {
    // The object exists and is ours now: record it, so the next `up` updates it instead of
    // hitting the conflict again.
    const reason = err instanceof Error ? err.message : String(err);
    throw new PartialCreateError(
      `Adopted ${spec.noun} ${id}, but updating it to the declared state failed: ${reason}. It is recorded in the stack; run \`pulumi up\` again to finish.`,
      id,
      { ...outputsOf(existing, inputs, true), [PROVIDER_KEY]: inputs[PROVIDER_KEY] },
      [reason],
    );
  }
}

// ---------------------------------------------------------------------------------------------
// read, update, delete
// ---------------------------------------------------------------------------------------------

/** For `pulumi refresh`: current values as outputs and as inputs, so drift shows in the next preview. */
export async function read(
  type: TypeName,
  id: string,
  props: Props,
): Promise<{ id: string; props?: Props; inputs?: Props }> {
  const spec = KINDS[type];
  const current = await spec.get(api(), id);
  if (!current) {
    console.warn(
      `warning: ${spec.type} ${id} no longer exists in Boosted; refresh removes it from the stack.`,
    );
    return { id: "" };
  }
  const outs = outputsOf(current, props, Boolean(props.adopted));
  const inputs: Props = {};
  if (spec.parentField) inputs[spec.parentField] = current[spec.parentField];
  for (const f of spec.apiFields) if (current[f] !== null && current[f] !== undefined) inputs[f] = current[f];
  for (const f of OPTION_FIELDS) if (props[f] !== undefined) inputs[f] = props[f];
  return { id, props: outs, inputs };
}

/** PATCH with only the fields that changed. */
export async function update(type: TypeName, id: string, olds: Props, news: Props): Promise<{ outs: Props }> {
  const spec = KINDS[type];
  const patch: Props = {};
  for (const f of changedFields(spec, olds, news)) if (spec.apiFields.includes(f)) patch[f] = news[f];
  let current: Props = withoutProvider(olds);
  if (Object.keys(patch).length > 0) {
    try {
      current = await spec.update(api(), id, patch);
    } catch (err) {
      if (err instanceof NotFoundError) {
        throw new Error(
          `${spec.type} ${id} no longer exists in Boosted. Run \`pulumi refresh\` to drop it from the stack; the next \`pulumi up\` creates it again.`,
          { cause: err },
        );
      }
      throw err;
    }
  }
  return { outs: outputsOf(current, news, Boolean(olds.adopted)) };
}

/**
 * Boosted has no delete: "retain" only forgets the object; "revokeEntitlements" first empties its
 * entitlements so removing it from the stack removes its access. Delete gets only the prior
 * outputs, which is why the options are kept there.
 */
export async function remove(type: TypeName, id: string, props: Props): Promise<void> {
  const spec = KINDS[type];
  const label = `${spec.type} ${id}${props[spec.externalIdField] ? ` (${spec.externalIdField} "${String(props[spec.externalIdField])}")` : ""}`;
  if (props.onDelete === "revokeEntitlements") {
    try {
      await spec.update(api(), id, { entitlements: [] });
    } catch (err) {
      if (!(err instanceof NotFoundError)) throw err;
    }
    console.warn(
      `warning: ${label}: entitlements revoked; it still exists in Boosted (Boosted has no delete) and is no longer managed by this stack.`,
    );
    return;
  }
  console.warn(
    `warning: ${label} still exists in Boosted with its access (Boosted has no delete); it is no longer managed by this stack.`,
  );
}
