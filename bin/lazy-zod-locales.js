'use strict';
// zod's core index requires all of its ~60 locale files at load (`z.locales`), about a third of
// zod's load time, although rasgw only uses English (which zod loads itself, directly from
// locales/en.cjs). This puts a stand-in for zod's locales/index.cjs into the module cache: the same
// export names, each a getter that requires its locale file on first use. The names and files are
// read from the real index.cjs, so the stand-in follows the installed zod; when that file does not
// have the expected shape nothing is replaced.
const fs = require('fs');
const path = require('path');
const Module = require('module');

function install(fromDir) {
  let file;
  try {
    file = require.resolve('zod/v4/locales/index.cjs', { paths: [fromDir] });
  } catch {
    return false;
  }
  if (require.cache[file]) return false;
  let text;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return false;
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
  const requires = (text.match(/require\(/g) || []).length;
  if (n < 10 || n !== requires) return false;
  const mod = new Module(file, null);
  mod.filename = file;
  mod.paths = Module._nodeModulePaths(path.dirname(file));
  mod.exports = exportsObj;
  mod.loaded = true;
  require.cache[file] = mod;
  return true;
}

module.exports = { install };
