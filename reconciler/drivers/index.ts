/**
 * Picks the driver a host file names. Drivers load lazily so a command that never touches the data
 * path (plan from a fixture, status) does not load the native addon.
 */
import type { DesiredHost } from '../model/desired.js';
import type { Driver } from './driver.js';

export async function driverFor(host: DesiredHost): Promise<Driver> {
  switch (host.driver) {
    case 'native': {
      const { createNativeDriver } = await import('./native/index.js');
      return createNativeDriver();
    }
    case 'walb': {
      const { createWalbDriver } = await import('./walb/index.js');
      return createWalbDriver();
    }
  }
}
