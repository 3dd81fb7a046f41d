'use strict';
// A V8 code cache for the CLI's modules (Node 20 has no module.enableCompileCache): the first run
// of a command stores the compiled code of every module it loaded from dist/ and node_modules/ in
// one file per command under dist/.compile-cache/ (taken when the process exits, so it includes
// every function that run compiled); later runs hand it back to V8, which then skips parsing and
// compiling those modules. A module whose source changed gets fresh code (the cache
// is keyed by file name and checked against the source length and a hash of its text), and a
// cache that cannot be read or written (read-only install, concurrent runs) is simply not used.
const fs = require('fs');
const path = require('path');
const vm = require('vm');
const Module = require('module');

// The cache file: a u32 (little endian) byte length of a JSON index, the index
// ([[file, check, length], …]), then the code caches one after the other. (Not
// v8.serialize: loading the v8 module alone costs about a millisecond of every start.)
function readCache(file) {
  const cache = new Map();
  try {
    const buf = fs.readFileSync(file);
    const n = buf.readUInt32LE(0);
    const index = JSON.parse(buf.toString('utf8', 4, 4 + n));
    let at = 4 + n;
    for (const [key, h, length] of index) {
      if (typeof key !== 'string' || typeof h !== 'string' || !Number.isInteger(length) || length < 0 || at + length > buf.length) return new Map();
      cache.set(key, { h, data: buf.subarray(at, at + length) });
      at += length;
    }
  } catch {
    return new Map();
  }
  return cache;
}

function writeCache(file, cache) {
  const index = [];
  const parts = [];
  for (const [key, { h, data }] of cache) {
    index.push([key, h, data.length]);
    parts.push(data);
  }
  const head = Buffer.from(JSON.stringify(index), 'utf8');
  const size = Buffer.alloc(4);
  size.writeUInt32LE(head.length, 0);
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, Buffer.concat([size, head, ...parts]));
  fs.renameSync(tmp, file);
}

function hash(text) {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i += 7) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}

function install(cacheFile, roots) {
  const cache = readCache(cacheFile);
  const fresh = [];
  const wrapperOf = (content) => Module.wrap(content);
  const compile = Module.prototype._compile;
  Module.prototype._compile = function compileCached(content, filename) {
    if (!roots.some((r) => filename.startsWith(r))) return compile.call(this, content, filename);
    const key = filename;
    const h = `${content.length}:${hash(content)}`;
    const hit = cache.get(key);
    let script;
    try {
      script = new vm.Script(wrapperOf(content), { filename, cachedData: hit && hit.h === h ? hit.data : undefined });
    } catch {
      // not CommonJS (Node's own loader handles ES module syntax, e.g. require(esm)): its way
      return compile.call(this, content, filename);
    }
    // the code is taken at exit, so it holds every function this run compiled, not only the top level
    if (!hit || hit.h !== h || script.cachedDataRejected) fresh.push({ key, h, script });
    const fn = script.runInThisContext({ displayErrors: true });
    const dirname = path.dirname(filename);
    const require = (id) => this.require(id);
    require.resolve = (request, options) => Module._resolveFilename(request, this, false, options);
    require.main = process.mainModule;
    require.extensions = Module._extensions;
    require.cache = Module._cache;
    return fn.call(this.exports, this.exports, require, this, filename, dirname);
  };
  process.once('exit', () => {
    if (fresh.length === 0) return;
    try {
      for (const f of fresh) cache.set(f.key, { h: f.h, data: f.script.createCachedData() });
      fs.mkdirSync(path.dirname(cacheFile), { recursive: true });
      writeCache(cacheFile, cache);
    } catch {
      // read-only install or a full disk: run without a cache
    }
  });
}

module.exports = { install };
