import { describe, expect, it } from 'vitest';

import { parseListen, statusUrl } from '../../../reconciler/daemon/listen.js';

describe('daemon.listen', () => {
  it('accepts loopback addresses', () => {
    expect(parseListen('127.0.0.1:9469')).toEqual({ host: '127.0.0.1', port: 9469 });
    expect(parseListen('[::1]:9469')).toEqual({ host: '::1', port: 9469 });
    expect(parseListen('localhost:0')).toEqual({ host: 'localhost', port: 0 });
    expect(statusUrl('[::1]:9469')).toBe('http://[::1]:9469');
  });

  it('refuses anything else, naming the field', () => {
    expect(() => parseListen('0.0.0.0:9469', 'hosts/a.yaml: daemon.listen')).toThrow('hosts/a.yaml: daemon.listen: "0.0.0.0" is not a loopback address');
    expect(() => parseListen('10.1.2.3:9469')).toThrow(/not a loopback/);
    expect(() => parseListen('127.0.0.1')).toThrow(/is not HOST:PORT/);
    expect(() => parseListen('127.0.0.1:70000')).toThrow(/out of range/);
  });
});
