/**
 * TEST INFRASTRUCTURE: a stand-in for the Pulumi engine's side of the protocol, so that our
 * examples and end-to-end tests run real Pulumi programs where the Pulumi CLI cannot be
 * installed. It is not a product feature and not a replacement for Pulumi (see README.md here).
 *
 * What it does, the way the engine does it:
 * - runs the program with `@pulumi/pulumi/cmd/run` (the Node.js language host's runner), serving
 *   it a ResourceMonitor and an Engine over gRPC;
 * - forwards every dynamic resource to `@pulumi/pulumi/cmd/dynamic-provider` processes (one for
 *   the default `pulumi-nodejs` provider, configured with the whole stack config, and one per
 *   explicit provider, configured with its inputs): Check (olds = prior inputs), Diff (olds =
 *   prior outputs), then Create / Update / Replace / Read, and Delete for resources the program
 *   no longer declares, in reverse dependency order;
 * - keeps a JSON checkpoint (see state.ts) and honours protect, retainOnDelete, dependsOn,
 *   deleteBeforeReplace and a parallelism limit.
 */
import { randomUUID } from "node:crypto";
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import * as grpc from "@grpc/grpc-js";
import { HostError, ProviderHost } from "./provider-host";
import { readConfig, readProject, stackCrypter, type Project } from "./project";
import { isSecret, secretValue, unwrapSecrets } from "./secrets";
import { StateStore, type Props, type ResourceState } from "./state";
import { Analyzer, type AnalyzedResource, type PolicyViolation } from "./analyzer";

const resproto = require("@pulumi/pulumi/proto/resource_pb");
const resrpc = require("@pulumi/pulumi/proto/resource_grpc_pb");
const engproto = require("@pulumi/pulumi/proto/engine_pb");
const engrpc = require("@pulumi/pulumi/proto/engine_grpc_pb");
const emptyproto = require("google-protobuf/google/protobuf/empty_pb");
const structproto = require("google-protobuf/google/protobuf/struct_pb");

export type Operation = "preview" | "up" | "refresh" | "destroy";
export type StepOp = "create" | "update" | "replace" | "delete" | "same" | "refresh" | "forget";

export interface Step {
  op: StepOp;
  urn: string;
  type: string;
  name: string;
  /** Properties that change (updates and refresh drift). */
  diffs?: string[];
}

export interface EngineOptions {
  /** The project's folder (holds Pulumi.yaml). */
  projectDir: string;
  stack: string;
  /** Resource operations at once, like `pulumi up --parallel`. @default 16 */
  parallel?: number;
  /** Policy pack folders, run through `@pulumi/pulumi/cmd/run-policy-pack` (the real analyzer). */
  policyPacks?: string[];
  /** Policy config, as in `--policy-pack-config`: `{ "<policy>": level | { enforcementLevel?, ...settings } }`. */
  policyConfig?: Record<string, unknown>;
  /** Stack tags, for policies that read them (e.g. `environment: production`). */
  tags?: Record<string, string>;
  /** Where output lines go. @default process.stdout */
  out?: (line: string) => void;
  /** Print only the summary, not a line per resource. */
  quiet?: boolean;
  /** Fail (exit code 1) if the operation would change anything. */
  expectNoChanges?: boolean;
  /** With refresh: show drift without writing it to the state. */
  previewOnly?: boolean;
  /** Extra environment for the program and the provider hosts. */
  env?: Record<string, string>;
  /** Measure the program process's CPU time (benchmarks). */
  measure?: boolean;
}

export interface OperationResult {
  ok: boolean;
  steps: Step[];
  counts: Record<StepOp, number>;
  /** Stack outputs. */
  outputs: Props;
  errors: string[];
  violations: PolicyViolation[];
  /**
   * Wall time in ms; the program's run; the resource phase (first registration to last provider
   * call); the summed time of provider calls (they overlap under parallelism) and their count.
   */
  timing: {
    totalMs: number;
    programMs: number;
    /** The program process's own CPU time (with `measure`): the Pulumi SDK and the program. */
    programCpuMs?: number;
    resourcePhaseMs: number;
    providerCallMs: number;
    providerCalls: number;
  };
  /** Provider host process ids (for CPU and memory measurements). */
  hostPids: number[];
  /** Each provider host's CPU time and peak memory, read just before it stopped (Linux). */
  hostStats: { pid: number; cpuMs: number; peakRssMb: number }[];
  stateFile: string;
}

