// SPDX-License-Identifier: Apache-2.0
#include "tessera/core/driver.hpp"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <map>
#include <new>
#include <set>
#include <thread>

#include <fnmatch.h>

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <fmt/ranges.h>

#include "output_lock.hpp"
#include "tessera/core/checkpoint.hpp"
#include "tessera/core/errors.hpp"
#include "tessera/core/log.hpp"
#include "tessera/core/run_loop.hpp" // checkpoint_path
#include "tessera/core/spaces.hpp"

namespace tessera {

AppIdentity resolved_identity(const DriverInfo& info)
{
  AppIdentity id = info.identity;
  if (id.program.empty()) id.program = "tessera-" + info.name;
  if (id.error_prefix.empty()) id.error_prefix = "tessera";
  if (id.version.empty()) id.version = version();
  if (id.commit.empty()) id.commit = build_commit();
  return id;
}

namespace {
// One of Tessera's own drivers (every field of its identity Tessera's): the banner and
// --version then speak for Tessera alone; an app's say its name, version and commit first.
bool is_tessera_driver(const DriverInfo& info, const AppIdentity& id)
{
  return id.program == "tessera-" + info.name && id.version == version() && id.commit == build_commit();
}

// "heat 1.2.0 (commit abc), on Tessera 0.1.0 (commit def), backend OpenMP, Kokkos 5.2.2".
std::string version_line(const DriverInfo& info, const AppIdentity& id)
{
  std::string line = fmt::format("{} {} (commit {})", id.program, id.version, id.commit);
  if (!is_tessera_driver(info, id)) line += fmt::format(", on Tessera {} (commit {})", version(), build_commit());
  return line + fmt::format(", backend {}, Kokkos {}", backend_name(), kokkos_version());
}
} // namespace

std::filesystem::path default_output_dir(const DriverInfo& info)
{
  return std::filesystem::path("runs") / info.name;
}

namespace {

// Natural order: runs of digits compare by value (plot_9 before plot_10).
bool natural_less(const std::string& a, const std::string& b)
{
  std::size_t i = 0, j = 0;
  while (i < a.size() && j < b.size()) {
    const bool da = std::isdigit(static_cast<unsigned char>(a[i])) != 0;
    const bool db = std::isdigit(static_cast<unsigned char>(b[j])) != 0;
    if (da && db) {
      std::size_t ie = i, je = j;
      while (ie < a.size() && std::isdigit(static_cast<unsigned char>(a[ie])) != 0)
        ++ie;
      while (je < b.size() && std::isdigit(static_cast<unsigned char>(b[je])) != 0)
        ++je;
      auto x = a.substr(i, ie - i), y = b.substr(j, je - j);
      x.erase(0, std::min(x.find_first_not_of('0'), x.size()));
      y.erase(0, std::min(y.find_first_not_of('0'), y.size()));
      if (x.size() != y.size()) return x.size() < y.size();
      if (x != y) return x < y;
      i = ie;
      j = je;
    } else {
      if (a[i] != b[j]) return a[i] < b[j];
      ++i;
      ++j;
    }
  }
  return a.size() - i < b.size() - j;
}

// The name with every run of digits replaced by '#': the members of a series share it.
std::string series_key(const std::string& name)
{
  std::string key;
  for (std::size_t i = 0; i < name.size(); ++i) {
    if (std::isdigit(static_cast<unsigned char>(name[i])) != 0) {
      if (key.empty() || key.back() != '#') key += '#';
    } else {
      key += name[i];
    }
  }
  return key;
}

} // namespace

std::vector<std::string> group_numbered_files(std::vector<std::string> names)
{
  std::sort(names.begin(), names.end(), natural_less);
  // Series: names with digits whose key more than one name shares, listed at the first one.
  std::map<std::string, std::vector<std::string>> series;
  for (const auto& name : names) {
    if (series_key(name) != name) series[series_key(name)].push_back(name);
  }
  std::vector<std::string> out;
  std::set<std::string> listed;
  for (const auto& name : names) {
    const auto key = series_key(name);
    const auto it = series.find(key);
    if (it == series.end() || it->second.size() < 2) {
      out.push_back(name);
    } else if (listed.insert(key).second) {
      out.push_back(fmt::format("{} ... {} ({} files)", it->second.front(), it->second.back(), it->second.size()));
    }
  }
  return out;
}

std::vector<std::string> files_written(const std::filesystem::path& dir, std::filesystem::file_time_type since,
                                       const std::vector<std::filesystem::path>& exclude)
{
  std::vector<std::string> names;
  std::error_code ec;
  std::set<std::filesystem::path> excluded;
  for (const auto& path : exclude)
    excluded.insert(std::filesystem::weakly_canonical(path, ec));
  for (auto it = std::filesystem::recursive_directory_iterator(dir, ec);
       !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
    const auto name = it->path().filename().string();
    if (name.empty() || name[0] == '.') {
      if (it->is_directory(ec)) it.disable_recursion_pending();
      continue;
    }
    if (!it->is_regular_file(ec)) continue;
    if (name == "stop" || name.ends_with(".tmp")) continue;
    const auto time = std::filesystem::last_write_time(it->path(), ec);
    if (ec || time < since) {
      ec.clear();
      continue;
    }
    if (excluded.contains(std::filesystem::weakly_canonical(it->path(), ec))) continue;
    names.push_back(std::filesystem::relative(it->path(), dir, ec).generic_string());
  }
  return group_numbered_files(std::move(names));
}

namespace {
// An option given an empty value (an unset shell variable) must not fall back to the default.
InputError empty_option(const std::string& name)
{
  return InputError(
      fmt::format("command line: {} is empty; name a {}", name, name == "--output" ? "directory" : "file"));
}
} // namespace

std::optional<DriverOptions> parse_driver_options(const DriverInfo& info, int argc, char** argv)
{
  const AppIdentity id = resolved_identity(info);
  // An override written with a space (--ic.n 256): the value would be taken for the input
  // deck or a stray argument, so say how to write it before anything else reads it.
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    // "--output=$UNSET": CLI11 would take the next argument (the deck) as the value.
    for (const std::string option : {"--output", "--restart", "--summary"}) {
      if (arg == option + "=") throw empty_option(option);
    }
    if (arg.rfind("--", 0) != 0 || arg.rfind("--kokkos", 0) == 0 || arg.find('.') == std::string::npos ||
        arg.find('=') != std::string::npos)
      continue;
    const std::string key = shorten_for_message(arg);
    if (i + 1 < argc && std::string(argv[i + 1]).rfind("--", 0) != 0) {
      const std::string value = shorten_for_message(argv[i + 1]);
      throw InputError(fmt::format("command line: '{} {}': write {}={}", key, value, key, value));
    }
    throw InputError(fmt::format("command line: '{}': write {}=VALUE", key, key));
  }
  DriverOptions options;
  CLI::App app(info.description, id.program);
  app.allow_extras();
  std::string input, output, restart, summary;
  bool show_version = false;
  auto* input_option = app.add_option("input", input, "input deck (TOML); without it every key has its default");
  auto* output_option = app.add_option(
      "--output,-o", output,
      fmt::format("directory for output files (created if missing; default: {})", default_output_dir(info).string()));
  CLI::Option* restart_option = nullptr;
  if (info.offers_restart) restart_option = app.add_option("--restart", restart, "checkpoint file to continue from");
  auto* summary_option = app.add_option("--summary", summary, "write a JSON summary of the run to this file");
  app.add_flag("--help-input", options.help_input, "print every input key with its default and meaning");
  app.add_flag("--version", show_version, "print the version and the build (backend, Kokkos) and exit");
  for (const auto& flag : info.flags) {
    app.add_flag_callback("--" + flag.name, [&options, name = flag.name] { options.flags.insert(name); }, flag.help);
  }
  app.footer("Any input key can be overridden as --section.key=value (see --help-input). "
             "Kokkos' own options: --kokkos-help.");
  try {
    app.parse(argc, argv);
    if (show_version) {
      if (log::context().rank == 0) std::cout << version_line(info, id) << '\n';
      return std::nullopt;
    }
  } catch (const CLI::CallForHelp&) {
    if (log::context().rank == 0) std::cout << app.help();
    return std::nullopt;
  } catch (const CLI::ParseError& e) {
    throw InputError(fmt::format("command line: {}", e.what()));
  }
  for (const auto& [option, value] : {std::pair{input_option, &input}, std::pair{output_option, &output},
                                      std::pair{restart_option, &restart}, std::pair{summary_option, &summary}}) {
    if (option != nullptr && option->count() > 0 && value->empty()) throw empty_option(option->get_name());
  }
  for (const auto& extra : app.remaining()) {
    if (extra.rfind("--", 0) != 0 || extra.find('.') == std::string::npos || extra.find('=') == std::string::npos) {
      throw InputError(fmt::format("command line: unexpected argument '{}' (overrides are --section.key=value)",
                                   shorten_for_message(extra)));
    }
    options.overrides.push_back(extra.substr(2));
  }
  if (!input.empty()) options.input = input;
  options.output_defaulted = output.empty();
  options.output_dir = output.empty() ? default_output_dir(info) : std::filesystem::path(output);
  if (!restart.empty()) options.restart = restart;
  if (!summary.empty()) options.summary = summary;
  return options;
}

