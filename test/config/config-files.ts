import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, expect } from 'vitest';
import { ConfigFileError, loadConfig, type LoadedConfig } from '../../core/config/load.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A fresh folder for this test, removed after it. */
export function tempDir(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'homeiq-config-'));
  dirs.push(dir);
  return dir;
}

/** Writes `text` as `name` into a fresh folder and returns its path. */
export function configFile(text: string, name = 'sources.yaml'): string {
  const file = path.join(tempDir(), name);
  writeFileSync(file, text);
  return file;
}

/** Loads a config that must be valid. */
export function load(text: string, env: NodeJS.ProcessEnv = {}): Promise<LoadedConfig> {
  return loadConfig(configFile(text), env);
}

/** Loads a config that must be refused; returns the error and its message lines. */
export async function refuse(text: string, env: NodeJS.ProcessEnv = {}): Promise<{ file: string; error: ConfigFileError; lines: string[] }> {
  const file = configFile(text);
  const error = await loadConfig(file, env).then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(error).toBeInstanceOf(ConfigFileError);
  const e = error as ConfigFileError;
  return { file, error: e, lines: e.message.split('\n') };
}
