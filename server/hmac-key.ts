/**
 * HS256 keys for jose, imported into WebCrypto once. Handing jose the raw bytes makes it import the
 * key again on every sign and verify, which costs more than the HMAC itself.
 */

/** A lazily imported HMAC-SHA-256 key over `secret`, shared by every call. */
export function hmacKey(secret: Uint8Array): () => Promise<CryptoKey> {
  let key: Promise<CryptoKey> | undefined;
  return () => {
    key ??= crypto.subtle.importKey('raw', new Uint8Array(secret), { name: 'HMAC', hash: 'SHA-256' }, false, [
      'sign',
      'verify',
    ]);
    return key;
  };
}
