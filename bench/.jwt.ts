import { createHmac } from 'node:crypto';
import { jwtVerify, SignJWT } from 'jose';

const raw = new TextEncoder().encode('bench-secret-bench-secret-bench-secret!!');
const ck = await crypto.subtle.importKey('raw', raw, { name: 'HMAC', hash: 'SHA-256' }, false, [
  'sign',
  'verify',
]);
let token = '';
for (let r = 0; r < 3; r++) {
  let t = performance.now();
  for (let i = 0; i < 5000; i++)
    token = await new SignJWT({})
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('x')
      .setExpirationTime('1h')
      .sign(ck);
  const s = (performance.now() - t) / 5;
  t = performance.now();
  await Promise.all(
    Array.from({ length: 5000 }, () =>
      new SignJWT({}).setProtectedHeader({ alg: 'HS256' }).setSubject('x').setExpirationTime('1h').sign(ck),
    ),
  );
  const par = (performance.now() - t) / 5;
  t = performance.now();
  for (let i = 0; i < 5000; i++) createHmac('sha256', raw).update(token).digest('base64url');
  if (r === 2)
    console.log(
      'jose sign serial',
      s.toFixed(1),
      'us; 5000 concurrent',
      par.toFixed(1),
      'us each; raw hmac',
      ((performance.now() - t) / 5).toFixed(1),
      'us',
    );
}
