import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const NAME = 'homeiq-sources';

/**
 * The package's root folder (where its package.json is), found by walking up from this module.
 * The same walk works from core/ under tsx and vitest and from dist/ in the built bundle, so
 * assets (package.json, the status page, tsconfig.json) are read from the package, not the bundle.
 */
function packageRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const pkg = path.join(dir, 'package.json');
    if (existsSync(pkg) && (JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === NAME) return dir;
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`${NAME}: no package.json of ${NAME} above ${fileURLToPath(import.meta.url)}`);
    dir = parent;
  }
}

export const PACKAGE_ROOT: string = packageRoot();

/** A path inside the package. */
export function packagePath(...parts: string[]): string {
  return path.join(PACKAGE_ROOT, ...parts);
}
