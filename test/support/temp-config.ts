import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

/** A temporary folder with a config file in it; storage folders point inside it too. */
export function tempConfig(yaml: string, name = 'sources.yaml'): { dir: string; file: string; write(text: string): void } {
  const dir = mkdtempSync(path.join(tmpdir(), 'homeiq-config-'));
  const file = path.join(dir, name);
  writeFileSync(file, yaml);
  return { dir, file, write: (text: string) => writeFileSync(file, text) };
}

/** The storage block of a test config: the local store and the spool inside `dir`. */
export function localStorageYaml(dir: string): string {
  return `storage:\n  spool_dir: ${path.join(dir, 'spool')}\n  local_dir: ${path.join(dir, 'points')}\n`;
}
