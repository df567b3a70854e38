// moatd: the Docker API guard on the developers' socket.
#include "moatd/command_line.h"

int main(int argc, char** argv) { return moat::moatd::moatd_main(argc, argv, {}); }
