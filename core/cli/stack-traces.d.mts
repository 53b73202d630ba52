// Types of core/cli/stack-traces.mjs (plain JavaScript: bin.mjs runs it before the bundle).
export function mapStackTraces(bundle: string): void;
