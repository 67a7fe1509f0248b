// SPDX-License-Identifier: Apache-2.0
// Config: values, defaults, overrides, and the one-line messages for every kind of bad input.
#include <fstream>

#include <gtest/gtest.h>

#include "tessera/core/config.hpp"
#include "tessera/core/errors.hpp"

using namespace tessera;

namespace {
ConfigSchema test_schema()
{
  ConfigSchema s;
  s.add_int("run.steps", 10, "number of steps", 1, 1000)
      .add_real("run.dt", 0.5, "time step", 0.0, {}, "s")
      .add_bool("run.verbose", false, "more output")
      .add_string("solver.kind", "hllc", "Riemann solver", {"hllc", "hlle"})
      .add_string("output.name", "out", "file stem");
  return s;
}

// The InputError message that `f` throws (or "" if none).
template <class F>
std::string input_error(F&& f)
{
  try {
    f();
  } catch (const InputError& e) {
    EXPECT_EQ(e.code(), ExitCode::bad_input);
    return e.what();
  }
  return "";
}
} // namespace

TEST(Config, DefaultsFileAndOverrides)
{
  const auto schema = test_schema();
  const auto c = Config::parse(schema, "[run]\nsteps = 20\ndt = 1\n[solver]\nkind = \"hlle\"\n", "in.toml",
                               {"run.steps=30", "output.name=run7", "run.verbose=true"});
  EXPECT_EQ(c.get_int("run.steps"), 30); // the command line wins
  EXPECT_EQ(c.get_real("run.dt"), 1.0);  // integers are accepted for reals
  EXPECT_TRUE(c.get_bool("run.verbose"));
  EXPECT_EQ(c.get_string("solver.kind"), "hlle");
  EXPECT_EQ(c.get_string("output.name"), "run7");
  EXPECT_TRUE(c.is_set("run.dt"));
  EXPECT_FALSE(Config::parse(schema, "", "x").is_set("run.dt"));
  EXPECT_EQ(c.to_json()["run.steps"], 30);
}

TEST(Config, DottedKeysAtTopLevelWork)
{
  const auto c = Config::parse(test_schema(), "run.steps = 5\n", "in.toml");
  EXPECT_EQ(c.get_int("run.steps"), 5);
}

TEST(Config, UnknownKeyNamesItAndSuggests)
{
  const auto schema = test_schema();
  EXPECT_EQ(input_error([&] { Config::parse(schema, "[run]\n\nstpes = 3\n", "in.toml"); }),
            "in.toml:3: key 'run.stpes' is unknown (did you mean 'run.steps'?)");
  EXPECT_EQ(input_error([&] { Config::parse(schema, "", "in.toml", {"solver.knd=hllc"}); }),
            "command line '--solver.knd=hllc': key 'solver.knd' is unknown (did you mean 'solver.kind'?)");
  EXPECT_EQ(input_error([&] { Config::parse(schema, "[zzz]\nqqqqqqqqqqqq = 1\n", "in.toml"); }),
            "in.toml:2: key 'zzz.qqqqqqqqqqqq' is unknown");
}

TEST(Config, WrongTypeSaysWhatWasExpected)
{
  const auto schema = test_schema();
  EXPECT_EQ(input_error([&] { Config::parse(schema, "[run]\nsteps = 2.5\n", "in.toml"); }),
            "in.toml:2: key 'run.steps' expects an integer");
  EXPECT_EQ(input_error([&] { Config::parse(schema, "[run]\nverbose = \"yes\"\n", "in.toml"); }),
            "in.toml:2: key 'run.verbose' expects a boolean (true/false)");
  EXPECT_EQ(input_error([&] { Config::parse(schema, "", "in.toml", {"run.steps=ten"}); }),
            "command line '--run.steps=ten': key 'run.steps' expects an integer, got 'ten'");
}

