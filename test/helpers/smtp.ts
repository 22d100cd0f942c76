import type { AddressInfo } from 'node:net';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';

/** A real SMTP server (smtp-server) listening on 127.0.0.1, on a port of its own. */
abstract class LocalSmtp {
  abstract readonly server: SMTPServer;
  port = 0;

  async listen(): Promise<number> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', () => resolve()));
    this.port = (this.server.server.address() as AddressInfo).port;
    return this.port;
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

/** A real SMTP server (smtp-server) on 127.0.0.1 with STARTTLS and a login; received mail is parsed. */
export class TestSmtp extends LocalSmtp {
  /** Each message received: parsed, and as it came (`raw`: headers as they were written). */
  readonly mail: { parsed: ParsedMail; raw: string; secure: boolean; user: string | undefined }[] = [];
  readonly server: SMTPServer;

  /** An e-mail notifier's settings for this server: STARTTLS with its login, its certificate not checked. */
  settings(over: Record<string, unknown> = {}) {
    return {
      host: '127.0.0.1',
      port: this.port,
      security: 'starttls' as const,
      user: this.user,
      password: this.password,
      from: 'qoswatch@example.com',
      to: ['noc@example.com'],
      tls_verify: false,
      ...over,
    };
  }

  constructor(
    readonly user = 'qoswatch',
    readonly password = 'smtp-Pa55word',
  ) {
    super();
    this.server = new SMTPServer({
      logger: false,
      onAuth: (auth, _session, cb) => {
        if (auth.username === this.user && auth.password === this.password) cb(null, { user: auth.username });
        else cb(new Error('Invalid username or password'));
      },
      onData: (stream, session, cb) => {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          const raw = Buffer.concat(chunks);
          simpleParser(raw).then(
            (parsed) => {
              const user = session.user as string | undefined;
              this.mail.push({ parsed, raw: raw.toString('utf8'), secure: session.secure, user });
              cb();
            },
            (err: unknown) => cb(err instanceof Error ? err : new Error(String(err))),
          );
        });
      },
    });
  }
}

/**
 * A real SMTP server (smtp-server) that takes each connection and never greets: a mail server
 * that hangs. Says when it has a connection and when that connection has ended.
 */
export class HungSmtp extends LocalSmtp {
  readonly server: SMTPServer;
  connections = 0;
  closed = 0;
  private readonly waiting: { when: () => boolean; resolve: () => void }[] = [];

  constructor() {
    super();
    this.server = new SMTPServer({
      logger: false,
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      closeTimeout: 50,
      // smtp-server looks up the client's name (up to 1.5 s) before onConnect, and never calls
      // it for a client that left meanwhile: a notify-test whose 1 s timeout ran out first was
      // not counted (connections 0) with the machine loaded.
      disableReverseLookup: true,
      onConnect: () => {
        this.connections++;
        this.check();
      },
      onClose: () => {
        this.closed++;
        this.check();
      },
    });
  }

  private check(): void {
    for (const w of [...this.waiting])
      if (w.when()) {
        this.waiting.splice(this.waiting.indexOf(w), 1);
        w.resolve();
      }
  }

  /** Resolves once `when` holds (checked at each connection and close). */
  until(when: (s: this) => boolean): Promise<void> {
    if (when(this)) return Promise.resolve();
    return new Promise((resolve) => this.waiting.push({ when: () => when(this), resolve }));
  }
}
