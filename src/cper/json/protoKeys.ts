/**
 * `__proto__` as a JSON key. JSON.parse keeps `{"__proto__": …}` as an ordinary own property,
 * but every later copy of the object (object spread, zod's loose objects and records) assigns
 * it, which sets the copy's prototype instead: the key vanished without a word while any other
 * unknown key is refused. Inputs are therefore checked for it before they are validated, so it
 * is refused as an unknown field like any other (`constructor` and `prototype` are ordinary own
 * keys everywhere and strict objects refuse them by themselves).
 */
export const VANISHING_KEY = '__proto__';

/** Does a parsed JSON value hold an own `__proto__` key anywhere? (one pass, no paths built) */
function hasProtoKey(value: unknown): boolean {
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const v = stack.pop();
    if (v === null || typeof v !== 'object') continue;
    if (Array.isArray(v)) {
      for (const x of v) if (x !== null && typeof x === 'object') stack.push(x);
      continue;
    }
    if (Object.prototype.hasOwnProperty.call(v, VANISHING_KEY)) return true;
    for (const k in v) {
      const x = (v as Record<string, unknown>)[k];
      if (x !== null && typeof x === 'object') stack.push(x);
    }
  }
  return false;
}

/** Path (segments) of the first own `__proto__` key in a parsed JSON value, or undefined. */
export function findProtoKey(value: unknown): Array<string | number> | undefined {
  if (!hasProtoKey(value)) return undefined;
  const stack: Array<{ v: unknown; path: Array<string | number> }> = [{ v: value, path: [] }];
  while (stack.length > 0) {
    const { v, path } = stack.pop()!;
    if (v === null || typeof v !== 'object') continue;
    if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i--) stack.push({ v: v[i], path: [...path, i] });
      continue;
    }
    if (Object.prototype.hasOwnProperty.call(v, VANISHING_KEY)) return [...path, VANISHING_KEY];
    const keys = Object.keys(v);
    for (let i = keys.length - 1; i >= 0; i--) stack.push({ v: (v as Record<string, unknown>)[keys[i]], path: [...path, keys[i]] });
  }
  return undefined;
}
