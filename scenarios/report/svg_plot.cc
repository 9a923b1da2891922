#include "scenarios/report/svg_plot.h"

#include <algorithm>
#include <cmath>

#include "core/base/strings.h"
#include "scenarios/report/html_text.h"

namespace goose::scenarios {
namespace {

// Geometry of the viewBox (user units; the SVG scales to its container).
constexpr double kWidth = 600;
constexpr double kHeight = 240;
constexpr double kLeft = 78;  // room for y tick labels
constexpr double kRight = 16;
constexpr double kTop = 14;
constexpr double kBottom = 38;  // x tick labels and the axis title
constexpr double kPlotWidth = kWidth - kLeft - kRight;
constexpr double kPlotHeight = kHeight - kTop - kBottom;
// Past this many points the circles would blur into a band: draw the line only.
constexpr size_t kMaxCircles = 400;

constexpr const char* kPointColour = "#0969da";
constexpr const char* kLeakColour = "#cf222e";
constexpr const char* kFitColour = "#1a7f37";

std::string Coord(double v) { return FormatFixed(v, 2); }

// A linear map from [lo, hi] to pixel range [a, b].
struct Axis {
  double lo = 0, hi = 1, a = 0, b = 1;
  double operator()(double v) const { return a + (v - lo) / (hi - lo) * (b - a); }
};

}  // namespace

double TheilSenIntercept(std::span<const double> samples, double slope) {
  std::vector<double> residuals;
  residuals.reserve(samples.size());
  for (size_t i = 0; i < samples.size(); ++i) {
    if (std::isfinite(samples[i])) residuals.push_back(samples[i] - slope * static_cast<double>(i));
  }
  if (residuals.empty() || !std::isfinite(slope)) return std::nan("");
  std::sort(residuals.begin(), residuals.end());
  const size_t n = residuals.size();
  return n % 2 == 1 ? residuals[n / 2] : (residuals[n / 2 - 1] + residuals[n / 2]) / 2;
}

std::vector<double> NiceTicks(double lo, double hi, int target, double min_step) {
  if (target < 1) target = 1;
  double span = hi - lo;
  if (span <= 0) span = std::max(std::fabs(lo), 1.0);
  const double raw = span / target;
  const double power = std::pow(10.0, std::floor(std::log10(raw)));
  double step = power;
  for (const double m : {1.0, 2.0, 5.0, 10.0}) {
    step = m * power;
    if (step >= raw) break;
  }
  step = std::max(step, min_step);
  std::vector<double> ticks;
  const double first = std::floor(lo / step) * step;
  const double last = std::ceil(hi / step) * step;
  for (int i = 0; i <= 100; ++i) {
    const double t = first + i * step;
    if (t > last + step / 2) break;
    ticks.push_back(std::fabs(t) < step * 1e-9 ? 0.0 : t);
  }
  if (ticks.size() < 2) ticks.push_back(first + step);
  return ticks;
}

namespace {

// The y grid lines and their labels, each with the decimals the step needs
// ("2.85 MiB", "2.90 MiB"); `unit` follows every label when not empty.
std::string YAxis(const std::vector<double>& ticks, const Axis& y, const ByteScale& scale,
                  const std::string& unit) {
  std::string svg;
  const int decimals =
      std::clamp(static_cast<int>(-std::floor(std::log10(ticks[1] - ticks[0]) + 1e-9)), 0, 9);
  for (const double t : ticks) {
    const std::string py = Coord(y(t * scale.divisor));
    svg += "<line x1=\"" + Coord(kLeft) + "\" y1=\"" + py + "\" x2=\"" + Coord(kLeft + kPlotWidth) +
           "\" y2=\"" + py + "\" stroke=\"#eaeef2\" />";
    std::string label = FormatFixed(t == 0 ? 0.0 : t, decimals);
    if (!unit.empty()) label += " " + unit;
    svg += "<text x=\"" + Coord(kLeft - 6) + "\" y=\"" + Coord(y(t * scale.divisor) + 4) +
           "\" text-anchor=\"end\" font-size=\"11\" fill=\"#57606a\">" + HtmlEscape(label) +
           "</text>";
  }
  return svg;
}

// The x ticks at whole iterations of 1..n and the axis title.
std::string XAxis(const Axis& x, size_t n) {
  std::string svg;
  std::vector<double> x_ticks = NiceTicks(1, static_cast<double>(std::max<size_t>(n, 2)), 6, 1);
  for (const double t : x_ticks) {
    if (t < x.lo || t > x.hi || t != std::floor(t)) continue;  // whole iterations only
    const double px = x(t);
    svg += "<line x1=\"" + Coord(px) + "\" y1=\"" + Coord(kTop + kPlotHeight) + "\" x2=\"" +
           Coord(px) + "\" y2=\"" + Coord(kTop + kPlotHeight + 4) + "\" stroke=\"#57606a\" />";
    svg += "<text x=\"" + Coord(px) + "\" y=\"" + Coord(kTop + kPlotHeight + 16) +
           "\" text-anchor=\"middle\" font-size=\"11\" fill=\"#57606a\">" + FormatNumber(t, 6) +
           "</text>";
  }
  svg += "<text x=\"" + Coord(kLeft + kPlotWidth / 2) + "\" y=\"" + Coord(kHeight - 4) +
         "\" text-anchor=\"middle\" font-size=\"11\" fill=\"#57606a\">iteration</text>";
  return svg;
}

// The samples: a thin line through consecutive finite points, then the
// points themselves when `circles`.
std::string Samples(const std::vector<double>& samples, const Axis& x, const Axis& y,
                    bool circles) {
  std::string path;
  bool pen_down = false;
  for (size_t i = 0; i < samples.size(); ++i) {
    const double v = samples[i];
    if (!std::isfinite(v)) {
      pen_down = false;
      continue;
    }
    path += (pen_down ? " L" : (path.empty() ? "M" : " M")) + Coord(x(static_cast<double>(i + 1))) +
            " " + Coord(y(v));
    pen_down = true;
  }
  std::string svg = "<path d=\"" + path + "\" fill=\"none\" stroke=\"" + kPointColour +
                    "\" stroke-opacity=\"0.45\" stroke-width=\"1\" />";
  if (!circles) return svg;
  for (size_t i = 0; i < samples.size(); ++i) {
    const double v = samples[i];
    if (!std::isfinite(v)) continue;
    svg += "<circle class=\"pt\" cx=\"" + Coord(x(static_cast<double>(i + 1))) + "\" cy=\"" +
           Coord(y(v)) + "\" r=\"2.5\" fill=\"" + kPointColour + "\" />";
  }
  return svg;
}

}  // namespace

std::string RenderSvgPlot(const PlotSeries& series) {
  const size_t n = series.samples.size();
  std::string svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"plot\" viewBox=\"0 0 " +
                    Coord(kWidth) + " " + Coord(kHeight) + "\" role=\"img\" aria-label=\"" +
                    HtmlEscape(series.name) + " per iteration\"><title>" + HtmlEscape(series.name) +
                    " per iteration</title>";
  svg += "<rect x=\"" + Coord(kLeft) + "\" y=\"" + Coord(kTop) + "\" width=\"" + Coord(kPlotWidth) +
         "\" height=\"" + Coord(kPlotHeight) + "\" fill=\"#fafbfc\" stroke=\"#d0d7de\" />";

  double y_lo = INFINITY, y_hi = -INFINITY;
  size_t finite = 0;
  for (const double v : series.samples) {
    if (!std::isfinite(v)) continue;
    ++finite;
    y_lo = std::min(y_lo, v);
    y_hi = std::max(y_hi, v);
  }
  if (finite == 0) {
    svg += "<text x=\"" + Coord(kLeft + kPlotWidth / 2) + "\" y=\"" +
           Coord(kTop + kPlotHeight / 2) +
           "\" text-anchor=\"middle\" font-size=\"14\" fill=\"#57606a\">no samples</text></svg>";
    return svg;
  }

  // The fitted line, over the measured iterations 1..n (x = i + 1).
  std::optional<std::pair<double, double>> fit;  // y at the first and last iteration
  if (series.slope && std::isfinite(*series.slope)) {
    const double intercept = TheilSenIntercept(series.samples, *series.slope);
    if (std::isfinite(intercept)) {
      fit = {intercept, intercept + *series.slope * static_cast<double>(n - 1)};
      y_lo = std::min({y_lo, fit->first, fit->second});
      y_hi = std::max({y_hi, fit->first, fit->second});
    }
  }

  // Y axis: bytes scaled to KiB/MiB/GiB, ticks on round values of that unit.
  const bool bytes = series.unit == "B";
  const ByteScale scale =
      bytes ? ByteScaleFor(std::max(std::fabs(y_lo), std::fabs(y_hi))) : ByteScale{1, ""};
  if (y_hi - y_lo < 1e-9 * std::max(1.0, std::fabs(y_hi))) {  // flat: give it some room
    const double pad = std::max(std::fabs(y_hi) * 0.05, bytes ? scale.divisor : 1.0);
    y_lo -= pad;
    y_hi += pad;
  }
  const std::vector<double> y_ticks =
      NiceTicks(y_lo / scale.divisor, y_hi / scale.divisor, 5, bytes ? 0.0 : 1.0);
  const Axis y{y_ticks.front() * scale.divisor, y_ticks.back() * scale.divisor, kTop + kPlotHeight,
               kTop};
  const Axis x{n > 1 ? 1.0 : 0.5, n > 1 ? static_cast<double>(n) : 1.5, kLeft, kLeft + kPlotWidth};

  svg += YAxis(y_ticks, y, scale, bytes ? scale.unit : series.unit);
  svg += XAxis(x, n);
  svg += Samples(series.samples, x, y, finite <= kMaxCircles);
  if (fit) {
    svg += "<line class=\"fit\" x1=\"" + Coord(x(1)) + "\" y1=\"" + Coord(y(fit->first)) +
           "\" x2=\"" + Coord(x(static_cast<double>(n))) + "\" y2=\"" + Coord(y(fit->second)) +
           "\" stroke=\"" + (series.leak ? kLeakColour : kFitColour) +
           "\" stroke-width=\"2\" stroke-opacity=\"0.9\" stroke-dasharray=\"6 3\" />";
  }
  svg += "</svg>";
  return svg;
}

}  // namespace goose::scenarios
