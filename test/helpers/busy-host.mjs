// Loaded into device hosts (FLEETSIM_HOST_NODE_ARGS="--import …/busy-host.mjs") by the
// saturation-pause test: while the file named by FLEETSIM_TEST_BUSY_FLAG exists, the host's
// event loop is blocked 150 ms of every 200 ms — a saturated generator, on demand.
import { existsSync } from 'node:fs';

const flag = process.env.FLEETSIM_TEST_BUSY_FLAG;
if (flag) {
  setInterval(() => {
    if (!existsSync(flag)) return;
    const until = Date.now() + 150;
    while (Date.now() < until);
  }, 200).unref();
}
