import { randomUUID } from 'node:crypto';
import { z } from 'zod';

export const newId = (): string => randomUUID();

export const idSchema = z.uuid({ message: 'expected a UUID' });

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Lets lookups answer "not found" for a malformed id instead of a database type error. */
export const isId = (value: string): boolean => UUID.test(value);
