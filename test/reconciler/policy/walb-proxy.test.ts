/** A walb-proxy's destinations as plan steps: what is added, dropped, and what wraps a change. */
import { describe, expect, it } from 'vitest';

import { proxyCommands, proxyDestinations, walbProxySteps } from '../../../reconciler/policy/walb-proxy.js';
import type { DesiredState, DesiredVolume } from '../../../reconciler/model/desired.js';

const d = (name: string, port: number) => ({ name, address: `127.0.0.1:${port}` });

describe('a walb-proxy\'s destinations as plan steps', () => {
  it('adds the missing destinations of a Clear volume and starts it, each step with its walbc command', () => {
    const steps = walbProxySteps('pg', undefined, [d('ar-1', 1), d('ar-2', 2)]);
    expect(steps.map((s) => [s.kind, s.params.walbc])).toEqual([
      ['add-destination', 'archive-info add pg ar-1 127.0.0.1:1'],
      ['add-destination', 'archive-info add pg ar-2 127.0.0.1:2'],
      ['start', 'start pg'],
    ]);
    expect(steps.every((s) => s.params.role === 'proxy' && !s.destructive)).toBe(true);
    expect(steps[0]!.params).toMatchObject({ to: 'ar-1', address: '127.0.0.1:1' });
  });

  it('wraps a change of a Started volume in stop and start, additions before deletions', () => {
    expect(proxyCommands('pg', { state: 'Started', archives: ['ar-1', 'old'] }, [d('ar-1', 1), d('ar-2', 2)]).map((c) => c.join(' '))).toEqual([
      'stop pg', 'archive-info add pg ar-2 127.0.0.1:2', 'archive-info delete pg old', 'start pg',
    ]);
  });

  it('plans nothing when the proxy matches, and only a start for a Stopped one', () => {
    expect(walbProxySteps('pg', { state: 'Started', archives: ['ar-2', 'ar-1'] }, [d('ar-1', 1), d('ar-2', 2)])).toEqual([]);
    expect(walbProxySteps('pg', { state: 'Stopped', archives: ['ar-1'] }, [d('ar-1', 1)]).map((s) => s.kind)).toEqual(['start']);
    expect(walbProxySteps('pg', undefined, [])).toEqual([]);
  });

  it('keeps a sync pair\'s receiver the sending archive added (synchronize), and never adds one itself', () => {
    expect(proxyCommands('pg', { state: 'Started', archives: ['ar-1', 'ar-2'] }, [d('ar-1', 1)], ['ar-2'])).toEqual([]);
    expect(proxyCommands('pg', { state: 'Started', archives: ['ar-1'] }, [d('ar-1', 1)], ['ar-2'])).toEqual([]);
    expect(proxyCommands('pg', { state: 'Started', archives: ['ar-1', 'ar-2'] }, [d('ar-1', 1)]).map((c) => c.join(' '))).toEqual(['stop pg', 'archive-info delete pg ar-2', 'start pg']);
  });

  it('stops and starts a Started volume whose walb-proxy gave up on one of its archives, saying which', () => {
    const steps = walbProxySteps('pg', { state: 'Started', archives: ['ar-1', 'ar-2'], sendErrors: ['ar-2'] }, [d('ar-1', 1), d('ar-2', 2)]);
    expect(steps.map((s) => s.params.walbc)).toEqual(['stop pg', 'start pg']);
    expect(steps[0]!.reason).toMatch(/^walb-proxy gave up forwarding to ar-2 \(a send error/);
    // An archive the tree dropped anyway is deleted, not retried.
    expect(proxyCommands('pg', { state: 'Started', archives: ['ar-1', 'old'], sendErrors: ['old'] }, [d('ar-1', 1)]).map((c) => c.join(' '))).toEqual(['stop pg', 'archive-info delete pg old', 'start pg']);
  });

  it('drops every destination of a volume it should not forward, saying walb-proxy then clears it', () => {
    const steps = walbProxySteps('pg', { state: 'Started', archives: ['ar-1'] }, [], 'and px-1 is no longer a proxy of the volume');
    expect(steps.map((s) => s.params.walbc)).toEqual(['stop pg', 'archive-info delete pg ar-1']);
    expect(steps[1]!.reason).toBe('walb-proxy forwards to ar-1, and px-1 is no longer a proxy of the volume; the diffs it still holds for ar-1 are dropped, and with its last destination walb-proxy clears the volume');
  });
});

describe('where the proxy forwards a volume', () => {
  const state = (hosts: Record<string, { driver: 'walb' | 'native'; listen?: string; walbListen?: string } | undefined>): DesiredState =>
    ({ hosts: Object.fromEntries(Object.entries(hosts).map(([h, o]) => [h, { driver: o?.driver ?? 'native', roleSettings: { archive: o ? { listen: o.listen, walbListen: o.walbListen } : null } }])) }) as unknown as DesiredState;
  const volume = { name: 'pg', archives: [{ host: 'ar-1', primary: true }, { host: 'ar-2', primary: true }, { host: 'dr-1', primary: false }] } as DesiredVolume;

  it('is a WalB archive at its archive.listen and a walbctl archive at its archive.walbListen, an IPv6 address in brackets', () => {
    expect(proxyDestinations(state({ 'ar-1': { driver: 'walb', listen: '10.0.0.1:10200' }, 'ar-2': { driver: 'native', listen: '10.0.0.2:10200', walbListen: '[fd00::2]:10300' }, 'dr-1': undefined }), volume)).toEqual([
      { name: 'ar-1', address: '10.0.0.1:10200' }, { name: 'ar-2', address: '[fd00::2]:10300' },
    ]);
  });

  it('names the archive host and the key that is missing', () => {
    expect(() => proxyDestinations(state({ 'ar-1': { driver: 'walb', listen: '10.0.0.1:10200' }, 'ar-2': { driver: 'native', listen: '10.0.0.2:10200' } }), volume))
      .toThrow("the proxy cannot forward pg to ar-2: host ar-2 has no archive.walbListen (a walbctl archive takes WalB's wdiff-transfer there)");
    expect(() => proxyDestinations(state({ 'ar-1': { driver: 'walb' } }), volume)).toThrow('the proxy cannot forward pg to ar-1: host ar-1 has no archive.listen');
  });
});
