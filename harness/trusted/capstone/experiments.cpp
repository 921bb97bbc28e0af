#include "experiments.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <functional>
#include <map>
#include <sstream>

namespace bnkit::capstone {

namespace {

/// The recipe every run starts from: the notes' model (dropout 0.3, BatchNorm before the
/// ReLU), plain SGD at lr 0.1, weight decay 1e-4 on the Linear weights only, batch 32.
RunSpec base(const Overrides& o, const std::string& model, int epochs, long train_limit) {
  RunSpec r;
  r.model = model;
  r.norm = model == "BatchNorm" ? "batch" : model == "LayerNorm" ? "layer" : "none";
  r.label = model;
  r.epochs = o.epochs.value_or(epochs);
  r.batch_size = o.batch_size.value_or(32);
  r.lr = o.lr.value_or(0.1);
  r.seed = o.seed;
  r.train_limit = o.train_limit.value_or(train_limit);
  r.test_limit = o.test_limit.value_or(0);
  return r;
}

std::string thousands(long n) {
  std::string s = std::to_string(n);
  for (int i = static_cast<int>(s.size()) - 3; i > 0; i -= 3) s.insert(static_cast<std::size_t>(i), ",");
  return s;
}

std::string describe_defaults(const RunSpec& r) {
  return std::to_string(r.epochs) + (r.epochs == 1 ? " epoch" : " epochs") + ", " +
         (r.train_limit > 0 ? "the first " + thousands(r.train_limit) + " training images" : "all training images") +
         ", batch " + std::to_string(r.batch_size) + ", lr " + short_number(r.lr) + ", weight decay " +
         short_number(r.weight_decay) + ", seed " + std::to_string(r.seed);
}

struct Definition {
  std::string claim;
  const char* swept = nullptr;  ///< the flag it sweeps ("--lr"), refused as an override
  std::function<std::vector<RunSpec>(const Overrides&)> runs;
};

const std::vector<double> kLearningRates = {0.03, 0.1, 0.3, 1.0, 3.0};
const std::vector<double> kInitScales = {0.01, 0.1, 0.3, 1.0, 3.0, 10.0};
const std::vector<long> kBatchSizes = {2, 8, 32, 128};
const std::vector<long> kTrainModeBatches = {1, 2, 4, 8, 16, 32, 64};
const std::vector<double> kDropouts = {0.0, 0.1, 0.3, 0.5};
const std::vector<double> kDecays = {1e-4, 1e-3, 1e-2};

const std::map<std::string, Definition>& definitions() {
  static const std::map<std::string, Definition> table = {
      {"lr",
       {"BatchNorm tolerates higher learning rates: the plain model stops learning (or diverges) first", "--lr",
        [](const Overrides& o) {
          std::vector<RunSpec> runs;
          for (const double lr : kLearningRates) {
            for (const char* model : {"BatchNorm", "plain"}) {
              RunSpec r = base(o, model, 2, 0);
              r.lr = lr;
              r.label = std::string(model) + " lr=" + short_number(lr);
              runs.push_back(r);
            }
          }
          return runs;
        }}},
      {"init",
       {"BatchNorm makes training insensitive to the initial weight scale (CS231n's sweep)", nullptr,
        [](const Overrides& o) {
          std::vector<RunSpec> runs;
          for (const double s : kInitScales) {
            for (const char* model : {"BatchNorm", "plain"}) {
              RunSpec r = base(o, model, 2, 0);
              r.init_scale = s;
              r.label = std::string(model) + " init x" + short_number(s);
              runs.push_back(r);
            }
          }
          return runs;
        }}},
      {"batch",
       {"small batches hurt BatchNorm (its statistics get noisy); LayerNorm and the plain model do not care (lr scaled with the batch: lr x B/32)", "--batch-size",
        [](const Overrides& o) {
          std::vector<RunSpec> runs;
          for (const long b : kBatchSizes) {
            for (const char* model : {"BatchNorm", "plain", "LayerNorm"}) {
              RunSpec r = base(o, model, 3, 10000);
              r.batch_size = b;
              r.lr = r.lr * static_cast<double>(b) / 32.0;  // the linear scaling rule: the same lr per sample
              r.label = std::string(model) + " batch " + std::to_string(b);
              runs.push_back(r);
            }
          }
          return runs;
        }}},
      {"placement",
       {"BatchNorm before the ReLU (the paper, the notes) vs after it", nullptr,
        [](const Overrides& o) {
          RunSpec before = base(o, "BatchNorm", 4, 0), after = before, plain = base(o, "plain", 4, 0);
          before.label = "BatchNorm before ReLU";
          after.placement = "after";
          after.label = "BatchNorm after ReLU";
          return std::vector<RunSpec>{before, after, plain};
        }}},
      {"eval",
       {"forgetting eval(): in train mode the model normalises with each test batch's own statistics; "
        "small test batches cost accuracy, and a batch of one is refused",
        nullptr,
        [](const Overrides& o) {
          RunSpec r = base(o, "BatchNorm", 3, 0);
          r.train_mode_eval = kTrainModeBatches;
          return std::vector<RunSpec>{r};
        }}},
      {"dropout",
       {"with BatchNorm, how much Dropout still helps (BatchNorm regularises a little by itself)", nullptr,
        [](const Overrides& o) {
          std::vector<RunSpec> runs;
          for (const double p : kDropouts) {
            for (const char* model : {"BatchNorm", "plain"}) {
              RunSpec r = base(o, model, 8, 10000);
              r.dropout = p;
              r.label = std::string(model) + " dropout " + short_number(p);
              runs.push_back(r);
            }
          }
          return runs;
        }}},
      {"decay",
       {"weight decay on gamma/beta (what torch.optim.SGD(model.parameters()) does) vs excluded (the notes' two groups)", nullptr,
        [](const Overrides& o) {
          std::vector<RunSpec> runs;
          for (const double wd : kDecays) {
            for (const bool all : {false, true}) {
              RunSpec r = base(o, "BatchNorm", 3, 20000);
              r.weight_decay = wd;
              r.decay_all = all;
              r.label = "BatchNorm wd=" + short_number(wd) + (all ? " on gamma/beta too" : " weights only");
              runs.push_back(r);
            }
          }
          return runs;
        }}},
  };
  return table;
}

// ---- reading results -------------------------------------------------------------------

const RunResult* find(const std::vector<RunResult>& results, const std::function<bool(const RunSpec&)>& match) {
  for (const RunResult& r : results) {
    if (match(r.spec)) return &r;
  }
  return nullptr;
}

/// The last test accuracy (or "-" / the reason there is none).
std::string accuracy_cell(const RunResult* r) {
  if (!r) return "-";
  if (r->status == RunResult::Status::kSkipped) return "skipped";
  if (r->status == RunResult::Status::kFailed) return "failed";
  if (r->epochs.empty()) return r->status == RunResult::Status::kStopped ? "stopped" : "-";
  return fixed(r->epochs.back().test_accuracy, 3);
}

std::string loss_cell(const RunResult* r) {
  if (!r || r->epochs.empty()) return r && r->status == RunResult::Status::kSkipped ? "skipped" : "-";
  if (r->diverged()) return "NaN (diverged, epoch " + std::to_string(r->epochs.back().epoch) + ")";
  return fixed(r->epochs.back().train_loss, 3);
}

double final_accuracy(const RunResult* r) { return r && !r->epochs.empty() ? r->epochs.back().test_accuracy : NAN; }
double final_loss(const RunResult* r) { return r && !r->epochs.empty() ? r->epochs.back().train_loss : NAN; }

/// A run "trains" when its loss stayed finite and it beat guessing clearly.
bool trains(const RunResult* r) {
  return r && !r->epochs.empty() && !r->diverged() && r->epochs.back().test_accuracy > 0.5;
}

/// A sweep's table: one row per value of x, "loss / accuracy" columns per model.
template <typename X>
std::string sweep_table(const std::vector<RunResult>& results, const std::string& xname, const std::vector<X>& xs,
                        const std::function<X(const RunSpec&)>& x_of, const std::vector<std::string>& models,
                        const std::function<std::string(X)>& x_text) {
  std::vector<std::string> header = {xname};
  for (const std::string& m : models) {
    header.push_back(m + " loss");
    header.push_back(m + " test acc");
  }
  std::vector<std::vector<std::string>> rows;
  for (const X x : xs) {
    std::vector<std::string> row = {x_text(x)};
    for (const std::string& m : models) {
      const RunResult* r = find(results, [&](const RunSpec& s) { return s.model == m && x_of(s) == x; });
      row.push_back(loss_cell(r));
      row.push_back(accuracy_cell(r));
    }
    rows.push_back(row);
  }
  return format_table(header, rows);
}

template <typename X>
Series sweep_series(const std::vector<RunResult>& results, const std::string& model, const std::vector<X>& xs,
                    const std::function<X(const RunSpec&)>& x_of, bool loss, const std::string& title = "") {
  Series s{title.empty() ? model : title, {}, false};
  for (const X x : xs) {
    const RunResult* r = find(results, [&](const RunSpec& spec) { return spec.model == model && x_of(spec) == x; });
    if (r && !r->epochs.empty()) s.points.emplace_back(static_cast<double>(x), loss ? final_loss(r) : final_accuracy(r));
  }
  return s;
}

/// Curves over epochs, one series per run.
Panel curves(const std::vector<RunResult>& results, bool loss) {
  Panel p{loss ? "training loss" : "test accuracy", "epoch", loss ? "mean training loss (log scale)" : "test accuracy",
          false, loss, {}, {}};
  int epochs = 0;
  for (const RunResult& r : results) epochs = std::max(epochs, static_cast<int>(r.epochs.size()));
  for (int e = 1; e <= epochs && epochs <= 20; ++e) p.xtics.push_back("\"" + std::to_string(e) + "\" " + std::to_string(e));
  for (const RunResult& r : results) {
    Series s{r.spec.label, {}, r.spec.model == "plain"};
    for (const EpochResult& e : r.epochs) s.points.emplace_back(e.epoch, loss ? e.train_loss : e.test_accuracy);
    p.series.push_back(s);
  }
  return p;
}

/// The largest x whose run trains, as text ("none").
template <typename X>
std::string largest_training(const std::vector<RunResult>& results, const std::string& model, const std::vector<X>& xs,
                             const std::function<X(const RunSpec&)>& x_of) {
  std::string best = "none";
  for (const X x : xs) {
    const RunResult* r = find(results, [&](const RunSpec& s) { return s.model == model && x_of(s) == x; });
    if (trains(r)) best = short_number(static_cast<double>(x));
  }
  return best;
}

double lr_of(const RunSpec& s) { return s.lr; }
double init_of(const RunSpec& s) { return s.init_scale; }
long batch_of(const RunSpec& s) { return s.batch_size; }
double dropout_of(const RunSpec& s) { return s.dropout; }
std::string num_text(double x) { return short_number(x); }
std::string long_text(long x) { return std::to_string(x); }

}  // namespace

std::string fixed(double v, int digits) {
  if (std::isnan(v)) return "-";
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", digits, v);
  return buf;
}

std::string format_table(const std::vector<std::string>& header, const std::vector<std::vector<std::string>>& rows,
                         const std::string& indent) {
  std::vector<std::size_t> width(header.size(), 0);
  auto cells = [](const std::string& s) {  // display width: UTF-8 continuation bytes take no cell
    std::size_t n = 0;
    for (const unsigned char c : s) n += (c & 0xC0) != 0x80;
    return n;
  };
  for (std::size_t c = 0; c < header.size(); ++c) width[c] = cells(header[c]);
  for (const auto& row : rows) {
    for (std::size_t c = 0; c < row.size() && c < width.size(); ++c) width[c] = std::max(width[c], cells(row[c]));
  }
  std::ostringstream out;
  auto line = [&](const std::vector<std::string>& row) {
    out << indent;
    for (std::size_t c = 0; c < width.size(); ++c) {
      const std::string cell = c < row.size() ? row[c] : "";
      const std::string pad(width[c] - std::min(width[c], cells(cell)), ' ');
      out << (c ? "  " : "") << (c == 0 ? cell + pad : pad + cell);
    }
    out << "\n";
  };
  line(header);
  std::vector<std::string> rule;
  for (const std::size_t w : width) rule.emplace_back(w, '-');
  line(rule);
  for (const auto& row : rows) line(row);
  return out.str();
}

const std::vector<std::string>& experiment_names() {
  static const std::vector<std::string> names = {"lr", "init", "batch", "placement", "eval", "dropout", "decay"};
  return names;
}

std::string experiment_list() {
  std::string out;
  for (const std::string& name : experiment_names()) {
    std::string padded = name;
    padded.resize(11, ' ');
    out += "  " + padded + definitions().at(name).claim + "\n";
  }
  return out;
}

Plan main_plan(const Overrides& o) {
  Plan plan;
  plan.name = "capstone";
  plan.claim = "BatchNorm trains the notes' MLP faster and to a better test accuracy than the same MLP without it";
  plan.runs = {base(o, "BatchNorm", 5, 0), base(o, "plain", 5, 0)};
  plan.defaults = describe_defaults(plan.runs.front());
  return plan;
}

std::optional<Plan> experiment_plan(const std::string& name, const Overrides& o, std::string& error) {
  const auto it = definitions().find(name);
  if (it == definitions().end()) {
    error = "unknown experiment '" + name + "'. Valid experiments:\n" + experiment_list();
    return std::nullopt;
  }
  const Definition& d = it->second;
  if (d.swept && ((std::string(d.swept) == "--lr" && o.lr) || (std::string(d.swept) == "--batch-size" && o.batch_size))) {
    error = std::string(d.swept) + " does not go with --experiment " + name + ": the experiment sweeps it";
    return std::nullopt;
  }
  Plan plan;
  plan.name = name;
  plan.claim = d.claim;
  plan.runs = d.runs(o);
  RunSpec shown = plan.runs.front();
  plan.defaults = describe_defaults(shown);
  if (name == "lr") plan.defaults += " (swept: 0.03 to 3)";
  return plan;
}

std::string summary(const Plan& plan, const std::vector<RunResult>& results) {
  std::ostringstream out;
  const std::vector<std::string> two = {"BatchNorm", "plain"};
  if (plan.name == "capstone") {
    const RunResult* bn = find(results, [](const RunSpec& s) { return s.model == "BatchNorm"; });
    const RunResult* plain = find(results, [](const RunSpec& s) { return s.model == "plain"; });
    if (bn && plain && !bn->epochs.empty() && !plain->epochs.empty()) {
      const std::size_t n = std::min(bn->epochs.size(), plain->epochs.size());
      out << "  after " << n << (n == 1 ? " epoch" : " epochs") << ": test accuracy " << fixed(bn->epochs[n - 1].test_accuracy, 3)
          << " with BatchNorm, " << fixed(plain->epochs[n - 1].test_accuracy, 3) << " without ("
          << (bn->epochs[n - 1].test_accuracy >= plain->epochs[n - 1].test_accuracy ? "+" : "")
          << fixed(100 * (bn->epochs[n - 1].test_accuracy - plain->epochs[n - 1].test_accuracy), 1)
          << " points); training loss " << fixed(bn->epochs[n - 1].train_loss, 3) << " vs "
          << fixed(plain->epochs[n - 1].train_loss, 3) << "\n";
    }
  } else if (plan.name == "lr") {
    out << sweep_table<double>(results, "lr", kLearningRates, lr_of, two, num_text);
    out << "\n  highest learning rate that still trains (finite loss, test accuracy > 0.5): BatchNorm "
        << largest_training<double>(results, "BatchNorm", kLearningRates, lr_of) << ", plain "
        << largest_training<double>(results, "plain", kLearningRates, lr_of) << "\n";
  } else if (plan.name == "init") {
    out << sweep_table<double>(results, "init scale", kInitScales, init_of, two,
                               [](double x) { return "x" + short_number(x); });
    auto spread = [&](const std::string& model) {
      double lo = 1, hi = 0;
      for (const double s : kInitScales) {
        const double a = final_accuracy(find(results, [&](const RunSpec& r) { return r.model == model && r.init_scale == s; }));
        if (!std::isnan(a)) lo = std::min(lo, a), hi = std::max(hi, a);
      }
      return hi >= lo ? fixed(lo, 3) + " to " + fixed(hi, 3) : std::string("-");
    };
    out << "\n  test accuracy over the sweep: BatchNorm " << spread("BatchNorm") << ", plain " << spread("plain") << "\n";
  } else if (plan.name == "batch") {
    const RunResult* any_ln = find(results, [](const RunSpec& s) { return s.model == "LayerNorm"; });
    std::vector<std::string> models = {"BatchNorm", "plain", "LayerNorm"};
    out << sweep_table<long>(results, "batch", kBatchSizes, batch_of, models, long_text);
    std::vector<std::vector<std::string>> rows;
    for (const long b : kBatchSizes) {
      std::vector<std::string> row = {std::to_string(b)};
      for (const std::string& m : models) {
        const RunResult* r = find(results, [&](const RunSpec& s) { return s.model == m && s.batch_size == b; });
        double sum = 0;
        for (const EpochResult& e : r ? r->epochs : std::vector<EpochResult>{}) sum += e.seconds;
        row.push_back(r && !r->epochs.empty() ? fixed(sum / static_cast<double>(r->epochs.size()), 2) : "-");
      }
      rows.push_back(row);
    }
    out << "\n  seconds per epoch:\n" << format_table({"batch", "BatchNorm", "plain", "LayerNorm"}, rows);
    if (any_ln && any_ln->status == RunResult::Status::kSkipped) out << "\n  LayerNorm: " << any_ln->note << "\n";
  } else if (plan.name == "placement") {
    std::vector<std::vector<std::string>> rows;
    for (const RunResult& r : results) {
      double best = NAN;
      for (const EpochResult& e : r.epochs) best = std::isnan(best) ? e.test_accuracy : std::max(best, e.test_accuracy);
      const double first = r.epochs.empty() ? NAN : r.epochs.front().test_accuracy;
      rows.push_back({r.spec.label, loss_cell(&r), fixed(first, 3), accuracy_cell(&r), fixed(best, 3)});
    }
    out << format_table({"model", "final loss", "acc epoch 1", "final acc", "best acc"}, rows);
  } else if (plan.name == "eval") {
    const RunResult* r = results.empty() ? nullptr : &results.front();
    if (r && r->last()) {
      std::vector<std::vector<std::string>> rows;
      rows.push_back({"eval mode (any batch)", fixed(r->last()->test_accuracy, 3), fixed(r->last()->test_accuracy, 3)});
      for (const TrainModeResult& t : r->train_mode) {
        if (!t.error.empty()) rows.push_back({"train mode, batch " + std::to_string(t.batch_size), "refused", "refused"});
        else rows.push_back({"train mode, batch " + std::to_string(t.batch_size), fixed(t.accuracy, 3), fixed(t.accuracy_bn_only, 3)});
      }
      out << format_table({"evaluated in", "test acc", "Dropout off"}, rows);
      for (const TrainModeResult& t : r->train_mode) {
        if (!t.error.empty()) out << "\n  batch " << t.batch_size << " in train mode: " << t.error << "\n";
      }
    }
  } else if (plan.name == "dropout") {
    std::vector<std::vector<std::string>> rows;
    for (const double p : kDropouts) {
      std::vector<std::string> row = {short_number(p)};
      for (const std::string& m : two) {
        const RunResult* r = find(results, [&](const RunSpec& s) { return s.model == m && s.dropout == p; });
        double best = NAN;
        for (const EpochResult& e : r ? r->epochs : std::vector<EpochResult>{}) best = std::isnan(best) ? e.test_accuracy : std::max(best, e.test_accuracy);
        row.push_back(loss_cell(r));
        row.push_back(accuracy_cell(r));
        row.push_back(fixed(best, 3));
      }
      rows.push_back(row);
    }
    out << format_table({"dropout", "BN loss", "BN test acc", "BN best", "plain loss", "plain test acc", "plain best"}, rows);
  } else if (plan.name == "decay") {
    std::vector<std::vector<std::string>> rows;
    for (const double wd : kDecays) {
      std::vector<std::string> row = {short_number(wd)};
      for (const bool all : {false, true}) {
        const RunResult* r = find(results, [&](const RunSpec& s) { return s.weight_decay == wd && s.decay_all == all; });
        row.push_back(accuracy_cell(r));
        row.push_back(r && r->last() && r->last()->gamma_abs_mean ? fixed(*r->last()->gamma_abs_mean, 3) : "-");
      }
      rows.push_back(row);
    }
    out << format_table({"weight decay", "weights only: test acc", "mean |gamma|", "gamma/beta too: test acc", "mean |gamma|"}, rows);
  }
  return out.str();
}

std::vector<Panel> panels(const Plan& plan, const std::vector<RunResult>& results) {
  const std::vector<std::string> two = {"BatchNorm", "plain"};
  if (plan.name == "capstone" || plan.name == "placement") return {curves(results, true), curves(results, false)};
  if (plan.name == "lr" || plan.name == "init" || plan.name == "dropout") {
    const bool lr = plan.name == "lr", init = plan.name == "init";
    const std::string x = lr ? "learning rate (log scale)" : init ? "initial weight scale (x PyTorch's default, log scale)" : "Dropout probability";
    Panel acc{"final test accuracy", x, "test accuracy", lr || init, false, {}, {}};
    Panel loss{"final training loss (NaN: diverged, not drawn)", x, "training loss (log scale)", lr || init, true, {}, {}};
    for (const std::string& m : two) {
      const auto& xs = lr ? kLearningRates : init ? kInitScales : kDropouts;
      const std::function<double(const RunSpec&)> x_of = lr ? lr_of : init ? init_of : dropout_of;
      acc.series.push_back(sweep_series<double>(results, m, xs, x_of, false));
      loss.series.push_back(sweep_series<double>(results, m, xs, x_of, true));
      loss.series.back().dashed = acc.series.back().dashed = m == "plain";
    }
    return {acc, loss};
  }
  if (plan.name == "batch") {
    Panel acc{"final test accuracy", "batch size (log scale)", "test accuracy", true, false, {}, {"\"2\" 2", "\"8\" 8", "\"32\" 32", "\"128\" 128"}};
    Panel loss{"final training loss", "batch size (log scale)", "training loss (log scale)", true, true, {}, acc.xtics};
    for (const std::string& m : {std::string("BatchNorm"), std::string("plain"), std::string("LayerNorm")}) {
      acc.series.push_back(sweep_series<long>(results, m, kBatchSizes, batch_of, false));
      loss.series.push_back(sweep_series<long>(results, m, kBatchSizes, batch_of, true));
    }
    return {acc, loss};
  }
  if (plan.name == "eval") {
    Panel p{"forgetting eval()", "test batch size (log scale)", "test accuracy", true, false, {},
            {"\"1\" 1", "\"2\" 2", "\"4\" 4", "\"8\" 8", "\"16\" 16", "\"32\" 32", "\"64\" 64"}};
    const RunResult* r = results.empty() ? nullptr : &results.front();
    if (r && r->last()) {
      Series eval{"eval mode", {}, true}, train{"train mode (forgot eval())", {}, false}, bn{"train mode, Dropout off", {}, false};
      for (const long b : kTrainModeBatches) eval.points.emplace_back(b, r->last()->test_accuracy);
      for (const TrainModeResult& t : r->train_mode) {
        train.points.emplace_back(t.batch_size, t.error.empty() ? t.accuracy : NAN);
        bn.points.emplace_back(t.batch_size, t.error.empty() ? t.accuracy_bn_only : NAN);
      }
      p.series = {eval, train, bn};
    }
    return {p};
  }
  if (plan.name == "decay") {
    Panel acc{"final test accuracy", "weight decay (log scale)", "test accuracy", true, false, {}, {}};
    Panel gamma{"mean |gamma| after training", "weight decay (log scale)", "mean |gamma|", true, false, {}, {}};
    for (const bool all : {false, true}) {
      Series a{all ? "gamma/beta decayed too" : "weights only (the notes)", {}, all};
      Series g = a;
      for (const double wd : kDecays) {
        const RunResult* r = find(results, [&](const RunSpec& s) { return s.weight_decay == wd && s.decay_all == all; });
        if (!r || !r->last()) continue;
        a.points.emplace_back(wd, r->last()->test_accuracy);
        g.points.emplace_back(wd, r->last()->gamma_abs_mean.value_or(NAN));
      }
      acc.series.push_back(a);
      gamma.series.push_back(g);
    }
    return {acc, gamma};
  }
  return {};
}

}  // namespace bnkit::capstone
