#include "compile_feedback.hpp"

#include <algorithm>
#include <cctype>
#include <map>
#include <set>
#include <sstream>
#include <tuple>
#include <utility>

namespace bnkit::cli {

namespace {

// ---------------------------------------------------------------------------------------
// Text helpers. g++ quotes with ‘…’ in a UTF-8 locale and with '…' in the C locale: both are
// read. Widths count characters (UTF-8 code points), not bytes.

constexpr const char* kOpen = "\xE2\x80\x98";   // ‘
constexpr const char* kClose = "\xE2\x80\x99";  // ’
constexpr const char* kEllipsis = "\xE2\x80\xA6";  // …

bool starts_with(const std::string& s, const std::string& prefix) { return s.compare(0, prefix.size(), prefix) == 0; }
bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}
bool contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

std::size_t width(const std::string& s) {
  return static_cast<std::size_t>(std::count_if(s.begin(), s.end(), [](char c) { return (c & 0xC0) != 0x80; }));
}

/// The first `n` characters of s.
std::string first_chars(const std::string& s, std::size_t n) {
  std::size_t seen = 0;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if ((s[i] & 0xC0) != 0x80 && seen++ == n) return s.substr(0, i);
  }
  return s;
}

std::string cut(const std::string& s, std::size_t n) {
  return width(s) <= n ? s : first_chars(s, n > 0 ? n - 1 : 0) + kEllipsis;
}

void replace_all(std::string& s, const std::string& from, const std::string& to) {
  for (std::size_t at = s.find(from); at != std::string::npos; at = s.find(from, at + to.size())) {
    s.replace(at, from.size(), to);
  }
}

std::string trim(const std::string& s) {
  const auto b = s.find_first_not_of(" \t\r");
  if (b == std::string::npos) return "";
  return s.substr(b, s.find_last_not_of(" \t\r") - b + 1);
}

/// Terminal colour codes, in case the compiler was told to colour its output.
std::string strip_ansi(const std::string& s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\x1b' && i + 1 < s.size() && s[i + 1] == '[') {
      i += 2;
      while (i < s.size() && !std::isalpha(static_cast<unsigned char>(s[i]))) ++i;
    } else {
      out += s[i];
    }
  }
  return out;
}

/// The quoted names of a message, in order, whichever quotes g++ used.
std::vector<std::string> quoted(const std::string& s) {
  std::vector<std::string> names;
  for (std::size_t i = 0; i < s.size();) {
    std::size_t open = s.find(kOpen, i), ascii = s.find('\'', i);
    if (open == std::string::npos && ascii == std::string::npos) break;
    const bool utf8 = open != std::string::npos && (ascii == std::string::npos || open < ascii);
    const std::size_t start = utf8 ? open + 3 : ascii + 1;
    const std::size_t end = s.find(utf8 ? kClose : "'", start);
    if (end == std::string::npos) break;
    names.push_back(s.substr(start, end - start));
    i = end + (utf8 ? 3 : 1);
  }
  return names;
}

/// Folds every template argument list of a long name: "CwiseBinaryOp<…>"; drops g++'s
/// "[with T = …]" and "{aka …}" tails.
std::string fold(std::string name) {
  for (const char* tail : {" [with ", " {aka "}) {
    if (const auto at = name.find(tail); at != std::string::npos) name.erase(at);
  }
  std::string out;
  int depth = 0;
  for (char c : name) {
    if (c == '<') {
      if (depth++ == 0) out += "<";
    } else if (c == '>' && depth > 0) {
      if (--depth == 0) out += std::string(kEllipsis) + ">";
    } else if (depth == 0) {
      out += c;
    }
  }
  return out;
}

/// g++ spells a member call on a reference argument "(& x)->Base<…>::…::rows()": "x.rows()".
std::string member_call(const std::string& name) {
  if (!starts_with(name, "(& ")) return name;
  const auto close = name.find(")->");
  const auto last = name.rfind("::");
  if (close == std::string::npos || last == std::string::npos || last < close) return name;
  return name.substr(3, close - 3) + "." + name.substr(last + 2);
}

// ---------------------------------------------------------------------------------------
// What an error means, in one sentence.

