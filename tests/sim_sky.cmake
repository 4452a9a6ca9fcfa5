# SPDX-License-Identifier: GPL-3.0-or-later
# Tests of the simulator's synthetic images (ptp/sim/sky). LibRaw is linked here only, to prove
# that what the simulator writes decodes to exactly what it meant to write.
sonyalpaca_test(test_simsky SOURCES
  unit/sim/ArwFileTest.cpp
  unit/sim/CrawCodecTest.cpp
  unit/sim/LosslessJpegTest.cpp
  unit/sim/RawFileTypesTest.cpp
  unit/sim/DefocusModelTest.cpp
  unit/sim/JpegWriterTest.cpp
  unit/sim/SkyRendererTest.cpp
  unit/sim/LibRawDecode.cpp
  unit/sim/JpegDecoder.cpp
  support/StarMeasure.cpp
  LIBS sonyalpaca_simsky sonyalpaca_sim PkgConfig::LIBRAW)
