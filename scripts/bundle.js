'use strict';
// One file per CLI command (dist/bundles/<command>.js) holding every dist/ module that command
// can load: a start then reads, compiles (from the V8 code cache, see bin/compile-cache.js) and
// looks up one file instead of about 80, which saves a good part of a short command's run time.
//
// What a bundle holds: the modules reachable through `require("<relative path>")` with a literal
// argument from dist/cli/main.js and from the command's own file, not following the lazy loaders
// of dist/cli/commands/index.js (so the other commands are left out). Each module's code is kept
// as it is, wrapped in the same function Node wraps it in.
//
// How it runs: a module of the bundle becomes a real Node module (a Module object in
// require.cache under its dist/ file name) when it is first required, so a module loaded from
// dist/ outside the bundle (another command, for `rasgw help`) finds the same instance, and
// requires the bundle does not hold (packages, package.json, built-in modules, a computed path)
// go through Node's own require of that module: nothing behaves differently from loading dist/
// file by file. Bundles live in dist/, which BUILD_STAMP ties to the sources.
//
// Packages: only those in PACKAGES (commander: pure JavaScript, literal requires only, loaded by
// every command) are bundled too, with a fingerprint (size and mtime of its package.json and of
// every file taken): when the installed package no longer matches it (an `npm install` after
// the build), the bundle's copy is not used and Node loads the package as usual, so an old copy
// can never shadow the installed one. Their modules get their real file names in require.cache.
const fs = require('fs');
const path = require('path');

