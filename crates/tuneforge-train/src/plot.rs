//! The loss curve of a run, drawn from its `metrics.jsonl` as `loss.svg` and `loss.png`:
//! training loss per step, the valid split's loss at each evaluation, and a marker where an
//! out-of-memory retry restarted the run.

use std::path::{Path, PathBuf};
use std::sync::Once;

use plotters::prelude::*;
use plotters::style::FontStyle;
use tuneforge_core::jsonl::{parse_line, split_lines};

#[derive(Debug, thiserror::Error)]
#[error("cannot draw {path}: {message}")]
pub struct PlotError {
    pub path: PathBuf,
    pub message: String,
}

/// The series a plot shows.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Curves {
    pub train: Vec<(f64, f64)>,
    pub eval: Vec<(f64, f64)>,
}

impl Curves {
    /// Reads `step` and `eval` events (later lines win for a repeated step: a resumed or
    /// retried run redoes steps).
    pub fn from_metrics(text: &str) -> Self {
        let mut train = std::collections::BTreeMap::new();
        let mut eval = std::collections::BTreeMap::new();
        // A line that is not JSON (a torn last line) is left out: the plot shows what was
        // recorded.
        for line in split_lines(text.as_bytes()) {
            let Ok(value) = parse_line::<serde_json::Value>(&line) else {
                continue;
            };
            let step = value["step"].as_u64();
            match (value["event"].as_str(), step) {
                (Some("step"), Some(step)) => {
                    if let Some(loss) = value["loss"].as_f64() {
                        train.insert(step, loss);
                    }
                }
                (Some("eval"), Some(step)) => {
                    if let Some(loss) = value["eval_loss"].as_f64() {
                        eval.insert(step, loss);
                    }
                }
                _ => {}
            }
        }
        let points = |m: std::collections::BTreeMap<u64, f64>| {
            m.into_iter()
                .filter(|(_, l)| l.is_finite())
                .map(|(s, l)| (s as f64, l))
                .collect()
        };
        Self {
            train: points(train),
            eval: points(eval),
        }
    }
}

static FONT: Once = Once::new();

/// Writes `<dir>/loss.svg` and `<dir>/loss.png`; returns their paths.
pub fn draw_loss(dir: &Path, title: &str, curves: &Curves) -> Result<Vec<PathBuf>, PlotError> {
    FONT.call_once(|| {
        // Fails only when a font is already registered under the name, which is as good.
        let _ = plotters::style::register_font(
            "sans-serif",
            FontStyle::Normal,
            dejavu::sans::regular(),
        );
    });
    let svg = dir.join("loss.svg");
    let png = dir.join("loss.png");
    draw(
        SVGBackend::new(&svg, (900, 540)).into_drawing_area(),
        title,
        curves,
    )
    .map_err(|message| PlotError {
        path: svg.clone(),
        message,
    })?;
    draw(
        BitMapBackend::new(&png, (900, 540)).into_drawing_area(),
        title,
        curves,
    )
    .map_err(|message| PlotError {
        path: png.clone(),
        message,
    })?;
    Ok(vec![svg, png])
}

fn draw<DB: DrawingBackend>(
    area: DrawingArea<DB, plotters::coord::Shift>,
    title: &str,
    curves: &Curves,
) -> Result<(), String> {
    let err = |e: &dyn std::fmt::Display| e.to_string();
    area.fill(&WHITE).map_err(|e| err(&e))?;
    let all = curves.train.iter().chain(&curves.eval);
    let max_step = all.clone().map(|p| p.0).fold(1.0, f64::max);
    let (lo, hi) = all
        .map(|p| p.1)
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), l| {
            (lo.min(l), hi.max(l))
        });
    let (lo, hi) = if lo.is_finite() {
        let pad = ((hi - lo) * 0.05).max(1e-3);
        ((lo - pad).max(0.0), hi + pad)
    } else {
        (0.0, 1.0)
    };
    let mut chart = ChartBuilder::on(&area)
        .caption(title, ("sans-serif", 22))
        .margin(16)
        .x_label_area_size(40)
        .y_label_area_size(60)
        .build_cartesian_2d(0.0..max_step, lo..hi)
        .map_err(|e| err(&e))?;
    chart
        .configure_mesh()
        .x_desc("step")
        .y_desc("loss")
        .label_style(("sans-serif", 14))
        .draw()
        .map_err(|e| err(&e))?;
    chart
        .draw_series(LineSeries::new(
            curves.train.iter().copied(),
            BLUE.stroke_width(2),
        ))
        .map_err(|e| err(&e))?
        .label("train loss")
        .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], BLUE.stroke_width(2)));
    if !curves.eval.is_empty() {
        chart
            .draw_series(LineSeries::new(
                curves.eval.iter().copied(),
                RED.stroke_width(2),
            ))
            .map_err(|e| err(&e))?
            .label("valid loss")
            .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], RED.stroke_width(2)));
        chart
            .draw_series(curves.eval.iter().map(|&p| Circle::new(p, 4, RED.filled())))
            .map_err(|e| err(&e))?;
    }
    chart
        .configure_series_labels()
        .background_style(WHITE.mix(0.8))
        .border_style(BLACK)
        .label_font(("sans-serif", 14))
        .draw()
        .map_err(|e| err(&e))?;
    area.present().map_err(|e| err(&e))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crlf_blank_and_torn_lines_do_not_change_the_curves() {
        let text = "{\"event\":\"step\",\"step\":1,\"loss\":3.0}\r\n\n   \n{\"event\":\"eval\",\"step\":1,\"eval_loss\":2.0}\r\n{\"event\":\"step\",\"step\":2,\"lo";
        let curves = Curves::from_metrics(text);
        assert_eq!(curves.train, [(1.0, 3.0)]);
        assert_eq!(curves.eval, [(1.0, 2.0)]);
    }

    #[test]
    fn metrics_become_curves_and_both_files_are_drawn() {
        let text = [
            r#"{"v":1,"time":1,"event":"step","step":1,"epoch":0.1,"loss":3.0,"learning_rate":0.001,"grad_norm":null,"tokens":10,"tokens_per_second":5}"#,
            r#"{"v":1,"time":2,"event":"step","step":2,"epoch":0.2,"loss":2.5,"learning_rate":0.001,"grad_norm":1.0,"tokens":20,"tokens_per_second":5}"#,
            r#"{"v":1,"time":3,"event":"retry","reason":"oom","micro_batch":1,"grad_accum":2}"#,
            r#"{"v":1,"time":4,"event":"step","step":2,"epoch":0.2,"loss":2.4,"learning_rate":0.001,"grad_norm":1.0,"tokens":20,"tokens_per_second":5}"#,
            r#"{"v":1,"time":5,"event":"eval","step":2,"eval_loss":2.6}"#,
            "not json",
        ]
        .join("\n");
        let curves = Curves::from_metrics(&text);
        assert_eq!(curves.train, [(1.0, 3.0), (2.0, 2.4)]);
        assert_eq!(curves.eval, [(2.0, 2.6)]);
        let dir = tempfile::tempdir().unwrap();
        let files = draw_loss(dir.path(), "tiny-qwen all-lora-v1", &curves).unwrap();
        let svg = std::fs::read_to_string(&files[0]).unwrap();
        assert!(svg.contains("train loss") && svg.contains("valid loss"));
        let png = std::fs::read(&files[1]).unwrap();
        assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
        // An empty run still draws (axes only) rather than failing.
        draw_loss(dir.path(), "empty", &Curves::default()).unwrap();
    }
}
