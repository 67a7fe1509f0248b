// SPDX-License-Identifier: Apache-2.0
#include "tessera/core/table_file.hpp"

#include <cmath>
#include <fstream>
#include <vector>

#include <fmt/format.h>

#include "tessera/core/checkpoint.hpp"
#include "tessera/core/errors.hpp"
#include "tessera/core/log.hpp"

namespace tessera {

namespace {

// The checksum of `text` continuing one over the `offset` bytes before it.
std::uint64_t continue_checksum(std::uint64_t sum, const std::string& text, std::int64_t offset)
{
  return sum + tessera::checksum(text.data(), text.size(), 1, static_cast<std::uint64_t>(offset));
}

std::string cell_text(const TableCell& cell, TableStyle style)
{
  return std::visit(
      [style](const auto& value) -> std::string {
        using T = std::decay_t<decltype(value)>;
        if constexpr (std::is_same_v<T, double>) {
          return fmt::format("{:.17g}", value);
        } else if constexpr (std::is_same_v<T, std::int64_t>) {
          return fmt::format("{}", value);
        } else {
          std::string text = value.empty() ? "-" : value;
          if (style == TableStyle::columns) {
            for (auto& c : text)
              if (c == ' ' || c == '\t') c = '_';
            return text;
          }
          if (text.find_first_of(",\"\n") == std::string::npos) return text;
          std::string quoted = "\"";
          for (const char c : text)
            quoted += c == '"' ? std::string("\"\"") : std::string(1, c);
          return quoted + "\"";
        }
      },
      cell);
}

} // namespace

TableFile::TableFile(const Comm& comm, std::filesystem::path path, TableStyle style)
    : comm_(&comm), path_(std::move(path)), style_(style)
{
}

TableFile::~TableFile()
{
  if (file_) std::fclose(file_);
}

void TableFile::start()
{
  std::string error;
  if (comm_->is_root()) {
    file_ = std::fopen(path_.c_str(), "w");
    if (!file_) error = fmt::format("{}: cannot open the table for writing", path_.string());
    bytes_ = 0;
    sum_ = 0;
  }
  error = comm_->broadcast(error);
  if (!error.empty()) throw IoError(error);
}

void TableFile::resume(std::int64_t bytes, std::uint64_t sum)
{
  std::string error;
  bool anew = false;
  if (comm_->is_root()) {
    std::error_code ec;
    if (!std::filesystem::exists(path_, ec)) {
      anew = bytes > 0;
      file_ = std::fopen(path_.c_str(), "w");
      bytes_ = 0;
      sum_ = 0;
    } else {
      std::string head;
      {
        std::ifstream in(path_, std::ios::binary);
        head.resize(static_cast<std::size_t>(std::max<std::int64_t>(bytes, 0)));
        in.read(head.data(), static_cast<std::streamsize>(head.size()));
        if (in.gcount() != static_cast<std::streamsize>(head.size())) head.clear();
      }
      if (bytes < 0 || (bytes > 0 && head.empty()) || continue_checksum(0, head, 0) != sum) {
        error = fmt::format("{}: does not begin with the rows of the run the checkpoint belongs to (edited, or "
                            "written by another run); move it away or restart into another --output",
                            path_.string());
      } else {
        std::filesystem::resize_file(path_, static_cast<std::uintmax_t>(bytes), ec);
        file_ = ec ? nullptr : std::fopen(path_.c_str(), "a");
        bytes_ = bytes;
        sum_ = sum;
      }
    }
    if (error.empty() && !file_) error = fmt::format("{}: cannot open the table for writing", path_.string());
  }
  error = comm_->broadcast(error);
  if (!error.empty()) throw IoError(error);
  int fresh = anew ? 1 : 0;
  comm_->broadcast(&fresh, 1);
  if (fresh)
    log::warn("{}: not here, so the table starts anew with the rows after the checkpoint (the earlier rows are beside "
              "the checkpoint's first run)",
              path_.string());
}

std::string TableFile::format(const DiagnosticsRow& row, bool header) const
{
  const char* separator = style_ == TableStyle::csv ? "," : " ";
  std::string line = header && style_ == TableStyle::columns ? "# " : "";
  for (std::size_t c = 0; c < row.cells.size(); ++c) {
    if (c > 0) line += separator;
    line += header ? row.cells[c].first : cell_text(row.cells[c].second, style_);
  }
  return line + "\n";
}

void TableFile::write(const std::string& text)
{
  const bool ok = std::fwrite(text.data(), 1, text.size(), file_) == text.size() && std::fflush(file_) == 0;
  if (!ok) {
    error_ = fmt::format("{}: cannot write the table (disk full?)", path_.string());
    return;
  }
  sum_ = continue_checksum(sum_, text, bytes_);
  bytes_ += static_cast<std::int64_t>(text.size());
}

void TableFile::append(const DiagnosticsRow& row)
{
  if (!comm_->is_root() || row.empty() || !error_.empty()) return;
  if (!file_) {
    error_ = fmt::format("{}: the table is not open", path_.string());
    return;
  }
  if (bytes_ == 0) write(format(row, true));
  write(format(row, false));
}

std::int64_t TableFile::bytes() const
{
  std::int64_t b = bytes_;
  comm_->broadcast(&b, 1);
  return b;
}

std::uint64_t TableFile::checksum() const
{
  std::uint64_t s = sum_;
  comm_->broadcast(&s, 1);
  return s;
}

} // namespace tessera
