// Trusted side: from an Eigen-check record and addr2line's frames to one sentence.
//
// What failed is read from the Eigen function that checks (its __PRETTY_FUNCTION__ names
// the operation and binds its operand types: "[with BinaryOp = ...; LhsType = ...]") and,
// where that is not enough, from the Eigen frames between the check and the student's line.
#include "eigen_failure_report.hpp"

#include <map>
#include <sstream>

namespace bnkit::boundary {

namespace {

bool starts_with(const std::string& s, const std::string& prefix) { return s.rfind(prefix, 0) == 0; }
bool contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

/// Printable ASCII only, at most `limit` bytes: the text came from a worker.
std::string printable(const std::string& text, std::size_t limit) {
  std::string out;
  for (const char c : text) {
    if (out.size() >= limit) return out + "...";
    out += (c >= 0x20 && c < 0x7f) ? c : '?';
  }
  return out;
}

// ---- Eigen's type names ------------------------------------------------------------------

std::string trim(std::string s) {
  const auto first = s.find_first_not_of(' ');
  if (first == std::string::npos) return "";
  s = s.substr(first, s.find_last_not_of(' ') - first + 1);
  if (starts_with(s, "const ")) s = trim(s.substr(6));
  if (s.size() > 6 && s.compare(s.size() - 6, 6, " const") == 0) s = trim(s.substr(0, s.size() - 6));
  while (!s.empty() && (s.back() == '&' || s.back() == ' ')) s.pop_back();
  return s;
}

/// "Ref" for "const Eigen::Ref<const Eigen::Matrix<double, -1, 1> >".
std::string template_name(const std::string& type) {
  std::string name = trim(type).substr(0, trim(type).find('<'));
  const std::size_t colons = name.rfind("::");
  return colons == std::string::npos ? name : name.substr(colons + 2);
}

/// The top-level template arguments of `type`, trimmed: {"double", "-1", "1"}.
std::vector<std::string> template_args(const std::string& type) {
  const std::string t = trim(type);
  std::vector<std::string> args;
  const std::size_t open = t.find('<');
  if (open == std::string::npos) return args;
  int depth = 0;
  std::string current;
  for (std::size_t i = open + 1; i < t.size(); ++i) {
    const char c = t[i];
    if (c == '<' || c == '(') ++depth;
    if (c == '>' || c == ')') {
      if (depth == 0) break;
      --depth;
    }
    if (c == ',' && depth == 0) {
      args.push_back(trim(current));
      current.clear();
    } else {
      current += c;
    }
  }
  args.push_back(trim(current));
  return args;
}

/// The "[with A = X; B = Y]" of a __PRETTY_FUNCTION__, as {A: X, B: Y}.
std::map<std::string, std::string> with_bindings(const std::string& pretty) {
  std::map<std::string, std::string> bindings;
  const std::size_t with = pretty.rfind("[with ");
  if (with == std::string::npos) return bindings;
  int depth = 0;
  std::string current;
  auto flush = [&] {
    const std::size_t eq = current.find(" = ");
    if (eq != std::string::npos) {
      std::string key = trim(current.substr(0, eq));
      key = key.substr(key.rfind(' ') == std::string::npos ? 0 : key.rfind(' ') + 1);  // "int Option"
      bindings[key] = trim(current.substr(eq + 3));
    }
    current.clear();
  };
  for (std::size_t i = with + 6; i < pretty.size(); ++i) {
    const char c = pretty[i];
    if (c == '<' || c == '(') ++depth;
    if (c == '>' || c == ')') --depth;
    if (c == ']' && depth <= 0) break;
    if (c == ';' && depth == 0) flush();
    else current += c;
  }
  flush();
  return bindings;
}

/// The first binding of `keys` that is present ("" if none is).
std::string binding(const std::map<std::string, std::string>& bindings, std::initializer_list<const char*> keys) {
  for (const char* key : keys) {
    const auto it = bindings.find(key);
    if (it != bindings.end()) return it->second;
  }
  return "";
}

enum class Shape { kUnknown, kMatrix, kColumn, kRow, kDiagonal };

/// What an operand is, as far as its type tells: its shape, and what holds it ("Ref",
/// "Map", "Block") when that matters for a resize.
struct Operand {
  Shape shape = Shape::kUnknown;
  std::string holder;
};

Operand operand(const std::string& type, int depth = 0) {
  const std::string name = template_name(type);
  const std::vector<std::string> args = template_args(type);
  Operand o;
  if (depth > 12) return o;
  if ((name == "Matrix" || name == "Array") && args.size() >= 3) {
    const bool one_row = args[1] == "1", one_col = args[2] == "1";
    o.shape = one_col ? Shape::kColumn : one_row ? Shape::kRow : Shape::kMatrix;
  } else if ((name == "Ref" || name == "Map" || name == "ArrayWrapper" || name == "MatrixWrapper" ||
              name == "VectorBlock" || name == "Reverse" || name == "NestByValue") &&
             !args.empty()) {
    o = operand(args[0], depth + 1);
    if (name == "Ref" || name == "Map") o.holder = name;
  } else if ((name == "CwiseUnaryOp" || name == "CwiseUnaryView" || name == "CwiseNullaryOp") && args.size() >= 2) {
    o = operand(args[1], depth + 1);
  } else if (name == "Transpose" && !args.empty()) {
    o = operand(args[0], depth + 1);
    if (o.shape == Shape::kColumn) o.shape = Shape::kRow;
    else if (o.shape == Shape::kRow) o.shape = Shape::kColumn;
  } else if (name == "Block" && args.size() >= 3) {
    o.shape = args[2] == "1" ? Shape::kColumn : args[1] == "1" ? Shape::kRow : Shape::kMatrix;
    o.holder = "Block";
  } else if (name == "CwiseBinaryOp" && args.size() >= 3) {
    o = operand(args[1], depth + 1);
    if (o.shape == Shape::kUnknown) o = operand(args[2], depth + 1);
    o.holder.clear();
  } else if (name == "Product" && args.size() >= 2) {
    const Operand lhs = operand(args[0], depth + 1), rhs = operand(args[1], depth + 1);
    o.shape = lhs.shape == Shape::kRow ? Shape::kRow : rhs.shape == Shape::kColumn ? Shape::kColumn : Shape::kMatrix;
  } else if (name == "DiagonalWrapper") {
    o.shape = Shape::kDiagonal;
  } else if (name == "PartialReduxExpr" && args.size() >= 3) {
    // x.colwise().sum() (direction 0) is a row, x.rowwise().sum() (direction 1) a column.
    o.shape = args[2] == "0" ? Shape::kRow : args[2] == "1" ? Shape::kColumn : Shape::kUnknown;
  } else if (name == "Replicate") {
    o.shape = Shape::kMatrix;
  }
  return o;
}

std::string noun(const Operand& o);

/// "a matrix and a row vector", or "two column vectors".
std::string pair(const Operand& a, const Operand& b) {
  if (a.shape == b.shape && a.shape != Shape::kUnknown && a.shape != Shape::kDiagonal) {
    const std::string one = noun(a).substr(2);  // "matrix", "column vector", "row vector"
    return "two " + (one == "matrix" ? std::string("matrices") : one + "s");
  }
  return noun(a) + " and " + noun(b);
}

std::string noun(const Operand& o) {
  switch (o.shape) {
    case Shape::kMatrix: return "a matrix";
    case Shape::kColumn: return "a column vector";
    case Shape::kRow: return "a row vector";
    case Shape::kDiagonal: return "a diagonal matrix (.asDiagonal())";
    case Shape::kUnknown: break;
  }
  return "an expression";
}

/// Why the destination of an assignment could not take the new size.
std::string cannot_resize(const Operand& dst) {
  if (dst.holder == "Ref") return "an Eigen::Ref, like an output parameter, cannot be resized: the result must have its size";
  if (dst.holder == "Map") return "an Eigen::Map, like a Tensor's channel(c), cannot be resized";
  if (dst.holder == "Block") return "a block, row or column of a matrix cannot be resized";
  return "it cannot be resized";
}

// ---- the operations ----------------------------------------------------------------------

/// "a difference (-)" for Eigen's scalar_difference_op<double, double>.
std::string binary_op_words(const std::string& op) {
  const std::string name = template_name(op);
  if (name == "scalar_sum_op") return "a sum (+)";
  if (name == "scalar_difference_op") return "a difference (-)";
  if (name == "scalar_product_op") return "an element-wise product (*)";
  if (name == "scalar_quotient_op") return "an element-wise quotient (/)";
  if (name == "scalar_min_op" || name == "scalar_max_op") return "an element-wise min or max";
  if (name == "scalar_cmp_op") return "an element-wise comparison";
  if (name == "scalar_boolean_and_op" || name == "scalar_boolean_or_op") return "an element-wise && or ||";
  return "an element-wise operation";
}

std::string compound_words(const std::string& functor) {
  const std::string name = template_name(functor);
  if (name == "add_assign_op") return "+=";
  if (name == "sub_assign_op") return "-=";
  if (name == "mul_assign_op") return "*=";
  if (name == "div_assign_op") return "/=";
  return "=";
}

/// Frames above the check and below the student's line: Eigen's and the kit's headers.
std::vector<const SourceFrame*> frames_below(const std::vector<SourceFrame>& frames, const SourceFrame* mine) {
  std::vector<const SourceFrame*> below;
  for (const SourceFrame& f : frames) {
    if (&f == mine) break;
    below.push_back(&f);
  }
  return below;
}

struct Finding {
  std::string check;  ///< "size", "index", or "" for another kind of check
  std::string what;
};

Finding element_wise(const std::map<std::string, std::string>& b) {
  const std::string op = binary_op_words(binding(b, {"BinaryOp"}));
  const std::string lhs_type = binding(b, {"LhsType", "Lhs"}), rhs_type = binding(b, {"RhsType", "Rhs"});
  // x.colwise() - v is x - (v repeated across the columns): Replicate<V, 1, -1>.
  for (const std::string& t : {rhs_type, lhs_type}) {
    if (template_name(t) != "Replicate") continue;
    const std::vector<std::string> args = template_args(t);
    if (args.size() < 3) continue;
    if (args[1] == "1") {
      return {"size", op + " with .colwise(): the vector goes down every column of the matrix, so it needs one "
                           "entry per row (did you mean .rowwise(), one entry per column?)"};
    }
    if (args[2] == "1") {
      return {"size", op + " with .rowwise(): the vector goes along every row of the matrix, so it needs one "
                           "entry per column (did you mean .colwise(), one entry per row?)"};
    }
  }
  const Operand lhs = operand(lhs_type), rhs = operand(rhs_type);
  std::string hint;
  const auto either = [&](Shape a, Shape c) {
    return (lhs.shape == a && rhs.shape == c) || (lhs.shape == c && rhs.shape == a);
  };
  if (either(Shape::kRow, Shape::kColumn)) hint = ": .transpose() one of them?";
  else if (either(Shape::kMatrix, Shape::kRow)) hint = ": did you mean .rowwise()?";
  else if (either(Shape::kMatrix, Shape::kColumn)) hint = ": did you mean .colwise()?";
  return {"size", op + " of " + pair(lhs, rhs) + " (the shapes must match" + hint + ")"};
}

Finding matrix_product(const std::map<std::string, std::string>& b) {
  const Operand lhs = operand(binding(b, {"Lhs", "_Lhs"})), rhs = operand(binding(b, {"Rhs", "_Rhs"}));
  const std::string hint = lhs.shape == Shape::kDiagonal || rhs.shape == Shape::kDiagonal
                               ? "v.asDiagonal() * A scales the rows of A, A * v.asDiagonal() its columns"
                               : "for an element-wise product use .cwiseProduct() or .array() *";
  return {"size", "a matrix product of " + pair(lhs, rhs) +
                      " whose inner sizes differ (A * B needs as many columns in A as rows in B; " + hint + ")"};
}

Finding assignment(const EigenCheck& check, const std::map<std::string, std::string>& b,
                   const std::vector<const SourceFrame*>& below) {
  std::string dst_type = binding(b, {"DstXprType", "Dst", "DstType"});
  std::string src_type = binding(b, {"SrcXprType", "Src", "SrcType", "OtherDerived"});
  const std::string functor = binding(b, {"Functor", "Func"});
  if (dst_type.empty()) dst_type = binding(b, {"Derived"});
  // DenseBase::resize knows only the destination: the source is in resize_if_allowed's frame.
  for (const SourceFrame* f : below) {
    if (src_type.empty() && contains(f->function, "resize_if_allowed<")) {
      const std::vector<std::string> args = template_args(f->function.substr(f->function.find("resize_if_allowed<")));
      if (args.size() >= 2) src_type = args[1];
    }
  }
  const Operand dst = operand(dst_type), src = operand(src_type);
  const std::string op = compound_words(functor);
  const std::string from = src_type.empty() ? "a result" : noun(src);
  if (op != "=") {
    return {"size", "a " + op + " of " + (src_type.empty() ? noun(dst) + " and a result" : pair(dst, src)) +
                        " of different sizes (both sides must have the same shape)"};
  }
  if (contains(check.file, "DenseBase.h") || dst.holder == "Ref" || dst.holder == "Map" || dst.holder == "Block") {
    return {"size", "an assignment of " + from + " of another size to " + noun(dst) + " (" + cannot_resize(dst) + ")"};
  }
  return {"size", "an assignment of " + from + " to " + noun(dst) + " of another size"};
}

Finding index_check(const EigenCheck& check, const std::map<std::string, std::string>& b,
                    const std::vector<const SourceFrame*>& below) {
  for (const SourceFrame* f : below) {
    if (contains(f->function, "bnkit::Tensor::operator()")) {
      return {"index", "an index past the end of a Tensor (x(n, c, l) needs 0 <= n < N, 0 <= c < C and "
                       "0 <= l < L; l = 0 for an (N,C) tensor)"};
    }
  }
  const std::string of = noun(operand(binding(b, {"Derived"})));
  if (contains(check.condition, "row >= 0")) {
    return {"index", "an index out of range in " + of + " (m(i, j) needs 0 <= i < rows() and 0 <= j < cols())"};
  }
  return {"index", "an index out of range in " + of + " (v[i] and v(i) need 0 <= i < size())"};
}

Finding block_check(const EigenCheck& check) {
  if (contains(check.condition, "(i>=0)")) {
    return {"index", "a row or column out of range (.row(i) needs 0 <= i < rows(), .col(j) 0 <= j < cols())"};
  }
  return {"index", "a block that reaches past the end (.block(), .segment(), .head(), .tail(), .middleRows() "
                   "and the like must stay inside the matrix)"};
}

Finding classify(const EigenCheck& check, const std::vector<const SourceFrame*>& below) {
  const std::map<std::string, std::string> b = with_bindings(check.function);
  const std::string& f = check.file;
  const std::string& c = check.condition;
  if (contains(f, "CwiseBinaryOp.h") && contains(check.function, "CwiseBinaryOp(")) return element_wise(b);
  if (contains(c, "invalid matrix product")) return matrix_product(b);
  if (contains(f, "Product.h") && contains(c, "rows() == 1 && this->cols() == 1")) {
    return {"size", "a matrix product used as one number, but it is not 1x1 (a dot product is a.dot(b))"};
  }
  if (contains(f, "Dot.h")) {
    return {"size", "a dot product of " + pair(operand(binding(b, {"Derived"})), operand(binding(b, {"OtherDerived"}))) +
                        " of different lengths"};
  }
  if (contains(c, "aliasing detected during transposition")) {
    return {"", "a = a.transpose() on the same matrix (Eigen would overwrite values it still needs: use "
                "a.transposeInPlace(), or a.transpose().eval())"};
  }
  if (contains(f, "PlainObjectBase.h") && contains(c, "other.rows() == 1 || other.cols() == 1")) {
    return {"size", "a vector set from " + noun(operand(binding(b, {"OtherDerived"}))) +
                        " with more than one row and column"};
  }
  if ((contains(f, "AssignEvaluator.h") || contains(f, "Assign.h") || contains(f, "ProductEvaluators.h")) &&
      contains(c, "dst.rows() ==")) {
    return assignment(check, b, below);
  }
  if ((contains(f, "DenseBase.h") && contains(c, "does not actually allow one to resize")) ||
      (contains(f, "DenseBase.h") && contains(c, "rows()==other.rows()"))) {
    return assignment(check, b, below);
  }
  if (contains(f, "DenseCoeffsBase.h")) return index_check(check, b, below);
  if (contains(f, "Block.h")) return block_check(check);
  if (contains(f, "Redux.h") || contains(c, "you are using an empty matrix")) {
    return {"", "a reduction (minCoeff, maxCoeff, prod, mean, ...) of an empty matrix (check for N == 0 first)"};
  }
  if (contains(f, "CommaInitializer.h")) {
    return {"size", std::string("a comma initializer (m << a, b, ...) with too ") +
                        (contains(c, "Too many") ? "many" : "few") + " values for the matrix"};
  }
  if (contains(f, "CwiseNullaryOp.h") || contains(f, "PlainObjectBase.h") || contains(f, "MapBase.h")) {
    return {"size", "a matrix of a negative size, or of another size than its fixed one (Zero, Ones, Constant, "
                    "resize or Map with a wrong count?)"};
  }
  std::string function = check.function.substr(0, check.function.find(" [with "));
  return {"", "Eigen's check (" + printable(c, 300) + ") failed in " + printable(function, 200)};
}

/// "Eigen/src/Core/CwiseBinaryOp.h" from the header's full path.
std::string eigen_path(const std::string& file) {
  const std::size_t eigen = file.rfind("/Eigen/");
  return eigen == std::string::npos ? file : file.substr(eigen + 1);
}

}  // namespace

std::optional<EigenCheck> parse_eigen_check(const std::string& reason) {
  std::istringstream in(reason);
  std::string line;
  if (!std::getline(in, line) || line != kEigenCheckMagic) return std::nullopt;
  EigenCheck check;
  bool have_at = false, have_frames = false;
  while (std::getline(in, line)) {
    if (starts_with(line, "condition: ")) {
      check.condition = line.substr(11);
    } else if (starts_with(line, "function: ")) {
      check.function = line.substr(10);
    } else if (starts_with(line, "at: ")) {
      const std::size_t colon = line.rfind(':');
      const std::string number = line.substr(colon + 1);
      if (colon <= 4 || number.empty() || number.size() > 9 ||
          number.find_first_not_of("0123456789") != std::string::npos) {
        return std::nullopt;
      }
      check.file = line.substr(4, colon - 4);
      check.line = std::stoi(number);
      have_at = true;
    } else if (starts_with(line, "frames:")) {
      std::istringstream words(line.substr(7));
      for (std::string word; words >> word;) {
        // Hex digits only: these become addr2line's arguments.
        if (word.size() > 16 || word.find_first_not_of("0123456789abcdef") != std::string::npos) return std::nullopt;
        if (check.offsets.size() >= static_cast<std::size_t>(kMaxEigenFrames)) return std::nullopt;
        check.offsets.push_back(std::stoull(word, nullptr, 16));
      }
      have_frames = true;
    } else {
      return std::nullopt;
    }
  }
  if (!have_at || !have_frames) return std::nullopt;
  return check;
}

std::vector<SourceFrame> parse_addr2line(const std::string& output) {
  std::vector<SourceFrame> frames;
  std::istringstream in(output);
  std::string address, function, where;
  while (std::getline(in, address) && std::getline(in, function) && std::getline(in, where)) {
    if (!starts_with(address, "0x") || address.size() > 18 ||
        address.find_first_not_of("0123456789abcdef", 2) != std::string::npos) {
      break;  // not addr2line's -a format: stop rather than misread the rest
    }
    SourceFrame f;
    f.offset = std::stoull(address.substr(2), nullptr, 16);
    f.function = function;
    // "file:line", "file:line (discriminator 2)", "??:0" or "??:?"
    const std::size_t note = where.find(" (discriminator");
    if (note != std::string::npos) where.resize(note);
    const std::size_t colon = where.rfind(':');
    f.file = where.substr(0, colon);
    if (colon != std::string::npos) {
      const std::string number = where.substr(colon + 1);
      if (!number.empty() && number.size() <= 9 && number.find_first_not_of("0123456789") == std::string::npos) {
        f.line = std::stoi(number);
      }
    }
    frames.push_back(f);
  }
  return frames;
}

const SourceFrame* student_frame(const std::vector<SourceFrame>& frames, const std::string& kit_root) {
  if (kit_root.empty()) return nullptr;
  const std::string root = kit_root.back() == '/' ? kit_root : kit_root + "/";
  for (const SourceFrame& f : frames) {
    if (f.line <= 0 || !starts_with(f.file, root)) continue;
    const std::string inside = f.file.substr(root.size());
    const bool kit_or_library = starts_with(inside, "harness/include/") || starts_with(inside, "harness/wire/") ||
                                starts_with(inside, "harness/worker/") || starts_with(inside, "harness/lessons/") ||
                                contains(inside, "/Eigen/") || contains(inside, "/_deps/");
    if (!kit_or_library) return &f;
  }
  return nullptr;
}

std::string describe_eigen_check(const EigenCheck& check, const std::vector<SourceFrame>& frames,
                                 const SourceFrame* mine) {
  return classify(check, frames_below(frames, mine)).what;
}

std::string eigen_failure_message(const std::string& call, const EigenCheck& check,
                                  const std::vector<SourceFrame>& frames, const std::string& kit_root,
                                  const std::string& arguments) {
  const SourceFrame* mine = student_frame(frames, kit_root);
  const Finding finding = classify(check, frames_below(frames, mine));
  std::string where;
  if (mine) {
    const std::size_t skip = kit_root.size() + (kit_root.back() == '/' ? 0 : 1);
    where = printable(mine->file.substr(skip), 300) + ":" + std::to_string(mine->line);
  } else {
    where = printable(eigen_path(check.file), 300) + ":" + std::to_string(check.line);
  }
  std::string message = call + " stopped on an Eigen " + (finding.check.empty() ? "" : finding.check + " ") +
                        "check at " + where + ": " + finding.what;
  if (!arguments.empty()) message += "; the call's arguments: " + arguments;
  return message;
}

}  // namespace bnkit::boundary
