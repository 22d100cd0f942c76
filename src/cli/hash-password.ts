import bcrypt from 'bcryptjs';

export const hashPasswordHelp = `qoswatch hash-password < password.txt

Reads a password on standard input and prints its bcrypt hash, for metrics.web.basic_auth_users
(the same format as Prometheus's web config and htpasswd -nB).
`;

export async function hashPassword(): Promise<number> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin as AsyncIterable<Buffer>) chunks.push(c);
  const password = Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
  if (!password) {
    process.stderr.write('qoswatch hash-password: no password on standard input\n');
    return 2;
  }
  process.stdout.write(`${await bcrypt.hash(password, 10)}\n`);
  return 0;
}
