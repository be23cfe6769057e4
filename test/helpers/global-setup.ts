// Compiles the TypeScript (incrementally) before the suite, so tests that run bin/walbctl.js as a
// real process see the current source. Type errors do not stop the run here (tsc still emits);
// test/project/typecheck.test.ts fails on them instead, so one broken file fails one test.
import { spawnSync } from 'node:child_process';

export default function setup(): void {
  spawnSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.json'], { stdio: 'ignore' });
}
