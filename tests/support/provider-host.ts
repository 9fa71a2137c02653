/**
 * Drives `@pulumi/pulumi/cmd/dynamic-provider` — the real dynamic-provider host the engine
 * starts under `pulumi up` — over gRPC, as the engine does: a child process, its port read from
 * stdout, then Configure, Check, Diff, Create, Read, Update and Delete requests.
 */
import { spawn, execFileSync, type ChildProcessWithoutNullStreams } from "node:child_process";
import path from "node:path";
import * as grpc from "@grpc/grpc-js";
import { ROOT } from "./built";

/* eslint-disable @typescript-eslint/no-require-imports -- the generated protobuf modules are CommonJS without ES typings */
const provproto = require("@pulumi/pulumi/proto/provider_pb");
const provrpc = require("@pulumi/pulumi/proto/provider_grpc_pb");
const structproto = require("google-protobuf/google/protobuf/struct_pb");
const statusproto = require("@pulumi/pulumi/proto/status_pb");
/* eslint-enable @typescript-eslint/no-require-imports */

type Props = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** The secret wrapper the engine uses on the wire. */
export const SECRET_SIG = "4dabf18193072939515e22adb298388d";
export const secret = (value: string) => ({ [SECRET_SIG]: "1b47061264138c4ac30d75fd1eb44270", value });
/** The value the engine sends for an unknown input. */
export const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

export type ResourceType = "Organization" | "Workspace" | "User";

let serialized: Record<ResourceType, string[]> | undefined;
/** The real `__provider` strings the SDK produces for the built package (two instances each). */
export function providerStrings(): Record<ResourceType, string[]> {
  serialized ??= JSON.parse(
    execFileSync(process.execPath, [path.join(ROOT, "tests", "support", "serialize-providers.js")], {
      cwd: ROOT,
      encoding: "utf8",
    }),
  ) as Record<ResourceType, string[]>;
  return serialized;
}

/** A failed gRPC call, with the host's init-failure details when it sent them. */
export class HostError extends Error {
  constructor(
    message: string,
    readonly initFailure?: { id: string; properties: Props; reasons: string[] },
  ) {
    super(message);
  }
}

export class ProviderHost {
  /** Everything the host wrote to stdout and stderr. */
  output = "";
  /** Every request and response, as JSON text, for secret scans. */
  readonly wire: string[] = [];

  private constructor(
    private readonly child: ChildProcessWithoutNullStreams,
    private readonly client: grpc.Client & Record<string, (...args: unknown[]) => unknown>,
  ) {}

