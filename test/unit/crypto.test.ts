import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { hashPassword, verifyPassword } from '../../src/shared/password.js';
import { createSecretBox } from '../../src/shared/secret-box.js';
import { issueToken, parseToken, tokenMatches } from '../../src/shared/tokens.js';

describe('tokens', () => {
  it('issues tokens that parse, match their hash and nothing else', () => {
    const issued = issueToken('pbk');
    assert.match(issued.token, /^pbk_[A-Za-z0-9]{12}_[A-Za-z0-9_-]{43}$/);
    assert.deepEqual(parseToken('pbk', issued.token), { lookup: issued.lookup });
    assert.equal(tokenMatches(issued.token, issued.hash), true);
    assert.equal(tokenMatches(`${issued.token.slice(0, -1)}x`, issued.hash), false);
    assert.equal(parseToken('pbs', issued.token), undefined, 'an API key is not a sensor token');
    assert.equal(parseToken('pbk', 'Bearer nonsense'), undefined);
  });

  it('never issues the same token twice', () => {
    const tokens = new Set(Array.from({ length: 200 }, () => issueToken('pbs').token));
    assert.equal(tokens.size, 200);
  });
});

describe('secret box', () => {
  it('opens what it sealed, with a fresh IV every time', () => {
    const box = createSecretBox('root-secret-that-is-long-enough-0123456789');
    const a = box.seal('faskey-123');
    const b = box.seal('faskey-123');
    assert.notEqual(a, b);
    assert.equal(box.open(a), 'faskey-123');
  });

  it('refuses a tampered ciphertext and a different key', () => {
    const box = createSecretBox('root-secret-that-is-long-enough-0123456789');
    const sealed = box.seal('operator-password');
    const parts = sealed.split('.');
    const body = Buffer.from(parts[3]!, 'base64url');
    body[0] = (body[0] ?? 0) ^ 1;
    assert.throws(() => box.open([...parts.slice(0, 3), body.toString('base64url')].join('.')));
    assert.throws(() => createSecretBox('another-root-secret-that-is-long-enough').open(sealed));
    assert.throws(() => box.open('garbage'), /Unrecognised sealed secret format/);
  });
});

describe('passwords', () => {
  it('verifies the right password only, with a salted scrypt hash', async () => {
    const hash = await hashPassword('correct horse battery');
    assert.match(hash, /^scrypt\$32768\$8\$1\$/);
    assert.notEqual(hash, await hashPassword('correct horse battery'));
    assert.equal(await verifyPassword('correct horse battery', hash), true);
    assert.equal(await verifyPassword('correct horse batterz', hash), false);
    assert.equal(await verifyPassword('anything', 'not-a-hash'), false);
  });
});
