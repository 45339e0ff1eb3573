import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError, DEFAULT_DATABASE_URL, loadConfig } from '../../src/config.js';

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    assert.ok(error instanceof ConfigError);
    return error.problems;
  }
  assert.fail('expected a ConfigError');
}

describe('configuration', () => {
  it('applies the documented defaults to an empty environment', () => {
    const config = loadConfig({});
    assert.equal(config.port, 3000);
    assert.equal(config.publicUrl, 'http://localhost:3000');
    assert.deepEqual(config.database, { url: DEFAULT_DATABASE_URL, explicit: false, poolSize: 10 });
    assert.equal(config.redis.url, 'redis://127.0.0.1:6379');
    assert.equal(config.redis.explicit, false);
    assert.equal(config.queue.prefix, 'passby');
    assert.equal(config.twilio, undefined);
    assert.equal(config.demoSeed, true);
  });

  it('reports every bad variable at once, each on its own line with the value it got', () => {
    const problems = problemsOf({ PORT: 'abc', DATABASE_URL: 'mysql://x', LOG_LEVEL: 'loud', REDIS_ALLOW_EVICTION: 'maybe' });
    assert.equal(problems.length, 4);
    assert.ok(problems.some((p) => p.startsWith('PORT: expected an integer from 1 to 65535 (got "abc")')), problems.join('\n'));
    assert.ok(problems.some((p) => p.startsWith('LOG_LEVEL: expected one of fatal, error')), problems.join('\n'));
    assert.ok(problems.some((p) => p.startsWith('REDIS_ALLOW_EVICTION: expected true or false (got "maybe")')));
    assert.ok(problems.some((p) => p.startsWith('DATABASE_URL: expected a URL starting with postgres:// or postgresql://')));
  });

  it('never echoes the value of a secret variable', () => {
    const problems = problemsOf({ SECRET_KEY: 'short-secret', DATABASE_URL: 'mysql://user:hunter2@db' });
    assert.ok(problems.every((p) => !p.includes('short-secret') && !p.includes('hunter2')), problems.join('\n'));
    assert.ok(problems.some((p) => p.startsWith('SECRET_KEY: must be at least 32 characters')));
  });

  it('formats the error message as one headline and one line per problem', () => {
    assert.throws(() => loadConfig({ PORT: '70000' }), {
      message: 'Invalid environment variables:\n  - PORT: expected an integer from 1 to 65535 (got "70000")',
    });
  });

  it('requires SECRET_KEY in production', () => {
    assert.deepEqual(problemsOf({ NODE_ENV: 'production' }), ['SECRET_KEY: required when NODE_ENV=production']);
  });

  it('requires the Twilio account SID and auth token together and checks SID shapes', () => {
    assert.deepEqual(problemsOf({ TWILIO_ACCOUNT_SID: `AC${'a'.repeat(32)}` }), ['TWILIO_AUTH_TOKEN: required when TWILIO_ACCOUNT_SID is set']);
    assert.ok(problemsOf({ TWILIO_VERIFY_SERVICE_SID: 'nope' })[0]?.startsWith('TWILIO_VERIFY_SERVICE_SID: expected VA followed by 32 hex digits'));
    const config = loadConfig({
      TWILIO_ACCOUNT_SID: `AC${'a'.repeat(32)}`,
      TWILIO_AUTH_TOKEN: 'token',
      TWILIO_FROM: '+447700900123',
      TWILIO_API_BASE_URL: 'http://127.0.0.1:4010',
    });
    assert.ok(config.twilio);
    assert.equal(config.twilio.apiBaseUrl, 'http://127.0.0.1:4010');
    assert.equal(config.twilio.from, '+447700900123');
  });

  it('accepts a Redis Cluster hash-tag queue prefix and refuses a malformed one', () => {
    assert.equal(loadConfig({ QUEUE_PREFIX: '{passby}' }).queue.prefix, '{passby}');
    assert.ok(problemsOf({ QUEUE_PREFIX: '{pass by' })[0]?.startsWith('QUEUE_PREFIX:'));
  });

  it('marks DATABASE_URL and REDIS_URL as explicit when set, and trims PUBLIC_URL', () => {
    const config = loadConfig({ DATABASE_URL: 'postgres://db/x', REDIS_URL: 'redis://r:6380', PUBLIC_URL: 'https://wifi.example/' });
    assert.equal(config.database.explicit, true);
    assert.equal(config.redis.explicit, true);
    assert.equal(config.publicUrl, 'https://wifi.example');
  });
});
