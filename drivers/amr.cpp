// tessera-amr: compressible hydrodynamics on an adaptive octree of mesh blocks (docs/amr.md).
#include "tessera/amr/run.hpp"

int main(int argc, char** argv)
{
  return tessera::amr::driver_main(argc, argv);
}
