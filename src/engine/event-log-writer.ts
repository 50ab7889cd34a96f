// A host's event log: every device event as one NDJSON line, appended by the host itself (no
// IPC). Lines are buffered and written once per metrics batch (250 ms), so a killed host loses
// at most that much. Past `maxBytes` the live file is rotated and gzipped in the background.
import { closeSync, createReadStream, createWriteStream, fstatSync, openSync, readdirSync, renameSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { eventLogName, EVENT_LOG_PATTERN, rotatedEventLogName } from '../runs/run-layout.ts';

export class EventLogWriter {
  private fd: number;
  private buffered: string[] = [];
  private fileBytes: number;
  private part: number;
  private readonly compressing = new Set<Promise<void>>();
  private closed = false;

  constructor(
    private readonly dir: string,
    private readonly hostId: number,
    private readonly maxBytes: number,
  ) {
    this.fd = openSync(join(dir, eventLogName(hostId)), 'a');
    this.fileBytes = fstatSync(this.fd).size;
    // A host restarted into the same run continues the numbering of the parts before it.
    this.part = 0;
    for (const name of readdirSync(dir)) {
      const m = EVENT_LOG_PATTERN.exec(name);
      if (m && Number(m[1]) === hostId && m[2] !== undefined) this.part = Math.max(this.part, Number(m[2]));
    }
  }

  write(t: number, id: string, group: string, index: number, kind: string, detail?: string): void {
    if (this.closed) return;
    this.buffered.push(detail === undefined ? JSON.stringify({ t, id, g: group, i: index, kind }) : JSON.stringify({ t, id, g: group, i: index, kind, detail }));
  }

  /** Writes what is buffered; rotates when the live file has grown past the limit. */
  flush(): void {
    if (this.closed || this.buffered.length === 0) return;
    const text = this.buffered.join('\n') + '\n';
    this.buffered = [];
    this.fileBytes += writeSync(this.fd, text);
    if (this.fileBytes >= this.maxBytes) this.rotate();
  }

  private rotate(): void {
    closeSync(this.fd);
    const live = join(this.dir, eventLogName(this.hostId));
    const gz = join(this.dir, rotatedEventLogName(this.hostId, ++this.part));
    const plain = gz.slice(0, -'.gz'.length);
    renameSync(live, plain);
    this.fd = openSync(live, 'a');
    this.fileBytes = 0;
    // Gzipped to a temp name, then renamed: a reader sees the plain part or the whole .gz, never half.
    const job = pipeline(createReadStream(plain), createGzip(), createWriteStream(`${gz}.tmp`))
      .then(() => {
        renameSync(`${gz}.tmp`, gz);
        rmSync(plain, { force: true });
      })
      .catch(() => rmSync(`${gz}.tmp`, { force: true }))
      .finally(() => this.compressing.delete(job));
    this.compressing.add(job);
  }

  /** Flushes and closes; waits for parts still being compressed. */
  async close(): Promise<void> {
    this.closeNow();
    await Promise.all([...this.compressing]);
  }

  /** Flushes and closes at once (the process is about to exit); a part mid-compression stays plain. */
  closeNow(): void {
    if (this.closed) return;
    this.flush();
    this.closed = true;
    closeSync(this.fd);
  }
}
