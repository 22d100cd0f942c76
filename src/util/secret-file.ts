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

/**
 * Largest certificate file read: a TLS `cert_file` (a certificate and its chain, a few KiB) or an
 * e-mail `ca_file` (a CA bundle: Mozilla's whole is about 220 KiB). A bigger one was read whole.
 */
export const MAX_CERT_FILE_BYTES = 1024 * 1024;

/** A file of TLS: a `key_file` (a secret file, at most 64 KiB), a `cert_file` or `ca_file` (at most 1 MiB). */
type TlsFile = 'cert_file' | 'key_file' | 'ca_file';

/** The bytes of a TLS file: FileTooBigError over its bound (by its size, before it is read). */
export const readTlsFile = (path: string, setting: TlsFile): Buffer =>
  readRegularFile(path, { maxBytes: setting === 'key_file' ? MAX_SECRET_FILE_BYTES : MAX_CERT_FILE_BYTES });

/** What is wrong with the TLS file `name` that could not be read: a key as a secret file (readFailure). */
export const tlsFileFailure = (
  err: unknown,
  name: string,
  setting: TlsFile,
  expected = 'a PEM file',
): string =>
  setting === 'key_file'
    ? secretFileFailure(err, name, expected)
    : readFailure(err, name, expected, 'a certificate file');
