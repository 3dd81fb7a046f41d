'use strict';
// commander requires node:child_process when it loads, for subcommands that are separate
// executables (`program.command('x', 'desc')`), which rasgw does not use. Loading that built-in
// module (and `net`, `dgram`, … behind it) costs about 2 ms of every CLI start. When commander
// asks for it, this hands commander a stand-in instead: a proxy that loads the real module on the
// first use of any of its properties, so commander behaves exactly as before if it ever spawns.
// Every other module requiring child_process gets the real one. One commander per process: the
// hook removes itself after the first stand-in.
const path = require('path');
const Module = require('module');

const COMMANDER = `${path.sep}node_modules${path.sep}commander${path.sep}`;

function standIn(load) {
  let real;
  const target = () => (real ??= load());
  return new Proxy(
    {},
    {
      get: (_, key) => target()[key],
      has: (_, key) => key in target(),
      ownKeys: () => Reflect.ownKeys(target()),
      getOwnPropertyDescriptor: (_, key) => {
        const d = Object.getOwnPropertyDescriptor(target(), key);
        // a proxy may not report a property as non-configurable that its own target lacks
        if (d !== undefined) d.configurable = true;
        return d;
      },
    },
  );
}

function install() {
  const load = Module._load;
  Module._load = function loadWithStandIn(request, parent, isMain) {
    if ((request === 'node:child_process' || request === 'child_process') && parent && typeof parent.filename === 'string' && parent.filename.includes(COMMANDER)) {
      Module._load = load;
      return standIn(() => load.call(this, request, parent, isMain));
    }
    return load.call(this, request, parent, isMain);
  };
}

module.exports = { install, standIn };
