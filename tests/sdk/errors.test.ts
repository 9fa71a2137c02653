/**
 * Error mapping, response validation and redaction.
 */
import { inspect } from "node:util";
import Fastify, { type FastifyInstance } from "fastify";
import {
  AuthenticationError,
  BadRequestError,
  BoostedClient,
  BoostedError,
  ConflictError,
  ForbiddenError,
  NetworkError,
  NotFoundError,
  PATHS,
  RateLimitedError,
  ServerError,
  UnexpectedResponseError,
  ValidationError,
  errorClassForStatus,
  type TransportEvent,
} from "../../sdk";
import { useSandbox } from "../support/sandbox";

const sandbox = useSandbox();

it("pins the status → error class table", () => {
  const table = Object.fromEntries(
    [400, 401, 403, 404, 409, 418, 429, 500, 502, 503, 504].map((s) => [s, errorClassForStatus(s).name]),
  );
  expect(table).toEqual({
    400: "BadRequestError",
    401: "AuthenticationError",
    403: "ForbiddenError",
    404: "NotFoundError",
    409: "ConflictError",
    418: "BadRequestError",
    429: "RateLimitedError",
    500: "ServerError",
    502: "ServerError",
    503: "ServerError",
    504: "ServerError",
  });
  // U7: the real API may say "not found" with a 400.
  expect(errorClassForStatus(400, "workspace not found")).toBe(NotFoundError);
  for (const C of [
    AuthenticationError,
    BadRequestError,
    ConflictError,
    ForbiddenError,
    NetworkError,
    NotFoundError,
    RateLimitedError,
    ServerError,
    UnexpectedResponseError,
  ]) {
    expect(new C("x", { operation: "op" })).toBeInstanceOf(BoostedError);
  }
  expect(new ValidationError("x", { operation: "op" }, [])).toBeInstanceOf(BoostedError);
});

it("refuses a Boosted id that is not a UUID before sending (the server would 422)", async () => {
  const client = new BoostedClient(sandbox().credentials);
  const before = sandbox().requests().length;
  await expect(client.getWorkspace({ workspaceId: "not-a-uuid" })).rejects.toThrow(
    "getWorkspace: pass exactly one of workspaceId or externalWorkspaceId as a non-empty string; a Boosted id (workspaceId) is a UUID",
  );
  expect(sandbox().requests().length).toBe(before);
});

it("maps a 400 that says not found to undefined for tryGet", async () => {
  const { startSandbox } = await import("../../sandbox");
  const sb = await startSandbox({ notFoundStatus: 400 });
  try {
    const client = new BoostedClient(sb.credentials);
    await expect(client.tryGetUser({ externalUserId: "nobody" })).resolves.toBeUndefined();
    await expect(client.getUser({ externalUserId: "nobody" })).rejects.toBeInstanceOf(NotFoundError);
    expect(
      sb
        .requests()
        .filter((r) => r.path === PATHS.user)
        .map((r) => r.status),
    ).toEqual([400, 400]);
  } finally {
    await sb.stop();
  }
});

describe("responses that are not what the API documents", () => {
  // A real server that answers the token exchange properly and the API with broken bodies.
  let server: FastifyInstance;
  let body: unknown;
  let status = 200;
  let client: BoostedClient;
  beforeAll(async () => {
    server = Fastify();
    server.addContentTypeParser("application/x-www-form-urlencoded", { parseAs: "string" }, (_r, b, done) =>
      done(null, b),
    );
    server.post(PATHS.token, async () => ({ access_token: "t", expires_in: 3600, token_type: "Bearer" }));
    server.get(PATHS.workspace, async (_req, reply) => reply.code(status).send(body));
    await server.listen({ port: 0, host: "127.0.0.1" });
    const url = `http://127.0.0.1:${(server.server.address() as { port: number }).port}`;
    client = new BoostedClient({ ...sandbox().credentials, baseUrl: url, tokenUrl: `${url}${PATHS.token}` });
  });
  afterAll(() => server.close());

  it("maps a 422 to ValidationError with the server's field list", async () => {
    status = 422;
    const detail = [
      {
        loc: ["query", "external_workspace_id"],
        msg: "String should have at most 64 characters",
        type: "string_too_long",
      },
    ];
    body = { detail };
    const err = await client.getWorkspace({ externalWorkspaceId: "w".repeat(65) }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ValidationError);
    expect((err as ValidationError).fields).toEqual(detail);
    expect((err as Error).message).toContain(`getWorkspace failed (GET ${PATHS.workspace}, status 422`);
    expect((err as Error).message).toContain(
      "query.external_workspace_id: String should have at most 64 characters",
    );
  });

  it.each([
    [
      "a field of the wrong type",
      { success: true, workspace: { workspace_id: 7, org_id: "o" } },
      /workspace\.workspace_id: Invalid input: expected string, received number/,
    ],
    ["a missing required field", { success: true, workspace: { workspace_id: "w" } }, /workspace\.org_id/],
    [
      "success: false on a 200",
      { success: false, message: "backend busy", workspace: null },
      /success: false: backend busy/,
    ],
    ["no object", { success: true, message: "ok" }, /has no "workspace" object/],
    ["not JSON", "<html>oops</html>", /not what the API documents/],
  ])("%s", async (_name, b, pattern) => {
    body = b;
    status = 200;
    const err = await client.getWorkspace({ externalWorkspaceId: "w" }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UnexpectedResponseError);
    expect((err as Error).message).toMatch(pattern);
  });
});

