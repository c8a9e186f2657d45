//! The frame a Web Worker posts to the page: it must decode to exactly what the
//! scope measured (statistics, history, matrix, decision regions), refuse
//! bytes that are not a frame, and cost no more than it must.

use normscope::core::frame::{Frame, FrameRequest};
use normscope::core::stats::{Histogram, LayerStats, BINS};
use normscope::{Config, Scope};

fn trained(query: &str, steps: usize) -> Scope {
    let config: Config = query.parse().expect("valid config");
    let mut scope = Scope::new(config).expect("scope");
    scope.step(steps);
    scope
}

#[test]
fn a_frame_decodes_to_what_the_scope_measured() {
    for query in [
        "depth=1&width=8",
        "depth=6&width=32&norm=group&groups=4&residual=pre",
        "depth=3&width=16&norm=batch&mode=eval&dataset=gaussian",
    ] {
        let mut scope = trained(query, 7);
        let request = FrameRequest {
            layer: Some(2),
            decision: Some(16),
        };
        let frame = Frame::of(&mut scope, request);
        let decoded = Frame::from_bytes(&frame.to_bytes()).expect("decodes");
        assert_eq!(decoded, frame, "{query}");
        // The history, which Stats leaves out of its serde form, survives too.
        assert_eq!(decoded.stats.history.steps.len(), 7, "{query}");
        assert_eq!(decoded.stats, *scope.stats(), "{query}");
        // The collapse measures travel too (batch 64: both defined).
        assert!(decoded
            .stats
            .layers
            .iter()
            .all(|l| l.sample_spread.is_some() && l.sample_cosine.is_some()));
        assert_eq!(decoded.config().expect("config"), *scope.config());
        assert_eq!(decoded.flops_per_step, scope.flops_per_step());
        // The layer is clamped to the depth; the gaussian dataset has no grid.
        let matrix = decoded.matrix.expect("matrix asked for");
        assert_eq!(matrix.layer, 2.min(scope.config().depth), "{query}");
        let decision = decoded.decision.expect("decision asked for");
        assert_eq!(decision.grid.is_some(), scope.data().dim == 2, "{query}");
        assert_eq!(decision.labels, scope.data().y);
    }
}

#[test]
fn a_frame_holds_only_what_was_asked_for() {
    let mut scope = trained("depth=4&width=64", 3);
    let bare = Frame::of(&mut scope, FrameRequest::default());
    assert!(bare.matrix.is_none() && bare.decision.is_none());
    let full = Frame::of(
        &mut scope,
        FrameRequest {
            layer: Some(1),
            decision: Some(64),
        },
    );
    // Statistics: 4 layers x 3 histograms x 40 bins (varints) dominate the
    // bare frame (those of pre and grad_pre, which no chart draws, are
    // empty); the matrix (batch x width f32) and the grid and points add theirs.
    let (bare_len, full_len) = (bare.to_bytes().len(), full.to_bytes().len());
    assert!(bare_len < 6_000, "bare frame is {bare_len} bytes");
    for layer in &bare.stats.layers {
        let charted = [
            &layer.out.histogram,
            &layer.grad.histogram,
            &layer.grad_symlog,
        ];
        assert!(charted.iter().all(|h| h.counts.len() == BINS));
        assert!(
            layer.pre.histogram.counts.is_empty() && layer.grad_pre.histogram.counts.is_empty()
        );
    }
    assert!(
        full_len > bare_len + 4 * 64 * 64,
        "full frame is {full_len} bytes"
    );
}

#[test]
fn bytes_that_are_not_a_frame_are_refused_with_a_message() {
    let mut scope = trained("depth=2&width=8", 1);
    let bytes = Frame::of(&mut scope, FrameRequest::default()).to_bytes();
    for bad in [&[][..], &bytes[..bytes.len() / 2], &[0xff; 64][..]] {
        let error = Frame::from_bytes(bad).expect_err("not a frame");
        assert!(
            error.to_string().starts_with("not a normscope frame"),
            "{error}"
        );
    }
}

#[test]
fn a_well_formed_frame_whose_lengths_disagree_is_refused() {
    let mut scope = trained("depth=3&width=8", 2);
    let request = FrameRequest {
        layer: Some(1),
        decision: Some(8),
    };
    let good = Frame::of(&mut scope, request);
    let mut cases: Vec<(Frame, &str)> = Vec::new();
    let mut short_matrix = good.clone();
    short_matrix.matrix.as_mut().expect("matrix").values.pop();
    cases.push((short_matrix, "layer matrix"));
    let mut short_grid = good.clone();
    let decision = short_grid.decision.as_mut().expect("decision");
    decision.grid.as_mut().expect("grid").probability.pop();
    cases.push((short_grid, "decision regions"));
    let mut other_depth = good.clone();
    other_depth.query = other_depth.query.replace("depth=3", "depth=4");
    cases.push((other_depth, "statistics"));
    let mut uneven = good.clone();
    uneven.stats.history.loss.pop();
    cases.push((uneven, "history"));
    // A charted histogram without its bins; one of pre or grad_pre with
    // some bins but not all.
    type Pick = fn(&mut LayerStats) -> &mut Histogram;
    let histograms: [(usize, Pick, usize); 5] = [
        (0, |l| &mut l.out.histogram, 0),
        (1, |l| &mut l.grad.histogram, 0),
        (2, |l| &mut l.grad_symlog, 0),
        (0, |l| &mut l.pre.histogram, BINS - 1),
        (2, |l| &mut l.grad_pre.histogram, 1),
    ];
    for (layer, pick, bins) in histograms {
        let mut wrong = good.clone();
        pick(&mut wrong.stats.layers[layer]).counts = vec![0; bins];
        cases.push((wrong, "statistics"));
    }
    for (frame, what) in cases {
        let error = Frame::from_bytes(&frame.to_bytes()).expect_err(what);
        assert!(error.to_string().contains(what), "{what}: {error}");
    }
    assert!(Frame::from_bytes(&good.to_bytes()).is_ok());
    // pre's and grad_pre's histograms: none (a frame's) or all their bins.
    let mut full = good.clone();
    full.stats.layers[0].pre.histogram.counts = vec![0; BINS];
    assert!(Frame::from_bytes(&full.to_bytes()).is_ok());
}

/// 2 n k m per product; forward and dW for the first layer, and dX too for
/// the other hidden layers and the 2-output head.
#[test]
fn the_config_knows_the_cost_of_a_step_before_any_weight_is_drawn() {
    let by_hand = |batch: f64, d_in: f64, width: f64, depth: f64| {
        2.0 * 2.0 * batch * d_in * width
            + (depth - 1.0) * 3.0 * 2.0 * batch * width * width
            + 3.0 * 2.0 * batch * width * 2.0
    };
    for (query, expected) in [
        ("depth=1&width=8", by_hand(64.0, 2.0, 8.0, 1.0)),
        ("depth=64&width=256&batch=64", 1_585_774_592.0),
        (
            "depth=5&width=16&dataset=gaussian&residual=post&norm=layer",
            by_hand(64.0, 16.0, 16.0, 5.0),
        ),
    ] {
        let config: Config = query.parse().expect("valid config");
        let scope = Scope::new(config.clone()).expect("scope");
        assert_eq!(config.flops_per_step(), expected, "{query}");
        assert_eq!(scope.flops_per_step(), expected, "{query}");
    }
}
