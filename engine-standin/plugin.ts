/**
 * TEST INFRASTRUCTURE (engine stand-in). Starts a Pulumi plugin process the way the engine does:
 * `node <entry> <engine address> [args]`, then reads the gRPC port it prints on stdout.
 */
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";

export async function startPlugin(
  what: string,
  entry: string,
  args: string[],
  options: { cwd: string; env: NodeJS.ProcessEnv },
): Promise<{ child: ChildProcessWithoutNullStreams; port: number; output: string }> {
  // The engine passes its own address; the plugins here only need something there.
  const child = spawn(process.execPath, [entry, "127.0.0.1:0", ...args], options);
  let output = "";
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout.on("data", (d: Buffer) => {
      output += d.toString();
      const m = /^(\d+)\s*$/m.exec(output);
      if (m) resolve(Number(m[1]));
    });
    child.stderr.on("data", (d: Buffer) => (output += d.toString()));
    child.on("exit", (code) => reject(new Error(`${what} exited with ${code}: ${output}`)));
  });
  return { child, port, output: output.replace(/^\d+\s*\n/m, "") };
}

/** Closes the gRPC client and ends the plugin process, waiting for it to exit. */
export async function stopPlugin(
  child: ChildProcessWithoutNullStreams,
  client: { close(): void },
): Promise<void> {
  client.close();
  if (child.exitCode !== null) return;
  await new Promise<void>((resolve) => {
    child.once("exit", () => resolve());
    child.kill("SIGTERM");
  });
}
