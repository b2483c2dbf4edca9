import { BraidError } from '../encoding/errors.js';
import { bytesToHex, equalBytes } from '../encoding/hex.js';
import { Fork, forkName } from '../fork.js';
import { EMPTY_CODE_HASH } from '../trie/state-root.js';
import { intrinsicGas } from './intrinsic.js';
import { UINT256_MAX, UINT64_MAX, type Transaction } from './types.js';

export const GAS_PER_BLOB = 131072n; // 2^17
export const MIN_BLOB_GASPRICE = 1n;
export const BLOB_BASE_FEE_UPDATE_FRACTION_CANCUN = 3338477n;
export const BLOB_BASE_FEE_UPDATE_FRACTION_PRAGUE = 5007716n;
export const VERSIONED_HASH_VERSION_KZG = 0x01;
export const MAX_INITCODE_SIZE = 49152; // EIP-3860: 2 * 24576

export interface ValidationContext {
  fork: Fork;
  /** Chain id of the network; when given, a transaction signed for another chain is INVALID_CHAINID. */
  chainId?: bigint;
  /** Block base fee (London+). */
  baseFee?: bigint;
  blockGasLimit: bigint;
  /** Gas already used in the block; the transaction may use at most blockGasLimit - blockGasUsed. Default 0. */
  blockGasUsed?: bigint;
  /** Blob base fee (Cancun+). If absent it is computed from `excessBlobGas` (default 0). */
  blobBaseFee?: bigint;
  excessBlobGas?: bigint;
  senderNonce: bigint;
  senderBalance: bigint;
  /** EIP-3607: the sender has code. Either this or `senderCodeHash`. */
  hasCode?: boolean;
  senderCodeHash?: Uint8Array;
}

/**
 * The (EIP-4844) approximation of factor * e^(numerator / denominator), in integers. With `limit`,
 * stops at limit + 1 once the result is sure to exceed it: the series takes about numerator /
 * denominator terms of ever longer numbers (a 64-bit excess blob gas would take hours).
 */
export function fakeExponential(factor: bigint, numerator: bigint, denominator: bigint, limit?: bigint): bigint {
  const stop = limit === undefined ? undefined : (limit + 1n) * denominator;
  let i = 1n;
  let output = 0n;
  let acc = factor * denominator;
  while (acc > 0n) {
    output += acc;
    if (stop !== undefined && output >= stop) return limit! + 1n; // the terms are positive
    acc = (acc * numerator) / (denominator * i);
    i++;
  }
  return output / denominator;
}

/**
 * Price of one unit of blob gas for a block with the given excess blob gas. Throws BLOCK_INVALID
 * when it exceeds a word (BLOBBASEFEE pushes it), about 5.9e8 excess blob gas on Cancun: the
 * excess grows by at most one block's target per block, so no real header comes near.
 */
export function blobBaseFee(excessBlobGas: bigint, fork: Fork = Fork.Cancun): bigint {
  const fraction = fork >= Fork.Prague ? BLOB_BASE_FEE_UPDATE_FRACTION_PRAGUE : BLOB_BASE_FEE_UPDATE_FRACTION_CANCUN;
  const fee = fakeExponential(MIN_BLOB_GASPRICE, excessBlobGas, fraction, UINT256_MAX);
  if (fee > UINT256_MAX) throw new BraidError("BLOCK_INVALID", `excessBlobGas ${excessBlobGas}: the blob base fee it gives exceeds 2^256 - 1`);
  return fee;
}

/** Maximum number of blobs one transaction may carry. */
export function maxBlobsPerTx(fork: Fork): number {
  if (fork >= Fork.Osaka) return 6; // EIP-7594
  if (fork >= Fork.Prague) return 9; // EIP-7691
  return 6;
}

/** Blob gas the transaction consumes (131072 per blob). */
export function blobGasUsed(tx: Transaction): bigint {
  return BigInt(tx.blobVersionedHashes?.length ?? 0) * GAS_PER_BLOB;
}

/** The highest gas price the sender may pay: maxFeePerGas (types 2/3) or gasPrice. */
export function maxGasPrice(tx: Transaction): bigint {
  return tx.maxFeePerGas ?? tx.gasPrice ?? 0n;
}

