// How `./bnkit capstone` hands the data to a trainer: on the trainer's stdin, already checked
// (idx.hpp), so a trainer needs no access to the data folder and no run decodes gzip again.
//
//   bnkit-data 1 N_TRAIN N_TEST ROWS COLS\n
//   train images (N_TRAIN * ROWS * COLS bytes), train labels (N_TRAIN bytes),
//   test images (N_TEST * ROWS * COLS bytes), test labels (N_TEST bytes)
#pragma once

#include "idx.hpp"

#include <string>

namespace bnkit::capstone {

inline constexpr const char* kDataPipeMagic = "bnkit-data 1";

/// The header line for a train and a test split of the same image size.
std::string data_pipe_header(const IdxSplit& train, const IdxSplit& test);

/// Reads the header and both splits from `fd` (blocking).
/// \throws DataError when the stream is not in this format or ends early.
void read_data_pipe(int fd, IdxSplit& train, IdxSplit& test);

}  // namespace bnkit::capstone
