// Preloaded into a measured process (node --import): on exit, appends the process's peak RSS in
// KiB (getrusage ru_maxrss, the whole lifetime) and its CPU time in ms (user + system, all threads)
// to the file named by WALBCTL_BENCH_RSS_FILE.
import { appendFileSync } from 'node:fs';

process.on('exit', () => {
  const file = process.env.WALBCTL_BENCH_RSS_FILE;
  const cpu = process.cpuUsage();
  if (file) appendFileSync(file, `${process.resourceUsage().maxRSS} ${Math.round((cpu.user + cpu.system) / 1000)}\n`);
});
