/** WalB's salted checksum of a buffer (synchronous; for tests and small headers, not data loops). */
import { addon } from './data-path.js';

export function checksum(data: Buffer, salt = 0): number {
  return addon().checksum(data, salt >>> 0);
}
