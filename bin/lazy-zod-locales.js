'use strict';
// zod's core index requires all of its ~60 locale files at load (`z.locales`), about a third of
// zod's load time, although rasgw only uses English (which zod loads itself, directly from
// locales/en.cjs). When zod asks for its locales/index.cjs, this puts a stand-in for it into the
// module cache: the same export names, each a getter that requires its locale file on first use.
// The names and files are read from the real index.cjs, so the stand-in follows the installed
// zod; when that file does not have the expected shape, the real one is loaded. Nothing is read
// until zod itself is loaded (a command that does not use zod pays one string test per require).
const fs = require('fs');
const path = require('path');
const Module = require('module');

const SUFFIX = `${path.sep}zod${path.sep}v4${path.sep}locales${path.sep}index.cjs`;

function standIn(file) {
  let text;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  const re = /var (\w+) = require\("(\.\/[\w.-]+\.cjs)"\);\s*Object\.defineProperty\(exports, "(\w+)", \{ enumerable: true, get: function \(\) \{ return __importDefault\(\1\)\.default; \} \}\);/g;
  const exportsObj = {};
  Object.defineProperty(exportsObj, '__esModule', { value: true });
  let n = 0;
  for (let m; (m = re.exec(text)); n++) {
    const target = path.join(path.dirname(file), m[2]);
    Object.defineProperty(exportsObj, m[3], {
      enumerable: true,
      get() {
        const mod = require(target);
        return mod && mod.__esModule ? mod.default : mod;
      },
    });
  }
  // the real file exports one getter per require; anything else means another layout
  if (n < 10 || n !== (text.match(/require\(/g) || []).length) return undefined;
  const mod = new Module(file, null);
  mod.filename = file;
  mod.paths = Module._nodeModulePaths(path.dirname(file));
  mod.exports = exportsObj;
  mod.loaded = true;
  return mod;
}

function install() {
  const resolve = Module._resolveFilename;
  Module._resolveFilename = function resolveWithStandIn(request, parent, ...rest) {
    const file = resolve.call(this, request, parent, ...rest);
    if (file.endsWith(SUFFIX) && !Module._cache[file]) {
      const mod = standIn(file);
      if (mod) Module._cache[file] = mod;
      Module._resolveFilename = resolve; // one zod per process: done
    }
    return file;
  };
}

module.exports = { install };
