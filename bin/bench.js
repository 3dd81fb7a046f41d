#!/usr/bin/env node
'use strict';
// Runs every benchmark under bench/ (files named *.bench.ts), in process, one after another.
// Each benchmark module exports `run(): Promise<BenchResult[]>`; results are printed as a table
// and written to bench/results/latest.json.
require('./register-ts');
const fs = require('fs');
const path = require('path');
const dir = path.join(__dirname, '..', 'bench');
const only = process.argv[2];
(async () => {
  const files = fs.readdirSync(dir).filter((f) => f.endsWith('.bench.ts') && (!only || f.includes(only))).sort();
  const all = [];
  for (const f of files) {
    const mod = require(path.join(dir, f));
    const results = await mod.run();
    for (const r of results) {
      all.push({ file: f, ...r });
      console.log(`${f.padEnd(24)} ${r.name.padEnd(56)} ${r.summary}`);
    }
  }
  fs.mkdirSync(path.join(dir, 'results'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'results', 'latest.json'), JSON.stringify(all, null, 2) + '\n');
})().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