const STACK_TYPE = "pulumi:pulumi:Stack";
const NODEJS_PROVIDER = "pulumi:providers:pulumi-nodejs";
const SYMBOL: Record<StepOp, string> = {
  create: "+",
  update: "~",
  replace: "+-",
  delete: "-",
  same: "=",
  refresh: "~",
  forget: "-",
};

/** A counting semaphore: at most `n` provider operations run at once. */
class Limiter {
  private active = 0;
  private readonly queue: (() => void)[] = [];
  constructor(private readonly n: number) {}
  async run<T>(fn: () => Promise<T>): Promise<T> {
    if (this.active >= this.n) await new Promise<void>((r) => this.queue.push(r));
    this.active++;
    try {
      return await fn();
    } finally {
      this.active--;
      this.queue.shift()?.();
    }
  }
}

const typeOfUrn = (urn: string) => urn.split("::")[2]!.split("$").pop()!;
const nameOfUrn = (urn: string) => urn.split("::").slice(3).join("::");

/** One run of preview, up, refresh or destroy against one stack. */
class Deployment {
  readonly project: Project;
  readonly state: StateStore;
  readonly config: Record<string, string>;
  readonly secretKeys: string[];
  readonly steps: Step[] = [];
  readonly errors: string[] = [];
  readonly violations: PolicyViolation[] = [];
  readonly registered = new Set<string>();
  private readonly hosts = new Map<string, Promise<ProviderHost>>();
  private readonly limiter: Limiter;
  private readonly out: (line: string) => void;
  private stackOutputs: Props = {};
  private rootUrn = "";
  private analyzer?: Analyzer;
  providerCallMs = 0;
  providerCalls = 0;
  firstRegisterAt?: number;
  lastCallEndAt?: number;
  programCpuMs?: number;
  private readonly pendingDeletes: ResourceState[] = [];

  constructor(
    readonly options: EngineOptions,
    readonly operation: Operation,
  ) {
    this.project = readProject(options.projectDir);
    const { config, secretKeys } = readConfig(this.project, options.stack);
    this.config = config;
    this.secretKeys = secretKeys;
    this.state = new StateStore(StateStore.fileFor(this.project.dir, options.stack), options.stack, () =>
      stackCrypter(this.project, options.stack),
    );
    this.limiter = new Limiter(options.parallel ?? 16);
    this.out = options.out ?? ((line) => process.stdout.write(`${line}\n`));
  }

  get dryRun(): boolean {
    return (
      this.operation === "preview" || (this.operation === "refresh" && Boolean(this.options.previewOnly))
    );
  }

  print(line: string): void {
    this.out(line);
  }

  step(s: Step): void {
    this.steps.push(s);
    if (this.options.quiet || s.op === "same") return;
    const diffs = s.diffs?.length ? ` [diff: ${s.diffs.map((d) => `~${d}`).join(", ")}]` : "";
    this.print(` ${SYMBOL[s.op].padEnd(2)} ${s.type.padEnd(46)} ${s.name.padEnd(28)} ${s.op}${diffs}`);
  }

  error(message: string): void {
    this.errors.push(message);
    this.print(`error: ${message}`);
  }

  // ---- provider hosts -------------------------------------------------------------------------

  private defaultProviderUrn(): string {
    return `urn:pulumi:${this.options.stack}::${this.project.name}::${NODEJS_PROVIDER}::default`;
  }

  /** The config a default provider's Configure receives: the whole stack config, secrets marked. */
  private defaultProviderConfig(): Props {
    const args: Props = {};
    for (const [k, v] of Object.entries(this.config))
      args[k] = this.secretKeys.includes(k) ? secretValue(v) : v;
    return args;
  }

  /** The host for a provider reference (`urn::id`, or "" for the default provider). */
  hostFor(providerRef: string | undefined): Promise<ProviderHost> {
    const urn = providerRef ? providerRef.split("::").slice(0, -1).join("::") : this.defaultProviderUrn();
    let host = this.hosts.get(urn);
    if (!host) {
      const config =
        urn === this.defaultProviderUrn()
          ? this.defaultProviderConfig()
          : this.state.resources.get(urn)?.inputs;
      if (!config) throw new Error(`provider ${urn} is not known`);
      host = this.startHost(urn, config);
      this.hosts.set(urn, host);
    }
    return host;
  }

