/**
 * WalB's `get` queries that answer one LTSV line (tab-separated `key:value`) per volume or per pair,
 * as walb-tools 1.0.19 prints them (storage.cpp, archive.cpp, ts_delta.hpp):
 *   log-usage    `name:VOL\tusage_pb:N\tcapacity_pb:N\tpbs:N`                 (storage)
 *   latest-snap  `name:VOL\tkind:storage\tgid:N\tlsid:N\ttimestamp:T`         (storage; an archive
 *                 prints `kind:archive` without lsid)
 *   ts-delta     `name:VOL\tdest:ID\tkind:K\tdest_kind:K\tgid:N\tts:T\tdest_gid:N\tdest_ts:T\tts_delta:S`
 *                 (the source's newest snapshot against the newest one the destination is known to
 *                 hold; `dest_gid`, `dest_ts` and `ts_delta` empty while it is not known)
 * T is `YYYY-MM-DDThh:mm:ss` (UTC). Each bad line is reported with its number and text.
 */
import { InputError } from '../../../common/errors.js';

type Fields = Record<string, string>;

export function parseLtsv(text: string, source: string): { line: number; fields: Fields }[] {
  return text.split('\n').map((l, i) => [i + 1, l.replace(/\r$/, '')] as const).filter(([, l]) => l.trim() !== '').map(([n, l]) => {
    const fields: Fields = {};
    for (const part of l.split('\t')) {
      const at = part.indexOf(':');
      if (at <= 0) throw new InputError(`not a "key:value" field: "${part}" in "${l}"`, `${source} line ${n}`);
      fields[part.slice(0, at)] = part.slice(at + 1);
    }
    return { line: n, fields };
  });
}

function need(r: { line: number; fields: Fields }, key: string, source: string): string {
  const v = r.fields[key];
  if (v === undefined) throw new InputError(`no ${key} field`, `${source} line ${r.line}`);
  return v;
}

function num(r: { line: number; fields: Fields }, key: string, source: string): number {
  const v = need(r, key, source);
  if (!/^\d+$/.test(v) || !Number.isSafeInteger(Number(v))) throw new InputError(`${key} "${v}" is not a count`, `${source} line ${r.line}`);
  return Number(v);
}

function time(r: { line: number; fields: Fields }, key: string, source: string): string {
  const v = need(r, key, source);
  if (!/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$/.test(v)) throw new InputError(`${key} "${v}" is not YYYY-MM-DDThh:mm:ss`, `${source} line ${r.line}`);
  return `${v}Z`;
}

/** The line of volume `vol`; undefined when there is none. */
function lineOf(text: string, vol: string, source: string): { line: number; fields: Fields } | undefined {
  return parseLtsv(text, source).find((r) => need(r, 'name', source) === vol);
}

export interface WalbLogUsage {
  usagePb: number;
  capacityPb: number;
  /** Physical block size, bytes. */
  pbs: number;
}

export function parseLogUsage(text: string, vol: string, source = 'walbc get log-usage'): WalbLogUsage | undefined {
  const r = lineOf(text, vol, source);
  return r && { usagePb: num(r, 'usage_pb', source), capacityPb: num(r, 'capacity_pb', source), pbs: num(r, 'pbs', source) };
}

export interface WalbLatestSnap {
  gid: number;
  /** Storage only: the log position of the snapshot. */
  lsid: number | null;
  timestamp: string;
}

export function parseLatestSnap(text: string, vol: string, source = 'walbc get latest-snap'): WalbLatestSnap | undefined {
  const r = lineOf(text, vol, source);
  return r && { gid: num(r, 'gid', source), lsid: r.fields.lsid === undefined ? null : num(r, 'lsid', source), timestamp: time(r, 'timestamp', source) };
}

export interface WalbTsDelta {
  name: string;
  dest: string;
  kind: string;
  destKind: string;
  gid: number;
  timestamp: string;
  /** null: the destination's newest snapshot is not known yet. */
  destGid: number | null;
  destTimestamp: string | null;
  /** Seconds the destination's newest snapshot is older than the source's (negative: newer). */
  deltaSeconds: number | null;
}

export function parseTsDelta(text: string, source = 'walbc get ts-delta'): WalbTsDelta[] {
  return parseLtsv(text, source).map((r) => {
    const known = (r.fields.dest_gid ?? '') !== '';
    const delta = r.fields.ts_delta ?? '';
    if (known && !/^-?\d+$/.test(delta)) throw new InputError(`ts_delta "${delta}" is not a number of seconds`, `${source} line ${r.line}`);
    return {
      name: need(r, 'name', source), dest: need(r, 'dest', source), kind: need(r, 'kind', source), destKind: need(r, 'dest_kind', source),
      gid: num(r, 'gid', source), timestamp: time(r, 'ts', source),
      destGid: known ? num(r, 'dest_gid', source) : null,
      destTimestamp: known ? time(r, 'dest_ts', source) : null,
      deltaSeconds: known ? Number(delta) : null,
    };
  });
}
