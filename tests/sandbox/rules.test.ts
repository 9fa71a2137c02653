/**
 * The sandbox's API rules (API.md's Unknowns table), spoken to over raw HTTP.
 */
import { mkdtempSync, readFileSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { PATHS, PATH_ALIASES } from "../../sdk";
import { createDevPartnerSecrets, partnerFromSecrets, startSandbox } from "../../sandbox";
import { useSandbox } from "../support/sandbox";
import { managementToken, raw, type RawResponse } from "../support/http";

const other = createDevPartnerSecrets();
const sandbox = useSandbox({
  checkRequests: false,
  partners: [partnerFromSecrets(other)],
});
let auth: Record<string, string>;
let otherAuth: Record<string, string>;
beforeAll(async () => {
  auth = { authorization: `Bearer ${await managementToken(sandbox().credentials)}` };
  const c = sandbox().credentials;
  otherAuth = { authorization: `Bearer ${await managementToken({ ...c, ...other })}` };
});

const api = (p: string, init: Parameters<typeof raw>[1] = {}, as = auth): Promise<RawResponse> =>
  raw(`${sandbox().url}${p}`, { ...init, headers: { ...as, ...init.headers } });
const put = (p: string, json: unknown, as = auth) => api(p, { method: "PUT", json }, as);
const patch = (p: string, json: unknown, as = auth) => api(p, { method: "PATCH", json }, as);

let orgId: string;
let wsId: string;
beforeAll(async () => {
  orgId = (await put(PATHS.organization, { name: "Rules", external_org_id: "rules" })).body.org.org_id;
  wsId = (await put(PATHS.workspace, { org_id: orgId, external_workspace_id: "rules-ws" })).body.workspace
    .workspace_id;
});

describe("creates", () => {
  it("answer 201 with the envelope and null (not missing) optional fields (U5, U6)", async () => {
    const res = await put(PATHS.user, { workspace_id: wsId });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      success: true,
      message: "User created",
      user: {
        user_id: expect.any(String),
        workspace_id: wsId,
        org_id: orgId,
        external_user_id: null,
        name: null,
        email: null,
        entitlements: [],
      },
    });
  });

  it("refuse an unknown parent with 400 (U13)", async () => {
    const res = await put(PATHS.workspace, { org_id: "00000000-0000-4000-8000-000000000000" });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ success: false, message: "org not found", detail: "org not found" });
    expect((await put(PATHS.user, { workspace_id: "garbage" })).body.message).toBe("workspace not found");
  });

  it("refuse a duplicate external id per kind with 409, but allow the same id on another kind (U12)", async () => {
    expect((await put(PATHS.workspace, { org_id: orgId, external_workspace_id: "rules-ws" })).status).toBe(
      409,
    );
    expect((await put(PATHS.organization, { external_org_id: "rules" })).status).toBe(409);
    expect((await put(PATHS.user, { workspace_id: wsId, external_user_id: "rules-ws" })).status).toBe(201);
  });

  it("refuse a duplicate user email, compared case-insensitively (U12)", async () => {
    expect((await put(PATHS.user, { workspace_id: wsId, email: "Sam@Rules.example" })).status).toBe(201);
    const dup = await put(PATHS.user, { workspace_id: wsId, email: "sam@rules.EXAMPLE" });
    expect(dup.status).toBe(409);
    expect(dup.body.message).toContain("email");
  });

  it("drop duplicate entitlements and keep their order (U25), and ignore unknown fields (U21)", async () => {
    const res = await put(PATHS.workspace, {
      org_id: orgId,
      entitlements: [{ billing_feature_id: "b" }, { billing_feature_id: "a" }, { billing_feature_id: "b" }],
      colour: "blue",
    });
    expect(res.body.workspace.entitlements).toEqual([
      { billing_feature_id: "b" },
      { billing_feature_id: "a" },
    ]);
    expect(res.body.workspace).not.toHaveProperty("colour");
  });

  it("answer a malformed body with FastAPI's 422 (U10)", async () => {
    const missing = await put(PATHS.workspace, { name: "no org" });
    expect(missing.status).toBe(422);
    expect(missing.body.detail[0]).toMatchObject({ loc: ["body", "org_id"] });
    const wrongType = await put(PATHS.workspace, { org_id: orgId, name: 5 });
    expect(wrongType.body.detail[0]).toMatchObject({ loc: ["body", "name"] });
    const notJson = await api(PATHS.workspace, {
      method: "PUT",
      body: "{oops",
      headers: { "content-type": "application/json" },
    });
    expect(notJson.status).toBe(422);
  });

  it("create an organization and its workspace together, or neither on a conflict", async () => {
    const res = await put(PATHS.organizationAndWorkspace, {
      org_name: "Both",
      external_org_id: "both",
      external_workspace_id: "both-ws",
    });
    expect(res.status).toBe(201);
    expect(res.body.workspace.org_id).toBe(res.body.org.org_id);
    const before = sandbox().store.counts(sandbox().credentials.clientId);
    const conflict = await put(PATHS.organizationAndWorkspace, {
      external_org_id: "fresh",
      external_workspace_id: "both-ws",
    });
    expect(conflict.status).toBe(409);
    expect(sandbox().store.counts(sandbox().credentials.clientId)).toEqual(before);
    expect((await put(PATHS.organizationAndWorkspace, {})).status).toBe(201); // U29
  });
});