  private async startHost(urn: string, config: Props): Promise<ProviderHost> {
    // The engine starts plugins in the project's folder, with the user's environment.
    const host = await ProviderHost.start({ cwd: this.project.dir, record: false, env: undefined });
    host.onOutput = (text) => {
      for (const line of text.split("\n").filter((l) => l.trim()))
        this.print(`    ${nameOfUrn(urn)} provider: ${line}`);
    };
    await host.configure(config);
    return host;
  }

  /** A provider call, within the parallelism limit, timed. */
  async call<T>(fn: () => Promise<T>): Promise<T> {
    return this.limiter.run(async () => {
      const started = performance.now();
      try {
        return await fn();
      } finally {
        this.lastCallEndAt = performance.now();
        this.providerCallMs += this.lastCallEndAt - started;
        this.providerCalls++;
      }
    });
  }

  async hostPids(): Promise<number[]> {
    const hosts = await Promise.all([...this.hosts.values()].map((h) => h.catch(() => undefined)));
    return hosts.map((h) => h?.pid).filter((p): p is number => p !== undefined);
  }

  async stopHosts(): Promise<void> {
    const hosts = await Promise.all([...this.hosts.values()].map((h) => h.catch(() => undefined)));
    await Promise.all(hosts.filter((h) => h !== undefined).map((h) => h.stop()));
    await this.analyzer?.stop();
  }

  // ---- the program ----------------------------------------------------------------------------

  urnFor(type: string, name: string, parent: string): string {
    let qualified = type;
    if (parent && typeOfUrn(parent) !== STACK_TYPE) qualified = `${parent.split("::")[2]}$${type}`;
    return `urn:pulumi:${this.options.stack}::${this.project.name}::${qualified}::${name}`;
  }

