// Types of core/cli/v8-settings.mjs (plain JavaScript: bin.mjs runs it before the bundle).
export function applyV8Settings(): void;
export function startupDone(): void;
export function sourcesLoaded(count: number): void;
export function beforeStartupDone(fn: () => void): void;
