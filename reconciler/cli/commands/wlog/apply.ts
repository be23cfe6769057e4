import { defineCommand } from '../../command.js';
import { runApply } from '../wdiff/_apply.js';
import { applyHelp } from '../wdiff/_shared.js';

export default defineCommand({
  summary: 'replay wlogs (or wdiffs) onto an image file or block device',
  help: applyHelp('wlog', 'wlogs (replaying every logged IO in lsid order)'),
  run: (args, io) => runApply('wlog apply', args, io),
});
