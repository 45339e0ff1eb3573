/** Where the tests find the real services; defaults match this project's CI machine. */
export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
export const TEST_REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
export const TEST_SECRET_KEY = 'test-secret-key-0123456789abcdef0123456789abcdef';
