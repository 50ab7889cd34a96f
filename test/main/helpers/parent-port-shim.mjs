// Preloaded (--import) into a child_process.fork child to make it look like an Electron utility
// process to src/shared/parent-channel.ts: `process.parentPort` with `on('message', e => e.data)`
// and `postMessage`, carried over the fork IPC channel underneath. Like Electron's parentPort,
// messages that arrive before anyone listens are queued, not dropped.
import { EventEmitter } from 'node:events';

const port = new EventEmitter();
const queued = [];
const send = process.send.bind(process);
process.on('message', (data) => {
  const event = { data, ports: [] };
  if (port.listenerCount('message') > 0) port.emit('message', event);
  else queued.push(event);
});
const flush = () => {
  while (queued.length > 0 && port.listenerCount('message') > 0) port.emit('message', queued.shift());
};
Object.defineProperty(process, 'parentPort', {
  value: {
    on(event, listener) {
      port.on(event, listener);
      if (event === 'message') queueMicrotask(flush);
      return this;
    },
    once(event, listener) {
      port.once(event, listener);
      if (event === 'message') queueMicrotask(flush);
      return this;
    },
    postMessage: (message) => send(message),
  },
});
