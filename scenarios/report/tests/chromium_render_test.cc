// The HTML report in a real browser: headless Chromium renders it to a
// screenshot in a 1280 px wide window, which must not be blank and must
// show both verdict colours, and the page must log nothing to the console.
// Two pages prove the checks can fail: one with a deliberate script error,
// one blank. A leak-gate page with 56 hostile cases must open with the
// verdicts, keep the hostile table collapsed below them, and fit the
// window with that table open too (a script measures the layout).
//
// Console: Chromium's `--enable-logging --log-file=FILE --v=0` writes every
// console message of the page (uncaught errors, console.error, failed
// resource loads) as an "INFO:CONSOLE" line to FILE. A log file of our own
// keeps the browser's unrelated stderr noise (D-Bus, GPU) out of the check.
// Screenshot: `--screenshot=FILE` writes a PNG, decoded with libpng.

#include <gtest/gtest.h>
#include <png.h>
#include <poll.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "core/base/json.h"
#include "core/extensions/child_process.h"
#include "harness/test_util.h"
#include "scenarios/report/html_report.h"
#include "scenarios/report/tests/sample_report.h"

namespace goose::scenarios {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

// Chromium starts in about 3 s here; a loaded CI machine gets plenty more.
constexpr auto kRenderTimeout = std::chrono::seconds(60);

std::optional<fs::path> FindChromium() {
  const char* path = std::getenv("PATH");
  std::istringstream dirs(path ? path : "/usr/bin:/bin");
  std::string dir;
  while (std::getline(dirs, dir, ':')) {
    for (const char* name : {"chromium", "chromium-browser"}) {
      const fs::path candidate = fs::path(dir.empty() ? "." : dir) / name;
      if (::access(candidate.c_str(), X_OK) == 0) return candidate;
    }
  }
  return std::nullopt;
}

struct Rendered {
  std::vector<std::string> console;  // the page's console messages
  fs::path screenshot;
};

// The window: a laptop's 1280 px, the width the report must fit.
constexpr int kWindowWidth = 1280;
constexpr int kWindowHeight = 2000;

// Renders `html` (a file) at kWindowWidth x kWindowHeight into
// dir/<stem>.png. Fails the calling test (and returns nullopt) when
// Chromium fails or hangs.
std::optional<Rendered> Render(const fs::path& chromium, const fs::path& html,
                               const fs::path& dir) {
  const fs::path png = dir / (html.stem().string() + ".png");
  const fs::path log = dir / (html.stem().string() + ".log");
  const fs::path profile = dir / (html.stem().string() + "-profile");
  const std::vector<std::string> argv = {
      chromium.string(),
      "--headless=new",
      "--no-sandbox",
      "--disable-gpu",
      "--no-first-run",
      "--user-data-dir=" + profile.string(),
      "--enable-logging",
      "--log-file=" + log.string(),
      "--v=0",
      "--screenshot=" + png.string(),
      "--window-size=" + std::to_string(kWindowWidth) + "," + std::to_string(kWindowHeight),
      "file://" + html.string()};
  SpawnOptions options;
  options.name = "chromium";
  options.stderr_log.log = false;  // D-Bus noise; quoted on failure only
  Result<std::unique_ptr<ChildProcess>> spawned = ChildProcess::Spawn(argv, {}, options);
  if (!spawned.ok()) {
    ADD_FAILURE() << spawned.status().ToString();
    return std::nullopt;
  }
  ChildProcess& child = **spawned;
  child.RequestStop();  // it reads nothing
  // Drain stdout (so the browser never blocks on it) until it exits.
  const Clock::time_point deadline = Clock::now() + kRenderTimeout;
  char buffer[4096];
  while (!child.HasExited() && Clock::now() < deadline) {
    pollfd fds[2] = {{child.stdout_fd(), POLLIN, 0}, {child.exit_fd(), POLLIN, 0}};
    if (::poll(fds, 2, 200) > 0 && (fds[0].revents & (POLLIN | POLLHUP)) != 0) {
      if (::read(child.stdout_fd(), buffer, sizeof buffer) == 0) fds[0].fd = -1;
    }
  }
  const bool timed_out = !child.HasExited();
  const ExitStatus status = child.AwaitStop(Clock::now() + std::chrono::seconds(2));
  if (timed_out || status.exit_code != 0 || status.signal != 0) {
    ADD_FAILURE() << "chromium " << (timed_out ? "timed out" : "failed") << " ("
                  << status.ToString() << "): " << child.StderrShortTail(4096);
    return std::nullopt;
  }
  Rendered rendered{{}, png};
  std::ifstream lines(log);
  for (std::string line; std::getline(lines, line);) {
    if (line.find(":CONSOLE") != std::string::npos) rendered.console.push_back(line);
  }
  return rendered;
}

struct Rgb {
  uint8_t r, g, b;
  bool operator<(const Rgb& o) const { return std::tie(r, g, b) < std::tie(o.r, o.g, o.b); }
};

struct ScreenshotStats {
  size_t pixels = 0;
  size_t background = 0;  // pixels of the most common colour
  std::map<Rgb, size_t> colours;
  size_t Count(Rgb c) const {
    const auto it = colours.find(c);
    return it == colours.end() ? 0 : it->second;
  }
  // Not blank: at least 2% of the pixels differ from the background (a
  // report is tables, plots and text over a whole screen).
  bool Blank() const { return pixels == 0 || (pixels - background) * 50 < pixels; }
};

std::optional<ScreenshotStats> Analyze(const fs::path& png) {
  png_image image{};
  image.version = PNG_IMAGE_VERSION;
  if (png_image_begin_read_from_file(&image, png.c_str()) == 0) {
    ADD_FAILURE() << "cannot read " << png << ": " << image.message;
    return std::nullopt;
  }
  image.format = PNG_FORMAT_RGB;
  std::vector<uint8_t> rgb(PNG_IMAGE_SIZE(image));
  if (png_image_finish_read(&image, nullptr, rgb.data(), 0, nullptr) == 0) {
    ADD_FAILURE() << "cannot decode " << png << ": " << image.message;
    return std::nullopt;
  }
  ScreenshotStats stats;
  stats.pixels = static_cast<size_t>(image.width) * image.height;
  for (size_t i = 0; i + 2 < rgb.size(); i += 3) ++stats.colours[{rgb[i], rgb[i + 1], rgb[i + 2]}];
  for (const auto& [colour, n] : stats.colours) stats.background = std::max(stats.background, n);
  return stats;
}

class ChromiumRender : public ::testing::Test {
 protected:
  void SetUp() override {
    std::optional<fs::path> found = FindChromium();
    if (!found) GOOSE_SKIP_UNLESS_CI("chromium is not installed; ci/install-deps installs it");
    chromium_ = *found;
  }