  /** Runs the program against our monitor; resolves with its exit code. */
  async runProgram(): Promise<number> {
    if (this.options.policyPacks?.length) {
      this.analyzer = await Analyzer.start(
        this.options.policyPacks,
        {
          project: this.project.name,
          stack: this.options.stack,
          dryRun: this.dryRun,
          tags: this.options.tags ?? {},
          cwd: this.project.dir,
          config: this.options.policyConfig,
        },
        (line) => this.print(line),
      );
    }
    const server = new grpc.Server();
    server.addService(resrpc.ResourceMonitorService, new Monitor(this) as any);
    server.addService(engrpc.EngineService, new EngineService(this) as any);
    const port = await new Promise<number>((resolve, reject) =>
      server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (err, p) =>
        err ? reject(err) : resolve(p),
      ),
    );
    const address = `127.0.0.1:${port}`;
    const run = require.resolve("@pulumi/pulumi/cmd/run");
    const args = [
      ...(this.options.measure ? ["--require", path.join(__dirname, "program-cpu.js")] : []),
      run,
      `--monitor=${address}`,
      `--engine=${address}`,
      `--project=${this.project.name}`,
      `--stack=${this.options.stack}`,
      `--root-directory=${this.project.dir}`,
      `--pwd=${this.project.dir}`,
      `--parallel=${this.options.parallel ?? 16}`,
      ...(this.dryRun ? ["--dry-run"] : []),
      this.project.main,
    ];
    const child = spawn(process.execPath, args, {
      cwd: this.project.dir,
      env: {
        ...process.env,
        ...this.options.env,
        // Pulumi.yaml's runtime.options.typescript, as the Node.js language host reads it.
        PULUMI_NODEJS_TYPESCRIPT: String(this.project.typescript),
        // Type checking is the build's job (as with `noCheck`); the stand-in only runs.
        PULUMI_NODEJS_TRANSPILE_ONLY: "true",
        PULUMI_CONFIG: JSON.stringify(this.config),
        PULUMI_CONFIG_SECRET_KEYS: JSON.stringify(this.secretKeys),
      },
    });
    const relay = (d: Buffer) => {
      for (const line of d.toString().split("\n")) {
        if (!line.trim()) continue;
        const cpu = /^__STANDIN_PROGRAM_CPU_MS__ (\d+)$/.exec(line);
        if (cpu) this.programCpuMs = Number(cpu[1]);
        else this.print(`    ${line}`);
      }
    };
    child.stdout.on("data", relay);
    child.stderr.on("data", relay);
    // "close", not "exit": the program's last output may still be in the pipes at exit.
    const code = await new Promise<number>((resolve) => child.on("close", (c) => resolve(c ?? 1)));
    server.forceShutdown();
    return code;
  }

  // ---- steps ----------------------------------------------------------------------------------

  /** A resource registration from the program; returns what the monitor answers. */
  async register(req: RegisterRequest): Promise<{ urn: string; id: string; outputs: Props }> {
    this.firstRegisterAt ??= performance.now();
    const urn = this.urnFor(req.type, req.name, req.parent);
    if (this.registered.has(urn))
      throw new Error(`Duplicate resource URN '${urn}'; try giving it a unique name`);
    this.registered.add(urn);
    let old = this.state.resources.get(urn);
    const base = {
      urn,
      type: req.type,
      custom: req.custom,
      parent: req.parent || undefined,
      dependencies: req.dependencies,
      protect: req.protect,
      retainOnDelete: req.retainOnDelete,
    };

    if (!req.custom) {
      if (req.type === STACK_TYPE) this.rootUrn = urn;
      if (!old && !this.dryRun) this.state.set({ ...base, inputs: {}, outputs: {} });
      this.step({ op: old ? "same" : "create", urn, type: req.type, name: req.name });
      return { urn, id: "", outputs: {} };
    }

    if (req.type === NODEJS_PROVIDER) return this.registerProvider(req, urn, old, base);

    const providerRef = req.provider || `${this.defaultProviderUrn()}::${this.defaultProviderId()}`;
    const host = await this.hostFor(providerRef);
    const news = unwrapSecrets(req.inputs) as Props;

    if (req.importId && !old) {
      // Like the engine: Read with the id and no state. A dynamic resource's serialized provider
      // lives in its state, so this cannot work for any dynamic provider.
      try {
        const read = await this.call(() => host.read(urn, req.importId, {}));
        if (!read.id) throw new Error(`resource '${req.importId}' does not exist`);
        old = {
          ...base,
          id: read.id,
          provider: providerRef,
          inputs: read.inputs ?? {},
          outputs: read.properties,
        };
      } catch (err) {
        throw new Error(
          `importing ${urn} failed: ${(err as Error).message}. The engine reads an imported resource without its serialized provider, ` +
            `so dynamic resources cannot be imported this way; use adoptId (or onConflict: "adopt") instead.`,
          { cause: err },
        );
      }
    }

    const checked = await this.call(() => host.check(urn, old?.inputs ?? {}, news));
    if (checked.failures.length > 0) {
      const reasons = checked.failures.map((f) => `${f.property}: ${f.reason}`).join("; ");
      throw new Error(`${req.type} resource '${req.name}' has a problem: ${reasons}`);
    }
    const inputs = checked.inputs;
    if (this.analyzer) {
      const analyzed: AnalyzedResource = {
        urn,
        type: req.type,
        name: req.name,
        properties: inputs,
        options: {
          protect: req.protect,
          deleteBeforeReplace: req.deleteBeforeReplace,
          parent: req.parent,
          provider: req.provider,
        },
        dependencies: req.dependencies,
        propertyDependencies: req.propertyDependencies,
      };
      this.analyzedResources.push(analyzed);
      this.violations.push(...(await this.analyzer.analyze(analyzed)));
    }

    if (!old) {
      this.step({ op: "create", urn, type: req.type, name: req.name });
      if (this.dryRun) return { urn, id: "", outputs: this.markSecrets(inputs, req.inputs) };
      return this.create(host, req, urn, base, providerRef, inputs);
    }

    const diff = await this.call(() => host.diff(urn, old.id ?? "", old.outputs, inputs));
    const changedKeys = changedProperties(old.inputs, inputs);
    const changes = diff.changes === "some" || (diff.changes === "unknown" && changedKeys.length > 0);
    if (diff.replaces.length > 0) {
      if (old.protect)
        throw new Error(`unable to replace resource "${urn}" as it is currently marked for protection`);
      this.step({ op: "replace", urn, type: req.type, name: req.name, diffs: diff.replaces });
      if (this.dryRun) return { urn, id: "", outputs: this.markSecrets(inputs, req.inputs) };
      if (req.deleteBeforeReplace) {
        await this.deleteOne(old);
      } else {
        this.pendingDeletes.push(old);
      }
      return this.create(host, req, urn, base, providerRef, inputs);
    }
    if (!changes) {
      this.step({ op: "same", urn, type: req.type, name: req.name });
      const next = { ...old, ...base, id: old.id, provider: providerRef, inputs, outputs: old.outputs };
      // Write only when something recorded changed (inputs reordered, options, dependencies).
      if (!this.dryRun && JSON.stringify(next) !== JSON.stringify(old)) {
        this.state.set(next);
        await this.state.save();
      }
      return { urn, id: old.id ?? "", outputs: this.markSecrets(old.outputs, req.inputs) };
    }
    this.step({ op: "update", urn, type: req.type, name: req.name, diffs: changedKeys });
    if (this.dryRun)
      return { urn, id: old.id ?? "", outputs: this.markSecrets({ ...old.outputs, ...inputs }, req.inputs) };
    const outputs = await this.call(() => host.update(urn, old.id ?? "", old.outputs, inputs));
    this.state.set({
      ...old,
      ...base,
      id: old.id,
      provider: providerRef,
      inputs,
      outputs,
      initErrors: undefined,
    });
    await this.state.save();
    return { urn, id: old.id ?? "", outputs: this.markSecrets(outputs, req.inputs) };
  }

  private async create(
    host: ProviderHost,
    req: RegisterRequest,
    urn: string,
    base: Partial<ResourceState>,
    providerRef: string,
    inputs: Props,
  ) {
    try {
      const created = await this.call(() => host.create(urn, inputs));
      this.state.set({
        ...(base as ResourceState),
        id: created.id,
        provider: providerRef,
        inputs,
        outputs: created.properties,
      });
      await this.state.save();
      return { urn, id: created.id, outputs: this.markSecrets(created.properties, req.inputs) };
    } catch (err) {
      const failure = err instanceof HostError ? err.initFailure : undefined;
      if (failure) {
        // Created but not initialised: record it, so the next run updates instead of recreating.
        this.state.set({
          ...(base as ResourceState),
          id: failure.id,
          provider: providerRef,
          inputs,
          outputs: failure.properties,
          initErrors: failure.reasons,
        });
        await this.state.save();
      }
      throw err;
    }
  }

  private defaultProviderIdValue?: string;
  private defaultProviderId(): string {
    if (!this.defaultProviderIdValue) {
      const urn = this.defaultProviderUrn();
      const existing = this.state.resources.get(urn);
      this.defaultProviderIdValue = existing?.id ?? randomUUID();
      this.registered.add(urn);
      if (!existing && !this.dryRun) {
        this.state.set({
          urn,
          type: NODEJS_PROVIDER,
          custom: true,
          id: this.defaultProviderIdValue,
          inputs: {},
          outputs: {},
          dependencies: [],
        });
      }
    }
    return this.defaultProviderIdValue;
  }

  private async registerProvider(
    req: RegisterRequest,
    urn: string,
    old: ResourceState | undefined,
    base: Partial<ResourceState>,
  ) {
    const id = old?.id ?? randomUUID();
    const inputs = req.inputs;
    const changed = old
      ? changedProperties(unwrapSecrets(old.inputs) as Props, unwrapSecrets(inputs) as Props)
      : [];
    this.step({
      op: old ? (changed.length ? "update" : "same") : "create",
      urn,
      type: req.type,
      name: req.name,
      diffs: changed,
    });
    // Configured with its own inputs, in its own host process, as the engine does.
    this.state.resources.set(urn, {
      ...(old ?? {}),
      ...(base as ResourceState),
      id,
      inputs,
      outputs: inputs,
    });
    this.hosts.delete(urn);
    await this.hostFor(`${urn}::${id}`);
    if (this.dryRun) {
      if (old) this.state.resources.set(urn, old);
      else this.state.resources.delete(urn);
    } else {
      await this.state.save();
    }
    return { urn, id, outputs: inputs };
  }

  /** Re-marks as secret the outputs whose inputs were secret (the provider takes no secrets). */
  private markSecrets(outputs: Props, rawInputs: Props): Props {
    const out: Props = { ...outputs };
    for (const [k, v] of Object.entries(rawInputs))
      if (isSecret(v) && k in out && !isSecret(out[k])) out[k] = secretValue(out[k]);
    return out;
  }

  registerOutputs(urn: string, outputs: Props): void {
    if (urn !== this.rootUrn) return;
    this.stackOutputs = outputs;
    const stack = this.state.resources.get(urn);
    if (stack && !this.dryRun) this.state.set({ ...stack, outputs });
  }

  get outputs(): Props {
    return this.stackOutputs;
  }

  // ---- deletes --------------------------------------------------------------------------------

  /** Deletes (or, in a preview, lists) resources in reverse dependency order. */
  async deleteAll(victims: ResourceState[]): Promise<void> {
    const remaining = new Map(victims.map((r) => [r.urn, r]));
    const dependsOn = (r: ResourceState, urn: string) =>
      r.parent === urn ||
      r.dependencies.includes(urn) ||
      (r.provider ? r.provider.startsWith(`${urn}::`) : false);
    while (remaining.size > 0) {
      // Everything nothing else (still to delete) depends on can go now, in parallel.
      const ready = [...remaining.values()].filter(
        (r) => ![...remaining.values()].some((o) => o !== r && dependsOn(o, r.urn)),
      );
      if (ready.length === 0) throw new Error("dependency cycle among resources to delete");
      const results = await Promise.allSettled(ready.map((r) => this.deleteOne(r)));
      for (const r of ready) remaining.delete(r.urn);
      const failed = results.find((x) => x.status === "rejected");
      if (failed) throw failed.reason;
    }
  }

  async deleteOne(r: ResourceState): Promise<void> {
    if (r.protect) {
      throw new Error(
        `unable to delete resource "${r.urn}" as it is currently marked for protection. To unprotect it, remove the protect option and run \`up\` first`,
      );
    }
    const name = nameOfUrn(r.urn);
    if (r.retainOnDelete) {
      this.step({ op: "forget", urn: r.urn, type: r.type, name });
    } else {
      this.step({ op: "delete", urn: r.urn, type: r.type, name });
    }
    if (this.dryRun) return;
    if (r.custom && r.type !== NODEJS_PROVIDER && !r.retainOnDelete) {
      const host = await this.hostFor(r.provider);
      await this.call(() => host.delete(r.urn, r.id ?? "", r.outputs));
    }
    this.state.delete(r.urn);
    await this.state.save();
  }

  /** After a successful program: delete what it no longer declares, then replaced originals. */
  async deleteUnregistered(): Promise<void> {
    const victims = [...this.state.resources.values()].filter((r) => !this.registered.has(r.urn));
    await this.deleteAll([...this.pendingDeletes, ...victims]);
    if (!this.dryRun) await this.state.save();
  }

  /**
   * AnalyzeStack over every resource the program declared: their outputs after an update, their
   * checked inputs in a preview (where outputs of new resources are not known).
   */
  async finishAnalysis(): Promise<void> {
    if (!this.analyzer) return;
    const resources = this.analyzedResources.map((r) => {
      const outputs = this.dryRun ? undefined : this.state.resources.get(r.urn)?.outputs;
      return outputs ? { ...r, properties: outputs } : r;
    });
    this.violations.push(...(await this.analyzer.analyzeStack(resources)));
  }

  /** What the analyzer saw of each resource in this run, for the stack analysis. */
  readonly analyzedResources: AnalyzedResource[] = [];
}

