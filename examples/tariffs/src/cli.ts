import { runCli } from '@joule/node';
import { tariffsApp } from './app.js';

process.exitCode = await runCli(process.argv.slice(2), tariffsApp);
