/**
 * WalB's `get` text forms, as `walbc get …` prints them (walb-tools 1.0.19: archive.cpp, meta.hpp),
 * and the forms `walbctl archive get …` prints where they differ:
 *   diff        `|B|-->|E| MC YYYY-MM-DDThh:mm:ss dataSize` (dirty snapshots `|B,E|`)
 *   restorable  `GID YYYY-MM-DDThh:mm:ss` (walbctl adds ` explicit` or ` implicit`)
 *   restored    WalB: `GID` alone (the image is the LV `wr_VOL_GID` in the archive's volume group);
 *               walbctl: `GID PATH CREATED`
 *   base        WalB: `<|B|>-YYYYMMDDhhmmss` or `<|B|-->|E|>-…` (MetaState::strTs); walbctl: `<B>`,
 *               `<B,E>` or `<B-->E>`
 * Each bad line is reported with its number and text.
 */
import { formatDiffName } from '../../../native/lib/archive/index.js';
import { InputError } from '../../../common/errors.js';
import type { GidSnap, ObservedArchive, ObservedDiff, ObservedRestored } from '../../../common/observed.js';

function snap(text: string, where: string): GidSnap {
  const m = /^(\d+)(?:,(\d+))?$/.exec(text);
  if (!m) throw new InputError(`"${text}" is not a gid or gid pair`, where);
  const b = Number(m[1]);
  return { b, e: m[2] === undefined ? b : Number(m[2]) };
}

function lines(text: string): [number, string][] {
  return text.split('\n').map((l, i) => [i + 1, l.trim()] as [number, string]).filter(([, l]) => l !== '');
}

const iso = (t: string) => (t.endsWith('Z') ? t : `${t}Z`);

export function parseDiffs(text: string, source = 'walbc get diff'): ObservedDiff[] {
  return lines(text).map(([n, l]) => {
    const m = /^\|([\d,]+)\|-->\|([\d,]+)\| ([M-])([C-]) (\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ?) (\d+)$/.exec(l);
    if (!m) throw new InputError(`not a diff line: "${l}"`, `${source} line ${n}`);
    const b = snap(m[1], `${source} line ${n}`);
    const e = snap(m[2], `${source} line ${n}`);
    const timestamp = iso(m[5]);
    const flags = { mergeable: m[3] === 'M', compared: m[4] === 'C' };
    // The file name WalB gives the diff: the diff list and the file names are the same thing.
    return { b, e, ...flags, timestamp, dataSize: Number(m[6]), file: formatDiffName({ b, e, ...flags, timestamp }) };
  });
}

export function parseRestorable(text: string, source = 'walbc get restorable'): ObservedArchive['restorable'] {
  return lines(text).map(([n, l]) => {
    const m = /^(\d+) (\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ?)(?: (explicit|implicit))?$/.exec(l);
    if (!m) throw new InputError(`not a restorable line: "${l}"`, `${source} line ${n}`);
    return { gid: Number(m[1]), timestamp: iso(m[2]), explicit: m[3] !== 'implicit' };
  });
}

/**
 * WalB prints a restored image's gid only: its path is `/dev/VG/wr_VOL_GID` (walb-archive's naming,
 * `volumeGroup` from `get volume-group`), and WalB does not record when it restored (createdAt null).
 */
export function parseRestored(text: string, source = 'walbc get restored', walb?: { volumeGroup: string; vol: string }): ObservedRestored[] {
  return lines(text).map(([n, l]) => {
    const bare = /^(\d+)$/.exec(l);
    if (bare && walb) return { gid: Number(bare[1]), path: `/dev/${walb.volumeGroup}/wr_${walb.vol}_${bare[1]}`, createdAt: null, verified: null };
    const m = /^(\d+) (\S+) (\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ?)$/.exec(l);
    if (!m) throw new InputError(`not a restored line: "${l}"`, `${source} line ${n}`);
    return { gid: Number(m[1]), path: m[2], createdAt: iso(m[3]), verified: null };
  });
}

export function parseBase(text: string, source = 'walbc get base'): ObservedArchive['base'] {
  // WalB's MetaState: snapshots in bars and the time the state was made after a dash.
  const t = text.trim().replace(/-\d{14}$/, '').replace(/\|([\d,]+)\|/g, '$1');
  const applying = /^<([\d,]+)-->([\d,]+)>$/.exec(t);
  if (applying) return { b: snap(applying[1], source), e: snap(applying[2], source) };
  const plain = /^<([\d,]+)>$/.exec(t);
  if (plain) return { b: snap(plain[1], source) };
  throw new InputError(`not a base: "${text.trim()}"`, source);
}
