import type { Notifier, NotifierPlugin } from './notifier.js';
import { title } from './notification.js';
import { textLines } from './format.js';

export interface ConsoleSettings {
  /** `stdout` (default) or `stderr`. */
  stream?: 'stdout' | 'stderr';
}

/** Readable lines on the terminal: the demo, `--dry-run`, and trying rules out. */
export const consoleNotifier: NotifierPlugin<ConsoleSettings> = {
  type: 'console',
  description: 'Prints notifications as readable lines (demo, --dry-run).',
  properties: { stream: { enum: ['stdout', 'stderr'] } },
  create(options, ctx): Notifier {
    const out = options.stream === 'stderr' ? process.stderr : process.stdout;
    return {
      name: ctx.name,
      type: 'console',
      send(n, signal) {
        signal.throwIfAborted();
        const now = ctx.clock.now();
        out.write(
          [`── ${ctx.name}: ${title(n)}`, ...textLines(n, now).map((l) => `   ${l}`)].join('\n') + '\n',
        );
        return Promise.resolve();
      },
    };
  },
};
