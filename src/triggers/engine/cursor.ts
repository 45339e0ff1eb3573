import { AppError } from '../../shared/errors.js';
import { isId } from '../../shared/ids.js';

/**
 * Keyset pagination for the decision and delivery logs: the cursor is the
 * (time, id) of the last item shown, opaque to clients (base64url).
 */
export interface Cursor {
  at: Date;
  id: string;
}

export const encodeCursor = (cursor: Cursor): string => Buffer.from(`${cursor.at.toISOString()}|${cursor.id}`, 'utf8').toString('base64url');

export function decodeCursor(text: string): Cursor {
  const [iso = '', id = ''] = Buffer.from(text, 'base64url').toString('utf8').split('|');
  const at = new Date(iso);
  if (Number.isNaN(at.getTime()) || !isId(id)) {
    throw new AppError('VALIDATION_FAILED', 'cursor: not a cursor from a previous page', { fields: [{ path: 'cursor', message: 'not a cursor from a previous page' }] });
  }
  return { at, id };
}

/** The page and the cursor of the next one (when more items may follow). */
export function page<T extends { id: string }>(rows: T[], limit: number, timeOf: (row: T) => Date): { items: T[]; nextCursor?: string } {
  const items = rows.slice(0, limit);
  const last = items.at(-1);
  return rows.length > limit && last ? { items, nextCursor: encodeCursor({ at: timeOf(last), id: last.id }) } : { items };
}
