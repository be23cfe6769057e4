import { describe, expect, it } from 'vitest';

import { authorize, authorizeSend, type WireRequest } from '../../../reconciler/fleet/authorize.js';
import { desired, volume } from '../plan/fixtures.js';

// db-1 stores pg (proxy px-1, primary ar-1, secondary ar-2 fed by replication ar-1 → ar-2) and
// web (archive ar-2 only); ghost is a host the tree does not name.
const tree = desired(
  [
    volume({ host: 'db-1', name: 'pg', proxies: ['px-1'], archives: [{ host: 'ar-1', primary: true }, { host: 'ar-2', primary: false }], replication: [{ from: 'ar-1', to: 'ar-2', mode: 'async', schedule: { kind: 'every', everySeconds: 3600 }, compression: 'lz4', bandwidthLimitBytes: null }] }),
    volume({ host: 'db-1', name: 'web', proxies: [], archives: [{ host: 'ar-2', primary: true }] }),
    volume({ host: 'db-2', name: 'mail', proxies: [], archives: [{ host: 'ar-1', primary: true }] }),
  ],
  { hosts: ['ar-1', 'ar-2', 'px-1'] },
);

// After the failover commit: ar-2 is pg's primary, ar-1 its secondary, replication reversed.
const failedOver = desired(
  [
    volume({ host: 'db-1', name: 'pg', proxies: ['px-1'], archives: [{ host: 'ar-2', primary: true }, { host: 'ar-1', primary: false }], replication: [{ from: 'ar-2', to: 'ar-1', mode: 'async', schedule: { kind: 'every', everySeconds: 3600 }, compression: 'lz4', bandwidthLimitBytes: null }] }),
  ],
  { hosts: ['ar-1', 'ar-2', 'px-1'] },
);

// pg may also be restored by db-3 (a replacement host under a new name): restoreHosts.
const withRestorer = desired(
  [
    volume({ host: 'db-1', name: 'pg', proxies: [], archives: [{ host: 'ar-1', primary: true }], restoreHosts: ['db-3'] }),
    volume({ host: 'db-2', name: 'mail', proxies: [], archives: [{ host: 'ar-1', primary: true }] }),
  ],
  { hosts: ['ar-1', 'db-3'] },
);

const req = (operation: WireRequest['operation'], volume: string | null): WireRequest => ({ operation, volume });

