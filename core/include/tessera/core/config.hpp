// SPDX-License-Identifier: Apache-2.0
#pragma once
// Input decks: a TOML file with one table per module, plus `--section.key=value` overrides
// on the command line. Every key a program accepts is declared once in a ConfigSchema with
// its type, default, range, unit and meaning; the schema validates the whole input before
// anything runs (unknown keys get a "did you mean" suggestion) and documents itself
// (`--help-input` of every driver prints it).
//
// A key may carry two flags: `fixed_on_restart` (a checkpoint continues only under the same
// value: the physics, the mesh, the seed; core's run loop compares them) and `reads_file`
// (its value is a path the run reads: `--summary` may not point at it, nor a directory), or
// `writes_file` (a file name the run writes in its output directory: a value with '/' or "."
// / ".." is refused when it is set, and the driver refuses two such keys naming one file or
// one naming the run log, the lock or the checkpoint). A key that was
// renamed stays known under its old name only to say the new one.

#include <cstdint>
#include <filesystem>
#include <functional>
#include <initializer_list>
#include <map>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include <nlohmann/json.hpp>

namespace tessera {

using ConfigValue = std::variant<bool, std::int64_t, double, std::string>;
class Config;

struct ConfigKey {
  enum class Kind { boolean, integer, real, string };
  std::string name; // "section.key"
  Kind kind;
  ConfigValue default_value;
  std::string doc;
  std::string unit;
  std::optional<double> min; // inclusive bounds for integer and real keys
  std::optional<double> max;
  std::vector<std::string> choices; // allowed values of a string key (empty: any)
  bool fixed_on_restart = false;    // a restart must keep the checkpoint's value
  bool reads_file = false;          // the value is a path the run reads
  bool writes_file = false;         // the value is a file name the run writes in its output directory
};

// A value as TOML writes it ("true", "3", "0.5", "\"hllc\""), for messages and fingerprints.
std::string format_config_value(const ConfigValue& value);

// `text` for a one-line message: text longer than 200 characters is cut to its first 60 and
// "... (N characters)".
std::string shorten_for_message(const std::string& text);

class ConfigSchema {
public:
  ConfigSchema& add_bool(const std::string& name, bool def, const std::string& doc);
  ConfigSchema& add_int(const std::string& name, std::int64_t def, const std::string& doc,
                        std::optional<double> min = {}, std::optional<double> max = {}, const std::string& unit = "");
  ConfigSchema& add_real(const std::string& name, double def, const std::string& doc, std::optional<double> min = {},
                         std::optional<double> max = {}, const std::string& unit = "");
  ConfigSchema& add_string(const std::string& name, const std::string& def, const std::string& doc,
                           std::vector<std::string> choices = {});

  // Flags on keys already declared: a name ending in '.' stands for its whole section
  // ("ic." is every ic.* key). Throws if a name matches no key (a typo in the module).
  ConfigSchema& fixed_on_restart(const std::vector<std::string>& names);
  // The keys flagged fixed_on_restart that do not apply under a given config (mesh.cells_y of a
  // 1-D mesh): left out of the restart fingerprint, so a restart neither records nor compares
  // them. `keys` gets the effective config and returns their names.
  ConfigSchema& not_applicable_on_restart(std::function<std::vector<std::string>(const Config&)> keys);
  ConfigSchema& reads_file(const std::string& name);
  ConfigSchema& writes_file(const std::string& name);
  // `old_name` is no longer a key: input that uses it is refused with a line naming `new_name`.
  ConfigSchema& renamed(const std::string& old_name, const std::string& new_name);

  const ConfigKey* find(const std::string& name) const;
  const std::vector<ConfigKey>& keys() const { return keys_; }
  // The declared key closest to `name` (edit distance), for "did you mean".
  std::string closest(const std::string& name) const;
  // A Markdown table of every key: docs/ and `--help-input`.
  std::string markdown() const;

  // The new name of a renamed key ("" if `name` was never renamed).
  std::string new_name_of(const std::string& name) const;

private:
  ConfigSchema& add(ConfigKey key);
  std::vector<ConfigKey> keys_;
  std::map<std::string, std::string> renamed_;
  std::function<std::vector<std::string>(const Config&)> not_applicable_;
  friend class Config;
};

class Config {
public:
  // Reads `file` (if given) and applies `overrides` ("section.key=value", later wins).
  // Throws InputError naming the file or key on any problem.
  static Config load(const ConfigSchema& schema, const std::optional<std::filesystem::path>& file,
                     const std::vector<std::string>& overrides = {});
  // Parses TOML text (the file name only labels messages): what load() does after reading.
  static Config parse(const ConfigSchema& schema, const std::string& text, const std::string& source_name,
                      const std::vector<std::string>& overrides = {});

  bool get_bool(const std::string& name) const;
  std::int64_t get_int(const std::string& name) const;
  double get_real(const std::string& name) const;
  std::string get_string(const std::string& name) const;
  bool is_set(const std::string& name) const; // given in the file or on the command line

  // Every key with its effective value (defaults included): echoed into summaries.
  nlohmann::json to_json() const;
  // The keys flagged fixed_on_restart with their values formatted as TOML, by name (without
  // those the schema's not_applicable_on_restart names for this config).
  std::map<std::string, std::string> restart_fingerprint() const;
  // Every key with its value formatted as TOML, in the schema's order (rank agreement).
  std::vector<std::pair<std::string, std::string>> effective_values() const;
  const ConfigSchema& schema() const { return schema_; }
  const std::string& source() const { return source_; }
  // Where the values of `keys` came from, for messages about them: "command line '--k=v'"
  // for each key given as an override (several joined by ", "), else source().
  std::string where(std::initializer_list<std::string> keys) const;
  std::string where(const std::string& key) const { return where({key}); }

private:
  const ConfigValue& value(const std::string& name, ConfigKey::Kind kind) const;
  void set(const ConfigKey& key, const ConfigValue& value, const std::string& where);

  ConfigSchema schema_; // a copy: a Config outlives the schema it was checked against
  std::string source_;
  std::map<std::string, ConfigValue> values_;
  std::map<std::string, bool> explicit_;
  std::map<std::string, std::string> override_; // key -> "command line '--k=v'" when given there
};

} // namespace tessera
