/**
 * The `walb` driver: WalB's own servers through `walbc`.
 */
import { DriverUnavailableError } from '../errors.js';
import type { Driver } from '../driver.js';

export function createWalbDriver(): Driver {
  throw new DriverUnavailableError('walb', 'driving WalB servers through walbc is not implemented yet');
}
