/**
 * Fault injection for the sandbox: the network and server misbehaviour a client must survive.
 * Configurable at start and at run time (admin route `PUT /__sandbox/faults`).
 */
import { z } from "zod";

/** A fault for the next matching request(s), in order: precise, for tests that count. */
export const ScriptedFault = z.strictObject({
  /** Only requests with this method. */
  method: z.enum(["GET", "POST", "PUT", "PATCH"]).optional(),
  /** Only requests to this path (no query). */
  path: z.string().optional(),
  /** How many matching requests it hits. @default 1 */
  times: z.number().int().positive().default(1),
  fault: z.union([
    /** Answer with this status without processing the request. */
    z.strictObject({
      status: z.number().int().min(400).max(599),
      retryAfterSeconds: z.number().min(0).optional(),
    }),
    /** Process the request (commit the change), then drop the connection without answering. */
    z.strictObject({ lostResponse: z.literal(true) }),
    /** Wait this long before processing. */
    z.strictObject({ delayMs: z.number().int().min(0) }),
  ]),
});
export type ScriptedFault = z.input<typeof ScriptedFault>;

export const FaultConfig = z.strictObject({
  /** Added to every request, in ms. */
  latencyMs: z.number().min(0).default(0),
  /** Up to this much more, uniformly random, in ms. */
  jitterMs: z.number().min(0).default(0),
  /** Answer every Nth request with 429. */
  rateLimitEveryNth: z.number().int().positive().optional(),
  /** Answer with 429 once more than this many requests arrive within one second. */
  rateLimitPerSecond: z.number().positive().optional(),
  /** `Retry-After` sent with a 429, in seconds. @default 1 */
  retryAfterSeconds: z.number().min(0).default(1),
  /** Share of requests answered with a 5xx from `errorStatuses` (0..1). */
  errorRate: z.number().min(0).max(1).default(0),
  errorStatuses: z.array(z.number().int().min(500).max(599)).default([503]),
  /** Share of successful writes whose response is lost after the change is committed (0..1). */
  lostResponseRate: z.number().min(0).max(1).default(0),
  /** Share of requests that are held for `slowMs` first (beyond a client's timeout). */
  slowRate: z.number().min(0).max(1).default(0),
  slowMs: z.number().int().min(0).default(0),
  /** Seed of the random choices, for repeatable runs. */
  seed: z.number().int().default(1),
  /** Faults for specific upcoming requests, consumed in order. */
  script: z.array(ScriptedFault).default([]),
});
export type FaultConfig = z.input<typeof FaultConfig>;
type Parsed = z.output<typeof FaultConfig>;

/** What to do with one request. */
export interface FaultDecision {
  delayMs: number;
  status?: number;
  retryAfterSeconds?: number;
  lostResponse: boolean;
  /** Short label for the request log. */
  label?: string;
}

/** mulberry32: a tiny seeded PRNG, so a fault run can be repeated exactly. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export class Faults {
  private config!: Parsed;
  private random!: () => number;
  private count = 0;
  private window: number[] = [];

  constructor(config: FaultConfig = {}) {
    this.set(config);
  }

  /** Replaces the configuration (validated; throws a zod error naming the field). */
  set(config: FaultConfig): void {
    this.config = FaultConfig.parse(config);
    this.random = prng(this.config.seed);
    this.count = 0;
    this.window = [];
  }

  get(): Parsed {
    return this.config;
  }

  decide(method: string, path: string, isWrite: boolean): FaultDecision {
    const c = this.config;
    this.count++;
    const d: FaultDecision = {
      delayMs: c.latencyMs + (c.jitterMs ? this.random() * c.jitterMs : 0),
      lostResponse: false,
    };

    const scripted = c.script.find((f) => (!f.method || f.method === method) && (!f.path || f.path === path));
    if (scripted) {
      scripted.times--;
      if (scripted.times <= 0) c.script.splice(c.script.indexOf(scripted), 1);
      const f = scripted.fault;
      if ("status" in f)
        return {
          ...d,
          status: f.status,
          retryAfterSeconds: f.retryAfterSeconds,
          label: `scripted ${f.status}`,
        };
      if ("lostResponse" in f) return { ...d, lostResponse: true, label: "scripted lost response" };
      return { ...d, delayMs: d.delayMs + f.delayMs, label: `scripted delay ${f.delayMs}ms` };
    }

    if (c.rateLimitEveryNth && this.count % c.rateLimitEveryNth === 0) {
      return { ...d, status: 429, retryAfterSeconds: c.retryAfterSeconds, label: "rate limit (every Nth)" };
    }
    if (c.rateLimitPerSecond) {
      const now = Date.now();
      this.window = this.window.filter((t) => now - t < 1000);
      if (this.window.length >= c.rateLimitPerSecond) {
        return {
          ...d,
          status: 429,
          retryAfterSeconds: c.retryAfterSeconds,
          label: "rate limit (per second)",
        };
      }
      this.window.push(now);
    }
    if (c.errorRate && this.random() < c.errorRate) {
      const status = c.errorStatuses[Math.floor(this.random() * c.errorStatuses.length)] ?? 503;
      return { ...d, status, label: `random ${status}` };
    }
    if (c.slowRate && this.random() < c.slowRate) {
      d.delayMs += c.slowMs;
      d.label = `slow ${c.slowMs}ms`;
    }
    if (isWrite && c.lostResponseRate && this.random() < c.lostResponseRate) {
      d.lostResponse = true;
      d.label = "lost response";
    }
    return d;
  }
}