  fs::path Write(const std::string& name, const std::string& html) {
    const fs::path path = dir_.path() / name;
    goose::testing::WriteWholeFile(path, html);
    return path;
  }

  fs::path chromium_;
  goose::testing::ScopedTempDir dir_;
};

// The verdict badges' colours (html_report.cc): solid fills, so their
// inner pixels keep the exact colour.
constexpr Rgb kLeakRed{0xcf, 0x22, 0x2e};
constexpr Rgb kCleanGreen{0x1a, 0x7f, 0x37};

TEST_F(ChromiumRender, SampleReportShowsBothVerdictsWithoutConsoleErrors) {
  const fs::path html = Write("report.html", RenderHtmlReport(testing::SampleReport()));
  std::optional<Rendered> rendered = Render(chromium_, html, dir_.path());
  ASSERT_TRUE(rendered);
  EXPECT_TRUE(rendered->console.empty()) << rendered->console.front();
  std::optional<ScreenshotStats> stats = Analyze(rendered->screenshot);
  ASSERT_TRUE(stats);
  EXPECT_EQ(stats->pixels, static_cast<size_t>(kWindowWidth) * kWindowHeight);
  EXPECT_FALSE(stats->Blank()) << (stats->pixels - stats->background) << " of " << stats->pixels
                               << " pixels differ from the background";
  // Leak and clean sections are both drawn: badges, borders, fitted lines.
  EXPECT_GT(stats->Count(kLeakRed), 500u);
  EXPECT_GT(stats->Count(kCleanGreen), 500u);
  // Text, plots and tables make many distinct colours (anti-aliasing).
  EXPECT_GT(stats->colours.size(), 50u);
}

// Measures the page as laid out in the window and logs it to the console
// as one "LAYOUT {json}" line: the page's width, whether the hostile table
// is collapsed, whether the verdict table comes before it, and then, with
// the hostile table opened, the page's width again and every table wider
// than its box (which would scroll sideways, its figures off screen).
constexpr const char* kLayoutProbe = R"js(<script>
(function () {
  var page = document.documentElement;
  var verdicts = document.querySelector('table.verdicts');
  var peaks = document.querySelector('table.peaks');
  var details = document.querySelector('details.peaks');
  var layout = {
    width_collapsed: page.scrollWidth,
    collapsed: details !== null && !details.open,
    verdicts_first: verdicts !== null && peaks !== null &&
        (verdicts.compareDocumentPosition(peaks) & Node.DOCUMENT_POSITION_FOLLOWING) !== 0,
    verdicts_top: verdicts ? verdicts.getBoundingClientRect().top : -1
  };
  if (details) details.open = true;
  layout.width_open = page.scrollWidth;
  layout.peaks_top = peaks ? peaks.getBoundingClientRect().top : -1;
  layout.too_wide = [];
  document.querySelectorAll('.wrap').forEach(function (box) {
    if (box.scrollWidth > box.clientWidth) {
      layout.too_wide.push(box.firstElementChild.className + ' ' + box.scrollWidth + ' > ' +
                           box.clientWidth);
    }
  });
  console.log('LAYOUT ' + JSON.stringify(layout));
})();
</script>
)js";

