/**
 * Token exchange: what the client signs and sends, caching, single flight, re-exchange.
 */
import { generateKeyPairSync } from "node:crypto";
import Fastify from "fastify";
import { decodeJwt, decodeProtectedHeader } from "jose";
import { AuthenticationError, BoostedClient, PATHS } from "../../sdk";
import { createDevPartnerSecrets, partnerFromSecrets } from "../../sandbox";
import { useSandbox } from "../support/sandbox";

const ecSecrets = (() => {
  const { privateKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
  return { ...createDevPartnerSecrets(), privateKey: JSON.stringify(privateKey.export({ format: "jwk" })) };
})();
const sandbox = useSandbox({
  partners: [partnerFromSecrets(ecSecrets)],
});
const exchanges = () =>
  sandbox()
    .requests()
    .filter((r) => r.path === PATHS.token).length;

beforeEach(() => sandbox().reset());

it("signs the partner JWT and sends the RFC 8693 form Boosted documents", async () => {
  const forms: Record<string, string>[] = [];
  // A real relay in front of the sandbox's token endpoint, to see what the client sends.
  const relay = Fastify();
  relay.addContentTypeParser(
    "application/x-www-form-urlencoded",
    { parseAs: "string" },
    (req, body, done) => {
      forms.push({
        ...Object.fromEntries(new URLSearchParams(body as string)),
        contentType: req.headers["content-type"] ?? "",
      });
      done(null, body);
    },
  );
  relay.post("/token", async (request, reply) => {
    const res = await fetch(sandbox().credentials.tokenUrl, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: request.body as string,
    });
    return reply.code(res.status).send(await res.json());
  });
  await relay.listen({ port: 0, host: "127.0.0.1" });
  try {
    const c = sandbox().credentials;
    const tokenUrl = `http://127.0.0.1:${(relay.server.address() as { port: number }).port}/token`;
    const client = new BoostedClient({ ...c, tokenUrl });
    await client.tryGetWorkspace({ externalWorkspaceId: "none" });
    expect(forms).toHaveLength(1);
    const form = forms[0]!;
    expect(form).toEqual({
      grant_type: "urn:ietf:params:oauth:grant-type:token-exchange",
      subject_token: expect.any(String),
      subject_token_type: "urn:ietf:params:oauth:token-type:jwt",
      client_id: c.clientId,
      client_secret: c.clientSecret,
      scope: "account-management",
      contentType: "application/x-www-form-urlencoded",
    });
    expect(decodeProtectedHeader(form.subject_token!)).toEqual({ alg: "RS256", kid: c.keyId, typ: "JWT" });
    const claims = decodeJwt(form.subject_token!);
    expect(claims).toEqual({
      iss: c.clientId,
      sub: c.clientId,
      aud: c.audience,
      iat: expect.any(Number),
      exp: claims.iat! + 300,
      jti: expect.stringMatching(/^[0-9a-f-]{36}$/),
    });
    expect(Math.abs(claims.iat! - Date.now() / 1000)).toBeLessThan(5);
  } finally {
    await relay.close();
  }
});

it("makes exactly one exchange for 64 concurrent calls on a cold cache", async () => {
  const client = new BoostedClient(sandbox().credentials);
  const results = await Promise.all(
    Array.from({ length: 64 }, (_, i) => client.tryGetWorkspace({ externalWorkspaceId: `ws-${i}` })),
  );
  expect(results.every((r) => r === undefined)).toBe(true);
  expect(exchanges()).toBe(1);
  expect(client.tokenExchanges).toBe(1);
  expect(sandbox().stats().byRoute[`GET ${PATHS.workspace}`]).toEqual({ "404": 64 });
});

it("reuses the cached token, and re-exchanges once and retries when the server says it expired", async () => {
  const client = new BoostedClient(sandbox().credentials);
  await client.tryGetOrganization({ externalOrgId: "a" });
  await client.tryGetOrganization({ externalOrgId: "b" });
  expect(exchanges()).toBe(1);

  sandbox().expireTokens();
  await expect(client.tryGetOrganization({ externalOrgId: "c" })).resolves.toBeUndefined();
  expect(exchanges()).toBe(2);
  const gets = sandbox()
    .requests()
    .filter((r) => r.path === PATHS.organization)
    .map((r) => r.status);
  expect(gets).toEqual([404, 404, 403, 404]);
});

it("renews a short-lived token before it runs out instead of waiting for a refusal", async () => {
  sandbox().setTokenLifetime(2);
  try {
    const client = new BoostedClient(sandbox().credentials);
    await client.tryGetUser({ externalUserId: "x" });
    await new Promise((r) => setTimeout(r, 1700));
    await client.tryGetUser({ externalUserId: "y" });
    expect(exchanges()).toBe(2);
    expect(
      sandbox()
        .requests()
        .filter((r) => r.status === 403),
    ).toEqual([]);
  } finally {
    sandbox().setTokenLifetime(3600);
  }
});

it("signs ES256 with a P-256 key given as a JWK, and reads PKCS#1 PEM keys", async () => {
  const c = sandbox().credentials;
  const ec = new BoostedClient({ ...c, ...ecSecrets });
  await expect(ec.tryGetWorkspace({ externalWorkspaceId: "none" })).resolves.toBeUndefined();

  const { createPrivateKey } = await import("node:crypto");
  const pkcs1 = createPrivateKey(c.privateKey).export({ type: "pkcs1", format: "pem" }).toString();
  expect(pkcs1).toContain("BEGIN RSA PRIVATE KEY");
  const rsa = new BoostedClient({ ...c, privateKey: pkcs1 });
  await expect(rsa.tryGetWorkspace({ externalWorkspaceId: "none" })).resolves.toBeUndefined();
});

describe("refused exchanges are AuthenticationErrors that say what to check", () => {
  const cases: [string, (c: ReturnType<typeof sandbox>["credentials"]) => object, RegExp][] = [
    ["wrong client secret", () => ({ clientSecret: "wrong-secret" }), /status 401.*invalid_client/],
    [
      "a key that is not the registered one",
      () => ({ privateKey: createDevPartnerSecrets().privateKey }),
      /signature does not match/,
    ],
    ["wrong audience", () => ({ audience: "someone-else" }), /claim aud/],
    ["unknown key id", () => ({ keyId: "not-registered" }), /no registered key matches/],
    ["unknown client id", () => ({ clientId: "nobody" }), /invalid_client/],
  ];
  it.each(cases)("%s", async (_name, change, pattern) => {
    const client = new BoostedClient({ ...sandbox().credentials, ...change(sandbox().credentials) });
    const err = await client.tryGetWorkspace({ externalWorkspaceId: "x" }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AuthenticationError);
    expect((err as Error).message).toMatch(pattern);
    expect((err as Error).message).toContain("Check clientId and clientSecret");
    // Nothing reached the account-management API.
    expect(
      sandbox()
        .requests()
        .filter((r) => r.path !== PATHS.token),
    ).toEqual([]);
  });
});