void write_json_atomically(const Comm& comm, const std::filesystem::path& path, const nlohmann::json& json)
{
  int ok = 1;
  if (comm.is_root()) {
    const auto tmp = std::filesystem::path(path.string() + ".tmp");
    {
      std::ofstream out(tmp);
      out << json.dump(2) << "\n";
      out.flush();
      ok = out.good() ? 1 : 0;
    }
    std::error_code ec;
    if (ok) std::filesystem::rename(tmp, path, ec);
    if (ec) ok = 0;
  }
  comm.broadcast(&ok, 1);
  if (!ok) throw IoError(fmt::format("{}: cannot write the file", path.string()));
}

void ensure_output_directory(const Comm& comm, const std::filesystem::path& dir)
{
  int ok = 1;
  std::string message;
  if (comm.is_root()) {
    std::error_code ec;
    if (std::filesystem::exists(dir, ec) && !std::filesystem::is_directory(dir, ec)) {
      ok = 0;
      message = fmt::format("--output {}: is a file, not a directory", dir.string());
    } else {
      std::filesystem::create_directories(dir, ec);
      const auto probe = dir / fmt::format(".tessera-write-test-{}", ::getpid());
      {
        std::ofstream out(probe);
        out << "probe\n";
        out.flush();
        if (!out.good()) {
          ok = 0;
          message = fmt::format("{}: output directory is not writable", dir.string());
        }
      }
      std::filesystem::remove(probe, ec);
      const auto space = std::filesystem::space(dir, ec);
      if (ok && !ec && space.available < (std::uintmax_t{16} << 20)) {
        ok = 0;
        message = fmt::format("{}: less than 16 MiB free on the output file system", dir.string());
      }
    }
  }
  comm.broadcast(&ok, 1);
  if (!ok) throw IoError(comm.broadcast(message));
}

