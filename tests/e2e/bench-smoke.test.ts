/**
 * A small run of the benchmark code (the real one is `npm run bench`): the scenario runs, and its
 * request-count goals hold — one token exchange per run, one request per created or changed
 * resource, none for unchanged ones, one GET per resource on refresh.
 */
import { runScenario } from "../../bench/scenario";

it("runs a small roster scenario and meets the request-count goals", async () => {
  const r = await runScenario({
    name: "smoke",
    organizations: 1,
    workspacesPerOrg: 2,
    users: 12,
    latencyMs: 2,
    parallel: 4,
    changeFraction: 0.25,
  });
  expect(r.resources).toBe(15);
  const [cold, same, refresh, change] = r.steps;
  expect(r.steps.every((s) => s.ok)).toBe(true);
  expect(cold!.requests).toEqual({
    "POST /oauth2/token": 1,
    "PUT /v2/account-management/organization": 1,
    "PUT /v2/account-management/workspace": 2,
    "PUT /v2/account-management/user": 12,
  });
  expect(same!.requests).toEqual({});
  expect(refresh!.requests).toEqual({
    "POST /oauth2/token": 1,
    "GET /v2/account-management/organization": 1,
    "GET /v2/account-management/workspace": 2,
    "GET /v2/account-management/user": 12,
  });
  expect(change!.requests).toEqual({ "POST /oauth2/token": 1, "PATCH /v2/account-management/user": 3 });
  // Bound: token, organization, workspaces, then 12 users in rounds of 4.
  expect(cold!.latencyBoundMs).toBe((1 + 1 + 1 + 3) * 2);
  expect(cold!.ratio).toBeGreaterThan(0);
  expect(cold!.hostCpuMs).toBeGreaterThan(0);
  expect(cold!.programCpuMs).toBeGreaterThan(0);
  expect(r.providerBytesPerResource).toBeGreaterThan(1000);
  expect(r.providerBytesPerResource).toBeLessThan(2100);
  expect(r.stateFileBytes).toBeGreaterThan(r.resources * r.providerBytesPerResource);
});
