import { runCli } from '@joule/node';
import { app } from './app.js';

process.exitCode = await runCli(process.argv.slice(2), app);
