// Temporary entry used to build build/_math.wasm for the u256/keccak unit tests.
export * from "./math/u256";
export * from "./crypto/keccak";
export * from "./testing";
