import { createNotifier } from '../notify/build.js';
import { fromSendFailure } from '../notify/plugins/errors.js';
import type { Notification } from '../notify/plugins/notification.js';
import { NotifyStore } from '../notify/pipeline/store.js';
import { systemClock } from '../util/clock.js';
import { Deadline } from '../util/deadline.js';
import { processSecrets } from '../util/log-secrets.js';
import { redactUrlCredentials } from '../util/redact-url.js';
import { parse, UsageError } from './args.js';
import { configLogger, requireConfig } from './common.js';

export const notifyTestHelp = `qoswatch notify-test --config FILE --notifier NAME

Sends one test message through one notifier and says whether it arrived. Only the
notifier's settings are read: Zoom credentials need not be set. A failure says
whether trying again could help (a network error) or not (a bad token or address). Exit 0
when it was delivered, 1 when not.
Through an alertmanager notifier the test is an active alert, QoswatchTest (labels
qoswatch="true", qoswatch_test="true"), that Alertmanager routes like any other and that
ends by itself after 2 minutes: route qoswatch_test="true" to a quiet receiver if it must
not page anyone (docs/notifications.md).
`;

export async function notifyTest(argv: string[]): Promise<number> {
  const { values } = parse(argv, {
    config: { type: 'string', short: 'c' },
    notifier: { type: 'string', short: 'n' },
  });
  const config = requireConfig(values.config, { notifiersOnly: true });
  const names = config.notify.notifiers.map((n) => n.name);
  const cfg = config.notify.notifiers.find((n) => n.name === values.notifier);
  if (!cfg)
    throw new UsageError(
      `--notifier must name a configured notifier: ${names.join(', ') || '(none configured)'}`,
    );
  const log = configLogger(config);
  // What it prints hides the config's secret values as its log does (a module's error may echo one).
  const hideKnown = processSecrets.hide;
  const { notifier } = await createNotifier(cfg, {
    timeoutMs: config.notify.delivery.timeoutMs,
    clock: systemClock,
    log,
    store: new NotifyStore(undefined),
  });
  const now = systemClock.now();
  const n: Notification = {
    id: `test#${now}`,
    receiver: cfg.name,
    groupKey: `${cfg.name}|test`,
    groupLabels: {},
    kind: 'test',
    firing: [],
    resolved: [],
    createdAt: now,
  };
  // The daemon's limit on one call, and its reading of a failure (the outbox's).
  const deadline = new Deadline(config.notify.delivery.timeoutMs);
  try {
    await notifier.send(n, deadline.signal, () => deadline.renew());
    process.stdout.write(`${cfg.name}: test notification delivered\n`);
    return 0;
  } catch (err) {
    const e = fromSendFailure(cfg.name, err, deadline);
    const message = e.message.startsWith(`${cfg.name}: `) ? e.message.slice(cfg.name.length + 2) : e.message;
    process.stderr.write(
      `${cfg.name}: not delivered: ${redactUrlCredentials(hideKnown(message))} (${e.code}; ${e.retryable ? 'may work if tried again' : 'will not work until the settings change'})\n`,
    );
    return 1;
  } finally {
    deadline.end();
    await notifier.close?.();
  }
}
