import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { projectRoot } from '../helpers/cli.js';

const readme = readFileSync(join(projectRoot, 'README.md'), 'utf8');

function quickStartLine(marker: string): string | undefined {
  const m = readme.match(new RegExp(`<!-- quick-start:${marker} -->\\n\`\`\`sh\\n(.*)\\n\`\`\``));
  return m?.[1];
}

describe('README Quick start', () => {
  it('has exactly two command lines, one to run and one to test', () => {
    const section = readme.split('## Quick start')[1]?.split('\n## ')[0] ?? '';
    const commandLines = [...section.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1].trim());
    expect(commandLines).toHaveLength(2);
    commandLines.forEach((line) => expect(line.split('\n')).toHaveLength(1));
  });

  it('installs everything before running, on both lines', () => {
    expect(quickStartLine('run')).toMatch(/^bash scripts\/setup\.sh && /);
    expect(quickStartLine('test')).toMatch(/^bash scripts\/setup\.sh && npm test$/);
  });

  it('is the line .ci/run executes', () => {
    const ci = readFileSync(join(projectRoot, '.ci/run'), 'utf8');
    expect(ci).toContain("sed -n '/<!-- quick-start:test -->/{n;n;p;}' README.md");
  });
});

describe('README Quick start, the run line', () => {
  it('starts walbctl from the checkout that setup built, never through npx (npx installs and rebuilds the checkout first)', () => {
    const run = quickStartLine('run') ?? '';
    expect(run).not.toMatch(/\bnpx\b/);
    expect(run).toMatch(/&& node bin\/walbctl\.js daemon /);
  });
});
