import type { UserConsoleLog } from 'vitest';
import type { Reporter, TestModule } from 'vitest/node';
import { SKIP_MARK } from './binaries.js';

/**
 * Ends the run by listing the tests that were skipped and why (a missing Debian binary, or a
 * platform), so that a green run on a machine without prometheus says what it did not run.
 */
export default class SkipReporter implements Reporter {
  private readonly reasons = new Set<string>();

  onUserConsoleLog(log: UserConsoleLog): void {
    for (const line of log.content.split('\n')) {
      const i = line.indexOf(SKIP_MARK);
      if (i >= 0) this.reasons.add(line.slice(i + SKIP_MARK.length).trim());
    }
  }

  onTestRunEnd(modules: readonly TestModule[]): void {
    const skipped = modules.flatMap((m) =>
      [...m.children.allTests('skipped')].map((t) => `${m.relativeModuleId}: ${t.fullName}`),
    );
    if (!skipped.length) {
      process.stdout.write('\nSkipped: none (every real server and binary was found)\n');
      return;
    }
    process.stdout.write(
      `\nSkipped ${skipped.length} tests:\n${skipped.map((s) => `  - ${s}`).join('\n')}\n`,
    );
    if (this.reasons.size)
      process.stdout.write(`because:\n${[...this.reasons].map((r) => `  - ${r}`).join('\n')}\n`);
  }
}