namespace {

std::filesystem::path comparable(const std::filesystem::path& path)
{
  std::error_code ec;
  auto out = std::filesystem::weakly_canonical(std::filesystem::absolute(path, ec), ec);
  return ec ? path : out;
}

} // namespace

namespace {

// A key that names a file the run reads may not name a directory (the module's reader would
// report "no data" or worse about it).
void check_read_paths(const Config& config)
{
  for (const auto& key : config.schema().keys()) {
    if (!key.reads_file) continue;
    const auto value = config.get_string(key.name);
    std::error_code ec;
    if (!value.empty() && std::filesystem::is_directory(value, ec))
      throw InputError(
          fmt::format("key '{}' = \"{}\": is a directory; name a file", key.name, shorten_for_message(value)));
  }
}

// Two keys flagged writes_file naming one file, or one naming a file core writes in the output
// directory (the run log, the lock, the checkpoint): either would silently destroy the other.
void check_written_names(const DriverInfo& info, const DriverOptions& options, const Config& config)
{
  std::map<std::filesystem::path, std::string> claimed;
  claimed[comparable(options.output_dir / (info.name + ".log"))] = "the run log";
  claimed[comparable(OutputLock::lock_file(options.output_dir))] = "the output directory's lock";
  claimed[comparable(checkpoint_path(options.output_dir, info.name))] = "the checkpoint";
  for (const auto& key : config.schema().keys()) {
    if (!key.writes_file) continue;
    const auto value = config.get_string(key.name);
    if (value.empty()) continue;
    const auto path = comparable(options.output_dir / value);
    std::error_code ec;
    if (std::filesystem::is_directory(path, ec))
      throw InputError(fmt::format("key '{}' = \"{}\": {} is a directory; expected a file name", key.name,
                                   shorten_for_message(value), (options.output_dir / value).string()));
    const auto [it, fresh] = claimed.emplace(path, fmt::format("key '{}'", key.name));
    if (!fresh)
      throw InputError(fmt::format("key '{}' = \"{}\": the run writes {} there as {}; name another file", key.name,
                                   shorten_for_message(value), path.filename().string(), it->second));
  }
}

// Runs `check` on rank 0 only; an Error it throws is thrown on every rank, with its code.
void decided_on_root(const Comm& comm, const std::function<void()>& check)
{
  int code = 0;
  std::string message;
  if (comm.is_root()) {
    try {
      check();
    } catch (const Error& e) {
      code = static_cast<int>(e.code());
      message = e.what();
    }
  }
  comm.broadcast(&code, 1);
  message = comm.broadcast(message);
  if (code != 0) throw Error(static_cast<ExitCode>(code), message);
}

} // namespace

