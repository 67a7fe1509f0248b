// SPDX-License-Identifier: Apache-2.0
#include "tessera/core/config.hpp"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <sstream>

#include <fmt/format.h>
#include <toml++/toml.hpp>

#include "tessera/core/errors.hpp"

namespace tessera {

namespace {

const char* kind_name(ConfigKey::Kind kind)
{
  switch (kind) {
  case ConfigKey::Kind::boolean: return "a boolean (true/false)";
  case ConfigKey::Kind::integer: return "an integer";
  case ConfigKey::Kind::real: return "a number";
  case ConfigKey::Kind::string: return "a string";
  }
  return "?";
}

std::size_t edit_distance(const std::string& a, const std::string& b)
{
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j)
    row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t substitution = diagonal + (a[i - 1] == b[j - 1] ? 0 : 1);
      diagonal = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, substitution});
    }
  }
  return row[b.size()];
}

} // namespace

std::string format_config_value(const ConfigValue& v)
{
  return std::visit(
      [](const auto& x) -> std::string {
        using T = std::decay_t<decltype(x)>;
        if constexpr (std::is_same_v<T, bool>) {
          return x ? "true" : "false";
        } else if constexpr (std::is_same_v<T, std::string>) {
          return "\"" + x + "\"";
        } else {
          return fmt::format("{}", x);
        }
      },
      v);
}

std::string shorten_for_message(const std::string& text)
{
  // Paths and ordinary values are shown whole; a value pasted by mistake is not.
  constexpr std::size_t longest = 200, keep = 60;
  if (text.size() <= longest) return text;
  return fmt::format("{}... ({} characters)", text.substr(0, keep), text.size());
}

namespace {

std::string format_value(const ConfigValue& v)
{
  return format_config_value(v);
}

// An integer key also takes a number with an exact integer value (1e6, 2.5e3) that fits int64.
std::optional<std::int64_t> exact_integer(double x)
{
  // 2^63 is exactly representable; every double below it in magnitude fits int64.
  constexpr double limit = 9223372036854775808.0;
  if (!std::isfinite(x) || x != std::trunc(x) || x >= limit || x < -limit) return std::nullopt;
  return static_cast<std::int64_t>(x);
}

// A TOML node as the value a key of `kind` expects, or nullopt when the type is wrong.
std::optional<ConfigValue> convert(const toml::node& node, ConfigKey::Kind kind)
{
  switch (kind) {
  case ConfigKey::Kind::boolean:
    if (auto v = node.value_exact<bool>()) return ConfigValue(*v);
    break;
  case ConfigKey::Kind::integer:
    if (auto v = node.value_exact<std::int64_t>()) return ConfigValue(*v);
    if (auto v = node.value_exact<double>())
      if (auto i = exact_integer(*v)) return ConfigValue(*i);
    break;
  case ConfigKey::Kind::real:
    if (auto v = node.value_exact<double>()) return ConfigValue(*v);
    if (auto v = node.value_exact<std::int64_t>()) return ConfigValue(static_cast<double>(*v));
    break;
  case ConfigKey::Kind::string:
    if (auto v = node.value_exact<std::string>()) return ConfigValue(*v);
    break;
  }
  return std::nullopt;
}

std::string where_of(const std::string& source, const toml::node& node)
{
  const auto line = node.source().begin.line;
  return line > 0 ? fmt::format("{}:{}", source, line) : source;
}

// Flattens nested tables to ("section.key", node) pairs.
void flatten(const toml::table& table, const std::string& prefix,
             std::vector<std::pair<std::string, const toml::node*>>& out)
{
  for (const auto& [key, node] : table) {
    const std::string name = prefix.empty() ? std::string(key.str()) : prefix + "." + std::string(key.str());
    if (const auto* sub = node.as_table()) {
      flatten(*sub, name, out);
    } else {
      out.emplace_back(name, &node);
    }
  }
}

} // namespace

ConfigSchema& ConfigSchema::add(ConfigKey key)
{
  if (find(key.name) != nullptr) {
    throw Error(ExitCode::failure, fmt::format("config key '{}' declared twice", key.name));
  }
  keys_.push_back(std::move(key));
  return *this;
}

ConfigSchema& ConfigSchema::add_bool(const std::string& name, bool def, const std::string& doc)
{
  return add({name, ConfigKey::Kind::boolean, def, doc, "", {}, {}, {}});
}

