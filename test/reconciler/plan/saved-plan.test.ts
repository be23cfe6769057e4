import { describe, expect, it } from 'vitest';

import { computePlan } from '../../../reconciler/plan/compute.js';
import { parseObservedState } from '../../../reconciler/plan/observed-json.js';
import { parseSavedPlan } from '../../../reconciler/plan/saved-plan.js';
import { renderPlanJson } from '../../../reconciler/render/plan-json.js';
import { desired, observed, volume } from './fixtures.js';

const { plan } = computePlan(desired([volume()]), observed({}), new Date('2026-11-21T12:00:00Z'));
const saved = JSON.parse(renderPlanJson(plan));

describe('parseSavedPlan', () => {
  it('reads back exactly the plan that was saved', () => {
    expect(parseSavedPlan(JSON.stringify(saved), 'plan.json')).toEqual(plan);
  });

  it.each([
    { name: 'a newer format version', edit: (j: any) => { j.format_version = '2.0'; }, error: 'plan.json: format_version: this walbctl reads plan format 1.x, got "2.0"' },
    { name: 'an unknown action kind', edit: (j: any) => { j.plan.actions[0].kind = 'format-disk'; }, error: 'plan.json: plan.actions[0].kind: expected one of init, ' },
    { name: 'a dependency on a later or unknown action', edit: (j: any) => { j.plan.actions[0].dependsOn = ['nope']; }, error: 'plan.json: plan.actions[0].dependsOn[0]: "nope" is not an earlier action of the plan' },
    { name: 'a digest that is not sha256', edit: (j: any) => { j.plan.observedDigest = 'md5:00'; }, error: 'plan.json: plan.observedDigest: expected sha256:<64 hex digits>, got "md5:00"' },
    { name: 'a missing plan', edit: (j: any) => { delete j.plan; }, error: 'plan.json: plan: expected an object, got nothing (missing)' },
  ])('refuses $name with the field named', ({ edit, error }) => {
    const j = structuredClone(saved);
    edit(j);
    expect(() => parseSavedPlan(JSON.stringify(j), 'plan.json')).toThrow(error);
  });

  it('names the line of a JSON syntax error', () => {
    expect(() => parseSavedPlan('{\n  "format_version": "1.0",\n  oops\n}', 'plan.json')).toThrow(/^plan\.json: line 3: not valid JSON/);
  });
});

describe('parseObservedState', () => {
  const good = { formatVersion: 1, host: 'local', observedAt: '2026-11-21T12:00:00Z', volumes: {}, lastApplied: null };
  it.each([
    { name: 'a wrong format version', value: { ...good, formatVersion: 2 }, error: 'obs.json: formatVersion: expected 1, got 2' },
    { name: 'a time that is not ISO 8601', value: { ...good, observedAt: 'noon' }, error: 'obs.json: observedAt: expected a UTC ISO 8601 time, got "noon"' },
    { name: 'a volume keyed under another name', value: { ...good, volumes: { a: { name: 'b' } } }, error: 'obs.json: volumes.a.name: expected "a" (the key), got "b"' },
    { name: 'an unknown storage state', value: { ...good, volumes: { a: { name: 'a', storage: { state: 'Running' } } } }, error: 'obs.json: volumes.a.storage.state: expected one of Clear, SyncReady, Stopped, Target, Standby, got "Running"' },
    { name: 'a missing lastApplied', value: { formatVersion: 1, host: 'local', observedAt: '2026-11-21T12:00:00Z', volumes: {} }, error: 'obs.json: lastApplied: expected an object or null, got nothing (missing)' },
  ])('refuses $name, naming the field', ({ value, error }) => {
    expect(() => parseObservedState(JSON.stringify(value), 'obs.json')).toThrow(error);
  });

  it('accepts a well-formed state', () => {
    expect(parseObservedState(JSON.stringify(good), 'obs.json')).toEqual(good);
  });
});
