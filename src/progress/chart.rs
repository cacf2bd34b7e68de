//! The geometry of the 12-week trend chart, drawn as server-rendered SVG (no chart service, no
//! script): bars for the exercises passed each week, a line with square markers for the active
//! people, one shared axis with round tick values. Shapes differ as well as colours, so the
//! chart reads without colour; the page also carries the numbers as a table.

/// One week of a team's activity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct WeekPoint {
    /// Monday 00:00 UTC.
    pub week_start_ms: i64,
    /// ISO week number.
    pub week: u32,
    /// People with at least one attempt in the week.
    pub active_people: u32,
    pub attempts: u32,
    /// Exercises passed for the first time in the week.
    pub passes: u32,
}

/// A laid-out chart, in SVG user units (0.1 precision).
#[derive(Debug, Clone, PartialEq)]
pub struct TrendChart {
    pub width: f64,
    pub height: f64,
    pub left: f64,
    pub right: f64,
    pub top: f64,
    pub bottom: f64,
    pub bars: Vec<Bar>,
    /// `x,y x,y …` for a `<polyline>`.
    pub line: String,
    pub markers: Vec<Marker>,
    pub ticks: Vec<Tick>,
    /// Where each week's label goes, with its ISO week number.
    pub weeks: Vec<(f64, u32)>,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Bar {
    pub x: f64,
    pub y: f64,
    pub width: f64,
    pub height: f64,
    pub value: u32,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Marker {
    pub x: f64,
    pub y: f64,
    pub value: u32,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Tick {
    pub y: f64,
    pub value: u32,
}

const WIDTH: f64 = 640.0;
const HEIGHT: f64 = 260.0;
const LEFT: f64 = 48.0;
const RIGHT: f64 = 12.0;
const TOP: f64 = 12.0;
const BOTTOM: f64 = 36.0;
const TICKS: u32 = 4;

fn tenth(v: f64) -> f64 {
    (v * 10.0).round() / 10.0
}

/// The smallest "round" step (1, 2 or 5 times a power of ten) at least `raw`.
pub fn nice_step(raw: u32) -> u32 {
    let mut power = 1_u32;
    loop {
        for m in [1, 2, 5] {
            let step = power.saturating_mul(m);
            if step >= raw || step == u32::MAX {
                return step.max(1);
            }
        }
        power = power.saturating_mul(10);
    }
}

/// Lays out the chart of `points` (oldest first).
pub fn trend(points: &[WeekPoint]) -> TrendChart {
    let max = points
        .iter()
        .map(|p| p.passes.max(p.active_people))
        .max()
        .unwrap_or(0);
    let step = nice_step(max.div_ceil(TICKS));
    let top_value = f64::from(step * TICKS);
    let plot_w = WIDTH - LEFT - RIGHT;
    let plot_h = HEIGHT - TOP - BOTTOM;
    let y_of = |v: u32| tenth(TOP + plot_h - f64::from(v) / top_value * plot_h);
    let n = u32::try_from(points.len()).unwrap_or(u32::MAX).max(1);
    let slot = plot_w / f64::from(n);
    let centre = |i: u32| LEFT + slot * (f64::from(i) + 0.5);
    let mut bars = Vec::new();
    let mut markers = Vec::new();
    let mut weeks = Vec::new();
    for (i, p) in (0_u32..).zip(points) {
        let x = centre(i);
        let y = y_of(p.passes);
        bars.push(Bar {
            x: tenth(x - slot * 0.3),
            y,
            width: tenth(slot * 0.6),
            height: tenth(TOP + plot_h - y),
            value: p.passes,
        });
        markers.push(Marker {
            x: tenth(x),
            y: y_of(p.active_people),
            value: p.active_people,
        });
        weeks.push((tenth(x), p.week));
    }
    let line = markers
        .iter()
        .map(|m| format!("{},{}", m.x, m.y))
        .collect::<Vec<_>>()
        .join(" ");
    TrendChart {
        width: WIDTH,
        height: HEIGHT,
        left: LEFT,
        right: WIDTH - RIGHT,
        top: TOP,
        bottom: TOP + plot_h,
        bars,
        line,
        markers,
        ticks: (0..=TICKS)
            .map(|k| Tick {
                y: y_of(k * step),
                value: k * step,
            })
            .collect(),
        weeks,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn week(i: u32, active: u32, passes: u32) -> WeekPoint {
        WeekPoint {
            week_start_ms: i64::from(i) * 7 * 86_400_000,
            week: i + 1,
            active_people: active,
            attempts: passes * 2,
            passes,
        }
    }

    #[test]
    fn steps_are_round() {
        assert_eq!(nice_step(0), 1);
        assert_eq!(nice_step(1), 1);
        assert_eq!(nice_step(3), 5);
        assert_eq!(nice_step(7), 10);
        assert_eq!(nice_step(11), 20);
        assert_eq!(nice_step(260), 500);
        assert_eq!(nice_step(u32::MAX), u32::MAX);
    }

    #[test]
    fn bars_and_markers_sit_on_one_axis() {
        let chart = trend(&[week(0, 3, 10), week(1, 7, 0), week(2, 0, 20)]);
        // Max 20 over 4 ticks: a step of 5, axis 0..20.
        assert_eq!(
            chart.ticks.iter().map(|t| t.value).collect::<Vec<_>>(),
            vec![0, 5, 10, 15, 20]
        );
        assert_eq!(chart.ticks[0].y, chart.bottom);
        assert_eq!(chart.ticks[4].y, chart.top);
        let full = &chart.bars[2];
        assert_eq!((full.y, full.y + full.height), (chart.top, chart.bottom));
        assert_eq!(chart.bars[1].height, 0.0);
        assert!(chart.markers[0].x < chart.markers[1].x && chart.markers[1].x < chart.markers[2].x);
        assert_eq!(chart.markers[2].y, chart.bottom);
        assert_eq!(chart.line.split(' ').count(), 3);
        assert_eq!(
            chart.weeks.iter().map(|w| w.1).collect::<Vec<_>>(),
            vec![1, 2, 3]
        );
        // Bars stay inside the plot.
        assert!(
            chart
                .bars
                .iter()
                .all(|b| b.x >= chart.left && b.x + b.width <= chart.right)
        );
    }

    #[test]
    fn an_empty_or_quiet_team_still_draws_an_axis() {
        let chart = trend(&[]);
        assert!(chart.bars.is_empty() && chart.line.is_empty());
        assert_eq!(chart.ticks.last().map(|t| t.value), Some(4));
        let quiet = trend(&[week(0, 0, 0)]);
        assert_eq!(quiet.bars[0].height, 0.0);
    }
}
