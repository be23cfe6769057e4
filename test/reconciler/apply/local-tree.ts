/** A one-host tree (host `local`, native driver, data in `data/`) on real files, for apply tests. */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { applyHost, type ApplyHostOptions } from '../../../reconciler/apply/apply-host.js';
import { loadHostContext } from '../../../reconciler/apply/host-context.js';
import type { Plan } from '../../../reconciler/model/plan.js';
import { observeHost } from '../../../reconciler/observed/index.js';
import { computePlan } from '../../../reconciler/plan/compute.js';

/** A scan-captured 1 MiB volume; `extra` lines go under it (restores, protect). */
export function volumeYaml(name: string, device = `volumes/${name}.img`, extra = ''): string {
  return `  ${name}:
    device:
      path: ${device}
      size: 1MiB
    capture: scan
    proxies: [local]
    archives: [local]
    snapshots:
      every: 1h
    retention:
      keepLast: 3
${extra}`;
}

export function localTree(volumes: string) {
  const dir = mkdtempSync(join(tmpdir(), 'walbctl-tree-'));
  /** Rewrites hosts/local.yaml with these volumes (a new revision of the tree). */
  const write = (v: string) => {
    mkdirSync(join(dir, 'hosts'), { recursive: true });
    writeFileSync(join(dir, 'hosts/local.yaml'), `host: local\naddress: 127.0.0.1\nroles: [storage, proxy, archive]\ndataDir: data\ndriver: native\nvolumes:\n${v}`);
  };
  write(volumes);
  const context = () => loadHostContext(dir, 'local');
  const apply = async (options: ApplyHostOptions = {}) => applyHost(await context(), options);
  const plan = async (): Promise<Plan> => {
    const c = await context();
    return computePlan(c.desired, await observeHost(c.host, c.desired), new Date()).plan;
  };
  return { dir, data: join(dir, 'data'), write, apply, plan };
}
