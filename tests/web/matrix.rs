//! The wasm build's transpose (`matrix::transpose`), which moves whole 4 x 4
//! blocks as f32x4 and the rows and columns past them entry by entry: every
//! entry lands in its place with its bits (NaN payloads, a signalling NaN,
//! -0.0 and the infinities included), on empty shapes, on shapes with no
//! whole block, with blocks only, and with both kinds of edge.

use normscope::core::matrix::transpose;
use wasm_bindgen_test::*;

#[wasm_bindgen_test]
fn the_wasm_transpose_moves_every_entry_bit_for_bit() {
    let sides = [0, 1, 2, 3, 4, 5, 7, 8, 12, 15, 16, 17, 20, 31, 33, 64];
    let shapes = sides
        .iter()
        .flat_map(|&r| sides.iter().map(move |&c| (r, c)))
        .chain([(256, 256), (128, 37), (37, 128)]);
    let special = [
        -0.0,
        f32::INFINITY,
        f32::NEG_INFINITY,
        f32::from_bits(0x7f80_0001),
    ];
    for (rows, cols) in shapes {
        // Bit patterns spread over the whole space (NaNs among them), and
        // the special values at every 7th entry.
        let src: Vec<f32> = (0..rows * cols)
            .map(|i| match i % 7 {
                0 => special[i / 7 % special.len()],
                _ => f32::from_bits((i as u32).wrapping_mul(2_654_435_761)),
            })
            .collect();
        // A pattern no entry of `src` has: an entry left unwritten shows.
        let unwritten = 0x7fc0_dead;
        let mut dst = vec![f32::from_bits(unwritten); rows * cols];
        transpose(&src, rows, cols, &mut dst);
        for i in 0..rows {
            for j in 0..cols {
                assert_eq!(
                    dst[j * rows + i].to_bits(),
                    src[i * cols + j].to_bits(),
                    "{rows}x{cols} [{i},{j}]"
                );
            }
        }
    }
}
