//! Compare mode's core: `vs.` keys, lockstep, the difference readout.

use normscope::core::compare::{Comparison, Lockstep, Side};
use normscope::Error;

fn lockstep(query: &str) -> Lockstep {
    Lockstep::new(&Comparison::parse(query).unwrap()).unwrap()
}

#[test]
fn vs_keys_make_b_and_a_query_without_them_is_one_network() {
    let c = Comparison::parse("depth=20&activation=tanh&init=torch_default&vs.norm=layer").unwrap();
    let b = c.b.as_ref().unwrap();
    assert_eq!((c.a.depth, b.depth), (20, 20));
    assert_eq!((c.a.norm.name(), b.norm.name()), ("none", "layer"));
    assert_eq!(c.differences(), vec!["norm"]);
    assert!(!c.data_differs());
    assert_eq!(Comparison::parse("depth=3").unwrap().b, None);
    // The canonical query round-trips, and Swap exchanges the sides.
    let again = Comparison::parse(&c.to_query()).unwrap();
    assert_eq!(again, c);
    assert!(c.to_query().ends_with("&vs.norm=layer"));
    let swapped = c.swapped();
    assert_eq!(swapped.a.norm.name(), "layer");
    assert!(swapped.to_query().ends_with("&vs.norm=none"));
}

#[test]
fn bad_vs_keys_are_refused_by_name_and_leave_a_alone() {
    let cases = [
        ("depth=5&vs.bogus=1", "'vs.bogus'"),
        ("depth=5&vs.norm=fancy", "'vs.norm'"),
        ("depth=5&vs.seed=2", "'vs.seed' cannot be set"),
        ("depth=5&vs.norm=group&vs.groups=7", "'vs.groups'"),
        (
            "depth=5&vs.norm=layer&vs.norm=batch",
            "'vs.norm' is given more than once",
        ),
    ];
    for (query, needle) in cases {
        let error = Comparison::parse(query).unwrap_err().to_string();
        assert!(error.contains(needle), "{query}: {error}");
        let (lenient, errors) = Comparison::parse_lenient(query);
        assert_eq!(lenient.a.depth, 5, "{query}: A keeps its keys");
        assert_eq!(lenient.b, None, "{query}: B is dropped");
        assert_eq!(errors.len(), 1, "{query}: {errors:?}");
    }
    assert!(matches!(
        Comparison::parse("vs.seed=3").unwrap_err(),
        Error::CannotDiffer { .. }
    ));
}

#[test]
fn a_and_b_share_the_first_batch_and_the_linear_weights() {
    let ls = lockstep("depth=6&activation=tanh&vs.norm=layer");
    assert_eq!(ls.a.batch(), ls.b.batch());
    for (a, b) in ls.a.network().blocks.iter().zip(&ls.b.network().blocks) {
        assert_eq!(a.linear.weight, b.linear.weight);
        assert_eq!(a.linear.bias, b.linear.bias);
    }
    // Keys that shape the data change the batches; the dataset stays the same.
    let c = Comparison::parse("batch=128&vs.batch=2").unwrap();
    assert!(c.data_differs());
    let ls = Lockstep::new(&c).unwrap();
    assert_eq!(ls.a.data().x, ls.b.data().x);
    assert_ne!(ls.a.batch().0.len(), ls.b.batch().0.len());
}

#[test]
fn a_b_equal_to_a_trains_identically() {
    let c = Comparison::parse("depth=5&norm=batch&vs.norm=batch").unwrap();
    assert!(c.differences().is_empty());
    assert!(
        c.to_query().ends_with("&vs.norm=batch"),
        "stays a comparison, with the key given: {}",
        c.to_query()
    );
    let mut ls = Lockstep::new(&c).unwrap();
    assert_eq!(ls.step(50), 50);
    assert_eq!(ls.a.stats(), ls.b.stats());
    for ratio in ls.layer_ratios() {
        assert_eq!((ratio.out_std, ratio.grad_std), (1.0, 1.0));
    }
}

#[test]
fn layernorm_keeps_layer_one_gradient_orders_of_magnitude_larger() {
    let mut ls = lockstep("depth=20&activation=tanh&init=torch_default&vs.norm=layer");
    let ratios = ls.layer_ratios();
    assert_eq!(ratios.len(), 20);
    assert!(ratios[0].grad_std > 1e4, "layer 1: {}", ratios[0].grad_std);
}

#[test]
fn both_stop_at_the_step_where_one_diverges() {
    let mut ls = lockstep("depth=20&activation=relu&init=normal&scale=50&lr=10&vs.norm=layer");
    let taken = ls.step(20);
    let (side, divergence) = ls.diverged().expect("A overflows");
    assert_eq!(side, Side::A);
    assert_eq!(divergence.step, taken as u64);
    assert_eq!(ls.a.steps(), ls.b.steps());
    assert_eq!(ls.step(5), 0, "stays stopped");
}

#[test]
fn other_points_in_b_put_both_decision_charts_on_one_extent() {
    use normscope::core::views::Extent;
    use normscope::Scope;
    // B with other noise or another dataset: both grids cover the union of
    // both datasets' own extents, so that equal pixels are equal inputs.
    for query in ["noise=0&vs.noise=0.5", "dataset=moons&vs.dataset=spiral"] {
        let c = Comparison::parse(query).unwrap();
        let union = c.decision_extent().expect(query);
        let own = |config| Extent::of(&Scope::dataset(config)).unwrap();
        let (a, b) = (own(&c.a), own(c.b.as_ref().unwrap()));
        assert_ne!(a, b, "{query}: the datasets' extents differ");
        assert_eq!(union, a.union(b), "{query}");
        let mut ls = Lockstep::new(&c).unwrap();
        ls.step(3);
        let (ga, gb) = (
            ls.a.decision_grid(16).unwrap(),
            ls.b.decision_grid(16).unwrap(),
        );
        let ranges = |g: &normscope::core::views::DecisionGrid| (g.x_range, g.y_range);
        assert_eq!(ranges(&ga), (union.x_range, union.y_range), "{query}");
        assert_eq!(ranges(&ga), ranges(&gb), "{query}");
        // Each side's own dataset lies inside.
        for own in [a, b] {
            assert!(union.x_range.0 <= own.x_range.0 && own.x_range.1 <= union.x_range.1);
            assert!(union.y_range.0 <= own.y_range.0 && own.y_range.1 <= union.y_range.1);
        }
    }
    // The same points (another norm, another batch size): each side's own
    // extent, which is then the same one.
    for query in [
        "vs.norm=layer",
        "batch=128&vs.batch=2",
        "dataset=gaussian&vs.noise=0.5",
    ] {
        assert_eq!(
            Comparison::parse(query).unwrap().decision_extent(),
            None,
            "{query}"
        );
    }
}

#[test]
fn a_decision_extent_from_the_page_is_checked() {
    use normscope::core::views::Extent;
    let ok = Extent::from_slice(&[-2.0, 2.0, -1.0, 3.0]).unwrap();
    assert_eq!(ok.to_array(), [-2.0, 2.0, -1.0, 3.0]);
    for bad in [
        &[0.0, 1.0, 0.0][..],
        &[1.0, 0.0, 0.0, 1.0],
        &[0.0, f32::NAN, 0.0, 1.0],
        &[0.0, 1.0, f32::NEG_INFINITY, 1.0],
        &[0.0, 1e9, 0.0, 1.0],
    ] {
        let error = Extent::from_slice(bad).unwrap_err();
        assert!(error.contains("decision extent"), "{bad:?}: {error}");
    }
}