void refuse_writing_over(const Config& config, const std::filesystem::path& output_dir, const std::string& written_key,
                         const std::string& read_key)
{
  const auto written = config.get_string(written_key), read = config.get_string(read_key);
  if (written.empty() || read.empty()) return;
  if (comparable(output_dir / written) == comparable(read))
    throw InputError(fmt::format("key '{}' = \"{}\": is the file of key '{}', which the run reads; name another file",
                                 written_key, shorten_for_message(written), read_key));
}

void check_summary_path(const Comm& comm, const DriverInfo& info, const DriverOptions& options, const Config& config)
{
  if (!options.summary) return;
  const auto summary = comparable(*options.summary);
  const auto named = [&](const std::filesystem::path& other) { return comparable(other) == summary; };
  const auto refuse = [&](const std::string& why) {
    return InputError(fmt::format("--summary {}: {}; name another file", options.summary->string(), why));
  };
  std::error_code ec;
  if (std::filesystem::is_directory(*options.summary, ec)) throw refuse("is a directory");
  if (options.input && named(*options.input)) throw refuse("is the input deck, which the run reads");
  if (options.restart && named(*options.restart)) throw refuse("is the checkpoint the run restarts from");
  for (const auto& key : config.schema().keys()) {
    if (!key.reads_file) continue;
    const auto value = config.get_string(key.name);
    if (!value.empty() && named(value)) throw refuse(fmt::format("the run reads it (key '{}')", key.name));
  }
  if (summary.parent_path() == comparable(options.output_dir)) {
    const auto name = summary.filename().string();
    for (const auto& key : config.schema().keys()) {
      if (key.writes_file && !config.get_string(key.name).empty() && config.get_string(key.name) == name)
        throw refuse(fmt::format("the run writes it in the output directory (key '{}')", key.name));
    }
    auto patterns = info.output_files;
    patterns.push_back(OutputLock::lock_file(".").filename().string());
    patterns.push_back(info.name + ".log");
    for (const auto& pattern : patterns) {
      if (::fnmatch(pattern.c_str(), name.c_str(), 0) == 0 ||
          ::fnmatch((pattern + ".tmp").c_str(), name.c_str(), 0) == 0)
        throw refuse(fmt::format("the run writes it in the output directory ({})", pattern));
    }
  }
  // The summary is written through <summary>.tmp at the end: both must be writable now.
  int ok = 1;
  if (comm.is_root()) {
    const auto probe = std::filesystem::path(options.summary->string() + ".tmp");
    {
      std::ofstream out(probe, std::ios::app);
      ok = out.good() ? 1 : 0;
    }
    std::filesystem::remove(probe, ec);
  }
  comm.broadcast(&ok, 1);
  if (!ok)
    throw IoError(fmt::format("--summary {}: cannot be written (its directory is missing or not writable)",
                              options.summary->string()));
}

