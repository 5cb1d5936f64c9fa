// Preload (node -r) for servers that have no host option: every TCP listen() that names no host binds to 127.0.0.1
// instead of every interface. Covers listen(port[, backlog][, callback]), listen([callback]) and listen({port, ...});
// a listen() that names a host, a path (Unix socket) or a handle is left alone.
'use strict';

const net = require('node:net');

const LOOPBACK = '127.0.0.1';
const listen = net.Server.prototype.listen;

function isPortNumber(value) {
  return typeof value === 'number' || (typeof value === 'string' && value !== '' && !Number.isNaN(Number(value)));
}

net.Server.prototype.listen = function listenOnLoopback(...args) {
  const [first, second] = args;
  if (first !== null && typeof first === 'object' && !Array.isArray(first)) {
    const tcp = first.port !== undefined && first.path === undefined && first.handle === undefined && !first._handle;
    if (tcp && first.host === undefined) {
      args[0] = { ...first, host: LOOPBACK };
    }
  } else if (isPortNumber(first) && typeof second !== 'string') {
    args.splice(1, 0, LOOPBACK);
  } else if (args.length === 0 || typeof first === 'function') {
    args.unshift(0, LOOPBACK); // listen() or listen(callback): a random port, on loopback
  }
  return listen.apply(this, args);
};
