import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { parse } from 'yaml';
import type { TestSource } from '../../core/testkit/index.js';

/** A source of a README's sample config. */
export interface SampleSource {
  plugin: string;
  options?: Record<string, unknown>;
}

/** The sources of the sample config in `plugins/<id>/README.md` (its first ```yaml block). */
export function readmeSources(pluginId: string): Record<string, SampleSource> {
  const readme = readFileSync(new URL(`../../plugins/${pluginId}/README.md`, import.meta.url), 'utf8');
  const yaml = /```yaml\n([\s\S]*?)```/.exec(readme)?.[1] ?? '';
  return (parse(yaml) as { sources: Record<string, SampleSource> }).sources;
}

/**
 * The test that `plugins/<id>/README.md` holds a complete sample config, a source `<id>` of that
 * plugin, that validates and runs against the fake: `makeWith` makes a source with exactly its
 * options (base_url pointed at a fake), and with `credentials` where the plugin needs some.
 */
export function itRunsReadmeSample(
  pluginId: string,
  makeWith: (options: Record<string, unknown>, setting: { credentials?: Record<string, string> }) => Promise<{ src: TestSource }>,
  credentials?: Record<string, string>,
): void {
  it('holds a complete sample config that validates and runs against the fake', async () => {
    const entry = readmeSources(pluginId)[pluginId]!;
    expect(entry.plugin).toBe(pluginId);
    const { src } = await makeWith(entry.options ?? {}, { credentials });
    expect(src.runnable).toBe(true);
  });
}