/** What the stand-in needs of a RegisterResourceRequest. */
export interface RegisterRequest {
  type: string;
  name: string;
  parent: string;
  custom: boolean;
  inputs: Props;
  provider: string;
  dependencies: string[];
  protect?: boolean;
  retainOnDelete?: boolean;
  deleteBeforeReplace: boolean;
  importId: string;
  /** Input property → the resources its value came from. */
  propertyDependencies: Record<string, string[]>;
}

/** Top-level keys whose values differ (order-insensitive for sets is the provider's call). */
function changedProperties(olds: Props, news: Props): string[] {
  const keys = new Set([...Object.keys(olds), ...Object.keys(news)]);
  keys.delete("__provider");
  return [...keys].filter((k) => JSON.stringify(olds[k]) !== JSON.stringify(news[k])).sort();
}

/** The ResourceMonitor gRPC service the program talks to. */
class Monitor {
  constructor(private readonly d: Deployment) {}

  supportsFeature(call: any, cb: any) {
    const id = call.request.getId();
    cb(null, new resproto.SupportsFeatureResponse().setHassupport(id === "secrets"));
  }

  async registerResource(call: any, cb: any) {
    const r = call.request;
    const dependencies = new Set<string>(r.getDependenciesList());
    const propertyDependencies: Record<string, string[]> = {};
    r.getPropertydependenciesMap().forEach((v: any, k: string) => {
      propertyDependencies[k] = v.getUrnsList();
      for (const u of v.getUrnsList()) dependencies.add(u);
    });
    const req: RegisterRequest = {
      type: r.getType(),
      name: r.getName(),
      parent: r.getParent(),
      custom: r.getCustom(),
      inputs: (r.getObject()?.toJavaScript() ?? {}) as Props,
      provider: r.getProvider(),
      dependencies: [...dependencies],
      protect: r.hasProtect() ? r.getProtect() : undefined,
      retainOnDelete: r.hasRetainondelete() ? r.getRetainondelete() : undefined,
      deleteBeforeReplace: r.getDeletebeforereplace(),
      importId: r.getImportid(),
      propertyDependencies,
    };
    try {
      const res = await this.d.register(req);
      const resp = new resproto.RegisterResourceResponse();
      resp.setUrn(res.urn);
      resp.setId(res.id);
      resp.setObject(structproto.Struct.fromJavaScript(res.outputs));
      cb(null, resp);
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      this.d.error(message);
      cb({ code: grpc.status.UNKNOWN, details: message });
    }
  }

