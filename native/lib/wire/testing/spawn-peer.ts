/** Starts testing/peer.ts as a child process and waits for its first line of JSON. */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The compiled peer script (dist/…/peer.js), whichever of source or dist this module runs from. */
export const peerScript = fileURLToPath(new URL('./peer.js', import.meta.url)).replace(/\/native\/lib\/wire\/testing\/peer\.js$/, (m) => (import.meta.url.includes('/dist/') ? m : `/dist${m}`));

export interface PeerProcess {
  child: ChildProcess;
  /** The first JSON line it printed. */
  first: Promise<Record<string, unknown>>;
  /** Resolves with the exit code (null when killed by a signal). */
  exited: Promise<number | null>;
  /** The JSON lines it printed so far. */
  lines(): Record<string, unknown>[];
}

export function spawnPeer(args: object): PeerProcess {
  // WALBCTL_PEER_NODE_ARGS: node flags for the peer processes (e.g. "--cpu-prof --cpu-prof-dir=/tmp/p").
  const nodeArgs = (process.env.WALBCTL_PEER_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const child = spawn(process.execPath, [...nodeArgs, peerScript, JSON.stringify(args)], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const first = new Promise<Record<string, unknown>>((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const nl = out.indexOf('\n');
      if (nl >= 0) resolve(JSON.parse(out.slice(0, nl)) as Record<string, unknown>);
    });
    child.stderr!.on('data', (d: Buffer) => void (err += d.toString()));
    void exited.then((code) => reject(new Error(`wire peer exited (${code}) before answering: ${err.trim().slice(-400)}`)));
  });
  first.catch(() => {});
  const lines = (): Record<string, unknown>[] =>
    out
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as Record<string, unknown>);
  return { child, first, exited, lines };
}
