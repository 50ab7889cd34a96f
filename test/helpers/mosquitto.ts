// Debian's mosquitto for the tests: the broker process itself lives in src (the benchmarks start it too).
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MOSQUITTO_BIN, type Mosquitto } from '../../src/targets/mosquitto-process.ts';
import { freePort } from './ports.ts';
import { spawnListening } from './processes.ts';
export { MOSQUITTO_BIN, mosquittoVersion, startMosquitto, type Mosquitto, type MosquittoTls } from '../../src/targets/mosquitto-process.ts';

/**
 * mosquitto refusing clients past `maxConnections` on its one listener: a target whose knee is
 * known. max_connections is a listener setting, which `per_listener_settings false` would ignore.
 */
export async function startCappedMosquitto(maxConnections: number): Promise<Pick<Mosquitto, 'pid' | 'port' | 'stop'>> {
  if (!MOSQUITTO_BIN) throw new Error('mosquitto is not installed (apt-get install mosquitto; .ci/run does it)');
  const port = await freePort();
  const conf = join(mkdtempSync(join(tmpdir(), 'fleetsim-mosquitto-')), 'mosquitto.conf');
  writeFileSync(conf, ['allow_anonymous true', 'persistence false', 'log_dest stderr', 'log_type error', `listener ${port} 127.0.0.1`, `max_connections ${maxConnections}`, ''].join('\n'));
  return spawnListening(MOSQUITTO_BIN, ['-c', conf], port);
}
