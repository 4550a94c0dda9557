/// <reference types="vitest" />

import { availableParallelism } from "node:os";
import { defineConfig } from "vitest/config";
import {
  vitestSetupFilePath,
  getClarinetVitestsArgv,
} from "@stacks/clarinet-sdk/vitest";

/*
  In this file, Vitest is configured so that it works seamlessly with Clarinet and the Simnet.

  The `vitest-environment-clarinet` will initialise the clarinet-sdk
  and make the `simnet` object available globally in the test files.

  `vitestSetupFilePath` points to a file in the `@stacks/clarinet-sdk` package that does two things:
    - run `before` hooks to initialize the simnet and `after` hooks to collect costs and coverage reports.
    - load custom vitest matchers to work with Clarity values (such as `expect(...).toBeUint()`)

  The `getClarinetVitestsArgv()` will parse options passed to the command `vitest run --`
    - vitest run -- --manifest ./Clarinet.toml  # pass a custom path
    - vitest run -- --coverage --costs          # collect coverage and cost reports
*/

// yargs' type allows a promise; its sync parse returns the object
const clarinetArgs = getClarinetVitestsArgv() as Exclude<ReturnType<typeof getClarinetVitestsArgv>, Promise<unknown>>;
// Test files run one per core (each worker has its own simnet); the coverage and cost reports are
// gathered in one process, so `-- --coverage --costs` runs the files one after another.
const workers = clarinetArgs.coverage || clarinetArgs.costs ? 1 : Math.max(1, Math.min(4, availableParallelism()));

export default defineConfig({
  test: {
    environment: "clarinet", // use vitest-environment-clarinet
    pool: "forks",
    isolate: false,
    maxWorkers: workers,
    // the simnet echoes every print event to stdout; show it only for failing tests
    silent: "passed-only",
    // long scenario and property tests run many simnet calls; this is a hang guard, not a speed check
    testTimeout: 120_000,
    setupFiles: [vitestSetupFilePath],
    environmentOptions: {
      clarinet: {
        ...clarinetArgs,
        // add or override options
      },
    },
  },
});