TEST(Config, OutOfRangeAndChoices)
{
  const auto schema = test_schema();
  EXPECT_EQ(input_error([&] { Config::parse(schema, "[run]\nsteps = 0\n", "in.toml"); }),
            "in.toml:2: key 'run.steps' = 0 is out of range: expected >= 1 and <= 1000");
  EXPECT_EQ(input_error([&] { Config::parse(schema, "", "in.toml", {"run.dt=-1"}); }),
            "command line '--run.dt=-1': key 'run.dt' = -1 is out of range: expected >= 0");
  EXPECT_EQ(input_error([&] { Config::parse(schema, "", "in.toml", {"run.dt=nan"}); }),
            "command line '--run.dt=nan': key 'run.dt' = nan is not a finite number");
  EXPECT_EQ(input_error([&] { Config::parse(schema, "[solver]\nkind = \"roe\"\n", "in.toml"); }),
            "in.toml:2: key 'solver.kind' = \"roe\" is not one of: hllc, hlle");
}

TEST(Config, BadFilesAndSyntax)
{
  const auto schema = test_schema();
  EXPECT_EQ(input_error([&] { Config::load(schema, std::filesystem::path("/nonexistent/in.toml")); }),
            "/nonexistent/in.toml: input file not found");
  EXPECT_NE(
      input_error([&] { Config::parse(schema, "[run\nsteps = 1\n", "in.toml"); }).find("in.toml:1: not valid TOML"),
      std::string::npos);
  EXPECT_EQ(input_error([&] { Config::parse(schema, "", "in.toml", {"run.steps"}); }),
            "command line '--run.steps': expected --section.key=value");
}

TEST(Config, SchemaDocumentsEveryKey)
{
  const auto md = test_schema().markdown();
  for (const char* key : {"run.steps", "run.dt", "run.verbose", "solver.kind", "output.name"}) {
    EXPECT_NE(md.find(key), std::string::npos) << key;
  }
  EXPECT_NE(md.find("hllc, hlle"), std::string::npos);
}

TEST(Config, IntegerKeysTakeExactValuesInExponentForm)
{
  ConfigSchema schema;
  schema.add_int("ic.n", 1, "count");
  EXPECT_EQ(Config::parse(schema, "", "in.toml", {"ic.n=1e6"}).get_int("ic.n"), 1000000);
  EXPECT_EQ(Config::parse(schema, "", "in.toml", {"ic.n=2.5e3"}).get_int("ic.n"), 2500);
  EXPECT_EQ(Config::parse(schema, "", "in.toml", {"ic.n=-3e2"}).get_int("ic.n"), -300);
  EXPECT_EQ(Config::parse(schema, "[ic]\nn = 1e6\n", "in.toml").get_int("ic.n"), 1000000);
  EXPECT_EQ(Config::parse(schema, "", "in.toml", {"ic.n=9.2e18"}).get_int("ic.n"), 9200000000000000000);
  EXPECT_EQ(input_error([&] { Config::parse(schema, "", "in.toml", {"ic.n=1.5"}); }),
            "command line '--ic.n=1.5': key 'ic.n' expects an integer, got '1.5'");
  EXPECT_EQ(input_error([&] { Config::parse(schema, "", "in.toml", {"ic.n=1e-3"}); }),
            "command line '--ic.n=1e-3': key 'ic.n' expects an integer, got '1e-3'");
  EXPECT_EQ(input_error([&] { Config::parse(schema, "", "in.toml", {"ic.n=1e19"}); }),
            "command line '--ic.n=1e19': key 'ic.n' expects an integer, got '1e19'");
  EXPECT_EQ(input_error([&] { Config::parse(schema, "", "in.toml", {"ic.n=-1e19"}); }),
            "command line '--ic.n=-1e19': key 'ic.n' expects an integer, got '-1e19'");
  EXPECT_EQ(input_error([&] { Config::parse(schema, "", "in.toml", {"ic.n=1e4.5"}); }),
            "command line '--ic.n=1e4.5': key 'ic.n' expects an integer, got '1e4.5'");
  EXPECT_EQ(input_error([&] { Config::parse(schema, "", "in.toml", {"ic.n=inf"}); }),
            "command line '--ic.n=inf': key 'ic.n' expects an integer, got 'inf'");
  EXPECT_EQ(input_error([&] { Config::parse(schema, "[ic]\nn = 1e-3\n", "in.toml"); }),
            "in.toml:2: key 'ic.n' expects an integer");
}

