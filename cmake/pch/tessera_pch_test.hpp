// SPDX-License-Identifier: Apache-2.0
// The tests' precompiled header: the libraries' and GoogleTest's.
#pragma once

#include "tessera_pch.hpp"

#include <gtest/gtest.h>