  registerResourceOutputs(call: any, cb: any) {
    this.d.registerOutputs(call.request.getUrn(), (call.request.getOutputs()?.toJavaScript() ?? {}) as Props);
    cb(null, new emptyproto.Empty());
  }

  signalAndWaitForShutdown(_call: any, cb: any) {
    cb(null, new emptyproto.Empty());
  }

  invoke(call: any, cb: any) {
    cb({
      code: grpc.status.UNIMPLEMENTED,
      details: `the engine stand-in has no invoke ${call.request.getTok()}`,
    });
  }

  readResource(_call: any, cb: any) {
    cb({
      code: grpc.status.UNIMPLEMENTED,
      details: "the engine stand-in does not support resource reads (.get)",
    });
  }
}

/** The Engine gRPC service: logs and the root resource. */
class EngineService {
  private root = "";
  constructor(private readonly d: Deployment) {}

  log(call: any, cb: any) {
    const severity = ["debug", "info", "warning", "error"][call.request.getSeverity()] ?? "info";
    if (severity !== "debug") {
      const urn = call.request.getUrn();
      this.d.print(`${severity}: ${urn ? `${nameOfUrn(urn)}: ` : ""}${call.request.getMessage()}`);
    }
    cb(null, new emptyproto.Empty());
  }

