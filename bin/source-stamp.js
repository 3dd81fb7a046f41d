'use strict';
// The fingerprint of the TypeScript sources a build was made from: every file under src/ with its
// size and modification time (µs), folded into one FNV-1a hash. scripts/build.js writes it into
// dist/BUILD_STAMP; bin/rasgw runs dist/ only when the sources still have that fingerprint, so a
// stale build (an edit, a checkout, a pull after the install) can never shadow the sources.
// Costs a few milliseconds for ~250 files (one readdir per folder, one stat per file; Node 20's
// recursive readdir is several times slower than this walk).
const fs = require('fs');
const path = require('path');

/** "<files>-<hash>" for the tree under `srcDir`, or undefined when it cannot be read. */
function sourceStamp(srcDir) {
  const rows = [];
  // each folder listed once, then one stat per file (size and mtime to the microsecond)
  const walk = (dir) => {
    for (const d of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = `${dir}${path.sep}${d.name}`;
      if (d.isDirectory()) {
        walk(full);
        continue;
      }
      // throwIfNoEntry: false: a file deleted meanwhile is simply absent (no exception object built)
      const s = fs.statSync(full, { throwIfNoEntry: false });
      if (s === undefined) continue;
      rows.push(`${full.slice(srcDir.length)}\0${s.size}\0${Math.round(s.mtimeMs * 1000)}`);
    }
  };
  try {
    walk(srcDir);
  } catch {
    return undefined;
  }
  rows.sort();
  const text = rows.join('\n');
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return `${rows.length}-${(h >>> 0).toString(16).padStart(8, '0')}`;
}

module.exports = { sourceStamp, STAMP_FILE: 'BUILD_STAMP' };
