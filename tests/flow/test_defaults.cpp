// SPDX-License-Identifier: Apache-2.0
// Defaults live only in the schema: the Params of an empty input deck carry exactly the
// defaults docs/flows.md documents, its table of keys has every key of the schema with the
// schema's type, default and range (tessera-flow --help-input prints the same table), and a
// restart must keep every key of the theory, the flow, its training, the chain and HMC's
// chains but hmc.trajectories (HMC is the last phase: a restart may run it longer), and none
// of the outputs.
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "tessera/flow/simulation.hpp"

namespace tessera::flow {
namespace {

Config empty_deck()
{
  return Config::parse(Simulation::schema(), "", "(empty)");
}

TEST(Defaults, ParamsOfAnEmptyDeckAreTheDocumentedDefaults)
{
  const Params p = Simulation::params(empty_deck());
  EXPECT_EQ(p.mode, Mode::all);
  EXPECT_EQ(p.theory, Theory::phi4);
  EXPECT_EQ(p.lattice, 8);
  EXPECT_EQ(p.phi4.m2, -4.0); // the 2021 tutorial's point
  EXPECT_EQ(p.phi4.lambda, 8.0);
  EXPECT_EQ(p.u1_beta, 2.0); // the tutorial's U(1) point
  EXPECT_EQ(p.mixture_components, 2);

  EXPECT_EQ(p.flow.coupling_layers, 16);
  EXPECT_EQ(p.flow.net.hidden_channels, (std::vector<int>{8, 8}));
  EXPECT_EQ(p.flow.net.kernel, 3);
  EXPECT_EQ(p.flow.net.leaky_slope, 0.01);
  EXPECT_TRUE(p.flow.net.final_tanh);
  EXPECT_EQ(p.precision, "float32");
  EXPECT_EQ(p.model_seed, 1u);
  EXPECT_EQ(p.model_input, "");

  EXPECT_EQ(p.train.steps, 2000);
  EXPECT_EQ(p.train.batch, 64);
  EXPECT_EQ(p.train.seed, 1u);
  EXPECT_EQ(p.train.optimizer.kind, nn::OptimizerKind::adam);
  EXPECT_EQ(p.train.optimizer.learning_rate, 1e-3);
  EXPECT_EQ(p.train.optimizer.beta1, 0.9);
  EXPECT_EQ(p.train.optimizer.beta2, 0.999);
  EXPECT_EQ(p.train.optimizer.epsilon, 1e-8);
  EXPECT_EQ(p.train.optimizer.momentum, 0.0); // not keys: plain Adam
  EXPECT_EQ(p.train.optimizer.l1, 0.0);
  EXPECT_EQ(p.train.optimizer.l2, 0.0);

  EXPECT_EQ(p.sample.proposals, 16384);
  EXPECT_EQ(p.sample.batch, 1024);
  EXPECT_EQ(p.sample.seed, 2u);

  EXPECT_EQ(p.metropolis.chains, 64);
  EXPECT_EQ(p.metropolis.thermalisation, 200);
  EXPECT_EQ(p.metropolis.sweeps, 2000);
  EXPECT_EQ(p.metropolis.hits, 1);
  EXPECT_EQ(p.metropolis.width, 0.0); // the theory's default width
  EXPECT_EQ(p.metropolis.seed, 4u);

  EXPECT_EQ(p.hmc.chains, 64);
  EXPECT_EQ(p.hmc.thermalisation, 200);
  EXPECT_EQ(p.hmc.trajectories, 500);
  EXPECT_EQ(p.hmc.steps, 12);
  EXPECT_EQ(p.hmc.trajectory_length, 1.0);
  EXPECT_EQ(p.hmc.start, "cold");
  EXPECT_EQ(p.hmc.seed, 3u);

  EXPECT_EQ(p.model_file, "flow.model.h5");
  EXPECT_EQ(p.table_file, "flow.dat");
}

TEST(Defaults, RunLoopKeysCountUnitsOfWorkOfEveryPhase)
{
  const auto c = empty_deck();
  EXPECT_EQ(c.get_int("output.checkpoint_interval"), 0); // by the wall clock only
  EXPECT_EQ(c.get_real("output.checkpoint_wall_seconds"), 600.0);
  EXPECT_EQ(c.get_int("output.table_interval"), 0); // a row after every unit of work
  EXPECT_EQ(c.get_int("output.log_interval"), 100);
  EXPECT_EQ(c.get_real("output.progress_seconds"), 30.0);
  EXPECT_EQ(c.schema().find("output.interval"), nullptr); // the model file is written once, when training ends
  const auto info = Simulation::info();
  EXPECT_EQ(info.name, "flow");
  EXPECT_EQ(info.unit.name, "step");
  EXPECT_FALSE(info.unit.continuous);
  EXPECT_EQ(info.table_key, "output.table");
  EXPECT_TRUE(info.final_checkpoint); // a finished run can be continued with more HMC trajectories
}

TEST(Defaults, ARestartMustKeepEverythingButTheHmcTrajectoriesAndTheOutputs)
{
  // The theory, the flow and its training (a longer training would change the flow that the
  // chain after it has already sampled with), the chain of proposals (a longer chain would
  // come after a last batch that was cut short) and HMC's chains (thermalisation, steps,
  // length, start, seed): a restart continues each to the bit. hmc.trajectories may grow or
  // shrink (tests/flow/test_flow_simulation.cpp: ARestartMayRunMoreHmcTrajectories); the
  // file names and the run loop's intervals change no result.
  const auto schema = Simulation::schema();
  for (const auto& key : schema.keys()) {
    const bool free = key.name == "hmc.trajectories" || key.name.rfind("output.", 0) == 0;
    EXPECT_EQ(key.fixed_on_restart, !free) << key.name;
  }
  for (const std::string fixed : {"run.mode", "model.file", "train.steps", "sample.proposals", "hmc.thermalisation"})
    EXPECT_TRUE(schema.find(fixed)->fixed_on_restart) << fixed;
}

TEST(Defaults, TheFilesARunReadsAndWritesAreFlagged)
{
  const auto schema = Simulation::schema();
  for (const auto& key : schema.keys()) {
    EXPECT_EQ(key.reads_file, key.name == "model.file") << key.name;
    EXPECT_EQ(key.writes_file, key.name == "output.model" || key.name == "output.table") << key.name;
  }
}

// The rows "| `key` | type | default | range / choices | unit | meaning |" of a Markdown
// text, by key: the cells after the key (the meaning: all the rest of the row).
std::map<std::string, std::vector<std::string>> key_rows(const std::string& text)
{
  std::map<std::string, std::vector<std::string>> rows;
  std::istringstream lines(text);
  std::string line;
  while (std::getline(lines, line)) {
    if (line.rfind("| `", 0) != 0) continue;
    std::vector<std::string> cells;
    std::size_t at = 1;
    for (int cell = 0; cell < 5; ++cell) {
      const auto bar = line.find('|', at);
      if (bar == std::string::npos) break;
      cells.push_back(line.substr(at, bar - at));
      at = bar + 1;
    }
    cells.push_back(line.substr(at));
    for (auto& cell : cells) {
      cell.erase(0, cell.find_first_not_of(' '));
      cell.erase(cell.find_last_not_of(" |") + 1);
    }
    const auto key = cells.front().substr(1, cells.front().size() - 2); // without the backquotes
    cells.erase(cells.begin());
    rows[key] = cells;
  }
  return rows;
}

TEST(Defaults, TheDocsListEveryKeyWithTheSchemasDefault)
{
  std::ifstream file(TESSERA_FLOW_DOCS);
  ASSERT_TRUE(file) << TESSERA_FLOW_DOCS;
  std::stringstream text;
  text << file.rdbuf();
  const auto documented = key_rows(text.str());
  const auto schema = Simulation::schema();
  const auto expected = key_rows(schema.markdown());
  ASSERT_EQ(expected.size(), schema.keys().size());
  for (const auto& [key, cells] : expected) {
    const auto row = documented.find(key);
    if (row == documented.end()) {
      ADD_FAILURE() << "docs/flows.md has no row for key '" << key << "'";
      continue;
    }
    ASSERT_EQ(row->second.size(), 5u) << key;
    const std::vector<std::string> names = {"type", "default", "range / choices", "unit"};
    for (std::size_t i = 0; i < names.size(); ++i)
      EXPECT_EQ(row->second[i], cells[i]) << key << ": " << names[i];
    const std::string fixed = "*(fixed on restart)*";
    EXPECT_EQ(row->second[4].find(fixed) != std::string::npos, cells[4].find(fixed) != std::string::npos)
        << key << ": " << row->second[4];
  }
  for (const auto& [key, cells] : documented)
    EXPECT_NE(schema.find(key), nullptr) << "docs/flows.md documents '" << key << "', which is no key";
}

} // namespace
} // namespace tessera::flow
