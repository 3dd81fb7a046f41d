'use strict';
// Lets Node load the TypeScript sources directly: each .ts file is compiled to CommonJS by SWC
// (native, fast) the moment it is required. Used by bin/rasgw when no compiled dist/ exists.
const fs = require('fs');
const { transformSync } = require('@swc/core');
const swcOptions = require('./swc-options');

require.extensions['.ts'] = function compileTs(module, filename) {
  const source = fs.readFileSync(filename, 'utf8');
  const { code } = transformSync(source, {
    filename,
    sourceMaps: 'inline',
    ...swcOptions,
  });
  module._compile(code, filename);
};
