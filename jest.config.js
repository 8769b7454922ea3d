/** Jest runs our TypeScript as native ES modules, transformed by SWC (no type checking here:
 *  `npm run typecheck` does that with tsc). */
export default {
  testEnvironment: "node",
  roots: ["<rootDir>/test"],
  testMatch: ["**/*.test.ts"],
  extensionsToTreatAsEsm: [".ts"],
  moduleFileExtensions: ["ts", "js", "mjs", "json"],
  transform: {
    "^.+\\.ts$": ["@swc/jest", { jsc: { parser: { syntax: "typescript" }, target: "es2022" }, module: { type: "es6" } }],
  },
  testTimeout: 30000,
  // The run's own TMPDIR, and a teardown that fails the run if any sandboxed child it started is
  // still alive (test/helpers/global-teardown.ts).
  globalSetup: "<rootDir>/test/helpers/global-setup.ts",
  globalTeardown: "<rootDir>/test/helpers/global-teardown.ts",
  // Two workers on the 2-core CI machine: the slow suites (the sample class, one file per
  // assignment, and the hostile suite) run side by side. Efficiency is timed in CPU time, so a
  // busy machine costs no correct student a point.
  maxWorkers: 2,
  // Jest 30's default "soft" globals cleanup recurses through signal-exit's global emitter (used
  // by execa) and crashes the run with "Maximum call stack size exceeded".
  testEnvironmentOptions: { globalsCleanup: "off" },
};