/** Price paid per gas: gasPrice, or min(maxFeePerGas, baseFee + maxPriorityFeePerGas) for types 2/3. */
export function effectiveGasPrice(tx: Transaction, baseFee?: bigint): bigint {
  if (tx.maxFeePerGas === undefined) return tx.gasPrice ?? 0n;
  if (baseFee === undefined) return tx.maxFeePerGas;
  const withTip = baseFee + (tx.maxPriorityFeePerGas ?? 0n);
  return withTip < tx.maxFeePerGas ? withTip : tx.maxFeePerGas;
}

/** Per-gas amount that goes to the coinbase: effectiveGasPrice - baseFee (everything before London). */
export function effectivePriorityFee(tx: Transaction, baseFee?: bigint): bigint {
  const price = effectiveGasPrice(tx, baseFee);
  return baseFee === undefined ? price : price - baseFee;
}

/** Balance required to be accepted: gasLimit * maxGasPrice + value + blobGas * maxFeePerBlobGas. */
export function maxUpfrontCost(tx: Transaction): bigint {
  return tx.gasLimit * maxGasPrice(tx) + tx.value + blobGasUsed(tx) * (tx.maxFeePerBlobGas ?? 0n);
}

/** Amount deducted from the sender before execution (value excluded): gasLimit * effective price + blob gas * blob base fee. */
export function upfrontGasCost(tx: Transaction, baseFee?: bigint, blobBaseFeeValue = 0n): bigint {
  return tx.gasLimit * effectiveGasPrice(tx, baseFee) + blobGasUsed(tx) * blobBaseFeeValue;
}

function fail(code: string, message: string): never {
  throw new BraidError(code, message);
}

const TYPE_FORK: Record<number, Fork> = { 1: Fork.Berlin, 2: Fork.London, 3: Fork.Cancun };

/**
 * Checks that a transaction may be included, in the order of the execution specs
 * (validate_transaction, then check_transaction). Throws BraidError with the test suite's
 * exception name as code: TYPE_n_TX_PRE_FORK, INVALID_CHAINID, RLP_INVALID_VALUE (a value/fee >= 2^256),
 * INTRINSIC_GAS_TOO_LOW, NONCE_IS_MAX, INITCODE_SIZE_EXCEEDED, GAS_ALLOWANCE_EXCEEDED,
 * PRIORITY_GREATER_THAN_MAX_FEE_PER_GAS, INSUFFICIENT_MAX_FEE_PER_GAS, TYPE_3_TX_ZERO_BLOBS,
 * TYPE_3_TX_BLOB_COUNT_EXCEEDED, TYPE_3_TX_INVALID_BLOB_VERSIONED_HASH, TYPE_3_TX_CONTRACT_CREATION,
 * INSUFFICIENT_MAX_FEE_PER_BLOB_GAS, GASLIMIT_PRICE_PRODUCT_OVERFLOW, NONCE_TOO_LOW,
 * NONCE_TOO_HIGH, INSUFFICIENT_ACCOUNT_FUNDS, SENDER_NOT_EOA.
 */
