// Debian's Chromium for the end-to-end tests: the same launch as the UI benchmark's.
export { CHROMIUM, launchChromium } from '../../bench/chromium.ts';
