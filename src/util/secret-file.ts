import { readFailure, readRegularFile, readRegularText } from './regular-file.js';

/**
 * Largest secret file read (a secret is a line, a private key a few KiB): a `*_file` secret, a TLS
 * `key_file`, `simulate --push-secret-file`, and what util/secret-values.ts reads to hide in logs.
 * One bound for all: a bigger secret file was used (read whole, 891 MB of memory for a 100 MB
 * `client_secret_file`) but not hidden in logs (tester, stop 40, MEDIUM).
 */
export const MAX_SECRET_FILE_BYTES = 64 * 1024;

/** The text of the secret file `path`, untrimmed: FileTooBigError over 64 KiB (by its size, before it is read). */
export const readSecretText = (path: string): string =>
  readRegularText(path, { maxBytes: MAX_SECRET_FILE_BYTES });

/** What is wrong with the secret file `name` that could not be read (readFailure): "... a secret file of at most 64 KiB". */
export const secretFileFailure = (err: unknown, name: string, expected: string): string =>
  readFailure(err, name, expected, 'a secret file');

/** The bytes of a TLS `cert_file` or `key_file`: a private key is a secret file (at most 64 KiB). */
export const readTlsFile = (path: string, setting: 'cert_file' | 'key_file'): Buffer =>
  readRegularFile(path, setting === 'key_file' ? { maxBytes: MAX_SECRET_FILE_BYTES } : {});
