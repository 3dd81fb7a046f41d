/**
 * A value built on first use: `lazy(build)` returns a function that calls `build` once, on its
 * first call, and then returns that same value. The CPER modules declare their zod input schemas
 * this way (and their codecs, views and layouts expose them through getters), so decoding and
 * encoding, which never validate JSON, neither build the schemas nor load zod (see
 * test/cli/lazy.test.ts); the first JSON parse builds them.
 */
export function lazy<T>(build: () => T): () => T {
  let built = false;
  let value: T;
  return () => {
    if (!built) {
      value = build();
      built = true;
    }
    return value;
  };
}