export function validateTransaction(tx: Transaction, ctx: ValidationContext): void {
  const { fork } = ctx;
  const minFork = TYPE_FORK[tx.type];
  if (minFork !== undefined && fork < minFork) {
    fail(`TYPE_${tx.type}_TX_PRE_FORK`, `type ${tx.type} transactions are not supported before ${forkName(minFork)} (fork is ${forkName(fork)})`);
  }
  if (tx.type !== 0 && tx.type !== 1 && tx.type !== 2 && tx.type !== 3) {
    fail('TX_TYPE_NOT_SUPPORTED', `transaction type ${String(tx.type)} is not supported`);
  }

  if (ctx.chainId !== undefined && tx.chainId !== undefined && tx.chainId !== ctx.chainId) {
    fail('INVALID_CHAINID', `transaction chain id ${tx.chainId} does not match the network's ${ctx.chainId}`);
  }

  const wide: Array<[string, bigint | undefined]> = [
    ['value', tx.value],
    ['gasPrice', tx.gasPrice],
    ['maxFeePerGas', tx.maxFeePerGas],
    ['maxPriorityFeePerGas', tx.maxPriorityFeePerGas],
    ['maxFeePerBlobGas', tx.maxFeePerBlobGas],
  ];
  for (const [name, v] of wide) {
    if (v !== undefined && (v < 0n || v > UINT256_MAX)) fail('RLP_INVALID_VALUE', `transaction field '${name}' = ${v} is outside [0, 2^256-1]`);
  }
  if (tx.nonce < 0n || tx.gasLimit < 0n) fail('RLP_INVALID_VALUE', 'transaction nonce/gasLimit is negative');

  // validate_transaction
  const intrinsic = intrinsicGas(tx, fork);
  if (tx.gasLimit < intrinsic) {
    fail('INTRINSIC_GAS_TOO_LOW', `gas limit ${tx.gasLimit} is below the intrinsic gas ${intrinsic}`);
  }
  if (tx.nonce >= UINT64_MAX) fail('NONCE_IS_MAX', `nonce ${tx.nonce} is at or above the maximum 2^64-1`);
  if (fork >= Fork.Shanghai && tx.to === null && tx.data.length > MAX_INITCODE_SIZE) {
    fail('INITCODE_SIZE_EXCEEDED', `initcode of ${tx.data.length} bytes exceeds the limit of ${MAX_INITCODE_SIZE}`);
  }

  // check_transaction
  const available = ctx.blockGasLimit - (ctx.blockGasUsed ?? 0n);
  if (tx.gasLimit > available) {
    fail('GAS_ALLOWANCE_EXCEEDED', `gas limit ${tx.gasLimit} exceeds the gas available in the block (${available})`);
  }
  const price = maxGasPrice(tx);
  if (tx.maxFeePerGas !== undefined) {
    const tip = tx.maxPriorityFeePerGas ?? 0n;
    if (tip > tx.maxFeePerGas) {
      fail('PRIORITY_GREATER_THAN_MAX_FEE_PER_GAS', `maxPriorityFeePerGas ${tip} is greater than maxFeePerGas ${tx.maxFeePerGas}`);
    }
  }
  if (fork >= Fork.London && ctx.baseFee !== undefined && price < ctx.baseFee) {
    const field = tx.maxFeePerGas !== undefined ? 'maxFeePerGas' : 'gasPrice';
    fail('INSUFFICIENT_MAX_FEE_PER_GAS', `${field} ${price} is below the block base fee ${ctx.baseFee}`);
  }
  if (tx.type === 3) {
    const hashes = tx.blobVersionedHashes ?? [];
    if (hashes.length === 0) fail('TYPE_3_TX_ZERO_BLOBS', 'blob transaction carries no blobs');
    const maxBlobs = maxBlobsPerTx(fork);
    if (hashes.length > maxBlobs) {
      fail('TYPE_3_TX_BLOB_COUNT_EXCEEDED', `blob transaction carries ${hashes.length} blobs (max ${maxBlobs} in ${forkName(fork)})`);
    }
    hashes.forEach((h, i) => {
      if (h.length !== 32 || h[0] !== VERSIONED_HASH_VERSION_KZG) {
        fail('TYPE_3_TX_INVALID_BLOB_VERSIONED_HASH', `blobVersionedHashes[${i}] = ${bytesToHex(h)} does not start with version byte 0x01`);
      }
    });
    if (tx.to === null) fail('TYPE_3_TX_CONTRACT_CREATION', 'blob transactions cannot create contracts');
    const blobPrice = ctx.blobBaseFee ?? blobBaseFee(ctx.excessBlobGas ?? 0n, fork);
    const maxBlobFee = tx.maxFeePerBlobGas ?? 0n;
    if (maxBlobFee < blobPrice) {
      fail('INSUFFICIENT_MAX_FEE_PER_BLOB_GAS', `maxFeePerBlobGas ${maxBlobFee} is below the blob base fee ${blobPrice}`);
    }
  }
  if (tx.gasLimit * price > UINT256_MAX) {
    fail('GASLIMIT_PRICE_PRODUCT_OVERFLOW', `gas limit ${tx.gasLimit} * gas price ${price} overflows 256 bits`);
  }
  if (tx.nonce < ctx.senderNonce) fail('NONCE_TOO_LOW', `nonce ${tx.nonce} is below the sender's nonce ${ctx.senderNonce}`);
  if (tx.nonce > ctx.senderNonce) fail('NONCE_TOO_HIGH', `nonce ${tx.nonce} is above the sender's nonce ${ctx.senderNonce}`);
  const cost = maxUpfrontCost(tx);
  if (cost > ctx.senderBalance) {
    fail('INSUFFICIENT_ACCOUNT_FUNDS', `sender balance ${ctx.senderBalance} is below the maximum cost ${cost} (gas limit * max price + value + blob fees)`);
  }
  const hasCode = ctx.hasCode ?? (ctx.senderCodeHash !== undefined && !equalBytes(ctx.senderCodeHash, EMPTY_CODE_HASH));
  if (hasCode) fail('SENDER_NOT_EOA', 'sender has deployed code (EIP-3607)');
}
