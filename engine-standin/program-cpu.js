// TEST INFRASTRUCTURE (engine stand-in, benchmarks only). Preloaded into the program's process
// with --require: reports the process's own CPU time on exit, on a marked stderr line that the
// stand-in reads and does not print.
"use strict";
process.on("exit", () => {
  const u = process.cpuUsage();
  // Synchronous: an exit handler cannot wait for a piped stream to drain.
  require("node:fs").writeSync(2, `\n__STANDIN_PROGRAM_CPU_MS__ ${Math.round((u.user + u.system) / 1000)}\n`);
});
