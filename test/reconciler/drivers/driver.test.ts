import { describe, expect, it } from 'vitest';

import { ACTION_ROLE, roleOf } from '../../../reconciler/drivers/driver.js';
import { ACTION_KINDS } from '../../../reconciler/model/plan.js';
import { action } from '../apply/fake-driver.js';

describe('which role performs an action', () => {
  it('is known for every action kind of the plan contract', () => {
    expect(Object.keys(ACTION_ROLE).sort()).toEqual([...ACTION_KINDS].sort());
  });

  it('comes from params.role for the kinds both roles have', () => {
    expect(roleOf(action('local/demo:init', { params: { role: 'archive' } }))).toBe('archive');
    expect(roleOf(action('local/demo:clear', { params: { role: 'storage' } }))).toBe('storage');
    expect(() => roleOf(action('local/demo:start', { params: {} }))).toThrow(/needs params.role "storage" or "archive" or "proxy", got null/);
    // start and stop also run on a proxy whose driver takes plan actions (walb-proxy); init and clear do not.
    expect(roleOf(action('local/demo:stop', { params: { role: 'proxy' } }))).toBe('proxy');
    expect(() => roleOf(action('local/demo:init', { params: { role: 'proxy' } }))).toThrow(/needs params.role "storage" or "archive", got "proxy"/);
  });

  it('is fixed for the others', () => {
    expect(roleOf(action('local/demo:snapshot'))).toBe('storage');
    expect(roleOf(action('local/demo:merge'))).toBe('archive');
    expect(roleOf(action('local/demo:add-destination'))).toBe('proxy');
  });
});
