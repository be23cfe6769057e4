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
    { name: 'a newer format version', edit: (j: any) => { j.format_version = '3.0'; }, error: 'plan.json: format_version: this walbctl reads plan format 2.x, got "3.0"' },
    { name: 'a plan of format 1', edit: (j: any) => { j.format_version = '1.0'; }, error: 'plan.json: format_version: this walbctl reads plan format 2.x, got "1.0" (plan it again with this walbctl)' },
    { name: 'an unknown action kind', edit: (j: any) => { j.resource_changes[0].kind = 'format-disk'; }, error: 'plan.json: resource_changes[0].kind: expected one of init, ' },
    { name: 'an unknown change kind', edit: (j: any) => { j.resource_changes[0].change.actions = ['replace']; }, error: 'plan.json: resource_changes[0].change.actions[0]: expected one of create, update, delete, data, got "replace"' },
    { name: 'two change kinds', edit: (j: any) => { j.resource_changes[0].change.actions = ['create', 'delete']; }, error: 'plan.json: resource_changes[0].change.actions: expected one change kind, got 2' },
    { name: 'a dependency on a later or unknown action', edit: (j: any) => { j.resource_changes[0].depends_on = ['nope']; }, error: 'plan.json: resource_changes[0].depends_on[0]: "nope" is not an earlier action of the plan' },
    { name: 'a repeated action id', edit: (j: any) => { j.resource_changes[1].id = j.resource_changes[0].id; }, error: 'plan.json: resource_changes[1].id: duplicate action id' },
    { name: 'a digest that is not sha256', edit: (j: any) => { j.observed_digest = 'md5:00'; }, error: 'plan.json: observed_digest: expected sha256:<64 hex digits>, got "md5:00"' },
    { name: 'missing actions', edit: (j: any) => { delete j.resource_changes; }, error: 'plan.json: resource_changes: expected an array, got nothing (missing)' },
    { name: 'a reason that is not a string', edit: (j: any) => { j.resource_changes[0].action_reason = 5; }, error: 'plan.json: resource_changes[0].action_reason: expected a string, got 5' },
  ])('refuses $name with the field named', ({ edit, error }) => {
    const j = structuredClone(saved);
    edit(j);
    expect(() => parseSavedPlan(JSON.stringify(j), 'plan.json')).toThrow(error);
  });

  it('names the line of a JSON syntax error', () => {
    expect(() => parseSavedPlan('{\n  "format_version": "2.0",\n  oops\n}', 'plan.json')).toThrow(/^plan\.json: line 3: not valid JSON/);
  });
});

describe('parseObservedState', () => {
  const good = { formatVersion: 1, host: 'local', observedAt: '2026-11-21T12:00:00Z', volumes: {}, lastApplied: null };
  it.each([
    { name: 'a wrong format version', value: { ...good, formatVersion: 2 }, error: 'obs.json: formatVersion: expected 1, got 2' },
    { name: 'a time that is not ISO 8601', value: { ...good, observedAt: 'noon' }, error: 'obs.json: observedAt: expected a UTC ISO 8601 time, got "noon"' },
    { name: 'a volume keyed under another name', value: { ...good, volumes: { a: { name: 'b' } } }, error: 'obs.json: volumes.a.name: expected "a" (the key), got "b"' },
    { name: 'an unknown storage state', value: { ...good, volumes: { a: { name: 'a', storage: { state: 'Running' } } } }, error: 'obs.json: volumes.a.storage.state: expected one of Clear, SyncReady, Stopped, Target, Standby, got "Running"' },
    { name: 'a bad diff count in what was last applied', value: { ...good, lastApplied: { revision: null, at: null, volumes: { a: { initialized: true, diffCount: -1, latestGid: null } } } }, error: 'obs.json: lastApplied.volumes.a.diffCount: expected a non-negative integer, got -1' },
    { name: 'a protect flag that is not a boolean', value: { ...good, lastApplied: { revision: null, at: null, volumes: { a: { initialized: true, diffCount: 0, latestGid: 3, protect: 'yes' } } } }, error: 'obs.json: lastApplied.volumes.a.protect: expected true or false, got "yes"' },
    { name: 'a missing lastApplied', value: { formatVersion: 1, host: 'local', observedAt: '2026-11-21T12:00:00Z', volumes: {} }, error: 'obs.json: lastApplied: expected an object or null, got nothing (missing)' },
  ])('refuses $name, naming the field', ({ value, error }) => {
    expect(() => parseObservedState(JSON.stringify(value), 'obs.json')).toThrow(error);
  });

  it('accepts a well-formed state', () => {
    expect(parseObservedState(JSON.stringify(good), 'obs.json')).toEqual(good);
  });
});
