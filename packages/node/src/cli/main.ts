#!/usr/bin/env node
import { jouleCliApp } from '../market/app.js';
import { runCli } from './run.js';

process.exitCode = await runCli(process.argv.slice(2), jouleCliApp);
