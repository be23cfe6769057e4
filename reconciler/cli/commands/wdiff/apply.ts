import { defineCommand } from '../../command.js';
import { runApply } from './_apply.js';
import { applyHelp } from './_shared.js';

export default defineCommand({
  summary: 'apply wdiffs (or wlogs) onto an image file or block device',
  help: applyHelp('wdiff', 'wdiffs'),
  run: (args, io) => runApply('wdiff apply', args, io),
});
