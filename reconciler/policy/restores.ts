/**
 * Keep declared restores present and verified. For each declared restore: the image at its path must
 * hold the picked snapshot and, when `verify` is set, have passed verification. A stale or failed
 * image is deleted and restored again. Restored images no declaration names are deleted too — that
 * one is destructive, since someone may be using an image walbctl was not asked to keep.
 *
 * Only images the reconciler made (`managed`: its inventory lists them) are ever deleted or replaced:
 * an operator's restore (`walbctl archive restore`) is reported and left alone, and so is an image
 * at a path another volume now declares (a device, another restore).
 */
import type { RestoreSpec } from '../model/desired.js';
import type { ObservedRestored } from '../../common/observed.js';
import { claimedByOther, describeClaim, type Claims } from './claims.js';
import { pickRestore, type Restorable } from './restore-pick.js';
import type { Step } from './step.js';

export interface RestoreInput {
  /** The volume's name. */
  volume?: string;
  specs: readonly RestoreSpec[];
  restored: readonly ObservedRestored[];
  /** Snapshots that stay restorable after this plan's merges and apply. */
  restorable: readonly Restorable[];
  now: number;
  /** The paths the desired state gives this host (plan/claims.ts). */
  claims?: Claims;
}

export interface RestorePlan {
  steps: Step[];
  warnings: string[];
}

export function restoreSteps(input: RestoreInput): RestorePlan {
  const steps: Step[] = [];
  const warnings: string[] = [];
  const declaredPaths = new Set(input.specs.map((s) => s.path));
  const claimed = (path: string) => (input.claims && input.volume !== undefined ? claimedByOther(input.claims, path, input.volume) : null);
  for (const image of input.restored) {
    if (declaredPaths.has(image.path)) continue;
    if (!image.managed) {
      warnings.push(`${image.path} holds gid ${image.gid}, restored by hand (not managed): walbctl leaves it alone`);
      continue;
    }
    const other = claimed(image.path);
    if (other) {
      warnings.push(`${image.path} holds gid ${image.gid} restored by walbctl, and is now ${describeClaim(other)}: walbctl does not delete it`);
      continue;
    }
    steps.push({
      kind: 'delete-restore', key: `gid-${image.gid}`,
      params: { gid: image.gid, path: image.path },
      reason: `no declared restore keeps ${image.path}`,
      destructive: true,
    });
  }
  for (const spec of input.specs) {
    const picked = pickRestore(spec.pick, input.restorable, input.now);
    const image = input.restored.find((r) => r.path === spec.path);
    if (image && !image.managed) {
      warnings.push(`restore "${spec.name}": ${spec.path} holds gid ${image.gid}, restored by hand (not managed): walbctl does not replace it; delete it or declare another path`);
      continue;
    }
    if (!picked) {
      if (!image) warnings.push(`restore "${spec.name}": no snapshot matches "${spec.pick}" yet`);
      continue;
    }
    const restore = (why: string): void => {
      if (image) {
        steps.push({ kind: 'delete-restore', key: spec.name, params: { name: spec.name, gid: image.gid, path: image.path }, reason: why });
      }
      steps.push({ kind: 'restore', key: spec.name, params: { name: spec.name, gid: picked.gid, path: spec.path }, reason: why });
      if (spec.verify) steps.push({ kind: 'verify-restore', key: spec.name, params: { name: spec.name, gid: picked.gid, path: spec.path }, reason: `restore "${spec.name}" declares verify` });
    };
    if (!image) restore(`restore "${spec.name}" (${spec.pick}) is not present`);
    else if (image.gid !== picked.gid) restore(`restore "${spec.name}" holds gid ${image.gid}, ${spec.pick} is now gid ${picked.gid}`);
    else if (image.verified === false) restore(`restore "${spec.name}" failed verification: restore it again`);
    else if (spec.verify && image.verified === null) {
      steps.push({ kind: 'verify-restore', key: spec.name, params: { name: spec.name, gid: image.gid, path: spec.path }, reason: `restore "${spec.name}" was never verified` });
    }
  }
  return { steps, warnings };
}
