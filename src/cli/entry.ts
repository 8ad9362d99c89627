#!/usr/bin/env node
// The command line's entry point. `kinesim --version` is answered here, before the command line's
// modules are loaded (yargs, the scenario schema and the model); anything else loads them.

import { kinesimVersion } from "./version.js";

const args = process.argv.slice(2);
if (args.length === 1 && args[0] === "--version") process.stdout.write(`${kinesimVersion()}\n`);
else await import("./main.js");
