/**
 * Development partner credentials for the sandbox: an RSA key pair, a client id and secret.
 * Made fresh unless given, so a sandbox works with no set-up at all.
 */
import { generateKeyPairSync, randomBytes, createPublicKey, createPrivateKey } from "node:crypto";
import type { JWK } from "jose";
import type { SandboxPartner } from "./auth";

/**
 * Everything a client needs to talk to a sandbox (or to Boosted): the same names as the
 * `BoostedClient` options and the `boosted:*` Pulumi config keys.
 */
export interface SandboxCredentials {
  baseUrl: string;
  tokenUrl: string;
  audience: string;
  clientId: string;
  clientSecret: string;
  /** PEM (PKCS#8). */
  privateKey: string;
  keyId: string;
}

/** The partner half of the credentials, without URLs (they depend on the port). */
export type DevPartnerSecrets = Pick<
  SandboxCredentials,
  "clientId" | "clientSecret" | "privateKey" | "keyId"
>;

export function createDevPartnerSecrets(): DevPartnerSecrets {
  const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  return {
    clientId: `dev-partner-${randomBytes(4).toString("hex")}`,
    clientSecret: randomBytes(24).toString("base64url"),
    privateKey: privateKey.export({ type: "pkcs8", format: "pem" }).toString(),
    keyId: `dev-key-${randomBytes(4).toString("hex")}`,
  };
}

/** The public JWK (with `kid`, `alg`, `use`) of a private key given as PEM or JWK JSON. */
export function publicJwkOf(privateKey: string, keyId: string): JWK {
  const text = privateKey.trim();
  const key = text.startsWith("{")
    ? createPrivateKey({ key: JSON.parse(text) as import("node:crypto").JsonWebKey, format: "jwk" })
    : createPrivateKey(text);
  const jwk = createPublicKey(key).export({ format: "jwk" }) as JWK;
  const alg = jwk.kty === "RSA" ? "RS256" : "ES256";
  return { ...jwk, kid: keyId, alg, use: "sig" };
}

export function partnerFromSecrets(secrets: DevPartnerSecrets): SandboxPartner {
  return {
    clientId: secrets.clientId,
    clientSecret: secrets.clientSecret,
    jwks: { keys: [publicJwkOf(secrets.privateKey, secrets.keyId)] },
  };
}
