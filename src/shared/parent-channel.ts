// The one place that knows how a child process talks to its parent: Electron's utility
// process (`process.parentPort`) or Node's `child_process.fork` IPC (`process.send`).

export interface ParentChannel<In, Out> {
  send(message: Out): void;
  onMessage(handler: (message: In) => void): void;
  /** Sends a last message, then lets the process exit once nothing else keeps it alive. */
  sendAndClose(message: Out): void;
}

interface ElectronParentPort {
  on(event: 'message', listener: (e: { data: unknown }) => void): void;
  postMessage(message: unknown): void;
}

export function connectToParent<In, Out>(): ParentChannel<In, Out> {
  const parentPort = (process as unknown as { parentPort?: ElectronParentPort }).parentPort;
  if (parentPort) {
    return {
      send: (m) => parentPort.postMessage(m),
      onMessage: (h) => parentPort.on('message', (e) => h(e.data as In)),
      // A utility process has no channel to close; give the port a moment to deliver, then go.
      sendAndClose: (m) => {
        parentPort.postMessage(m);
        setTimeout(() => process.exit(0), 100);
      },
    };
  }
  if (!process.send) throw new Error('this entry must be started by fleetsim (no parent channel)');
  return {
    send: (m) => {
      if (process.connected) process.send!(m);
    },
    onMessage: (h) => process.on('message', (m) => h(m as In)),
    sendAndClose: (m) => {
      if (!process.connected) return;
      process.send!(m, () => process.disconnect());
    },
  };
}
