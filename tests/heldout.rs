//! The held-out test split (src/core/heldout.rs): fixed by the seed, disjoint
//! from the training set, evaluated in eval mode at a cadence that costs at
//! most a tenth of training, and the number that shows BatchNorm at batch 2
//! failing in eval mode.

use normscope::core::data::{Data, TEST_SIZE};
use normscope::core::heldout::{cadence, TEST_COST_SHARE};
use normscope::{Config, Scope};

fn config(query: &str) -> Config {
    query.parse().unwrap()
}

#[test]
fn the_split_is_fixed_by_the_seed_and_disjoint_from_training() {
    for query in ["dataset=spiral", "dataset=xor", "dataset=gaussian&width=16"] {
        let c = config(query);
        let rng = || <normscope::core::init::Rng as rand::SeedableRng>::seed_from_u64(7);
        let (train, test) = Data::generate_split(&c, &mut rng());
        let (_, again) = Data::generate_split(&c, &mut rng());
        assert_eq!(test.x, again.x, "{query}: same seed, same split");
        assert_eq!(test.len(), TEST_SIZE);
        // The training set is exactly what it was before the split existed.
        assert_eq!(train.x, Data::generate(&c, &mut rng()).x, "{query}");
        let points = |d: &Data| -> Vec<Vec<u32>> {
            d.x.chunks(d.dim)
                .map(|p| p.iter().map(|v| v.to_bits()).collect())
                .collect()
        };
        let train_points = points(&train);
        assert!(
            points(&test).iter().all(|p| !train_points.contains(p)),
            "{query}: disjoint"
        );
        assert!(test.y.contains(&0) && test.y.contains(&1));
    }
}

#[test]
fn the_cadence_keeps_evaluation_under_a_tenth_of_training() {
    for query in [
        "",
        "batch=2",
        "batch=1024",
        "depth=64&width=512",
        "dataset=gaussian&width=128",
    ] {
        let c = config(query);
        let every = cadence(&c) as f64;
        let evaluation = c.flops(TEST_SIZE) / 3.0;
        assert!(
            evaluation <= TEST_COST_SHARE * every * c.flops_per_step() + 1.0,
            "{query}"
        );
        // ... and no sparser than needed.
        assert!(
            every == 1.0 || evaluation > TEST_COST_SHARE * (every - 1.0) * c.flops_per_step(),
            "{query}"
        );
    }
}

#[test]
fn the_history_holds_an_evaluation_at_step_zero_and_every_cadence() {
    let mut s = Scope::new(config("")).unwrap();
    let every = cadence(s.config());
    s.step(3 * every as usize);
    let stats = s.stats();
    assert_eq!(
        stats.history.test.steps,
        vec![0, every, 2 * every, 3 * every]
    );
    let latest = stats.test.unwrap();
    assert_eq!(latest.step, 3 * every);
    assert_eq!(Some(&latest.loss), stats.history.test.loss.last());
}

#[test]
fn batchnorm_at_batch_two_fails_on_held_out_data_in_eval_mode() {
    // Train both for the same number of samples' worth of steps.
    let held_out = |query: &str, steps: usize| {
        let mut s = Scope::new(config(query)).unwrap();
        s.step(steps);
        s.stats().test.unwrap()
    };
    let small = held_out("norm=batch&batch=2&lr=0.05", 1500);
    let large = held_out("norm=batch&batch=64&lr=0.05", 1500);
    println!(
        "held-out accuracy after 1500 steps: batch 2 {:?}, batch 64 {:?}",
        small, large
    );
    assert!(
        large.accuracy > small.accuracy + 0.1,
        "{small:?} vs {large:?}"
    );
}
