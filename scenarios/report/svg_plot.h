// One series of a leak report as an inline SVG plot: the sample of every
// measured iteration (points joined by a thin line), axes with tick labels
// in human units (KiB/MiB for bytes), and the fitted Theil-Sen line
// (the slope the runner judged, through the Theil-Sen intercept computed
// here) drawn over the points, red when the series leaks.
//
// The SVG scales to its container (viewBox, no fixed width) and needs no
// script or external style: colours are attributes.

#ifndef GOOSE_SCENARIOS_REPORT_SVG_PLOT_H_
#define GOOSE_SCENARIOS_REPORT_SVG_PLOT_H_

#include <optional>
#include <span>
#include <string>
#include <vector>

namespace goose::scenarios {

struct PlotSeries {
  std::string name;             // shown in the plot's title ("heap_bytes")
  std::string unit;             // "B" for bytes (ticks in KiB/MiB), else "" or a unit
  std::vector<double> samples;  // one per measured iteration; NaN: missing
  std::optional<double> slope;  // per iteration; nullopt: no fitted line
  bool leak = false;            // colours the fitted line
};

// The Theil-Sen intercept for `slope` over y[i] at x = i: the median of
// y[i] - slope * i over the finite samples. NaN when there is none.
double TheilSenIntercept(std::span<const double> samples, double slope);

// Round tick values (1, 2 or 5 times a power of ten) covering [lo, hi]
// with about `target` ticks, from the first multiple of the step at or
// below lo to the first at or above hi; the step is at least `min_step`
// (1 for counts, which are whole numbers). REQUIRES: lo <= hi, both finite.
std::vector<double> NiceTicks(double lo, double hi, int target, double min_step = 0);

// The plot as an <svg> element. Points are <circle class="pt">, the fitted
// line is <line class="fit">; a series without finite samples renders a
// plot that says so.
std::string RenderSvgPlot(const PlotSeries& series);

}  // namespace goose::scenarios

#endif  // GOOSE_SCENARIOS_REPORT_SVG_PLOT_H_
