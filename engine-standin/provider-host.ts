/**
 * TEST INFRASTRUCTURE (part of the engine stand-in, not of the product).
 *
 * Drives `@pulumi/pulumi/cmd/dynamic-provider` — the real dynamic-provider host the engine
 * starts under `pulumi up` — over gRPC, as the engine does: a child process, its port read from
 * stdout, then Configure, Check, Diff, Create, Read, Update and Delete requests.
 */
import type { ChildProcessWithoutNullStreams } from "node:child_process";
import { startPlugin, stopPlugin } from "./plugin";
import * as grpc from "@grpc/grpc-js";

const provproto = require("@pulumi/pulumi/proto/provider_pb");
const provrpc = require("@pulumi/pulumi/proto/provider_grpc_pb");
const structproto = require("google-protobuf/google/protobuf/struct_pb");
const statusproto = require("@pulumi/pulumi/proto/status_pb");

type Props = Record<string, any>;

/** The secret wrapper the engine uses on the wire. */
export const SECRET_SIG = "4dabf18193072939515e22adb298388d";
export const secret = (value: string) => ({ [SECRET_SIG]: "1b47061264138c4ac30d75fd1eb44270", value });
/** The value the engine sends for an unknown input. */
export const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

/** A short type name (tests) or a full URN. */
export type ResourceRef = string;

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
  /** Every request and response as JSON text, when started with `record: true` (secret scans). */
  readonly wire: string[] = [];
  private record = false;
  /** Called with each chunk the host writes, as it arrives. */
  onOutput?: (text: string) => void;

  private constructor(
    private readonly child: ChildProcessWithoutNullStreams,
    private readonly client: grpc.Client & Record<string, (...args: unknown[]) => unknown>,
  ) {}

  /**
   * Starts a host in `cwd` (the engine uses the project's folder, where `node_modules` holds
   * pulumi-boosted). The host inherits the environment, as under the engine; given `env`
   * replaces its `BOOSTED_*` part, so a test controls exactly which credentials the host sees.
   */
  static async start(
    options: { cwd?: string; env?: Record<string, string>; record?: boolean } = {},
  ): Promise<ProviderHost> {
    const entry = require.resolve("@pulumi/pulumi/cmd/dynamic-provider");
    const env = options.env
      ? Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith("BOOSTED_")))
      : process.env;
    const { child, port, output } = await startPlugin("dynamic-provider host", entry, [], {
      cwd: options.cwd ?? process.cwd(),
      env: { ...env, ...options.env },
    });
    const client = new provrpc.ResourceProviderClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
    const host = new ProviderHost(child, client);
    host.record = options.record ?? true;
    host.output = output;
    const take = (d: Buffer) => {
      const text = d.toString();
      host.output += text;
      host.onOutput?.(text);
    };
    child.stdout.on("data", take);
    child.stderr.on("data", take);
    return host;
  }

  /** The host's process id (for CPU and memory measurements). */
  get pid(): number | undefined {
    return this.child.pid;
  }

  private log(entry: Props): void {
    if (this.record) this.wire.push(JSON.stringify(entry));
  }

  private call<T>(method: string, req: unknown, log: Props): Promise<T> {
    this.log({ method, request: log });
    return new Promise((resolve, reject) => {
      this.client[method]!(req, (err: (grpc.ServiceError & { metadata?: grpc.Metadata }) | null, res: T) => {
        if (err) {
          this.log({ method, error: err.details ?? err.message });
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
    type: ResourceRef,
    olds: Props,
    news: Props,
  ): Promise<{ inputs: Props; failures: { property: string; reason: string }[] }> {
    const req = new provproto.CheckRequest();
    req.setUrn(urnOf(type));
    req.setOlds(structproto.Struct.fromJavaScript(olds));
    req.setNews(structproto.Struct.fromJavaScript(news));
    const res = await this.call<any>("check", req, { olds, news });
    const out = {
      inputs: res.getInputs().toJavaScript() as Props,
      failures: res.getFailuresList().map((f: any) => ({ property: f.getProperty(), reason: f.getReason() })),
    };
    this.log({ method: "check", response: out });
    return out;
  }

  async diff(
    type: ResourceRef,
    id: string,
    olds: Props,
    news: Props,
  ): Promise<{ changes: "some" | "none" | "unknown"; replaces: string[] }> {
    const req = new provproto.DiffRequest();
    req.setId(id);
    req.setUrn(urnOf(type));
    req.setOlds(structproto.Struct.fromJavaScript(olds));
    req.setNews(structproto.Struct.fromJavaScript(news));
    const res = await this.call<any>("diff", req, { id, olds, news });
    const changes = ({ 0: "unknown", 1: "none", 2: "some" } as const)[res.getChanges() as 0 | 1 | 2];
    return { changes, replaces: res.getReplacesList() };
  }

  async create(type: ResourceRef, props: Props): Promise<{ id: string; properties: Props }> {
    const req = new provproto.CreateRequest();
    req.setUrn(urnOf(type));
    req.setProperties(structproto.Struct.fromJavaScript(props));
    const res = await this.call<any>("create", req, props);
    const out = { id: res.getId() as string, properties: res.getProperties().toJavaScript() as Props };
    this.log({ method: "create", response: out });
    return out;
  }

  async read(
    type: ResourceRef,
    id: string,
    props: Props,
  ): Promise<{ id: string; properties: Props; inputs?: Props }> {
    const req = new provproto.ReadRequest();
    req.setId(id);
    req.setUrn(urnOf(type));
    req.setProperties(structproto.Struct.fromJavaScript(props));
    const res = await this.call<any>("read", req, { id, props });
    const out = {
      id: res.getId() as string,
      properties: res.getProperties()?.toJavaScript() as Props,
      inputs: res.getInputs()?.toJavaScript() as Props | undefined,
    };
    this.log({ method: "read", response: out });
    return out;
  }

  async update(type: ResourceRef, id: string, olds: Props, news: Props): Promise<Props> {
    const req = new provproto.UpdateRequest();
    req.setId(id);
    req.setUrn(urnOf(type));
    req.setOlds(structproto.Struct.fromJavaScript(olds));
    req.setNews(structproto.Struct.fromJavaScript(news));
    const res = await this.call<any>("update", req, { id, olds, news });
    const out = res.getProperties().toJavaScript() as Props;
    this.log({ method: "update", response: out });
    return out;
  }

  async delete(type: ResourceRef, id: string, props: Props): Promise<void> {
    const req = new provproto.DeleteRequest();
    req.setId(id);
    req.setUrn(urnOf(type));
    req.setProperties(structproto.Struct.fromJavaScript(props));
    await this.call("delete", req, { id, props });
  }

  async stop(): Promise<void> {
    await stopPlugin(this.child, this.client);
  }
}

function urnOf(ref: ResourceRef): string {
  return ref.startsWith("urn:") ? ref : `urn:pulumi:test::boosted::pulumi-nodejs:dynamic/boosted:${ref}::r`;
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
