import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Just enough of HS256 JSON Web Tokens (RFC 7519) for the fake servers: real base64url
 * header.payload.signature tokens, so a client that reads the `exp` claim sees what a real
 * upstream would send.
 */

/** The registered claims the fakes use, plus anything else. */
export interface JwtClaims {
  sub?: string;
  iat?: number;
  exp?: number;
  jti?: string;
  [claim: string]: unknown;
}

const HEADER = base64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }));

function base64url(text: string | Buffer): string {
  return Buffer.from(text).toString('base64url');
}

function signature(signingInput: string, secret: string): Buffer {
  return createHmac('sha256', secret).update(signingInput).digest();
}

/** Signs `claims` with HMAC-SHA256. */
export function signJwt(claims: JwtClaims, secret: string): string {
  const input = `${HEADER}.${base64url(JSON.stringify(claims))}`;
  return `${input}.${signature(input, secret).toString('base64url')}`;
}

/** The claims of a token without checking its signature; undefined when it is not a JWT. */
export function decodeJwt(token: string): JwtClaims | undefined {
  const parts = token.split('.');
  if (parts.length !== 3) return undefined;
  try {
    const claims: unknown = JSON.parse(Buffer.from(parts[1]!, 'base64url').toString('utf8'));
    return claims && typeof claims === 'object' && !Array.isArray(claims) ? (claims as JwtClaims) : undefined;
  } catch {
    return undefined;
  }
}

/** The claims when the token is an HS256 JWT signed with `secret`; undefined otherwise. Ignores `exp`. */
export function verifyJwt(token: string, secret: string): JwtClaims | undefined {
  const parts = token.split('.');
  if (parts.length !== 3 || parts[0] !== HEADER) return undefined;
  const expected = signature(`${parts[0]}.${parts[1]}`, secret);
  const given = Buffer.from(parts[2]!, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
  return decodeJwt(token);
}