ConfigSchema& ConfigSchema::add_int(const std::string& name, std::int64_t def, const std::string& doc,
                                    std::optional<double> min, std::optional<double> max, const std::string& unit)
{
  return add({name, ConfigKey::Kind::integer, def, doc, unit, min, max, {}});
}

ConfigSchema& ConfigSchema::add_real(const std::string& name, double def, const std::string& doc,
                                     std::optional<double> min, std::optional<double> max, const std::string& unit)
{
  return add({name, ConfigKey::Kind::real, def, doc, unit, min, max, {}});
}

ConfigSchema& ConfigSchema::add_string(const std::string& name, const std::string& def, const std::string& doc,
                                       std::vector<std::string> choices)
{
  return add({name, ConfigKey::Kind::string, def, doc, "", {}, {}, std::move(choices)});
}

ConfigSchema& ConfigSchema::fixed_on_restart(const std::vector<std::string>& names)
{
  for (const auto& name : names) {
    const bool section = !name.empty() && name.back() == '.';
    bool matched = false;
    for (auto& key : keys_) {
      if (section ? key.name.rfind(name, 0) == 0 : key.name == name) {
        key.fixed_on_restart = true;
        matched = true;
      }
    }
    if (!matched) throw Error(ExitCode::failure, fmt::format("fixed_on_restart: no config key '{}'", name));
  }
  return *this;
}

ConfigSchema& ConfigSchema::not_applicable_on_restart(std::function<std::vector<std::string>(const Config&)> keys)
{
  not_applicable_ = std::move(keys);
  return *this;
}

ConfigSchema& ConfigSchema::reads_file(const std::string& name)
{
  auto it = std::find_if(keys_.begin(), keys_.end(), [&](const ConfigKey& k) { return k.name == name; });
  if (it == keys_.end() || it->kind != ConfigKey::Kind::string)
    throw Error(ExitCode::failure, fmt::format("reads_file: no string config key '{}'", name));
  it->reads_file = true;
  return *this;
}

ConfigSchema& ConfigSchema::writes_file(const std::string& name)
{
  auto it = std::find_if(keys_.begin(), keys_.end(), [&](const ConfigKey& k) { return k.name == name; });
  if (it == keys_.end() || it->kind != ConfigKey::Kind::string)
    throw Error(ExitCode::failure, fmt::format("writes_file: no string config key '{}'", name));
  it->writes_file = true;
  return *this;
}

ConfigSchema& ConfigSchema::renamed(const std::string& old_name, const std::string& new_name)
{
  if (find(old_name) != nullptr || find(new_name) == nullptr)
    throw Error(ExitCode::failure, fmt::format("renamed: '{}' -> '{}' does not fit the schema", old_name, new_name));
  renamed_[old_name] = new_name;
  return *this;
}

std::string ConfigSchema::new_name_of(const std::string& name) const
{
  const auto it = renamed_.find(name);
  return it == renamed_.end() ? std::string() : it->second;
}

const ConfigKey* ConfigSchema::find(const std::string& name) const
{
  const auto it = std::find_if(keys_.begin(), keys_.end(), [&](const ConfigKey& k) { return k.name == name; });
  return it == keys_.end() ? nullptr : &*it;
}

std::string ConfigSchema::closest(const std::string& name) const
{
  std::string best;
  std::size_t best_distance = std::string::npos;
  for (const auto& key : keys_) {
    const auto d = edit_distance(name, key.name);
    if (d < best_distance) {
      best_distance = d;
      best = key.name;
    }
  }
  // Only suggest what is plausibly a typo.
  return best_distance <= std::max<std::size_t>(3, name.size() / 3) ? best : std::string();
}

std::string ConfigSchema::markdown() const
{
  std::ostringstream out;
  out << "| key | type | default | range / choices | unit | meaning |\n|---|---|---|---|---|---|\n";
  for (const auto& k : keys_) {
    std::string range;
    if (!k.choices.empty()) {
      range = fmt::format("{}", fmt::join(k.choices, ", "));
    } else if (k.min || k.max) {
      range = fmt::format("[{}, {}]", k.min ? fmt::format("{}", *k.min) : "-inf",
                          k.max ? fmt::format("{}", *k.max) : "inf");
    }
    std::string type = kind_name(k.kind);
    type = type.substr(type.find(' ') + 1);
    out << fmt::format("| `{}` | {} | {} | {} | {} | {}{} |\n", k.name, type, format_value(k.default_value), range,
                       k.unit, k.doc, k.fixed_on_restart ? " *(fixed on restart)*" : "");
  }
  return out.str();
}

