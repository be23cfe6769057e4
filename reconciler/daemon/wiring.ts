/**
 * The daemon's production collaborators: the desired-state loader, the planner and the drivers.
 * Kept apart from the loop so tests and benchmarks can run the same loop with stand-ins.
 */
import { formatDiagnostic } from '../desired/diagnostic.js';
import { loadDesiredState } from '../desired/load.js';
import { driverFor } from '../drivers/index.js';
import { computePlan } from '../plan/compute.js';
import type { DesiredLoader } from './desired-source.js';
import type { PlanFunction } from './pass.js';

export const loadTree: DesiredLoader = async (dir, host) => {
  const result = await loadDesiredState(dir, { host });
  if (result.state) return { state: result.state, errors: [] };
  const errors = result.diagnostics.map(formatDiagnostic);
  return { state: null, errors: errors.length > 0 ? errors : [`${dir}: the tree did not load`] };
};

export const planHost: PlanFunction = (desired, observed, now) => computePlan(desired, observed, now);

export { driverFor };
