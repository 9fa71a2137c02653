/**
 * The partner side of Boosted's OAuth 2.0 token exchange (RFC 8693 with an RFC 7523 JWT).
 *
 * The client signs a short-lived JWT with the partner's private key, exchanges it together with
 * the client id and secret for an access token, and caches that token until shortly before it
 * expires. Concurrent callers on a cold cache share one exchange.
 */
import { createPrivateKey, randomUUID, type KeyObject } from "node:crypto";
import { SignJWT } from "jose";
import { AuthenticationError, BoostedError, InvalidInputError, UnexpectedResponseError } from "./errors";
import {
  GRANT_TYPE_TOKEN_EXCHANGE,
  SCOPE_ACCOUNT_MANAGEMENT,
  TOKEN_TYPE_JWT,
  TokenExchangeResponse,
  type TokenExchangeRequest,
} from "./schemas";
import { OPERATIONS } from "./endpoints";
import type { TokenSource, Transport } from "./transport";
import { describeIssues } from "./validate";

/** A private key ready to sign with, and the JWS algorithm its type calls for. */
export interface SigningKey {
  key: KeyObject;
  alg: "RS256" | "ES256";
}

/**
 * Parses a private key given as PEM (PKCS#8 or PKCS#1) or as a JWK JSON string. RSA keys sign
 * RS256 (what Boosted documents); P-256 EC keys sign ES256.
 *
 * Why `node:crypto` rather than jose's importers: it reads PKCS#1 (`BEGIN RSA PRIVATE KEY`,
 * what `openssl genrsa` writes, as in Boosted's guide) as well as PKCS#8 and JWK, and jose signs
 * with the resulting KeyObject.
 */
export function parsePrivateKey(privateKey: string, setting = "privateKey"): SigningKey {
  let key: KeyObject;
  const text = privateKey.trim();
  try {
    key = text.startsWith("{")
      ? createPrivateKey({ key: JSON.parse(text) as import("node:crypto").JsonWebKey, format: "jwk" })
      : createPrivateKey({ key: text, format: "pem" });
  } catch {
    // The parser's own message may quote the input; say only what is wrong and how to fix it.
    throw new InvalidInputError(
      `${setting} is not a readable private key. Give the PEM text (-----BEGIN PRIVATE KEY----- or ` +
        `-----BEGIN RSA PRIVATE KEY-----) or a private JWK as JSON.`,
    );
  }
  if (key.asymmetricKeyType === "rsa") return { key, alg: "RS256" };
  if (key.asymmetricKeyType === "ec" && key.asymmetricKeyDetails?.namedCurve === "prime256v1") {
    return { key, alg: "ES256" };
  }
  throw new InvalidInputError(
    `${setting} is a ${key.asymmetricKeyType ?? "unknown"} key; Boosted verifies RS256 (RSA) signatures, and ES256 (P-256) where enabled.`,
  );
}

export interface TokenManagerOptions {
  clientId: string;
  clientSecret: string;
  signingKey: SigningKey;
  keyId: string;
  audience: string;
  tokenPath: string;
  /** Lifetime of the signed partner JWT, in seconds. */
  assertionLifetimeSeconds: number;
  /** Renew this long before the access token's `expires_in` runs out, in seconds. */
  refreshSkewSeconds: number;
}

/** Token lifetime when the server omits `expires_in` (U19 gives 3600; be conservative). */
const DEFAULT_EXPIRES_IN_SECONDS = 300;

export class TokenManager implements TokenSource {
  // ES private fields: util.inspect and JSON.stringify cannot reach them, so printing a client
  // or a manager never shows the secret, the key or a token.
  #cached?: { token: string; renewAt: number };
  #inflight?: Promise<string>;
  readonly #transport: Transport;
  readonly #options: TokenManagerOptions;
  /** Number of exchanges this manager has made. */
  exchanges = 0;

  constructor(transport: Transport, options: TokenManagerOptions) {
    this.#transport = transport;
    this.#options = options;
  }

  token(): Promise<string> {
    if (this.#cached && Date.now() < this.#cached.renewAt) return Promise.resolve(this.#cached.token);
    // Single flight: every caller that finds the cache cold waits on the same exchange.
    this.#inflight ??= this.exchange().finally(() => {
      this.#inflight = undefined;
    });
    return this.#inflight;
  }

  invalidate(token: string): void {
    if (this.#cached?.token === token) this.#cached = undefined;
  }

  private async exchange(): Promise<string> {
    const o = this.#options;
    const now = Math.floor(Date.now() / 1000);
    const assertion = await new SignJWT({})
      .setProtectedHeader({ alg: o.signingKey.alg, kid: o.keyId, typ: "JWT" })
      .setIssuer(o.clientId)
      .setSubject(o.clientId)
      .setAudience(o.audience)
      .setIssuedAt(now)
      .setExpirationTime(now + o.assertionLifetimeSeconds)
      .setJti(randomUUID())
      .sign(o.signingKey.key);
    const form: TokenExchangeRequest = {
      grant_type: GRANT_TYPE_TOKEN_EXCHANGE,
      subject_token: assertion,
      subject_token_type: TOKEN_TYPE_JWT,
      client_id: o.clientId,
      client_secret: o.clientSecret,
      scope: SCOPE_ACCOUNT_MANAGEMENT,
    };
    this.exchanges++;
    const op = OPERATIONS.tokenExchange;
    const res = await this.#transport
      .send({
        operation: "tokenExchange",
        method: op.method,
        path: o.tokenPath,
        form: { ...form },
        // A token exchange creates nothing a second exchange would collide with.
        retryAmbiguous: true,
      })
      .catch((err: unknown) => {
        // 400 (invalid_grant, invalid_scope…) and 401 (invalid_client) both mean our credentials
        // or settings are wrong: say which settings to check rather than "bad request".
        if (err instanceof BoostedError && (err.status === 400 || err.status === 401)) {
          throw new AuthenticationError(
            "Boosted refused the token exchange",
            err,
            "Check clientId and clientSecret, that privateKey matches the public key registered under keyId, and audience",
          );
        }
        throw err;
      });
    const parsed = TokenExchangeResponse.safeParse(res.data);
    if (!parsed.success) {
      throw new UnexpectedResponseError(
        `the token response is not what the API documents (${describeIssues(parsed.error)})`,
        {
          operation: "tokenExchange",
          method: op.method,
          path: o.tokenPath,
          status: res.status,
          requestId: res.requestId,
        },
      );
    }
    const lifetime = parsed.data.expires_in ?? DEFAULT_EXPIRES_IN_SECONDS;
    // Renew early so that a request started just before expiry does not carry a dead token;
    // for very short lifetimes use a fraction instead of the fixed skew.
    const skew = Math.min(o.refreshSkewSeconds, lifetime / 5);
    this.#cached = { token: parsed.data.access_token, renewAt: Date.now() + (lifetime - skew) * 1000 };
    return parsed.data.access_token;
  }
}