/// Eigen 3.4's static assertions (Eigen/src/Core/util/StaticAssert.h) a student can reach.
const std::map<std::string, std::string>& eigen_sentences() {
  static const std::map<std::string, std::string> sentences = {
      {"YOU_MIXED_MATRICES_OF_DIFFERENT_SIZES",
       "Eigen: the two sides have different shapes (rows x columns); a (D) column vector and a (1,D) row "
       "vector differ too: .transpose() one of them, or apply a vector to every row with .rowwise()."},
      {"YOU_MIXED_VECTORS_OF_DIFFERENT_SIZES",
       "Eigen: these two vectors have different lengths, or one is a row and the other a column vector "
       "(then .transpose() one of them)."},
      {"YOU_PASSED_A_COLUMN_VECTOR_BUT_A_ROW_VECTOR_WAS_EXPECTED",
       "Eigen: m.rowwise() with v applies v to every row, so v must be a row vector (1,D); a VectorXd is "
       "a column (D): write v.transpose()."},
      {"YOU_PASSED_A_ROW_VECTOR_BUT_A_COLUMN_VECTOR_WAS_EXPECTED",
       "Eigen: m.colwise() with v applies v to every column, so v must be a column vector (N); for one "
       "value per feature use m.rowwise() with v.transpose()."},
      {"YOU_TRIED_CALLING_A_VECTOR_METHOD_ON_A_MATRIX",
       "Eigen: this method is for vectors, and this is a matrix: take a column with .col(j) or a row with "
       ".row(i) first."},
      {"THIS_METHOD_IS_ONLY_FOR_VECTORS_OF_A_SPECIFIC_SIZE",
       "Eigen: this (x(), y(), z(), cross(), or a constructor from 2 to 4 values) is for fixed-size vectors; "
       "give a VectorXd its size and fill it with << or v(i)."},
      {"THIS_METHOD_IS_ONLY_FOR_MATRICES_OF_A_SPECIFIC_SIZE",
       "Eigen: this method is for matrices of one fixed size, and this one has another size."},
      {"THIS_METHOD_IS_ONLY_FOR_OBJECTS_OF_A_SPECIFIC_SIZE",
       "Eigen: this method is for objects of one fixed size, and this one has another size."},
      {"OUT_OF_RANGE_ACCESS", "Eigen: a compile-time index or size is out of range for this object."},
      {"YOU_MADE_A_PROGRAMMING_MISTAKE",
       "Eigen: its catch-all assertion; check the template arguments and the types on this line."},
      {"EIGEN_INTERNAL_COMPILATION_ERROR_OR_YOU_MADE_A_PROGRAMMING_MISTAKE",
       "Eigen: its catch-all assertion; check the types on this line (a product of unusual expressions?)."},
      {"YOU_CALLED_A_FIXED_SIZE_METHOD_ON_A_DYNAMIC_SIZE_MATRIX_OR_VECTOR",
       "Eigen: a VectorXd / MatrixXd has no size of its own: give it, e.g. Eigen::VectorXd::Zero(d) or "
       "Eigen::MatrixXd::Zero(n, d)."},
      {"YOU_CALLED_A_DYNAMIC_SIZE_METHOD_ON_A_FIXED_SIZE_MATRIX_OR_VECTOR",
       "Eigen: a fixed-size type (Vector2d, Matrix3d) cannot be given a size or resized: use VectorXd / "
       "MatrixXd."},
      {"THIS_FUNCTION_IS_NOT_FOR_INTEGER_NUMERIC_TYPES",
       "Eigen: this function needs floating-point values, and these are integers: .cast<double>() first."},
      {"FLOATING_POINT_ARGUMENT_PASSED__INTEGER_WAS_EXPECTED",
       "Eigen: a size or an index must be an integer (Eigen::Index), not a floating-point value."},
      {"NUMERIC_TYPE_MUST_BE_REAL", "Eigen: this function needs real numbers, not complex ones."},
      {"INVALID_MATRIX_PRODUCT",
       "Eigen: A * B is a matrix product, so A's column count must equal B's row count; for an "
       "element-by-element product use A.cwiseProduct(B) or A.array() * B.array()."},
      {"INVALID_VECTOR_VECTOR_PRODUCT__IF_YOU_WANTED_A_DOT_OR_COEFF_WISE_PRODUCT_YOU_MUST_USE_THE_EXPLICIT_"
       "FUNCTIONS",
       "Eigen: v * w of two vectors is no dot product and no element-wise product: write v.dot(w), or "
       "v.cwiseProduct(w) / v.array() * w.array()."},
      {"INVALID_MATRIX_PRODUCT__IF_YOU_WANTED_A_COEFF_WISE_PRODUCT_YOU_MUST_USE_THE_EXPLICIT_FUNCTION",
       "Eigen: A * B is a matrix product, and A's column count differs from B's row count (a row vector "
       "where a column was meant?); element by element is A.cwiseProduct(B)."},
      {"YOU_MIXED_DIFFERENT_NUMERIC_TYPES__YOU_NEED_TO_USE_THE_CAST_METHOD_OF_MATRIXBASE_TO_CAST_NUMERIC_"
       "TYPES_EXPLICITLY",
       "Eigen: two scalar types meet here (float and double, or int and double); Eigen never converts "
       "them silently: write .cast<double>() on the other one."},
      {"THIS_METHOD_IS_ONLY_FOR_COLUMN_MAJOR_MATRICES", "Eigen: this method needs a column-major matrix."},
      {"THIS_METHOD_IS_ONLY_FOR_ROW_MAJOR_MATRICES", "Eigen: this method needs a row-major matrix."},
      {"INVALID_MATRIX_TEMPLATE_PARAMETERS",
       "Eigen: these Matrix template parameters are invalid (a negative size, or a row-major column vector)."},
      {"BOTH_MATRICES_MUST_HAVE_THE_SAME_STORAGE_ORDER",
       "Eigen: both matrices must have the same storage order (row-major or column-major)."},
      {"THIS_METHOD_IS_ONLY_FOR_DIAGONAL_MATRIX", "Eigen: this method is for diagonal matrices only."},
      {"THE_MATRIX_OR_EXPRESSION_THAT_YOU_PASSED_DOES_NOT_HAVE_THE_EXPECTED_TYPE",
       "Eigen: the matrix or expression passed here does not have the type this function expects."},
      {"THIS_METHOD_IS_ONLY_FOR_EXPRESSIONS_WITH_DIRECT_MEMORY_ACCESS_SUCH_AS_MAP_OR_PLAIN_MATRICES",
       "Eigen: this needs an object with memory of its own (a VectorXd, a MatrixXd, a block of one), not "
       "an expression: store the expression in a VectorXd / MatrixXd first."},
      {"THE_BRACKET_OPERATOR_IS_ONLY_FOR_VECTORS__USE_THE_PARENTHESIS_OPERATOR_INSTEAD",
       "Eigen: v[i] is for vectors only; a matrix element is m(i, j), with round brackets."},
      {"YOU_CANNOT_MIX_ARRAYS_AND_MATRICES",
       "Eigen: an Array and a Matrix meet in one operation: make both sides arrays (.array()) for "
       "element-wise math, or both matrices (.matrix())."},
      {"THIS_EXPRESSION_IS_NOT_A_LVALUE__IT_IS_READ_ONLY",
       "Eigen: this is read-only (a const input or a computed expression), so it cannot be written to or "
       "bound to a non-const Eigen::Ref: write into an output or a local copy."},
      {"YOU_ARE_TRYING_TO_USE_AN_INDEX_BASED_ACCESSOR_ON_AN_EXPRESSION_THAT_DOES_NOT_SUPPORT_THAT",
       "Eigen: this expression cannot be indexed with (i) or [i]: store it in a VectorXd / MatrixXd first."},
      {"THIS_METHOD_IS_ONLY_FOR_1x1_EXPRESSIONS",
       "Eigen: only a 1x1 expression converts to a number (.value()); reduce with .sum(), .mean() or a "
       "dot product first."},
      {"THIS_METHOD_IS_ONLY_FOR_INNER_OR_LAZY_PRODUCTS",
       "Eigen: this method is for inner (dot) products only."},
      {"THIS_METHOD_IS_ONLY_FOR_EXPRESSIONS_OF_BOOL",
       "Eigen: all(), any() and count() need a true/false expression such as (x.array() > 0)."},
      {"THIS_METHOD_IS_ONLY_FOR_ARRAYS_NOT_MATRICES",
       "Eigen: element-wise rowwise()/colwise() products and quotients are for Arrays: write "
       "m.array().rowwise() * v.array() (and .matrix() to go back)."},
      {"THE_INDEX_TYPE_MUST_BE_A_SIGNED_TYPE", "Eigen: the index type must be signed: use Eigen::Index."},
      {"THE_STORAGE_ORDER_OF_BOTH_SIDES_MUST_MATCH",
       "Eigen: both sides must have the same storage order (row-major or column-major)."},
      {"OBJECT_ALLOCATED_ON_STACK_IS_TOO_BIG",
       "Eigen: a fixed-size matrix this big does not fit on the stack: use MatrixXd."},
      {"IMPLICIT_CONVERSION_TO_SCALAR_IS_FOR_INNER_PRODUCT_ONLY",
       "Eigen: a matrix expression is not a number; only a 1x1 inner product converts to one: reduce "
       "with .sum(), .mean() or v.dot(w)."},
      {"STORAGE_LAYOUT_DOES_NOT_MATCH", "Eigen: the storage layouts of the two sides do not match."},
      {"THIS_TYPE_IS_NOT_SUPPORTED", "Eigen: this scalar type is not supported here."},
      {"INVALID_TEMPLATE_PARAMETER", "Eigen: a template parameter is invalid here."},
  };
  return sentences;
}

