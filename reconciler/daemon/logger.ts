/**
 * The daemon's logger: pino JSON lines on stdout, or pino-pretty's readable lines when stdout is a
 * terminal (or `--log-format pretty`). pino-pretty runs as a plain stream in this thread, not as a
 * worker transport, so nothing is lost at exit and no extra thread costs memory. Readable lines show
 * the message only; the fields stay in the JSON form (messages are written to stand alone).
 */
import { pino, type Logger } from 'pino';
import { PinoPretty } from 'pino-pretty';

export type LogFormat = 'json' | 'pretty';

export function createLogger(options: { format: LogFormat; level?: string; destination?: NodeJS.WritableStream }): Logger {
  const base = {
    level: options.level ?? 'info',
    base: undefined,
    timestamp: pino.stdTimeFunctions.isoTime,
  };
  if (options.format === 'pretty') {
    const pretty = PinoPretty({
      colorize: true,
      translateTime: 'SYS:HH:MM:ss',
      ignore: 'pid,hostname,host,volume',
      messageFormat: '{if daemon}[{daemon}] {end}{if volume}{volume}: {end}{msg}',
      hideObject: true,
      singleLine: false,
      destination: options.destination ?? process.stdout,
      sync: true,
    });
    return pino(base, pretty);
  }
  return pino(base, options.destination ?? pino.destination({ dest: 1, sync: true }));
}
