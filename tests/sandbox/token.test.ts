/**
 * The sandbox's token endpoint verifies what Boosted verifies (API.md U15-U19).
 */
import { createDevPartnerSecrets } from "../../sandbox";
import { PATHS } from "../../sdk";
import { useSandbox } from "../support/sandbox";
import { partnerJwt, raw, tokenForm, type JwtParts } from "../support/http";

const sandbox = useSandbox({ checkRequests: false });
const creds = () => sandbox().credentials;

it("issues an expiring bearer token for a valid exchange (U19)", async () => {
  const res = await raw(creds().tokenUrl, { form: tokenForm(creds(), await partnerJwt(creds())) });
  expect(res.status).toBe(200);
  expect(res.body).toEqual({
    access_token: expect.any(String),
    expires_in: 3600,
    issued_token_type: "urn:ietf:params:oauth:token-type:access_token",
    scope: "account-management",
    token_type: "Bearer",
  });
});

const now = () => Math.floor(Date.now() / 1000);
const grantCases: [string, () => JwtParts, RegExp][] = [
  [
    "a signature by another key",
    () => ({ key: createDevPartnerSecrets().privateKey }),
    /signature does not match/,
  ],
  ["iss other than the client id", () => ({ iss: "someone" }), /claim iss/],
  ["aud other than the configured audience", () => ({ aud: "elsewhere" }), /claim aud/],
  ["an expired JWT", () => ({ iat: now() - 1000, exp: now() - 500 }), /expired/],
  ["iat in the future", () => ({ iat: now() + 600, exp: now() + 900 }), /iat/],
  ["a lifetime over 3600 s", () => ({ exp: now() + 7200 }), /at most 3600/],
  ["an unknown kid", () => ({ kid: "nope" }), /no registered key/],
  ["no exp claim", () => ({ omit: ["exp"] }), /exp/],
  ["no sub claim", () => ({ omit: ["sub"] }), /sub/],
];
it.each(grantCases)("rejects %s with 400 invalid_grant", async (_name, parts, pattern) => {
  const res = await raw(creds().tokenUrl, { form: tokenForm(creds(), await partnerJwt(creds(), parts())) });
  expect(res.status).toBe(400);
  expect(res.body.error).toBe("invalid_grant");
  expect(res.body.error_description).toMatch(pattern);
});

it("accepts an audience array that contains the audience", async () => {
  const res = await raw(creds().tokenUrl, {
    form: tokenForm(creds(), await partnerJwt(creds(), { aud: ["x", creds().audience] })),
  });
  expect(res.status).toBe(200);
});

it("rejects an HS256 JWT (only RS256 and ES256)", async () => {
  const { SignJWT } = await import("jose");
  const jwt = await new SignJWT({ sub: creds().clientId })
    .setProtectedHeader({ alg: "HS256", kid: creds().keyId })
    .setIssuer(creds().clientId)
    .setAudience(creds().audience)
    .setIssuedAt()
    .setExpirationTime("5m")
    .sign(new TextEncoder().encode(creds().clientSecret));
  const res = await raw(creds().tokenUrl, { form: tokenForm(creds(), jwt) });
  expect(res.status).toBe(400);
  expect(res.body.error).toBe("invalid_grant");
});

it("rejects wrong client credentials with 401 invalid_client", async () => {
  const jwt = await partnerJwt(creds());
  for (const extra of [{ client_secret: "wrong" }, { client_id: "unknown-partner" }] as Record<
    string,
    string
  >[]) {
    const res = await raw(creds().tokenUrl, { form: tokenForm(creds(), jwt, extra) });
    expect(res.status).toBe(401);
    expect(res.body.error).toBe("invalid_client");
  }
});

it("rejects a wrong grant type, token type or a missing field with 400 invalid_request", async () => {
  const jwt = await partnerJwt(creds());
  for (const extra of [
    { grant_type: "client_credentials" },
    { subject_token_type: "urn:ietf:params:oauth:token-type:access_token" },
    { subject_token: "" },
  ] as Record<string, string>[]) {
    const res = await raw(creds().tokenUrl, { form: tokenForm(creds(), jwt, extra) });
    expect(res.status).toBe(400);
    expect(res.body.error).toBe("invalid_request");
  }
});

it("rejects a scope the partner may not have, and account-management for a user subject (U18)", async () => {
  const res = await raw(creds().tokenUrl, {
    form: tokenForm(creds(), await partnerJwt(creds()), { scope: "admin" }),
  });
  expect(res.status).toBe(400);
  expect(res.body.error).toBe("invalid_scope");
  const userJwt = await partnerJwt(creds(), { sub: "some-user" });
  const res2 = await raw(creds().tokenUrl, { form: tokenForm(creds(), userJwt) });
  expect(res2.body).toEqual({
    error: "invalid_scope",
    error_description: "account-management tokens need sub = client_id",
  });
});

it("enforces issued tokens on the account-management API with 403 (U14)", async () => {
  const url = `${sandbox().url}${PATHS.workspace}?external_workspace_id=x`;
  expect((await raw(url)).status).toBe(403);
  expect((await raw(url)).body.detail).toBe("Not authenticated");
  expect((await raw(url, { headers: { authorization: "Bearer made-up" } })).body.detail).toBe(
    "Invalid token",
  );
  const token = (await raw(creds().tokenUrl, { form: tokenForm(creds(), await partnerJwt(creds())) })).body
    .access_token as string;
  expect((await raw(url, { headers: { authorization: `Bearer ${token}` } })).status).toBe(404);
  sandbox().expireTokens();
  const expired = await raw(url, { headers: { authorization: `Bearer ${token}` } });
  expect(expired.status).toBe(403);
  expect(expired.body.detail).toBe("Token expired");
});
