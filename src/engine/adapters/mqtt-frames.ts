// MQTT framing and encoding for the lean client. Packets are decoded by mqtt-packet's parser,
// one parser per protocol version shared by every connection of the host: a connection only
// ever hands it whole packets (split here), so no per-connection parser state is kept. The hot
// packets are encoded and decoded by hand: PUBLISH out, PUBACK / PINGRESP in.
import mqttPacket, { type Packet } from 'mqtt-packet';
import { frameTooLarge } from '../disconnect-reason.ts';
import { PendingBytes } from './pending-bytes.ts';

export type MqttVersion = 4 | 5;

/** The largest remaining length MQTT can express (four length bytes). */
const MAX_REMAINING = 268_435_455;

let decoded: Packet | null = null;
let decodeError: Error | null = null;
function sharedParser(protocolVersion: MqttVersion) {
  const parser = mqttPacket.parser({ protocolVersion });
  parser.on('packet', (packet: Packet) => (decoded = packet));
  parser.on('error', (err: Error) => (decodeError = err));
  return parser;
}
const parsers = { 4: sharedParser(4), 5: sharedParser(5) };
// mqtt-packet would otherwise build a cache of all 65,536 packet ids as Buffers (~6 MB per host)
// at its first generate(); we write packet ids ourselves on the hot path.
mqttPacket.writeToStream.cacheNumbers = false;

/** Decodes one whole packet (fixed header included); throws on a malformed one. */
export function decodePacket(frame: Buffer, version: MqttVersion): Packet {
  decoded = null;
  decodeError = null;
  parsers[version].parse(frame);
  const err = decodeError as Error | null;
  if (err) throw err;
  if (!decoded) throw new Error(`incomplete ${frame.length}-byte packet`);
  return decoded;
}

export function encodePacket(packet: Packet, version: MqttVersion): Buffer {
  return mqttPacket.generate(packet, { protocolVersion: version });
}

export interface FrameSink {
  /** One whole packet; false stops the split (the connection is going away). */
  onFrame(frame: Buffer): boolean;
}

/**
 * Hands every whole packet in `buf` to `sink`; returns the bytes of an unfinished packet (copied:
 * a kept slice would pin the whole chunk) with how many it needs, or null. Throws on a length no
 * packet can have, and (code frame-too-large) on a packet over `maxBytes` as soon as its length
 * is read.
 */
export function splitFrames(buf: Buffer, sink: FrameSink, maxBytes: number): PendingBytes | null {
  let at = 0;
  let need = 2;
  while (buf.length - at >= 2) {
    let remaining = 0;
    let multiplier = 1;
    let i = at + 1;
    let complete = false;
    for (; i < buf.length && i <= at + 4; i++) {
      const byte = buf[i];
      remaining += (byte & 0x7f) * multiplier;
      multiplier *= 128;
      if ((byte & 0x80) === 0) {
        complete = true;
        break;
      }
    }
    if (!complete) {
      if (i > at + 4) throw new Error('malformed remaining length');
      need = buf.length - at + 1;
      break;
    }
    if (remaining > MAX_REMAINING) throw new Error('malformed remaining length');
    const end = i + 1 + remaining;
    if (end - at > maxBytes) throw frameTooLarge(end - at, maxBytes);
    if (end > buf.length) {
      need = end - at;
      break;
    }
    if (!sink.onFrame(buf.subarray(at, end))) return null;
    at = end;
    need = 2;
  }
  return at === buf.length ? null : new PendingBytes(Buffer.from(buf.subarray(at)), need);
}

/** Bytes of MQTT's variable-length integer for n. */
function varIntLength(n: number): number {
  return n < 128 ? 1 : n < 16_384 ? 2 : n < 2_097_152 ? 3 : 4;
}

function writeVarInt(buf: Buffer, at: number, n: number): number {
  do {
    let byte = n % 128;
    n = Math.floor(n / 128);
    if (n > 0) byte |= 0x80;
    buf[at++] = byte;
  } while (n > 0);
  return at;
}

/**
 * One PUBLISH packet (QoS 0 without `id`); `own` allocates a buffer of its own (one kept for a
 * resend must not pin a shared pool slab).
 */
export function encodePublish(topic: string, body: Buffer | string, qos: 0 | 1, id: number, version: MqttVersion, own = false): Buffer {
  const topicBytes = Buffer.byteLength(topic);
  const bodyBytes = typeof body === 'string' ? Buffer.byteLength(body) : body.length;
  const remaining = 2 + topicBytes + (qos > 0 ? 2 : 0) + (version === 5 ? 1 : 0) + bodyBytes;
  const total = 1 + varIntLength(remaining) + remaining;
  const buf = own ? Buffer.alloc(total) : Buffer.allocUnsafe(total);
  buf[0] = 0x30 | (qos << 1);
  let at = writeVarInt(buf, 1, remaining);
  buf.writeUInt16BE(topicBytes, at);
  at += 2;
  at += buf.write(topic, at);
  if (qos > 0) {
    buf.writeUInt16BE(id, at);
    at += 2;
  }
  if (version === 5) buf[at++] = 0; // no properties
  if (typeof body === 'string') buf.write(body, at);
  else body.copy(buf, at);
  return buf;
}

/** Marks a kept PUBLISH as a resend (DUP). */
export function markDuplicate(publish: Buffer): void {
  publish[0] |= 0x08;
}

/** PUBACK / PUBREC / PUBREL / PUBCOMP for `id` (reason code success, implied). */
export function encodeAck(kind: 'puback' | 'pubrec' | 'pubcomp', id: number): Buffer {
  const buf = Buffer.allocUnsafe(4);
  buf[0] = kind === 'puback' ? 0x40 : kind === 'pubrec' ? 0x50 : 0x70;
  buf[1] = 2;
  buf.writeUInt16BE(id, 2);
  return buf;
}

export const PINGREQ = Buffer.from([0xc0, 0x00]);
export const DISCONNECT = Buffer.from([0xe0, 0x00]);

/** Packet types by the high nibble of the first byte. */
export const enum PacketType {
  Connack = 2,
  Publish = 3,
  Puback = 4,
  Pubrec = 5,
  Pubrel = 6,
  Suback = 9,
  Pingresp = 13,
  Disconnect = 14,
}

/** Where a packet's variable header starts (after the type byte and the remaining length). */
function bodyStart(frame: Buffer): number {
  let i = 1;
  while (frame[i] & 0x80) i++;
  return i + 1;
}

/** The packet id of a PUBACK / PUBREC / PUBREL / PUBCOMP. */
export function ackId(frame: Buffer): number {
  return frame.readUInt16BE(bodyStart(frame));
}

/** The packet id of a QoS 1 or 2 PUBLISH. */
export function publishId(publish: Buffer): number {
  const at = bodyStart(publish);
  return publish.readUInt16BE(at + 2 + publish.readUInt16BE(at));
}

/** An acknowledgement's reason code (MQTT 5; omitted means success, as 3.1.1 always is). */
export function ackReason(frame: Buffer): number {
  const at = bodyStart(frame) + 2;
  return at < frame.length ? frame[at] : 0;
}
