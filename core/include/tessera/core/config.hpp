#pragma once
// Input decks: a TOML file with one table per module, plus `--section.key=value` overrides
// on the command line. Every key a program accepts is declared once in a ConfigSchema with
// its type, default, range, unit and meaning; the schema validates the whole input before
// anything runs (unknown keys get a "did you mean" suggestion) and documents itself
// (`--help-input` of every driver prints it).

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include <nlohmann/json.hpp>

namespace tessera {

using ConfigValue = std::variant<bool, std::int64_t, double, std::string>;

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
};

class ConfigSchema {
public:
  ConfigSchema& add_bool(const std::string& name, bool def, const std::string& doc);
  ConfigSchema& add_int(const std::string& name, std::int64_t def, const std::string& doc,
                        std::optional<double> min = {}, std::optional<double> max = {}, const std::string& unit = "");
  ConfigSchema& add_real(const std::string& name, double def, const std::string& doc, std::optional<double> min = {},
                         std::optional<double> max = {}, const std::string& unit = "");
  ConfigSchema& add_string(const std::string& name, const std::string& def, const std::string& doc,
                           std::vector<std::string> choices = {});

  const ConfigKey* find(const std::string& name) const;
  const std::vector<ConfigKey>& keys() const { return keys_; }
  // The declared key closest to `name` (edit distance), for "did you mean".
  std::string closest(const std::string& name) const;
  // A Markdown table of every key: docs/ and `--help-input`.
  std::string markdown() const;

private:
  ConfigSchema& add(ConfigKey key);
  std::vector<ConfigKey> keys_;
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
  const std::string& source() const { return source_; }

private:
  const ConfigValue& value(const std::string& name, ConfigKey::Kind kind) const;
  void set(const ConfigKey& key, const ConfigValue& value, const std::string& where);

  ConfigSchema schema_; // a copy: a Config outlives the schema it was checked against
  std::string source_;
  std::map<std::string, ConfigValue> values_;
  std::map<std::string, bool> explicit_;
};

} // namespace tessera
