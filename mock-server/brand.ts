// `instanceof` across copies of a module: a bundled CLI (bin/dev-entry.js) and a mock script loaded
// through tsx each have their own mock-server, and a script's MockServer or thrown RpcError must
// still be recognised. Such classes carry a global symbol and test for it in Symbol.hasInstance.
export function branded(x: unknown, brand: symbol): boolean {
  return typeof x === 'object' && x !== null && (x as Record<symbol, unknown>)[brand] === true;
}