/// An assertion name Eigen has but the table does not: its words, which say what went wrong.
std::string words_of(const std::string& name) {
  std::string words = "Eigen says: ";
  for (char c : name) words += c == '_' ? ' ' : static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  replace_all(words, "  ", ", ");
  return words + ".";
}

/// Members of Eigen's Array (element-wise) that a Matrix does not have.
bool array_only(const std::string& member) {
  static const std::set<std::string> names = {"square", "cube", "sqrt", "rsqrt", "exp", "log", "log1p", "log10",
                                              "pow", "abs2", "inverse", "sin", "cos", "tanh", "max", "min",
                                              "isNaN", "isInf", "isFinite", "round", "floor", "ceil"};
  return names.count(member) > 0;
}

}  // namespace

std::string explain(const std::string& message) {
  // Eigen's static assertions name the mistake in capitals.
  for (const std::string marker : {"static assertion failed: ", "static_assert failed: "}) {
    if (const auto at = message.find(marker); at != std::string::npos) {
      std::string name = message.substr(at + marker.size());
      name = name.substr(0, name.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_x"));
      if (name.empty()) return "";
      const auto& sentences = eigen_sentences();
      const auto found = sentences.find(name);
      return found != sentences.end() ? found->second : words_of(name);
    }
  }
  const std::vector<std::string> names = quoted(message);
  const std::string first = names.empty() ? "" : names.front();
  const bool eigen = contains(message, "Eigen::");

  if (contains(message, "has no member named") && !names.empty()) {
    const std::string member = names.back();
    if (eigen && array_only(member)) {
      return "." + member + "() is an element-wise Array operation, and this is a Matrix expression: write "
             ".array()." + member + "() (and .matrix() to go back to a Matrix).";
    }
    return "there is no member ‘" + member + "’ in this type: check its spelling and case" +
           std::string(eigen ? ", and whether it belongs to Matrix or to Array (.array())." : ".");
  }
  if (contains(message, "was not declared in this scope")) {
    std::string twin;  // "N" for "n": the lessons write N for the batch size, code often n
    if (first.size() == 1 && std::isalpha(static_cast<unsigned char>(first[0]))) {
      const char c = first[0];
      twin = std::string(1, std::islower(static_cast<unsigned char>(c)) ? static_cast<char>(std::toupper(c))
                                                                         : static_cast<char>(std::tolower(c)));
    }
    return "‘" + first + "’ is not declared at this point: check its spelling" +
           (twin.empty() ? std::string() : " and case (‘" + first + "’ and ‘" + twin + "’ are different names)") +
           ", and that it is declared above this line, in this block or an enclosing one.";
  }
  if (starts_with(message, "expected ‘;’") || starts_with(message, "expected ';'")) {
    return "a ';' is missing at the end of the statement (g++ marks the place just after it).";
  }
  if (starts_with(message, "expected ")) {
    return "the code does not parse here: look for an unclosed bracket, a missing operator or a stray "
           "character at or just before this point.";
  }
  if (contains(message, "No such file or directory")) {
    return "this file cannot be included: check its name (your code sees the lesson's own header and "
           "harness/include/bnkit/, nothing else of the kit).";
  }
  if (contains(message, "undefined reference to")) {
    std::string function = message.substr(message.find("undefined reference to") + 23);
    function = function.substr(function.find_first_not_of("`‘'\xE2\x80\x98"));
    function = function.substr(0, function.find('('));
    return "the kit calls " + function + ", but your file does not define it with exactly the header's "
           "name and parameter types (a typo, a changed parameter, or outside namespace bnkit?).";
  }
  if (contains(message, "multiple definition of")) {
    return "this is defined twice: keep one definition (a helper in a .cpp file belongs in an unnamed "
           "namespace).";
  }
  if (contains(message, "Ref<") && (contains(message, "could not convert") || contains(message, "no matching") ||
                                     contains(message, "cannot bind") || contains(message, "invalid initialization"))) {
    return "a non-const Eigen::Ref can only refer to storage of the same type (a VectorXd, a MatrixXd, a "
           "column of one), not to a computed expression: take const Eigen::Ref<const ...>& or store "
           "the expression in a VectorXd / MatrixXd first.";
  }
  if (contains(message, "no matching function for call to")) {
    return "no version of ‘" + fold(first) + "’ takes these arguments: compare the call with its "
           "declaration (number, order and types of the arguments).";
  }
  if (contains(message, "for array subscript")) {
    return "Eigen indexes a matrix with round brackets: x(i, j), not x[i][j].";
  }
  if (contains(message, "discards qualifiers") || contains(message, "read-only") ||
      (starts_with(message, "no match for ‘operator=’") && contains(message, "const "))) {
    return "this is const (an input such as x, or a const Eigen::Ref): it cannot be changed; write into an "
           "output or a local copy.";
  }
  if (eigen && (starts_with(message, "cannot convert") || contains(message, "to non-scalar type") ||
                contains(message, "could not convert"))) {
    return "an Eigen expression and a number (or another type) do not convert into each other: reduce "
           "with .sum(), .mean() or v(i), or assign it to a VectorXd / MatrixXd.";
  }
  if (eigen && starts_with(message, "no match for ‘operator")) {
    return "Eigen has no such operator for these two types: adding a number or multiplying element by "
           "element needs Arrays (.array()), and both sides must be the same kind (Array or Matrix).";
  }
  if (contains(message, "return-statement with no value") || contains(message, "return-statement with a value")) {
    return "the return does not match the function's return type in the header.";
  }
  return "";
}

std::string shorten(const std::string& message, std::size_t max_width) {
  std::string s = strip_ansi(message);
  // Eigen's spelled-out types, in the names a student writes.
  static const std::vector<std::pair<std::string, std::string>> types = {
      {", 0, Eigen::InnerStride<1> >", ">"},
      {"Eigen::Matrix<double, -1, -1, 0, -1, -1>", "MatrixXd"},
      {"Eigen::Matrix<double, -1, 1, 0, -1, 1>", "VectorXd"},
      {"Eigen::Matrix<double, 1, -1, 1, 1, -1>", "RowVectorXd"},
      {"Eigen::Matrix<double, -1, -1>", "MatrixXd"},
      {"Eigen::Matrix<double, -1, 1>", "VectorXd"},
      {"Eigen::Matrix<double, 1, -1>", "RowVectorXd"},
      {"Eigen::Matrix<float, -1, -1>", "MatrixXf"},
      {"Eigen::Matrix<float, -1, 1>", "VectorXf"},
      {"Eigen::Matrix<float, 1, -1>", "RowVectorXf"},
      {"Eigen::Array<double, -1, -1>", "ArrayXXd"},
      {"Eigen::Array<double, -1, 1>", "ArrayXd"},
      {"Eigen::internal::", ""},
      {"Eigen::", ""},
      {"> >", ">>"},
      {"d >", "d>"},
  };
  for (int pass = 0; pass < 2; ++pass) {  // twice: "> > >" needs two
    for (const auto& [from, to] : types) replace_all(s, from, to);
  }
  // "{aka ‘long int’}" repeats what was said.
  for (auto at = s.find(" {aka "); at != std::string::npos; at = s.find(" {aka ", at)) {
    const auto end = s.find('}', at);
    if (end == std::string::npos) break;
    s.erase(at, end - at + 1);
  }
  // Long quoted names: fold their template arguments.
  for (const std::string& name : quoted(s)) {
    std::string short_name = member_call(name);
    if (width(short_name) > 40) short_name = fold(short_name);
    if (width(short_name) > 60) short_name = cut(short_name, 60);
    if (short_name != name) {
      if (const auto at = s.find(name); at != std::string::npos) s.replace(at, name.size(), short_name);
    }
  }
  return cut(s, max_width);
}

namespace {

// ---------------------------------------------------------------------------------------
// Reading the log, one line at a time.

struct Location {
  std::string path;
  int line = 0, column = 0;
};

enum class Kind {
  kOther,       // ninja's progress, a command line, anything else
  kError,       // "...: error: ...", "...: fatal error: ...", ld's "undefined reference"
  kWarning,
  kNote,
  kContext,     // "...: In function ‘f’:", "...:12:3:   required from here", "In file included from"
  kSource,      // "   24 |   code"
};

struct LogLine {
  Kind kind = Kind::kOther;
  Location at;       // where, when the line says
  std::string text;  // the message after "error: " (or the context's words)
};

bool all_digits(const std::string& s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)); });
}

