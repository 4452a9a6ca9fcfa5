# SPDX-License-Identifier: GPL-3.0-or-later
# Tests of the simulator's synthetic images (ptp/sim/sky). The simulator writes its RAW files without
# LibRaw; these tests decode them with it, to prove that they decode to exactly what was meant.
sonyalpaca_test(test_simsky SOURCES
  unit/sim/ArwFileTest.cpp
  unit/sim/CrawCodecTest.cpp
  unit/sim/LosslessJpegTest.cpp
  unit/sim/RawFileTypesTest.cpp
  unit/sim/ProtocolTest.cpp
  unit/sim/DefocusModelTest.cpp
  unit/sim/SimJpegTest.cpp
  unit/sim/SkyRendererTest.cpp
  unit/sim/LibRawDecode.cpp
  support/StarMeasure.cpp
  LIBS sonyalpaca_simsky sonyalpaca_sim PkgConfig::LIBRAW)

# The per-body decode proof (issue 15): every body's ARW at full size, every RAW type it offers,
# through the LibRaw this build links and the daemon's decoder. Minutes of work (about 100 files of
# 12 to 65 MP); its results go to Testing/artifacts/decode-proof/ for docs/BODIES.md.
sonyalpaca_test(test_decode_proof SOURCES unit/sim/BodyDecodeProofTest.cpp TIMEOUT 1200
  LIBS sonyalpaca_simsky sonyalpaca_imaging sonyalpaca_config PkgConfig::LIBRAW nlohmann_json::nlohmann_json)
target_compile_definitions(test_decode_proof PRIVATE
  SONYALPACA_DECODE_PROOF_DIR="${CMAKE_BINARY_DIR}/Testing/artifacts/decode-proof")
