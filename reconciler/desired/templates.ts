/**
 * Each template checked on its own, leniently (any key may be left out: the file that extends it
 * may set it): against the host or volume schema its folder names.
 */
import { schemaDiagnostics } from './check-schema.js';
import type { Diagnostic } from './diagnostic.js';
import { diagnoseAt } from './locate.js';
import { validators } from './schema.js';
import type { TemplateFile } from './tree.js';

export function checkTemplates(templates: Map<string, TemplateFile>): Diagnostic[] {
  const v = validators();
  const out: Diagnostic[] = [];
  for (const t of templates.values()) {
    if (!t.root) continue;
    out.push(...schemaDiagnostics(t.kind === 'host' ? v.host : v.volume, t.root));
    if (t.kind === 'host' && t.root.entries.has('host')) out.push(diagnoseAt(t.root, ['host'], "a template cannot set host (a host's name is its file's name)"));
  }
  return out;
}