describe('authorize (the receiver decides from the tree)', () => {
  it.each([
    { name: 'an archive accepts a full backup from the volume\'s storage host', local: 'ar-1', peer: 'db-1', r: req('full-backup', 'pg'), want: null },
    { name: 'an archive accepts diffs from the volume\'s proxy', local: 'ar-1', peer: 'px-1', r: req('diff', 'pg'), want: null },
    { name: 'a proxy accepts diffs from the volume\'s storage host', local: 'px-1', peer: 'db-1', r: req('diff', 'pg'), want: null },
    { name: 'a host the tree does not name is refused', local: 'ar-1', peer: 'ghost', r: req('status', null), want: 'unknown-peer' },
    { name: 'a valid host sending a volume that is not its own is refused', local: 'ar-1', peer: 'db-2', r: req('full-backup', 'pg'), want: 'not-a-sender' },
    { name: 'another archive of the volume may send it against the declared pair (a failover hand-over)', local: 'ar-1', peer: 'ar-2', r: req('diff', 'pg'), want: null },
    { name: 'an archive that became the primary accepts the old primary\'s hand-over', local: 'ar-2', peer: 'ar-1', r: req('diff', 'pg'), tree: failedOver, want: null },
    { name: 'a host that is not an archive of the volume is still refused as a sender to its archive', local: 'ar-2', peer: 'ar-1', r: req('diff', 'web'), want: 'not-a-sender' },
    { name: 'an archive accepts the volume\'s data along a declared replication pair', local: 'ar-2', peer: 'ar-1', r: req('diff', 'pg'), want: null },
    { name: 'the replication target may ask its source for a hash index', local: 'ar-1', peer: 'ar-2', r: req('hash-backup', 'pg'), want: null },
    { name: 'an archive refuses a volume the tree does not archive there', local: 'ar-1', peer: 'db-1', r: req('full-backup', 'web'), want: 'not-held-here' },
    { name: 'a volume nobody declares is refused', local: 'ar-1', peer: 'db-1', r: req('diff', 'nosuch'), want: 'unknown-volume' },
    { name: 'any host of the tree may ask for a host-level status', local: 'ar-1', peer: 'db-2', r: req('status', null), want: null },
    { name: 'a data transfer must name a volume', local: 'ar-1', peer: 'db-1', r: req('diff', null), want: 'unknown-volume' },
    { name: 'the storage host may ask an archive for the volume\'s status', local: 'ar-1', peer: 'db-1', r: req('status', 'pg'), want: null },
    { name: 'another archive of the volume may ask for its status', local: 'ar-1', peer: 'ar-2', r: req('status', 'pg'), want: null },
    { name: 'a host with no part in the volume may not ask for its status', local: 'ar-1', peer: 'db-2', r: req('status', 'pg'), want: 'not-a-participant' },
    { name: 'a status of a volume not held here is refused', local: 'ar-2', peer: 'db-2', r: req('status', 'mail'), want: 'not-held-here' },
    { name: 'replication is accepted along a declared pair', local: 'ar-2', peer: 'ar-1', r: req('replicate', 'pg'), want: null },
    { name: 'replication against the declared direction is refused', local: 'ar-1', peer: 'ar-2', r: req('replicate', 'pg'), want: 'not-a-pair' },
    { name: 'a restore is served to the volume\'s storage host', local: 'ar-1', peer: 'db-1', r: req('restore', 'pg'), want: null },
    { name: 'a restore is refused to any other host', local: 'ar-1', peer: 'db-2', r: req('restore', 'pg'), want: 'not-a-sender' },
    { name: 'a restore is served to a host the volume\'s restoreHosts names', local: 'ar-1', peer: 'db-3', r: req('restore', 'pg'), tree: withRestorer, want: null },
    { name: 'a restore is still refused to a host restoreHosts does not name', local: 'ar-1', peer: 'db-2', r: req('restore', 'pg'), tree: withRestorer, want: 'not-a-sender' },
    { name: 'restoreHosts lets a host restore, never send the volume\'s data', local: 'ar-1', peer: 'db-3', r: req('full-backup', 'pg'), tree: withRestorer, want: 'not-a-sender' },
    { name: 'a restoreHosts host of one volume may not restore another', local: 'ar-1', peer: 'db-3', r: req('restore', 'mail'), tree: withRestorer, want: 'not-a-sender' },
    { name: 'only an archive of the volume serves a restore', local: 'px-1', peer: 'db-1', r: req('restore', 'pg'), want: 'not-held-here' },
  ])('$name', ({ local, peer, r, want, tree: t }) => {
    const got = authorize(t ?? tree, local, peer, r);
    expect(got.allowed ? null : got.code).toBe(want);
    // A refusal names who was refused, or what this host does not hold.
    if (!got.allowed) expect(got.message).toMatch(want === 'unknown-volume' ? /nosuch|needs a volume/ : want === 'not-held-here' ? new RegExp(local) : new RegExp(peer));
  });
});

describe('authorizeSend (the sender checks before it dials)', () => {
  it('a storage host may send its volume to the primary archive the tree names', () => {
    expect(authorizeSend(tree, 'db-1', 'ar-1', req('full-backup', 'pg'))).toEqual({ allowed: true });
  });
  it('a storage host may not send its volume to an archive the tree does not name for it', () => {
    expect(authorizeSend(tree, 'db-1', 'ar-1', req('full-backup', 'web'))).toMatchObject({ allowed: false, code: 'not-held-here' });
  });
  it('a storage host may not send another host\'s volume', () => {
    expect(authorizeSend(tree, 'db-2', 'ar-1', req('diff', 'pg'))).toMatchObject({ allowed: false, code: 'not-a-sender' });
  });
  it('a target the tree does not name is refused by name', () => {
    expect(authorizeSend(tree, 'db-1', 'ghost', req('diff', 'pg'))).toMatchObject({ allowed: false, code: 'unknown-peer', message: expect.stringContaining('ghost') });
  });
});

describe('authorize on a daemon that loaded only the hosts it deals with', () => {
  const partial = { ...tree, hosts: { 'ar-1': tree.hosts['ar-1']!, 'db-1': tree.hosts['db-1']! }, allHosts: ['ar-1', 'ar-2', 'db-1', 'db-2', 'ops-1', 'px-1'] };
  it('refuses a host of the tree with no part in the volume as such, not as a stranger', () => {
    expect(authorize(partial, 'ar-1', 'ops-1', req('status', 'pg'))).toMatchObject({ allowed: false, code: 'not-a-participant' });
  });
  it('still refuses a host the tree does not name as unknown', () => {
    expect(authorize(partial, 'ar-1', 'ghost', req('status', 'pg'))).toMatchObject({ allowed: false, code: 'unknown-peer' });
  });
});