/// "PATH:LINE:COL: REST" or "PATH:LINE: REST": the first ':' followed by numbers and ": ".
bool split_location(const std::string& line, Location& at, std::string& rest) {
  for (std::size_t colon = line.find(':'); colon != std::string::npos && colon > 0; colon = line.find(':', colon + 1)) {
    const std::size_t a = colon + 1;
    std::size_t b = a;
    while (b < line.size() && std::isdigit(static_cast<unsigned char>(line[b]))) ++b;
    if (b == a || b >= line.size() || line[b] != ':') continue;
    std::size_t c = b + 1, d = c;
    while (d < line.size() && std::isdigit(static_cast<unsigned char>(line[d]))) ++d;
    at.path = line.substr(0, colon);
    at.line = std::stoi(line.substr(a, b - a));
    if (d > c && d < line.size() && line[d] == ':') {
      at.column = std::stoi(line.substr(c, d - c));
      rest = line.substr(d + 1);
    } else {
      at.column = 0;
      rest = line.substr(b + 1);
    }
    if (!rest.empty() && rest[0] == ' ') return true;
  }
  return false;
}

LogLine classify(const std::string& raw) {
  const std::string line = strip_ansi(raw);
  LogLine out;
  if (starts_with(line, "In file included from") || starts_with(trim(line), "from ")) {
    out.kind = Kind::kContext;
    return out;
  }
  // "   24 |   code" and the caret lines under it.
  if (const auto bar = line.find(" | "); bar != std::string::npos && all_digits(trim(line.substr(0, bar)))) {
    out.kind = Kind::kSource;
    out.at.line = std::stoi(trim(line.substr(0, bar)));
    out.text = line.substr(bar + 3);
    return out;
  }
  std::string rest;
  if (split_location(line, out.at, rest)) {
    static const std::vector<std::pair<std::string, Kind>> kinds = {
        {" error: ", Kind::kError}, {" fatal error: ", Kind::kError}, {" warning: ", Kind::kWarning},
        {" note: ", Kind::kNote}};
    for (const auto& [word, kind] : kinds) {
      if (starts_with(rest, word)) {
        out.kind = kind;
        out.text = rest.substr(word.size());
        return out;
      }
    }
    const std::string words = trim(rest);
    if (starts_with(rest, "   ") || starts_with(words, "required ") || starts_with(words, "recursively required")) {
      out.kind = Kind::kContext;  // "required from here", "required from ‘…’", "[ skipping … ]"
      out.text = words;
      return out;
    }
    if (contains(words, "undefined reference to") || contains(words, "multiple definition of")) {
      out.kind = Kind::kError;  // ld: "FILE:7: undefined reference to `f(…)'"
      out.text = words;
      return out;
    }
    return out;
  }
  // "FILE: In function ‘f’:", "FILE: In instantiation of ‘…’:", "FILE: At global scope:"
  for (const std::string header : {": In ", ": At global scope:"}) {
    if (const auto at = line.find(header); at != std::string::npos && at > 0 && ends_with(line, ":")) {
      out.kind = Kind::kContext;
      out.at.path = line.substr(0, at);
      out.text = line.substr(at + 2);
      return out;
    }
  }
  // "collect2: error: …", "cc1plus: fatal error: …", "error: …" (the compile sandbox).
  for (const std::string word : {"error: ", "fatal error: "}) {
    if (starts_with(line, word)) {
      out.kind = Kind::kError;
      out.text = line.substr(word.size());
      return out;
    }
    if (const auto at = line.find(": " + word); at != std::string::npos && line.find(' ') > at) {
      out.kind = Kind::kError;
      out.text = line.substr(at + 2 + word.size());
      return out;
    }
  }
  return out;
}

