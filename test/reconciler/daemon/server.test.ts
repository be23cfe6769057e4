import { describe, expect, it } from 'vitest';

import { startStatusServer } from '../../../reconciler/daemon/server.js';

describe('the status server', () => {
  it('serves /status as JSON, /metrics as Prometheus text, and takes POST /reconcile', async () => {
    let asked = 0;
    const server = await startStatusServer({ host: '127.0.0.1', port: 0 }, { status: () => ({ host: 'local' }), metrics: async () => 'm 1\n', reconcileNow: () => void asked++ });
    try {
      const base = `http://127.0.0.1:${server.port}`;
      const s = await fetch(`${base}/status`);
      expect(s.headers.get('content-type')).toBe('application/json');
      expect(await s.json()).toEqual({ host: 'local' });
      const m = await fetch(`${base}/metrics`);
      expect(m.headers.get('content-type')).toContain('text/plain; version=0.0.4');
      expect(await m.text()).toBe('m 1\n');
      expect((await fetch(`${base}/reconcile`, { method: 'POST' })).status).toBe(202);
      expect(asked).toBe(1);
      expect((await fetch(`${base}/nope`)).status).toBe(404);
    } finally {
      await server.close();
    }
  });
});
