// 0x02 SHA256, 0x03 RIPEMD160 and 0x04 IDENTITY (the data-copy contract).
import { ripemd160 } from '@noble/hashes/legacy.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { Fork } from '../fork.js';
import { words, type Precompile } from './types.js';

export const SHA256: Precompile = {
  address: 0x02,
  name: 'SHA256',
  since: Fork.Frontier,
  gas: (input) => 60n + 12n * words(input.length),
  run: (input) => sha256(input),
};

export const RIPEMD160: Precompile = {
  address: 0x03,
  name: 'RIPEMD160',
  since: Fork.Frontier,
  gas: (input) => 600n + 120n * words(input.length),
  run: (input) => {
    const out = new Uint8Array(32); // 20-byte digest, left-padded to a word
    out.set(ripemd160(input), 12);
    return out;
  },
};

export const IDENTITY: Precompile = {
  address: 0x04,
  name: 'ID',
  since: Fork.Frontier,
  gas: (input) => 15n + 3n * words(input.length),
  run: (input) => input.slice(),
};