/// Paths in the log relative to the kit root, and whether a path is the student's.
class StudentFiles {
 public:
  StudentFiles(std::string student, std::string root) : student_(std::move(student)), root_(std::move(root)) {
    while (!root_.empty() && root_.back() == '/') root_.pop_back();
  }
  std::string relative(const std::string& path) const {
    if (!root_.empty() && starts_with(path, root_ + "/")) return path.substr(root_.size() + 1);
    return path;
  }
  bool is_student(const std::string& path) const {
    if (student_.empty() || path.empty()) return false;
    if (!root_.empty() && !starts_with(path, root_ + "/") && path.front() == '/') return false;
    const std::string rel = relative(path);
    return student_.back() == '/' ? starts_with(rel, student_) : rel == student_;
  }

 private:
  std::string student_, root_;
};

/// "ld returned 1 exit status" and the like say that something failed, not what.
bool says_nothing(const std::string& message) {
  return contains(message, "ld returned") || contains(message, "compilation terminated");
}

}  // namespace

CompileFeedback summarise(const std::string& log, const std::string& student, const std::string& source_root) {
  const StudentFiles files(student, source_root);
  CompileFeedback out;
  std::vector<CompileError> elsewhere;  // errors with no line of the student's file
  std::set<std::tuple<std::string, int, std::string>> seen_warnings;

  // The innermost line of the student's file in the current instantiation chain; a new chain
  // starts with the first context line after a diagnostic.
  std::optional<Location> context;
  bool after_diagnostic = true;
  // Where the student's line printed by g++ should go ("   24 | code" after an error).
  CompileError* awaiting_source = nullptr;
  int awaiting_line = 0;

  std::istringstream in(log);
  for (std::string raw; std::getline(in, raw);) {
    const LogLine l = classify(raw);
    switch (l.kind) {
      case Kind::kContext: {
        if (after_diagnostic) context.reset();
        after_diagnostic = false;
        awaiting_source = nullptr;
        if (files.is_student(l.at.path) && (!context || (context->line == 0 && l.at.line > 0))) context = l.at;
        break;
      }
      case Kind::kSource: {
        if (awaiting_source && l.at.line == awaiting_line && awaiting_source->source.empty()) {
          awaiting_source->source = l.text;
        }
        awaiting_source = nullptr;
        break;
      }
      case Kind::kNote:
        after_diagnostic = true;
        awaiting_source = nullptr;
        break;
      case Kind::kWarning: {
        after_diagnostic = true;
        awaiting_source = nullptr;
        if (!files.is_student(l.at.path)) break;
        CompileWarning w{files.relative(l.at.path), l.at.line, l.text};
        if (seen_warnings.insert({w.file, w.line, w.text}).second) out.warnings.push_back(w);
        break;
      }
      case Kind::kError: {
        after_diagnostic = true;
        awaiting_source = nullptr;
        if (says_nothing(l.text)) break;
        std::optional<Location> at;
        if (files.is_student(l.at.path)) at = l.at;
        else if (context) at = context;
        std::vector<CompileError>& list = at ? out.errors : elsewhere;
        // One entry per line of the student's file (per message elsewhere).
        auto same = std::find_if(list.begin(), list.end(), [&](const CompileError& e) {
          return at ? e.line == at->line && e.file == files.relative(at->path) : e.messages.front() == l.text;
        });
        if (same == list.end()) {
          CompileError e;
          if (at) {
            e.file = files.relative(at->path);
            e.line = at->line;
            e.column = at->column;
          }
          list.push_back(e);
          same = list.end() - 1;
        }
        if (std::find(same->messages.begin(), same->messages.end(), l.text) == same->messages.end()) {
          same->messages.push_back(l.text);
        }
        if (files.is_student(l.at.path) && l.at.line > 0) {
          awaiting_source = &*same;
          awaiting_line = l.at.line;
        }
        break;
      }
      case Kind::kOther:
        break;
    }
  }
  // Errors elsewhere (a link error, a kit file) count only when the student's file has none.
  if (out.errors.empty()) out.errors = std::move(elsewhere);
  for (CompileError& e : out.errors) {
    // Eigen's static assertion names the mistake best; it goes first when there is one.
    std::stable_partition(e.messages.begin(), e.messages.end(),
                          [](const std::string& m) { return contains(m, "static assertion failed"); });
    for (const std::string& m : e.messages) {
      if (e.explanation.empty()) e.explanation = explain(m);
    }
  }
  std::stable_sort(out.warnings.begin(), out.warnings.end(), [](const CompileWarning& a, const CompileWarning& b) {
    return std::tie(a.file, a.line) < std::tie(b.file, b.line);
  });
  if (out.errors.empty()) {
    // No error line at all (a crashed compiler, a configure error): the log's last words.
    std::vector<std::string> lines;
    std::istringstream again(log);
    for (std::string raw; std::getline(again, raw);) {
      std::string line = trim(strip_ansi(raw));
      if (line.empty() || starts_with(line, "[") || starts_with(line, "ninja:") || starts_with(line, "FAILED:") ||
          starts_with(line, "|") || classify(raw).kind == Kind::kSource || width(line) > 400) {
        continue;
      }
      if (!source_root.empty()) replace_all(line, source_root + (ends_with(source_root, "/") ? "" : "/"), "");
      lines.push_back(line);
    }
    const std::size_t keep = std::min<std::size_t>(lines.size(), 5);
    out.tail.assign(lines.end() - static_cast<std::ptrdiff_t>(keep), lines.end());
  }
  return out;
}

