// Preload for bench/processes.ts when GNU time is missing: each node process of a measured run appends
// its peak resident set (KiB) to the file the benchmark names; the largest value counts.
import { appendFileSync } from 'node:fs';

const file = process.env.BENCH_MAXRSS_FILE;
if (file) process.on('exit', () => appendFileSync(file, `${process.resourceUsage().maxRSS}\n`));
