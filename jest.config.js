/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: "node",
  roots: ["<rootDir>/tests"],
  testMatch: ["**/*.test.ts"],
  transform: { "^.+\\.ts$": ["ts-jest", { tsconfig: "tsconfig.json" }] },
  // Tests start real servers and child processes; generous but bounded.
  testTimeout: 60000,
  // Two cores: run test files two at a time.
  maxWorkers: 2,
};
