// Module resolve hook for tests of src/main: 'electron' (and 'electron/main') resolve to the
// fake in fake-electron.ts instead of the real package, which cannot load without its binary.
const FAKE = new URL('./fake-electron.ts', import.meta.url).href;

export async function resolve(specifier, context, nextResolve) {
  if (specifier === 'electron' || specifier === 'electron/main') return { url: FAKE, shortCircuit: true };
  return nextResolve(specifier, context);
}
