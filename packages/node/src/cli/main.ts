#!/usr/bin/env node
import { coreCliApp, runCli } from './run.js';

process.exitCode = await runCli(process.argv.slice(2), coreCliApp);
