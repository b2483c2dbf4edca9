// Per-call time of the bn254 precompiles (0x06 ECADD, 0x07 ECMUL, 0x08 ECPAIRING with 2 and 4
// pairs) and of KZG point evaluation (0x0a), @noble/curves / micro-eth-signer against the Node
// backends (mcl, rust-eth-kzg), through runPrecompile (input checks and glue included). Median of
// RUNS calls after a warm-up, plus the one-time set-up costs.
//
//   npm run build:ts && node scripts/bench-precompiles.mjs     (BRAID_DIST=dir/ for another build)
import { bn254 } from "@noble/curves/bn254.js";
import { sha256 } from "@noble/hashes/sha2.js";

const DIST = process.env.BRAID_DIST ? new URL(`file://${process.env.BRAID_DIST.replace(/\/?$/, "/")}`) : new URL("../dist/", import.meta.url);
const load = (p) => import(new URL(p, DIST).href);

const { runPrecompile } = await load("precompiles/index.js");
const { Fork } = await load("fork.js");
const { kzgToVersionedHash } = await load("precompiles/kzg.js");
const bnCrypto = await load("crypto/bn254.js");
const kzgCrypto = await load("crypto/kzg.js");
let t0 = performance.now();
const bnNode = await load("node/bn254.js"); // top-level await: mcl's WebAssembly instantiation
const mclLoadMs = performance.now() - t0;
const kzgNode = await load("node/kzg.js");

const RUNS = Number(process.env.RUNS ?? 21);
const median = (f, runs) => {
  for (let i = 0; i < 3; i++) f();
  const t = [];
  for (let i = 0; i < runs; i++) {
    const s = performance.now();
    f();
    t.push(performance.now() - s);
  }
  t.sort((a, b) => a - b);
  return t[runs >> 1];
};

const G1 = bn254.G1.Point, G2 = bn254.G2.Point, R = bn254.fields.Fr.ORDER;
const word = (v) => Uint8Array.from({ length: 32 }, (_, i) => Number((v >> BigInt(8 * (31 - i))) & 0xffn));
const cat = (...a) => {
  const out = new Uint8Array(a.reduce((n, x) => n + x.length, 0));
  let o = 0;
  for (const x of a) out.set(x, o), (o += x.length);
  return out;
};
const g1 = (p) => { const { x, y } = p.toAffine(); return cat(word(x), word(y)); };
const g2 = (p) => { const { x, y } = p.toAffine(); return cat(word(x.c1), word(x.c0), word(y.c1), word(y.c0)); };
let ctr = 0;
const rand = () => BigInt("0x" + Buffer.from(sha256(Uint8Array.of(ctr++, 0x42))).toString("hex"));

const identity = () => {
  const a = rand() % R, b = rand() % R;
  return cat(g1(G1.BASE.multiply(a)), g2(G2.BASE.multiply(b)), g1(G1.BASE.multiply((a * b) % R).negate()), g2(G2.BASE));
};
const cases = [
  ["ecAdd (0x06)", 6, cat(g1(G1.BASE.multiply(rand() % R)), g1(G1.BASE.multiply(rand() % R))), RUNS * 10],
  ["ecMul (0x07), 256-bit scalar", 7, cat(g1(G1.BASE.multiply(rand() % R)), word(rand())), RUNS * 5],
  ["ecPairing (0x08), 2 pairs", 8, identity(), RUNS],
  ["ecPairing (0x08), 4 pairs", 8, cat(identity(), identity()), RUNS],
];

const call = (address, input) => {
  const r = runPrecompile(address, input, 10_000_000n, Fork.Cancun);
  if (!r.success) throw new Error(`precompile 0x${address.toString(16)} failed`);
  return r.output;
};

const rows = [];
const fastBn = bnNode.useMclBn254();
const fastBnImpl = bnCrypto.bn254Impl();
for (const [name, address, input, runs] of cases) {
  bnCrypto.setBn254Backend(bnCrypto.nobleBn254, "@noble/curves");
  const slowOut = Buffer.from(call(address, input)).toString("hex");
  const slow = median(() => call(address, input), runs);
  bnCrypto.setBn254Backend(fastBnImpl, fastBn);
  if (Buffer.from(call(address, input)).toString("hex") !== slowOut) throw new Error(`${name}: backends disagree`);
  const fast = median(() => call(address, input), runs);
  rows.push([name, slow, fast]);
}

// KZG: a real opening made with the native prover.
const fastKzg = kzgNode.useNativeKzg();
const fastKzgImpl = kzgCrypto.kzgImpl();
t0 = performance.now();
const ctx = kzgNode.warmNativeKzg();
const nativeSetupMs = performance.now() - t0;
if (ctx === undefined) throw new Error(`native KZG not available (${fastKzg})`);
const blob = new Uint8Array(4096 * 32);
for (let i = 0; i < 4096; i++) blob.set(word(rand() % 0x73eda753299d7d483339d80809a1d80553bda402fffe5bfeffffffff00000001n), 32 * i);
const commitment = ctx.blobToKzgCommitment(blob);
const z = word(rand() >> 8n);
const [proof, y] = ctx.computeKzgProof(blob, z);
const kzgInput = cat(kzgToVersionedHash(commitment), z, y, commitment, proof);
kzgCrypto.setKzgVerifier(kzgCrypto.nobleVerifyKzgProof, "micro-eth-signer");
t0 = performance.now();
call(10, kzgInput);
const nobleFirstMs = performance.now() - t0;
const kzgSlow = median(() => call(10, kzgInput), RUNS);
kzgCrypto.setKzgVerifier(fastKzgImpl, fastKzg);
const kzgFast = median(() => call(10, kzgInput), RUNS);
rows.push(["KZG point evaluation (0x0a)", kzgSlow, kzgFast]);

console.log(`node ${process.version}, median of ${RUNS} calls (x10 for ecAdd, x5 for ecMul); fast: ${fastBn}, ${fastKzg}`);
console.log("operation".padEnd(32) + "noble ms".padStart(10) + "fast ms".padStart(10) + "speedup".padStart(9));
for (const [name, slow, fast] of rows) {
  console.log(name.padEnd(32) + slow.toFixed(3).padStart(10) + fast.toFixed(3).padStart(10) + `${(slow / fast).toFixed(1)}x`.padStart(9));
}
console.log(`one-time: mcl load+init ${mclLoadMs.toFixed(0)} ms per thread; rust-eth-kzg context ${nativeSetupMs.toFixed(0)} ms per thread (first proof); micro-eth-signer first call ${nobleFirstMs.toFixed(0)} ms`);
