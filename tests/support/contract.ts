/**
 * Holds request/response pairs seen by the sandbox to `spec/boosted-openapi.yaml`.
 *
 * Why ajv: OpenAPI 3.1 schemas are JSON Schema 2020-12, and ajv is the well-kept validator for
 * it; the spec document is registered whole so its own `$ref`s resolve as written.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import Ajv2020 from "ajv/dist/2020";
import addFormats from "ajv-formats";
import { parse } from "yaml";
import type { RequestLogEntry } from "../../sandbox";
import { PATH_ALIASES } from "../../sdk";

/** Alias path → the spec's path (the sandbox serves both, U1, U2). */
const CANONICAL = new Map(
  Object.entries(PATH_ALIASES).flatMap(([canonical, aliases]) => aliases.map((a) => [a, canonical] as const)),
);

interface Operation {
  parameters?: { $ref?: string; name?: string; in?: string; schema?: unknown }[];
  requestBody?: { content: Record<string, { schema: unknown }> };
  responses: Record<string, { $ref?: string; content?: Record<string, { schema: unknown }> }>;
}

type Doc = { paths: Record<string, Record<string, Operation>> } & Record<string, unknown>;

const SPEC_ID = "boosted-openapi";
export const SPEC_FILE = path.join(__dirname, "..", "..", "spec", "boosted-openapi.yaml");

export class ContractChecker {
  private readonly doc: Doc;
  private readonly ajv: Ajv2020;
  private readonly cache = new Map<string, ReturnType<Ajv2020["compile"]>>();

  constructor(file = SPEC_FILE) {
    this.doc = parse(readFileSync(file, "utf8")) as Doc;
    this.ajv = new Ajv2020({ strict: false, allErrors: true });
    addFormats(this.ajv);
    this.ajv.addSchema(this.doc, SPEC_ID);
  }

  private resolve<T>(node: T & { $ref?: string }): T {
    if (!node.$ref) return node;
    const parts = node.$ref.replace(/^#\//, "").split("/");
    let cur: unknown = this.doc;
    for (const p of parts) cur = (cur as Record<string, unknown>)[p];
    return cur as T;
  }

  private validate(pointer: string, value: unknown): string | undefined {
    let fn = this.cache.get(pointer);
    if (!fn) {
      fn = this.ajv.compile({ $ref: `${SPEC_ID}#${pointer}` });
      this.cache.set(pointer, fn);
    }
    if (fn(value)) return undefined;
    return this.ajv.errorsText(fn.errors, { dataVar: "" });
  }

  /**
   * Violations of one exchange; empty when it conforms. `requests: false` checks only the
   * response, for tests that send malformed requests on purpose.
   */
  check(e: RequestLogEntry, { requests = true }: { requests?: boolean } = {}): string[] {
    const where = `${e.method} ${e.path} → ${e.status}`;
    const specPath = CANONICAL.get(e.path) ?? e.path;
    const pathItem = this.doc.paths[specPath];
    const method = e.method.toLowerCase();
    const op = pathItem?.[method];
    // A method the path does not have is answered 405 (U22: there is no DELETE).
    if (pathItem && !op && e.status === 405) return [];
    if (!op) return [`${where}: not an operation of the spec`];
    const opPointer = `/paths/${specPath.replace(/~/g, "~0").replace(/\//g, "~1")}/${method}`;
    const out: string[] = [];
    if (requests) out.push(...this.checkRequest(e, op, opPointer, where));
    return [...out, ...this.checkResponse(e, op, opPointer, where)];
  }

  private checkRequest(e: RequestLogEntry, op: Operation, opPointer: string, where: string): string[] {
    const out: string[] = [];
    // Query parameters: only declared ones, each valid.
    const params = (op.parameters ?? []).map((p) => this.resolve(p));
    for (const [name, value] of Object.entries(e.query ?? {})) {
      const index = params.findIndex((p) => p.name === name && p.in === "query");
      if (index < 0) {
        out.push(`${where}: undeclared query parameter ${name}`);
        continue;
      }
      const ref = op.parameters![index]!.$ref;
      const pointer = ref ? `${ref.replace(/^#/, "")}/schema` : `${opPointer}/parameters/${index}/schema`;
      const err = this.validate(pointer, value);
      if (err) out.push(`${where}: query ${name}: ${err}`);
    }

    // Request body, for the declared content type. A fault answered before the handler
    // does not make the request less valid, so requests are always checked.
    if (op.requestBody && e.requestBody !== undefined) {
      const type = (e.contentType ?? "").split(";")[0]!.trim();
      if (!op.requestBody.content[type]) out.push(`${where}: request content type ${type} not declared`);
      else {
        const err = this.validate(
          `${opPointer}/requestBody/content/${type.replace(/\//g, "~1")}/schema`,
          e.requestBody,
        );
        if (err) out.push(`${where}: request body ${err}`);
      }
    }
    return out;
  }

  private checkResponse(e: RequestLogEntry, op: Operation, opPointer: string, where: string): string[] {
    const out: string[] = [];
    // Responses made up by fault injection (429, 5xx) are outside the API's contract.
    if (
      e.fault &&
      e.status >= 429 &&
      !e.fault.includes("lost response") &&
      !e.fault.includes("delay") &&
      !e.fault.startsWith("slow")
    ) {
      return out;
    }
    const declared = op.responses[String(e.status)];
    if (!declared) {
      out.push(`${where}: status not declared`);
      return out;
    }
    const ref = declared.$ref;
    const response = this.resolve(declared);
    const base = ref ? ref.replace(/^#/, "") : `${opPointer}/responses/${e.status}`;
    if (response.content?.["application/json"] && e.responseBody !== undefined) {
      const err = this.validate(`${base}/content/application~1json/schema`, e.responseBody);
      if (err) out.push(`${where}: response body ${err}`);
    }
    return out;
  }
}
