// SPDX-License-Identifier: Apache-2.0
#include "tessera/amr/halo_transfer.hpp"

#include <algorithm>
#include <map>
#include <stdexcept>
#include <string>
#include <tuple>
#include <utility>

#include "tessera/core/loops.hpp"

namespace tessera::amr {
namespace {

constexpr std::size_t need_fields = 8; // source leaf index, array, lo[3], hi[3]

std::int64_t volume(const TransferBox& b)
{
  return static_cast<std::int64_t>(b.hi[0] - b.lo[0]) * (b.hi[1] - b.lo[1]) * (b.hi[2] - b.lo[2]);
}

// Merges needs of the same slot and array into their bounding box, in (owner, leaf, array)
// order, which both sides of every exchange see alike.
std::map<std::tuple<int, std::int64_t, int>, HaloNeed> merged(const Mesh& mesh, const std::vector<HaloNeed>& needs)
{
  std::map<std::tuple<int, std::int64_t, int>, HaloNeed> out;
  for (const auto& need : needs) {
    const auto leaf = mesh.index_of(need.source);
    const auto key = std::make_tuple(mesh.owner_of(leaf), leaf, need.array);
    auto [it, fresh] = out.emplace(key, need);
    if (fresh) continue;
    for (int a = 0; a < 3; ++a) {
      it->second.lo[a] = std::min(it->second.lo[a], need.lo[a]);
      it->second.hi[a] = std::max(it->second.hi[a], need.hi[a]);
    }
  }
  return out;
}

// Lays the boxes out one after another (all variables of a box together) and returns the
// segment of each rank.
std::vector<Comm::Segment> lay_out(std::vector<std::pair<int, TransferBox>>& boxes, int variables, std::size_t& total)
{
  std::vector<Comm::Segment> segments;
  total = 0;
  for (auto& [rank, box] : boxes) {
    box.offset = static_cast<std::int64_t>(total);
    const auto count = static_cast<std::size_t>(volume(box) * variables);
    if (segments.empty() || segments.back().rank != rank) segments.push_back({rank, total, 0});
    segments.back().count += count;
    total += count;
  }
  return segments;
}

// The laid-out boxes cut into pieces of at most cells_per_team cells (all variables) for one
// team each; a piece keeps its box's buffer offset and names its elements (first, count).
std::vector<TransferBox> pieces_of(const std::vector<std::pair<int, TransferBox>>& boxes, int variables,
                                   int cells_per_team)
{
  const std::int64_t most = std::max<std::int64_t>(1, std::int64_t{cells_per_team} * variables);
  std::vector<TransferBox> out;
  for (const auto& [rank, box] : boxes) {
    const std::int64_t total = volume(box) * variables;
    for (std::int64_t first = 0; first < total; first += most) {
      TransferBox piece = box;
      piece.first = static_cast<int>(first);
      piece.count = static_cast<int>(std::min(most, total - first));
      out.push_back(piece);
    }
  }
  return out;
}

// Copies between the arrays and a buffer, one team per piece of a box.
template <bool Pack>
struct CopyBoxes {
  BlockData a0, a1, a2;
  View<TransferBox*> boxes;
  View<double*> buffer;
  int variables;

  KOKKOS_FUNCTION void operator()(const TeamMember& team) const
  {
    const TransferBox b = boxes(team.league_rank());
    const BlockData& u = b.array == 0 ? a0 : (b.array == 1 ? a1 : a2);
    const int ni = b.hi[0] - b.lo[0], nj = b.hi[1] - b.lo[1], nk = b.hi[2] - b.lo[2];
    Kokkos::parallel_for(Kokkos::TeamThreadRange(team, b.count), [&](int m) {
      const int n = b.first + m;
      const int i = b.lo[0] + n % ni, j = b.lo[1] + (n / ni) % nj, k = b.lo[2] + (n / (ni * nj)) % nk;
      const int v = n / (ni * nj * nk);
      if constexpr (Pack)
        buffer(b.offset + n) = u(b.block, v, k, j, i);
      else
        u(b.block, v, k, j, i) = buffer(b.offset + n);
    });
  }
};

template <bool Pack>
void copy_boxes(const char* label, const std::array<BlockData, 3>& arrays, const View<TransferBox*>& boxes,
                const View<double*>& buffer, int variables)
{
  if (boxes.extent(0) == 0) return;
  par_for_team(label, team_policy(ExecSpace(), static_cast<Index>(boxes.extent(0)), 0, 0),
               CopyBoxes<Pack>{arrays[0], arrays[1], arrays[2], boxes, buffer, variables});
}

} // namespace

HaloTransfer::HaloTransfer(const Mesh& mesh, const std::vector<HaloNeed>& needs, int cells_per_team)
    : comm_(mesh.comm()), variables_(mesh.variables())
{
  if (cells_per_team < 1) throw std::invalid_argument("HaloTransfer: cells_per_team must be positive");
  const auto ranks = static_cast<std::size_t>(comm_.size());
  std::vector<std::pair<int, TransferBox>> receive;
  std::vector<std::vector<std::int64_t>> requests(ranks);
  for (const auto& [key, need] : merged(mesh, needs)) {
    const auto [owner, leaf, array] = key;
    TransferBox box{need.slot, array, {need.lo[0], need.lo[1], need.lo[2]}, {need.hi[0], need.hi[1], need.hi[2]}, 0};
    receive.emplace_back(owner, box);
    auto& r = requests[static_cast<std::size_t>(owner)];
    r.insert(r.end(), {leaf, array, need.lo[0], need.lo[1], need.lo[2], need.hi[0], need.hi[1], need.hi[2]});
  }
  const auto asked = comm_.all_to_all(requests);
  std::vector<std::pair<int, TransferBox>> send;
  for (std::size_t r = 0; r < ranks; ++r)
    for (std::size_t q = 0; q + need_fields <= asked[r].size(); q += need_fields) {
      const auto* f = asked[r].data() + q;
      TransferBox box;
      box.block = static_cast<int>(f[0] - mesh.first_block());
      box.array = static_cast<int>(f[1]);
      for (int a = 0; a < 3; ++a)
        box.lo[a] = static_cast<int>(f[2 + a]), box.hi[a] = static_cast<int>(f[5 + a]);
      send.emplace_back(static_cast<int>(r), box);
    }
  std::size_t send_total = 0, recv_total = 0;
  sends_ = lay_out(send, variables_, send_total);
  recvs_ = lay_out(receive, variables_, recv_total);
  send_boxes_ = to_device(pieces_of(send, variables_, cells_per_team), "amr::halo_send_boxes");
  recv_boxes_ = to_device(pieces_of(receive, variables_, cells_per_team), "amr::halo_recv_boxes");
  send_buffer_ = View<double*>(std::string("amr::halo_send"), send_total);
  recv_buffer_ = View<double*>(std::string("amr::halo_recv"), recv_total);
}

void HaloTransfer::run(const std::array<BlockData, 3>& from, const std::array<BlockData, 3>& into) const
{
  if (sends_.empty() && recvs_.empty()) return;
  copy_boxes<true>("amr::halo_pack", from, send_boxes_, send_buffer_, variables_);
  comm_.exchange(send_buffer_, sends_, recv_buffer_, recvs_);
  copy_boxes<false>("amr::halo_unpack", into, recv_boxes_, recv_buffer_, variables_);
}

} // namespace tessera::amr