// The JSON of the "LAYOUT {...}" console line; null when there is none.
Json LayoutOf(const Rendered& rendered) {
  for (const std::string& line : rendered.console) {
    const size_t start = line.find("LAYOUT {");
    const size_t end = line.rfind('}');
    if (start != std::string::npos && end != std::string::npos && end > start) {
      return Json::parse(line.substr(start + 7, end - start - 6), nullptr, false);
    }
  }
  return nullptr;
}

TEST_F(ChromiumRender, GateReportOpensWithTheVerdictsAndFitsA1280PxWindow) {
  const std::string page = RenderHtmlReport(testing::SampleGateReport());
  const size_t body_end = page.rfind("</body>");
  ASSERT_NE(body_end, std::string::npos);
  const fs::path html =
      Write("gates.html", page.substr(0, body_end) + kLayoutProbe + page.substr(body_end));
  std::optional<Rendered> rendered = Render(chromium_, html, dir_.path());
  ASSERT_TRUE(rendered);
  const Json layout = LayoutOf(*rendered);
  ASSERT_TRUE(layout.is_object()) << "no layout line in the console: "
                                  << (rendered->console.empty() ? "" : rendered->console[0]);
  EXPECT_EQ(layout["verdicts_first"], true) << JsonDump(layout);
  EXPECT_EQ(layout["collapsed"], true) << JsonDump(layout);
  // The verdicts are on the first screen.
  EXPECT_GT(layout["verdicts_top"].get<double>(), 0) << JsonDump(layout);
  EXPECT_LT(layout["verdicts_top"].get<double>(), 1000) << JsonDump(layout);
  EXPECT_LT(layout["verdicts_top"].get<double>(), layout["peaks_top"].get<double>());
  // No horizontal overflow of the page, collapsed or open, and no table
  // that scrolls sideways.
  EXPECT_LE(layout["width_collapsed"].get<int>(), kWindowWidth) << JsonDump(layout);
  EXPECT_LE(layout["width_open"].get<int>(), kWindowWidth) << JsonDump(layout);
  EXPECT_TRUE(layout["too_wide"].empty()) << JsonDump(layout);
}

TEST_F(ChromiumRender, ConsoleCheckCatchesAScriptError) {
  const fs::path html = Write("broken.html", RenderHtmlReport(testing::SampleReport()) +
                                                 "<script>notDefinedAnywhere();</script>\n");
  std::optional<Rendered> rendered = Render(chromium_, html, dir_.path());
  ASSERT_TRUE(rendered);
  ASSERT_EQ(rendered->console.size(), 1u);
  EXPECT_NE(rendered->console[0].find("Uncaught ReferenceError: notDefinedAnywhere"),
            std::string::npos)
      << rendered->console[0];
}

TEST_F(ChromiumRender, BlankCheckCatchesABlankPage) {
  const fs::path html = Write(
      "blank.html", "<!DOCTYPE html>\n<html><head><title>x</title></head><body></body></html>\n");
  std::optional<Rendered> rendered = Render(chromium_, html, dir_.path());
  ASSERT_TRUE(rendered);
  EXPECT_TRUE(rendered->console.empty());
  std::optional<ScreenshotStats> stats = Analyze(rendered->screenshot);
  ASSERT_TRUE(stats);
  EXPECT_TRUE(stats->Blank());
  EXPECT_EQ(stats->Count(kLeakRed), 0u);
}

}  // namespace
}  // namespace goose::scenarios