TEST(Config, WhereNamesTheCommandLineOverride)
{
  const auto schema = test_schema();
  const auto c = Config::parse(schema, "[run]\ndt = 0.25\n", "deck.toml", {"run.steps=30", "solver.kind=hlle"});
  EXPECT_EQ(c.where("run.dt"), "deck.toml");
  EXPECT_EQ(c.where("output.name"), "deck.toml"); // a default: the deck that left it so
  EXPECT_EQ(c.where("run.steps"), "command line '--run.steps=30'");
  EXPECT_EQ(c.where({"run.dt", "run.steps"}), "command line '--run.steps=30'");
  EXPECT_EQ(c.where({"solver.kind", "run.steps"}), "command line '--solver.kind=hlle', '--run.steps=30'");
  // The later override is the one in effect.
  EXPECT_EQ(Config::parse(schema, "", "deck.toml", {"run.steps=3", "run.steps=4"}).where("run.steps"),
            "command line '--run.steps=4'");
}

TEST(Config, LongValuesAreShortenedInMessages)
{
  const auto schema = test_schema();
  const std::string long_value(10000, 'x');
  const std::string head(60, 'x');
  EXPECT_EQ(input_error([&] { Config::parse(schema, "", "in.toml", {"solver.kind=" + long_value}); }),
            "command line '--solver.kind=" + std::string(48, 'x') + "... (10012 characters)': key 'solver.kind' = \"" +
                head + "... (10000 characters)\" is not one of: hllc, hlle");
  EXPECT_EQ(input_error([&] { Config::parse(schema, "", "in.toml", {"run.steps=" + std::string(300, '9')}); }),
            "command line '--run.steps=" + std::string(50, '9') + "... (310 characters)': key 'run.steps' expects an " +
                "integer, got '" + std::string(60, '9') + "... (300 characters)'");
  // Up to 200 characters (a long path) the text is shown whole.
  const std::string path = "/" + std::string(199, 'p');
  EXPECT_EQ(shorten_for_message(path), path);
  EXPECT_EQ(shorten_for_message(path + "q"), "/" + std::string(59, 'p') + "... (201 characters)");
}

// 9e18 + 1 is 9e18 as a double: the bound is checked on the integers themselves.
TEST(Config, IntegerBoundsAreExactNearTwoToTheSixtyThree)
{
  ConfigSchema schema;
  schema.add_int("run.seed", 1, "seed", 0, 9.0e18);
  EXPECT_EQ(Config::parse(schema, "", "in.toml", {"run.seed=9000000000000000000"}).get_int("run.seed"),
            9000000000000000000);
  EXPECT_EQ(input_error([&] { Config::parse(schema, "", "in.toml", {"run.seed=9000000000000000001"}); }),
            "command line '--run.seed=9000000000000000001': key 'run.seed' = 9000000000000000001 is out of range: "
            "expected >= 0 and <= 9e+18");
}

// A key flagged writes_file is a file name in the output directory.
TEST(Config, WrittenFileNamesHaveNoPathAndFitTheFileSystem)
{
  ConfigSchema schema;
  schema.add_string("output.model", "model.h5", "the model file");
  schema.writes_file("output.model");
  EXPECT_EQ(input_error([&] { Config::parse(schema, "", "in.toml", {"output.model=../x.h5"}); }),
            "command line '--output.model=../x.h5': key 'output.model' = \"../x.h5\": expected a file name without "
            "'/' (files go to the output directory, --output)");
  EXPECT_EQ(input_error([&] { Config::parse(schema, "", "in.toml", {"output.model=.."}); }),
            "command line '--output.model=..': key 'output.model' = \"..\": expected a file name, not a directory");
  EXPECT_NE(input_error([&] {
              Config::parse(schema, "", "in.toml", {"output.model=" + std::string(252, 'a')});
            }).find("a file name of 252 characters; at most 251"),
            std::string::npos);
  EXPECT_EQ(Config::parse(schema, "", "in.toml", {"output.model=" + std::string(251, 'a')}).get_string("output.model"),
            std::string(251, 'a'));
}