describe("reads", () => {
  it("find by id or external id, and refuse neither or disagreeing ones with 400 (U8)", async () => {
    expect((await api(`${PATHS.workspace}?workspace_id=${wsId}`)).body.workspace.external_workspace_id).toBe(
      "rules-ws",
    );
    expect((await api(`${PATHS.workspace}?external_workspace_id=rules-ws&workspace_id=${wsId}`)).status).toBe(
      200,
    );
    expect((await api(PATHS.workspace)).status).toBe(400);
    const other = (await put(PATHS.workspace, { org_id: orgId, external_workspace_id: "rules-ws-2" })).body
      .workspace.workspace_id;
    expect(
      (await api(`${PATHS.workspace}?external_workspace_id=rules-ws&workspace_id=${other}`)).status,
    ).toBe(400);
  });

  it("answer an unknown id with 404, a malformed one with 422 (U7, U9)", async () => {
    const res = await api(`${PATHS.user}?user_id=00000000-0000-4000-8000-000000000000`);
    expect(res).toMatchObject({ status: 404, body: { success: false, message: "user not found" } });
    const bad = await api(`${PATHS.user}?user_id=nope`);
    expect(bad.status).toBe(422);
    expect(bad.body.detail[0]).toEqual({
      loc: ["query", "user_id"],
      msg: "Input should be a valid UUID",
      type: "uuid_parsing",
    });
  });

  it("serve the documented aliases of the ASSUMED paths (U1, U2)", async () => {
    for (const alias of PATH_ALIASES[PATHS.organization]!) {
      expect((await api(`${alias}?org_id=${orgId}`)).body.org.org_id).toBe(orgId);
    }
    for (const alias of PATH_ALIASES[PATHS.entities]!) {
      expect((await api(alias, { method: "POST", json: { org_ids: [orgId] } })).body.orgs).toHaveLength(1);
    }
  });

  it("have no delete (U22)", async () => {
    expect((await api(`${PATHS.workspace}?workspace_id=${wsId}`, { method: "DELETE" })).status).toBe(405);
  });
});

