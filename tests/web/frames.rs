//! The JS `Frame`, what the page draws from when a Web Worker trains: decoded
//! from `Scope.frame()` bytes, it must paint every chart pixel for pixel as the
//! `Scope` itself does, describe the same hover text, and refuse other bytes.

use normscope::web::api::JsFrame;
use wasm_bindgen_test::*;

use super::{canvas, drawn, message, scope, H, PANELS, W};

#[wasm_bindgen_test]
fn a_frame_draws_every_chart_exactly_as_its_scope() {
    for query in [
        "depth=6&width=32&norm=group&groups=4",
        "depth=64&width=16&dataset=gaussian",
    ] {
        let mut scope = scope(query, 4);
        let frame = JsFrame::new(&scope.frame(Some(2), true))
            .unwrap_or_else(|e| panic!("{query}: {}", message(e)));
        assert_eq!(frame.steps(), 4.0);
        assert_eq!(frame.query(), scope.query());
        assert_eq!(frame.stats_csv(), scope.stats_csv());
        assert!(frame.has_decision());
        for (kind, options, _) in PANELS {
            let from_scope = drawn(kind, |c| scope.draw(kind, c, options));
            let from_frame = drawn(kind, |c| frame.draw(kind, c, options));
            assert!(
                from_scope == from_frame,
                "{query} {kind} {options}: pixels differ"
            );
            let (x, y) = (W as f64 * 0.5, H as f64 * 0.5);
            assert_eq!(
                frame.describe(kind, W, H, x, y, options).ok(),
                scope.describe(kind, W, H, x, y, options).ok(),
                "{query} {kind}: hover text differs"
            );
        }
    }
}

#[wasm_bindgen_test]
fn a_frame_without_decision_regions_says_so_and_bad_bytes_are_refused() {
    let mut scope = scope("depth=3&width=8", 1);
    let frame =
        JsFrame::new(&scope.frame(None, false)).unwrap_or_else(|e| panic!("{}", message(e)));
    assert!(!frame.has_decision());
    let target = canvas(W, H);
    for kind in ["decision", "normalized"] {
        let error = message(frame.draw(kind, &target, "").expect_err("nothing to draw"));
        assert!(
            error.contains("this frame was made without"),
            "{kind}: {error}"
        );
    }
    frame
        .draw("summary", &target, "")
        .unwrap_or_else(|e| panic!("{}", message(e)));
    target.remove();
    for bad in [&[][..], &[7u8; 40][..]] {
        let error = message(JsFrame::new(bad).err().expect("not a frame"));
        assert!(error.starts_with("not a normscope frame"), "{error}");
    }
}