const REQUIRE = /\brequire\((["'])(\.{1,2}\/[^"']*)\1\)/g;
const BARE = /\brequire\((["'])([^"'./][^"']*)\1\)/g;

/** Packages bundled with the commands (see the module comment). */
const PACKAGES = ['commander'];

/**
 * The modules of package `name` as installed under `root`/node_modules (keys `pkg:<name>/<file>`),
 * its entry key and its fingerprint; undefined when it is not installed there.
 */
function packageModules(root, name) {
  let real;
  let entry;
  try {
    real = fs.realpathSync(path.join(root, 'node_modules', name));
    entry = require.resolve(name, { paths: [root] });
  } catch {
    return undefined;
  }
  if (!entry.startsWith(real + path.sep)) return undefined;
  const key = (rel) => `pkg:${name}/${rel}`;
  const files = new Map();
  const queue = [path.relative(real, entry).split(path.sep).join('/')];
  while (queue.length > 0) {
    const rel = queue.shift();
    if (files.has(rel)) continue;
    const code = fs.readFileSync(path.join(real, ...rel.split('/')), 'utf8');
    const deps = {};
    files.set(rel, { code, deps });
    for (const m of code.matchAll(REQUIRE)) {
      const target = resolveRel(real, rel, m[2]);
      if (target === undefined) continue;
      deps[m[2]] = key(target);
      queue.push(target);
    }
  }
  const stamp = ['package.json', ...files.keys()].map((f) => {
    const st = fs.statSync(path.join(real, ...f.split('/')));
    return [f, st.size, st.mtimeMs];
  });
  const modules = new Map([...files].map(([rel, m]) => [key(rel), { ...m, pkg: name }]));
  return { entry: key(path.relative(real, entry).split(path.sep).join('/')), modules, stamp };
}

/** The dist/-relative name (posix) a relative require from `fromRel` resolves to, as Node would. */
function resolveRel(dist, fromRel, request) {
  const base = path.posix.join(path.posix.dirname(fromRel), request);
  for (const candidate of [base, `${base}.js`, `${base}/index.js`]) {
    const full = path.join(dist, ...candidate.split('/'));
    if (candidate.endsWith('.js') && fs.existsSync(full) && fs.statSync(full).isFile()) return candidate;
  }
  return undefined;
}

/**
 * Modules reachable from `entries` (dist/-relative names), each with its code and the targets of
 * its literal relative requires (request → dist/-relative name); requires in `noFollow` files
 * are not followed (their targets are resolved when the bundle holds them anyway).
 */
function closure(dist, entries, noFollow, packages) {
  const seen = new Map();
  const queue = [...entries];
  while (queue.length > 0) {
    const rel = queue.shift();
    if (seen.has(rel)) continue;
    const code = fs.readFileSync(path.join(dist, ...rel.split('/')), 'utf8');
    const deps = {};
    seen.set(rel, { code, deps });
    for (const m of code.matchAll(REQUIRE)) {
      const target = resolveRel(dist, rel, m[2]);
      if (target === undefined) continue;
      deps[m[2]] = target;
      if (!noFollow.has(rel) && !seen.has(target)) queue.push(target);
    }
    for (const m of code.matchAll(BARE)) {
      const p = packages.get(m[2]);
      if (p === undefined) continue;
      deps[m[2]] = p.entry;
      for (const [k, v] of p.modules) if (!seen.has(k)) seen.set(k, v);
    }
  }
  // a target the bundle does not hold is required from dist/ by Node
  for (const { deps } of seen.values()) for (const [request, target] of Object.entries(deps)) if (!seen.has(target)) delete deps[request];
  return seen;
}

// The loader at the top of every bundle (see the module comment). The literal requires of each
// module were resolved when the bundle was made (its second element), so loading a module does no
// path arithmetic beyond its file name; a computed request is resolved here.
const RUNTIME = `'use strict';
const Module = require('module');
const path = require('path');
const fs = require('fs');
const dist = path.join(__dirname, '..');
const has = (o, k) => Object.prototype.hasOwnProperty.call(o, k);
// a bundled package's folder (its real path), or null when the installed package does not
// match the fingerprint taken at build time (then Node loads it)
const packageDirs = new Map();
function packageDir(name) {
  if (packageDirs.has(name)) return packageDirs.get(name);
  let dir = null;
  try {
    const real = fs.realpathSync(path.join(dist, '..', 'node_modules', name));
    const same = packages[name].every(([f, size, mtime]) => {
      const st = fs.statSync(path.join(real, f), { throwIfNoEntry: false });
      return st !== undefined && st.size === size && st.mtimeMs === mtime;
    });
    if (same) dir = real;
  } catch {
    dir = null;
  }
  packageDirs.set(name, dir);
  return dir;
}
// the node_modules lookup paths of a folder, computed once per folder
const lookupPaths = new Map();
function load(rel, parent) {
  const pkg = modules[rel][2];
  const base = pkg === undefined ? dist : packageDir(pkg);
  const file = pkg === undefined ? rel : rel.slice(5 + pkg.length);
  const filename = path.sep === '/' ? base + '/' + file : path.join(base, file);
  const cached = Module._cache[filename];
  if (cached !== undefined) return cached.exports;
  const dirname = filename.slice(0, filename.lastIndexOf(path.sep));
  let paths = lookupPaths.get(dirname);
  if (paths === undefined) lookupPaths.set(dirname, (paths = Module._nodeModulePaths(dirname)));
  const mod = new Module(filename, parent);
  mod.filename = filename;
  mod.paths = paths.slice();
  Module._cache[filename] = mod;
  let threw = true;
  try {
    modules[rel][0].call(mod.exports, mod.exports, requireOf(mod, rel), mod, filename, dirname);
    threw = false;
  } finally {
    if (threw) delete Module._cache[filename];
  }
  mod.loaded = true;
  return mod.exports;
}
function bundled(p) {
  if (has(modules, p) && p.endsWith('.js')) return p;
  if (has(modules, p + '.js')) return p + '.js';
  if (has(modules, p + '/index.js')) return p + '/index.js';
  return undefined;
}
function requireOf(mod, rel) {
  const deps = modules[rel][1];
  const pkgName = modules[rel][2];
  const req = (id) => {
    const known = has(deps, id) ? deps[id] : undefined;
    if (known !== undefined && (modules[known][2] === undefined || packageDir(modules[known][2]) !== null)) return load(known, mod);
    if (pkgName === undefined && (id.startsWith('./') || id.startsWith('../'))) {
      const target = bundled(path.posix.join(path.posix.dirname(rel), id));
      if (target !== undefined) return load(target, mod);
    }
    return mod.require(id);
  };
  req.resolve = (request, options) => Module._resolveFilename(request, mod, false, options);
  req.main = process.mainModule;
  req.extensions = Module._extensions;
  req.cache = Module._cache;
  return req;
}
`;

/**
 * Writes dist/bundles/<command>.js for every command file in dist/cli/commands/ but `skip`
 * (and index.js); returns the number of bundles written.
 */
function bundleCommands(dist, skip = []) {
  const commandsDir = path.join(dist, 'cli', 'commands');
  if (!fs.existsSync(commandsDir) || !fs.existsSync(path.join(dist, 'cli', 'main.js'))) return 0;
  const out = path.join(dist, 'bundles');
  fs.mkdirSync(out, { recursive: true });
  const packages = new Map();
  for (const name of PACKAGES) {
    const p = packageModules(path.join(dist, '..'), name);
    if (p !== undefined) packages.set(name, p);
  }
  let n = 0;
  for (const file of fs.readdirSync(commandsDir).sort()) {
    const name = file.replace(/\.js$/, '');
    if (!file.endsWith('.js') || name === 'index' || skip.includes(name)) continue;
    const modules = closure(dist, ['cli/main.js', `cli/commands/${file}`], new Set(['cli/commands/index.js']), packages);
    // dist/-relative name (or pkg:<package>/<file>): [the module wrapped as Node wraps it, its
    // resolved literal requires, the package it belongs to]
    const parts = [RUNTIME, `const packages = ${JSON.stringify(Object.fromEntries([...packages].map(([k, p]) => [k, p.stamp])))};\n`, 'const modules = {\n'];
    for (const [rel, { code, deps, pkg }] of modules) {
      const extra = pkg === undefined ? '' : `, ${JSON.stringify(pkg)}`;
      parts.push(`${JSON.stringify(rel)}: [function (exports, require, module, __filename, __dirname) {\n${code}\n}, ${JSON.stringify(deps)}${extra}],\n`);
    }
    parts.push("};\nmodule.exports = load('cli/main.js', module);\n");
    fs.writeFileSync(path.join(out, `${name}.js`), parts.join(''));
    n++;
  }
  return n;
}

module.exports = { bundleCommands };
