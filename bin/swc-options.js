'use strict';
// The SWC settings that turn one TypeScript source file into CommonJS, shared by scripts/build.js
// (dist/), bin/register-ts.js (running the sources) and jest.config.js, so the three behave alike.
// `lazy: ['zod']`: a module's `import { z } from 'zod'` requires zod on the first use of `z`
// rather than when the module loads; with the CPER input schemas built on first use (see
// src/cper/json/lazy.ts), decode and dump never load zod (about 30 ms of a CLI start).
module.exports = {
  jsc: { parser: { syntax: 'typescript' }, target: 'es2022' },
  module: { type: 'commonjs', lazy: ['zod'] },
};