namespace {

std::string serialise(const StartUpSettings& s)
{
  std::string out = s.error_code
                        ? fmt::format("error\x1f{}\x1f{}\x1e", static_cast<int>(*s.error_code), s.error_message)
                        : std::string("ok\x1e");
  for (const auto& [what, value] : s.settings)
    out += what + '\x1f' + value + '\x1e';
  return out;
}

std::vector<std::pair<std::string, std::string>> entries(const std::string& text)
{
  std::vector<std::pair<std::string, std::string>> out;
  std::size_t begin = 0;
  while (begin < text.size()) {
    const auto end = text.find('\x1e', begin);
    const auto item = text.substr(begin, end - begin);
    const auto sep = item.find('\x1f');
    out.emplace_back(item.substr(0, sep), sep == std::string::npos ? "" : item.substr(sep + 1));
    begin = end == std::string::npos ? text.size() : end + 1;
  }
  return out;
}

// The first difference between rank 0's settings and another rank's, as a sentence.
std::string first_difference(const std::string& zero, const std::string& other, int rank)
{
  const auto a = entries(zero), b = entries(other);
  const auto failed = [](const std::vector<std::pair<std::string, std::string>>& e) { return e[0].first == "error"; };
  const auto message = [](const std::pair<std::string, std::string>& e) {
    return e.second.substr(e.second.find('\x1f') + 1);
  };
  if (failed(a) != failed(b)) {
    return failed(a) ? fmt::format("rank 0 could not read its input ({}), rank {} could", message(a[0]), rank)
                     : fmt::format("rank {} could not read its input ({}), rank 0 could", rank, message(b[0]));
  }
  if (failed(a)) return fmt::format("rank 0: {}; rank {}: {}", message(a[0]), rank, message(b[0]));
  for (std::size_t i = 1; i < std::max(a.size(), b.size()); ++i) {
    const auto& x = i < a.size() ? a[i] : std::pair<std::string, std::string>{"(nothing)", ""};
    const auto& y = i < b.size() ? b[i] : std::pair<std::string, std::string>{"(nothing)", ""};
    if (x != y) {
      if (x.first != y.first) return fmt::format("{} on rank 0, {} on rank {}", x.first, y.first, rank);
      return fmt::format("{} = {} on rank 0, {} on rank {}", x.first, x.second, y.second, rank);
    }
  }
  return fmt::format("rank 0 and rank {} differ", rank);
}

} // namespace

void agree_on_start_up(const Comm& comm, const StartUpSettings& mine)
{
  const auto text = serialise(mine);
  const auto hash = checksum(text.data(), text.size(), 1, 0);
  if (comm.size() > 1 && comm.min(hash) != comm.max(hash)) {
    const std::vector<char> chars(text.begin(), text.end());
    const auto lengths = comm.all_gather(static_cast<int>(chars.size()));
    const auto all = comm.all_gather_v(chars);
    std::vector<std::string> texts;
    std::size_t offset = 0;
    for (const int length : lengths) {
      texts.emplace_back(all.begin() + static_cast<std::ptrdiff_t>(offset),
                         all.begin() + static_cast<std::ptrdiff_t>(offset + static_cast<std::size_t>(length)));
      offset += static_cast<std::size_t>(length);
    }
    for (int r = 1; r < comm.size(); ++r) {
      if (texts[static_cast<std::size_t>(r)] != texts[0])
        throw InputError("the ranks were started with different settings: " +
                         first_difference(texts[0], texts[static_cast<std::size_t>(r)], r));
    }
  }
  if (mine.error_code) throw Error(*mine.error_code, mine.error_message);
}

