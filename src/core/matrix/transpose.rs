//! The transpose `Linear::backward` makes of dL/da before the weight
//! gradient `dW = dA^T H` (`matrix.rs`).

/// `dst (cols x rows) = src (rows x cols)^T`, in tiles of 16 x 16:
/// each tile's columns are written as contiguous runs of `dst`
/// while its rows of `src` stay in L1. Entry by entry, a 256 x 256 matrix's
/// writes 1 KiB apart fell into four L1 sets and missed on nearly every
/// store: 5% of a depth 64 x 256 step (natively), when each W was also
/// transposed after the update. The wasm build moves the whole 4 x 4 blocks
/// four lanes at a time (`quads`), and the rows and columns past them entry
/// by entry.
pub fn transpose(src: &[f32], rows: usize, cols: usize, dst: &mut [f32]) {
    let (src, dst) = (&src[..rows * cols], &mut dst[..rows * cols]);
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    let (rows4, cols4) = quads::transpose(src, rows, cols, dst);
    #[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
    let (rows4, cols4) = (0, 0);
    // What the blocks left: the rows below them, and the columns right of them.
    tiled(src, (rows, cols), (rows4..rows, 0..cols), dst);
    tiled(src, (rows, cols), (0..rows4, cols4..cols), dst);
}

/// [`transpose`] of the entries in `part` (rows, columns) of `src`, entry by
/// entry in tiles of 16 x 16.
fn tiled(
    src: &[f32],
    (rows, cols): (usize, usize),
    (part_rows, part_cols): (core::ops::Range<usize>, core::ops::Range<usize>),
    dst: &mut [f32],
) {
    const TILE: usize = 16;
    for i0 in part_rows.clone().step_by(TILE) {
        let i1 = (i0 + TILE).min(part_rows.end);
        for j0 in part_cols.clone().step_by(TILE) {
            for j in j0..(j0 + TILE).min(part_cols.end) {
                let run = &mut dst[j * rows + i0..j * rows + i1];
                for (d, i) in run.iter_mut().zip(i0..i1) {
                    *d = src[i * cols + j];
                }
            }
        }
    }
}

/// The wasm build's [`transpose`] of whole 4 x 4 blocks: four rows loaded as
/// f32x4, eight shuffles, four columns stored. In node 20 the transposes (then
/// of every W and dA) went from 6.6% to 4.2% of a depth 64 x 256 step with
/// its frame (CPU profile).
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
mod quads {
    use core::arch::wasm32::*;

    use crate::core::activation::musl4::{load, store};

    /// Transposes the blocks that fit, in tiles of 16 x 16; returns the rows
    /// and columns they cover (the largest multiples of 4).
    pub(super) fn transpose(
        src: &[f32],
        rows: usize,
        cols: usize,
        dst: &mut [f32],
    ) -> (usize, usize) {
        const TILE: usize = 16;
        let (rows4, cols4) = (rows / 4 * 4, cols / 4 * 4);
        for i0 in (0..rows4).step_by(TILE) {
            for j0 in (0..cols4).step_by(TILE) {
                for i in (i0..(i0 + TILE).min(rows4)).step_by(4) {
                    for j in (j0..(j0 + TILE).min(cols4)).step_by(4) {
                        let at = |r: usize| (i + r) * cols + j;
                        let [a, b, c, d] = [0, 1, 2, 3].map(|r| load(&src[at(r)..at(r) + 4]));
                        let ab_low = i32x4_shuffle::<0, 4, 1, 5>(a, b);
                        let ab_high = i32x4_shuffle::<2, 6, 3, 7>(a, b);
                        let cd_low = i32x4_shuffle::<0, 4, 1, 5>(c, d);
                        let cd_high = i32x4_shuffle::<2, 6, 3, 7>(c, d);
                        let columns = [
                            i32x4_shuffle::<0, 1, 4, 5>(ab_low, cd_low),
                            i32x4_shuffle::<2, 3, 6, 7>(ab_low, cd_low),
                            i32x4_shuffle::<0, 1, 4, 5>(ab_high, cd_high),
                            i32x4_shuffle::<2, 3, 6, 7>(ab_high, cd_high),
                        ];
                        for (r, column) in columns.into_iter().enumerate() {
                            let at = (j + r) * rows + i;
                            store(column, &mut dst[at..at + 4]);
                        }
                    }
                }
            }
        }
        (rows4, cols4)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The tiled transpose moves every entry to its place, on shapes with
    /// partial tiles in either direction, one row or one column.
    #[test]
    fn transpose_moves_every_entry() {
        for (rows, cols) in [
            (1, 1),
            (1, 40),
            (40, 1),
            (16, 16),
            (17, 33),
            (256, 7),
            (31, 64),
        ] {
            let src: Vec<f32> = (0..rows * cols).map(|i| i as f32).collect();
            let mut dst = vec![f32::NAN; rows * cols];
            transpose(&src, rows, cols, &mut dst);
            for i in 0..rows {
                for j in 0..cols {
                    assert_eq!(
                        dst[j * rows + i],
                        src[i * cols + j],
                        "{rows}x{cols} [{i},{j}]"
                    );
                }
            }
        }
    }
}
