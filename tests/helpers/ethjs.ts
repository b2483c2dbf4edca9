// @ethereumjs/vm as a second opinion in the random differential tests: a VM holding a Braid
// pre-state, and Braid transactions as signed ethjs ones.
import type { Common } from "@ethereumjs/common";
import { createVM } from "@ethereumjs/vm";
import { createAccessList2930Tx, createBlob4844Tx, createFeeMarket1559Tx, createLegacyTx } from "@ethereumjs/tx";
import { Account, Address, bigIntToBytes, setLengthLeft } from "@ethereumjs/util";
import type { Transaction } from "../../src/tx/types.js";
import type { AccountInit } from "../../src/vm/types.js";

/** A VM for `common` holding `accounts`, committed (a block or transaction run on it is a checkpoint of its own). */
export async function ethjsVm(common: Common, accounts: Array<[Uint8Array, AccountInit]>) {
  const vm = await createVM({ common });
  const sm = vm.stateManager;
  for (const [a, acc] of accounts) {
    const address = new Address(a);
    await sm.putAccount(address, new Account(acc.nonce, acc.balance));
    if (acc.code.length) await sm.putCode(address, acc.code);
    for (const [k, v] of acc.storage) if (v !== 0n) await sm.putStorage(address, setLengthLeft(bigIntToBytes(k), 32), bigIntToBytes(v));
  }
  await sm.checkpoint();
  await sm.commit();
  return vm;
}

/** `t` as an ethjs transaction of its type, signed with `key`. */
export function ethjsTransaction(t: Transaction, key: Uint8Array, common: Common) {
  const fields = { nonce: t.nonce, gasLimit: t.gasLimit, value: t.value, data: t.data, ...(t.to ? { to: t.to } : {}) };
  const accessList = t.accessList.map((e) => [e.address, e.storageKeys] as [Uint8Array, Uint8Array[]]);
  const fees = { chainId: 1n, maxFeePerGas: t.maxFeePerGas!, maxPriorityFeePerGas: t.maxPriorityFeePerGas!, accessList };
  if (t.type === 3) return createBlob4844Tx({ ...fields, ...fees, maxFeePerBlobGas: t.maxFeePerBlobGas!, blobVersionedHashes: t.blobVersionedHashes! }, { common }).sign(key);
  if (t.type === 2) return createFeeMarket1559Tx({ ...fields, ...fees }, { common }).sign(key);
  if (t.type === 1) return createAccessList2930Tx({ ...fields, chainId: 1n, gasPrice: t.gasPrice!, accessList }, { common }).sign(key);
  return createLegacyTx({ ...fields, gasPrice: t.gasPrice! }, { common }).sign(key);
}
