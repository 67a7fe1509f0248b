// SPDX-License-Identifier: Apache-2.0
#pragma once
// An app's name, version and commit: what its usage line, error lines, banner, --version and
// summary say. Tessera's drivers leave it empty; an app built on Tessera names itself.

#include <string>

namespace tessera {

// Who the program is, in its usage line, error lines, banner, --version and summary. Empty
// fields take Tessera's own: an app built on Tessera outside it names itself here.
struct AppIdentity {
  std::string program;      // the executable, e.g. "heat" (default: tessera-<DriverInfo::name>)
  std::string error_prefix; // "heat" gives "heat: error: ..." (default: "tessera")
  std::string version;      // the app's version (default: Tessera's, tessera::version())
  std::string commit;       // the app's commit (default: Tessera's, tessera::build_commit())
};

} // namespace tessera