void add_missing_sources(CompileFeedback& feedback,
                         const std::function<std::optional<std::string>(const std::string& file, int line)>& line_of) {
  for (CompileError& e : feedback.errors) {
    if (e.source.empty() && !e.file.empty() && e.line > 0) {
      if (const auto text = line_of(e.file, e.line)) e.source = *text;
    }
  }
}

namespace {

/// Words wrapped to `columns` characters, the first line after `first`, the others after `rest`.
std::vector<std::string> wrap(const std::string& text, const std::string& first, const std::string& rest,
                              std::size_t columns) {
  std::vector<std::string> lines;
  std::string line = first;
  std::istringstream words(text);
  bool empty = true;
  for (std::string word; words >> word;) {
    if (!empty && width(line) + 1 + width(word) > columns) {
      lines.push_back(line);
      line = rest;
      empty = true;
    }
    line += (empty ? "" : " ") + word;
    empty = false;
  }
  lines.push_back(line);
  return lines;
}

constexpr std::size_t kColumns = 100;
constexpr std::size_t kMaxErrorLines = 20;  // with "full log: …"
constexpr std::size_t kMaxWarnings = 8;
constexpr std::size_t kWarningText = 90;    // characters of a warning's text, besides its place and flag

/// The student's line as g++ shows it ("   24 |   code"), with a caret under the column; a
/// line too long for the screen is shown around the column.
std::vector<std::string> source_lines(const CompileError& e, const std::string& inner) {
  const std::string number = std::to_string(e.line);
  const std::string gutter = inner + std::string(number.size() < 5 ? 5 - number.size() : 0, ' ');
  const std::size_t room = kColumns - width(gutter) - number.size() - 3;
  std::string shown = e.source;
  std::size_t start = 0;  // the first character shown
  const std::size_t column = e.column > 0 ? static_cast<std::size_t>(e.column) : 0;
  if (width(shown) > room && column > room - 10) {
    // As much as fits left of the column, 20 characters right of it, from the start of a word.
    start = column - (room - 20);
    const auto space = shown.rfind(' ', start);
    if (space != std::string::npos && start - space < 12) start = space;
    shown = kEllipsis + shown.substr(start + 1);  // source text is ASCII in practice; columns are bytes
  }
  std::vector<std::string> lines = {cut(gutter + number + " | " + shown, kColumns)};
  if (column > start) {
    lines.push_back(gutter + std::string(number.size(), ' ') + " | " + std::string(column - start - 1, ' ') + "^");
  }
  return lines;
}

}  // namespace

