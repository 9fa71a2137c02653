/**
 * Lookups of existing Boosted objects from a Pulumi program: `getWorkspace` (a Promise) and
 * `getWorkspaceOutput` (an Output, for inputs that are themselves Outputs), and the same for
 * organizations and users, following Pulumi's invoke conventions.
 *
 * They run in the program, not in the provider host (dynamic providers have no invokes), with
 * the settings of the `provider` in the options, or else the stack config and `BOOSTED_*`.
 */
import * as pulumi from "@pulumi/pulumi";
import {
  NotFoundError,
  type BoostedClient,
  type Organization as OrganizationData,
  type User as UserData,
  type Workspace as WorkspaceData,
} from "../sdk";
import { Provider } from "./resources";
import { clientFromSettings, resolveSettings, SETTINGS, type Settings } from "./settings";

export type GetOrganizationResult = OrganizationData;
export type GetWorkspaceResult = WorkspaceData;
export type GetUserResult = UserData;

/** By Boosted id or by external id: exactly one. */
export type GetOrganizationArgs =
  { orgId: string; externalOrgId?: undefined } | { externalOrgId: string; orgId?: undefined };
export type GetWorkspaceArgs =
  | { workspaceId: string; externalWorkspaceId?: undefined }
  | { externalWorkspaceId: string; workspaceId?: undefined };
export type GetUserArgs =
  { userId: string; externalUserId?: undefined } | { externalUserId: string; userId?: undefined };

type OutputArgs<T> = { [K in keyof T]: pulumi.Input<NonNullable<T[K]>> };

const clients = new Map<string, BoostedClient>();

/** One client per distinct settings, so lookups share tokens and connections. */
function clientFor(settings: Settings): BoostedClient {
  const key = JSON.stringify(settings);
  let c = clients.get(key);
  if (!c) {
    c = clientFromSettings(settings);
    clients.set(key, c);
  }
  return c;
}

function stackSettings(): Settings {
  const raw: Record<string, unknown> = {};
  // The runtime's raw reader: pulumi.Config#get warns when it reads a secret key.
  for (const s of Object.values(SETTINGS)) raw[s.configKey] = pulumi.runtime.getConfig(s.configKey);
  return resolveSettings(raw);
}

function settingsOf(opts?: pulumi.InvokeOptions): pulumi.Output<Settings> {
  const provider = opts?.provider;
  if (provider instanceof Provider) return provider.settings.apply((s) => resolveSettings(s));
  return pulumi.output(stackSettings());
}

/** The settings as plain values; an explicit provider's inputs may be Outputs (secrets). */
async function plainSettings(what: string, opts?: pulumi.InvokeOptions): Promise<Settings> {
  if (!(opts?.provider instanceof Provider)) return stackSettings();
  const settings = opts.provider.settings;
  return new Promise<Settings>((resolve, reject) => {
    // An input that is unknown (during preview) never resolves: fail instead of waiting forever.
    const timer = setTimeout(
      () =>
        reject(new Error(`${what} lookup: the provider's settings are not known yet; use the Output form`)),
      10_000,
    );
    timer.unref();
    settings.apply((s) => {
      clearTimeout(timer);
      resolve(resolveSettings(s));
      return s;
    });
  });
}

function lookup<A, R>(what: string, fn: (c: BoostedClient, args: A) => Promise<R | undefined>) {
  const run = async (settings: Settings, args: A): Promise<R> => {
    const found = await fn(clientFor(settings), args);
    if (found === undefined)
      throw new NotFoundError(`no ${what} matches ${JSON.stringify(args)}`, {
        operation: `get${what[0]!.toUpperCase()}${what.slice(1)}`,
      });
    return found;
  };
  const output = (args: OutputArgs<A>, opts?: pulumi.InvokeOptions): pulumi.Output<R> =>
    pulumi.all([settingsOf(opts), pulumi.output(args)]).apply(([s, a]) => run(s, a as A));
  const promise = async (args: A, opts?: pulumi.InvokeOptions): Promise<R> =>
    run(await plainSettings(what, opts), args);
  return { promise, output };
}

const org = lookup<GetOrganizationArgs, GetOrganizationResult>("organization", (c, a) =>
  c.tryGetOrganization(a.orgId ? { orgId: a.orgId } : { externalOrgId: a.externalOrgId! }),
);
const ws = lookup<GetWorkspaceArgs, GetWorkspaceResult>("workspace", (c, a) =>
  c.tryGetWorkspace(
    a.workspaceId ? { workspaceId: a.workspaceId } : { externalWorkspaceId: a.externalWorkspaceId! },
  ),
);
const user = lookup<GetUserArgs, GetUserResult>("user", (c, a) =>
  c.tryGetUser(a.userId ? { userId: a.userId } : { externalUserId: a.externalUserId! }),
);

/** Reads an existing organization by `orgId` or `externalOrgId`; fails when there is none. */
export const getOrganization = org.promise;
/** {@link getOrganization} for Output arguments. */
export const getOrganizationOutput = org.output;
/** Reads an existing workspace by `workspaceId` or `externalWorkspaceId`; fails when there is none. */
export const getWorkspace = ws.promise;
/** {@link getWorkspace} for Output arguments. */
export const getWorkspaceOutput = ws.output;
/** Reads an existing user by `userId` or `externalUserId`; fails when there is none. */
export const getUser = user.promise;
/** {@link getUser} for Output arguments. */
export const getUserOutput = user.output;
