#!/usr/bin/env node
// The `ntm` command: registers tsx so Node runs the TypeScript CLI directly, then runs it.
import { register } from "tsx/esm/api";

register();
const { main, exitWhenFlushed } = await import("../src/cli/ntm.ts");
exitWhenFlushed(await main(process.argv.slice(2)));
