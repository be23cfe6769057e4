/**
 * The `native` driver: the embedded data path (native/lib/archive, native/lib/storage).
 */
import { DriverUnavailableError } from '../errors.js';
import type { Driver } from '../driver.js';

export function createNativeDriver(): Driver {
  throw new DriverUnavailableError('native', 'the archive and storage API (native/lib/archive, native/lib/storage) is not in this build yet');
}
