import { afterAll, beforeAll } from 'vitest';
import type { NotifierContext } from '../../src/notify/plugins/notifier.js';
import { NotifyStore } from '../../src/notify/pipeline/store.js';
import { VirtualClock } from '../../src/util/clock.js';
import { silentLogger } from '../../src/util/logger.js';
import { FakeSlack } from './fake-slack.js';
import { TestServer } from './http-server.js';
import { TestSmtp } from './smtp.js';

/**
 * For a describe block that shows one notification on each channel: a fake Slack API, a real
 * SMTP server and an HTTP receiver, listening from beforeAll to afterAll, and each notifier's
 * context (clock at `now`, memory in an unsaved store).
 */
export function channelServers(now: number): {
  ctx: (name: string) => NotifierContext;
  slack: FakeSlack;
  smtp: TestSmtp;
  receiver: TestServer;
  slackUrl: () => string;
} {
  const clock = new VirtualClock(now);
  const memory = new NotifyStore(undefined);
  const ctx = (name: string): NotifierContext => ({
    name,
    clock,
    log: silentLogger(),
    memory: memory.memory(name),
  });
  const slack = new FakeSlack();
  const smtp = new TestSmtp();
  const receiver = new TestServer();
  let slackUrl = '';
  beforeAll(async () => {
    slackUrl = await slack.listen();
    await smtp.listen();
    await receiver.listen();
  });
  afterAll(async () => Promise.all([slack.close(), smtp.close(), receiver.close()]));
  return { ctx, slack, smtp, receiver, slackUrl: () => slackUrl };
}
