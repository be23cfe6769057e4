/**
 * A walb-proxy through walbc: its status, a volume's state, its archive destinations
 * (`archive-info add|delete|list|get`) and `start`/`stop`. Text forms as walb-proxy 1.0.19 prints them
 * (observed against the real server; see test/reconciler/drivers/walb/proxy.test.ts).
 */
import { InputError } from '../../../common/errors.js';
import type { ObservedProxy, ProxyState } from '../../../common/observed.js';
import { walbc, type WalbcOptions, type WalbServer } from './walbc.js';

const PROXY_STATES: readonly string[] = ['Clear', 'Stopped', 'Started'];

/** `walbc status`: `-----Section-----` headers, then `key value` lines; the Volume section's lines as they are. */
export interface ProxyStatus {
  global: Record<string, string>;
  volumes: string[];
}

export function parseProxyStatus(text: string, source = 'walbc status'): ProxyStatus {
  const global: Record<string, string> = {};
  const volumes: string[] = [];
  let section = '';
  text.split('\n').forEach((raw, i) => {
    const line = raw.trimEnd();
    const header = /^-----(.+)-----$/.exec(line);
    if (header) section = header[1];
    else if (line === '') return;
    else if (section === 'ProxyGlobal') {
      const m = /^(\S+) (.*)$/.exec(line);
      if (!m) throw new InputError(`not a "key value" line: "${line}"`, `${source} line ${i + 1}`);
      global[m[1]] = m[2];
    } else if (section === 'Volume' && line.startsWith('volume ')) volumes.push(line.split(' ')[1]);
  });
  if (!('nodeId' in global)) throw new InputError('no ProxyGlobal section with a nodeId: not a walb-proxy status', source);
  return { global, volumes };
}

export function parseProxyState(text: string, source = 'walbc get state'): ProxyState {
  const state = text.trim();
  if (!PROXY_STATES.includes(state)) throw new InputError(`"${state}" is not a walb-proxy volume state (${PROXY_STATES.join(', ')})`, source);
  return state as ProxyState;
}

/** `archive-info get VOL NAME`: `HOST:PORT COMPRESSION DELAY`. */
export interface ProxyArchiveInfo {
  address: string;
  compression: string;
  delaySeconds: number;
}

export function parseArchiveInfo(text: string, source = 'walbc archive-info get'): ProxyArchiveInfo {
  const m = /^(\S+:\d+) (\S+) (\d+)$/.exec(text.trim());
  if (!m) throw new InputError(`not "HOST:PORT COMPRESSION DELAY": "${text.trim()}"`, source);
  return { address: m[1], compression: m[2], delaySeconds: Number(m[3]) };
}

export function parseArchiveList(text: string, source = 'walbc archive-info list'): string[] {
  return text.split('\n').map((l) => l.trim()).filter((l) => l !== '').map((l, i) => {
    if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(l)) throw new InputError(`not an archive name: "${l}"`, `${source} line ${i + 1}`);
    return l;
  });
}

export const proxy = {
  status: async (s: WalbServer, o?: WalbcOptions) => parseProxyStatus(await walbc(s, ['status'], o)),
  state: async (s: WalbServer, vol: string, o?: WalbcOptions) => parseProxyState(await walbc(s, ['get', 'state', vol], o)),
  archives: async (s: WalbServer, vol: string, o?: WalbcOptions) => parseArchiveList(await walbc(s, ['archive-info', 'list', vol], o)),
  archive: async (s: WalbServer, vol: string, name: string, o?: WalbcOptions) => parseArchiveInfo(await walbc(s, ['archive-info', 'get', vol, name], o)),
  addArchive: (s: WalbServer, vol: string, name: string, address: string, o?: WalbcOptions) => walbc(s, ['archive-info', 'add', vol, name, address], o),
  deleteArchive: (s: WalbServer, vol: string, name: string, o?: WalbcOptions) => walbc(s, ['archive-info', 'delete', vol, name], o),
  start: (s: WalbServer, vol: string, o?: WalbcOptions) => walbc(s, ['start', vol], o),
  stop: (s: WalbServer, vol: string, o?: WalbcOptions) => walbc(s, ['stop', vol], o),
};

/** `get is-wdiff-send-error VOL ARCHIVE`: `1` when walb-proxy gave up forwarding to that archive. */
export function parseSendError(text: string, source = 'walbc get is-wdiff-send-error'): boolean {
  const t = text.trim();
  if (t !== '0' && t !== '1') throw new InputError(`"${t}" is not 0 or 1`, source);
  return t === '1';
}

/** The proxy side of a volume as the planner sees it; undefined while walb-proxy holds nothing of it. */
export async function observeProxy(s: WalbServer, vol: string, o?: WalbcOptions): Promise<ObservedProxy | undefined> {
  const state = await proxy.state(s, vol, o);
  if (state === 'Clear') return undefined;
  const archives = await proxy.archives(s, vol, o);
  const sendErrors: string[] = [];
  for (const a of archives) if (parseSendError(await walbc(s, ['get', 'is-wdiff-send-error', vol, a], o))) sendErrors.push(a);
  return { state, archives, ...(sendErrors.length > 0 ? { sendErrors } : {}) };
}
