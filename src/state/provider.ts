// State Braid does not hold: a provider answers batched requests for accounts (with their code),
// storage slots and block hashes. One call to `fetch` is one round trip; the executor batches
// everything it has found by then (see src/remote/) into it.
export interface RemoteAccount {
  /** false for an account not in the state (it reads as empty). */
  exists: boolean;
  nonce: bigint;
  balance: bigint;
  /** keccak256 of the code (EMPTY_CODE_HASH when none). */
  codeHash: Uint8Array;
  /** The code, already checked against codeHash by the provider. */
  code: Uint8Array;
  /** false when the storage root is empty: every slot reads as zero without asking. */
  hasStorage: boolean;
}

export interface SlotRequest {
  address: Uint8Array;
  key: bigint;
}

export interface StateRequest {
  accounts: Uint8Array[];
  slots: SlotRequest[];
  blockHashes: bigint[];
}

export interface StateResponse {
  accounts: Array<[Uint8Array, RemoteAccount]>;
  slots: Array<SlotRequest & { value: bigint }>;
  blockHashes: Array<[bigint, Uint8Array]>;
}

/**
 * Where state comes from when it is not local: a node over JSON-RPC (src/rpc/), a fixture in
 * memory, IndexedDB. Answers must cover every item asked; anything that cannot be verified is
 * an error, and nothing executes on it.
 */
export interface StateProvider {
  /** One round trip for the whole request. */
  fetch(req: StateRequest): Promise<StateResponse>;
  /** Providers backed by memory may answer synchronously (lets the main thread execute). */
  fetchSync?(req: StateRequest): StateResponse;
}

export function emptyRequest(): StateRequest {
  return { accounts: [], slots: [], blockHashes: [] };
}
