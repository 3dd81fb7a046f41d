#!/usr/bin/env node
'use strict';
// Builds dist/ from src/ for a fast CLI start (no transpiling when a command runs): every .ts
// file compiled to CommonJS by SWC, the same compiler and settings Jest and bin/register-ts.js
// use, so the build behaves exactly as the sources do. Runs as npm's `prepare` script (`npm ci`
// and `npm install` in a checkout) and as `npm run build:cli`. Writes dist/BUILD_STAMP last, with
// the fingerprint of the sources taken BEFORE compiling: a file edited while the build runs makes
// the stamp stale, and bin/rasgw then runs the sources instead.
// Type checking is separate (`npm run typecheck`); `npm run build` (tsc) also emits declarations.
const fs = require('fs');
const path = require('path');
const { transformSync } = require('@swc/core');
const { sourceStamp, STAMP_FILE } = require('../bin/source-stamp');
const swcOptions = require('../bin/swc-options');
const { bundleCommands } = require('./bundle');

const root = path.join(__dirname, '..');
const src = path.join(root, 'src');
const dist = path.join(root, 'dist');
const started = Date.now();
const stamp = sourceStamp(src);
if (stamp === undefined) {
  console.error('build: no src/ folder; nothing to build');
  process.exit(0);
}
// a fresh tree: no module of a deleted source file stays behind
fs.rmSync(dist, { recursive: true, force: true });
let files = 0;
function compile(dir, outDir) {
  fs.mkdirSync(outDir, { recursive: true });
  for (const d of fs.readdirSync(dir, { withFileTypes: true })) {
    const from = path.join(dir, d.name);
    if (d.isDirectory()) compile(from, path.join(outDir, d.name));
    else if (d.name.endsWith('.ts') && !d.name.endsWith('.d.ts')) {
      const { code } = transformSync(fs.readFileSync(from, 'utf8'), {
        filename: from,
        sourceMaps: false,
        ...swcOptions,
      });
      fs.writeFileSync(path.join(outDir, d.name.slice(0, -3) + '.js'), code);
      files++;
    }
  }
}
compile(src, dist);
// one file per command for a fast start (scripts/bundle.js); `serve` runs from the module tree
// (a long-running process gains nothing from a faster load)
const bundles = bundleCommands(dist, ['serve']);
fs.writeFileSync(path.join(dist, STAMP_FILE), stamp + '\n');
if (process.env.RASGW_BUILD_QUIET !== '1') console.error(`build: ${files} files compiled to dist/, ${bundles} command bundles, in ${Date.now() - started} ms`);