namespace {

// Ends a run that failed with one line on stderr and `code`. With several ranks, the ranks
// that failed wait a few seconds for each other on a communicator of their own: if all
// arrive (bad input is seen by every rank alike), rank 0 alone prints and all exit with the
// code; if not, the others are stuck in some collective, so this rank prints its error and
// aborts the job rather than leave it hanging.
int fail(const Runtime& runtime, ExitCode code, const std::string& message)
{
  const Comm& comm = runtime.world();
  if (comm.size() == 1) {
    log::error("{}", message);
    return static_cast<int>(code);
  }
  MPI_Request request;
  MPI_Ibarrier(runtime.error_agreement(), &request);
  int all_failed = 0;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (!all_failed && std::chrono::steady_clock::now() < deadline) {
    MPI_Test(&request, &all_failed, MPI_STATUS_IGNORE);
    if (!all_failed) std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  if (all_failed) {
    if (comm.is_root()) log::error_plain("{}", message);
    return static_cast<int>(code);
  }
  log::error("{}", message);
  MPI_Abort(MPI_COMM_WORLD, static_cast<int>(code));
  return static_cast<int>(code);
}

// What this rank read from its command line and input deck, before the ranks agreed on it.
struct StartUp {
  std::optional<DriverOptions> options; // nullopt: --help was printed
  std::optional<Config> config;
  StartUpSettings settings;
};

StartUp read_start_up(const DriverInfo& info, int argc, char** argv)
{
  StartUp s;
  auto& list = s.settings.settings;
  try {
    s.options = parse_driver_options(info, argc, argv);
    if (!s.options) {
      list.emplace_back("--help or --version", "given");
      return s;
    }
    const auto& o = *s.options;
    list.emplace_back("the input deck", o.input ? o.input->string() : "(none)");
    list.emplace_back("--output", o.output_dir.string());
    list.emplace_back("--restart", o.restart ? o.restart->string() : "(none)");
    list.emplace_back("--summary", o.summary ? o.summary->string() : "(none)");
    list.emplace_back("--help-input", o.help_input ? "given" : "(none)");
    for (const auto& flag : o.flags)
      list.emplace_back("--" + flag, "given");
    if (o.help_input) return s;
    s.config = Config::load(*info.schema, o.input, o.overrides);
    for (const auto& [key, value] : s.config->effective_values())
      list.emplace_back("key '" + key + "'", value);
  } catch (const Error& e) {
    s.settings.error_code = e.code();
    s.settings.error_message = e.what();
  }
  return s;
}

// "files written in runs/nbody: ...": the output directory's files the run wrote, files of
// keys flagged writes_file that lie outside it, the summary.
std::string files_written_line(const DriverOptions& options, const Config& config,
                               const std::optional<std::filesystem::file_time_type>& started)
{
  std::vector<std::string> items;
  std::vector<std::filesystem::path> exclude;
  if (options.summary) exclude.push_back(*options.summary);
  if (started) items = files_written(options.output_dir, *started, exclude);
  std::error_code ec;
  const auto dir = comparable(options.output_dir);
  for (const auto& key : config.schema().keys()) {
    if (!key.writes_file || config.get_string(key.name).empty()) continue;
    const auto path = options.output_dir / config.get_string(key.name);
    const auto where = comparable(path);
    const auto inside = std::mismatch(dir.begin(), dir.end(), where.begin(), where.end()).first == dir.end();
    if (inside || !started || !std::filesystem::is_regular_file(path, ec)) continue;
    if (std::filesystem::last_write_time(path, ec) >= *started && !ec) items.push_back(path.string());
  }
  if (options.summary) items.push_back("summary: " + options.summary->string());
  if (items.empty()) return fmt::format("no files written in {}", options.output_dir.string());
  return fmt::format("files written in {}: {}", options.output_dir.string(), fmt::join(items, ", "));
}

int run(const DriverInfo& info, int argc, char** argv, const std::function<nlohmann::json(const DriverContext&)>& body)
{
  const auto start = std::chrono::steady_clock::now();
  const AppIdentity id = resolved_identity(info);
  log::context().program = id.error_prefix;
  // Before MPI and Kokkos start (a CUDA context can take seconds on a busy node): a scheduler's
  // SIGTERM that early stops the run at its first check, with a checkpoint and exit code 4,
  // instead of killing it. Installed again below in case a library replaced them.
  install_stop_handlers();
  Runtime runtime(argc, argv);
  const auto& comm = runtime.world();
  try {
    const auto start_up = read_start_up(info, argc, argv);
    agree_on_start_up(comm, start_up.settings);
    if (!start_up.options) return 0;
    const auto& options = *start_up.options;
    if (options.help_input) {
      log::info("Input keys of {} (set them in the input file or as --section.key=value):\n\n{}", id.program,
                info.schema->markdown());
      return 0;
    }
    const auto& config = *start_up.config;
    if (info.check_input) info.check_input(config, options);
    ensure_output_directory(comm, options.output_dir);
    // Decided on rank 0 (another node may see the file system otherwise), refused by all.
    decided_on_root(comm, [&] {
      check_read_paths(config);
      check_written_names(info, options, config);
    });
    check_summary_path(comm, info, options, config);
    const OutputLock lock(comm, options.output_dir, info.name);
    // What the run writes is what is modified from now on: the lock file has just been
    // written (file times come from the file system's clock, so compare with one of its own).
    std::error_code ec;
    const auto started = comm.is_root()
                             ? std::filesystem::last_write_time(OutputLock::lock_file(options.output_dir), ec)
                             : std::filesystem::file_time_type{};
    install_stop_handlers();
    const auto run_log = options.output_dir / (info.name + ".log");
    if (!log::open_run_log(run_log.string(), options.restart.has_value()))
      log::warn("{}: cannot open the run log; output goes to the terminal only", run_log.string());
    if (is_tessera_driver(info, id))
      log::info("{}", runtime.banner());
    else
      log::info("{} {} ({}) | {}", id.program, id.version, id.commit, runtime.banner());
    log::info("output in {}{}", options.output_dir.string(),
              options.output_defaulted ? " (the default; --output DIR to choose another)" : "");

    PhaseTimers timers;
    DriverContext context{&runtime, comm, config, options, timers};
    nlohmann::json results = body(context);
    // A signal after the run's last check comes too late to change it: the body says whether
    // it was interrupted (simulations do); without a word from it, the flag decides.
    const bool interrupted =
        results.is_object() && results.contains("interrupted") && results["interrupted"].is_boolean()
            ? results["interrupted"].get<bool>()
            : stop_requested();

    const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (options.summary) {
      nlohmann::json summary = {{"driver", id.program},       {"version", id.version},
                                {"commit", id.commit},        {"runtime", runtime.description()},
                                {"input", config.source()},   {"config", config.to_json()},
                                {"timers", timers.to_json()}, {"wall_seconds", wall},
                                {"results", results},         {"status", interrupted ? "interrupted" : "ok"}};
      write_json_atomically(comm, *options.summary, summary);
    }
    if (comm.is_root())
      log::info("{}", files_written_line(options, config, ec ? std::nullopt : std::optional(started)));
    return interrupted ? static_cast<int>(ExitCode::interrupted) : 0;
  } catch (const Error& e) {
    return fail(runtime, e.code(), e.what());
  } catch (const std::bad_alloc&) {
    return fail(runtime, ExitCode::failure, "out of memory (reduce the problem size or use more ranks)");
  } catch (const std::exception& e) {
    return fail(runtime, ExitCode::failure, e.what());
  }
}

} // namespace

int run_driver(const DriverInfo& info, int argc, char** argv,
               const std::function<nlohmann::json(const DriverContext&)>& body)
{
  try {
    return run(info, argc, argv, body);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "%s: error: %s\n", log::context().program.c_str(), e.what());
    return static_cast<int>(ExitCode::failure);
  }
}

} // namespace tessera
