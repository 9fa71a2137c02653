/**
 * `boosted-sandbox` prints config that works: start it as a user would, follow what it prints.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { BoostedClient } from "../../sdk";
import { builtFile } from "../support/built";

it("starts on a free port and prints Pulumi config and environment variables that work", async () => {
  const dir = mkdtempSync(path.join(tmpdir(), "boosted-cli-"));
  const child = spawn(process.execPath, [builtFile("sandbox/cli.js"), "--port", "0", "--dir", dir], {
    cwd: dir,
  });
  try {
    let out = "";
    await new Promise<void>((resolve, reject) => {
      child.stdout.on("data", (d: Buffer) => {
        out += d.toString();
        if (out.includes("Press Ctrl+C")) resolve();
      });
      child.on("exit", (code) => reject(new Error(`exited ${code}: ${out}`)));
    });
    const config = Object.fromEntries(
      [...out.matchAll(/pulumi config set (?:--secret )?boosted:(\w+) (?:< )?(\S+)/g)].map((m) => [
        m[1],
        m[2],
      ]),
    );
    expect(Object.keys(config).sort()).toEqual([
      "audience",
      "baseUrl",
      "clientId",
      "clientSecret",
      "keyId",
      "privateKey",
    ]);
    expect(out).toContain("export BOOSTED_BASE_URL=");
    expect(out).toContain('export BOOSTED_PRIVATE_KEY="$(cat ');
    // Secrets are referred to by file, never printed.
    const clientSecret = readFileSync(path.resolve(dir, config.clientSecret), "utf8");
    const privateKey = readFileSync(path.resolve(dir, config.privateKey), "utf8");
    expect(out).not.toContain(clientSecret);
    expect(out).not.toContain(privateKey.split("\n")[1]);

    const client = new BoostedClient({
      baseUrl: config.baseUrl!,
      audience: config.audience!,
      clientId: config.clientId!,
      keyId: config.keyId!,
      clientSecret,
      privateKey,
    });
    const org = await client.createOrganization({ name: "From the CLI" });
    await expect(client.getOrganization({ orgId: org.orgId })).resolves.toEqual(org);
  } finally {
    child.kill("SIGTERM");
  }
});
