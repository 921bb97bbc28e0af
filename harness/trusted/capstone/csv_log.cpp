#include "csv_log.hpp"

#include <stdexcept>

namespace bnkit::capstone {

namespace {

/// A CSV field: quoted when it holds a comma, quote or line break.
std::string field(const std::string& s) {
  if (s.find_first_of(",\"\n\r") == std::string::npos) return s;
  std::string out = "\"";
  for (const char c : s) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

std::string num(double v) { return std::isnan(v) ? "" : short_number(v); }

}  // namespace

const char* CsvLog::header() {
  return "experiment,run,model,norm,placement,dropout,init_scale,lr,momentum,weight_decay,decay_all,batch_size,seed,"
         "train_limit,epoch,train_loss,test_accuracy,seconds,diverged,gamma_abs_mean,mode,eval_batch_size,"
         "accuracy_bn_only,note";
}

CsvLog::CsvLog(const std::string& path, const std::string& experiment) : out_(path), path_(path), experiment_(experiment) {
  if (!out_) throw std::runtime_error("cannot write " + path);
  out_ << header() << '\n' << std::flush;
}

void CsvLog::row(const RunSpec& r, const std::string& rest) {
  out_ << field(experiment_) << ',' << field(r.label) << ',' << field(r.model) << ',' << r.norm << ',' << r.placement
       << ',' << num(r.dropout) << ',' << num(r.init_scale) << ',' << num(r.lr) << ',' << num(r.momentum) << ','
       << num(r.weight_decay) << ',' << (r.decay_all ? 1 : 0) << ',' << r.batch_size << ',' << r.seed << ','
       << r.train_limit << ',' << rest << '\n'
       << std::flush;
  ++rows_;
}

void CsvLog::epoch(const RunSpec& run, const EpochResult& e) {
  row(run, std::to_string(e.epoch) + ',' + num(e.train_loss) + ',' + num(e.test_accuracy) + ',' + num(e.seconds) + ',' +
               (e.diverged ? "1" : "0") + ',' + (e.gamma_abs_mean ? num(*e.gamma_abs_mean) : "") + ",eval,,,");
}

void CsvLog::train_mode(const RunSpec& run, int epoch, const TrainModeResult& t) {
  row(run, std::to_string(epoch) + ",," + num(t.accuracy) + ",,0,,train," + std::to_string(t.batch_size) + ',' +
               num(t.accuracy_bn_only) + ',' + field(t.error.empty() ? "" : "refused: " + t.error));
}

}  // namespace bnkit::capstone
