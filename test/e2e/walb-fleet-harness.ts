/** Host files of a mixed fleet: a walb-proxy host (`driver: walb`) and a walbctl archive fed by walb-proxies. */
import { join } from 'node:path';

/** px-1 with WalB's walb-proxy at 127.0.0.1:PORT; walb-proxy connects to archives from 127.0.0.1, its address. */
export function walbProxyHostYaml(root: string, port: number): string {
  return `host: px-1\naddress: 127.0.0.1\nroles: [proxy]\ndataDir: ${join(root, 'data', 'px-1')}\ncreateDataDir: true\ndriver: walb\nproxy:\n  listen: 127.0.0.1:${port}\n`;
}

/** An archive host file (fleetHostYaml) with `archive.walbListen` added under its archive.listen. */
export function withWalbListen(hostYaml: string, address: string, port: number): string {
  return hostYaml.replace(/^(archive:\n {2}listen: .*\n)/m, `$1  walbListen: ${address}:${port}\n`);
}

/** The volume pg of db-1: through px-1 to ar-1, snapshots hourly (the tests take their own). */
export function pgVolumeYaml(path: string, size: string, capture: 'scan' | 'wdev'): string {
  return `volumes:
  pg:
    device:
      path: ${path}
      size: ${size}
    capture: ${capture}
    proxies: [px-1]
    archives: [ar-1]
    snapshots:
      every: 1h
    retention:
      keepLast: 100
`;
}
