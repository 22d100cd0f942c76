import bcrypt from 'bcryptjs';
import { BCRYPT_MAX_PASSWORD_BYTES } from '../export/basic-auth.js';
import { UsageError } from './args.js';

export const hashPasswordHelp = `qoswatch hash-password < password.txt

Reads a password on standard input and prints its bcrypt hash, for metrics.web.basic_auth_users
(the same format as Prometheus's web config and htpasswd -nB). A password may be at
most 72 bytes: bcrypt ignores the rest, so longer ones are refused.
`;

export async function hashPassword(argv: string[]): Promise<number> {
  // Not echoed, as an unexpected argument is elsewhere: it may be the password, which the
  // command then waited for on standard input (and which `ps` shows to every user).
  if (argv.length)
    throw new UsageError(
      'takes no arguments (not shown: one may be the password); expected the password on standard input, as in `qoswatch hash-password < password.txt`',
    );
  const chunks: Buffer[] = [];
  for await (const c of process.stdin as AsyncIterable<Buffer>) chunks.push(c);
  const password = Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
  if (!password) {
    process.stderr.write('qoswatch hash-password: no password on standard input\n');
    return 2;
  }
  const bytes = Buffer.byteLength(password, 'utf8');
  if (bytes > BCRYPT_MAX_PASSWORD_BYTES) {
    process.stderr.write(
      `qoswatch hash-password: the password is ${bytes} bytes; expected at most ${BCRYPT_MAX_PASSWORD_BYTES} ` +
        '(bcrypt ignores the rest, so any password sharing the first 72 bytes would pass)\n',
    );
    return 2;
  }
  process.stdout.write(`${await bcrypt.hash(password, 10)}\n`);
  return 0;
}
