#!/usr/bin/env node
import { runCli } from './lib/build/index.js';

process.exitCode = await runCli(process.argv.slice(2));
