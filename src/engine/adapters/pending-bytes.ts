// The received bytes of a frame that is not whole yet, kept as the chunks they came in and joined
// once, when the frame is: a frame dribbled in many small chunks costs one copy, not one per chunk.

export class PendingBytes {
  private readonly chunks: Buffer[];
  private bytes: number;

  /** `first` must be the caller's own copy (a slice would pin the whole chunk it came from). */
  constructor(
    first: Buffer,
    /** Bytes needed before parsing can go on: the whole frame, or one more byte of an unfinished header. */
    private readonly need: number,
  ) {
    this.chunks = [first];
    this.bytes = first.length;
  }

  /** Adds a chunk; returns every byte so far once `need` are there, else null. */
  add(data: Buffer): Buffer | null {
    this.chunks.push(data);
    this.bytes += data.length;
    return this.bytes >= this.need ? Buffer.concat(this.chunks, this.bytes) : null;
  }
}