std::string format_errors(const CompileFeedback& feedback, const std::string& log_path, const std::string& indent) {
  std::vector<std::string> lines;
  const std::string inner = indent + "  ";
  std::size_t shown = 0;
  for (const CompileError& e : feedback.errors) {
    std::vector<std::string> block;
    if (!e.file.empty()) {
      block.push_back(indent + e.file + (e.line > 0 ? ":" + std::to_string(e.line) : "") +
                      (e.column > 0 ? ":" + std::to_string(e.column) : "") + ":");
      if (!e.source.empty()) {
        for (const std::string& l : source_lines(e, inner)) block.push_back(l);
      }
    }
    if (!e.explanation.empty()) {
      for (const std::string& l : wrap(e.explanation, inner, inner + "  ", kColumns)) block.push_back(l);
    }
    // The compiler's own words: two for the first error, one for each other.
    const std::size_t own = shown == 0 ? 2 : 1;
    for (std::size_t i = 0; i < e.messages.size() && i < own; ++i) {
      block.push_back(inner + "g++: " + shorten(e.messages[i], kColumns - width(inner) - 5));
    }
    if (lines.size() + block.size() + 2 > kMaxErrorLines && shown > 0) break;
    lines.insert(lines.end(), block.begin(), block.end());
    ++shown;
  }
  if (shown < feedback.errors.size()) {
    const std::size_t more = feedback.errors.size() - shown;
    lines.push_back(indent + "(" + std::to_string(more) + " more error" + (more == 1 ? "" : "s") +
                    " below these; fix the first ones first: later errors often follow from them)");
  }
  if (feedback.errors.empty()) {
    if (feedback.tail.empty()) lines.push_back(indent + "(no error line found)");
    for (const std::string& t : feedback.tail) lines.push_back(indent + cut(t, kColumns));
  }
  if (lines.size() >= kMaxErrorLines) lines.resize(kMaxErrorLines - 1);
  lines.push_back(indent + "full log: " + log_path);
  std::string out;
  for (const std::string& l : lines) out += l + "\n";
  return out;
}

