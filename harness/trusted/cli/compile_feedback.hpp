// What a student reads when their file does not compile, or compiles with warnings: their own
// file and line first, Eigen's static assertions in one sentence, a few of the compiler's own
// words, all on one screen. Pure functions over a g++ build log (no I/O).
//
// The log is g++'s text, not -fdiagnostics-format=json: g++ 12's JSON leaves out the
// template instantiation context ("required from here"), which is the only place an error
// inside Eigen's headers names the student's line. harness/scripts/gcc_json_diagnostics.sh
// shows it (text: student.cpp:3; JSON: no line of the student's file).
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace bnkit::cli {

/// One line of the student's file where the build went wrong (g++ may report several errors
/// there; they are one entry), or, when no line of that file is involved (a link error, a kit
/// file), one error message.
struct CompileError {
  std::string file;        ///< relative to the kit root; "" when no line of the student's file is involved
  int line = 0;            ///< 0: the file only (g++ named the function, not the line)
  int column = 0;
  std::string source;      ///< the student's line as written ("" when g++ did not print it)
  std::string explanation; ///< one sentence, or ""
  std::vector<std::string> messages;  ///< the compiler's own error texts, shortened, distinct
};

struct CompileWarning {
  std::string file;  ///< relative to the kit root
  int line = 0;
  std::string text;  ///< "unused variable ‘scale’ [-Wunused-variable]", shortened
};

struct CompileFeedback {
  std::vector<CompileError> errors;      ///< in the order g++ reported them
  std::vector<CompileWarning> warnings;  ///< in the student's file only, by line, distinct
  std::vector<std::string> tail;         ///< the log's last lines, when it holds no error line at all
};

/// Reads a g++ (and ld, ninja) log. `student` is the student's file relative to
/// `source_root` ("lessons/01_batch_statistics/batch_statistics.cpp"), or a folder ending in
/// '/' ("lessons/"): any file under it counts as the student's. Each error is placed at the
/// first line of the student's file g++ names for it: the error itself, "required from
/// here" / "required from", or the "In function" header.
CompileFeedback summarise(const std::string& log, const std::string& student, const std::string& source_root);

/// Fills CompileError::source where g++ did not print the student's line (it does not for
/// "required from here"). `line_of(file, line)` gives that line of the file, or nothing.
void add_missing_sources(CompileFeedback& feedback,
                         const std::function<std::optional<std::string>(const std::string& file, int line)>& line_of);

/// The errors for one screen (at most 20 lines), each line starting with `indent`, the last
/// one "full log: LOG_PATH".
std::string format_errors(const CompileFeedback& feedback, const std::string& log_path,
                          const std::string& indent = "    ");

/// "FILE:LINE: warning: TEXT", one a line, at most 8, then "full log: LOG_PATH"; "" when
/// there is no warning.
std::string format_warnings(const CompileFeedback& feedback, const std::string& log_path,
                            const std::string& indent = "    ");

/// True when the log shows the student's file being compiled (ninja's "Building CXX object
/// .../FILE.o" line): a file compiled earlier is not recompiled, so its warnings are not in
/// the log.
bool compiled_in_log(const std::string& log, const std::string& student);

/// One sentence that says what an error message means for a student, or "" when there is
/// none worth saying. `message` is g++'s text after "error: ".
std::string explain(const std::string& message);

/// A compiler message cut down for a student: Eigen's type names short ("MatrixXd"), long
/// quoted types folded ("CwiseBinaryOp<…>"), at most `width` characters.
std::string shorten(const std::string& message, std::size_t width = 96);

}  // namespace bnkit::cli
