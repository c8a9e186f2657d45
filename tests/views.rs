//! The "What is normalized" matrix names the tensor it shows for every wiring,
//! and its x̂ and y are the normalization's own (x̂ = (x - mean)/divisor, y = γx̂ + β).

use normscope::core::views::{MatrixTensor, NormInput};
use normscope::{Config, Scope};

fn scope(query: &str) -> Scope {
    let config: Config = query.parse().unwrap();
    Scope::new(config).unwrap()
}

#[test]
fn the_matrix_names_the_tensor_of_every_wiring() {
    let cases = [
        ("norm=layer&position=before", 2, NormInput::Linear),
        ("norm=layer&position=after", 2, NormInput::Activation),
        ("norm=layer&residual=pre", 2, NormInput::BlockInput),
        ("norm=layer&residual=post", 2, NormInput::ResidualSum),
        // Layer 1 is always a plain block.
        (
            "norm=layer&residual=post&position=after",
            1,
            NormInput::Activation,
        ),
        // Under norm=none the chart shows the tensor a norm would receive.
        ("norm=none&residual=pre", 2, NormInput::BlockInput),
        ("norm=none&position=after", 3, NormInput::Activation),
    ];
    for (query, layer, input) in cases {
        let matrix = scope(query).layer_matrix(layer).unwrap();
        assert_eq!(matrix.input, input, "{query}, layer {layer}");
    }
}

#[test]
fn under_norm_none_the_matrix_has_no_normalized_tensors() {
    let matrix = scope("norm=none").layer_matrix(2).unwrap();
    assert!(matrix.tensor(MatrixTensor::Input).is_some());
    assert!(matrix.tensor(MatrixTensor::Normalized).is_none());
    assert!(matrix.tensor(MatrixTensor::Output).is_none());
}

#[test]
fn x_hat_and_output_follow_from_the_input_and_the_set_statistics() {
    for query in [
        "norm=layer&width=8&batch=4",
        "norm=group&groups=2&width=8&batch=4",
        "norm=batch&width=8&batch=4",
        "norm=rms&width=8&batch=4&residual=pre",
    ] {
        let mut s = scope(&format!("{query}&lr=0.5"));
        s.step(2); // gamma and beta move away from 1 and 0
                   // The matrix is step 3's pass, with the parameters before its update.
        let before = s.network().clone();
        s.step(1);
        let m = s.layer_matrix(2).unwrap();
        let norm = &before.blocks[1].norm;
        for row in 0..m.rows {
            for col in 0..m.cols {
                let set = match norm.kind {
                    normscope::core::config::NormKind::Batch => col,
                    _ => row * m.groups + col / (m.cols / m.groups),
                };
                let at = row * m.cols + col;
                let mean = if norm.kind == normscope::core::config::NormKind::Rms {
                    0.0
                } else {
                    m.set_mean[set]
                };
                let x_hat = (m.values[at] - mean) / m.set_divisor[set];
                assert!(
                    (x_hat - m.x_hat[at]).abs() < 1e-4,
                    "{query}: x̂ at {row},{col}"
                );
                let beta = if norm.has_beta() { norm.beta[col] } else { 0.0 };
                let y = m.x_hat[at] * norm.gamma[col] + beta;
                assert!((y - m.output[at]).abs() < 1e-5, "{query}: y at {row},{col}");
            }
        }
    }
}
