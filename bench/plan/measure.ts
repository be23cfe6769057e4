/**
 * One measured process for bench:plan. `plan ARGS…` runs walbctl's CLI in this process, writing to
 * its real stdout (the parent sends it to /dev/null); `parse FILE…` is the baseline: read and
 * JSON.parse the same inputs. Either way the last line on stderr is `{"maxRssBytes":…,"cpuSeconds":…,"exit":…}` for the parent to read.
 */
import { readFileSync } from 'node:fs';

import { processIO, runCli } from '../../reconciler/cli/main.js';

async function main(): Promise<number> {
  const [mode, ...rest] = process.argv.slice(2);
  if (mode === 'parse') {
    let n = 0;
    for (const file of rest) n += Object.keys(JSON.parse(readFileSync(file, 'utf8')) as object).length;
    return n > 0 ? 0 : 1;
  }
  let errors = '';
  // stdout is real (the parent points it at /dev/null), so encoding and writing the output is measured.
  const code = await runCli([mode!, ...rest], { ...processIO(), stderr: (t) => void (errors += t), isTTY: false });
  if (errors) process.stderr.write(errors);
  return code;
}

const exit = await main();
const usage = process.resourceUsage();
process.stderr.write(JSON.stringify({ maxRssBytes: usage.maxRSS * 1024, cpuSeconds: (usage.userCPUTime + usage.systemCPUTime) / 1e6, exit }) + '\n');
process.exitCode = exit === 2 ? 0 : exit;
