#include "plot.hpp"

#include "process.hpp"

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace bnkit::capstone {

namespace {

std::string quoted(const std::string& s) {
  std::string out = "\"";
  for (const char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

std::string number(double v) {
  if (std::isnan(v) || std::isinf(v)) return "NaN";
  char buf[40];
  std::snprintf(buf, sizeof buf, "%.10g", v);
  return buf;
}

/// A gnuplot program on this machine that runs (PATH), or "".
std::string gnuplot_program() {
  for (const char* candidate : {"/usr/bin/gnuplot", "/usr/local/bin/gnuplot"}) {
    if (std::filesystem::exists(candidate)) return candidate;
  }
  return "";
}

}  // namespace

std::string gnuplot_script(const std::string& title, const std::vector<Panel>& panels, const std::string& output) {
  std::ostringstream s;
  const bool svg = output.size() > 4 && output.substr(output.size() - 4) == ".svg";
  const int width = 560 * static_cast<int>(panels.size());
  s << "# bnkit capstone: " << title << "\n";
  s << (svg ? "set terminal svg" : "set terminal pngcairo") << " size " << width << ",440 font \"sans,10\""
    << (svg ? " dynamic background rgb 'white'" : "") << "\n";
  s << "set output " << quoted(output) << "\n";
  for (std::size_t p = 0; p < panels.size(); ++p) {
    for (std::size_t i = 0; i < panels[p].series.size(); ++i) {
      s << "$p" << p << "s" << i << " << EOD\n";
      for (const auto& [x, y] : panels[p].series[i].points) s << number(x) << ' ' << number(y) << "\n";
      s << "EOD\n";
    }
  }
  s << "set multiplot layout 1," << panels.size() << " title " << quoted(title) << "\n";
  s << "set grid\nset key bottom right\nset datafile missing 'NaN'\n";
  for (std::size_t p = 0; p < panels.size(); ++p) {
    const Panel& panel = panels[p];
    s << "set title " << quoted(panel.title) << "\nset xlabel " << quoted(panel.xlabel) << "\nset ylabel "
      << quoted(panel.ylabel) << "\n";
    s << (panel.logx ? "set logscale x\n" : "unset logscale x\n") << (panel.logy ? "set logscale y\n" : "unset logscale y\n");
    if (panel.xtics.empty()) s << "set xtics autofreq\n";
    else {
      s << "set xtics (";
      for (std::size_t i = 0; i < panel.xtics.size(); ++i) s << (i ? ", " : "") << panel.xtics[i];
      s << ")\n";
    }
    s << "plot ";
    for (std::size_t i = 0; i < panel.series.size(); ++i) {
      s << (i ? ", \\\n     " : "") << "$p" << p << "s" << i << " using 1:2 with linespoints lw 2 pt 7 ps 0.6"
        << (panel.series[i].dashed ? " dt 2" : "") << " title " << quoted(panel.series[i].title);
    }
    if (panel.series.empty()) s << "NaN notitle";
    s << "\n";
  }
  s << "unset multiplot\n";
  return s.str();
}

PlotResult draw(const std::string& title, const std::vector<Panel>& panels, const std::string& base) {
  PlotResult result;
  const std::string gnuplot = gnuplot_program();
  if (gnuplot.empty()) {
    result.note = "gnuplot is not installed, so there are no plots (the CSV has every number; ./bnkit capstone "
                  "installs gnuplot-nox when run as root: sudo apt-get install -y gnuplot-nox)";
    return result;
  }
  const std::string log = base + ".gnuplot.log";
  for (const char* ext : {".png", ".svg"}) {
    const std::string script_path = base + (std::string(ext) == ".png" ? ".gp" : ".svg.gp");
    {
      std::ofstream script(script_path);
      script << gnuplot_script(title, panels, base + ext);
      if (!script) {
        result.note = "cannot write " + script_path;
        return result;
      }
    }
    const runner::ProcessOutcome outcome = runner::run_process({gnuplot, script_path}, log, 60.0);
    const std::string errors = runner::read_file(log, 4096);
    if (outcome.kind != runner::ProcessOutcome::Kind::kExited || outcome.code != 0 || !std::filesystem::exists(base + ext)) {
      result.note = "gnuplot could not draw " + base + ext + (errors.empty() ? "" : ":\n" + errors);
      return result;
    }
    result.files.push_back(base + ext);
    if (std::string(ext) == ".svg") std::filesystem::remove(script_path);  // the .gp script draws the PNG
  }
  std::filesystem::remove(log);
  result.drawn = true;
  return result;
}

}  // namespace bnkit::capstone
