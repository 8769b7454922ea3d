/**
 * Loaded with `node --import` into a grader by test/e2e/lifetime.test.ts: SIGUSR2 makes that grader
 * crash (an uncaught exception, exit code 7… as Node reports it) at the moment the test picks,
 * after its sandboxed children have started.
 */
process.on("SIGUSR2", () => {
  throw new Error("the grader crashed (test/helpers/crash-on-sigusr2.mjs)");
});
