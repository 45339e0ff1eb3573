/**
 * JSON merge patch (RFC 7386) for PATCH bodies: objects merge key by key,
 * arrays and scalars replace, null removes (the schema default applies
 * again). `replace` names top-level keys taken whole (a rule's trigger: its
 * fields depend on its type).
 */
const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

export function mergePatch(target: unknown, patch: unknown, replace: readonly string[] = []): unknown {
  if (!isPlainObject(patch)) return patch;
  const base = isPlainObject(target) ? target : {};
  const removed = new Set(Object.keys(patch).filter((key) => patch[key] === null));
  const entries = Object.entries(base).filter(([key]) => !removed.has(key) && !(key in patch));
  for (const [key, value] of Object.entries(patch)) {
    if (value === null || key === '__proto__') continue;
    entries.push([key, replace.includes(key) ? value : mergePatch(base[key], value)]);
  }
  return Object.fromEntries(entries);
}
