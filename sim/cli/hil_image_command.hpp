// `fleetsim hil image create RAW.bin --version X.Y.Z[+BUILD] --out IMG.signed.bin [--key KEY.pem]
// [--header-size N] [--load-addr ADDR]`: wraps an application binary into an MCUboot image as
// `imgtool sign --pad-header` does (README "Hardware in the loop", hil/protocol/mcuboot_image.hpp).
// Exit codes: 0 written, 2 bad input or usage, 3 the output cannot be written.
#pragma once

namespace fleetsim::hil {

// argv[0] is "image".
int run_hil_image_command(int argc, char** argv);
// Its usage text (--help), for completion and the man page.
const char* hil_image_usage();

}  // namespace fleetsim::hil
