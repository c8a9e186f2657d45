//! The two passes of [`super::percentiles`] over all of a tensor's values:
//! [`count_keys`] counts their keys in fixed bins and finds the finite
//! extremes and the number of +0.0s, [`gather`] writes out the keys of the
//! wanted bins. Each comes twice: value by value, and in the wasm build four
//! values at a time on i32x4 (the same counts and keys:
//! `tests/web/timeline.rs`).

/// The bins cut the 32-bit key space into 2^11 equal spans of 2^21 keys: 4
/// bins per power of two of the values. Finite values fall in bins 4 to
/// 2043; infinities and NaN in the first and last [`NONFINITE_BINS`], never
/// wanted.
pub(super) const BIN_SHIFT: u32 = 21;
pub(super) const BINS: usize = 1 << (32 - BIN_SHIFT);
/// The bins at each end that hold only infinities and NaN.
pub(super) const NONFINITE_BINS: usize = 4;
/// Histograms counted side by side: an increment then waits for the one
/// `LANES` values before, not for the one before (values of one bin often
/// follow each other). Together 32 KiB, the size of a core's L1 cache.
pub(super) const LANES: usize = 4;
/// The slot of the bins that hold no wanted rank (slots 0 to 6 are theirs).
pub(super) const TRASH: u8 = 7;

/// An integer whose order is `f32::total_cmp`'s (the usual sign trick), so
/// that comparisons are plain integer ones.
pub(super) fn key(v: f32) -> i32 {
    let bits = v.to_bits() as i32;
    bits ^ (((bits >> 31) as u32) >> 1) as i32
}

/// The inverse of [`key`].
pub(super) fn value(key: i32) -> f32 {
    f32::from_bits((key ^ (((key >> 31) as u32) >> 1) as i32) as u32)
}

/// The bin of a key, below [`BINS`] for every key.
pub(super) fn bin(key: i32) -> usize {
    ((key >> BIN_SHIFT) + (BINS as i32 / 2)) as usize & (BINS - 1)
}

/// Counts the keys of `values` in `counts` (value `i` in lane `i % LANES`,
/// the last `len % LANES` in lane 0); returns the finite extremes' keys, the
/// number of finite values and the number of `+0.0` (key 0).
#[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
pub(super) fn count_keys(values: &[f32], counts: &mut [[u32; BINS]; LANES]) -> Found {
    let mut found = Found {
        lo: i32::MAX,
        hi: i32::MIN,
        n: 0,
        zeros: 0,
    };
    let [c0, c1, c2, c3] = counts;
    let mut quads = values.chunks_exact(LANES);
    for quad in &mut quads {
        found.count(quad[0], c0);
        found.count(quad[1], c1);
        found.count(quad[2], c2);
        found.count(quad[3], c3);
    }
    for &v in quads.remainder() {
        found.count(v, c0);
    }
    found
}

/// The finite extremes' keys, the finite count and the count of `+0.0` of
/// the values counted.
pub(super) struct Found {
    pub lo: i32,
    pub hi: i32,
    pub n: usize,
    /// Values of key 0: +0.0, the lowest key of its bin (a ReLU's output is
    /// often half zeros).
    pub zeros: usize,
}

impl Found {
    /// Counts `v`'s key in `lane`; a non-finite value leaves the extremes
    /// and `n` alone.
    #[inline(always)]
    fn count(&mut self, v: f32, lane: &mut [u32; BINS]) {
        let k = key(v);
        lane[bin(k)] += 1;
        let finite = v.is_finite();
        self.lo = if finite { self.lo.min(k) } else { self.lo };
        self.hi = if finite { self.hi.max(k) } else { self.hi };
        self.n += usize::from(finite);
        self.zeros += usize::from(k == 0);
    }
}

/// As above, the keys, bins, extremes and finite counts of four values at
/// once on i32x4 (the increments stay scalar: wasm has no scatter).
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
pub(super) fn count_keys(values: &[f32], counts: &mut [[u32; BINS]; LANES]) -> Found {
    use core::arch::wasm32::*;
    let (mut lo, mut hi, mut n) = (i32x4_splat(i32::MAX), i32x4_splat(i32::MIN), i32x4_splat(0));
    let mut zeros = i32x4_splat(0);
    let [c0, c1, c2, c3] = counts;
    let mut quads = values.chunks_exact(LANES);
    for quad in &mut quads {
        let bits = f32x4(quad[0], quad[1], quad[2], quad[3]);
        let (k, b) = keys_and_bins(bits);
        // All ones where finite: |bits| below the exponent of infinity.
        let finite = i32x4_lt(
            v128_and(bits, i32x4_splat(i32::MAX)),
            i32x4_splat(0x7f80_0000),
        );
        lo = v128_bitselect(i32x4_min(lo, k), lo, finite);
        hi = v128_bitselect(i32x4_max(hi, k), hi, finite);
        n = i32x4_sub(n, finite);
        zeros = i32x4_sub(zeros, i32x4_eq(k, i32x4_splat(0)));
        c0[i32x4_extract_lane::<0>(b) as usize & (BINS - 1)] += 1;
        c1[i32x4_extract_lane::<1>(b) as usize & (BINS - 1)] += 1;
        c2[i32x4_extract_lane::<2>(b) as usize & (BINS - 1)] += 1;
        c3[i32x4_extract_lane::<3>(b) as usize & (BINS - 1)] += 1;
    }
    let lanes = |x: v128| {
        [
            i32x4_extract_lane::<0>(x),
            i32x4_extract_lane::<1>(x),
            i32x4_extract_lane::<2>(x),
            i32x4_extract_lane::<3>(x),
        ]
    };
    let mut found = Found {
        lo: lanes(lo).into_iter().fold(i32::MAX, i32::min),
        hi: lanes(hi).into_iter().fold(i32::MIN, i32::max),
        n: lanes(n).into_iter().map(|c| c as usize).sum(),
        zeros: lanes(zeros).into_iter().map(|c| c as usize).sum(),
    };
    for &v in quads.remainder() {
        found.count(v, c0);
    }
    found
}

