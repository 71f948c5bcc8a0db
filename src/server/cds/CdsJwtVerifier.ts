/**
 * Verifies the JSON Web Token a CDS Client (the EHR) sends with every CDS Hooks call
 * (`Authorization: Bearer <JWT>`, CDS Hooks 2.0 "Trusting CDS Clients"): the signature with a
 * public key of the client's JWK Set (RS/PS/ES 256-512; ES384 and RS384 are the spec's
 * recommendation) or, for test setups, an HMAC shared key (HS256-512, which the spec forbids in
 * production); then `aud` (this service's endpoint URL), `exp`, `iat`, `jti` (not replayed) and,
 * when configured, `iss`. Only node:crypto.
 */
import {
  constants,
  createHmac,
  createPublicKey,
  timingSafeEqual,
  verify as cryptoVerify,
  type JsonWebKey,
  type KeyObject,
} from 'node:crypto';
import { readFileSync } from 'node:fs';
import { UsageError } from '../../errors.ts';

/** Options of {@link CdsJwtVerifier}. */
export interface CdsJwtVerifierOptions {
  /** The CDS Client's JWK Set (`{ "keys": [...] }`, public keys). */
  readonly jwks?: unknown;
  /** HMAC shared key (HS256/384/512); for test setups only. */
  readonly sharedKey?: string;
  /** Accepted `iss` values (default: any). */
  readonly issuers?: readonly string[];
  /** Clock skew allowed for `exp` and `iat`, seconds (default 60). */
  readonly leewaySeconds?: number;
}

/** The claims of a verified token that the service uses. */
export interface CdsJwtClaims {
  readonly iss: string;
  readonly jti: string;
  readonly tenant: string | null;
}

/** A token that failed verification; the message says why (never the token). */
export class CdsJwtError extends Error {
  override readonly name = 'CdsJwtError';
}

const DIGEST: Readonly<Record<string, string>> = { '256': 'sha256', '384': 'sha384', '512': 'sha512' };

/** Verifies CDS Hooks client JWTs against one JWK Set and/or shared key. */
export class CdsJwtVerifier {
  private readonly keys: { kid: string | null; alg: string | null; key: KeyObject; kty: string }[] = [];
  private readonly shared: Buffer | null;
  private readonly seen = new Map<string, number>();

  /**
   * @throws UsageError for a JWK Set that is not `{ "keys": [...] }` of public RSA or EC keys, or
   *   when neither a JWK Set nor a shared key is given.
   */
  constructor(private readonly o: CdsJwtVerifierOptions) {
    if (o.jwks === undefined && (o.sharedKey === undefined || o.sharedKey === ''))
      throw new UsageError('a CDS JWT verifier needs a JWK Set or a shared key');
    if (o.jwks !== undefined) {
      const set = o.jwks as { keys?: unknown };
      if (typeof set !== 'object' || set === null || !Array.isArray(set.keys) || set.keys.length === 0)
        throw new UsageError('the JWK Set must be an object with a non-empty "keys" array', { field: 'keys' });
      set.keys.forEach((raw, i) => {
        const k = raw as Record<string, unknown>;
        if (typeof k !== 'object' || k === null || (k.kty !== 'RSA' && k.kty !== 'EC'))
          throw new UsageError('each key must be a public RSA or EC JWK (kty "RSA" or "EC")', { field: `keys[${i}].kty` });
        if (k.d !== undefined)
          throw new UsageError("this is a private key: give the CDS Client's public keys only", { field: `keys[${i}].d` });
        let key: KeyObject;
        try {
          key = createPublicKey({ key: k as JsonWebKey, format: 'jwk' });
        } catch (err) {
          throw new UsageError(`not a usable public key: ${(err as Error).message}`, { field: `keys[${i}]` });
        }
        this.keys.push({
          kid: typeof k.kid === 'string' ? k.kid : null,
          alg: typeof k.alg === 'string' ? k.alg : null,
          key,
          kty: k.kty as string,
        });
      });
    }
    this.shared = o.sharedKey ? Buffer.from(o.sharedKey, 'utf8') : null;
  }

  /** A verifier over the JWK Set in a JSON file. */
  static fromFiles(o: { jwksFile?: string; sharedKey?: string; issuers?: readonly string[] }): CdsJwtVerifier {
    let jwks: unknown;
    if (o.jwksFile !== undefined) {
      try {
        jwks = JSON.parse(readFileSync(o.jwksFile, 'utf8'));
      } catch (err) {
        throw new UsageError(`cannot read the JWK Set: ${(err as Error).message}`, { file: o.jwksFile });
      }
    }
    try {
      return new CdsJwtVerifier({
        ...(jwks !== undefined ? { jwks } : {}),
        ...(o.sharedKey ? { sharedKey: o.sharedKey } : {}),
        ...(o.issuers ? { issuers: o.issuers } : {}),
      });
    } catch (err) {
      if (err instanceof UsageError && o.jwksFile !== undefined)
        throw new UsageError(err.message, { file: o.jwksFile, ...(err.location.field ? { field: err.location.field } : {}) });
      throw err;
    }
  }

