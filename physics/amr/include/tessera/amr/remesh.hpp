// SPDX-License-Identifier: Apache-2.0
#pragma once
// Moving the cell data from one mesh to the next after a regrid, conservatively: blocks that
// stay are copied, new finer blocks are filled by minmod-limited linear prolongation from the
// old block that covered them (one or more levels coarser), merged blocks by the mean of the
// old children's cells. One kernel over all new blocks.

#include "tessera/amr/mesh.hpp"

namespace tessera::amr {

// The interior cells of every block of `next`, from `old_data` on `old_mesh` (whose ghost
// cells must be filled: prolongation slopes read them). Ghost cells of the result are zero.
BlockData remesh(const Mesh& old_mesh, const BlockData& old_data, const Mesh& next);

} // namespace tessera::amr