describe("redaction", () => {
  it("keeps the client secret, private key, JWT and access token out of errors, inspect output and logs", async () => {
    // Capture every secret value in play: the relay sees the signed JWT and the access token.
    const seen = { jwt: "", token: "" };
    const relay = Fastify();
    relay.addContentTypeParser("application/x-www-form-urlencoded", { parseAs: "string" }, (_r, b, done) =>
      done(null, b),
    );
    relay.post("/token", async (request, reply) => {
      seen.jwt = new URLSearchParams(request.body as string).get("subject_token") ?? "";
      const res = await fetch(sandbox().credentials.tokenUrl, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: request.body as string,
      });
      const json = (await res.json()) as { access_token?: string };
      seen.token = json.access_token ?? seen.token;
      return reply.code(res.status).send(json);
    });
    await relay.listen({ port: 0, host: "127.0.0.1" });
    const events: TransportEvent[] = [];
    try {
      const c = sandbox().credentials;
      const tokenUrl = `http://127.0.0.1:${(relay.server.address() as { port: number }).port}/token`;
      const client = new BoostedClient({
        ...c,
        tokenUrl,
        timeoutMs: 300,
        retry: { delayMs: () => 1, attempts: 2 },
        logger: (e) => events.push(e),
      });
      const errors: unknown[] = [];
      const collect = (p: Promise<unknown>) =>
        p.then(
          () => errors.push(new Error("expected a failure")),
          (e: unknown) => errors.push(e),
        );

      await collect(client.getWorkspace({ externalWorkspaceId: "nobody" })); // 404
      await collect(client.createWorkspace({ orgId: "00000000-0000-4000-8000-000000000000" })); // 400
      sandbox().setFaults({
        script: [{ method: "GET", path: PATHS.workspace, times: 2, fault: { delayMs: 500 } }],
      });
      await collect(client.getWorkspace({ externalWorkspaceId: "slow" })); // timeouts
      sandbox().setFaults({
        script: [{ method: "GET", path: PATHS.workspace, times: 2, fault: { status: 503 } }],
      });
      await collect(client.getWorkspace({ externalWorkspaceId: "x" })); // 5xx
      sandbox().expireTokens();
      sandbox().setFaults({ script: [{ method: "GET", path: PATHS.workspace, fault: { status: 403 } }] });
      await collect(client.getWorkspace({ externalWorkspaceId: "y" })); // 403 twice → ForbiddenError
      const wrongSecret = new BoostedClient({ ...c, tokenUrl, clientSecret: "a-wrong-secret-value" });
      await collect(wrongSecret.getWorkspace({ externalWorkspaceId: "z" })); // 401 from the token endpoint
      await new Promise((r) => setTimeout(r, 300));

      expect(seen.jwt.split(".")).toHaveLength(3);
      expect(seen.token.length).toBeGreaterThan(20);
      expect(errors.map((e) => (e as Error).constructor.name)).toEqual([
        "NotFoundError",
        "NotFoundError",
        "NetworkError",
        "ServerError",
        "ForbiddenError",
        "AuthenticationError",
      ]);
      const keyBody = c.privateKey.split("\n").slice(1, -2).join("");
      const secrets = [
        c.clientSecret,
        "a-wrong-secret-value",
        seen.jwt,
        seen.token,
        keyBody,
        c.privateKey.split("\n")[1]!,
      ];
      const texts = errors.flatMap((e) => [
        String(e),
        (e as Error).stack ?? "",
        inspect(e, { depth: 10, showHidden: true }),
        JSON.stringify(e),
      ]);
      texts.push(JSON.stringify(events), inspect(client, { depth: 6 }));
      for (const text of texts) for (const secret of secrets) expect(text).not.toContain(secret);
      expect(texts.join("\n")).not.toMatch(/authorization|bearer/i);
    } finally {
      await relay.close();
    }
  });
});
