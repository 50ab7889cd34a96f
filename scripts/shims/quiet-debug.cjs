// Stands in for the `debug` package inside the device host bundle: hosts have no terminal for
// mqtt-packet's trace output, and the real package costs each host ~2 MB of memory.
module.exports = function createDebug() {
  const log = () => {};
  log.enabled = false;
  return log;
};
