/**
 * The inputs and operations of bench:walb: WalB's random logs, and per operation the two command
 * lines (walbctl's and the baseline's) and how to check that both made the same image.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { closeSync, mkdirSync, openSync, readSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';

export interface Op {
  name: string;
  baseline: string;
  bytes: number; // what the throughput is of (input bytes; the image for backup and restore)
  inputs: string[]; // read into the page cache for a warm run
  /** The file each tool writes, made durable (fsync of it and its directory) after the run, timed
   * apart: WalB's tools leave their output in the page cache (only `wlog-redo` fdatasyncs), walbctl's
   * fsync theirs before the rename. Absent where the baseline's own command syncs (cp + sync FILE). */
  outputs?: Record<'ours' | 'theirs', string>;
  ours: string[];
  theirs: string[];
  before?: (tool: 'ours' | 'theirs') => void;
  check: (tool: 'ours' | 'theirs') => Promise<void>;
  same: () => Promise<boolean>;
}

export interface Workload {
  ops: Op[];
}

function sh(cmd: string, args: string[]): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 1 << 26 });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}): ${r.stderr}`);
  return r.stdout;
}

export function sha1File(path: string): string {
  const h = createHash('sha1');
  const fd = openSync(path, 'r');
  const buf = Buffer.allocUnsafe(8 << 20);
  try {
    for (let n; (n = readSync(fd, buf, 0, buf.length, null)) > 0; ) h.update(buf.subarray(0, n));
  } finally {
    closeSync(fd);
  }
  return h.digest('hex');
}

export async function makeWorkload(o: { dir: string; walbBin: string; root: string; size: number; rand: boolean }): Promise<Workload> {
  const { dir, size } = o;
  mkdirSync(dir, { recursive: true });
  const W = (tool: string) => join(o.walbBin, tool);
  const walbctl = (...args: string[]) => [process.execPath, join(o.root, 'bin/walbctl.js'), ...args];
  const p = (f: string) => join(dir, f);
  const gen = (out: string, bytes: number, lsid: number) =>
    sh(W('wlog-gen'), ['-b', '4096', '-s', String(size), '-z', String(bytes), '--lsid', String(lsid), '--nodiscard', ...(o.rand ? ['--rand'] : []), '-o', out]);
  gen(p('log.wlog'), size, 0);
  const parts = Array.from({ length: 10 }, (_, i) => p(`part${i}.wlog`));
  parts.forEach((f) => gen(f, Math.floor(size / 10), 0));
  const partDiffs = parts.map((f) => f.replace(/\.wlog$/, '.wdiff'));
  parts.forEach((f, i) => sh(W('wlog-to-wdiff'), ['-i', f, '-o', partDiffs[i]!]));
  sh(W('wlog-to-wdiff'), ['-i', p('log.wlog'), '-o', p('log.wdiff')]);
  // Targets for the applies: written images (a restored volume is), one per tool, reused: applying the
  // same log again gives the same image.
  for (const t of ['ours', 'theirs']) sh('dd', ['if=/dev/zero', `of=${p(`target-${t}.img`)}`, 'bs=1M', `count=${Math.ceil(size / 2 ** 20)}`, 'conv=fsync', 'status=none']);
  const sizeOf = (f: string) => statSync(f).size;

  // The image a wdiff gives, applied by walbctl onto a sparse zero image, cached by the file's sha1.
  const imageOfFile = new Map<string, string>();
  const imageOf = (wdiff: string): string => {
    const key = sha1File(wdiff);
    let img = imageOfFile.get(key);
    if (!img) {
      const t = p('check.img');
      rmSync(t, { force: true });
      sh('truncate', ['-s', String(size), t]);
      sh(process.execPath, [join(o.root, 'bin/walbctl.js'), 'wdiff', 'apply', wdiff, '--target', t]);
      img = sha1File(t);
      rmSync(t);
      imageOfFile.set(key, img);
    }
    return img;
  };
  const pair = (ourFile: string, theirFile: string, image: (f: string) => string) => {
    const got: Record<string, string> = {};
    return {
      check: async (tool: 'ours' | 'theirs') => {
        got[tool] = image(tool === 'ours' ? ourFile : theirFile);
      },
      same: async () => got.ours !== undefined && got.ours === got.theirs,
    };
  };
  const output = (ourFile: string, theirFile: string) => ({
    outputs: { ours: ourFile, theirs: theirFile },
    before: (tool: 'ours' | 'theirs') => rmSync(tool === 'ours' ? ourFile : theirFile, { force: true }),
    ...pair(ourFile, theirFile, imageOf),
  });
  const logBytes = sizeOf(p('log.wlog'));
  const partBytes = partDiffs.reduce((s, f) => s + sizeOf(f), 0);
  const ops: Op[] = [
    {
      name: 'to-wdiff sorted', baseline: 'wlog-to-wdiff', bytes: logBytes, inputs: [p('log.wlog')],
      ours: walbctl('wlog', 'to-wdiff', p('log.wlog'), '-o', p('c-ours.wdiff'), '--compress', 'snappy'),
      theirs: [W('wlog-to-wdiff'), '-i', p('log.wlog'), '-o', p('c-theirs.wdiff')],
      ...output(p('c-ours.wdiff'), p('c-theirs.wdiff')),
    },
    {
      name: 'to-wdiff indexed', baseline: 'wlog-to-wdiff', bytes: logBytes, inputs: [p('log.wlog')],
      ours: walbctl('wlog', 'to-wdiff', p('log.wlog'), '-o', p('i-ours.wdiff'), '--indexed', '--compress', 'snappy'),
      theirs: [W('wlog-to-wdiff'), '-indexed', '-i', p('log.wlog'), '-o', p('i-theirs.wdiff')],
      ...output(p('i-ours.wdiff'), p('i-theirs.wdiff')),
    },
    {
      name: 'merge 10 wdiffs', baseline: 'wdiff-merge', bytes: partBytes, inputs: partDiffs,
      ours: walbctl('wdiff', 'merge', ...partDiffs, '-o', p('m-ours.wdiff'), '--compress', 'snappy'),
      theirs: [W('wdiff-merge'), '-cmpr', 'snappy:0:1', '-i', ...partDiffs, '-o', p('m-theirs.wdiff')],
      ...output(p('m-ours.wdiff'), p('m-theirs.wdiff')),
    },
    {
      name: 'wdiff apply', baseline: 'wdiff-redo -z', bytes: sizeOf(p('log.wdiff')), inputs: [p('log.wdiff'), p('target-ours.img'), p('target-theirs.img')],
      ours: walbctl('wdiff', 'apply', p('log.wdiff'), '--target', p('target-ours.img')),
      theirs: [W('wdiff-redo'), '-z', '-i', p('log.wdiff'), p('target-theirs.img')],
      outputs: { ours: p('target-ours.img'), theirs: p('target-theirs.img') },
      ...pair(p('target-ours.img'), p('target-theirs.img'), sha1File),
    },
    {
      name: 'wlog apply', baseline: 'wlog-redo -z', bytes: logBytes, inputs: [p('log.wlog'), p('target-ours.img'), p('target-theirs.img')],
      ours: walbctl('wlog', 'apply', p('log.wlog'), '--target', p('target-ours.img')),
      theirs: [W('wlog-redo'), '-z', '-i', p('log.wlog'), p('target-theirs.img')],
      outputs: { ours: p('target-ours.img'), theirs: p('target-theirs.img') },
      ...pair(p('target-ours.img'), p('target-theirs.img'), sha1File),
    },
  ];
  // walbctl's own: a full backup of the applied image into a fresh archive, and a restore of it,
  // each against cp --sparse=always + sync FILE (an fsync of the copy alone, as walbctl fsyncs its own output) of the same file.
  const dev = p('target-ours.img');
  const data = p('data');
  const base = join(data, 'archive', 'bench', 'base.img');
  const cpTo = (src: string, dst: string) => ['sh', '-c', `cp --sparse=always '${src}' '${dst}' && sync '${dst}'`];
  ops.push(
    {
      name: 'full backup', baseline: 'cp+sync', bytes: size, inputs: [dev],
      ours: walbctl('vol', 'full-backup', 'bench', '--data-dir', data),
      theirs: cpTo(dev, p('cp.img')),
      before: (tool) => {
        if (tool === 'theirs') return rmSync(p('cp.img'), { force: true });
        rmSync(data, { recursive: true, force: true });
        sh(process.execPath, [join(o.root, 'bin/walbctl.js'), 'vol', 'init', 'bench', '--device', dev, '--data-dir', data]);
        sh(process.execPath, [join(o.root, 'bin/walbctl.js'), 'archive', 'init', 'bench', '--data-dir', data]);
      },
      ...pair(base, p('cp.img'), sha1File),
    },
    {
      name: 'restore', baseline: 'cp+sync', bytes: size, inputs: [base],
      ours: walbctl('archive', 'restore', 'bench', 'GID', '--mode', 'copy', '--path', p('restored.img'), '--data-dir', data),
      theirs: cpTo(base, p('cp.img')),
      before: (tool) => rmSync(tool === 'ours' ? p('restored.img') : p('cp.img'), { force: true }),
      ...pair(p('restored.img'), p('cp.img'), sha1File),
    },
  );
  // The restore's gid is the base snapshot's, known once the full backup has run.
  const restore = ops[ops.length - 1]!;
  const before = restore.before!;
  // The base is a dirty snapshot: one scan snapshot after it (nothing changed) makes a clean one.
  restore.before = (tool) => {
    const list = () => JSON.parse(sh(process.execPath, [join(o.root, 'bin/walbctl.js'), 'archive', 'get', 'restorable', 'bench', '--data-dir', data, '--json'])) as unknown[];
    let gids = list();
    if (gids.length === 0) {
      sh(process.execPath, [join(o.root, 'bin/walbctl.js'), 'vol', 'snapshot', 'bench', '--data-dir', data, '--implicit']);
      gids = list();
    }
    const gid = String(firstGid(gids));
    restore.ours = restore.ours.map((a, i) => (restore.ours[i - 1] === 'bench' && restore.ours[i - 2] === 'restore' ? gid : a));
    before(tool);
    // A gid restored already is not restored again: forget the previous round's image.
    if (tool === 'ours') spawnSync(process.execPath, [join(o.root, 'bin/walbctl.js'), 'archive', 'del-restored', 'bench', gid, '--data-dir', data]);
  };
  return { ops };
}

function firstGid(v: unknown): number {
  if (typeof v === 'number') return v;
  if (Array.isArray(v)) return firstGid(v[0]);
  if (v && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    for (const k of ['gid', 'snapshots', 'restorable', 'items']) if (k in o) return firstGid(o[k]);
    return firstGid(Object.values(o)[0]);
  }
  throw new Error(`no restorable gid in ${JSON.stringify(v)}`);
}
