/**
 * `pulumi-boosted/sandbox`: a local, stateful emulator of Boosted's Account Management API.
 *
 * @example
 * ```ts
 * import { startSandbox } from "pulumi-boosted/sandbox";
 * const sandbox = await startSandbox({ port: 0 });
 * const client = new BoostedClient(sandbox.credentials);
 * // ...
 * await sandbox.stop();
 * ```
 */
import type { AddressInfo } from "node:net";
import { TokenService, type SandboxPartner } from "./auth";
import {
  createDevPartnerSecrets,
  partnerFromSecrets,
  type DevPartnerSecrets,
  type SandboxCredentials,
} from "./dev-credentials";
import { Faults, type FaultConfig } from "./faults";
import {
  buildServer,
  registerAdminRoutes,
  SandboxLog,
  type RequestLogEntry,
  type SandboxControls,
  type SandboxStats,
} from "./server";
import { Store } from "./store";
import { PATHS } from "../sdk/endpoints";

export type { SandboxPartner } from "./auth";
export type { SandboxCredentials, DevPartnerSecrets } from "./dev-credentials";
export { createDevPartnerSecrets, partnerFromSecrets, publicJwkOf } from "./dev-credentials";
export type { FaultConfig, ScriptedFault } from "./faults";
export type { RequestLogEntry, SandboxStats } from "./server";

export interface SandboxOptions {
  /** Port to listen on; 0 picks a free one. @default 0 */
  port?: number;
  /** Address to bind. @default "127.0.0.1" */
  host?: string;
  /** The `aud` the token endpoint requires. @default "boosted-sandbox" */
  audience?: string;
  /** The development partner's secrets; made fresh when omitted. */
  devPartner?: DevPartnerSecrets;
  /** More partner accounts (for isolation tests or your own keys). */
  partners?: SandboxPartner[];
  /** Access-token lifetime in seconds. @default 3600 */
  tokenLifetimeSeconds?: number;
  /** JSON file to load at start and to write, atomically, after every change. */
  stateFile?: string;
  /** Faults to inject from the start. */
  faults?: FaultConfig;
  /** Status for an unknown id (U7). @default 404 */
  notFoundStatus?: 404 | 400;
  /** Status for a PATCH that duplicates an external id or email (U12). @default 409 */
  patchConflictStatus?: 409 | 400;
  /** Keep bodies in the request log (redacted on the token route). @default false */
  recordBodies?: boolean;
  /** Most log entries kept. @default 100000 */
  maxLogEntries?: number;
  /** Serve `/__sandbox/*` admin routes. @default true */
  admin?: boolean;
  /** Called with every request the sandbox logs (the contract test listens here). */
  onRequest?: (entry: RequestLogEntry) => void;
}

/** A running sandbox. */
export interface Sandbox {
  /** Base URL, e.g. `http://127.0.0.1:43117`. */
  url: string;
  port: number;
  /** The development partner's credentials, ready for `new BoostedClient(...)`. */
  credentials: SandboxCredentials;
  /** The request log (newest last). */
  requests(): RequestLogEntry[];
  /** Counters per route and status. */
  stats(): SandboxStats;
  /** Clears the log and counters (and every object with `{ state: true }`). */
  reset(options?: { state?: boolean }): Promise<void>;
  /** Replaces the fault configuration. */
  setFaults(config: FaultConfig): void;
  /** Changes the lifetime of tokens issued from now on. */
  setTokenLifetime(seconds: number): void;
  /** Expires every token issued so far. */
  expireTokens(): void;
  /** Every access token issued and not yet expired-and-seen, for secret scans in tests. */
  issuedTokens(): string[];
  /** The store, for tests that check what Boosted holds. */
  readonly store: Store;
  /** Stops listening and closes connections; waits for the last state write. */
  stop(): Promise<void>;
}

export async function startSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  const host = options.host ?? "127.0.0.1";
  const audience = options.audience ?? "boosted-sandbox";
  const devPartner = options.devPartner ?? createDevPartnerSecrets();
  const store = new Store({
    stateFile: options.stateFile,
    notFoundStatus: options.notFoundStatus ?? 404,
    patchConflictStatus: options.patchConflictStatus ?? 409,
  });
  const tokens = new TokenService(
    {
      audience,
      tokenLifetimeSeconds: options.tokenLifetimeSeconds ?? 3600,
      userExists: (clientId, subject) =>
        Boolean(store.byId(clientId, "user", subject) ?? store.byExternalId(clientId, "user", subject)),
    },
    [partnerFromSecrets(devPartner), ...(options.partners ?? [])],
  );
  const faults = new Faults(options.faults);
  const log = new SandboxLog(options.maxLogEntries ?? 100_000, options.onRequest);
  const app = buildServer({ store, tokens, faults, recordBodies: options.recordBodies ?? false }, log);
  const controls: SandboxControls = {
    requests: () => log.entries,
    stats: () => ({ ...log.stats, tokensIssued: tokens.issued }),
    reset: async (o) => {
      log.reset();
      tokens.issued = 0;
      if (o?.state) await store.clear();
    },
    getFaults: () => faults.get(),
    setFaults: (config) => faults.set(config as FaultConfig),
    expireTokens: () => tokens.expireAll(),
    snapshot: () => store.snapshot(),
  };
  if (options.admin ?? true) registerAdminRoutes(app, controls);
  await app.listen({ port: options.port ?? 0, host });
  const port = (app.server.address() as AddressInfo).port;
  const url = `http://${host}:${port}`;

  return {
    url,
    port,
    credentials: {
      baseUrl: url,
      tokenUrl: `${url}${PATHS.token}`,
      audience,
      // Only the partner's own fields: a caller may pass another sandbox's full credentials.
      clientId: devPartner.clientId,
      clientSecret: devPartner.clientSecret,
      privateKey: devPartner.privateKey,
      keyId: devPartner.keyId,
    },
    requests: controls.requests,
    stats: controls.stats,
    reset: controls.reset,
    setFaults: controls.setFaults,
    setTokenLifetime: (seconds) => tokens.setTokenLifetime(seconds),
    expireTokens: controls.expireTokens,
    issuedTokens: () => tokens.issuedTokens(),
    store,
    stop: async () => {
      // Keep-alive sockets would hold close() open; end them with the server.
      app.server.closeAllConnections();
      await app.close();
      await store.persist();
    },
  };
}
