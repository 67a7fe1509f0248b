// SPDX-License-Identifier: Apache-2.0
#include "tessera/flow/model_file.hpp"

#include <fmt/format.h>

#include "tessera/core/errors.hpp"
#include "tessera/core/log.hpp"

namespace tessera::flow {

namespace {

constexpr const char* model_format = "tessera-flow-model 2";

std::string channels_text(const std::vector<int>& channels)
{
  return fmt::format("{}", fmt::join(channels, ","));
}

template <class T>
const char* precision_name()
{
  return sizeof(T) == 8 ? "float64" : "float32";
}

template <class T>
void read_into(CheckpointReader& reader, const std::string& name, const Kokkos::View<T*, MemSpace>& view)
{
  const auto values = reader.read_shared<T>(name);
  if (values.size() != view.extent(0))
    throw IoError(fmt::format("{}: {} holds {} values, the flow has {}", reader.path().string(), name, values.size(),
                              view.extent(0)));
  auto host = Kokkos::create_mirror_view(view);
  for (std::size_t i = 0; i < values.size(); ++i)
    host(i) = values[i];
  Kokkos::deep_copy(view, host);
}

// Each shape attribute of the file against the key that sets it.
void check_shape(const CheckpointReader& r, const Params& p, const std::string& what)
{
  const auto refuse = [&](const std::string& key, const std::string& file_value, const std::string& run_value) {
    throw InputError(fmt::format("{}: {} has {} = {}, this run {} (the flow must have the same shape)", what,
                                 r.path().string(), key, file_value, run_value));
  };
  if (!r.has_attribute("flow.model_format") || r.attribute_string("flow.model_format") != model_format)
    throw IoError(
        fmt::format("{}: {} is not a tessera-flow model (no \"{}\" attribute)", what, r.path().string(), model_format));
  const auto int_key = [&](const std::string& key, std::int64_t run_value) {
    const auto v = r.attribute_int(key);
    if (v != run_value) refuse(key, std::to_string(v), std::to_string(run_value));
  };
  const auto theory = r.attribute_string("run.theory");
  if (theory != theory_name(p.theory)) refuse("run.theory", theory, theory_name(p.theory));
  int_key("lattice.size", p.lattice);
  if (p.theory == Theory::u1) int_key("model.mixture_components", p.mixture_components);
  int_key("model.coupling_layers", p.flow.coupling_layers);
  int_key("model.kernel", p.flow.net.kernel);
  if (p.theory == Theory::phi4) int_key("model.final_tanh", p.flow.net.final_tanh ? 1 : 0);
  const auto channels = r.attribute_string("model.hidden_channels");
  if (channels != channels_text(p.flow.net.hidden_channels))
    refuse("model.hidden_channels", channels, channels_text(p.flow.net.hidden_channels));
  if (r.attribute_real("model.leaky_slope") != p.flow.net.leaky_slope)
    refuse("model.leaky_slope", fmt::format("{}", r.attribute_real("model.leaky_slope")),
           fmt::format("{}", p.flow.net.leaky_slope));
  const auto precision = r.attribute_string("model.precision");
  if (precision != p.precision) refuse("model.precision", precision, p.precision);
}

} // namespace

template <class T>
void write_flow_state(CheckpointWriter& w, const Params& p, const nn::LatticeFlow<T>& flow,
                      const nn::Optimizer<T>& optimizer)
{
  w.attribute("flow.model_format", model_format);
  w.attribute("run.theory", theory_name(p.theory));
  w.attribute("lattice.size", p.lattice);
  w.attribute("model.coupling_layers", p.flow.coupling_layers);
  w.attribute("model.hidden_channels", channels_text(p.flow.net.hidden_channels));
  w.attribute("model.kernel", p.flow.net.kernel);
  w.attribute("model.final_tanh", p.flow.net.final_tanh ? 1 : 0);
  w.attribute("model.mixture_components", p.mixture_components);
  w.attribute("model.leaky_slope", p.flow.net.leaky_slope);
  w.attribute("model.precision", precision_name<T>());
  w.attribute("phi4.m2", p.phi4.m2);
  w.attribute("phi4.lambda", p.phi4.lambda);
  w.attribute("u1.beta", p.u1_beta);
  w.attribute("flow.optimizer_steps", optimizer.steps());
  w.write_shared("flow/parameters", flow.parameters());
  w.write_shared("flow/adam_first_moment", optimizer.first_moment());
  w.write_shared("flow/adam_second_moment", optimizer.second_moment());
}

template <class T>
void read_flow_state(CheckpointReader& r, const Params& p, nn::LatticeFlow<T>& flow, nn::Optimizer<T>& optimizer)
{
  check_shape(r, p, "flow state");
  read_into<T>(r, "flow/parameters", flow.parameters());
  read_into<T>(r, "flow/adam_first_moment", optimizer.first_moment());
  read_into<T>(r, "flow/adam_second_moment", optimizer.second_moment());
  optimizer.set_steps(r.attribute_int("flow.optimizer_steps"));
}

template <class T>
void write_flow_model(const Comm& comm, const std::filesystem::path& path, const Params& p,
                      const nn::LatticeFlow<T>& flow, const nn::Optimizer<T>& optimizer)
{
  CheckpointWriter writer(comm, path);
  write_flow_state<T>(writer, p, flow, optimizer);
  writer.commit();
}

template <class T>
void read_flow_model(const Comm& comm, const std::filesystem::path& path, const Params& p, nn::LatticeFlow<T>& flow,
                     nn::Optimizer<T>& optimizer)
{
  CheckpointReader reader(comm, path);
  check_shape(reader, p, "key 'model.file'");
  read_flow_state<T>(reader, p, flow, optimizer);
  const double m2 = reader.attribute_real("phi4.m2"), lambda = reader.attribute_real("phi4.lambda");
  const double beta = reader.attribute_real("u1.beta");
  if (p.theory == Theory::u1 && beta != p.u1_beta)
    log::info("note: the flow of {} was trained at beta = {}; it proposes for beta = {} (the Metropolis-Hastings "
              "chain stays exact; its acceptance tells how well the flow fits)",
              path.string(), beta, p.u1_beta);
  if (p.theory == Theory::phi4 && (m2 != p.phi4.m2 || lambda != p.phi4.lambda))
    log::info("note: the flow of {} was trained at m2 = {}, lambda = {}; it proposes for m2 = {}, lambda = {} "
              "(the Metropolis-Hastings chain stays exact; its acceptance tells how well the flow fits)",
              path.string(), m2, lambda, p.phi4.m2, p.phi4.lambda);
}

#define TESSERA_FLOW_MODEL_FILE(T)                                                                                     \
  template void write_flow_state<T>(CheckpointWriter&, const Params&, const nn::LatticeFlow<T>&,                       \
                                    const nn::Optimizer<T>&);                                                          \
  template void read_flow_state<T>(CheckpointReader&, const Params&, nn::LatticeFlow<T>&, nn::Optimizer<T>&);          \
  template void write_flow_model<T>(const Comm&, const std::filesystem::path&, const Params&,                          \
                                    const nn::LatticeFlow<T>&, const nn::Optimizer<T>&);                               \
  template void read_flow_model<T>(const Comm&, const std::filesystem::path&, const Params&, nn::LatticeFlow<T>&,      \
                                   nn::Optimizer<T>&);
TESSERA_FLOW_MODEL_FILE(float)
TESSERA_FLOW_MODEL_FILE(double)
#undef TESSERA_FLOW_MODEL_FILE

} // namespace tessera::flow