  /**
   * Starts a host. `env` replaces the `BOOSTED_*` part of the environment (the rest is kept),
   * so a test controls exactly which credentials the host can see.
   */
  static async start(options: { cwd?: string; env?: Record<string, string> } = {}): Promise<ProviderHost> {
    const entry = require.resolve("@pulumi/pulumi/cmd/dynamic-provider");
    const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith("BOOSTED_")));
    // The engine passes its own address; the host only needs something there.
    const child = spawn(process.execPath, [entry, "127.0.0.1:0"], {
      cwd: options.cwd ?? ROOT,
      env: { ...env, ...options.env },
    });
    let output = "";
    const port = await new Promise<number>((resolve, reject) => {
      child.stdout.on("data", (d: Buffer) => {
        output += d.toString();
        const m = /^(\d+)\s*$/m.exec(output);
        if (m) resolve(Number(m[1]));
      });
      child.stderr.on("data", (d: Buffer) => (output += d.toString()));
      child.on("exit", (code) => reject(new Error(`dynamic-provider host exited with ${code}: ${output}`)));
    });
    const client = new provrpc.ResourceProviderClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
    const host = new ProviderHost(child, client);
    host.output = output;
    child.stdout.on("data", (d: Buffer) => (host.output += d.toString()));
    child.stderr.on("data", (d: Buffer) => (host.output += d.toString()));
    return host;
  }

  private call<T>(method: string, req: unknown, log: Props): Promise<T> {
    this.wire.push(JSON.stringify({ method, request: log }));
    return new Promise((resolve, reject) => {
      this.client[method]!(req, (err: (grpc.ServiceError & { metadata?: grpc.Metadata }) | null, res: T) => {
        if (err) {
          this.wire.push(JSON.stringify({ method, error: err.details ?? err.message }));
          return reject(toHostError(err));
        }
        resolve(res);
      });
    });
  }

  /** Configure with stack config keys (`boosted:baseUrl`) or an explicit provider's inputs. */
  async configure(args: Props): Promise<void> {
    const req = new provproto.ConfigureRequest();
    req.setArgs(structproto.Struct.fromJavaScript(args));
    req.setAcceptsecrets(true);
    await this.call("configure", req, args);
  }

  async check(
    type: ResourceType,
    olds: Props,
    news: Props,
  ): Promise<{ inputs: Props; failures: { property: string; reason: string }[] }> {
    const req = new provproto.CheckRequest();
    req.setUrn(urn(type));
    req.setOlds(structproto.Struct.fromJavaScript(olds));
    req.setNews(structproto.Struct.fromJavaScript(news));
    const res = await this.call<any>("check", req, { olds, news }); // eslint-disable-line @typescript-eslint/no-explicit-any
    const out = {
      inputs: res.getInputs().toJavaScript() as Props,
      failures: res.getFailuresList().map((f: any) => ({ property: f.getProperty(), reason: f.getReason() })), // eslint-disable-line @typescript-eslint/no-explicit-any
    };
    this.wire.push(JSON.stringify({ method: "check", response: out }));
    return out;
  }

  async diff(
    type: ResourceType,
    id: string,
    olds: Props,
    news: Props,
  ): Promise<{ changes: "some" | "none" | "unknown"; replaces: string[] }> {
    const req = new provproto.DiffRequest();
    req.setId(id);
    req.setUrn(urn(type));
    req.setOlds(structproto.Struct.fromJavaScript(olds));
    req.setNews(structproto.Struct.fromJavaScript(news));
    const res = await this.call<any>("diff", req, { id, olds, news }); // eslint-disable-line @typescript-eslint/no-explicit-any
    const changes = ({ 0: "unknown", 1: "none", 2: "some" } as const)[res.getChanges() as 0 | 1 | 2];
    return { changes, replaces: res.getReplacesList() };
  }

  async create(type: ResourceType, props: Props): Promise<{ id: string; properties: Props }> {
    const req = new provproto.CreateRequest();
    req.setUrn(urn(type));
    req.setProperties(structproto.Struct.fromJavaScript(props));
    const res = await this.call<any>("create", req, props); // eslint-disable-line @typescript-eslint/no-explicit-any
    const out = { id: res.getId() as string, properties: res.getProperties().toJavaScript() as Props };
    this.wire.push(JSON.stringify({ method: "create", response: out }));
    return out;
  }

  async read(
    type: ResourceType,
    id: string,
    props: Props,
  ): Promise<{ id: string; properties: Props; inputs?: Props }> {
    const req = new provproto.ReadRequest();
    req.setId(id);
    req.setUrn(urn(type));
    req.setProperties(structproto.Struct.fromJavaScript(props));
    const res = await this.call<any>("read", req, { id, props }); // eslint-disable-line @typescript-eslint/no-explicit-any
    const out = {
      id: res.getId() as string,
      properties: res.getProperties()?.toJavaScript() as Props,
      inputs: res.getInputs()?.toJavaScript() as Props | undefined,
    };
    this.wire.push(JSON.stringify({ method: "read", response: out }));
    return out;
  }

  async update(type: ResourceType, id: string, olds: Props, news: Props): Promise<Props> {
    const req = new provproto.UpdateRequest();
    req.setId(id);
    req.setUrn(urn(type));
    req.setOlds(structproto.Struct.fromJavaScript(olds));
    req.setNews(structproto.Struct.fromJavaScript(news));
    const res = await this.call<any>("update", req, { id, olds, news }); // eslint-disable-line @typescript-eslint/no-explicit-any
    const out = res.getProperties().toJavaScript() as Props;
    this.wire.push(JSON.stringify({ method: "update", response: out }));
    return out;
  }

  async delete(type: ResourceType, id: string, props: Props): Promise<void> {
    const req = new provproto.DeleteRequest();
    req.setId(id);
    req.setUrn(urn(type));
    req.setProperties(structproto.Struct.fromJavaScript(props));
    await this.call("delete", req, { id, props });
  }

  async stop(): Promise<void> {
    this.client.close();
    if (this.child.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      this.child.once("exit", () => resolve());
      this.child.kill("SIGTERM");
    });
  }
}

function urn(type: ResourceType): string {
  return `urn:pulumi:test::boosted::pulumi-nodejs:dynamic/boosted:${type}::r`;
}

function toHostError(err: grpc.ServiceError): HostError {
  const bin = err.metadata?.get("grpc-status-details-bin")[0];
  if (bin) {
    const status = statusproto.Status.deserializeBinary(new Uint8Array(bin as Buffer));
    const any = status.getDetailsList()[0];
    if (any) {
      const failure = provproto.ErrorResourceInitFailed.deserializeBinary(any.getValue_asU8());
      return new HostError(err.details, {
        id: failure.getId(),
        properties: failure.getProperties()?.toJavaScript() as Props,
        reasons: failure.getReasonsList(),
      });
    }
  }
  return new HostError(err.details ?? err.message);
}
