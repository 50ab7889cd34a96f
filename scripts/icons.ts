// Renders the app icon from assets/icon.svg (`npm run icons`) into what electron-builder takes:
//   assets/icon.png            1024×1024: the macOS .icns and the Windows .ico are derived from it
//   assets/icons/<N>x<N>.png   the Linux icon set (AppImage, deb: hicolor theme sizes)
//   assets/icons/source.sha256 the SVG they were rendered from, so a test catches a stale set
// The PNGs are committed: packaging then needs no renderer. Chromium draws them (Debian's, or
// the one CHROMIUM names), on a transparent background.
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';

export const ICON_SVG = 'assets/icon.svg';
export const ICON_PNG = 'assets/icon.png';
export const ICON_SET_DIR = 'assets/icons';
export const ICON_SOURCE_HASH = `${ICON_SET_DIR}/source.sha256`;
/** Linux hicolor sizes (16 to 512) and the 1024 master. */
export const ICON_SIZES = [16, 32, 48, 64, 128, 256, 512, 1024] as const;

export function sha256(data: Buffer | string): string {
  return createHash('sha256').update(data).digest('hex');
}

async function render(): Promise<void> {
  const executablePath = process.env.CHROMIUM ?? '/usr/bin/chromium';
  if (!existsSync(executablePath)) throw new Error(`${executablePath} is missing: install chromium or set CHROMIUM to a Chromium binary`);
  const svg = await readFile(ICON_SVG);
  const browser = await chromium.launch({ executablePath, args: ['--no-sandbox', '--disable-gpu', '--no-first-run'] });
  try {
    await mkdir(ICON_SET_DIR, { recursive: true });
    for (const size of ICON_SIZES) {
      const page = await browser.newPage({ viewport: { width: size, height: size }, deviceScaleFactor: 1 });
      const src = `data:image/svg+xml;base64,${svg.toString('base64')}`;
      await page.setContent(`<html><body style="margin:0;background:transparent"><img src="${src}" width="${size}" height="${size}" style="display:block"></body></html>`);
      await page.waitForFunction(() => document.images[0]?.complete === true);
      const png = await page.screenshot({ omitBackground: true, clip: { x: 0, y: 0, width: size, height: size } });
      await writeFile(`${ICON_SET_DIR}/${size}x${size}.png`, png);
      if (size === 1024) await writeFile(ICON_PNG, png);
      await page.close();
    }
  } finally {
    await browser.close();
  }
  await writeFile(ICON_SOURCE_HASH, `${sha256(svg)}  ${ICON_SVG}\n`);
  console.log(`rendered ${ICON_PNG} and ${ICON_SET_DIR}/{${ICON_SIZES.join(',')}} from ${ICON_SVG}`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) await render();