  /**
   * Verify a token for one endpoint.
   *
   * @param audience - the URL of the endpoint called (`https://host/cds-services/<id>`).
   * @param nowMs - the current time (epoch ms).
   * @throws CdsJwtError saying what failed.
   */
  verify(token: string, audience: string, nowMs: number = Date.now()): CdsJwtClaims {
    const parts = token.split('.');
    if (parts.length !== 3) throw new CdsJwtError('the bearer token is not a JWT (three base64url parts)');
    const [h, p, s] = parts as [string, string, string];
    const header = decodeJson(h, 'header');
    const alg = header.alg;
    if (typeof alg !== 'string' || !/^(RS|PS|ES|HS)(256|384|512)$/.test(alg))
      throw new CdsJwtError(`JWT alg ${JSON.stringify(alg ?? null)} is not accepted (RS, PS, ES or HS with 256, 384 or 512; never "none")`);
    if (header.typ !== undefined && header.typ !== 'JWT') throw new CdsJwtError('JWT typ must be "JWT"');
    const signed = Buffer.from(`${h}.${p}`, 'utf8');
    const sig = Buffer.from(s, 'base64url');
    const digest = DIGEST[alg.slice(2)] as string;
    if (alg.startsWith('HS')) {
      if (!this.shared)
        throw new CdsJwtError(`JWT alg ${alg} needs a shared key, and none is configured (the spec asks for RS384 or ES384)`);
      const expected = createHmac(digest, this.shared).update(signed).digest();
      if (expected.length !== sig.length || !timingSafeEqual(expected, sig)) throw new CdsJwtError('the JWT signature does not verify');
    } else {
      const kid = typeof header.kid === 'string' ? header.kid : null;
      const kty = alg.startsWith('ES') ? 'EC' : 'RSA';
      const candidates = this.keys.filter(
        (k) => k.kty === kty && (k.alg === null || k.alg === alg) && (kid === null ? this.keys.length === 1 : k.kid === kid),
      );
      const key = candidates[0];
      if (!key)
        throw new CdsJwtError(
          kid === null
            ? 'the JWT names no kid, and the JWK Set has more than one key (or none of its type)'
            : `no ${kty} key with kid ${JSON.stringify(kid.slice(0, 80))} in the JWK Set`,
        );
      const ok = cryptoVerify(
        digest,
        signed,
        alg.startsWith('ES')
          ? { key: key.key, dsaEncoding: 'ieee-p1363' }
          : alg.startsWith('PS')
            ? { key: key.key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_DIGEST }
            : key.key,
        sig,
      );
      if (!ok) throw new CdsJwtError('the JWT signature does not verify');
    }
    const claims = decodeJson(p, 'payload');
    const now = nowMs / 1000;
    const leeway = this.o.leewaySeconds ?? 60;
    if (typeof claims.iss !== 'string' || claims.iss === '') throw new CdsJwtError('the JWT has no iss');
    if (this.o.issuers && !this.o.issuers.includes(claims.iss))
      throw new CdsJwtError('the JWT iss is not an accepted issuer (--cds-jwt-issuer)');
    const aud = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
    const want = audience.replace(/\/+$/, '');
    if (!aud.some((a) => typeof a === 'string' && a.replace(/\/+$/, '') === want))
      throw new CdsJwtError(`the JWT aud is not this endpoint (${want})`);
    if (typeof claims.exp !== 'number') throw new CdsJwtError('the JWT has no exp');
    if (claims.exp + leeway < now) throw new CdsJwtError('the JWT has expired');
    if (typeof claims.iat !== 'number') throw new CdsJwtError('the JWT has no iat');
    if (claims.iat - leeway > now) throw new CdsJwtError('the JWT iat is in the future');
    if (typeof claims.jti !== 'string' || claims.jti === '') throw new CdsJwtError('the JWT has no jti');
    // Replay: a jti is accepted once until its token expires.
    for (const [j, exp] of this.seen) if (exp + leeway < now) this.seen.delete(j);
    const jtiKey = `${claims.iss}\u0000${claims.jti}`;
    if (this.seen.has(jtiKey)) throw new CdsJwtError('the JWT jti was used before (replay)');
    this.seen.set(jtiKey, claims.exp);
    return { iss: claims.iss, jti: claims.jti, tenant: typeof claims.tenant === 'string' ? claims.tenant : null };
  }
}

function decodeJson(part: string, what: string): Record<string, unknown> {
  try {
    const v = JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as unknown;
    if (typeof v === 'object' && v !== null && !Array.isArray(v)) return v as Record<string, unknown>;
  } catch {
    // Fall through to the error below.
  }
  throw new CdsJwtError(`the JWT ${what} is not a base64url JSON object`);
}
