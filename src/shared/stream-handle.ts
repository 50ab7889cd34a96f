// libuv's stream handle under a net.Socket: internal to Node (net itself keeps `reading` on it),
// and the one place reads can be stopped and restarted at the kernel's door, whatever the
// socket's consumer does. The devices' read faults and the embedded target's pause use it.
import type { Socket } from 'node:net';

export interface StreamHandle {
  /** What net.Socket believes: true while it wants the handle reading. */
  reading?: boolean;
  readStop(): number;
  readStart(): number;
}

/** The socket's stream handle, or null when it has none that reads (closed, or not a libuv stream). */
export function streamHandleOf(socket: Socket): StreamHandle | null {
  const handle = (socket as unknown as { _handle?: Partial<StreamHandle> | null })._handle;
  return handle && typeof handle.readStop === 'function' && typeof handle.readStart === 'function' ? (handle as StreamHandle) : null;
}
