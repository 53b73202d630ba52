import { readFileSync } from 'node:fs';
import { parse } from 'yaml';

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
