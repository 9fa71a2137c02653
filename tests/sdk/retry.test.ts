/**
 * Every retry rule, counted on the server side from the sandbox's request log.
 */
import {
  BoostedClient,
  ConflictError,
  NetworkError,
  PATHS,
  RateLimitedError,
  ServerError,
  type TransportEvent,
} from "../../sdk";
import type { ScriptedFault } from "../../sandbox";
import { useSandbox } from "../support/sandbox";

const sandbox = useSandbox();
const events: TransportEvent[] = [];
let client: BoostedClient;
let orgId: string;

/** Fast backoff so the suite stays quick; Retry-After still wins when the server sends it. */
const fastRetry = { delayMs: (n: number, retryAfterMs?: number) => retryAfterMs ?? 5 * n };

beforeAll(async () => {
  client = new BoostedClient({
    ...sandbox().credentials,
    timeoutMs: 400,
    retry: fastRetry,
    logger: (e) => events.push(e),
  });
  orgId = (await client.createOrganization({ externalOrgId: "retry-org" })).orgId;
});
beforeEach(async () => {
  events.length = 0;
  sandbox().setFaults({});
  await sandbox().reset();
});

const script = (...faults: ScriptedFault[]) => sandbox().setFaults({ script: faults });
const attemptsOn = (method: string, path: string) =>
  sandbox()
    .requests()
    .filter((r) => r.method === method && r.path === path)
    .map((r) => r.status);

it("waits for Retry-After on 429 and then succeeds", async () => {
  script({
    method: "GET",
    path: PATHS.organization,
    times: 2,
    fault: { status: 429, retryAfterSeconds: 0.3 },
  });
  const started = Date.now();
  await expect(client.getOrganization({ orgId })).resolves.toMatchObject({ orgId });
  expect(Date.now() - started).toBeGreaterThanOrEqual(600);
  expect(attemptsOn("GET", PATHS.organization)).toEqual([429, 429, 200]);
  expect(events.filter((e) => e.type === "retry").map((e) => e.delayMs)).toEqual([300, 300]);
});

it("gives up after the policy's attempts and says so", async () => {
  script({ method: "GET", path: PATHS.organization, times: 10, fault: { status: 503 } });
  const err = await client.getOrganization({ orgId }).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(ServerError);
  expect((err as Error).message).toMatch(/status 503.*5 attempts/);
  expect(attemptsOn("GET", PATHS.organization)).toEqual([503, 503, 503, 503, 503]);
});

it("gives up on a Retry-After longer than the policy accepts", async () => {
  script({ method: "GET", path: PATHS.organization, fault: { status: 429, retryAfterSeconds: 3600 } });
  await expect(client.getOrganization({ orgId })).rejects.toBeInstanceOf(RateLimitedError);
  expect(attemptsOn("GET", PATHS.organization)).toEqual([429]);
});

it("retries PATCH after 502, 503 and 504 (it is idempotent)", async () => {
  script(
    { method: "PATCH", path: PATHS.organization, fault: { status: 502 } },
    { method: "PATCH", path: PATHS.organization, fault: { status: 503 } },
    { method: "PATCH", path: PATHS.organization, fault: { status: 504 } },
  );
  await expect(client.updateOrganization({ orgId }, { name: "Renamed" })).resolves.toMatchObject({
    name: "Renamed",
  });
  expect(attemptsOn("PATCH", PATHS.organization)).toEqual([502, 503, 504, 200]);
});

it("retries a GET that times out", async () => {
  script({ method: "GET", path: PATHS.organization, fault: { delayMs: 700 } });
  await expect(client.getOrganization({ orgId })).resolves.toMatchObject({ orgId });
  expect(events.filter((e) => e.type === "retry").map((e) => e.code)).toEqual(["ETIMEDOUT"]);
  await new Promise((r) => setTimeout(r, 400)); // let the held request finish and be logged
  expect(attemptsOn("GET", PATHS.organization)).toHaveLength(2);
});

it("retries a create after 429 and 503 even without an external id (nothing was processed)", async () => {
  script(
    { method: "PUT", path: PATHS.workspace, fault: { status: 429, retryAfterSeconds: 0 } },
    { method: "PUT", path: PATHS.workspace, fault: { status: 503 } },
  );
  await expect(client.createWorkspace({ orgId, name: "no external id" })).resolves.toMatchObject({
    name: "no external id",
  });
  expect(attemptsOn("PUT", PATHS.workspace)).toEqual([429, 503, 201]);
});