describe("PATCH (U20, U21)", () => {
  it("leaves null and omitted fields alone, replaces lists, clears with []", async () => {
    const created = (
      await put(PATHS.user, {
        workspace_id: wsId,
        name: "Pat",
        email: "pat@rules.example",
        entitlements: [{ billing_feature_id: "x" }],
      })
    ).body.user;
    const q = `${PATHS.user}?user_id=${created.user_id}`;
    expect((await patch(q, { name: null })).body.user).toEqual(created);
    expect((await patch(q, {})).body.user).toEqual(created);
    expect(
      (await patch(q, { entitlements: [{ billing_feature_id: "y" }, { billing_feature_id: "z" }] })).body.user
        .entitlements,
    ).toEqual([{ billing_feature_id: "y" }, { billing_feature_id: "z" }]);
    expect((await patch(q, { entitlements: [] })).body.user.entitlements).toEqual([]);
    expect((await patch(q, { name: "" })).body.user.name).toBe("");
  });

  it("cannot move an object to another parent: parent fields are ignored", async () => {
    const org2 = (await put(PATHS.organization, {})).body.org.org_id;
    const res = await patch(`${PATHS.workspace}?workspace_id=${wsId}`, { org_id: org2, name: "still here" });
    expect(res.body.workspace).toMatchObject({ org_id: orgId, name: "still here" });
  });

  it("refuses an external id or email another object holds with 409 (or 400 when so configured)", async () => {
    const a = (
      await put(PATHS.user, { workspace_id: wsId, external_user_id: "pa", email: "pa@rules.example" })
    ).body.user;
    await put(PATHS.user, { workspace_id: wsId, external_user_id: "pb", email: "pb@rules.example" });
    const q = `${PATHS.user}?user_id=${a.user_id}`;
    expect((await patch(q, { external_user_id: "pb" })).status).toBe(409);
    expect((await patch(q, { email: "PB@rules.example" })).status).toBe(409);
    expect((await patch(q, { external_user_id: "pa", email: "pa@rules.example" })).status).toBe(200); // its own values
    const strict = await startSandbox({ patchConflictStatus: 400 });
    try {
      const t = { authorization: `Bearer ${await managementToken(strict.credentials)}` };
      const o = await raw(`${strict.url}${PATHS.organization}`, {
        method: "PUT",
        json: { external_org_id: "one" },
        headers: t,
      });
      await raw(`${strict.url}${PATHS.organization}`, {
        method: "PUT",
        json: { external_org_id: "two" },
        headers: t,
      });
      const r = await raw(`${strict.url}${PATHS.organization}?org_id=${o.body.org.org_id}`, {
        method: "PATCH",
        json: { external_org_id: "two" },
        headers: t,
      });
      expect(r.status).toBe(400);
    } finally {
      await strict.stop();
    }
  });
});

describe("partner isolation (U32)", () => {
  it("hides one partner's objects from another, and allows the same external ids", async () => {
    expect((await api(`${PATHS.workspace}?workspace_id=${wsId}`, {}, otherAuth)).status).toBe(404);
    expect((await api(`${PATHS.workspace}?external_workspace_id=rules-ws`, {}, otherAuth)).status).toBe(404);
    expect(
      (await patch(`${PATHS.workspace}?workspace_id=${wsId}`, { name: "hijack" }, otherAuth)).status,
    ).toBe(404);
    expect((await put(PATHS.workspace, { org_id: orgId }, otherAuth)).status).toBe(400); // foreign parent
    expect((await put(PATHS.organization, { external_org_id: "rules" }, otherAuth)).status).toBe(201);
    const entities = await api(PATHS.entities, { method: "POST", json: {} }, otherAuth);
    expect(entities.body.orgs.map((o: { external_org_id: string }) => o.external_org_id)).toEqual(["rules"]);
    expect(entities.body.workspaces).toEqual([]);
  });
});

describe("persistence", () => {
  it("writes every acknowledged change atomically and reloads it after a restart", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "boosted-state-"));
    const stateFile = path.join(dir, "state.json");
    const first = await startSandbox({ stateFile });
    const t = { authorization: `Bearer ${await managementToken(first.credentials)}` };
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        raw(`${first.url}${PATHS.organization}`, {
          method: "PUT",
          json: { external_org_id: `p-${i}` },
          headers: t,
        }),
      ),
    );
    expect(results.every((r) => r.status === 201)).toBe(true);
    // Acknowledged means on disk: read the file before stopping the server.
    const onDisk = JSON.parse(readFileSync(stateFile, "utf8"));
    expect(onDisk.partners[first.credentials.clientId].organizations).toHaveLength(20);
    expect(readdirSync(dir)).toEqual(["state.json"]); // no temporary files left behind
    await first.stop();

    const second = await startSandbox({ stateFile, devPartner: first.credentials });
    try {
      const t2 = { authorization: `Bearer ${await managementToken(second.credentials)}` };
      const r = await raw(`${second.url}${PATHS.organization}?external_org_id=p-7`, { headers: t2 });
      expect(r.status).toBe(200);
      // Tokens do not survive the restart: the old one is refused, as a real restart may do.
      expect(
        (await raw(`${second.url}${PATHS.organization}?external_org_id=p-7`, { headers: t })).status,
      ).toBe(403);
    } finally {
      await second.stop();
    }
  });
});

