import { spawnSync } from 'node:child_process';

/** A binary and the Debian package that provides it. */
export interface ServerPackage {
  binary: string;
  debian: string;
}

export const INFLUXDB_PACKAGE: ServerPackage = { binary: 'influxd', debian: 'influxdb' };
export const VICTORIA_PACKAGE: ServerPackage = { binary: 'victoria-metrics', debian: 'victoria-metrics' };
export const MOSQUITTO_PACKAGE: ServerPackage = { binary: 'mosquitto', debian: 'mosquitto' };
export const REDIS_PACKAGE: ServerPackage = { binary: 'redis-server', debian: 'redis-server' };

function onPath(binary: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${binary}`], { stdio: 'ignore' }).status === 0;
}

/**
 * Installs the Debian packages of the binaries that are missing (`apt-get update`, then
 * `apt-get install -y`), printing a progress line. A fresh CI machine needs this once.
 */
export function ensureInstalled(packages: readonly ServerPackage[], log: (line: string) => void = console.log): void {
  const missing = packages.filter((p) => !onPath(p.binary));
  if (missing.length === 0) return;
  const names = missing.map((p) => p.debian);
  log(`test servers: installing ${names.join(', ')} with apt-get (missing: ${missing.map((p) => p.binary).join(', ')})`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  // Root installs directly; anyone else through sudo (CI runners allow it without a password).
  const root = process.getuid?.() === 0;
  const aptGet = (args: string[]) => spawnSync(root ? 'apt-get' : 'sudo', root ? args : ['-E', 'apt-get', ...args], { stdio: 'inherit', env });
  const update = aptGet(['update']);
  if (update.status !== 0) throw new Error(`apt-get update failed (exit ${update.status}); install ${names.join(', ')} by hand`);
  const install = aptGet(['install', '-y', '--no-install-recommends', ...names]);
  if (install.status !== 0) throw new Error(`apt-get install ${names.join(' ')} failed (exit ${install.status})`);
  const still = missing.filter((p) => !onPath(p.binary));
  if (still.length > 0) throw new Error(`after apt-get, still missing: ${still.map((p) => p.binary).join(', ')}`);
  log(`test servers: installed ${names.join(', ')}`);
}