/// The keys and bins of four values (their bits), as [`key`] and [`bin`]
/// make them.
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
#[inline(always)]
fn keys_and_bins(
    bits: core::arch::wasm32::v128,
) -> (core::arch::wasm32::v128, core::arch::wasm32::v128) {
    use core::arch::wasm32::*;
    let k = v128_xor(bits, u32x4_shr(i32x4_shr(bits, 31), 1));
    let half = i32x4_splat(BINS as i32 / 2);
    let b = v128_and(
        i32x4_add(i32x4_shr(k, BIN_SHIFT), half),
        i32x4_splat(BINS as i32 - 1),
    );
    (k, b)
}

/// Writes the keys of the values whose bin has a slot into `gathered`, in
/// order: each is written, and the cursor moves past it only if it is wanted
/// (`gathered` ends in [`LANES`] spare entries; the first takes the values
/// after the last wanted one). `wanted` lists the bins with a slot, which
/// the wasm build compares with instead of looking up `slot_of`.
#[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
pub(super) fn gather(
    values: &[f32],
    slot_of: &[u8; BINS],
    _wanted: &[usize],
    gathered: &mut [i32],
) {
    let spare = gathered.len() - 1;
    let mut cursor = 0;
    for &v in values {
        let k = key(v);
        gathered[cursor.min(spare)] = k;
        cursor += usize::from(slot_of[bin(k)] != TRASH);
    }
}

/// As above, four values at once on i32x4: their bins are compared with
/// the wanted ones (up to seven; -1 for none, which no bin equals), and one
/// shuffle moves the keys of the wanted values to the front of the four, which
/// are stored at the cursor together (LLVM makes the four lane stores one
/// `v128.store`; so `gathered` has [`LANES`] spare entries); the cursor
/// moves past the wanted ones. The same keys in the same order as value by
/// value, without a branch, a lookup or a store per value.
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
pub(super) fn gather(
    values: &[f32],
    _slot_of: &[u8; BINS],
    wanted: &[usize],
    gathered: &mut [i32],
) {
    use core::arch::wasm32::*;
    let mut bins = [i32x4_splat(-1); 7];
    debug_assert!(wanted.len() <= bins.len());
    for (splat, &b) in bins.iter_mut().zip(wanted) {
        *splat = i32x4_splat(b as i32);
    }
    let mut cursor = 0;
    let mut quads = values.chunks_exact(LANES);
    for quad in &mut quads {
        let (k, b) = keys_and_bins(f32x4(quad[0], quad[1], quad[2], quad[3]));
        let hit = bins[1..]
            .iter()
            .fold(i32x4_eq(b, bins[0]), |hit, &w| v128_or(hit, i32x4_eq(b, w)));
        let mask = usize::from(i32x4_bitmask(hit));
        let front = i8x16_swizzle(k, FRONT[mask]);
        let out = &mut gathered[cursor..cursor + LANES];
        out[0] = i32x4_extract_lane::<0>(front);
        out[1] = i32x4_extract_lane::<1>(front);
        out[2] = i32x4_extract_lane::<2>(front);
        out[3] = i32x4_extract_lane::<3>(front);
        cursor += mask.count_ones() as usize;
    }
    for &v in quads.remainder() {
        let k = key(v);
        gathered[cursor] = k;
        cursor += usize::from(wanted.contains(&bin(k)));
    }
}

/// For each 4-bit mask of wanted lanes, the byte shuffle that moves those
/// lanes, in order, to the front (the lanes after them are don't-cares).
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
const FRONT: [core::arch::wasm32::v128; 16] = {
    let mut table = [core::arch::wasm32::u8x16(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0); 16];
    let mut mask = 0;
    while mask < 16 {
        let mut bytes = [0u8; 16];
        let (mut lane, mut front) = (0, 0);
        while lane < 4 {
            if mask & (1 << lane) != 0 {
                let mut byte = 0;
                while byte < 4 {
                    bytes[4 * front + byte] = (4 * lane + byte) as u8;
                    byte += 1;
                }
                front += 1;
            }
            lane += 1;
        }
        let b = bytes;
        table[mask] = core::arch::wasm32::u8x16(
            b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13],
            b[14], b[15],
        );
        mask += 1;
    }
    table
};
