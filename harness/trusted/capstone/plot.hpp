// The plots of `./bnkit capstone`: PNG and SVG through gnuplot (Debian's gnuplot-nox has
// the pngcairo and svg terminals). The script is kept beside them (NAME.gp), with the
// data inline, so a plot can be restyled and redrawn with `gnuplot NAME.gp`.
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace bnkit::capstone {

struct Series {
  std::string title;
  std::vector<std::pair<double, double>> points;  ///< (x, y); NaN y leaves a gap
  bool dashed = false;
};

struct Panel {
  std::string title, xlabel, ylabel;
  bool logx = false, logy = false;
  std::vector<Series> series;
  std::vector<std::string> xtics;  ///< "label x" pairs for a categorical axis (empty: numeric)
};

/// The gnuplot script that draws `panels` side by side into OUTPUT (a .png or .svg, by its
/// extension), with `title` above them.
std::string gnuplot_script(const std::string& title, const std::vector<Panel>& panels, const std::string& output);

struct PlotResult {
  bool drawn = false;
  std::vector<std::string> files;  ///< written (png, svg)
  std::string note;                ///< why not, when not drawn
};

/// Writes BASE.gp and draws BASE.png and BASE.svg. Without gnuplot (or without its cairo
/// terminal), draws nothing and says so in `note`.
PlotResult draw(const std::string& title, const std::vector<Panel>& panels, const std::string& base);

}  // namespace bnkit::capstone
