/**
 * TEST INFRASTRUCTURE (engine stand-in). Runs policy packs the way the engine does: each pack in
 * `@pulumi/pulumi/cmd/run-policy-pack` (the real analyzer host), spoken to over gRPC —
 * GetAnalyzerInfo, Configure (policy config), ConfigureStack (stack, project, tags, dry run),
 * Analyze for each resource's checked inputs, and AnalyzeStack at the end of the program.
 */
import type { ChildProcessWithoutNullStreams } from "node:child_process";
import { startPlugin, stopPlugin } from "./plugin";
import * as grpc from "@grpc/grpc-js";

const anproto = require("@pulumi/pulumi/proto/analyzer_pb");
const anrpc = require("@pulumi/pulumi/proto/analyzer_grpc_pb");
const structproto = require("google-protobuf/google/protobuf/struct_pb");
const emptyproto = require("google-protobuf/google/protobuf/empty_pb");

type Props = Record<string, unknown>;
export type EnforcementLevel = "advisory" | "mandatory" | "disabled" | "remediate";
const LEVELS: EnforcementLevel[] = ["advisory", "mandatory", "disabled", "remediate"];

/** One policy violation, as `pulumi preview` reports it. */
export interface PolicyViolation {
  policyPack: string;
  policyName: string;
  enforcementLevel: EnforcementLevel;
  message: string;
  urn?: string;
}

/** A policy as the pack describes itself. */
export interface PolicyInfo {
  name: string;
  description: string;
  enforcementLevel: EnforcementLevel;
  configSchema?: Props;
}

export interface AnalyzedResource {
  urn: string;
  type: string;
  name: string;
  properties: Props;
  options: { protect?: boolean; deleteBeforeReplace?: boolean; parent?: string; provider?: string };
  dependencies?: string[];
  propertyDependencies?: Record<string, string[]>;
}

export interface AnalyzerOptions {
  project: string;
  stack: string;
  dryRun: boolean;
  tags: Record<string, string>;
  cwd: string;
  /** Policy config: `{ "<policy>": "mandatory" | { enforcementLevel?, ...properties } }`, as in `--policy-pack-config`. */
  config?: Record<string, unknown>;
}

/** One running policy pack. */
export class PolicyPackHost {
  output = "";
  name = "";
  policies: PolicyInfo[] = [];

  private constructor(
    private readonly child: ChildProcessWithoutNullStreams,
    private readonly client: any,
  ) {}

  static async start(packDir: string, options: AnalyzerOptions): Promise<PolicyPackHost> {
    const { child, port } = await startPlugin(
      "policy pack " + packDir,
      require.resolve("@pulumi/pulumi/cmd/run-policy-pack"),
      [packDir],
      {
        cwd: packDir,
        env: { ...process.env, PULUMI_NODEJS_TRANSPILE_ONLY: "true" },
      },
    );
    const host = new PolicyPackHost(
      child,
      new anrpc.AnalyzerClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure()),
    );
    child.stderr.on("data", (d: Buffer) => (host.output += d.toString()));

    const info = await host.call<any>("getAnalyzerInfo", new emptyproto.Empty());
    host.name = info.getName();
    host.policies = info.getPoliciesList().map((p: any) => ({
      name: p.getName(),
      description: p.getDescription(),
      enforcementLevel: LEVELS[p.getEnforcementlevel()] ?? "advisory",
      configSchema: p.getConfigschema()?.getProperties()?.toJavaScript(),
    }));

    const configure = new anproto.ConfigureAnalyzerRequest();
    const map = configure.getPolicyconfigMap();
    for (const policy of host.policies) {
      const given = options.config?.[policy.name] ?? options.config?.all;
      const { enforcementLevel, ...properties } = (
        typeof given === "string" ? { enforcementLevel: given } : (given ?? {})
      ) as Props;
      const pc = new anproto.PolicyConfig();
      pc.setEnforcementlevel(
        LEVELS.indexOf((enforcementLevel as EnforcementLevel | undefined) ?? policy.enforcementLevel),
      );
      pc.setProperties(structproto.Struct.fromJavaScript(properties));
      map.set(policy.name, pc);
    }
    await host.call("configure", configure);

