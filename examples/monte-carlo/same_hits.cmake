# SPDX-License-Identifier: Apache-2.0
# cmake -DFIRST=a.json -DSECOND=b.json -P same_hits.cmake: the two runs' summaries report
# the same number of hits (the counter-based RNG: the same draws on any number of ranks).
file(READ "${FIRST}" first)
file(READ "${SECOND}" second)
string(JSON hits_first GET "${first}" results hits)
string(JSON hits_second GET "${second}" results hits)
if(NOT hits_first STREQUAL hits_second)
  message(FATAL_ERROR "hits differ: ${hits_first} in ${FIRST}, ${hits_second} in ${SECOND}")
endif()
message(STATUS "the same ${hits_first} hits in both runs")
