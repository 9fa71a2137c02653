/**
 * Raw HTTP helpers for tests that speak to the sandbox below the SDK (to send what the SDK
 * never would). Uses Node's own fetch: a real request over loopback, no mocking.
 */
import { randomUUID } from "node:crypto";
import { createPrivateKey } from "node:crypto";
import { SignJWT } from "jose";
import type { SandboxCredentials } from "../../sandbox";

export interface RawResponse {
  status: number;
  body: any;
  headers: Headers;
}

export async function raw(
  url: string,
  init: {
    method?: string;
    json?: unknown;
    form?: Record<string, string>;
    headers?: Record<string, string>;
    body?: string;
  } = {},
): Promise<RawResponse> {
  const headers: Record<string, string> = { ...init.headers };
  let body = init.body;
  if (init.json !== undefined) {
    headers["content-type"] = "application/json";
    body = JSON.stringify(init.json);
  }
  if (init.form) {
    headers["content-type"] = "application/x-www-form-urlencoded";
    body = new URLSearchParams(init.form).toString();
  }
  const res = await fetch(url, { method: init.method ?? (body ? "POST" : "GET"), headers, body });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // not JSON: keep the text
  }
  return { status: res.status, body: parsed, headers: res.headers };
}

/** Claims and header of a partner JWT, each overridable to test one failure at a time. */
export interface JwtParts {
  iss?: string;
  sub?: string;
  aud?: string | string[];
  iat?: number;
  exp?: number;
  kid?: string;
  alg?: string;
  key?: string;
  omit?: ("iss" | "sub" | "aud" | "iat" | "exp")[];
}

export async function partnerJwt(c: SandboxCredentials, parts: JwtParts = {}): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  const claims: Record<string, unknown> = {
    iss: parts.iss ?? c.clientId,
    sub: parts.sub ?? c.clientId,
    aud: parts.aud ?? c.audience,
    iat: parts.iat ?? now,
    exp: parts.exp ?? now + 300,
    jti: randomUUID(),
  };
  for (const k of parts.omit ?? []) delete claims[k];
  return new SignJWT(claims)
    .setProtectedHeader({ alg: parts.alg ?? "RS256", kid: parts.kid ?? c.keyId })
    .sign(createPrivateKey(parts.key ?? c.privateKey));
}

export function tokenForm(
  c: SandboxCredentials,
  jwt: string,
  extra: Record<string, string> = {},
): Record<string, string> {
  return {
    grant_type: "urn:ietf:params:oauth:grant-type:token-exchange",
    subject_token: jwt,
    subject_token_type: "urn:ietf:params:oauth:token-type:jwt",
    client_id: c.clientId,
    client_secret: c.clientSecret,
    scope: "account-management",
    ...extra,
  };
}

/** A management access token for the sandbox's dev partner, by the raw protocol. */
export async function managementToken(c: SandboxCredentials): Promise<string> {
  const res = await raw(c.tokenUrl, { form: tokenForm(c, await partnerJwt(c)) });
  if (res.status !== 200) throw new Error(`token exchange failed: ${res.status}`);
  return res.body.access_token as string;
}
