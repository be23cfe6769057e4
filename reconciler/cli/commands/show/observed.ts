/**
 * `walbctl show observed`: the live state of a host as its driver reports it — the JSON is the
 * planner's fixture format (`walbctl plan --observed FILE`).
 */
import { resolve } from 'node:path';

import { loadHostContext } from '../../../apply/host-context.js';
import { UsageError } from '../../../../common/errors.js';
import { describeQueue } from '../../../policy/spool.js';
import type { ObservedState } from '../../../../common/observed.js';
import { observeHost } from '../../../observed/index.js';
import { parse } from '../../args.js';
import { defineCommand } from '../../command.js';

const help = `Usage: walbctl show observed [DIR] --host H [--json]

Asks host H's driver (the host file's "driver", native by default) for the live state of every
volume the host holds: storage state, capture mode, log position; archive state, base, diffs with
their flags and sizes, restorable and restored snapshots; and what walbctl last applied. DIR is the
repository tree (default: the current directory).

The JSON is the format "walbctl plan --observed FILE" reads.

Options:
  --host H   the host to observe (required)
  --json     print the ObservedState as JSON`;

export default defineCommand({
  summary: 'print the live state of a host (the planner\'s --observed format)',
  help,
  async run(args, io) {
    const { values, positionals } = parse(args, { host: { type: 'string' }, json: { type: 'boolean' } }, { command: 'show observed', maxPositionals: 1 });
    if (!values.host) throw new UsageError('show observed: --host H is required');
    const { desired, host } = await loadHostContext(resolve(io.cwd, positionals[0] ?? '.'), values.host);
    const observed = await observeHost(host, desired);
    io.stdout(values.json ? JSON.stringify(observed, null, 2) + '\n' : render(observed));
    return 0;
  },
});

function render(o: ObservedState): string {
  const lines = [`Host ${o.host}, observed at ${o.observedAt}`];
  const names = Object.keys(o.volumes).sort();
  if (names.length === 0) lines.push('  no volumes');
  for (const name of names) {
    const v = o.volumes[name];
    lines.push(`  ${name}`);
    if (v.storage) {
      const s = v.storage;
      lines.push(`    storage  ${s.state}, capture ${s.capture}, ${s.sizeBytes} bytes at ${s.devicePath}, latest gid ${s.latestGid ?? '-'}${s.overflow ? ', OVERFLOW (hash backup needed)' : ''}`);
      if (s.log) lines.push(`    log      ${s.log.oldestLsid === undefined ? '' : `lsids oldest ${s.log.oldestLsid}, permanent ${s.log.permanentLsid}, written ${s.log.writtenLsid}; `}${s.log.usagePb}/${s.log.capacityPb} pb used`);
      for (const [to, l] of Object.entries(s.archiveLag ?? {})) lines.push(`    behind   ${to}: ${l.gid === null ? 'not known yet' : `gid ${l.gid} (${l.timestamp}), ${l.seconds} s behind`}`);
      const x = s.shipping;
      if (x) lines.push(`    shipping lsids written ${x.writtenLsid}, shipped ${x.shippedLsid}, converted ${x.convertedLsid ?? '-'}, archived ${x.archivedLsid ?? '-'}; recovery point ${x.recoveryPointSeconds === null ? 'unknown' : `${x.recoveryPointSeconds} s`}${x.proxiesSeenAt ? ` (proxies heard ${x.proxiesSeenAt})` : ' (no proxy heard yet)'}`);
    } else lines.push('    storage  -');
    if (v.archive) {
      const a = v.archive;
      const base = a.base.e ? `<${a.base.b.b},${a.base.b.e}-->${a.base.e.b},${a.base.e.e}>` : `<${a.base.b.b},${a.base.b.e}>`;
      lines.push(`    archive  ${a.state}, base ${base}, ${a.diffs.length} diff(s) ${a.diffs.reduce((s, d) => s + d.dataSize, 0)} bytes${a.busy ? `, busy: ${a.busy}` : ''}`);
      for (const d of a.diffs) lines.push(`      |${d.b.b === d.b.e ? d.b.b : `${d.b.b},${d.b.e}`}|-->|${d.e.b === d.e.e ? d.e.b : `${d.e.b},${d.e.e}`}| ${d.mergeable ? 'M' : '-'}${d.compared ? 'C' : '-'} ${d.timestamp} ${d.dataSize}`);
      lines.push(`    restorable  ${a.restorable.map((r) => `${r.gid}${r.explicit ? '*' : ''}`).join(' ') || '-'}`);
      for (const r of a.restored) lines.push(`    restored ${r.gid} at ${r.path}, verified ${r.verified === null ? 'never' : r.verified ? 'ok' : 'FAILED'}`);
    } else lines.push('    archive  -');
    const sp = v.spool;
    if (sp) {
      lines.push(`    spool    ${sp.state}, received lsid ${sp.receivedLsid ?? '-'} gid ${sp.receivedGid ?? '-'}, ${sp.bytes} bytes of the spool's ${sp.spoolBytes}/${sp.limitBytes}${sp.full ? ' (FULL: batches refused)' : ''}`);
      for (const q of sp.queues) lines.push(`      → ${describeQueue(q)}`);
    }
  }
  return lines.join('\n') + '\n';
}