describe("fault injection and admin routes", () => {
  it("injects 429 with Retry-After every Nth request and counts per route and status", async () => {
    await sandbox().reset();
    sandbox().setFaults({ rateLimitEveryNth: 3, retryAfterSeconds: 2 });
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 6; i++) {
        const r = await api(`${PATHS.organization}?org_id=${orgId}`);
        statuses.push(r.status);
        if (r.status === 429) expect(r.headers.get("retry-after")).toBe("2");
      }
      expect(statuses).toEqual([200, 200, 429, 200, 200, 429]);
      const stats = await raw(`${sandbox().url}/__sandbox/stats`);
      expect(stats.body.byRoute[`GET ${PATHS.organization}`]).toEqual({ "200": 4, "429": 2 });
    } finally {
      sandbox().setFaults({});
    }
  });

  it("loses the response of a committed write", async () => {
    sandbox().setFaults({
      script: [{ method: "PUT", path: PATHS.organization, fault: { lostResponse: true } }],
    });
    await expect(
      api(PATHS.organization, { method: "PUT", json: { external_org_id: "lost" } }),
    ).rejects.toThrow();
    expect((await api(`${PATHS.organization}?external_org_id=lost`)).status).toBe(200);
  });

  it("injects a share of 5xx, repeatably for a seed", async () => {
    const run = async () => {
      sandbox().setFaults({ errorRate: 0.5, errorStatuses: [502, 503], seed: 42 });
      const out: number[] = [];
      for (let i = 0; i < 12; i++) out.push((await api(`${PATHS.organization}?org_id=${orgId}`)).status);
      return out;
    };
    const a = await run();
    const b = await run();
    sandbox().setFaults({});
    expect(a).toEqual(b);
    expect(a.filter((s) => s >= 500).length).toBeGreaterThan(2);
    expect(a.filter((s) => s === 200).length).toBeGreaterThan(2);
  });

  it("adds latency and can be configured over HTTP, refusing bad settings", async () => {
    const ok = await raw(`${sandbox().url}/__sandbox/faults`, { method: "PUT", json: { latencyMs: 150 } });
    expect(ok.status).toBe(200);
    const started = Date.now();
    await api(`${PATHS.organization}?org_id=${orgId}`);
    expect(Date.now() - started).toBeGreaterThanOrEqual(150);
    const bad = await raw(`${sandbox().url}/__sandbox/faults`, { method: "PUT", json: { latencyMs: -1 } });
    expect(bad.status).toBe(422);
    expect(bad.body.message).toContain("latencyMs");
    await raw(`${sandbox().url}/__sandbox/faults`, { method: "PUT", json: {} });
  });

  it("exposes the request log without secrets and resets it", async () => {
    await raw(sandbox().credentials.tokenUrl, {
      form: {
        grant_type: "x",
        client_secret: "do-not-log-me",
        subject_token: "t.t.t",
        subject_token_type: "x",
        client_id: "y",
      },
    });
    const log = await raw(`${sandbox().url}/__sandbox/requests`);
    const text = JSON.stringify(log.body);
    expect(text).toContain(PATHS.token);
    expect(text).not.toContain("do-not-log-me");
    await raw(`${sandbox().url}/__sandbox/reset`, { method: "POST", json: {} });
    expect((await raw(`${sandbox().url}/__sandbox/requests`)).body).toEqual([]);
  });
});
