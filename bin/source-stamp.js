'use strict';
// The fingerprint of the TypeScript sources a build was made from: every file under src/ with its
// size and modification time (ns), folded into one FNV-1a hash. scripts/build.js writes it into
// dist/BUILD_STAMP; bin/rasgw runs dist/ only when the sources still have that fingerprint, so a
// stale build (an edit, a checkout, a pull after the install) can never shadow the sources.
// Costs about a millisecond for ~200 files (one readdir per folder, one stat per file).
const fs = require('fs');
const path = require('path');

function walk(dir, rel, out) {
  for (const d of fs.readdirSync(dir, { withFileTypes: true })) {
    const r = rel === '' ? d.name : `${rel}/${d.name}`;
    if (d.isDirectory()) walk(path.join(dir, d.name), r, out);
    else if (d.isFile() || d.isSymbolicLink()) {
      const s = fs.statSync(path.join(dir, d.name), { bigint: true });
      out.push(`${r}\0${s.size}\0${s.mtimeNs}`);
    }
  }
  return out;
}

/** "<files>-<hash>" for the tree under `srcDir`, or undefined when it cannot be read. */
function sourceStamp(srcDir) {
  let entries;
  try {
    entries = walk(srcDir, '', []);
  } catch {
    return undefined;
  }
  entries.sort();
  let h = 0x811c9dc5;
  for (const e of entries) {
    for (let i = 0; i < e.length; i++) {
      h ^= e.charCodeAt(i);
      h = Math.imul(h, 0x01000193) >>> 0;
    }
    h ^= 10;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return `${entries.length}-${h.toString(16).padStart(8, '0')}`;
}

module.exports = { sourceStamp, STAMP_FILE: 'BUILD_STAMP' };
