import { Type } from '@sinclair/typebox';

/**
 * A string that is one of `values`, for an options schema whose type follows from it. A plain
 * `enum`, not TypeBox's union of literals: the config error then reads "must be one of: …".
 */
export function StringEnum<const T extends string>(values: readonly T[], options: { default?: NoInfer<T>; description?: string } = {}) {
  return Type.Unsafe<T>({ type: 'string', enum: [...values], ...options });
}
