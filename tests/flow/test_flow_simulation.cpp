// SPDX-License-Identifier: Apache-2.0
// tessera-flow as a simulation (run at 1 and 2 ranks): a restart from a checkpoint written
// inside the training, the sampling or the HMC phase ends with the results of the run that
// never stopped, to the bit (and one with more HMC trajectories with those of the longer run);
// reverse-KL training on one rank and on all of them gives the same flow to rounding for the
// same global batch; the model file of mode train makes mode sample propose exactly what mode
// all proposed, and a model file of another shape, an edited one or a checkpoint of something
// else is refused.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>

#include <fmt/format.h>

#include "../core/test_damage.hpp"
#include "../core/test_paths.hpp"
#include "flow_simulation_testing.hpp"
#include "tessera/core/errors.hpp"
#include "tessera/flow/phi4.hpp"
#include "tessera/nn/affine_flow.hpp"
#include "tessera/nn/reverse_kl.hpp"

namespace {

using namespace tessera::flow::testing;
using tessera::Comm;
using tessera::flow::Simulation;

std::string scratch_name(const Comm& comm, const std::string& name)
{
  return fmt::format("flow-{}-np{}", name, comm.size());
}

// Run A straight through with the small run's keys and `restart_keys`; run B with the small
// run's keys for `units` units, a checkpoint (as the run loop writes it), a fresh simulation
// from it with the keys of A, the rest: the same results as A but for the timings.
void expect_restart_continues_bit_for_bit(int units, const std::string& name,
                                          const std::vector<std::string>& restart_keys = {},
                                          const std::vector<std::string>& run_keys = {})
{
  const Comm world;
  const tessera::RunContext context{world};
  auto longer = run_keys;
  longer.insert(longer.end(), restart_keys.begin(), restart_keys.end());
  const auto p = small_run(run_keys), q = small_run(longer);
  const auto trajectories = q.hmc.thermalisation + q.hmc.trajectories;
  Simulation straight(context, q);
  // Training steps, proposal batches, Metropolis sweeps, trajectories.
  EXPECT_EQ(straight.end(), static_cast<double>(4 + 4 + 6 + trajectories));
  run_units(straight);
  const auto expected = without_timings(straight.results().json);

  tessera::test::ScratchDir dir(world, scratch_name(world, name));
  const auto path = dir / "flow.chk.h5";
  {
    Simulation first(context, p);
    run_units(first, units);
    tessera::CheckpointWriter writer(world, path);
    first.write_checkpoint(writer);
    writer.commit();
  }
  tessera::CheckpointReader reader(world, path);
  Simulation again(context, q, reader);
  EXPECT_EQ(again.position(), static_cast<double>(units));
  run_units(again);
  const auto got = without_timings(again.results().json);
  ASSERT_TRUE(got.contains("train") && got.contains("sample") && got.contains("metropolis") && got.contains("hmc"))
      << got.dump();
  EXPECT_EQ(got.dump(), expected.dump());
  EXPECT_EQ(got["train"]["steps"], 4);
  EXPECT_EQ(got["sample"]["proposals"], 64);
  EXPECT_EQ(got["metropolis"]["sweeps"], 6);
  EXPECT_EQ(got["hmc"]["trajectories"], trajectories);
}

TEST(FlowSimulation, RestartInsideTrainingContinuesBitForBit)
{
  expect_restart_continues_bit_for_bit(2, "restart-train");
}
TEST(FlowSimulation, RestartInsideSamplingContinuesBitForBit)
{
  // After the training, whose last step's loss the summary still reports.
  expect_restart_continues_bit_for_bit(6, "restart-sample");
}
TEST(FlowSimulation, RestartInsideMetropolisContinuesBitForBit)
{
  expect_restart_continues_bit_for_bit(11, "restart-metropolis");
}
TEST(FlowSimulation, RestartInsideHmcContinuesBitForBit)
{
  expect_restart_continues_bit_for_bit(17, "restart-hmc");
}

// The same for U(1) gauge theory: its flow, its measurement records and its HMC fields.
TEST(FlowSimulation, U1RestartInsideEachPhaseContinuesBitForBit)
{
  const std::vector<std::string> u1 = {"run.theory=u1", "u1.beta=1.5"};
  expect_restart_continues_bit_for_bit(2, "u1-restart-train", {}, u1);
  expect_restart_continues_bit_for_bit(6, "u1-restart-sample", {}, u1);
  expect_restart_continues_bit_for_bit(11, "u1-restart-metropolis", {}, u1);
  expect_restart_continues_bit_for_bit(17, "u1-restart-hmc", {}, u1);
}

// hmc.trajectories is the one length a restart may change (HMC is the last phase; the other
// keys are fixed on restart, tests/flow/test_defaults.cpp): from inside HMC or from the final
// checkpoint, more trajectories continue to the results of the longer run, to the bit.
TEST(FlowSimulation, ARestartMayRunMoreHmcTrajectories)
{
  expect_restart_continues_bit_for_bit(17, "restart-longer-hmc", {"hmc.trajectories=8"});
  expect_restart_continues_bit_for_bit(20, "restart-after-the-end", {"hmc.trajectories=8"});
}

TEST(FlowSimulation, ACheckpointOfSomethingElseIsRefused)
{
  const Comm world;
  tessera::test::ScratchDir dir(world, scratch_name(world, "foreign"));
  const auto path = dir / "other.chk.h5";
  {
    tessera::CheckpointWriter writer(world, path);
    writer.attribute("step", std::int64_t{3});
    writer.commit();
  }
  tessera::CheckpointReader reader(world, path);
  try {
    Simulation sim(tessera::RunContext{world}, small_run(), reader);
    ADD_FAILURE() << "a checkpoint without the flow's format was read";
  } catch (const tessera::IoError& e) {
    EXPECT_NE(std::string(e.what()).find("not a tessera-flow checkpoint"), std::string::npos) << e.what();
  }
}

// The parameters after `steps` reverse-KL steps of a double-precision flow on `comm`.
std::vector<double> trained_parameters(const Comm& comm, tessera::Index batch, int steps, std::vector<double>& losses)
{
  const auto p = small_run({"lattice.size=6", "model.precision=float64", "train.learning_rate=0.01"});
  const tessera::nn::LatticeShape shape{6, 6};
  const tessera::flow::Phi4Action<double> action(shape, p.phi4);
  tessera::nn::AffineFlow<double> flow(shape, p.flow);
  flow.initialise(tessera::ExecSpace{}, p.model_seed);
  tessera::nn::Optimizer<double> adam(p.train.optimizer, flow.parameter_count());
  tessera::nn::ReverseKlTrainer<double> trainer(comm, flow, action, adam, {batch, p.train.seed});
  for (int s = 0; s < steps; ++s)
    losses.push_back(trainer.step().loss);
  const auto host = tessera::host_copy(flow.parameters());
  return {host.data(), host.data() + host.extent(0)};
}

TEST(FlowTraining, SameFlowOnOneRankAndOnAllForTheSameGlobalBatch)
{
  const Comm world, self(MPI_COMM_SELF);
  // 7: shares of 4 and 3 samples at 2 ranks.
  for (const tessera::Index batch : {16, 7}) {
    SCOPED_TRACE(::testing::Message() << "global batch " << batch);
    std::vector<double> loss_alone, loss_together;
    const auto alone = trained_parameters(self, batch, 10, loss_alone);
    const auto together = trained_parameters(world, batch, 10, loss_together);
    ASSERT_EQ(alone.size(), together.size());
    double worst = 0;
    for (std::size_t i = 0; i < alone.size(); ++i)
      worst = std::max(worst, std::fabs(alone[i] - together[i]) / std::max(std::fabs(alone[i]), 1e-3));
    EXPECT_LT(worst, 1e-12);
    for (std::size_t s = 0; s < loss_alone.size(); ++s)
      EXPECT_NEAR(loss_alone[s], loss_together[s], 1e-12 * std::fabs(loss_alone[s])) << "step " << s;
    // The steps moved the flow (the comparison is not of the initial weights).
    std::vector<double> none;
    EXPECT_NE(trained_parameters(self, batch, 0, none), alone);
  }
}

// Model files: mode train writes one; mode sample with it proposes what mode all proposed.
class FlowModelFile : public ::testing::Test {
protected:
  FlowModelFile() : dir_(world_, scratch_name(world_, "model")) {}

