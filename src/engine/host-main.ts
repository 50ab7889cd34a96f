// Entry of a device host process (child_process.fork headless, utilityProcess.fork in the app).
import type { HostCommand, HostEvent } from '../contract/host-protocol.ts';
import { connectToParent } from '../shared/parent-channel.ts';
import { readFdLimit } from '../shared/fd-limit.ts';
import { DeviceHost, loadProtocolLibraries } from './host.ts';

const channel = connectToParent<HostCommand, HostEvent>();
let host: DeviceHost | null = null;
let hostId = -1;

function fatal(message: string): void {
  host?.saveRecordNow();
  channel.send({ type: 'fatal', hostId, message });
  setTimeout(() => process.exit(1), 50);
}

process.on('uncaughtException', (err) => fatal(err.stack ?? String(err)));
process.on('unhandledRejection', (err) => fatal(err instanceof Error ? (err.stack ?? err.message) : String(err)));
// Ctrl-C in a terminal signals the whole process group: the controller decides when we stop.
process.on('SIGINT', () => {});
// The controller is gone: nothing will ever stop us, so stop now rather than linger as an orphan.
process.on('disconnect', () => {
  host?.saveRecordNow();
  process.exit(0);
});

// Commands are handled one after another: init may first load a protocol library.
let queue: Promise<void> = Promise.resolve();
channel.onMessage((cmd) => {
  queue = queue.then(() => handle(cmd));
});

async function handle(cmd: HostCommand): Promise<void> {
  if (cmd.type === 'init') {
    hostId = cmd.init.hostId;
    try {
      await loadProtocolLibraries(cmd.init.scenario);
      host = new DeviceHost(cmd.init, (event) => {
        if (event.type === 'stopped') channel.sendAndClose(event);
        else channel.send(event);
      });
    } catch (err) {
      fatal((err as Error).message);
      return;
    }
    channel.send({ type: 'ready', hostId, pid: process.pid, fdLimit: readFdLimit()?.soft ?? null });
  } else if (cmd.type === 'start') {
    host?.start();
  } else {
    host?.handle(cmd);
  }
}
