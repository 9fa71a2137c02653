/**
 * A sandbox plus a dynamic-provider host configured for it, as one test fixture.
 */
import { ProviderHost, providerStrings, secret, type ResourceType } from "./providers";
import { useSandbox } from "./sandbox";
import type { SandboxCredentials } from "../../sandbox";
import { SETTINGS, type SettingName } from "../../provider/settings";

type Props = Record<string, any>;

/** Stack config for a sandbox, the way `pulumi config set [--secret] boosted:…` stores it. */
export function stackConfig(c: SandboxCredentials): Props {
  return {
    "boosted:baseUrl": c.baseUrl,
    "boosted:audience": c.audience,
    "boosted:clientId": c.clientId,
    "boosted:keyId": c.keyId,
    "boosted:clientSecret": secret(c.clientSecret),
    "boosted:privateKey": secret(c.privateKey),
  };
}

/** The same credentials as `BOOSTED_*` environment variables. */
export function credentialsEnv(c: SandboxCredentials): Record<string, string> {
  const names = (Object.keys(SETTINGS) as SettingName[]).filter(
    (k): k is keyof SandboxCredentials & SettingName => k in c,
  );
  return Object.fromEntries(names.map((k) => [SETTINGS[k].envVar, c[k]]));
}

export function useHost() {
  const sandbox = useSandbox();
  const state: { host?: ProviderHost } = {};
  beforeAll(async () => {
    state.host = await ProviderHost.start({ env: {} });
    await state.host.configure(stackConfig(sandbox().credentials));
  });
  afterAll(async () => {
    await state.host?.stop();
  });
  const host = () => state.host!;

  /** Check then create, as `pulumi up` does for a new resource; returns id and outputs. */
  async function up(type: ResourceType, args: Props): Promise<{ id: string; outs: Props; inputs: Props }> {
    const checked = await host().check(type, {}, { __provider: providerStrings()[type][0], ...args });
    if (checked.failures.length) throw new Error(`check failed: ${JSON.stringify(checked.failures)}`);
    const created = await host().create(type, checked.inputs);
    return { id: created.id, outs: created.properties, inputs: checked.inputs };
  }

  /** Check (olds = prior inputs) then diff (olds = prior outputs), as a preview of a change does. */
  async function plan(type: ResourceType, prior: { id: string; outs: Props; inputs: Props }, args: Props) {
    const checked = await host().check(type, prior.inputs, {
      __provider: providerStrings()[type][0],
      ...args,
    });
    const diff = checked.failures.length
      ? undefined
      : await host().diff(type, prior.id, prior.outs, checked.inputs);
    return { checked, diff };
  }

  /** Requests the sandbox received while `fn` ran. */
  async function requestsDuring(fn: () => Promise<unknown>) {
    const before = sandbox().requests().length;
    await fn();
    return sandbox()
      .requests()
      .slice(before)
      .map((r) => `${r.method} ${r.path.replace("/v2/account-management", "")} ${r.status}`);
  }

  return { sandbox, host, up, plan, requestsDuring };
}