void Config::set(const ConfigKey& key, const ConfigValue& value, const std::string& where)
{
  if (key.kind == ConfigKey::Kind::integer || key.kind == ConfigKey::Kind::real) {
    const double x = key.kind == ConfigKey::Kind::integer ? static_cast<double>(std::get<std::int64_t>(value))
                                                          : std::get<double>(value);
    if (!std::isfinite(x)) {
      throw InputError(fmt::format("{}: key '{}' = {} is not a finite number", where, key.name, x));
    }
    // An integer near 2^63 rounds on its way to a double (9e18 + 1 -> 9e18): at a bound the
    // integers themselves decide.
    const bool integer = key.kind == ConfigKey::Kind::integer;
    const auto i = integer ? std::get<std::int64_t>(value) : 0;
    const auto beyond = [&](double bound, int side) {
      if (side * (x - bound) > 0) return true;
      return integer && x == bound && std::abs(bound) < 0x1p63 && side * (i - static_cast<std::int64_t>(bound)) > 0;
    };
    if ((key.min && beyond(*key.min, -1)) || (key.max && beyond(*key.max, +1))) {
      throw InputError(fmt::format("{}: key '{}' = {} is out of range: expected {}{}{}", where, key.name,
                                   format_value(value), key.min ? fmt::format(">= {}", *key.min) : "",
                                   key.min && key.max ? " and " : "", key.max ? fmt::format("<= {}", *key.max) : ""));
    }
  }
  if (!key.choices.empty()) {
    const auto& s = std::get<std::string>(value);
    if (std::find(key.choices.begin(), key.choices.end(), s) == key.choices.end()) {
      throw InputError(fmt::format("{}: key '{}' = \"{}\" is not one of: {}", where, key.name, shorten_for_message(s),
                                   fmt::join(key.choices, ", ")));
    }
  }
  if (key.writes_file) {
    // A name in the output directory: a path would write elsewhere, "." or ".." over a folder.
    const auto& s = std::get<std::string>(value);
    if (s.find('/') != std::string::npos)
      throw InputError(fmt::format("{}: key '{}' = \"{}\": expected a file name without '/' (files go to the output "
                                   "directory, --output)",
                                   where, key.name, shorten_for_message(s)));
    if (s == "." || s == "..")
      throw InputError(fmt::format("{}: key '{}' = \"{}\": expected a file name, not a directory", where, key.name, s));
    // File systems take 255 bytes a name; the run writes "<name>.tmp" first and renames it.
    if (s.size() > 251)
      throw InputError(fmt::format("{}: key '{}' = \"{}\": a file name of {} characters; at most 251 (the file "
                                   "system's 255 with the \".tmp\" of the atomic write)",
                                   where, key.name, shorten_for_message(s), s.size()));
  }
  values_[key.name] = value;
  explicit_[key.name] = true;
}

Config Config::parse(const ConfigSchema& schema, const std::string& text, const std::string& source_name,
                     const std::vector<std::string>& overrides)
{
  Config config;
  config.schema_ = schema;
  config.source_ = source_name;
  for (const auto& key : schema.keys())
    config.values_[key.name] = key.default_value;

  const auto unknown = [&](const std::string& where, const std::string& name) {
    if (const auto new_name = schema.new_name_of(name); !new_name.empty())
      return InputError(fmt::format("{}: key '{}' was renamed '{}' (see --help-input)", where, name, new_name));
    const auto suggestion = schema.closest(name);
    return InputError(fmt::format("{}: key '{}' is unknown{}", where, shorten_for_message(name),
                                  suggestion.empty() ? "" : fmt::format(" (did you mean '{}'?)", suggestion)));
  };

  toml::table table;
  try {
    table = toml::parse(text, source_name);
  } catch (const toml::parse_error& e) {
    throw InputError(fmt::format("{}:{}: not valid TOML: {}", source_name, e.source().begin.line, e.description()));
  }
  std::vector<std::pair<std::string, const toml::node*>> entries;
  flatten(table, "", entries);
  for (const auto& [name, node] : entries) {
    const auto where = where_of(source_name, *node);
    const auto* key = schema.find(name);
    if (key == nullptr) throw unknown(where, name);
    const auto value = convert(*node, key->kind);
    if (!value) {
      throw InputError(fmt::format("{}: key '{}' expects {}", where, name, kind_name(key->kind)));
    }
    config.set(*key, *value, where);
  }

  for (const auto& item : overrides) {
    const auto eq = item.find('=');
    const std::string name = item.substr(0, eq);
    const std::string where = fmt::format("command line '--{}'", shorten_for_message(item));
    if (eq == std::string::npos || eq == 0) {
      throw InputError(fmt::format("{}: expected --section.key=value", where));
    }
    const auto* key = schema.find(name);
    if (key == nullptr) throw unknown(where, name);
    const std::string text_value = item.substr(eq + 1);
    std::optional<ConfigValue> value;
    if (key->kind == ConfigKey::Kind::string) {
      // Bare words are strings; quoted TOML strings are accepted too.
      value = text_value;
      if (text_value.size() >= 2 && text_value.front() == '"' && text_value.back() == '"') {
        value = text_value.substr(1, text_value.size() - 2);
      }
    } else {
      try {
        const auto parsed = toml::parse("v = " + text_value);
        value = convert(*parsed.get("v"), key->kind);
      } catch (const toml::parse_error&) {
      }
    }
    if (!value) {
      throw InputError(fmt::format("{}: key '{}' expects {}, got '{}'", where, name, kind_name(key->kind),
                                   shorten_for_message(text_value)));
    }
    config.set(*key, *value, where);
    config.override_[key->name] = where;
  }
  return config;
}

