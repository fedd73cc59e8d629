#!/usr/bin/env node
// The only caller of process.exit: everything else returns an exit code.
import { main } from '../dist/cli/main.js';
import { processIo } from '../dist/cli/io.js';

process.exitCode = await main(process.argv.slice(2), processIo());