std::string format_warnings(const CompileFeedback& feedback, const std::string& log_path, const std::string& indent) {
  if (feedback.warnings.empty()) return "";
  std::string out;
  std::size_t shown = 0;
  for (const CompileWarning& w : feedback.warnings) {
    if (shown == kMaxWarnings) break;
    const std::string where = w.file + ":" + std::to_string(w.line) + ": warning: ";
    // The flag ("[-Wsign-compare]") stays whole at the end.
    std::string text = w.text, flag;
    if (const auto open = text.rfind(" [-W"); open != std::string::npos && ends_with(text, "]")) {
      flag = text.substr(open);
      text.erase(open);
    }
    out += indent + where + shorten(text, kWarningText) + flag + "\n";
    ++shown;
  }
  if (feedback.warnings.size() > shown) {
    out += indent + "(and " + std::to_string(feedback.warnings.size() - shown) + " more warnings)\n";
  }
  return out + indent + "full log: " + log_path + "\n";
}

bool compiled_in_log(const std::string& log, const std::string& student) {
  if (student.empty()) return false;
  // ninja: "[1/2] Building CXX object harness/CMakeFiles/T.dir/__/lessons/01_x/x.cpp.o"
  const std::string object = student.back() == '/' ? "/" + student : "/" + student + ".o";
  std::istringstream in(log);
  for (std::string line; std::getline(in, line);) {
    if (contains(line, "Building CXX object") && contains(line, object)) return true;
  }
  return false;
}

}  // namespace bnkit::cli
