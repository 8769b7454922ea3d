/** ESLint for the project's own TypeScript (graders/, scripts/, reference/, assignments/, test/):
 *  typescript-eslint's recommended rules, with Prettier owning the layout. Student code under
 *  fixtures/ is data, not ours to lint (the hostile submissions break rules on purpose). */
import js from "@eslint/js";
import { defineConfig } from "eslint/config";
import tseslint from "typescript-eslint";

export default defineConfig(
  { ignores: ["node_modules/", "out/", "results/", "reports/", ".stryker-tmp/", "fixtures/", "test/e2e/realistic-submissions/"] },
  js.configs.recommended,
  tseslint.configs.recommended,
  {
    rules: {
      // tsc checks names (typescript-eslint's advice): no-undef only misreads Node's and Jest's globals
      "no-undef": "off",
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_", caughtErrors: "none" }],
      // The grader strips terminal control characters from student text on purpose, and the tests
      // look for them: a control character in a pattern is what these patterns are for.
      "no-control-regex": "off",
    },
  },
  {
    // A skeleton's functions take the arguments the student will use: unused until then.
    files: ["assignments/*/skeleton/**"],
    rules: { "@typescript-eslint/no-unused-vars": ["error", { args: "none" }] },
  },
);
