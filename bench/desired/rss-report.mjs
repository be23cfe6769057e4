// Preloaded into a measured process (node --import): on exit, appends the process's peak RSS in
// KiB (getrusage ru_maxrss, the whole lifetime) to the file named by WALBCTL_BENCH_RSS_FILE.
import { appendFileSync } from 'node:fs';

process.on('exit', () => {
  const file = process.env.WALBCTL_BENCH_RSS_FILE;
  if (file) appendFileSync(file, `${process.resourceUsage().maxRSS}\n`);
});