describe("a create after an ambiguous failure", () => {
  it("with an external id: retried, and the retry's 409 resolved by reading the object", async () => {
    script({ method: "PUT", path: PATHS.workspace, fault: { lostResponse: true } });
    const ws = await client.createWorkspace({
      orgId,
      name: "Lost",
      externalWorkspaceId: "lost-1",
      entitlements: [{ billingFeatureId: "f" }],
    });
    expect(ws).toMatchObject({ name: "Lost", externalWorkspaceId: "lost-1", orgId });
    expect(attemptsOn("PUT", PATHS.workspace)).toEqual([201, 409]);
    expect(attemptsOn("GET", PATHS.workspace)).toEqual([200]);
    // Exactly one object exists.
    expect(
      sandbox()
        .store.list(sandbox().credentials.clientId, "workspace")
        .filter((w) => w.external_workspace_id === "lost-1"),
    ).toHaveLength(1);
  });

  it("with an external id, after a 502: retried", async () => {
    script({ method: "PUT", path: PATHS.user, fault: { status: 502 } });
    const ws = await client.createWorkspace({ orgId, externalWorkspaceId: "u-parent" });
    await expect(
      client.createUser({ workspaceId: ws.workspaceId, externalUserId: "u-502", email: "u502@x.example" }),
    ).resolves.toMatchObject({
      externalUserId: "u-502",
    });
    expect(attemptsOn("PUT", PATHS.user)).toEqual([502, 201]);
  });

  it("with an external id: a 409 for an object that differs from the request stays a conflict", async () => {
    await client.createWorkspace({ orgId, name: "Someone else's", externalWorkspaceId: "taken" });
    script({ method: "PUT", path: PATHS.workspace, fault: { status: 504 } });
    const err = await client
      .createWorkspace({ orgId, name: "Mine", externalWorkspaceId: "taken" })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConflictError);
    expect(attemptsOn("PUT", PATHS.workspace)).toEqual([201, 504, 409]);
  });

  it("without an external id: sent once, and the error says the object may or may not exist", async () => {
    script({ method: "PUT", path: PATHS.workspace, fault: { lostResponse: true } });
    const err = await client.createWorkspace({ orgId, name: "Anonymous" }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NetworkError);
    expect((err as NetworkError).outcomeUnknown).toBe(true);
    expect((err as Error).message).toContain("may or may not exist");
    expect((err as Error).message).toContain("external id");
    expect(attemptsOn("PUT", PATHS.workspace)).toEqual([201]);
  });

  it("without an external id, after a 504: not repeated", async () => {
    script({ method: "PUT", path: PATHS.workspace, fault: { status: 504 } });
    const err = await client.createWorkspace({ orgId, name: "Anonymous 2" }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ServerError);
    expect((err as ServerError).outcomeUnknown).toBe(true);
    expect(attemptsOn("PUT", PATHS.workspace)).toEqual([504]);
  });
});

it("retries when the server is not listening, within the time budget", async () => {
  const dead = new BoostedClient({
    ...sandbox().credentials,
    baseUrl: "http://127.0.0.1:9",
    tokenUrl: sandbox().credentials.tokenUrl,
    retry: { ...fastRetry, attempts: 3 },
    logger: (e) => events.push(e),
  });
  const err = await dead.tryGetWorkspace({ externalWorkspaceId: "x" }).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(NetworkError);
  expect((err as Error).message).toMatch(/could not reach Boosted \(ECONNREFUSED\)/);
  expect((err as NetworkError).attempts).toBe(3);
  expect(events.filter((e) => e.type === "retry")).toHaveLength(2);
});

it("stops retrying when the total time budget would run out", async () => {
  const budget = new BoostedClient({
    ...sandbox().credentials,
    timeoutMs: 200,
    retry: { ...fastRetry, totalTimeMs: 500 },
  });
  script({ method: "GET", path: PATHS.organization, times: 10, fault: { delayMs: 400 } });
  const started = Date.now();
  await expect(budget.getOrganization({ orgId })).rejects.toBeInstanceOf(NetworkError);
  expect(Date.now() - started).toBeLessThan(1000);
  await new Promise((r) => setTimeout(r, 500));
});