  getRootResource(_call: any, cb: any) {
    cb(null, new engproto.GetRootResourceResponse().setUrn(this.root));
  }

  setRootResource(call: any, cb: any) {
    this.root = call.request.getUrn();
    cb(null, new engproto.SetRootResourceResponse());
  }
}

// ---- operations ---------------------------------------------------------------------------------

/** CPU time (user + system) and peak resident memory of a process, from /proc (Linux only). */
function processStats(pid: number): { pid: number; cpuMs: number; peakRssMb: number } | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const ticks = Number(fields[11]) + Number(fields[12]); // utime + stime
    const hwm = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return { pid, cpuMs: (ticks * 1000) / 100, peakRssMb: hwm ? Number(hwm[1]) / 1024 : 0 };
  } catch {
    return undefined;
  }
}

const EMPTY_COUNTS = (): Record<StepOp, number> => ({
  create: 0,
  update: 0,
  replace: 0,
  delete: 0,
  same: 0,
  refresh: 0,
  forget: 0,
});

async function finish(
  d: Deployment,
  started: number,
  programMs: number,
  ok: boolean,
): Promise<OperationResult> {
  const counts = EMPTY_COUNTS();
  for (const s of d.steps) counts[s.op]++;
  const mandatory = d.violations.filter((v) => v.enforcementLevel === "mandatory");
  if (mandatory.length > 0) {
    d.error(`${mandatory.length} mandatory policy violation${mandatory.length > 1 ? "s" : ""}`);
    ok = false;
  }
  const changes =
    counts.create + counts.update + counts.replace + counts.delete + counts.forget + counts.refresh;
  if (ok && d.options.expectNoChanges && changes > 0) {
    d.error("no changes were expected but changes were found (--expect-no-changes)");
    ok = false;
  }
  const parts = (
    [
      ["+", "create", counts.create, d.dryRun ? "to create" : "created"],
      ["~", "update", counts.update + counts.refresh, d.dryRun ? "to update" : "updated"],
      ["+-", "replace", counts.replace, d.dryRun ? "to replace" : "replaced"],
      ["-", "delete", counts.delete + counts.forget, d.dryRun ? "to delete" : "deleted"],
    ] as const
  )
    .filter(([, , n]) => n > 0)
    .map(([sym, , n, word]) => `${sym} ${n} ${word}`);
  parts.push(`${counts.same} unchanged`);
  d.print(`Resources: ${parts.join(", ")}`);
  const hostPids = await d.hostPids();
  const hostStats = hostPids.map(processStats).filter((x): x is NonNullable<typeof x> => x !== undefined);
  await d.stopHosts();
  const totalMs = performance.now() - started;
  d.print(`Duration: ${(totalMs / 1000).toFixed(1)}s${ok ? "" : " (failed)"}`);
  return {
    ok,
    steps: d.steps,
    counts,
    outputs: d.outputs,
    errors: d.errors,
    violations: d.violations,
    timing: {
      totalMs,
      programMs,
      programCpuMs: d.programCpuMs,
      resourcePhaseMs:
        d.firstRegisterAt && d.lastCallEndAt ? Math.max(0, d.lastCallEndAt - d.firstRegisterAt) : 0,
      providerCallMs: d.providerCallMs,
      providerCalls: d.providerCalls,
    },
    hostPids,
    hostStats,
    stateFile: d.state.file,
  };
}

