/**
 * The contract checker that every sandbox-backed test file runs must itself catch violations;
 * otherwise "no violations" would prove nothing.
 */
import { PATHS } from "../sdk";
import type { RequestLogEntry } from "../sandbox";
import { ContractChecker } from "./support/contract";

const checker = new ContractChecker();
const entry = (e: Partial<RequestLogEntry>): RequestLogEntry => ({
  seq: 1,
  time: 0,
  method: "GET",
  path: PATHS.workspace,
  query: {},
  status: 200,
  durationMs: 1,
  ...e,
});
const ws = { workspace_id: "w", org_id: "o", external_workspace_id: null, name: null, entitlements: [] };

it("accepts a documented exchange", () => {
  expect(
    checker.check(
      entry({
        query: { workspace_id: "6f1c2a38-0d7e-4f7b-9a43-0c2f1f1e9a11" },
        responseBody: { success: true, message: "ok", workspace: ws },
      }),
    ),
  ).toEqual([]);
});

it.each([
  [
    "an undeclared request field",
    entry({
      method: "PUT",
      status: 201,
      contentType: "application/json",
      requestBody: { org_id: "o", colour: "x" },
      responseBody: { workspace: ws },
    }),
    /request body\s+must NOT have additional properties/,
  ],
  [
    "a wrong response type",
    entry({ responseBody: { success: "yes", workspace: ws } }),
    /response body \/success must be boolean,null/,
  ],
  [
    "an entitlement without its id",
    entry({ responseBody: { workspace: { ...ws, entitlements: [{}] } } }),
    /billing_feature_id/,
  ],
  ["an undeclared status", entry({ status: 418, responseBody: {} }), /status not declared/],
  [
    "an undeclared query parameter",
    entry({ query: { name: "x" }, responseBody: { workspace: ws } }),
    /undeclared query parameter name/,
  ],
  [
    "a malformed uuid parameter",
    entry({ query: { workspace_id: "nope" }, responseBody: { workspace: ws } }),
    /must match format "uuid"/,
  ],
  ["an unknown path", entry({ path: "/v2/account-management/teams" }), /not an operation of the spec/],
  [
    "a token request without the grant type",
    entry({
      method: "POST",
      path: PATHS.token,
      contentType: "application/x-www-form-urlencoded",
      requestBody: { subject_token: "x" },
      responseBody: { error: "invalid_request" },
      status: 400,
    }),
    /must have required property 'grant_type'/,
  ],
])("flags %s", (_name, e, pattern) => {
  expect(checker.check(e).join("\n")).toMatch(pattern);
});
