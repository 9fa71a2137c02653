#!/usr/bin/env node
/**
 * `boosted-sandbox` (and `npm run sandbox`): runs the Boosted emulator on a port and prints the
 * Pulumi config (or environment variables) a stack needs to use it.
 *
 * The development partner's secrets are kept in `--dir` (default `.boosted-sandbox/`), so a
 * restarted sandbox accepts the same credentials; they are never printed, only referred to by
 * file, the way a real pipeline reads secrets from its store.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { createDevPartnerSecrets, startSandbox, type DevPartnerSecrets } from "./index";

const HELP = `Usage: boosted-sandbox [options]

  --port N              port to listen on (0 = any free port)          [8787]
  --host ADDR           address to bind                                [127.0.0.1]
  --dir DIR             where the dev partner's credentials are kept   [.boosted-sandbox]
  --state FILE          persist objects to this JSON file              [DIR/state.json]
  --no-state            keep objects in memory only
  --audience AUD        JWT audience the token endpoint requires       [boosted-sandbox]
  --token-lifetime S    access-token lifetime in seconds               [3600]
  --latency MS          added latency per request                      [0]
  --not-found-400       answer unknown ids with 400 instead of 404
  --help
`;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: "string", default: "8787" },
      host: { type: "string", default: "127.0.0.1" },
      dir: { type: "string", default: ".boosted-sandbox" },
      state: { type: "string" },
      "no-state": { type: "boolean", default: false },
      audience: { type: "string", default: "boosted-sandbox" },
      "token-lifetime": { type: "string", default: "3600" },
      latency: { type: "string", default: "0" },
      "not-found-400": { type: "boolean", default: false },
      help: { type: "boolean", default: false },
    },
  });
  if (values.help) {
    process.stdout.write(HELP);
    return;
  }
  const number = (name: string, v: string): number => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 0) throw new Error(`--${name} must be a whole number ≥ 0, got "${v}"`);
    return n;
  };
  const dir = path.resolve(values.dir);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const credentialsFile = path.join(dir, "credentials.json");
  const keyFile = path.join(dir, "dev-partner-key.pem");
  const secretFile = path.join(dir, "client-secret");
  let devPartner: DevPartnerSecrets;
  if (existsSync(credentialsFile)) {
    devPartner = JSON.parse(readFileSync(credentialsFile, "utf8")) as DevPartnerSecrets;
  } else {
    devPartner = createDevPartnerSecrets();
    writeFileSync(credentialsFile, JSON.stringify(devPartner, null, 2), { mode: 0o600 });
  }
  writeFileSync(keyFile, devPartner.privateKey, { mode: 0o600 });
  writeFileSync(secretFile, devPartner.clientSecret, { mode: 0o600 });

  const sandbox = await startSandbox({
    port: number("port", values.port),
    host: values.host,
    audience: values.audience,
    devPartner,
    stateFile: values["no-state"] ? undefined : path.resolve(values.state ?? path.join(dir, "state.json")),
    tokenLifetimeSeconds: number("token-lifetime", values["token-lifetime"]),
    faults: { latencyMs: number("latency", values.latency) },
    notFoundStatus: values["not-found-400"] ? 400 : 404,
  });
  const c = sandbox.credentials;
  const rel = (f: string) => {
    const r = path.relative(process.cwd(), f);
    return r && !r.startsWith("..") ? r : f;
  };
  process.stdout.write(
    [
      `Boosted sandbox listening on ${sandbox.url}`,
      `Development partner credentials are in ${rel(dir)}/ (for this sandbox only).`,
      ``,
      `Pulumi stack config:`,
      `  pulumi config set boosted:baseUrl ${c.baseUrl}`,
      `  pulumi config set boosted:audience ${c.audience}`,
      `  pulumi config set boosted:clientId ${c.clientId}`,
      `  pulumi config set boosted:keyId ${c.keyId}`,
      `  pulumi config set --secret boosted:clientSecret < ${rel(secretFile)}`,
      `  pulumi config set --secret boosted:privateKey < ${rel(keyFile)}`,
      ``,
      `Or environment variables:`,
      `  export BOOSTED_BASE_URL=${c.baseUrl}`,
      `  export BOOSTED_AUDIENCE=${c.audience}`,
      `  export BOOSTED_CLIENT_ID=${c.clientId}`,
      `  export BOOSTED_KEY_ID=${c.keyId}`,
      `  export BOOSTED_CLIENT_SECRET="$(cat ${rel(secretFile)})"`,
      `  export BOOSTED_PRIVATE_KEY="$(cat ${rel(keyFile)})"`,
      ``,
      `Press Ctrl+C to stop.`,
      ``,
    ].join("\n"),
  );
  const stop = () => {
    void sandbox.stop().then(() => process.exit(0));
  };
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
}

main().catch((err: unknown) => {
  process.stderr.write(`boosted-sandbox: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