Config Config::load(const ConfigSchema& schema, const std::optional<std::filesystem::path>& file,
                    const std::vector<std::string>& overrides)
{
  std::string text;
  std::string name = "(defaults)";
  if (file) {
    name = file->string();
    std::error_code ec;
    if (!std::filesystem::exists(*file, ec)) {
      throw InputError(fmt::format("{}: input file not found", name));
    }
    if (std::filesystem::is_directory(*file, ec)) {
      throw InputError(fmt::format("{}: is a directory, expected an input file", name));
    }
    std::ifstream in(*file, std::ios::binary);
    if (!in) throw InputError(fmt::format("{}: cannot read the input file", name));
    std::ostringstream buffer;
    buffer << in.rdbuf();
    text = buffer.str();
  }
  return parse(schema, text, name, overrides);
}

const ConfigValue& Config::value(const std::string& name, ConfigKey::Kind kind) const
{
  const auto* key = schema_.find(name);
  if (key == nullptr || key->kind != kind) {
    // A programming error: the code asks for a key it never declared, or with another type.
    throw Error(ExitCode::failure, fmt::format("config key '{}' is not declared as {}", name, kind_name(kind)));
  }
  return values_.at(name);
}

bool Config::get_bool(const std::string& name) const
{
  return std::get<bool>(value(name, ConfigKey::Kind::boolean));
}
std::int64_t Config::get_int(const std::string& name) const
{
  return std::get<std::int64_t>(value(name, ConfigKey::Kind::integer));
}
double Config::get_real(const std::string& name) const
{
  return std::get<double>(value(name, ConfigKey::Kind::real));
}
std::string Config::get_string(const std::string& name) const
{
  return std::get<std::string>(value(name, ConfigKey::Kind::string));
}
bool Config::is_set(const std::string& name) const
{
  return explicit_.count(name) > 0;
}

std::string Config::where(std::initializer_list<std::string> keys) const
{
  std::vector<std::string> given;
  for (const auto& key : keys) {
    const auto it = override_.find(key);
    if (it != override_.end()) given.push_back(it->second.substr(std::string("command line ").size()));
  }
  if (given.empty()) return source_;
  return fmt::format("command line {}", fmt::join(given, ", "));
}

nlohmann::json Config::to_json() const
{
  nlohmann::json out = nlohmann::json::object();
  for (const auto& [name, v] : values_) {
    std::visit([&, n = name](const auto& x) { out[n] = x; }, v);
  }
  return out;
}

std::map<std::string, std::string> Config::restart_fingerprint() const
{
  std::map<std::string, std::string> out;
  for (const auto& key : schema_.keys())
    if (key.fixed_on_restart) out[key.name] = format_value(values_.at(key.name));
  if (schema_.not_applicable_)
    for (const auto& name : schema_.not_applicable_(*this))
      out.erase(name);
  return out;
}

std::vector<std::pair<std::string, std::string>> Config::effective_values() const
{
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& key : schema_.keys())
    out.emplace_back(key.name, format_value(values_.at(key.name)));
  return out;
}

} // namespace tessera