async function runProgramOperation(
  options: EngineOptions,
  operation: "preview" | "up",
): Promise<OperationResult> {
  const started = performance.now();
  const d = new Deployment(options, operation);
  d.print(
    `${operation === "preview" ? "Previewing update" : "Updating"} (${options.stack}) of ${d.project.name}${options.policyPacks?.length ? ` with policy packs ${options.policyPacks.map((p) => path.basename(p)).join(", ")}` : ""}:`,
  );
  let ok = true;
  let programMs = 0;
  try {
    const p0 = performance.now();
    const code = await d.runProgram();
    programMs = performance.now() - p0;
    if (code !== 0) {
      if (d.errors.length === 0) d.error(`the program exited with code ${code}`);
      ok = false;
    } else {
      await d.finishAnalysis();
      await d.deleteUnregistered();
    }
  } catch (err) {
    d.error(err instanceof Error ? err.message : String(err));
    ok = false;
  }
  if (operation === "up") await d.state.save();
  return finish(d, started, programMs, ok);
}

/** `pulumi preview`: Check and Diff only; no API writes, no state change. */
export function preview(options: EngineOptions): Promise<OperationResult> {
  return runProgramOperation(options, "preview");
}

/** `pulumi up` */
export function up(options: EngineOptions): Promise<OperationResult> {
  return runProgramOperation(options, "up");
}

/** `pulumi refresh` (`previewOnly` for `--preview-only`). */
export async function refresh(options: EngineOptions): Promise<OperationResult> {
  const started = performance.now();
  const d = new Deployment(options, "refresh");
  d.print(
    `${options.previewOnly ? "Previewing refresh" : "Refreshing"} (${options.stack}) of ${d.project.name}:`,
  );
  let ok = true;
  const resources = [...d.state.resources.values()].filter((r) => r.custom && r.type !== NODEJS_PROVIDER);
  d.firstRegisterAt = performance.now();
  const results = await Promise.allSettled(
    resources.map(async (r) => {
      const host = await d.hostFor(r.provider);
      const read = await d.call(() => host.read(r.urn, r.id ?? "", r.outputs));
      const name = nameOfUrn(r.urn);
      if (!read.id) {
        d.registered.add(r.urn);
        d.step({ op: "delete", urn: r.urn, type: r.type, name });
        if (!d.dryRun) d.state.delete(r.urn);
        return;
      }
      const diffs = changedProperties(r.outputs, read.properties);
      d.step({ op: diffs.length ? "refresh" : "same", urn: r.urn, type: r.type, name, diffs });
      if (!d.dryRun)
        d.state.set({ ...r, id: read.id, outputs: read.properties, inputs: read.inputs ?? r.inputs });
    }),
  );
  for (const r of results) {
    if (r.status === "rejected") {
      d.error(r.reason instanceof Error ? r.reason.message : String(r.reason));
      ok = false;
    }
  }
  if (!d.dryRun) await d.state.save();
  return finish(d, started, 0, ok);
}

/** `pulumi destroy` */
export async function destroy(options: EngineOptions): Promise<OperationResult> {
  const started = performance.now();
  const d = new Deployment(options, "destroy");
  d.print(`Destroying (${options.stack}) of ${d.project.name}:`);
  let ok = true;
  try {
    await d.deleteAll([...d.state.resources.values()]);
  } catch (err) {
    d.error(err instanceof Error ? err.message : String(err));
    ok = false;
  }
  await d.state.save();
  return finish(d, started, 0, ok);
}
