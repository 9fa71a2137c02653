/**
 * The sandbox's side of the token exchange: it really verifies what Boosted verifies (U15-U19)
 * and issues expiring opaque bearer tokens that the account-management routes enforce (U14).
 */
import { randomBytes, timingSafeEqual, createHash } from "node:crypto";
import { createLocalJWKSet, jwtVerify, errors as joseErrors, type JSONWebKeySet } from "jose";
import {
  GRANT_TYPE_TOKEN_EXCHANGE,
  SCOPE_ACCOUNT_MANAGEMENT,
  TOKEN_TYPE_ACCESS_TOKEN,
  TOKEN_TYPE_JWT,
} from "../sdk/schemas";
import { SandboxHttpError, problem } from "./store";

/** A partner account as Boosted sets it up: credentials, registered public keys, scopes. */
export interface SandboxPartner {
  clientId: string;
  clientSecret: string;
  /** The partner's registered JWKS (public keys). */
  jwks: JSONWebKeySet;
  /** Scopes this partner may ask for. @default ["account-management", "thread"] */
  scopes?: string[];
}

interface IssuedToken {
  clientId: string;
  subject: string;
  scopes: string[];
  expiresAt: number;
}

function oauthError(status: number, error: string, description: string): SandboxHttpError {
  return new SandboxHttpError(status, { error, error_description: description });
}

/** Compares secrets in constant time (hashing first evens out the lengths). */
function secretEquals(a: string, b: string): boolean {
  const ha = createHash("sha256").update(a).digest();
  const hb = createHash("sha256").update(b).digest();
  return timingSafeEqual(ha, hb);
}

export interface TokenServiceOptions {
  audience: string;
  /** Access-token lifetime in seconds. @default 3600 */
  tokenLifetimeSeconds: number;
  /** Resolves an end-user subject (thread tokens, U17). */
  userExists: (clientId: string, subject: string) => boolean;
}

export class TokenService {
  private readonly partners = new Map<
    string,
    SandboxPartner & { keySet: ReturnType<typeof createLocalJWKSet> }
  >();
  private readonly tokens = new Map<string, IssuedToken>();
  /** Exchanges granted, for the admin stats. */
  issued = 0;

  constructor(
    private options: TokenServiceOptions,
    partners: SandboxPartner[],
  ) {
    for (const p of partners) this.partners.set(p.clientId, { ...p, keySet: createLocalJWKSet(p.jwks) });
  }

  setTokenLifetime(seconds: number): void {
    this.options = { ...this.options, tokenLifetimeSeconds: seconds };
  }

  /** Every access token issued so far (for tests that scan output for leaked secrets). */
  issuedTokens(): string[] {
    return [...this.tokens.keys()];
  }

  /** Makes every issued token expired (admin route), as if time had passed. */
  expireAll(): void {
    for (const t of this.tokens.values()) t.expiresAt = 0;
  }

  /** POST /oauth2/token */
  async exchange(form: Record<string, unknown>): Promise<Record<string, unknown>> {
    const field = (name: string): string => {
      const v = form[name];
      if (typeof v !== "string" || v === "") throw oauthError(400, "invalid_request", `${name} is required`);
      return v;
    };
    const grantType = field("grant_type");
    const subjectToken = field("subject_token");
    const subjectTokenType = field("subject_token_type");
    const clientId = field("client_id");
    const clientSecret = field("client_secret");
    if (grantType !== GRANT_TYPE_TOKEN_EXCHANGE)
      throw oauthError(400, "invalid_request", `grant_type must be ${GRANT_TYPE_TOKEN_EXCHANGE}`);
    if (subjectTokenType !== TOKEN_TYPE_JWT)
      throw oauthError(400, "invalid_request", `subject_token_type must be ${TOKEN_TYPE_JWT}`);

    const partner = this.partners.get(clientId);
    if (!partner || !secretEquals(clientSecret, partner.clientSecret)) {
      throw oauthError(401, "invalid_client", "client authentication failed");
    }

    let payload;
    try {
      ({ payload } = await jwtVerify(subjectToken, partner.keySet, {
        algorithms: ["RS256", "ES256"],
        issuer: clientId,
        audience: this.options.audience,
        clockTolerance: 60,
        requiredClaims: ["iss", "sub", "aud", "exp", "iat"],
      }));
    } catch (err) {
      throw oauthError(400, "invalid_grant", describeJoseError(err));
    }
    const now = Math.floor(Date.now() / 1000);
    if (payload.iat! > now + 60) throw oauthError(400, "invalid_grant", "iat is in the future");
    if (payload.exp! - payload.iat! > 3600)
      throw oauthError(400, "invalid_grant", "the JWT may live at most 3600 s (exp - iat)");
    const subject = payload.sub!;
    if (!subject) throw oauthError(400, "invalid_grant", "sub is required");

    const management = subject === clientId;
    const requested =
      typeof form.scope === "string" && form.scope.trim()
        ? form.scope.trim().split(/\s+/)
        : [management ? SCOPE_ACCOUNT_MANAGEMENT : "thread"];
    const allowed = partner.scopes ?? [SCOPE_ACCOUNT_MANAGEMENT, "thread"];
    for (const scope of requested) {
      if (!allowed.includes(scope))
        throw oauthError(400, "invalid_scope", `scope "${scope}" is not allowed for this partner`);
      if (scope === SCOPE_ACCOUNT_MANAGEMENT && !management) {
        throw oauthError(400, "invalid_scope", "account-management tokens need sub = client_id");
      }
    }
    if (!management && !this.options.userExists(clientId, subject)) {
      throw oauthError(400, "invalid_grant", "sub does not name a user of this partner");
    }

    const token = randomBytes(32).toString("base64url");
    const lifetime = this.options.tokenLifetimeSeconds;
    this.tokens.set(token, { clientId, subject, scopes: requested, expiresAt: Date.now() + lifetime * 1000 });
    this.issued++;
    return {
      access_token: token,
      expires_in: lifetime,
      issued_token_type: TOKEN_TYPE_ACCESS_TOKEN,
      scope: requested.join(" "),
      token_type: "Bearer",
    };
  }

  /** Checks the bearer token of an account-management request; returns the partner's client id. */
  authorize(header: string | undefined): string {
    const match = /^Bearer\s+(\S+)$/i.exec(header ?? "");
    if (!match) throw problem(403, "Not authenticated");
    const token = this.tokens.get(match[1]!);
    if (!token) throw problem(403, "Invalid token");
    if (Date.now() >= token.expiresAt) throw problem(403, "Token expired");
    if (!token.scopes.includes(SCOPE_ACCOUNT_MANAGEMENT))
      throw problem(403, "Token lacks the account-management scope");
    return token.clientId;
  }
}

function describeJoseError(err: unknown): string {
  if (err instanceof joseErrors.JWTExpired) return "the JWT has expired";
  if (err instanceof joseErrors.JWTClaimValidationFailed)
    return `JWT claim ${err.claim} is invalid (${err.reason})`;
  if (err instanceof joseErrors.JWSSignatureVerificationFailed)
    return "the JWT signature does not match the registered public key";
  if (err instanceof joseErrors.JWKSNoMatchingKey)
    return "no registered key matches the JWT's kid and algorithm";
  if (err instanceof joseErrors.JOSEAlgNotAllowed)
    return "the JWT's algorithm is not accepted (RS256 or ES256)";
  if (err instanceof joseErrors.JWSInvalid || err instanceof joseErrors.JWTInvalid)
    return "the subject_token is not a valid JWT";
  return "the JWT could not be verified";
}
