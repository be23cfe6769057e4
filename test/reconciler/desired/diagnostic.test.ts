import { describe, expect, it } from 'vitest';

import { formatDiagnostic, sortDiagnostics, type Diagnostic } from '../../../reconciler/desired/diagnostic.js';

const d = (over: Partial<Diagnostic>): Diagnostic => ({ file: 'hosts/db-1.yaml', line: 14, col: 7, path: 'volumes.pg.retention.keepDaily', message: 'must be a positive integer', setIn: null, via: [], ...over });

describe('formatDiagnostic', () => {
  it('writes one line for a value set in place', () => {
    expect(formatDiagnostic(d({}))).toBe('hosts/db-1.yaml:14:7: error: volumes.pg.retention.keepDaily: must be a positive integer');
  });

  it('adds where an inherited value was set and the extends entries it came through', () => {
    const text = formatDiagnostic(d({ setIn: { file: 'templates/volume/gold.yaml', line: 3, col: 5 }, via: [{ file: 'hosts/db-1.yaml', line: 2, col: 10 }] }));
    expect(text).toBe('hosts/db-1.yaml:14:7: error: volumes.pg.retention.keepDaily: must be a positive integer\n  (set in templates/volume/gold.yaml:3:5, via hosts/db-1.yaml:2:10)');
  });

  it('leaves out line, column and path when the problem is the whole file', () => {
    expect(formatDiagnostic(d({ line: 0, col: 0, path: '', message: 'ignored' }))).toBe('hosts/db-1.yaml: error: ignored');
  });
});

describe('sortDiagnostics', () => {
  it('orders by file, line and column and drops exact repeats', () => {
    const list = [d({ line: 9 }), d({ file: 'a.yaml' }), d({ line: 9 }), d({ line: 2 })];
    expect(sortDiagnostics(list).map((x) => `${x.file}:${x.line}`)).toEqual(['a.yaml:14', 'hosts/db-1.yaml:2', 'hosts/db-1.yaml:9']);
  });
});
