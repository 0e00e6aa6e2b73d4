/* cmd_collect.c - placeholder */
#include "cli.h"
const char kk_help_collect[] = "usage: kaketsuke collect\n";
int cmd_collect(int argc, char **argv) { (void)argc; (void)argv; return KK_EXIT_USAGE; }
