//! The training step's divergence check on parameters: an update that
//! leaves a parameter non-finite is a divergence at that step, even when the
//! step's own loss was finite (it was computed before the update), and it
//! names the layer of that parameter.

use super::Scope;

fn scope() -> Scope {
    Scope::new("depth=3&width=8&batch=8&optimizer=sgd".parse().unwrap()).unwrap()
}

/// Runs a training step's forward and backward pass, lets `poke` change the
/// gradients, then updates: returns whether every parameter stayed finite.
fn update_after(poke: impl Fn(&mut Scope)) -> (bool, Scope) {
    let mut scope = scope();
    let batch = (&scope.batcher.x[..], &scope.batcher.y[..]);
    let ce = super::forward_backward(&mut scope.network, batch, crate::core::norm::Pass::Train);
    assert!(ce.loss.is_finite());
    poke(&mut scope);
    (scope.update_params(), scope)
}

#[test]
fn finite_gradients_keep_the_parameters_finite() {
    let (finite, scope) = update_after(|_| {});
    assert!(finite);
    let expected: Vec<_> = scope
        .network
        .blocks
        .iter()
        .map(|b| Some(crate::core::stats::std_of(&b.linear.weight)))
        .collect();
    assert_eq!(scope.weight_std, expected);
    assert!(scope
        .update_ratio
        .iter()
        .all(|r| r.is_some_and(f32::is_finite)));
}

#[test]
fn an_infinite_weight_gradient_is_caught_and_its_std_is_nan() {
    let (finite, scope) =
        update_after(|s| s.network.grads.blocks[1].linear.dweight[5] = f32::INFINITY);
    assert!(!finite);
    assert!(scope.network.blocks[1].linear.weight[5].is_infinite());
    assert!(scope.weight_std[1].is_some_and(f32::is_nan));
    assert_eq!(scope.update_ratio[1], None);
    assert!(scope.weight_std[0].is_some_and(f32::is_finite));
    assert_eq!(scope.first_nonfinite_layer(), Some(2));
}

#[test]
fn a_nan_bias_gradient_is_caught() {
    let (finite, scope) = update_after(|s| s.network.grads.blocks[2].linear.dbias[0] = f32::NAN);
    assert!(!finite);
    assert!(scope
        .weight_std
        .iter()
        .all(|w| w.is_some_and(f32::is_finite)));
    // The divergence names the layer whose bias went NaN.
    assert_eq!(scope.first_nonfinite_layer(), Some(3));
}