    const stack = new anproto.AnalyzerStackConfigureRequest();
    stack.setStack(options.stack);
    stack.setProject(options.project);
    stack.setDryRun(options.dryRun);
    for (const [k, v] of Object.entries(options.tags)) stack.getTagsMap().set(k, v);
    await host.call("configureStack", stack);
    return host;
  }

  private call<T>(method: string, req: unknown): Promise<T> {
    return new Promise((resolve, reject) =>
      this.client[method](req, (err: grpc.ServiceError | null, res: T) =>
        err ? reject(new Error(`${method}: ${err.details}`)) : resolve(res),
      ),
    );
  }

  private toResource<T>(Cls: any, r: AnalyzedResource): T {
    const msg = new Cls();
    msg.setType(r.type);
    msg.setUrn(r.urn);
    msg.setName(r.name);
    msg.setProperties(structproto.Struct.fromJavaScript(r.properties));
    const opts = new anproto.AnalyzerResourceOptions();
    opts.setProtect(Boolean(r.options.protect));
    opts.setDeletebeforereplace(Boolean(r.options.deleteBeforeReplace));
    msg.setOptions(opts);
    if (r.options.parent && "setParent" in msg) msg.setParent(r.options.parent);
    if ("setDependenciesList" in msg) {
      msg.setDependenciesList(r.dependencies ?? []);
      for (const [prop, urns] of Object.entries(r.propertyDependencies ?? {})) {
        msg
          .getPropertydependenciesMap()
          .set(prop, new anproto.AnalyzerPropertyDependencies().setUrnsList(urns));
      }
    }
    return msg;
  }

  private violations(res: any): PolicyViolation[] {
    return res.getDiagnosticsList().map((d: any) => ({
      policyPack: d.getPolicypackname(),
      policyName: d.getPolicyname(),
      enforcementLevel: LEVELS[d.getEnforcementlevel()] ?? "advisory",
      message: d.getMessage(),
      urn: d.getUrn() || undefined,
    }));
  }

  async analyze(r: AnalyzedResource): Promise<PolicyViolation[]> {
    return this.violations(await this.call("analyze", this.toResource(anproto.AnalyzeRequest, r)));
  }

  async analyzeStack(resources: AnalyzedResource[]): Promise<PolicyViolation[]> {
    const req = new anproto.AnalyzeStackRequest();
    req.setResourcesList(resources.map((r) => this.toResource(anproto.AnalyzerResource, r)));
    return this.violations(await this.call("analyzeStack", req));
  }

  async stop(): Promise<void> {
    await stopPlugin(this.child, this.client);
  }
}

/** All policy packs of a run; prints violations as they are found. */
export class Analyzer {
  private constructor(
    readonly packs: PolicyPackHost[],
    private readonly print: (line: string) => void,
  ) {}

  static async start(
    dirs: string[],
    options: AnalyzerOptions,
    print: (line: string) => void,
  ): Promise<Analyzer> {
    return new Analyzer(await Promise.all(dirs.map((d) => PolicyPackHost.start(d, options))), print);
  }

  private report(vs: PolicyViolation[]): PolicyViolation[] {
    for (const v of vs) {
      if (v.enforcementLevel === "disabled") continue;
      this.print(
        `    ${v.enforcementLevel}: [${v.policyName}] ${v.message.trim()}${v.urn ? ` (${v.urn.split("::").pop()})` : ""}`,
      );
    }
    return vs;
  }

  async analyze(r: AnalyzedResource): Promise<PolicyViolation[]> {
    return this.report((await Promise.all(this.packs.map((p) => p.analyze(r)))).flat());
  }

  async analyzeStack(resources: AnalyzedResource[]): Promise<PolicyViolation[]> {
    return this.report((await Promise.all(this.packs.map((p) => p.analyzeStack(resources)))).flat());
  }

  async stop(): Promise<void> {
    await Promise.all(this.packs.map((p) => p.stop()));
  }
}
