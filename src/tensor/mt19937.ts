/**
 * The raw 32-bit Mersenne Twister (MT19937) engine behind PyTorch's CPU generator.
 *
 * PyTorch parity (1.13.1, aten/src/ATen/core/MT19937RNGEngine.h, `at::mt19937`):
 * - Seeding takes a uint64 seed, remembers it whole (it is what `initial_seed()` reports) but
 *   feeds only its low 32 bits to the classic `init_genrand` recurrence
 *   `state[j] = 1812433253 * (state[j-1] ^ (state[j-1] >> 30)) + j` (mod 2^32).
 * - After seeding `left = 1, next = 0`, so the first draw regenerates the whole 624-word block;
 *   every draw does `if (--left == 0) regenerate();` then tempers `state[next++]`.
 *   The outputs are therefore identical to `std::mt19937` seeded with the same 32 bits.
 * - `left`, `next` and the 624 state words are exactly the fields PyTorch stores in
 *   `torch.get_rng_state()`, so a state can be moved between the two bit for bit.
 *
 * Everything runs on 32-bit integer arithmetic (`Math.imul`, `>>> 0`); nothing here allocates
 * per draw.
 */

/** Number of 32-bit words in the MT19937 state. */
export const MT_STATE_SIZE = 624;
const M = 397;
const MATRIX_A = 0x9908b0df;
const UPPER_MASK = 0x80000000;
const LOWER_MASK = 0x7fffffff;

/** Mersenne Twister engine with PyTorch's (`at::mt19937`) seeding and state layout. */
export class MT19937 {
  /** The 624 state words (uint32). */
  readonly state: Uint32Array = new Uint32Array(MT_STATE_SIZE);
  /** Draws left before the next regeneration, plus one (PyTorch's `left_`): 1..624. */
  left = 1;
  /** Index of the next state word to temper (PyTorch's `next_`): 0..624. */
  next = 0;
  /** The full uint64 seed last used (PyTorch's `seed_`); only its low 32 bits reach the state. */
  seed = 5489n;

  constructor(seed: bigint = 5489n) {
    this.reseed(seed);
  }

  /** `init_with_uint32`: seed must already be reduced to uint64 (0 <= seed < 2^64). */
  reseed(seed: bigint): void {
    this.seed = seed;
    const s = this.state;
    let prev = Number(seed & 0xffffffffn) >>> 0;
    s[0] = prev;
    for (let j = 1; j < MT_STATE_SIZE; j++) {
      prev = (Math.imul(1812433253, prev ^ (prev >>> 30)) + j) >>> 0;
      s[j] = prev;
    }
    this.left = 1;
    this.next = 0;
  }

  /** Next raw 32-bit output as a number in [0, 2^32). */
  nextUint32(): number {
    if (--this.left === 0) this.regenerate();
    let y = this.state[this.next++];
    y ^= y >>> 11;
    y ^= (y << 7) & 0x9d2c5680;
    y ^= (y << 15) & 0xefc60000;
    y ^= y >>> 18;
    return y >>> 0;
  }

  /** Regenerates the 624-word block (PyTorch's `next_state`). */
  private regenerate(): void {
    const s = this.state;
    this.left = MT_STATE_SIZE;
    this.next = 0;
    let kk = 0;
    for (; kk < MT_STATE_SIZE - M; kk++) {
      const y = (s[kk] & UPPER_MASK) | (s[kk + 1] & LOWER_MASK);
      s[kk] = s[kk + M] ^ (y >>> 1) ^ (s[kk + 1] & 1 ? MATRIX_A : 0);
    }
    for (; kk < MT_STATE_SIZE - 1; kk++) {
      const y = (s[kk] & UPPER_MASK) | (s[kk + 1] & LOWER_MASK);
      s[kk] = s[kk + M - MT_STATE_SIZE] ^ (y >>> 1) ^ (s[kk + 1] & 1 ? MATRIX_A : 0);
    }
    const y = (s[MT_STATE_SIZE - 1] & UPPER_MASK) | (s[0] & LOWER_MASK);
    s[MT_STATE_SIZE - 1] = s[M - 1] ^ (y >>> 1) ^ (s[0] & 1 ? MATRIX_A : 0);
  }

  /** Copies another engine's complete state into this one. */
  copyFrom(other: MT19937): void {
    this.state.set(other.state);
    this.left = other.left;
    this.next = other.next;
    this.seed = other.seed;
  }
}
