/**
 * `walbctl status`: per-volume conditions, revisions, snapshots and backlog, read from the running
 * daemon of each host (or the last status it wrote when it is not running).
 */
import { resolve } from 'node:path';

import { loadAllHosts } from '../../apply/host-context.js';
import { statusUrl } from '../../daemon/listen.js';
import { registeredDaemons, registryDir } from '../../daemon/registry.js';
import { readDaemonStatus, type StatusReading, type StatusTarget } from '../../daemon/status-client.js';
import type { DaemonStatusView } from '../../daemon/status-view.js';
import { UsageError, WalbctlError } from '../../../common/errors.js';
import { parse } from '../args.js';
import { defineCommand } from '../command.js';
import { renderLinks } from '../../fleet/links-text.js';
import { shippingLines } from '../../render/shipping-text.js';
import { spoolLines } from '../../render/spool-text.js';

const help = `Usage: walbctl status [DIR] [--host H] [--json]

Shows what the daemon of each host (or of host H) reports: the revision it follows and whether it
validates, then per volume the Ready condition and its reason, the newest restorable snapshot and its
age, the number of restorable snapshots, the diff backlog and the next scheduled action, with the
message of every volume that is not Ready; for a wdev volume shipped to proxies, the lsids written,
shipped (a proxy holds them), converted and archived (by every archive) and the recovery point (seconds
of writes the archives may lack; 0 when they hold everything written); then each wire link to another host (up or down, bytes,
transfers, the transfer in progress, lag, last error). The daemon is asked on daemon.listen from the host file in
DIR (default: the current directory); when none answers, the status it last wrote is shown, marked so.
When the tree at DIR does not validate, the daemons running on this machine are found through
$XDG_STATE_HOME/walbctl/daemons/ (~/.local/state/walbctl/daemons/) instead.

Options:
  --host H   only host H
  --json     print [{host, source: "daemon"|"file"|"none", status}] as JSON

Exit status: 0 when every host's daemon answers and every volume is Ready and none is Stalled; 1
otherwise (also when the newest revision does not validate, or a daemon does not answer).`;

export default defineCommand({
  summary: 'show per-volume status from the running daemon(s)',
  help,
  async run(args, io) {
    const { values, positionals } = parse(args, { host: { type: 'string' }, json: { type: 'boolean' } }, { command: 'status', maxPositionals: 1 });
    const dir = resolve(io.cwd, positionals[0] ?? '.');
    const { targets, note } = await findTargets(dir, values.host, io.env);
    const readings = await Promise.all(targets.map((t) => readDaemonStatus(t)));
    if (note) io.stderr(`walbctl: warning: ${note}\n`);
    if (values.json) io.stdout(JSON.stringify(readings, null, 2) + '\n');
    else io.stdout(readings.map(render).join('\n'));
    const healthy = (c: { type: string; status: string }) => (c.type === 'Ready' ? c.status === 'True' : c.type === 'Stalled' ? c.status !== 'True' : true);
    const allReady = readings.every((r) => r.source === 'daemon' && r.status.desired.valid && Object.values(r.status.volumes).every((v) => v.conditions.length > 0 && v.conditions.every(healthy)));
    return allReady ? 0 : 1;
  },
});

/**
 * The daemons to ask: the hosts of the tree at DIR; when that tree does not load (a broken commit
 * checked out), the daemons registered on this machine.
 */
async function findTargets(dir: string, host: string | undefined, env: NodeJS.ProcessEnv): Promise<{ targets: StatusTarget[]; note: string | null }> {
  try {
    const desired = await loadAllHosts(dir);
    const hosts = host ? [desired.hosts[host]].filter(Boolean) : Object.values(desired.hosts).sort((a, b) => a.name.localeCompare(b.name));
    if (host && hosts.length === 0) throw new UsageError(`status: host ${host} is not declared in the tree`);
    return { targets: hosts.map((h) => ({ name: h.name, baseUrl: statusUrl(h.daemon.listen), dataDir: h.dataDir })), note: null };
  } catch (error) {
    if (!(error instanceof WalbctlError) || error instanceof UsageError) throw error;
    const registered = (await registeredDaemons(env)).filter((e) => !host || e.host === host);
    if (registered.length === 0) throw error;
    const first = error.message.split('\n').slice(0, 2).join(' ');
    return {
      targets: registered.map((e) => ({ name: e.host, baseUrl: e.url, dataDir: e.dataDir })),
      note: `${first}; asking the daemon(s) registered in ${registryDir(env)} instead`,
    };
  }
}

function ago(iso: string | null, now: number): string {
  if (!iso) return '-';
  return `${human(Math.round((now - Date.parse(iso)) / 1000))} ago`;
}

function human(seconds: number): string {
  const s = Math.abs(seconds);
  if (s < 90) return `${seconds}s`;
  if (s < 90 * 60) return `${Math.round(seconds / 60)}m`;
  if (s < 36 * 3600) return `${Math.round(seconds / 3600)}h`;
  return `${Math.round(seconds / 86400)}d`;
}

/** `snapshot in 7s`, or `snapshot due` once its time passed. */
function scheduledText(scheduled: { kind: string; at: string }, now: number): string {
  const inSeconds = Math.round((Date.parse(scheduled.at) - now) / 1000);
  return inSeconds > 0 ? `${scheduled.kind} in ${human(inSeconds)}` : `${scheduled.kind} due`;
}

function bytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let i = 0;
  let v = n;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${i === 0 ? v : v.toFixed(1)} ${units[i]}`;
}

/** One line per replication pair sending from this host: where the target stands, lag, last success, error. */
function replicationLines(s: DaemonStatusView, now: number): string[] {
  const rows = [['REPLICATION', 'MODE', 'TARGET GID', 'LAG', 'LAST SUCCESS', 'STATE']];
  for (const [name, v] of Object.entries(s.volumes).sort(([a], [b]) => a.localeCompare(b))) {
    for (const p of v.replication ?? []) {
      const lag = p.lag ? `${p.lag.gids} gids, ${bytes(p.lag.bytes)}, ${human(p.lag.seconds)}` : '-';
      const transfer = p.transfer ? `${p.transfer.kind} to gid ${p.transfer.toGid}: ${bytes(p.transfer.doneBytes)}${p.transfer.totalBytes ? ` of ${bytes(p.transfer.totalBytes)}` : ''}` : null;
      const state = p.lagging ? `LAGGING: ${p.lagging}` : transfer ?? (p.lastError ? `failing since ${p.lastError.at}: ${p.lastError.message}` : p.targetGid === null ? 'no copy yet' : 'ok');
      rows.push([`${name} -> ${p.to}`, p.mode, p.targetGid === null ? '-' : String(p.targetGid), lag, p.lastSuccessAt ? ago(p.lastSuccessAt, now) : 'never', state]);
    }
  }
  if (rows.length === 1) return [];
  const widths = rows[0].map((_, i) => Math.max(...rows.map((row) => row[i].length)));
  return rows.map((row) => '  ' + row.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd());
}

function render(r: StatusReading): string {
  if (r.source === 'none') return `Host ${r.host}: ${r.error}, and it never wrote a status.\n  Start it with: node bin/walbctl.js daemon --repo . --host ${r.host}\n`;
  const s: DaemonStatusView = r.status;
  const now = Date.parse(s.now);
  const lines: string[] = [];
  lines.push(r.source === 'daemon' ? `Host ${s.host}: daemon pid ${s.pid}, up ${human(Math.round((now - Date.parse(s.startedAt)) / 1000))}, ${r.url}` : `Host ${s.host}: ${r.error}; showing the status it wrote ${ago(s.lastPassAt, Date.now())} (${r.file})`);
  lines.push(`  repository  ${s.source.repo}${s.source.error ? `  (fetch failing: ${s.source.error})` : ''}`);
  if (s.desired.valid) lines.push(`  revision    ${s.desired.lastGoodRevision ?? '(none yet)'}${s.source.subject ? `  "${s.source.subject}"` : ''}`);
  else {
    lines.push(`  revision    ${s.desired.lastAttemptedRevision} DOES NOT VALIDATE — converging to ${s.desired.lastGoodRevision ?? 'nothing'}:`);
    for (const d of s.desired.diagnostics) lines.push(`    ${d.replace(/\n/g, '\n    ')}`);
  }
  const next = s.nextPassAt ? `, next in ${human(Math.max(0, Math.round((Date.parse(s.nextPassAt) - now) / 1000)))}` : '';
  lines.push(`  last pass   ${ago(s.lastPassAt, now)}${next}${s.running ? `; running ${s.running}` : ''}`);
  lines.push('');
  const rows = [['VOLUME', 'READY', 'REASON', 'LAST SNAPSHOT', 'RESTORABLE', 'BACKLOG', 'NEXT']];
  const messages: string[] = [];
  for (const [name, v] of Object.entries(s.volumes).sort(([a], [b]) => a.localeCompare(b))) {
    const ready = v.conditions.find((c) => c.type === 'Ready');
    const stalled = v.conditions.find((c) => c.type === 'Stalled' && c.status === 'True');
    rows.push([
      name,
      ready?.status ?? 'Unknown',
      stalled?.reason ?? ready?.reason ?? 'Pending',
      v.lastSnapshot ? `gid ${v.lastSnapshot.gid}, ${human(v.lastSnapshot.ageSeconds)} ago` : '-',
      String(v.restorable),
      `${v.diffBacklog.count} diff(s), ${bytes(v.diffBacklog.bytes)}`,
      v.nextScheduled ? scheduledText(v.nextScheduled, now) : '-',
    ]);
    if (ready?.status !== 'True' || stalled) messages.push(`  ${name}: ${stalled?.message || ready?.message || ''}${v.retryAt ? ` (attempt ${v.failures + 1} at ${v.retryAt})` : ''}`);
    for (const u of v.unfinished) messages.push(`    ${u.id}: ${u.status}${u.message ? ` — ${u.message}` : ''}`);
  }
  const widths = rows[0].map((_, i) => Math.max(...rows.map((row) => row[i].length)));
  for (const row of rows) lines.push('  ' + row.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd());
  if (messages.length) lines.push('', ...messages);
  const pairs = replicationLines(s, now);
  if (pairs.length) lines.push('', ...pairs);
  const shipping = shippingLines(s);
  if (shipping.length) lines.push('', ...shipping);
  const spool = spoolLines(s);
  if (spool.length) lines.push('', ...spool);
  if (s.links?.length) lines.push('', ...renderLinks(s.links));
  return lines.join('\n') + '\n';
}