  std::filesystem::path train_model(const std::vector<std::string>& more = {})
  {
    auto keys = more;
    keys.insert(keys.begin(), {"run.mode=train", "output.model=flow.model.h5"});
    Simulation sim(tessera::RunContext{world_, dir_.path()}, small_run(keys));
    run_units(sim);
    return dir_ / "flow.model.h5";
  }

  std::string input_error(const std::filesystem::path& model, const std::vector<std::string>& more)
  {
    auto keys = more;
    keys.insert(keys.begin(), {"run.mode=sample", "model.file=" + model.string()});
    try {
      Simulation sim(tessera::RunContext{world_}, small_run(keys));
    } catch (const tessera::InputError& e) {
      return e.what();
    }
    return "";
  }

  const Comm world_;
  tessera::test::ScratchDir dir_;
};

TEST_F(FlowModelFile, SampleModeProposesWhatModeAllProposed)
{
  const auto model = train_model();
  ASSERT_TRUE(std::filesystem::exists(model));
  Simulation all(tessera::RunContext{world_}, small_run());
  run_units(all);
  Simulation sample(tessera::RunContext{world_}, small_run({"run.mode=sample", "model.file=" + model.string()}));
  EXPECT_EQ(sample.end(), 4.0);
  run_units(sample);
  const auto expected = without_timings(all.results().json), got = without_timings(sample.results().json);
  ASSERT_TRUE(got.contains("sample")) << got.dump();
  EXPECT_FALSE(got.contains("train"));
  EXPECT_FALSE(got.contains("hmc"));
  EXPECT_EQ(got["sample"].dump(), expected["sample"].dump());
  EXPECT_EQ(got["flow"].dump(), expected["flow"].dump());
}

TEST_F(FlowModelFile, AFlowOfAnotherShapeIsRefused)
{
  const auto model = train_model();
  for (const auto& [key, value] : std::vector<std::pair<std::string, std::string>>{
           {"model.coupling_layers", "3"},
           {"model.hidden_channels", "4,4"},
           {"lattice.size", "6"},
           {"model.precision", "float64"},
           {"run.theory", "u1"},
       }) {
    const auto message = input_error(model, {key + "=" + value});
    EXPECT_NE(message.find("key 'model.file'"), std::string::npos) << key << ": " << message;
    EXPECT_NE(message.find(key + " = "), std::string::npos) << key << ": " << message;
  }
  // Other couplings are no shape: the chain stays exact, its acceptance tells the fit.
  EXPECT_EQ(input_error(model, {"phi4.m2=-3"}), "");
}

TEST_F(FlowModelFile, AnEditedModelFileIsRefused)
{
  const auto model = train_model();
  int flipped = 1;
  // A byte of the 4th parameter (float32).
  if (world_.is_root()) flipped = tessera::test::flip_a_bit(model, "flow/parameters", 3 * 4 + 1) ? 1 : 0;
  world_.broadcast(&flipped, 1);
  EXPECT_EQ(flipped, 1); // no ASSERT before a collective: every rank must reach it
  try {
    Simulation sim(tessera::RunContext{world_}, small_run({"run.mode=sample", "model.file=" + model.string()}));
    ADD_FAILURE() << "an edited model file was read";
  } catch (const tessera::IoError& e) {
    EXPECT_NE(std::string(e.what()).find("'flow/parameters' fails its checksum"), std::string::npos) << e.what();
  }
  try {
    Simulation sim(tessera::RunContext{world_},
                   small_run({"run.mode=sample", "model.file=" + (dir_ / "no-such.model.h5").string()}));
    ADD_FAILURE() << "a missing model file was not noticed";
  } catch (const tessera::IoError& e) {
    EXPECT_NE(std::string(e.what()).find("no-such.model.h5"), std::string::npos) << e.what();
  }
}

} // namespace
