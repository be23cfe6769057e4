/**
 * Archives and replication: a volume has at least one primary archive; every replication pair
 * goes from one of its archives to another; a secondary archive is fed by some pair; the pairs
 * form no cycle; async pairs have a schedule and sync pairs none.
 */
import type { Fleet, ResolvedHost } from '../fleet.js';
import type { RawVolume } from '../raw-types.js';
import { reference } from './roles.js';

export function checkReplication(fleet: Fleet): void {
  for (const { host, name, volume } of fleet.volumes()) {
    const archives = (volume.archives ?? []).map((a) => (typeof a === 'string' ? { host: a, primary: true } : { host: a.host, primary: a.primary ?? true }));
    const at = (...rest: Array<string | number>): Array<string | number> => ['volumes', name, ...rest];
    if (volume.archives && !archives.some((a) => a.primary)) fleet.report(host, at('archives'), 'no primary archive: at least one archive must receive diffs from the proxy (primary: true)');
    const pairs = volume.replication ?? [];
    pairs.forEach((pair, i) => {
      for (const end of ['from', 'to'] as const) {
        if (!reference(fleet, host, at('replication', i, end), pair[end], 'archive')) continue;
        if (!archives.some((a) => a.host === pair[end])) fleet.report(host, at('replication', i, end), `${pair[end]} is not one of this volume's archives`);
      }
      if (pair.from === pair.to) fleet.report(host, at('replication', i, 'to'), 'a pair cannot replicate an archive to itself');
      const scheduled = [pair.every, pair.cron].filter((x) => x !== undefined).length;
      if ((pair.mode ?? 'async') === 'sync' && scheduled > 0) fleet.report(host, at('replication', i, pair.every !== undefined ? 'every' : 'cron'), 'a sync pair runs continuously: drop the schedule or use mode: async');
      if ((pair.mode ?? 'async') === 'async' && scheduled !== 1) fleet.report(host, at('replication', i), scheduled === 0 ? 'an async pair needs a schedule: every or cron' : 'set either every or cron, not both');
    });
    archives.forEach((a, i) => {
      if (!a.primary && !pairs.some((p) => p.to === a.host)) fleet.report(host, at('archives', i), `secondary archive ${a.host} receives nothing: add a replication pair to it`);
    });
    if (pairs.length > 1) reportCycle(fleet, host, name, pairs);
  }
}

function reportCycle(fleet: Fleet, host: ResolvedHost, name: string, pairs: NonNullable<RawVolume['replication']>): void {
  const edges = new Map<string, Array<{ to: string; index: number }>>();
  pairs.forEach((p, index) => {
    if (p.from !== p.to) edges.set(p.from, [...(edges.get(p.from) ?? []), { to: p.to, index }]);
  });
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (node: string): boolean => {
    state.set(node, 'open');
    stack.push(node);
    for (const edge of edges.get(node) ?? []) {
      if (state.get(edge.to) === 'open') {
        const cycle = [...stack.slice(stack.indexOf(edge.to)), edge.to];
        fleet.report(host, ['volumes', name, 'replication', edge.index], `replication cycle: ${cycle.join(' → ')}`);
        return true;
      }
      if (!state.has(edge.to) && visit(edge.to)) return true;
    }
    stack.pop();
    state.set(node, 'done');
    return false;
  };
  for (const start of [...edges.keys()].sort()) if (!state.has(start) && visit(start)) return;
}
