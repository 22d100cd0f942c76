import { describe, expect, it } from 'vitest';
import { loggedText } from '../helpers/log.js';
import { redactedOnceAndAgain } from '../helpers/redacted-twice.js';
import { redactUrlCredentials } from '../../src/util/redact-url.js';

describe('the sentence a bare URL with a secret stands in (stop 41, reviewer LOW 1)', () => {
  it('keeps its punctuation after the URL, and hides the secret', () => {
    // Old code: the mark before the URL's blank was hidden with the secret:
    // "GET http://h/?token=[redacted] retry", "(see http://h/?token=[redacted] and".
    redactedOnceAndAgain({
      'GET http://h/?token=SEKRIT, retry': 'GET http://h/?token=[redacted], retry',
      'GET http://h/?token=SEKRIT,, retry': 'GET http://h/?token=[redacted], retry',
      'GET http://h/?token=SEKRIT; retry': 'GET http://h/?token=[redacted]; retry',
      'pushing to http://h/qss?token=SEKRIT: refused': 'pushing to http://h/qss?token=[redacted]: refused',
      'GET http://h/?token=SEKRIT. Retrying': 'GET http://h/?token=[redacted]. Retrying',
      'failed: http://h/?a=1&access_token=SEKRIT.': 'failed: http://h/?a=1&access_token=[redacted].',
      '(see http://h/?token=SEKRIT) and': '(see http://h/?token=[redacted]) and',
      'failed (http://h/?token=SEKRIT), retry': 'failed (http://h/?token=[redacted]), retry',
      'failed (at http://h/?token=SEKRIT.) x': 'failed (at http://h/?token=[redacted].) x',
      'GET <http://h/?sig=SEKRIT> failed': 'GET <http://h/?sig=[redacted]> failed',
      'GET [http://h/#token:SEKRIT], retry': 'GET [http://h/#token:[redacted]], retry',
    });
  });

  it('but hides a mark that may be the secret`s own with it', () => {
    // A `!` or `?`, a `.` in a dotted value, a closer no bracket before the URL opens
    // or one the value opens itself, a value of one mark.
    redactedOnceAndAgain({
      'GET http://h/?password=hunter2! retry': 'GET http://h/?password=[redacted] retry',
      'GET http://h/?password=SEKRIT? retry': 'GET http://h/?password=[redacted] retry',
      'GET http://h/?token=eyJh.eyJz. retry': 'GET http://h/?token=[redacted] retry',
      'GET http://h/?token=SEKRIT... retry': 'GET http://h/?token=[redacted] retry',
      'GET http://h/?token=SEKRIT) retry': 'GET http://h/?token=[redacted] retry',
      '(a) GET http://h/?token=SEKRIT) retry': '(a) GET http://h/?token=[redacted] retry',
      '(see http://h/?token=SE(KRIT) retry': '(see http://h/?token=[redacted] retry',
      'GET http://h/?token=, retry': 'GET http://h/?token=[redacted] retry',
    });
  });

  it('through the logger, and a configured secret that ends with a mark stays hidden whole', () => {
    const out = loggedText(
      (log) => {
        log.warn('GET http://h/?token=SEKRIT-1, retry in 5s');
        log.warn('GET http://h/?token=SEKRIT-2, retry in 5s');
      },
      ['SEKRIT-2,'],
    );
    expect(out).not.toContain('SEKRIT');
    expect(out).toContain('"msg":"GET http://h/?token=[redacted], retry in 5s"');
    expect(out).toContain('"msg":"GET http://h/?token=[redacted] retry in 5s"');
  });

  it('in linear time, however many URLs and brackets on a line', () => {
    const many = '(http://h/?token=x), '.repeat(20_000);
    expect(redactUrlCredentials(many)).toBe('(http://h/?token=[redacted]), '.repeat(20_000));
    const open = `${'('.repeat(100_000)}http://h/?token=x) y`;
    expect(redactUrlCredentials(open)).toBe(`${'('.repeat(100_000)}http://h/?token=[redacted]) y`);
  });
});
