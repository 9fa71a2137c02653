/**
 * Where credentials come from (stack config, an explicit Provider, the environment), what a
 * missing one says, and that no secret reaches a gRPC response, the host's output or state.
 */
import { BoostedClient } from "../../sdk";
import { createDevPartnerSecrets, partnerFromSecrets } from "../../sandbox";
import { SETTINGS } from "../../provider/settings";
import { ProviderHost, providerStrings, secret } from "../support/providers";
import { credentialsEnv, stackConfig } from "../support/host-fixture";
import { useSandbox } from "../support/sandbox";

const second = createDevPartnerSecrets();
const sandbox = useSandbox({
  partners: [partnerFromSecrets(second)],
});
const hosts: ProviderHost[] = [];
afterAll(() => Promise.all(hosts.map((h) => h.stop())));
async function startHost(env: Record<string, string> = {}) {
  const h = await ProviderHost.start({ env });
  hosts.push(h);
  return h;
}
const orgArgs = (name: string) => ({
  __provider: providerStrings().Organization[0],
  name,
  externalOrgId: name,
});

it("pins the setting → config key → environment variable table", () => {
  expect(
    Object.fromEntries(Object.entries(SETTINGS).map(([k, v]) => [k, [v.configKey, v.envVar, v.secret]])),
  ).toEqual({
    baseUrl: ["boosted:baseUrl", "BOOSTED_BASE_URL", false],
    tokenUrl: ["boosted:tokenUrl", "BOOSTED_TOKEN_URL", false],
    audience: ["boosted:audience", "BOOSTED_AUDIENCE", false],
    clientId: ["boosted:clientId", "BOOSTED_CLIENT_ID", false],
    clientSecret: ["boosted:clientSecret", "BOOSTED_CLIENT_SECRET", true],
    privateKey: ["boosted:privateKey", "BOOSTED_PRIVATE_KEY", true],
    keyId: ["boosted:keyId", "BOOSTED_KEY_ID", false],
    timeoutMs: ["boosted:timeoutMs", "BOOSTED_TIMEOUT_MS", false],
  });
});

it("previews without credentials, and names each missing config key and variable at the first API call", async () => {
  const host = await startHost();
  await host.configure({ "boosted:baseUrl": sandbox().url });
  const checked = await host.check("Organization", {}, orgArgs("no-creds"));
  expect(checked.failures).toEqual([]);
  const before = sandbox().requests().length;
  const err = await host.create("Organization", checked.inputs).catch((e: unknown) => e);
  expect((err as Error).message).toContain(
    "Boosted credentials are missing: boosted:audience (or BOOSTED_AUDIENCE), boosted:clientId (or BOOSTED_CLIENT_ID), " +
      "boosted:clientSecret (or BOOSTED_CLIENT_SECRET), boosted:privateKey (or BOOSTED_PRIVATE_KEY), boosted:keyId (or BOOSTED_KEY_ID)",
  );
  expect(sandbox().requests().length).toBe(before);
});

it("names the config key of a malformed setting", async () => {
  const host = await startHost();
  await host.configure({ ...stackConfig(sandbox().credentials), "boosted:privateKey": secret("not a key") });
  const checked = await host.check("Organization", {}, orgArgs("bad-key"));
  const err = await host.create("Organization", checked.inputs).catch((e: unknown) => e);
  expect((err as Error).message).toContain(
    "boosted:privateKey (BOOSTED_PRIVATE_KEY) is not a readable private key",
  );
});

it("falls back to BOOSTED_* environment variables", async () => {
  const c = sandbox().credentials;
  const host = await startHost(credentialsEnv(c));
  await host.configure({});
  const checked = await host.check("Organization", {}, orgArgs("from-env"));
  const created = await host.create("Organization", checked.inputs);
  await expect(new BoostedClient(c).getOrganization({ orgId: created.id })).resolves.toMatchObject({
    name: "from-env",
  });
});

it("an explicit Provider's inputs configure its own host, for another partner account", async () => {
  const c = sandbox().credentials;
  const host = await startHost();
  // What the engine sends Configure for `new boosted.Provider("eu", {...})`: the inputs, secrets marked.
  await host.configure({
    baseUrl: c.baseUrl,
    audience: c.audience,
    clientId: second.clientId,
    keyId: second.keyId,
    clientSecret: secret(second.clientSecret),
    privateKey: secret(second.privateKey),
  });
  const checked = await host.check("Organization", {}, orgArgs("second-partner"));
  const created = await host.create("Organization", checked.inputs);
  const mine = new BoostedClient(c);
  const theirs = new BoostedClient({ ...c, ...second });
  await expect(theirs.getOrganization({ orgId: created.id })).resolves.toMatchObject({
    name: "second-partner",
  });
  await expect(mine.tryGetOrganization({ orgId: created.id })).resolves.toBeUndefined();
});

it("keeps every secret out of gRPC responses, outputs and the host's output through a whole journey", async () => {
  const c = sandbox().credentials;
  const host = await startHost();
  await host.configure(stackConfig(c));
  const ws = async () => {
    const org = await host.create(
      "Organization",
      (await host.check("Organization", {}, orgArgs("scan"))).inputs,
    );
    const news = {
      __provider: providerStrings().Workspace[0],
      orgId: org.id,
      name: "Scan",
      externalWorkspaceId: "scan-ws",
    };
    const checked = await host.check("Workspace", {}, news);
    const created = await host.create("Workspace", checked.inputs);
    const changed = (await host.check("Workspace", checked.inputs, { ...news, name: "Scan 2" })).inputs;
    await host.diff("Workspace", created.id, created.properties, changed);
    const outs = await host.update("Workspace", created.id, created.properties, changed);
    await host.read("Workspace", created.id, outs);
    await host.create("Workspace", checked.inputs).catch(() => undefined); // 409
    sandbox().expireTokens(); // forces a re-exchange mid-journey
    await host.delete("Workspace", created.id, { ...outs, onDelete: "revokeEntitlements" });
  };
  await ws();
  const tokens = sandbox().issuedTokens();
  expect(tokens.length).toBeGreaterThanOrEqual(2);
  const keyLines = c.privateKey.split("\n").filter((l) => l && !l.startsWith("-----"));
  const secrets = [c.clientSecret, ...tokens, ...keyLines];
  const everything = [...host.wire.filter((w) => !w.includes('"method":"configure"')), host.output].join(
    "\n",
  );
  expect(everything.length).toBeGreaterThan(1000);
  for (const s of secrets) expect(everything).not.toContain(s);
  expect(everything).not.toMatch(/eyJ[A-Za-z0-9_-]{10,}\./); // no JWT
  expect(everything).not.toMatch(/bearer /i);
});
