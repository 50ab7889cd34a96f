// The committed app icons (npm run icons renders them from assets/icon.svg): every size the
// packaging config points at, square PNGs of the size their name says, rendered from the SVG
// as it is now (a changed icon.svg without a fresh render fails here).
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import { packaging } from '../../electron.config.ts';
import { ICON_PNG, ICON_SET_DIR, ICON_SIZES, ICON_SOURCE_HASH, ICON_SVG, sha256 } from '../../scripts/icons.ts';

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** Width, height and whether it has an alpha channel, from the PNG header (IHDR). */
function pngInfo(file: string): { width: number; height: number; alpha: boolean } {
  const bytes = readFileSync(file);
  assert.ok(bytes.subarray(0, 8).equals(PNG_SIGNATURE), `${file} is not a PNG`);
  assert.equal(bytes.toString('latin1', 12, 16), 'IHDR');
  const colorType = bytes[25];
  return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20), alpha: colorType === 4 || colorType === 6 };
}

test('the packaging config points at the rendered icons', () => {
  assert.equal(packaging.mac.icon, ICON_PNG);
  assert.equal(packaging.win.icon, ICON_PNG);
  assert.equal(packaging.linux.icon, ICON_SET_DIR);
  assert.equal(packaging.directories.buildResources, 'assets');
});

test('every icon is a square PNG of its size, with transparency', () => {
  assert.deepEqual(pngInfo(ICON_PNG), { width: 1024, height: 1024, alpha: true });
  for (const size of ICON_SIZES) {
    const file = `${ICON_SET_DIR}/${size}x${size}.png`;
    assert.ok(existsSync(file), `${file} is missing: npm run icons`);
    assert.deepEqual(pngInfo(file), { width: size, height: size, alpha: true }, file);
  }
});

test('the icons were rendered from the current icon.svg', () => {
  const [hash, source] = readFileSync(ICON_SOURCE_HASH, 'utf8').trim().split(/\s+/);
  assert.equal(source, ICON_SVG);
  assert.equal(hash, sha256(readFileSync(ICON_SVG)), 'assets/icon.svg changed since the icons were rendered: npm run icons');
});
