import { describe, expect, it } from 'vitest';
import { loggedText } from '../helpers/log.js';
import { redactedOnceAndAgain } from '../helpers/redacted-twice.js';

describe('a signature whose quoted state a digest follows (stop 41, reviewer LOW 3)', () => {
  it('is hidden whole: the digest after the state is no longer shown', () => {
    // Old code: the quoted state was kept and the digest after it shown as it was:
    // "signature: \"valid\" deadbeef", "sig: \"ok\" DEADbeef0123", "signature=\"valid\" deadbeef".
    redactedOnceAndAgain({
      'signature: "valid" deadbeefcafe': 'signature: [redacted]',
      'X-Hub-Signature: "ok" DEADbeef0123 (retry)': 'X-Hub-Signature: [redacted]',
      'webhook signature="valid" deadbeefcafe': 'webhook signature=[redacted]',
      '{ sig: "ok" deadbeefcafe } then': '{ sig: [redacted] } then',
    });
    const out = loggedText((log) => log.warn("verify: signature: 'verified' v0=DeadBeef0123"));
    expect(out).toContain('"msg":"verify: signature: [redacted]"');
  });

  it('but a quoted state that ends its field, its line or its pair stays readable', () => {
    const kept = [
      '{"signature": "ok", "x": 1}',
      'signature: "valid"',
      'signature: "valid"  ',
      'signature: "valid" "ok"',
      'webhook signature="verified" user=bob',
      'config signature: valid',
    ];
    for (const text of kept) redactedOnceAndAgain({ [text]: text });
  });
});

describe('a value that starts with the literal [redacted] (stop 41, reviewer LOW 3)', () => {
  it('is hidden past it where the patterns would hide the same value of other letters', () => {
    // Old code: `[redacted]` before any punctuation mark was taken for a value hidden already,
    // and what followed it shown: "password=[redacted].SEKRIT", "token: [redacted]}SEKRIT".
    redactedOnceAndAgain({
      'password=[redacted].SEKRIT': 'password=[redacted]',
      'password=[redacted]:SEKRIT rest': 'password=[redacted]',
      'password=[redacted]!SEKRIT': 'password=[redacted]',
      'token: [redacted]}SEKRIT': 'token: [redacted]',
      // As with other letters: a quoted value closed by a `"` that a letter follows runs on.
      'password="x".SEKRIT rest': 'password=[redacted]',
      'password="x":SEKRIT': 'password=[redacted]',
    });
  });

  it('but one the patterns wrote is hidden as it is, its message after it kept', () => {
    const kept = [
      'password=[redacted]. Retry',
      'password=[redacted]: bad',
      '{"password":[redacted],"b":2}',
      '(password=[redacted]).',
      'found "http://h/?token=[redacted]", bad',
      'login { user: bob, token: [redacted] } retried',
      'answer: "{\\"client_secret\\":[redacted]}"',
    ];
    for (const text of kept) redactedOnceAndAgain({ [text]: text });
  });
});
