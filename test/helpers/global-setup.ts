// Compiles the TypeScript (incrementally) before the suite, so tests that run bin/walbctl.js as a
// real process see the current source.
import { execFileSync } from 'node:child_process';

export default function setup(): void {
  execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.json'], { stdio: 'inherit' });
}
