// Debian's mosquitto for the tests: the broker process itself lives in src (the benchmarks start it too).
export { MOSQUITTO_BIN, startMosquitto, type Mosquitto, type MosquittoTls } from '../../src/targets/mosquitto-process.ts';
