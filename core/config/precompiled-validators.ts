import type { ValidateFunction } from 'ajv';

/**
 * The config's validators compiled when the bundle is built: core/cli/build.mjs puts ajv's
 * standalone code of the host schema and of every built-in plugin's options schema in place of this
 * module (made by validators-source.ts), so `homeiq` does not compile them at every start
 * (≈ 40–75 ms). Under tsx and vitest there are none: ajv compiles them on first use.
 */
export const precompiled: { host: ValidateFunction; plugins: Record<string, ValidateFunction> } | null = null;
