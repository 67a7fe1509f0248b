// SPDX-License-Identifier: Apache-2.0
// Nothing: the object file that carries a precompiled header (cmake/TesseraTargets.cmake).
